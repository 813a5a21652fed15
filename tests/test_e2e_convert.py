"""End to end: the real CLI against the Convert simulator on loopback, into DuckDB and Postgres.

Given a simulator whose "today" is 2026-05-01 and the window April 2026, when the CLI
runs, then every page of experiences and goals is loaded, the daily reports hold the
simulator's numbers and add up to the aggregated reports, re-runs change nothing,
incremental runs fetch only the new day plus the lookback, faults change no row, and a
wrong secret exits 3 without printing it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest

from simulators.convert import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_APPLICATION_ID,
    DEFAULT_APPLICATION_SECRET,
    ConvertSimulator,
)
from sources.convert.planner import day_start
from tests.e2e import (
    api_requests,
    cli,
    cli_subprocess,
    count,
    env_vars,
    logical_requests,
    query,
    tables,
)

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
START, END = date(2026, 4, 1), date(2026, 4, 30)


def convert_env(sim: ConvertSimulator, db: Path, **extra: object) -> dict[str, str]:
    values = {"base_url": sim.api_url, "application_id": DEFAULT_APPLICATION_ID,
              "application_secret": DEFAULT_APPLICATION_SECRET,
              "account_id": DEFAULT_ACCOUNT_ID, "start_date": START, "end_date": END,
              "rpm": 60_000, **extra}
    env = {f"SOURCES__CONVERT__{k.upper()}": str(v) for k, v in values.items()}
    env["DESTINATION__DUCKDB__CREDENTIALS"] = str(db)
    return env


def use(sim: ConvertSimulator, db: Path, **extra: object) -> AbstractContextManager[None]:
    return env_vars(convert_env(sim, db, **extra))


@pytest.fixture
def sim() -> Iterator[ConvertSimulator]:
    with ConvertSimulator(today=TODAY) as s:
        yield s


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_first_run_loads_every_page_and_the_models_numbers(sim: ConvertSimulator,
                                                           db: Path) -> None:
    with use(sim, db):
        result = cli("run", "convert")
    assert result.code == 0, result.text
    model = sim.model
    everything = [e for items in model.experiences.values() for e in items]
    assert count(db, "select count(*) from convert.projects") == 3  # fullstack included
    assert count(db, "select count(*) from convert.experiences") == len(everything) == 178
    assert count(db, "select count(*) from convert.goals") == 83
    assert count(db, "select count(*) from convert.experiences__variations") == \
        sum(len(e.variations) for e in everything)
    listing = [r for r in api_requests(sim) if r["path"].endswith(("/experiences", "/goals"))]
    assert sorted(r["body"]["page"] for r in listing if r["path"].endswith("/goals")) == \
        [1, 1, 1, 2]
    # daily rows equal the model for sampled keys (utc_offset 0: UTC days)
    rows = query(db, "select experience_id, goal_id, variation_id, date, visitors, "
                     "conversions from convert.experience_daily_reports "
                     "order by hash(experience_id, goal_id, variation_id, date) limit 40")
    assert len(rows) == 40
    for exp_id, goal, var_id, day, visitors, conversions in rows:
        exp = next(e for e in everything if e.id == exp_id)
        k = next(i for i, v in enumerate(exp.variations) if v.id == var_id)
        bounds = (day_start(day, 0), day_start(day + timedelta(days=1), 0))
        assert visitors == model.count(exp, k, None, *bounds)
        assert conversions == model.count(exp, k, goal, *bounds)
    # for experiences that started inside the window, the days add up to the aggregate
    started = [e.id for e in everything if e.start_time >= day_start(START, 0)]
    sums = query(db, f"""
        select a.experience_id, a.goal_id, a.variation_id, a.visitors, a.conversions,
               sum(d.visitors), sum(d.conversions)
        from convert.experience_aggregated_reports a
        join convert.experience_daily_reports d using (experience_id, goal_id, variation_id)
        where a.experience_id in ({','.join(map(str, started))})
        group by all""")
    assert len(sums) > 10
    assert all(r[3] == r[5] and r[4] == r[6] for r in sums), sums
    assert count(db, "select count(*) from convert.experience_change_history") > 0
    assert "experience_daily_reports" in result.out and "API requests" in result.out


def test_plan_prints_exactly_the_calls_run_makes(sim: ConvertSimulator, db: Path) -> None:
    with use(sim, db):
        planned = cli("plan", "convert")
    assert planned.code == 0, planned.text
    total = int(re.search(r"total calls: (\d+)", planned.out).group(1))
    listing = len(api_requests(sim))
    with use(sim, db):
        assert cli("run", "convert").code == 0
    made = logical_requests(sim, since=listing)
    retried = len(api_requests(sim)) - listing - len(made)
    assert len(made) == total, f"{len(made)} calls made, {total} planned ({retried} retries)"


def test_rerun_changes_nothing_and_incremental_fetches_new_day_plus_lookback(
        sim: ConvertSimulator, db: Path) -> None:
    with use(sim, db):
        assert cli("run", "convert").code == 0
    first = tables(db, "convert")
    with use(sim, db):
        assert cli("run", "convert").code == 0
    assert tables(db, "convert") == first
    before = len(api_requests(sim))
    with use(sim, db, end_date=END + timedelta(days=1)):
        assert cli("run", "convert").code == 0
    daily = [r for r in api_requests(sim)[before:] if r["path"].endswith("/daily_report")]
    assert daily and min(r["body"]["start_time"] for r in daily) == day_start(END - timedelta(
        days=1), 0)  # lookback 2: Apr 29 (cursor) - 1 … May 1
    assert count(db, "select max(date) from convert.experience_daily_reports") == \
        END + timedelta(days=1)
    assert count(db, "select count(*) from (select project_id, experience_id, goal_id, "
                     "variation_id, date from convert.experience_daily_reports group by all "
                     "having count(*) > 1)") == 0


def test_faults_give_identical_rows(tmp_path: Path) -> None:
    clean_db, faulty_db = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    with ConvertSimulator(today=TODAY) as sim, use(sim, clean_db):
        assert cli("run", "convert").code == 0
    faults = "500:0.04,reset:0.02,malformed:0.02,429:0.03,429bare:0.03,slow:0.01"
    # a separate dlt working dir: the same pipeline name must not inherit the clean cursors
    with ConvertSimulator(today=TODAY, faults=faults, fault_seed=3, slow_seconds=1.5) as sim, \
            use(sim, faulty_db, request_timeout=0.5, throttle_wait_seconds=0.5), \
            env_vars({"DLT_DATA_DIR": str(tmp_path / "dlt-faulty")}):
        result = cli("run", "convert")
        faulted = [r for r in sim.requests if r.get("fault")]
    assert result.code == 0, result.text
    assert {r["fault"] for r in faulted} >= {"500", "429", "429bare"}
    assert tables(faulty_db, "convert") == tables(clean_db, "convert")


def test_wrong_secret_exits_3_without_printing_it(sim: ConvertSimulator, db: Path) -> None:
    env = convert_env(sim, db, application_secret="wrong-secret-9f8e7d6c5b4a")
    result = cli_subprocess("run", "convert", env=env)
    assert result.code == 3, result.text
    assert "sources.convert.application_secret" in result.err
    assert "wrong-secret-9f8e7d6c5b4a" not in result.text and "Traceback" not in result.text
    assert all(r["status"] == 401 for r in api_requests(sim))


def test_bad_configuration_exits_2_before_any_request(sim: ConvertSimulator, db: Path) -> None:
    with use(sim, db, utc_offset=90000):
        result = cli("run", "convert")
    assert result.code == 2 and "sources.convert.utc_offset" in result.err
    assert api_requests(sim) == []


@pytest.mark.postgres
def test_postgres_holds_the_same_rows(sim: ConvertSimulator, db: Path, pg_url: str) -> None:
    dataset = f"convert_e2e_{uuid.uuid4().hex[:8]}"
    env = convert_env(sim, db, end_date=START + timedelta(days=6))
    # dlt requires a password field; the test server trusts loopback, so any will do
    env["DESTINATION__POSTGRES__CREDENTIALS"] = re.sub(r"//([^:@/]+)@", r"//\1:unused@",
                                                       pg_url)
    with env_vars(env):
        assert cli("run", "convert", "--destination", "postgres", "--dataset", dataset).code == 0
        assert cli("run", "convert", "--destination", "postgres", "--dataset", dataset).code == 0
        assert cli("run", "convert").code == 0  # the same window into DuckDB
    con = psycopg2.connect(pg_url)
    try:
        with con.cursor() as cur:
            cur.execute(f"select count(*), sum(visitors), sum(conversions) from {dataset}."
                        "experience_daily_reports")
            pg = cur.fetchone()
            cur.execute("select data_type from information_schema.columns where table_schema"
                        f" = '{dataset}' and table_name = 'experiences' and column_name = "
                        "'start_time'")
            assert cur.fetchone()[0] == "timestamp with time zone"
            cur.execute(f"drop schema {dataset} cascade")
        con.commit()
    finally:
        con.close()
    duck = query(db, "select count(*), sum(visitors), sum(conversions) "
                     "from convert.experience_daily_reports")[0]
    assert pg[0] > 0 and tuple(int(v) for v in pg) == tuple(int(v) for v in duck)
