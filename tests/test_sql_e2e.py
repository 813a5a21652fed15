"""End to end: the analyst views on a warehouse the real CLI loaded from the simulators.

Given the four simulators with "today" 2026-05-01 and a 7-day window, when the CLI loads
the tables the views read (Ptengine with a funnel goal and A/B reports, Pirsch, Convert,
OpenPanel) into DuckDB and Postgres and ``sql apply`` creates the views, then the views
answer the simulators' numbers, the same on both databases. The loading helpers are
shared with the dbt test.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import sql_apply
from tests.e2e import _normal, cli, env_vars, ptengine_env

TODAY = date(2026, 5, 1)
START, END = date(2026, 4, 24), date(2026, 4, 30)
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]
SOURCES = ("ptengine", "pirsch", "convert", "openpanel")
PTENGINE_RESOURCES = ["site_metrics_daily", "traffic_by_entry_combined_pages_daily",
                      "conversion_funnel_steps_daily", "experiences", "experience_abtest_daily",
                      "conversion_goals", "conversion_goals_daily", "events_daily"]
PIRSCH_RESOURCES = ["visitors_daily", "session_duration_daily", "referrers_daily",
                    "pages_daily", "domains"]


@dataclass
class Simulators:
    """The running simulators and the environment that points every source at them."""

    ptengine: Any
    pirsch: Any
    convert: Any
    openpanel: Any
    env: dict[str, str] = field(default_factory=dict)


@contextmanager
def simulators(db: Path, data_dir: Path) -> Iterator[Simulators]:
    """Start the four simulators; ``env`` points the sources and DuckDB at them."""
    from simulators.convert import (
        DEFAULT_ACCOUNT_ID,
        DEFAULT_APPLICATION_ID,
        DEFAULT_APPLICATION_SECRET,
        ConvertSimulator,
    )
    from simulators.openpanel import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_PROJECT_ID,
        OpenPanelSimulator,
    )
    from simulators.pirsch import DEFAULT_CLIENT_ID as PIRSCH_ID
    from simulators.pirsch import DEFAULT_CLIENT_SECRET as PIRSCH_SECRET
    from simulators.pirsch import PirschSimulator
    from simulators.ptengine import PtengineSimulator

    with ExitStack() as stack:
        pt = stack.enter_context(PtengineSimulator(plan="unlimited", today=TODAY))
        pi = stack.enter_context(PirschSimulator(today=TODAY))
        cv = stack.enter_context(ConvertSimulator(today=TODAY))
        op = stack.enter_context(OpenPanelSimulator(today=TODAY, events=4000, days=30,
                                                    rate_limit=100_000))
        window = {"start_date": str(START), "end_date": str(END)}
        env = ptengine_env(pt, db, **window, funnel_goals=json.dumps(["Purchase complete"]),
                           abtest_compare_by=json.dumps(["goalReached", "clickedUsers"]),
                           resources=json.dumps(PTENGINE_RESOURCES))
        values = {
            "PIRSCH": {"base_url": pi.url, "client_id": PIRSCH_ID, "client_secret": PIRSCH_SECRET,
                       "resources": json.dumps(PIRSCH_RESOURCES), **window},
            "CONVERT": {"base_url": cv.api_url, "application_id": DEFAULT_APPLICATION_ID,
                        "application_secret": DEFAULT_APPLICATION_SECRET,
                        "account_id": DEFAULT_ACCOUNT_ID, "rpm": 60_000, **window},
            "OPENPANEL": {"base_url": op.url, "client_id": DEFAULT_CLIENT_ID,
                          "client_secret": DEFAULT_CLIENT_SECRET,
                          "project_id": DEFAULT_PROJECT_ID, "resources": '["events"]',
                          **window},
        }
        for source, keys in values.items():
            env.update({f"SOURCES__{source}__{k.upper()}": str(v) for k, v in keys.items()})
        env["DLT_DATA_DIR"] = str(data_dir)
        env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
        yield Simulators(pt, pi, cv, op, env)


def load_all(sims: Simulators, *extra: str) -> None:
    """``analytics-elt run <source> EXTRA`` for every source; asserts each exits 0."""
    with env_vars(sims.env):
        for source in SOURCES:
            result = cli("run", source, *extra)
            assert result.code == 0, f"{source}: {result.text}"


def pg_datasets() -> dict[str, str]:
    """Unique Postgres dataset names per source (the test database is shared)."""
    tag = uuid.uuid4().hex[:8]
    return {source: f"{source}_{tag}" for source in SOURCES} | {"analytics": f"analytics_{tag}"}


def load_postgres(sims: Simulators, url: str, datasets: dict[str, str]) -> None:
    """Load every source into its own Postgres dataset."""
    with env_vars({**sims.env, "DESTINATION__POSTGRES__CREDENTIALS": url}):
        for source in SOURCES:
            result = cli("run", source, "--destination", "postgres", "--dataset",
                         datasets[source])
            assert result.code == 0, f"{source}: {result.text}"


def drop_postgres(url: str, datasets: dict[str, str]) -> None:
    import psycopg2

    with psycopg2.connect(url) as con, con.cursor() as cur:
        for name in datasets.values():
            cur.execute(f'drop schema if exists "{name}" cascade')


# --- the views on the loaded warehouse ------------------------------------------------------
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sims(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulators]:
    root = tmp_path_factory.mktemp("sqlwh")
    with simulators(root / "warehouse.duckdb", root / "dlt") as s:
        yield s


@pytest.fixture(scope="module")
def duck(sims: Simulators) -> Path:
    """The DuckDB warehouse with every source loaded and the views applied through
    ``sql apply``."""
    load_all(sims)
    out = io.StringIO()
    with env_vars(sims.env):
        code = sql_apply.main(["--show", "daily_visitors"], out=out)
    assert code == 0, out.getvalue()
    assert "12 views created, 0 skipped, 0 failed" in out.getvalue(), out.getvalue()
    assert "analytics.daily_visitors (latest 7 rows):" in out.getvalue()
    assert str(END) in out.getvalue().split("latest 7 rows")[1]
    return Path(sims.env["DESTINATION__DUCKDB__CREDENTIALS"])


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def test_daily_traffic_equals_the_ptengine_model(duck: Path, sims: Simulators) -> None:
    from simulators.ptengine import DEFAULT_PROFILE_ID

    got = rows(duck, "select * from analytics.ptengine_daily_traffic where segment = 'all' "
                     "order by date")
    assert [r["date"] for r in got] == DAYS
    for r in got:
        model = sims.ptengine.model.day(DEFAULT_PROFILE_ID, r["date"])
        assert (r["visits"], r["users"], r["page_views"], r["conversions"]) == (
            model["visits"], model["users"], model["page_view"], model["conversions"])
        assert r["conversion_rate"] == pytest.approx(model["conversions"] / model["visits"])
        assert r["page_views_per_visit"] == pytest.approx(model["page_view"] / model["visits"])


def test_rates_recomputed_from_counts_agree_with_the_api_rounding(duck: Path) -> None:
    got = rows(duck, "select v.conversion_rate, s.conversion_rate as api from "
                     "analytics.ptengine_daily_traffic v join ptengine.site_metrics_daily s "
                     "using (profile_id, segment, date)")
    assert got and all(abs(r["conversion_rate"] - r["api"]) <= 5e-5 for r in got)
    referrers = rows(duck, "select * from analytics.pirsch_top_referrers order by visitor_rank")
    base = rows(duck, "select referrer, sum(visitors) v, sum(sessions) s, sum(bounces) b "
                      "from pirsch.referrers_daily group by referrer")
    by_ref = {r["referrer"]: r for r in base}
    for r in referrers:
        b = by_ref[r["referrer"]]
        assert (r["visitors"], r["sessions"], r["bounces"]) == (b["v"], b["s"], b["b"])
        assert r["bounce_rate"] == pytest.approx(b["b"] / b["s"])
    assert referrers[0]["visitors"] == max(b["v"] for b in base)


def test_cross_source_daily_visitors_equals_each_sources_table(duck: Path,
                                                                sims: Simulators) -> None:
    from simulators.pirsch import DEFAULT_DOMAIN_ID

    got = {r["date"]: r for r in rows(duck, "select * from analytics.daily_visitors")}
    visits = dict(((d, v) for d, v in [tuple(r.values()) for r in rows(
        duck, "select date, visits from ptengine.site_metrics_daily where segment = 'all'")]))
    assert set(DAYS) <= set(got)
    for day in DAYS:
        assert got[day]["ptengine_visits"] == visits[day]
        pirsch = sims.pirsch.model.day(DEFAULT_DOMAIN_ID, day)
        assert (got[day]["pirsch_visitors"], got[day]["pirsch_sessions"]) == (
            pirsch.visitors, pirsch.sessions)
    # OpenPanel: distinct devices per UTC day, counted from the raw event rows
    devices: dict[date, set[str]] = {}
    for r in rows(duck, "select created_at, device_id from openpanel.events"):
        devices.setdefault(r["created_at"].astimezone(UTC).date(), set()).add(r["device_id"])
    for day, ids in devices.items():
        assert got[day]["openpanel_visitors"] == len(ids)


def test_openpanel_daily_events_add_up_to_the_simulators_days(duck: Path,
                                                              sims: Simulators) -> None:
    got = rows(duck, "select date, sum(events) as n from analytics.openpanel_daily_events "
                     "group by date")
    assert got
    for r in got:
        assert r["n"] == sims.openpanel.model.day_count(r["date"])


def test_funnel_recomputes_step_rates_from_entries(duck: Path) -> None:
    steps = rows(duck, "select * from analytics.ptengine_conversion_funnel order by step_id")
    base = rows(duck, "select step_id, sum(entries) e, sum(dropoff) d from "
                      "ptengine.conversion_funnel_steps_daily group by step_id order by step_id")
    assert len(steps) == len(base) >= 2
    for s, b in zip(steps, base, strict=True):
        assert s["entries"] == b["e"]
    for s in steps[:-1]:
        assert s["conversion_to_next_rate"] == pytest.approx((s["entries"] - s["dropoff"])
                                                             / s["entries"])
    assert steps[-1]["conversion_to_next_rate"] is None
    assert steps[0]["share_of_first_step"] == 1.0
    # one day: the recomputed rate equals the API's rounded one
    day = rows(duck, "select step_id, conversion_to_next_rate r from "
                     "ptengine.conversion_funnel_steps_daily where date = DATE '2026-04-30' "
                     "and conversion_to_next_rate is not null")
    assert day


def test_experiments_put_ptengine_and_convert_in_one_shape(duck: Path) -> None:
    convert = rows(duck, "select * from analytics.convert_experiment_results "
                         "where not is_baseline and reported_change is not null")
    assert convert
    for r in convert:  # the recomputed uplift is the API's metric_change, up to its rounding
        assert r["uplift"] == pytest.approx(r["reported_change"], abs=2e-3)
    both = rows(duck, "select source, count(*) n, count(distinct experiment_id) e from "
                      "analytics.experiments group by source order by source")
    assert [r["source"] for r in both] == ["convert", "ptengine"]
    pt = rows(duck, "select * from analytics.experiments where source = 'ptengine'")
    base = rows(duck, "select version_id, goal_id, sum(viewed_users) v, "
                      "sum(goal_reached_users) c from ptengine.experience_abtest_daily "
                      "where compare_by = 'goalReached' group by all")
    assert {(r["variation_id"], r["goal_id"], r["visitors"], r["conversions"]) for r in pt} \
        == {(b["version_id"], b["goal_id"], b["v"], b["c"]) for b in base}
    assert all(r["goal_name"] for r in pt)


def test_apply_skips_views_whose_tables_are_not_loaded(tmp_path: Path, sims: Simulators,
                                                       duck: Path) -> None:
    """Only Ptengine loaded: its views are created, the others skipped with a note."""
    import shutil

    only = tmp_path / "only.duckdb"
    shutil.copy(duck, only)
    con = duckdb.connect(str(only))
    for schema in ("pirsch", "convert", "openpanel", "analytics"):
        con.execute(f"drop schema {schema} cascade")
    con.close()
    out = io.StringIO()
    with env_vars({**sims.env, "DESTINATION__DUCKDB__CREDENTIALS": str(only)}):
        assert sql_apply.main([], out=out) == 0
    text = out.getvalue()
    assert "analytics.pirsch_daily_traffic" in text
    assert "skipped: pirsch.visitors_daily, pirsch.session_duration_daily not loaded yet" \
        in text.replace("pirsch.session_duration_daily, pirsch.visitors_daily",
                        "pirsch.visitors_daily, pirsch.session_duration_daily")
    assert "analytics.daily_visitors" in text and "4 views created, 8 skipped" in text


@pytest.mark.postgres
def test_postgres_views_answer_what_duckdb_answers(duck: Path, sims: Simulators,
                                                   pg_url: str) -> None:
    import psycopg2

    datasets = pg_datasets()
    try:
        load_postgres(sims, pg_url, datasets)
        out = io.StringIO()
        with env_vars({**sims.env, "DESTINATION__POSTGRES__CREDENTIALS": pg_url}):
            args = ["--destination", "postgres", "--schema", datasets["analytics"]]
            for source in SOURCES:
                args += ["--dataset", f"{source}={datasets[source]}"]
            assert sql_apply.main(args, out=out) == 0, out.getvalue()
        assert "12 views created" in out.getvalue()
        for view in sql_apply.load_views():
            with psycopg2.connect(pg_url) as con, con.cursor() as cur:
                cur.execute(f'select * from "{datasets["analytics"]}"."{view.name}"')
                names = [d[0] for d in cur.description]
                pg = sorted((tuple(_normal(v) for v in r) for r in cur.fetchall()), key=repr)
            con2 = duckdb.connect(str(duck), read_only=True)
            cur2 = con2.execute(f'select {", ".join(chr(34) + n + chr(34) for n in names)} '
                                f'from analytics."{view.name}"')
            dk = sorted((tuple(_normal(v) for v in r) for r in cur2.fetchall()), key=repr)
            con2.close()
            assert pg == dk, view.name
    finally:
        drop_postgres(pg_url, datasets)
