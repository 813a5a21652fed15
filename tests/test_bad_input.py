"""The bad-input catalogue (docs/errors.md): every case exits 2 or 3 with one line that
names the key and the fix, no traceback and no secret.

Given each source's simulator with its demo credentials, when one setting or flag is
wrong, then the CLI refuses with the documented exit code before loading anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipelines import registry
from tests.e2e import cli, env_vars

SECRET_VALUES = ("pt-sim-0123456789abcdef", "pt-sim-upload-only-0000")


@dataclass(frozen=True)
class Case:
    """One bad input: the source, the CLI args, settings to change, what must come back."""

    name: str
    source: str
    args: tuple[str, ...] = ("run",)
    env: dict[str, str] = field(default_factory=dict)
    code: int = 2
    names: str = ""


def pt(name: str, **kw: object) -> Case:
    return Case(name, "ptengine", **kw)  # type: ignore[arg-type]


SEG_BAD_OP = '{"mobile": [{"name": "deviceType", "op": "equals", "value": ["Mobile"]}]}'
SEG_BAD_VALUE = '{"mobile": [{"name": "deviceType", "op": "include", "value": ["Phone"]}]}'
BREAKDOWN_3 = ('[{"name": "x", "event_names": ["purchase"], '
               '"dimensions": ["country", "os", "browser"]}]')
BREAKDOWN_NO_EVENT = '[{"name": "x", "dimensions": ["country"]}]'

CASES = [
    pt("missing api key", env={"SOURCES__PTENGINE__API_KEY": ""},
       names="sources.ptengine.api_key"),
    pt("wrong api key", env={"SOURCES__PTENGINE__API_KEY": "pt-not-a-real-key-999"}, code=3,
       names="sources.ptengine.api_key"),
    pt("key without query scope", env={"SOURCES__PTENGINE__API_KEY": "pt-sim-upload-only-0000"},
       code=3, names="sources.ptengine.api_key"),
    pt("profile of another site", env={"SOURCES__PTENGINE__PROFILE_ID": "abcd1234"}, code=3,
       names="sources.ptengine.profile_id"),
    pt("malformed profile id", env={"SOURCES__PTENGINE__PROFILE_ID": "566d"},
       names="sources.ptengine.profile_id"),
    pt("malformed start_date", env={"SOURCES__PTENGINE__START_DATE": "2026-13-01"},
       names="sources.ptengine.start_date"),
    pt("start_date after end_date", env={"SOURCES__PTENGINE__START_DATE": "2026-05-02",
                                         "SOURCES__PTENGINE__END_DATE": "2026-05-01"},
       names="sources.ptengine.start_date"),
    pt("impossible --start-date", args=("run", "--start-date", "2026-02-30"),
       names="--start-date"),
    pt("reversed flags", args=("run", "--start-date", "2026-04-10", "--end-date", "2026-04-01"),
       names="--start-date"),
    pt("--end-date in another format", args=("run", "--end-date", "04/30/2026"),
       names="--end-date"),
    pt("unknown resource", args=("run", "--resources", "site_metrics_daily,no_such_table"),
       names="sources.ptengine.resources"),
    pt("unknown dimension", env={"SOURCES__PTENGINE__DIMENSIONS": '["contry"]'},
       names="sources.ptengine.dimensions"),
    pt("unknown plan", env={"SOURCES__PTENGINE__PLAN": "enterprise"},
       names="sources.ptengine.plan"),
    pt("unknown lang", env={"SOURCES__PTENGINE__LANG": "FR"}, names="sources.ptengine.lang"),
    pt("unknown timezone", env={"SOURCES__PTENGINE__TIMEZONE": "Mars/Olympus_Mons"},
       names="sources.ptengine.timezone"),
    pt("negative lookback", env={"SOURCES__PTENGINE__LOOKBACK_DAYS": "-1"},
       names="sources.ptengine.lookback_days"),
    pt("rpm not a number", env={"SOURCES__PTENGINE__RPM": "fast"}, names="sources.ptengine.rpm"),
    pt("segment with an unknown operator", env={"SOURCES__PTENGINE__SEGMENTS": SEG_BAD_OP},
       names="sources.ptengine.segments.mobile"),
    pt("segment with a value the API refuses", env={"SOURCES__PTENGINE__SEGMENTS": SEG_BAD_VALUE},
       names="sources.ptengine.segments.mobile"),
    pt("too many event dimensions", env={"SOURCES__PTENGINE__EVENT_BREAKDOWNS": BREAKDOWN_3},
       names="event_breakdowns[0].dimensions"),
    pt("breakdown without the eventName filter",
       env={"SOURCES__PTENGINE__EVENT_BREAKDOWNS": BREAKDOWN_NO_EVENT},
       names="event_breakdowns[0].event_names"),
    pt("funnels selected without goals", args=("run", "--resources",
                                               "conversion_funnel_steps_daily"),
       names="sources.ptengine.funnel_goals"),
    pt("credentials over plain http", env={"SOURCES__PTENGINE__BASE_URL": "http://example.com/"},
       names="sources.ptengine.base_url"),
    pt("unreachable base URL", env={"SOURCES__PTENGINE__BASE_URL": "http://127.0.0.1:9",
                                    "SOURCES__PTENGINE__RETRY_BACKOFF_SECONDS": "0.01"},
       names="sources.ptengine.base_url"),
    pt("unknown destination", args=("run", "--destination", "snowflake"),
       names="--destination"),
    pt("unknown source", args=("run",), env={"SOURCE": "ptenjin"}, names="source"),
    pt("bad request timeout in check", args=("check",),
       env={"SOURCES__PTENGINE__REQUEST_TIMEOUT": "soon"},
       names="sources.ptengine.request_timeout"),
    Case("convert: missing secret", "convert", env={"SOURCES__CONVERT__APPLICATION_SECRET": ""},
         names="sources.convert.application_secret"),
    Case("convert: wrong secret", "convert",
         env={"SOURCES__CONVERT__APPLICATION_SECRET": "0" * 40}, code=3,
         names="sources.convert.application_secret"),
    Case("convert: project id not a number", "convert",
         env={"SOURCES__CONVERT__PROJECT_IDS": '["abc"]'}, names="sources.convert.project_ids"),
    Case("convert: utc_offset out of range", "convert",
         env={"SOURCES__CONVERT__UTC_OFFSET": "99999"}, names="sources.convert.utc_offset"),
    Case("pirsch: write-only access key", "pirsch",
         env={"SOURCES__PIRSCH__ACCESS_KEY": "pa_0123456789abcdef0123456789abcdef"},
         names="sources.pirsch.access_key"),
    Case("pirsch: wrong client secret", "pirsch",
         env={"SOURCES__PIRSCH__CLIENT_SECRET": "x" * 64}, code=3,
         names="sources.pirsch.client_secret"),
    Case("pirsch: client id of the wrong length", "pirsch",
         env={"SOURCES__PIRSCH__CLIENT_ID": "short"}, names="sources.pirsch.client_id"),
    Case("openpanel: client id not a UUID", "openpanel",
         env={"SOURCES__OPENPANEL__CLIENT_ID": "my-client"}, names="sources.openpanel.client_id"),
    Case("openpanel: wrong secret", "openpanel",
         env={"SOURCES__OPENPANEL__CLIENT_SECRET": "sec_wrong_0000"}, code=3,
         names="sources.openpanel.client_secret"),
    Case("openpanel: page size above the API's 1000", "openpanel",
         env={"SOURCES__OPENPANEL__PAGE_SIZE": "5000"}, names="sources.openpanel.page_size"),
    Case("openpanel: unknown include", "openpanel",
         env={"SOURCES__OPENPANEL__INCLUDES": '["profile", "everything"]'},
         names="sources.openpanel.includes"),
]


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every source's simulator with its demo credentials, started once for the module."""
    env: dict[str, str] = {}
    with ExitStack() as stack:
        for name in ("ptengine", "pirsch", "convert", "openpanel"):
            env.update(registry.get(name).demo(stack))
        yield env


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_with_key_and_fix(case: Case, demo_env: dict[str, str],
                                               tmp_path: Path) -> None:
    env = {**demo_env, "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "w.duckdb"),
           **{k: v for k, v in case.env.items() if k != "SOURCE"}}
    source = case.env.get("SOURCE", case.source)
    args = (case.args[0], source, *case.args[1:])
    with env_vars(env):
        result = cli(*args)
    assert result.code == case.code, result.text
    lines = [ln for ln in result.err.splitlines() if ln.startswith("analytics-elt: error")]
    assert len(lines) == 1, result.err
    assert case.names in lines[0]
    if case.code == 2:
        assert "(fix:" in lines[0]
    assert "Traceback" not in result.text
    secrets = [*SECRET_VALUES, *(v for k, v in env.items() if "SECRET" in k or "API_KEY" in k)]
    for secret in secrets:
        if secret and len(secret) > 8:
            assert secret not in result.text, secret
    assert not (tmp_path / "w.duckdb").exists() or case.code == 3
