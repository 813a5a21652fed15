"""End to end: the real CLI against the Pirsch simulator on loopback, into DuckDB and Postgres.

Given a simulator whose "today" is 2026-05-01 and a 10-day window, when the CLI runs,
then every table equals the simulator's model (paged lists complete, the domain's
timezone used), re-runs change nothing, incremental runs fetch only new days plus the
lookback, a token that dies mid-run is replaced, and bad credentials exit as the
contract says.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulators.pirsch import (
    ACCESS_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_DOMAIN_ID,
    USER_CLIENT_ID,
    USER_CLIENT_SECRET,
    PirschSimulator,
    stats,
)
from sources.pirsch import settings as S
from tests.e2e import api_requests, cli, cli_subprocess, env_vars, query, tables

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
START, END = date(2026, 4, 1), date(2026, 4, 10)
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]
FEW = "visitors_daily,pages_daily,events_daily,event_metadata_daily,conversion_goals"


def pirsch_env(sim: PirschSimulator, db: Path, **extra: Any) -> dict[str, str]:
    env = {"SOURCES__PIRSCH__BASE_URL": sim.url,
           "SOURCES__PIRSCH__CLIENT_ID": DEFAULT_CLIENT_ID,
           "SOURCES__PIRSCH__CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
           "SOURCES__PIRSCH__START_DATE": str(START), "SOURCES__PIRSCH__END_DATE": str(END),
           "SOURCES__PIRSCH__COMMIT_EVERY_SECONDS": "0",
           "DESTINATION__DUCKDB__CREDENTIALS": str(db)}
    env.update({f"SOURCES__PIRSCH__{k.upper()}": str(v) for k, v in extra.items()})
    return env


def use(sim: PirschSimulator, db: Path, **extra: Any) -> AbstractContextManager[None]:
    return env_vars(pirsch_env(sim, db, **extra))


@pytest.fixture
def sim() -> Iterator[PirschSimulator]:
    with PirschSimulator(today=TODAY) as s:
        yield s


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


# --- the model, as the API would answer each table's calls --------------------------------
def expected(sim: PirschSimulator, table: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Rows by primary key, with the API's field names and values."""
    model, domain = sim.model, DEFAULT_DOMAIN_ID
    rows: list[dict[str, Any]] = []
    if table == "conversion_goals":
        items = stats.list_rows("goals", [model.day(domain, END)], {})
        return {(domain, g["page_goal"]["id"]): {**g["page_goal"], "domain_id": domain}
                for g in items}
    endpoint = S.ENDPOINTS[table]
    name = endpoint.path.removeprefix(S.STATS_PREFIX + "/")
    if endpoint.shape == "series":
        for r in stats.series_answer(name, model, domain, DAYS, {}):
            rows.append({**r, "date": date.fromisoformat(r["day"][:10])})
    for day in DAYS if endpoint.shape != "series" else []:
        data = [model.day(domain, day)]
        if endpoint.shape == "object":
            got = [stats.platform_answer(data)]
        elif endpoint.shape == "hours":
            got = stats.hours_answer(data)
        elif endpoint.shape == "goals":
            got = [{"goal_id": g["page_goal"]["id"], **g["stats"]}
                   for g in stats.list_rows(name, data, {})]
        elif endpoint.shape == "event_meta":
            got = [{**r, "meta_key": key}
                   for e in stats.list_rows("events", data, {})
                   for key in e["meta_keys"] or []
                   for r in stats.meta_rows(data, {"event": e["name"], "event_meta_key": key})]
        else:
            got = stats.list_rows(name, data, dict(endpoint.params))
        rows += [{**r, "date": day} for r in got]
    return {(domain, r["date"], *(r.get(k) for k in endpoint.keys)): r for r in rows}


def loaded(fetch: Callable[[str], list[dict[str, Any]]], table: str
           ) -> dict[tuple[Any, ...], dict[str, Any]]:
    if table == "conversion_goals":
        return {(r["domain_id"], r["id"]): r for r in fetch(table)}
    keys = S.ENDPOINTS[table].keys
    return {(r["domain_id"], r["date"], *(r[k] for k in keys)): r for r in fetch(table)}


def assert_matches_model(sim: PirschSimulator, fetch: Callable[[str], list[dict[str, Any]]],
                         table: str) -> None:
    want, got = expected(sim, table), loaded(fetch, table)
    assert set(got) == set(want), table
    columns = S.GOAL_COLUMNS if table == "conversion_goals" else S.ENDPOINTS[table].columns
    for k, row in want.items():
        for column in columns:
            if column in ("def_time", "mod_time"):
                continue
            value = got[k][column]
            value = json.loads(value) if isinstance(value, str) and column == "meta_keys" \
                else value
            assert value == row.get(column), (table, k, column)


def duckdb_rows(db: Path) -> Callable[[str], list[dict[str, Any]]]:
    def fetch(table: str) -> list[dict[str, Any]]:
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        try:
            cur = con.execute(f"select * from pirsch.{table}")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()

    return fetch


# --- scenarios ----------------------------------------------------------------------------
def test_every_table_equals_the_model_and_big_days_are_paged(sim: PirschSimulator,
                                                             db: Path) -> None:
    with use(sim, db):
        result = cli("run", "pirsch")
    assert result.code == 0, result.text
    for table in (*S.ENDPOINTS, "conversion_goals"):
        assert_matches_model(sim, duckdb_rows(db), table)
    assert query(db, "select id, timezone from pirsch.domains") == [
        (DEFAULT_DOMAIN_ID, "Europe/Berlin")]
    big = [d for d in DAYS if len(sim.model.day(DEFAULT_DOMAIN_ID, d).lists["page"]) > 100]
    assert big, "the window needs a day with more than 100 pages"
    requests = api_requests(sim)
    for day in big:
        pages = [r for r in requests if r["path"] == S.ENDPOINTS["pages_daily"].path
                 and r["query"]["from"] == str(day)]
        assert [int(r["query"]["offset"]) for r in pages][:2] == [0, 100]
        assert all(r["query"]["limit"] == "100" and r["query"]["tz"] == "Europe/Berlin"
                   for r in pages)
    # one call for the window per series; the token and domain list once each
    visitor = [r for r in requests if r["path"] == S.ENDPOINTS["visitors_daily"].path]
    assert [(r["query"]["from"], r["query"]["to"]) for r in visitor] == [(str(START), str(END))]
    assert sum(r["path"] == S.PATH_TOKEN for r in requests) == 1
    assert "pages_daily" in result.out and "API requests" in result.out


@pytest.mark.postgres
def test_postgres_holds_the_same_rows(sim: PirschSimulator, db: Path, pg_url: str) -> None:
    import psycopg2

    dataset = f"pirsch_{uuid.uuid4().hex[:8]}"
    url = pg_url.replace("postgres@", "postgres:unused@", 1)  # dlt wants a password field
    with use(sim, db), env_vars({"DESTINATION__POSTGRES__CREDENTIALS": url}):
        result = cli("run", "pirsch", "--destination", "postgres", "--dataset", dataset,
                     "--resources", FEW)
        again = cli("run", "pirsch", "--destination", "postgres", "--dataset", dataset,
                    "--resources", FEW)
    assert result.code == 0 and again.code == 0, result.text + again.text

    def fetch(table: str) -> list[dict[str, Any]]:
        with psycopg2.connect(pg_url) as con, con.cursor() as cur:
            cur.execute(f'select * from "{dataset}"."{table}"')
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    try:
        for table in FEW.split(","):
            assert_matches_model(sim, fetch, table)
    finally:
        with psycopg2.connect(pg_url) as con, con.cursor() as cur:
            cur.execute(f'drop schema if exists "{dataset}" cascade')


def test_rerun_adds_nothing_and_incremental_fetches_new_days_plus_lookback(
        sim: PirschSimulator, db: Path) -> None:
    with use(sim, db, resources=FEW):
        assert cli("run", "pirsch").code == 0
        first = tables(db, "pirsch")
        assert cli("run", "pirsch").code == 0
    assert tables(db, "pirsch") == first
    before = len(api_requests(sim))
    with use(sim, db, resources=FEW, end_date=END + timedelta(days=1)):
        assert cli("run", "pirsch").code == 0
    spent = api_requests(sim)[before:]
    visitor = [r for r in spent if r["path"] == S.ENDPOINTS["visitors_daily"].path]
    assert [(r["query"]["from"], r["query"]["to"]) for r in visitor] == [
        (str(END - timedelta(days=1)), str(END + timedelta(days=1)))]
    page_days = {r["query"]["from"] for r in spent
                 if r["path"] == S.ENDPOINTS["pages_daily"].path}
    assert page_days == {str(END - timedelta(days=1)), str(END), str(END + timedelta(days=1))}
    assert query(db, "select count(*) from pirsch.visitors_daily") == [(len(DAYS) + 1,)]


def test_a_token_that_dies_mid_run_is_replaced(db: Path) -> None:
    with PirschSimulator(today=TODAY, token_requests=15) as sim, use(sim, db, resources=FEW):
        result = cli("run", "pirsch")
        requests = api_requests(sim)
        assert result.code == 0, result.text
        assert sum(r["path"] == S.PATH_TOKEN for r in requests) >= 2
        assert any(r["status"] == 401 for r in requests)
        for table in FEW.split(","):
            assert_matches_model(sim, duckdb_rows(db), table)


def test_faults_give_identical_rows(tmp_path: Path) -> None:
    clean, faulty = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    with PirschSimulator(today=TODAY) as sim, use(sim, clean, resources=FEW):
        assert cli("run", "pirsch").code == 0
    faults = "500:0.08,reset:0.04,malformed:0.04,429:0.04,429bare:0.02,slow:0.02"
    with PirschSimulator(today=TODAY, faults=faults, fault_seed=3, slow_seconds=1.0) as sim, \
            use(sim, faulty, resources=FEW, request_timeout=0.5, retry_backoff_seconds=0.05,
                rate_window_seconds=0.5):
        result = cli("run", "pirsch")
        faulted = [r for r in sim.requests if r.get("fault")]
    assert result.code == 0, result.text
    assert len(faulted) > 10
    assert tables(faulty, "pirsch") == tables(clean, "pirsch")


def test_plan_lists_the_first_call_of_every_day(sim: PirschSimulator, db: Path) -> None:
    with use(sim, db, resources="visitors_daily,pages_daily,domains"):
        planned = cli("plan", "pirsch")
    assert planned.code == 0, planned.text
    assert f"total calls: {1 + len(DAYS) + 1}" in planned.out
    assert "further pages" in planned.out
    assert [r["path"] for r in api_requests(sim)] == [S.PATH_TOKEN, S.PATH_DOMAIN]


def test_wrong_secret_exits_3_naming_the_credentials(sim: PirschSimulator, db: Path) -> None:
    env = pirsch_env(sim, db)
    env["SOURCES__PIRSCH__CLIENT_SECRET"] = "x" * 64
    result = cli_subprocess("run", "pirsch", env=env)
    assert result.code == 3, result.text
    assert "sources.pirsch.client_secret" in result.err
    assert "Traceback" not in result.text and "x" * 64 not in result.text


def test_an_access_key_is_refused_with_exit_2_before_any_request(sim: PirschSimulator,
                                                                 db: Path) -> None:
    env = pirsch_env(sim, db)
    del env["SOURCES__PIRSCH__CLIENT_ID"], env["SOURCES__PIRSCH__CLIENT_SECRET"]
    env["SOURCES__PIRSCH__ACCESS_KEY"] = ACCESS_KEY
    result = cli_subprocess("run", "pirsch", env=env)
    assert result.code == 2, result.text
    assert "sources.pirsch.access_key" in result.err and "write-only" in result.err
    assert ACCESS_KEY not in result.text and api_requests(sim) == []


def test_a_user_client_must_name_its_domain(sim: PirschSimulator, db: Path) -> None:
    user = {"client_id": USER_CLIENT_ID, "client_secret": USER_CLIENT_SECRET}
    with use(sim, db, **user, resources="visitors_daily"):
        result = cli("run", "pirsch")
    assert result.code == 2 and "sources.pirsch.domain_id" in result.err, result.text
    with use(sim, db, **user, resources="visitors_daily", domain_id="M03loiem34"):
        result = cli("run", "pirsch")
    assert result.code == 0, result.text
    visitor = [r for r in api_requests(sim) if r["path"].endswith("/visitor")]
    assert visitor[-1]["query"]["tz"] == "America/New_York"
