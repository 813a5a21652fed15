"""End to end: the real CLI against the Ptengine simulator on loopback, into DuckDB.

Given a simulator whose "today" is 2026-05-01 and a 30-day window (April), when the CLI
runs, then the tables hold exactly the simulator's numbers, re-runs change nothing,
incremental runs fetch only new days plus the lookback, and faults, quota stops and bad
input behave as the contract says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path

import pytest

from simulators.ptengine import DEFAULT_PROFILE_ID, PtengineSimulator
from sources.ptengine import settings as S
from tests.e2e import (
    api_requests,
    cli,
    cli_subprocess,
    count,
    env_vars,
    ptengine_env,
    query,
    tables,
)

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
START, END = date(2026, 4, 1), date(2026, 4, 30)
DAYS = 30
# six dimension tables + regular + negative goals, and key metrics of the three running or
# paused experiences
EXPERIENCES = 3
PER_DAY_CALLS = len(S.DEFAULT_DIMENSIONS) + 2 + EXPERIENCES
FORM_VERSIONS = 5  # one form call per version of each selected experience for the window
# curves, events, goals, the experience list, forms, then the per-day calls
FIRST_RUN_CALLS = len(S.SITE_METRICS) + 1 + 1 + 1 + FORM_VERSIONS + PER_DAY_CALLS * DAYS


@pytest.fixture
def sim() -> Iterator[PtengineSimulator]:
    with PtengineSimulator(plan="unlimited", today=TODAY) as s:
        yield s


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def use(sim: PtengineSimulator, db: Path, **extra: object) -> AbstractContextManager[None]:
    values = {"start_date": START, "end_date": END, **extra}
    return env_vars(ptengine_env(sim, db, **values))


def test_first_run_loads_the_simulators_numbers(sim: PtengineSimulator, db: Path) -> None:
    with use(sim, db):
        result = cli("run", "ptengine")
    assert result.code == 0, result.text
    assert len(api_requests(sim)) == FIRST_RUN_CALLS
    # every day of the window, with the model's visits, typed
    rows = query(db, "select date, visits, bounce_rate, avg_visit_duration from "
                     "ptengine.site_metrics_daily where segment = 'all' order by date")
    assert [r[0] for r in rows] == [START + timedelta(days=i) for i in range(DAYS)]
    for day, visits, bounce_rate, duration in rows:
        model = sim.model.day(DEFAULT_PROFILE_ID, day)
        assert visits == model["visits"]
        assert 0 <= bounce_rate <= 1 and duration >= 0
    # the country table sums to the day's visits
    sums = dict(query(db, "select date, sum(visits) from ptengine.traffic_by_country_daily "
                          "group by date"))
    assert all(sums[day] == visits for day, visits, *_ in rows)
    for table in ("traffic_by_source_type_daily", "traffic_by_os_daily",
                  "traffic_by_browser_daily", "traffic_by_combined_pages_daily",
                  "traffic_by_entry_combined_pages_daily", "events_daily", "conversion_goals",
                  "conversion_goals_daily", "metric_definitions"):
        assert count(db, f"select count(*) from ptengine.{table}") > 0, table
    assert count(db, "select count(*) from ptengine.traffic_by_entry_combined_pages_daily "
                     "where url is null or title is null") == 0
    assert "site_metrics_daily" in result.out and "API requests" in result.out


def test_rerun_changes_nothing_and_incremental_fetches_new_days_plus_lookback(
        sim: PtengineSimulator, db: Path) -> None:
    with use(sim, db):
        assert cli("run", "ptengine").code == 0
    first = tables(db, "ptengine")
    with use(sim, db):
        assert cli("run", "ptengine").code == 0
    assert tables(db, "ptengine") == first
    before = len(api_requests(sim))
    with use(sim, db, end_date=END + timedelta(days=1)):
        result = cli("run", "ptengine")
    assert result.code == 0, result.text
    spent = api_requests(sim)[before:]
    lookback = 2
    per_day_days = lookback + 1  # two days again plus the new one
    assert len(spent) == len(S.SITE_METRICS) + 1 + 1 + 1 + FORM_VERSIONS + \
        PER_DAY_CALLS * per_day_days
    curve = next(r for r in spent if r["body"].get("queryType") == "metric_curve")
    assert curve["body"]["startDate"] == str(END - timedelta(days=lookback - 1))
    assert count(db, "select count(*) from ptengine.site_metrics_daily") == DAYS + 1


def test_plan_prints_exactly_the_calls_run_makes(sim: PtengineSimulator, db: Path) -> None:
    with use(sim, db, plan="growth"):
        planned = cli("plan", "ptengine")
    assert planned.code == 0, planned.text
    assert f"total calls: {FIRST_RUN_CALLS}" in planned.out
    assert "30 requests/minute" in planned.out
    # the growth preset needs no call to learn limits; the experience list is counted
    assert [r["path"] for r in api_requests(sim)] == [S.PATH_EXPERIENCE_LIST]
    with use(sim, db):
        assert cli("run", "ptengine").code == 0
    assert len(api_requests(sim)) == FIRST_RUN_CALLS + 1


def test_faults_give_identical_tables(tmp_path: Path) -> None:
    clean_db, faulty_db = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    with PtengineSimulator(plan="unlimited", today=TODAY) as sim, use(sim, clean_db):
        assert cli("run", "ptengine").code == 0
    faults = "500:0.08,reset:0.04,malformed:0.04,429:0.04,429bare:0.02,slow:0.02"
    with PtengineSimulator(plan="unlimited", today=TODAY, faults=faults, fault_seed=7,
                           slow_seconds=1.5, minute_seconds=0.5) as sim, \
            use(sim, faulty_db, request_timeout=0.5, rate_window_seconds=0.5,
                retry_backoff_seconds=0.05):
        result = cli("run", "ptengine")
        faulted = [r for r in sim.requests if r.get("fault")]
    assert result.code == 0, result.text
    assert len(faulted) > 10
    assert tables(faulty_db, "ptengine") == tables(clean_db, "ptengine")


def test_wrong_key_exits_3_naming_api_key(sim: PtengineSimulator, db: Path) -> None:
    env = ptengine_env(sim, db, start_date=START, end_date=END)
    env["SOURCES__PTENGINE__API_KEY"] = "pt-not-a-real-key"
    result = cli_subprocess("run", "ptengine", env=env)
    assert result.code == 3
    assert "sources.ptengine.api_key" in result.err
    assert "Traceback" not in result.text and "pt-not-a-real-key" not in result.text


@pytest.mark.parametrize("args,key", [
    (["--start-date", "2026-13-01"], "--start-date"),
    (["--start-date", "2026-04-10", "--end-date", "2026-04-01"], "--start-date"),
    (["--resources", "no_such_table"], "sources.ptengine.resources"),
])
def test_bad_input_exits_2_naming_the_key(sim: PtengineSimulator, db: Path, args: list[str],
                                          key: str) -> None:
    with use(sim, db):
        result = cli("run", "ptengine", *args)
    assert result.code == 2, result.text
    assert key in result.err and "fix:" in result.err and "Traceback" not in result.text
    assert len(api_requests(sim)) == 0


def test_bad_config_date_exits_2_without_traceback(sim: PtengineSimulator, db: Path) -> None:
    env = ptengine_env(sim, db, start_date="2026/04/31", end_date=END)
    result = cli_subprocess("run", "ptengine", env=env)
    assert result.code == 2
    assert "sources.ptengine.start_date" in result.err and "Traceback" not in result.text
