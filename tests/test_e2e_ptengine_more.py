"""End to end, continued: opt-in families and segments, Postgres, kill and resume, plan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from simulators.ptengine import DEFAULT_PROFILE_ID, PtengineSimulator
from tests.e2e import (
    ROOT,
    api_requests,
    cli,
    count,
    env_vars,
    normalised,
    pg_tables,
    ptengine_env,
    query,
    tables,
)

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
START, END = date(2026, 4, 1), date(2026, 4, 30)
OPT_IN = ("site_metrics_daily,site_metrics_hourly,traffic_by_country_daily,"
          "overview_sources_daily,overview_location_daily,overview_device_daily,events_daily,"
          "event_breakdown_purchase_by_country_daily,event_fields,conversion_goals,"
          "conversion_summary_daily,conversion_goals_daily,conversion_sources_daily,"
          "conversion_ad_names_daily,conversion_ad_sources_daily,"
          "conversion_funnel_steps_daily,metric_definitions")


def json_normal(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """JSON columns (form fields, property sources) as canonical text: DuckDB returns
    text, Postgres decoded objects."""
    def fix(v: Any) -> Any:
        if isinstance(v, str) and v[:1] in ("[", "{"):
            v = json.loads(v)
        return json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v
    return {t: sorted((tuple(fix(v) for v in row) for row in rows), key=repr)
            for t, rows in snapshot.items()}


@pytest.fixture
def sim() -> Iterator[PtengineSimulator]:
    with PtengineSimulator(plan="unlimited", today=TODAY) as s:
        yield s


def test_every_family_with_a_segment_and_a_breakdown(sim: PtengineSimulator,
                                                     tmp_path: Path) -> None:
    db = tmp_path / "all.duckdb"
    env = ptengine_env(
        sim, db, start_date="2026-04-28", end_date="2026-04-30", hourly="true",
        funnel_goals='["ptmind signup"]',
        segments='{"mobile": [{"name": "deviceType", "op": "include", "value": ["Mobile"]}]}',
        event_breakdowns='[{"name": "purchase_by_country", "event_names": ["purchase"], '
                         '"dimensions": ["country"]}]')
    with env_vars(env):
        result = cli("run", "ptengine", "--resources", OPT_IN)
    assert result.code == 0, result.text
    days = [date(2026, 4, 28), date(2026, 4, 29), date(2026, 4, 30)]
    for day in days:
        visits = sim.model.day(DEFAULT_PROFILE_ID, day)["visits"]
        # hours, overview sources and countries all add up to the day's visits
        assert count(db, f"select sum(visits) from ptengine.site_metrics_hourly where "
                         f"date = '{day}' and segment = 'all'") == visits
        assert count(db, f"select sum(visits) from ptengine.overview_sources_daily where "
                         f"date = '{day}' and segment = 'all'") == visits
        assert count(db, f"select sum(visits) from ptengine.traffic_by_country_daily where "
                         f"date = '{day}' and segment = 'all'") == visits
        mobile = count(db, f"select visits from ptengine.site_metrics_daily where "
                           f"date = '{day}' and segment = 'mobile'")
        assert 0 < mobile < visits
    assert count(db, "select count(distinct hour) from ptengine.site_metrics_hourly") == 24
    assert count(db, "select count(*) from ptengine.overview_device_daily__os_version") > 0
    assert count(db, "select count(*) from ptengine.conversion_funnel_steps_daily where "
                     "conversion_to_next_rate is null") == 2 * len(days)  # last step, 2 segments
    assert count(db, "select count(*) from ptengine.conversion_funnel_steps_daily__dropoff_paths"
                 ) > 0
    assert count(db, "select count(distinct country) from "
                     "ptengine.event_breakdown_purchase_by_country_daily") > 1
    assert count(db, "select count(*) from ptengine.event_breakdown_purchase_by_country_daily "
                     "where event_name <> 'purchase'") == 0
    summary = query(db, "select conversion_value, revenue, loss from "
                        "ptengine.conversion_summary_daily where segment = 'all'")
    assert all(v == r + loss for v, r, loss in summary)
    assert count(db, "select count(*) from ptengine.event_fields") > 10
    assert count(db, "select count(*) from ptengine.metric_definitions where family = "
                     "'datacenter' and label is not null") >= 7
    # one call per metric for the range, one per day for per-day families, per segment
    calls = api_requests(sim)
    curves = [c for c in calls if (c["body"] or {}).get("granularity") == "day"]
    assert len(curves) == 13 * 2


def test_postgres_gets_the_same_rows_as_duckdb(sim: PtengineSimulator, tmp_path: Path,
                                              pg_url: str) -> None:
    db = tmp_path / "same.duckdb"
    dataset = f"ptengine_e2e_{os.getpid()}_{int(time.time())}"
    env = ptengine_env(sim, db, start_date="2026-04-21", end_date=END)
    env["DESTINATION__POSTGRES__CREDENTIALS"] = pg_url
    with env_vars(env):
        assert cli("run", "ptengine").code == 0
        result = cli("run", "ptengine", "--destination", "postgres", "--dataset", dataset)
        assert result.code == 0, result.text
        # a re-run into Postgres changes nothing
        assert cli("run", "ptengine", "--destination", "postgres", "--dataset", dataset).code == 0
    assert json_normal(pg_tables(pg_url, dataset)) == json_normal(normalised(tables(db,
                                                                                "ptengine")))


def test_killed_run_resumes_with_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    full_db, db = tmp_path / "full.duckdb", tmp_path / "killed.duckdb"
    with PtengineSimulator(plan="unlimited", today=TODAY) as sim, \
            env_vars(ptengine_env(sim, full_db, start_date=START, end_date=END)):
        assert cli("run", "ptengine").code == 0
    # 11 requests per day at 600 per minute: a day takes about a second, each is a step
    with PtengineSimulator(plan="growth", rpm=600, rpd=100_000, today=TODAY,
                           minute_seconds=60) as sim:
        env = {**os.environ, **ptengine_env(sim, db, start_date=START, end_date=END,
                                            commit_every_seconds=0),
               "DLT_DATA_DIR": str(tmp_path / "dlt")}
        proc = subprocess.Popen([sys.executable, "-m", "pipelines", "run", "ptengine"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        steps = 0
        assert proc.stderr is not None
        for line in proc.stderr:
            if "committed" in line:
                steps += 1
            if steps == 5:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        before = len(api_requests(sim))
        with env_vars({**ptengine_env(sim, db, start_date=START, end_date=END),
                       "DLT_DATA_DIR": str(tmp_path / "dlt")}):
            result = cli("run", "ptengine")
        assert result.code == 0, result.text
        assert "interrupted earlier run" in result.err
        resumed = len(api_requests(sim)) - before
    # the resumed run did not start over: it fetched less than a whole first run
    assert resumed < 351 - 4 * 11
    assert tables(db, "ptengine") == tables(full_db, "ptengine")


def test_plan_says_how_many_days_a_backfill_needs(sim: PtengineSimulator,
                                                   tmp_path: Path) -> None:
    db = tmp_path / "plan.duckdb"
    env = ptengine_env(sim, db, plan="free")
    with env_vars(env):
        result = cli("plan", "ptengine", "--start-date", "2026-01-01", "--end-date", "2026-03-31",
                     "--brief")
    assert result.code == 0, result.text
    total = 13 + 1 + 1 + 1 + 5 + (8 + 3) * 90  # three experiences' key metrics per day
    assert f"total calls: {total}" in result.out
    assert "3 requests/minute" in result.out
    days = 1 + -(-(total - 100) // 100)
    assert f"need {days} days" in result.out
    assert len(api_requests(sim)) == 1  # the experience list


def test_a_second_concurrent_run_refuses(tmp_path: Path) -> None:
    db = tmp_path / "locked.duckdb"
    with PtengineSimulator(plan="growth", rpm=120, rpd=100_000, today=TODAY) as sim:
        env = {**os.environ, **ptengine_env(sim, db, start_date=START, end_date=END,
                                            commit_every_seconds=0),
               "DLT_DATA_DIR": str(tmp_path / "dlt")}
        first = subprocess.Popen([sys.executable, "-m", "pipelines", "run", "ptengine"], cwd=ROOT,
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        assert first.stderr is not None
        for line in first.stderr:  # the first run is extracting (it holds the lock)
            if "committed" in line:
                break
        second = subprocess.run([sys.executable, "-m", "pipelines", "run", "ptengine"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        first.kill()
        first.wait(timeout=30)
    assert second.returncode == 1
    assert "another run of pipeline" in second.stderr and "in progress" in second.stderr
    assert "Traceback" not in second.stderr
