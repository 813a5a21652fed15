"""End to end: the real CLI against the OpenPanel simulator on loopback, into DuckDB/Postgres.

Given a simulator whose "today" is 2026-05-01 with 6,000 events over April, when the CLI
runs, then the warehouse holds exactly the simulator's event ids, re-runs add nothing,
an incremental run adds exactly the new day, pacing keeps a tight rate limit free of
429s, faults change nothing and a wrong secret exits 3.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulators.openpanel import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PROJECT_ID,
    OpenPanelSimulator,
)
from sources.openpanel import resources
from tests.e2e import api_requests, cli, cli_subprocess, env_vars, query

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
START, END = date(2026, 4, 1), date(2026, 4, 30)
EVENTS, PAGE = 6000, 50
CHARTS = [{"name": "views_by_country", "events": [{"name": "screen_view"}],
           "breakdowns": ["country"]}]


def env(sim: OpenPanelSimulator, db: Path, **extra: Any) -> dict[str, str]:
    values = {"base_url": sim.url, "client_id": DEFAULT_CLIENT_ID,
              "client_secret": DEFAULT_CLIENT_SECRET, "project_id": DEFAULT_PROJECT_ID,
              "start_date": START, "end_date": END, "page_size": PAGE,
              "commit_every_seconds": 0, **extra}
    out = {f"SOURCES__OPENPANEL__{k.upper()}": v if isinstance(v, str) else
           json.dumps(v) if isinstance(v, list) else str(v) for k, v in values.items()}
    out["DESTINATION__DUCKDB__CREDENTIALS"] = str(db)
    return out


def use(sim: OpenPanelSimulator, db: Path, **extra: Any) -> AbstractContextManager[None]:
    return env_vars(env(sim, db, **extra))


def model_ids(sim: OpenPanelSimulator, first: date, last: date) -> set[str]:
    out, day = set(), first
    while day <= last:
        out |= {sim.model.event_id(day, j) for j in sim.model.iter_day(day)}
        day += timedelta(days=1)
    return out


def model_profile_ids(sim: OpenPanelSimulator, first: date, last: date) -> set[str]:
    """The ids of the profiles included with the events of ``first``..``last``."""
    out, day = set(), first
    while day <= last:
        for j in sim.model.iter_day(day):
            profile = sim.model.event(day, j, frozenset({"profile"})).get("profile")
            if profile:
                out.add(profile["id"])
        day += timedelta(days=1)
    return out


def pages(sim: OpenPanelSimulator, first: date, last: date) -> int:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return sum(max(1, math.ceil(sim.model.day_count(d) / PAGE)) for d in days)


@pytest.fixture
def sim() -> Iterator[OpenPanelSimulator]:
    with OpenPanelSimulator(events=EVENTS, today=TODAY, rate_limit=None) as s:
        yield s


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_first_run_loads_exactly_the_simulators_events(sim: OpenPanelSimulator,
                                                       db: Path) -> None:
    with use(sim, db, charts=CHARTS):
        result = cli("run", "openpanel")
    assert result.code == 0, result.text
    ids = {r[0] for r in query(db, "select id from openpanel.events")}
    assert ids == model_ids(sim, START, END) and len(ids) == EVENTS
    assert len(api_requests(sim)) == pages(sim, START, END) + 1  # + one chart call
    assert query(db, "select count(*), count(distinct id) from openpanel.events")[0] == \
        (EVENTS, EVENTS)
    (typ,) = query(db, "select data_type from information_schema.columns where "
                       "table_schema = 'openpanel' and table_name = 'events' and "
                       "column_name = 'created_at'")[0]
    assert typ == "TIMESTAMP WITH TIME ZONE"
    assert query(db, "select min(created_at)::date, max(created_at)::date from "
                     "openpanel.events")[0] == (START, END)
    # profiles and meta, merged on their ids; anonymous events have no profile
    profiles = query(db, "select count(*), count(distinct id) from openpanel.profiles")[0]
    assert profiles[0] == profiles[1] > 0
    assert {r[0] for r in query(db, "select name from openpanel.event_meta")} == \
        {"screen_view", "sign_up", "purchase", "button_click"}
    # the chart agrees with the events it counts
    by_chart = dict(((r[0], r[1]), r[2]) for r in query(
        db, "select date, country, count from openpanel.chart_series_daily"))
    by_events = query(db, "select created_at::date, country, count(*) from openpanel.events "
                          "where name = 'screen_view' group by all")
    assert {k: int(v) for k, v in by_chart.items() if v} == {(d, c): n for d, c, n in by_events}


def test_rerun_adds_nothing_and_incremental_adds_exactly_the_new_day(
        sim: OpenPanelSimulator, db: Path) -> None:
    staged = ("select count(*) from information_schema.tables where "
              "table_schema = 'openpanel_staging' and table_name = 'events'")
    with use(sim, db):
        assert cli("run", "openpanel").code == 0
        assert query(db, staged)[0][0] == 0  # into a new dataset the events are appended
        assert cli("run", "openpanel").code == 0
    assert query(db, staged)[0][0] == 1  # then merged
    assert query(db, "select count(*) from openpanel.events")[0][0] == EVENTS
    sim.advance_days(1)
    before = len(api_requests(sim))
    with use(sim, db, end_date=END + timedelta(days=1)):
        result = cli("run", "openpanel")
    assert result.code == 0, result.text
    spent = api_requests(sim)[before:]
    assert {r["query"]["start"] for r in spent} == {str(END - timedelta(days=1)), str(END),
                                                     str(END + timedelta(days=1))}
    assert all(r["query"]["start"] == r["query"]["end"] for r in spent)
    ids = {r[0] for r in query(db, "select id from openpanel.events")}
    assert ids == model_ids(sim, START, END + timedelta(days=1))
    assert len(ids) == EVENTS + sim.model.day_count(END + timedelta(days=1))


def test_a_window_larger_than_a_step_loads_step_by_step_without_repeating_a_request(
        sim: OpenPanelSimulator, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "STEP_ROWS", 1000)  # ~200 events a day: 5 days a step
    with use(sim, db, commit_every_seconds=3600):
        result = cli("run", "openpanel")
    assert result.code == 0, result.text
    steps = result.err.count("committed")
    loads = query(db, "select count(*) from openpanel._dlt_loads")[0][0]
    assert steps >= 6 and loads == steps
    assert query(db, "select count(*), count(distinct id) from openpanel.events")[0] == \
        (EVENTS, EVENTS)
    assert {r[0] for r in query(db, "select id from openpanel.events")} == \
        model_ids(sim, START, END)
    assert len(api_requests(sim)) == pages(sim, START, END)  # the crawl goes on after a pause
    # a step carries each profile once; what one step left out, an earlier one loaded
    assert {r[0] for r in query(db, "select id from openpanel.profiles")} == \
        model_profile_ids(sim, START, END)
    assert query(db, "select count(*), count(distinct id) from openpanel.profiles")[0][0] == \
        len(model_profile_ids(sim, START, END))
    staged = query(db, "select count(*), count(distinct id) from openpanel_staging.profiles")
    assert staged[0][0] == staged[0][1] > 0  # the last step's staging: one row a profile


@pytest.mark.parametrize("own, expected", [
    (None, (1, 0, False)),
    ('{"threads": 2}', (2, 0, False)),  # the user's own settings win, key by key
])
def test_duckdb_loads_run_on_one_thread_without_vacuum_tasks(
        tmp_path: Path, own: str | None, expected: tuple[int, int, bool]) -> None:
    from pipelines.runner import RunOptions, make_pipeline

    values = {"DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "w.duckdb"),
              "DLT_DATA_DIR": str(tmp_path / "dlt")}
    if own:
        values["DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"] = own
    with env_vars(values):
        pipeline = make_pipeline(RunOptions(source="openpanel"))
        with pipeline.sql_client() as client:
            got = client.execute_sql(
                "select current_setting('threads'), current_setting('max_vacuum_tasks'), "
                "current_setting('preserve_insertion_order')")
    assert tuple(got[0]) == expected


@pytest.mark.parametrize("destination, own, expected", [
    ("duckdb", None, {"workers": 1}),  # one job at a time, on the main thread
    ("duckdb", "4", {}),  # the user's LOAD__WORKERS wins: dlt reads it
    ("postgres", None, {}),  # dlt's 20 workers: parallel COPYs pay off there
])
def test_duckdb_loads_run_one_job_at_a_time_unless_configured(
        tmp_path: Path, destination: str, own: str | None, expected: dict[str, int]) -> None:
    from pipelines.destinations import load_options
    from pipelines.runner import RunOptions, make_pipeline

    values = {"DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "w.duckdb"),
              "DLT_DATA_DIR": str(tmp_path / "dlt")}
    if own:
        values["LOAD__WORKERS"] = own
    with env_vars(values):
        pipeline = make_pipeline(RunOptions(source="openpanel", destination=destination))
        assert load_options(pipeline) == expected


def test_a_new_working_directory_merges_into_the_existing_dataset(
        sim: OpenPanelSimulator, db: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with use(sim, db):
        assert cli("run", "openpanel").code == 0
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "another_machine"))  # no local state
    with use(sim, db):
        assert cli("run", "openpanel").code == 0
    assert query(db, "select count(*), count(distinct id) from openpanel.events")[0] == \
        (EVENTS, EVENTS)


def test_tight_rate_limit_gives_zero_429s(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with OpenPanelSimulator(events=1500, today=TODAY, rate_limit=10, window_seconds=1) as sim, \
            use(sim, db, start_date=date(2026, 4, 21), rate_window_seconds=1, page_size=10):
        result = cli("run", "openpanel")
        statuses = [r["status"] for r in api_requests(sim)]
    assert result.code == 0, result.text
    assert len(statuses) > 30 and set(statuses) == {200}


def test_faults_give_identical_rows(tmp_path: Path) -> None:
    clean, faulty = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    with OpenPanelSimulator(events=2000, today=TODAY, rate_limit=None) as sim, \
            use(sim, clean):
        assert cli("run", "openpanel").code == 0
    faults = "500:0.08,reset:0.04,malformed:0.04,429:0.04,429bare:0.02,slow:0.02"
    with OpenPanelSimulator(events=2000, today=TODAY, faults=faults, fault_seed=3,
                            slow_seconds=1.5, window_seconds=0.5) as sim, \
            use(sim, faulty, request_timeout=0.5, rate_window_seconds=0.5):
        # its own dataset, hence its own pipeline: no state carried over from the clean run
        result = cli("run", "openpanel", "--dataset", "openpanel_faulty")
        faulted = [r for r in sim.requests if r.get("fault")]
    assert result.code == 0, result.text
    assert len(faulted) > 5
    sql = "select * from {}.{} order by all"
    for table in ("events", "profiles", "event_meta"):
        assert query(faulty, sql.format("openpanel_faulty", table)) == \
            query(clean, sql.format("openpanel", table)), table


def test_wrong_secret_exits_3_naming_the_key(sim: OpenPanelSimulator, db: Path) -> None:
    values = env(sim, db)
    values["SOURCES__OPENPANEL__CLIENT_SECRET"] = "sec_wrong_but_secret_value"
    result = cli_subprocess("run", "openpanel", env=values)
    assert result.code == 3, result.text
    assert "sources.openpanel.client_secret" in result.err
    assert "Traceback" not in result.text and "sec_wrong_but_secret_value" not in result.text


def test_bad_configuration_exits_2_before_any_request(sim: OpenPanelSimulator,
                                                      db: Path) -> None:
    with use(sim, db, page_size=5000):
        result = cli("run", "openpanel")
    assert result.code == 2 and "sources.openpanel.page_size" in result.err
    assert api_requests(sim) == []


def test_plan_lists_each_days_first_page_without_requests(sim: OpenPanelSimulator,
                                                          db: Path) -> None:
    with use(sim, db):
        planned = cli("plan", "openpanel")
    assert planned.code == 0, planned.text
    assert "total calls: 30" in planned.out and "600 requests/minute" in planned.out
    assert api_requests(sim) == []


@pytest.mark.postgres
def test_postgres_holds_the_same_events(sim: OpenPanelSimulator, db: Path,
                                        pg_url: str) -> None:
    import psycopg2

    dataset = f"openpanel_e2e_{sim.port}"
    url = pg_url.replace("postgres@", "postgres:unused@", 1)  # dlt wants a password field
    with use(sim, db), env_vars({"DESTINATION__POSTGRES__CREDENTIALS": url}):
        first = cli("run", "openpanel", "--destination", "postgres", "--dataset", dataset)
        again = cli("run", "openpanel", "--destination", "postgres", "--dataset", dataset)
    assert first.code == 0 and again.code == 0, first.text + again.text
    con = psycopg2.connect(pg_url)
    try:
        with con.cursor() as cur:
            cur.execute(f"select id, created_at from {dataset}.events")
            rows = cur.fetchall()
            cur.execute(f"drop schema {dataset} cascade")
        con.commit()
    finally:
        con.close()
    assert {r[0] for r in rows} == model_ids(sim, START, END) and len(rows) == EVENTS
    assert all(r[1].tzinfo is not None for r in rows)
