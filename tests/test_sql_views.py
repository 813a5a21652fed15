"""The analyst views as text: every view parses in BigQuery's dialect, renders for each
destination, reads the tables the contract names, and is rewritten for ``--dataset``."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from pipelines import sql_apply

VIEWS = sql_apply.load_views()
NAMES = [v.name for v in VIEWS]


def test_the_issue_s_views_exist_in_order() -> None:
    assert {"ptengine_daily_traffic", "ptengine_top_entry_pages", "ptengine_conversion_funnel",
            "ptengine_experiment_results", "pirsch_daily_traffic", "pirsch_top_referrers",
            "openpanel_daily_events", "convert_experiment_results", "daily_visitors",
            "experiments"} <= set(NAMES)
    # cross-source views read the per-source views, so they come last
    assert NAMES[-2:] == ["daily_visitors", "experiments"]
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("view", VIEWS, ids=NAMES)
def test_every_view_parses_in_bigquery_dialect(view: sql_apply.View) -> None:
    tree = sqlglot.parse_one(view.sql, read="bigquery")
    assert isinstance(tree, exp.Query)
    rendered = sql_apply.render(view, "bigquery", project="my-project")
    again = sqlglot.parse_one(rendered, read="bigquery")
    tables = {(t.catalog, t.db) for t in again.find_all(exp.Table) if t.db}
    assert tables and all(catalog == "my-project" for catalog, _ in tables)
    assert view.description, "each view starts with a comment saying what it answers"


@pytest.mark.parametrize("view", VIEWS, ids=NAMES)
def test_every_view_reads_only_source_datasets_or_analytics(view: sql_apply.View) -> None:
    schemas = {db for db, _ in view.requires}
    assert schemas and schemas <= {"ptengine", "pirsch", "convert", "openpanel", "analytics"}
    if view.folder != "cross":
        assert schemas <= {view.folder}


def test_dataset_overrides_and_target_schema_are_rewritten() -> None:
    view = next(v for v in VIEWS if v.name == "daily_visitors")
    sql = sql_apply.render(view, "postgres", schema="views_x", datasets={"ptengine": "pt"})
    # cross-source views inline the per-source views they read (no view-on-view dependency)
    assert "pt.site_metrics_daily" in sql and "analytics." not in sql
    stmts = sql_apply.create_statements(view, "postgres", schema="views_x")
    assert stmts[0] == 'DROP VIEW IF EXISTS "views_x"."daily_visitors" CASCADE'
    assert stmts[1].startswith('CREATE VIEW "views_x"."daily_visitors" AS')
    bq = sql_apply.create_statements(view, "bigquery", project="p")[0]
    assert bq.startswith("CREATE OR REPLACE VIEW `p.analytics.daily_visitors` AS")


def test_missing_tables_are_named() -> None:
    view = next(v for v in VIEWS if v.name == "pirsch_daily_traffic")
    assert sql_apply.missing_tables(view, {("pirsch", "visitors_daily")}) == [
        "pirsch.session_duration_daily"]
    loaded = {("p2", "visitors_daily"), ("p2", "session_duration_daily")}
    assert sql_apply.missing_tables(view, loaded, datasets={"pirsch": "p2"}) == []


def test_a_bad_dataset_pair_exits_2() -> None:
    from sources.common.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="SOURCE=DATASET"):
        sql_apply._dataset_map(["ptengine"])
