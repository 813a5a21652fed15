"""End to end: heatmap pages and Experience reports through the CLI, DuckDB and Postgres.

Given the simulator (today 2026-05-01) and three days of April, when the CLI loads every
heatmap and experience table, then the rows are typed and consistent, re-runs change
nothing, an incremental run adds only the new day (plus lookback) without duplicates,
Postgres holds the same rows, an unscanned page and a deleted experience are skipped
with a warning while the run goes on, and blocks on ``ALL`` exit 2 before any request.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from simulators.ptengine import PtengineSimulator
from sources.common.errors import ConfigurationError
from sources.ptengine import config_from_args
from sources.ptengine import experience_plan as xp
from sources.ptengine import settings as S
from tests.e2e import (
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
from tests.test_e2e_ptengine_more import json_normal as _json_normal

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
HOME, PRICING, BLOG = ("https://example.com/", "https://example.com/pricing",
                       "https://example.com/blog")
SPRING = "6c3bad4b-d953-4088-9fcd-d8cbd976b3a2"
REPORTS = ("experiences,user_properties,experience_overview,experience_metrics_daily,"
           "experience_insights_daily,experience_abtest_daily,experience_abtest_insights_daily,"
           "experience_form_submissions,page_metrics_daily,page_insights_daily,"
           "page_blocks_daily,page_elements_daily,metric_definitions")
CONFIG = {
    "pages": json.dumps([HOME, PRICING, BLOG]), "device_types": '["PC", "MOBILE"]',
    "page_insights": '["terminalType"]', "page_conversion_names": '["Purchase complete"]',
    "experience_dimensions": json.dumps(
        ["terminalType", {"dimension": "userProperty", "property": "plan_name"}]),
    "abtest_compare_by": '["goalReached", "clickedUsers"]',
    "abtest_dimensions": '["visitType"]',
}


@pytest.fixture
def sim() -> Iterator[PtengineSimulator]:
    with PtengineSimulator(plan="unlimited", today=TODAY) as s:
        yield s


def test_every_report_table_rerun_incremental_and_postgres(sim: PtengineSimulator,
                                                           tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "reports.duckdb"
    env = ptengine_env(sim, db, start_date="2026-04-28", end_date="2026-04-30", **CONFIG)
    with env_vars(env):
        result = cli("run", "ptengine", "--resources", REPORTS)
    assert result.code == 0, result.text
    for table in REPORTS.split(","):
        assert count(db, f"select count(*) from ptengine.{table}") > 0, table
    # unscanned pages: skipped with a warning naming the page, the run goes on
    assert f"page {BLOG} (PC) skipped" in result.out and "4008" in result.out
    assert f"page {PRICING} (MOBILE) skipped" in result.out and "4016" in result.out
    assert count(db, f"select count(*) from ptengine.page_blocks_daily where url = '{BLOG}'") == 0
    # per-device segment details add up to the key metrics' viewers
    assert query(db, """select m.date, m.experience_id, m.viewed_users, sum(i.viewed_users)
        from ptengine.experience_metrics_daily m join ptengine.experience_insights_daily i
        using (experience_id, date) where i.dimension = 'terminalType'
        group by 1, 2, 3 having m.viewed_users <> sum(i.viewed_users)""") == []
    # inline experiences have no click metrics; baselines have no uplift or probability
    assert count(db, "select count(*) from ptengine.experience_metrics_daily where "
                     "experience_name = 'Hero Inline Banner' and clicked_users is not null") == 0
    assert count(db, "select count(*) from ptengine.experience_abtest_daily where is_baseline "
                     "and (uplift is not null or probability_to_be_best is not null)") == 0
    assert count(db, "select count(*) from ptengine.experience_abtest_daily where not "
                     "is_baseline and compare_by = 'goalReached' and uplift is null") == 0
    assert count(db, "select count(*) from ptengine.experience_form_submissions where "
                     "submitted_at is null or submitted_date not between '2026-04-28' and "
                     "'2026-04-30'") == 0
    assert count(db, "select count(*) from ptengine.page_metrics_daily__conversions") > 0
    first = tables(db, "ptengine")
    # Postgres gets the same rows
    dataset = f"ptengine_rep_{os.getpid()}_{int(time.time())}"
    with env_vars({**env, "DESTINATION__POSTGRES__CREDENTIALS": pg_url}):
        pg = cli("run", "ptengine", "--resources", REPORTS, "--destination", "postgres",
                 "--dataset", dataset)
    assert pg.code == 0, pg.text
    assert _json_normal(pg_tables(pg_url, dataset)) == _json_normal(normalised(first))
    # a re-run changes nothing
    with env_vars(env):
        assert cli("run", "ptengine", "--resources", REPORTS).code == 0
    assert tables(db, "ptengine") == first
    # an incremental run: the new day plus the two lookback days, no duplicates
    before = len(api_requests(sim))
    with env_vars({**env, "SOURCES__PTENGINE__END_DATE": "2026-05-01"}):
        assert cli("run", "ptengine", "--resources", REPORTS).code == 0
    spent = api_requests(sim)[before:]
    forms = [r["body"] for r in spent if r["path"] == S.PATH_EXPERIENCE_FORM]
    assert {(b["startDate"], b["endDate"]) for b in forms} == {("2026-04-29", "2026-05-01")}
    metric_days = {r["body"]["startDate"] for r in spent if r["path"] == S.PATH_EXPERIENCE_METRICS}
    assert metric_days == {"2026-04-29", "2026-04-30", "2026-05-01"}
    for table, key in (("experience_metrics_daily", "experience_id, date"),
                       ("experience_form_submissions", "submission_key"),
                       ("page_metrics_daily", "url, device_type, date"),
                       ("experience_abtest_daily", "experience_id, date, compare_by, goal_id, "
                                                   "version_name")):
        assert query(db, f"select {key}, count(*) from ptengine.{table} group by all "
                         "having count(*) > 1") == [], table
    assert count(db, "select count(distinct date) from ptengine.experience_metrics_daily") == 4


def test_plan_counts_experiences_and_a_deleted_experience_is_skipped(sim: PtengineSimulator,
                                                                      tmp_path: Path) -> None:
    db = tmp_path / "deleted.duckdb"
    env = ptengine_env(sim, db, start_date="2026-04-29", end_date="2026-04-30",
                       abtest_compare_by='["goalReached"]')
    selection = ("experiences,experience_metrics_daily,experience_abtest_daily,"
                 "experience_form_submissions")
    with env_vars(env):
        planned = cli("plan", "ptengine", "--resources", selection, "--brief")
        made = len(api_requests(sim))
        result = cli("run", "ptengine", "--resources", selection)
    assert result.code == 0, result.text
    # 3 experiences x 2 days of key metrics; 5 goals x 2 days of A/B; 5 versions; the list
    assert "total calls: 22" in planned.out, planned.out
    assert len(api_requests(sim)) - made == 22
    sim.experiences.delete(SPRING)
    with env_vars({**env, "SOURCES__PTENGINE__END_DATE": "2026-05-01"}):
        result = cli("run", "ptengine", "--resources", selection)
    assert result.code == 0, result.text
    assert "'Spring Promo Popup' (" + SPRING + ") skipped for this run: 4040" in result.out
    not_found = [r for r in api_requests(sim) if r["code"] == 4040]
    assert len(not_found) == 1  # once, then every table skips it for the rest of the run
    rows = query(db, "select experience_id, count(*) from ptengine.experience_metrics_daily "
                     "where date = '2026-05-01' group by 1")
    assert len(rows) == 2 and SPRING not in dict(rows)


def test_blocks_on_all_devices_exit_2_before_any_request(sim: PtengineSimulator,
                                                         tmp_path: Path) -> None:
    env = ptengine_env(sim, tmp_path / "bad.duckdb", pages=json.dumps([HOME]),
                       device_types='["ALL", "PC"]')
    with env_vars(env):
        for command in ("run", "plan"):
            result = cli(command, "ptengine", "--resources", "page_blocks_daily")
            assert result.code == 2, result.text
            assert "sources.ptengine.device_types" in result.err and "'ALL'" in result.err
            assert "fix:" in result.err
    assert api_requests(sim) == []


@pytest.mark.parametrize("extra,key", [
    ({"experience_dimensions": [{"dimension": "country", "sub_dimension": "region"}]},
     "experience_dimensions[0]"),
    ({"abtest_compare_by": ["conversions"]}, "abtest_compare_by"),
    ({"resources": ["page_insights_daily"], "pages": [HOME]}, "page_insights"),
    ({"resources": ["page_metrics_daily"]}, "pages"),
    ({"device_types": ["DESKTOP"]}, "device_types"),
    ({"experience_statuses": ["FINISHED"]}, "experience_statuses"),
])
def test_report_configuration_errors_name_the_key(extra: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        config_from_args(api_key="k", profile_id="566d12f9", **extra)
    assert f"sources.ptengine.{key}" in str(err.value)


def test_selection_keeps_recently_finished_experiences_for_the_lookback() -> None:
    cfg = config_from_args(api_key="k", profile_id="566d12f9",
                     start_date="2026-04-01", end_date="2026-04-30")
    running = {"id": "a", "status": "RUNNING", "type": "POPUP", "goals": [], "versions": []}
    draft = {"id": "b", "status": "DRAFT", "type": "INLINE", "goals": [], "versions": []}
    seen = xp.update_seen(cfg, [running, draft], None)
    assert set(seen) == {"a"}
    assert [e["id"] for e in xp.select(cfg, [running, draft], seen)] == ["a"]
    later = config_from_args(api_key="k", profile_id="566d12f9",
                     start_date="2026-04-01", end_date="2026-05-02")
    assert [e["id"] for e in xp.select(later, [draft], seen)] == ["a"]  # gone 2 days ago
    much_later = config_from_args(api_key="k", profile_id="566d12f9",
                     start_date="2026-04-01", end_date="2026-05-03")
    assert xp.select(much_later, [draft], seen) == []
    assert xp.update_seen(much_later, [draft], seen) == {}
    by_id = config_from_args(api_key="k", profile_id="566d12f9", experience_ids=["zz"])
    assert xp.select(by_id, [running], None)[0]["id"] == "zz"
