"""OpenPanel configuration: typed, validated before any request.

Every check raises ``ConfigurationError`` naming the key (``sources.openpanel.<key>``)
and the fix, so a bad configuration exits 2 without spending a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sources.common.config import ConfigRegistry, KeyChecks, dated_basics
from sources.common.dates import yesterday_in
from sources.common.errors import ConfigurationError
from sources.openpanel import settings as S

SECTION = "sources.openpanel"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLANS = {"standard": (S.RATE_LIMIT, S.RATE_WINDOW_SECONDS)}

# the dlt resources; ``profiles`` and ``event_meta`` are tables the events crawl fills
RESOURCES = ("events", "chart_series_daily")
EVENT_TABLES = ("events", "profiles", "event_meta")


CHECKS = KeyChecks("openpanel")
key = CHECKS.key



@dataclass(frozen=True)
class Chart:
    """A chart declared in configuration, loaded into ``chart_series_daily``.

    Attributes:
        name: the chart's name in the table (``chart`` column).
        series: the ``series`` (events) JSON objects sent to ``/export/charts``.
        breakdowns: breakdown dimension names, e.g. ``("country",)``.
        previous: whether the previous period is requested (``previous_*`` columns).
    """

    name: str
    series: tuple[dict[str, Any], ...]
    breakdowns: tuple[str, ...]
    previous: bool = True


@dataclass(frozen=True)
class OpenPanelConfig:
    """The validated configuration of one OpenPanel run."""

    client_id: str
    client_secret: str
    project_id: str
    base_url: str
    start_date: date
    end_date: date
    lookback_days: int
    timezone: str
    plan: str
    rpm: int | None
    daily_budget: int | None
    page_size: int
    includes: tuple[str, ...]
    event_names: tuple[str, ...]
    charts: tuple[Chart, ...]
    resources: tuple[str, ...]
    event_tables: tuple[str, ...]
    concurrency: int = S.DEFAULT_CONCURRENCY
    explicit_start: date | None = None
    explicit_end: date | None = None
    request_timeout: float = 30.0
    max_retries: int = 5
    rate_window_seconds: float = S.RATE_WINDOW_SECONDS

    @property
    def rpd(self) -> None:
        """OpenPanel has no daily quota (the runner's summary asks)."""
        return None

    @property
    def events_end(self) -> date:
        """The last day the events crawl may load: a closed UTC day (NOTES.md)."""
        last = self.explicit_end or self.end_date
        return min(last, yesterday_in("UTC"))

    @property
    def api_includes(self) -> tuple[str, ...]:
        """What the events call asks for: ``properties`` always, then the configured extras."""
        return tuple(dict.fromkeys(("properties", *self.includes)))


CONFIGS = ConfigRegistry()
remember = CONFIGS.remember
config_for = CONFIGS.config_for


def build_config(
    *, client_id: Any, client_secret: Any, project_id: Any, base_url: Any = None,
    start_date: Any = None, end_date: Any = None, lookback_days: Any = 2,
    timezone: Any = "UTC", plan: Any = "auto", rpm: Any = None, daily_budget: Any = None,
    page_size: Any = S.PAGE_LIMIT_MAX, includes: Any = None, event_names: Any = None,
    charts: Any = None, resources: Any = None, concurrency: Any = S.DEFAULT_CONCURRENCY,
    explicit_start: Any = None, explicit_end: Any = None, request_timeout: Any = 30.0,
    max_retries: Any = 5, rate_window_seconds: Any = S.RATE_WINDOW_SECONDS,
    today: date | None = None,
) -> OpenPanelConfig:
    """Validate raw configuration values and return an ``OpenPanelConfig``.

    Raises:
        ConfigurationError: the first problem found, naming its key and the fix.

    Example:
        >>> cfg = build_config(client_id="0b6f4c3e-8a1d-4f7b-9c2e-5d3a1b7e9f00",
        ...                    client_secret="sec", project_id="demo",
        ...                    start_date="2026-04-01", end_date="2026-04-30")
        >>> cfg.resources, cfg.page_size
        (('events',), 1000)
    """
    cid = CHECKS.secret(client_id, "client_id", "the client id shown under Settings → Clients")
    if not _UUID_RE.match(cid):
        raise ConfigurationError(key("client_id"), "is not a lowercase UUID",
                                 "copy the client id (e.g. 0b6f4c3e-8a1d-…) from Settings → "
                                 "Clients; a client of mode read or root")
    secret = CHECKS.secret(client_secret, "client_secret",
                           "the secret shown once at client creation")
    project = CHECKS.secret(project_id, "project_id", "the project id from the dashboard URL")
    basics = dated_basics(CHECKS, base_url=base_url, default_base_url=S.DEFAULT_BASE_URL,
                          timezone=timezone, lookback_days=lookback_days, today=today,
                          start_date=start_date, end_date=end_date,
                          explicit_start=explicit_start, explicit_end=explicit_end)
    url, tz, lookback = basics.base_url, basics.timezone, basics.lookback_days
    start, end = basics.dates.start_date, basics.dates.end_date
    ex_start, ex_end = basics.dates.explicit_start, basics.dates.explicit_end
    plan_name = str(plan or "auto").lower()
    if plan_name != "auto" and plan_name not in PLANS:
        raise ConfigurationError(key("plan"), f"'{plan}' is not an OpenPanel rate plan",
                                 f"use auto or {', '.join(PLANS)} (100 requests per 10 s)")
    wanted_includes = tuple(str(i) for i in CHECKS.items(includes, "includes")) \
        if includes is not None else S.DEFAULT_INCLUDES
    for inc in wanted_includes:
        if inc not in S.INCLUDES:
            raise ConfigurationError(key("includes"), f"'{inc}' cannot be included",
                                     f"use any of {', '.join(S.INCLUDES)}")
    chart_list = _charts(charts)
    selected, tables = _resources(resources, chart_list, wanted_includes)
    return OpenPanelConfig(
        client_id=cid, client_secret=secret, project_id=project, base_url=url,
        start_date=start, end_date=end, lookback_days=lookback, timezone=tz, plan=plan_name,
        rpm=CHECKS.optional_integer(rpm, "rpm", minimum=1),
        daily_budget=CHECKS.optional_integer(daily_budget, "daily_budget", minimum=1),
        page_size=CHECKS.integer(page_size, "page_size", minimum=S.PAGE_LIMIT_MIN,
                                 maximum=S.PAGE_LIMIT_MAX),
        includes=tuple(dict.fromkeys(wanted_includes)),
        event_names=tuple(str(e) for e in CHECKS.items(event_names, "event_names")),
        charts=chart_list, resources=selected, event_tables=tables,
        concurrency=CHECKS.integer(concurrency, "concurrency", minimum=1,
                                   maximum=S.MAX_CONCURRENCY),
        explicit_start=ex_start, explicit_end=ex_end,
        request_timeout=CHECKS.number(request_timeout, "request_timeout", minimum=0.1),
        max_retries=CHECKS.integer(max_retries, "max_retries", minimum=0, maximum=20),
        rate_window_seconds=CHECKS.number(rate_window_seconds, "rate_window_seconds", minimum=0.1),
    )


# --- helpers ------------------------------------------------------------------------------
_CHART_EXAMPLE = ('charts = [{name = "signups_by_country", events = [{name = "sign_up", '
                  'segment = "user"}], breakdowns = ["country"]}]')


def _series(item: Any, where: str) -> dict[str, Any]:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        raise ConfigurationError(where, f"{item!r} is not an event with a name", _CHART_EXAMPLE)
    segment = str(item.get("segment") or "event")
    if segment not in S.CHART_SEGMENTS:
        raise ConfigurationError(where + ".segment", f"'{segment}' is not a segment",
                                 f"use one of {', '.join(S.CHART_SEGMENTS)}")
    out: dict[str, Any] = {"name": str(item["name"]), "segment": segment}
    if segment in S.PROPERTY_SEGMENTS:
        if not item.get("property"):
            raise ConfigurationError(where + ".property", f"segment '{segment}' needs a property",
                                     'e.g. property = "properties.total"')
        out["property"] = str(item["property"])
    filters = []
    for j, f in enumerate(item.get("filters") or []):
        fw = f"{where}.filters[{j}]"
        if not isinstance(f, dict) or not f.get("name"):
            raise ConfigurationError(fw, f"{f!r} is not a filter",
                                     '{name = "country", operator = "is", value = ["Sweden"]}')
        if f.get("operator") not in S.FILTER_OPERATORS:
            raise ConfigurationError(fw + ".operator", f"'{f.get('operator')}' is not an operator",
                                     f"use one of {', '.join(S.FILTER_OPERATORS)}")
        values = f.get("value", [])
        if not isinstance(values, list | tuple):
            raise ConfigurationError(fw + ".value", "must be a list", 'e.g. value = ["Sweden"]')
        filters.append({"name": str(f["name"]), "operator": f["operator"],
                        "value": [str(v) for v in values]})
    out["filters"] = filters
    return out


def _charts(value: Any) -> tuple[Chart, ...]:
    out: list[Chart] = []
    for i, item in enumerate(CHECKS.items(value, "charts")):
        where = key(f"charts[{i}]")
        if not isinstance(item, dict):
            raise ConfigurationError(where, "must be a table", _CHART_EXAMPLE)
        name = str(item.get("name") or "")
        if not _NAME_RE.match(name):
            raise ConfigurationError(where + ".name", f"'{name}' is not a valid chart name",
                                     "use lowercase letters, digits and _")
        events = item.get("events") or item.get("series")
        if not isinstance(events, list | tuple) or not events:
            raise ConfigurationError(where + ".events", "is empty", _CHART_EXAMPLE)
        series = tuple(_series(e, f"{where}.events[{j}]") for j, e in enumerate(events))
        breakdowns = []
        for b in item.get("breakdowns") or []:
            bname = b.get("name") if isinstance(b, dict) else b
            if not isinstance(bname, str) or not bname:
                raise ConfigurationError(where + ".breakdowns", f"{b!r} is not a breakdown",
                                         'e.g. breakdowns = ["country"]')
            breakdowns.append(bname)
        previous = item.get("previous", True)
        if not isinstance(previous, bool):
            raise ConfigurationError(where + ".previous", f"'{previous}' is not true or false",
                                     "use true or false")
        out.append(Chart(name, series, tuple(breakdowns), previous))
    if len({c.name for c in out}) != len(out):
        raise ConfigurationError(key("charts"), "names a chart twice",
                                 "give each chart its own name")
    return tuple(out)


def _resources(value: Any, charts: tuple[Chart, ...], includes: tuple[str, ...]
               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The dlt resources to run and the event tables to fill."""
    wanted = [str(w) for w in CHECKS.items(value, "resources")]
    valid = [*EVENT_TABLES, "chart_series_daily"]
    for name in wanted:
        if name not in valid:
            raise ConfigurationError(key("resources"), f"'{name}' is not a resource",
                                     f"use any of {', '.join(valid)}")
    if not wanted:
        wanted = [*EVENT_TABLES, *(["chart_series_daily"] if charts else [])]
    if "chart_series_daily" in wanted and not charts:
        raise ConfigurationError(key("charts"), "is empty but chart_series_daily is selected",
                                 _CHART_EXAMPLE)
    needs = {"profiles": "profile", "event_meta": "meta"}
    tables = []
    for t in EVENT_TABLES:
        if t in wanted and (t not in needs or needs[t] in includes):
            tables.append(t)
        elif t in wanted and value not in (None, "", []):
            raise ConfigurationError(key("includes"), f"lacks '{needs[t]}', which {t} needs",
                                     f"add \"{needs[t]}\" to includes")
    selected = (["events"] if tables else []) + [r for r in RESOURCES[1:] if r in wanted]
    return tuple(selected), tuple(tables)
