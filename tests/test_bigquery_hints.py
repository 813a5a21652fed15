"""BigQuery layout: daily facts partitioned by ``date`` and clustered by the account key.

No BigQuery is reachable from here, so: given each source built against its simulator,
when the hints are applied and the source is extracted into a BigQuery pipeline, then the
dlt schema carries the partition and cluster hints, and dlt's BigQuery client turns them
into ``PARTITION BY`` / ``CLUSTER BY`` in the table DDL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import dlt
import pytest

from pipelines import registry, runner
from sources.common.warehouse_hints import TableLayout, apply_bigquery_hints, layout_for
from tests.e2e import env_vars

PARTITION, CLUSTER = "x-bigquery-partition", "x-bigquery-cluster"


def test_layout_rules() -> None:
    assert layout_for(["profile_id", "segment", "date"]) == TableLayout("date", ("profile_id",))
    assert layout_for(["domain_id", "date", "referrer"]) == TableLayout("date", ("domain_id",))
    assert layout_for(["project_id", "experience_id", "goal_id", "variation_id", "date"]) == \
        TableLayout("date", ("project_id",))
    assert layout_for(["project_id", "id"], {"created_at": {"data_type": "timestamp"}}) == \
        TableLayout("created_at", ("project_id",))
    assert layout_for(["profile_id", "id"], {"name": {"data_type": "text"}}) is None
    assert layout_for(["account_id", "id"], {"created_at": {"data_type": "timestamp"}}) is None


@pytest.fixture
def built(tmp_path: Path) -> Iterator[dict[str, object]]:
    """Every source built against its demo simulator (nothing fetched yet)."""
    with ExitStack() as stack:
        env = {"DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "x.duckdb")}
        for name in registry.source_names():
            env.update(registry.get(name).demo(stack))
        with env_vars(env):
            yield {name: runner.build_source(registry.get(name), runner.RunOptions(source=name),
                                             "hints-test", None)
                   for name in registry.source_names()}


def test_other_destinations_get_no_hints(built: dict[str, object]) -> None:
    for source in built.values():
        assert apply_bigquery_hints(source, "duckdb") == {}
        assert apply_bigquery_hints(source, "postgres") == {}


def test_every_daily_fact_is_partitioned_and_clustered(built: dict[str, object]) -> None:
    accounts = {"ptengine": "profile_id", "pirsch": "domain_id", "convert": "project_id",
                "openpanel": "project_id"}
    for name, source in built.items():
        layouts = apply_bigquery_hints(source, "bigquery")
        daily = [r for r in source.selected_resources if "_daily" in r]  # type: ignore[attr-defined]
        assert daily or name == "openpanel"
        for resource_name in daily:
            assert layouts[resource_name] == TableLayout("date", (accounts[name],)), resource_name
            schema = source.resources[resource_name].compute_table_schema()  # type: ignore[attr-defined]
            assert schema["columns"]["date"][PARTITION] is True
            assert schema["columns"][accounts[name]][CLUSTER] is True
            assert schema["x-bigquery-cluster-columns"] == [accounts[name]]
    assert built["openpanel"].resources["events"].compute_table_schema()[  # type: ignore[attr-defined]
        "columns"]["created_at"][PARTITION] is True


@pytest.mark.slow
def test_extracted_schema_and_bigquery_ddl_carry_the_layout(built: dict[str, object],
                                                            tmp_path: Path) -> None:
    from dlt.common.configuration.specs import GcpServiceAccountCredentials

    source = built["ptengine"]
    apply_bigquery_hints(source, "bigquery")
    source.with_resources("site_metrics_daily", "conversion_goals")  # type: ignore[attr-defined]
    creds = GcpServiceAccountCredentials()
    creds.project_id = "demo-project"
    creds.client_email = "elt@demo-project.iam.gserviceaccount.com"
    creds.private_key = "-----BEGIN PRIVATE KEY-----\nunused\n-----END PRIVATE KEY-----\n"
    pipeline = dlt.pipeline(pipeline_name="bq_hints_test", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.bigquery(credentials=creds),
                            dataset_name="ptengine")
    with env_vars({"SOURCES__PTENGINE__START_DATE": "2026-11-01",
                   "SOURCES__PTENGINE__END_DATE": "2026-11-02"}):
        pipeline.extract(source)
    table = pipeline.default_schema.tables["site_metrics_daily"]
    assert table["columns"]["date"][PARTITION] is True
    assert table["columns"]["profile_id"][CLUSTER] is True
    client = pipeline.destination_client()
    ddl = client._get_table_update_sql(  # type: ignore[attr-defined]
        "site_metrics_daily", list(table["columns"].values()), False)[0]
    assert "PARTITION BY `date`" in ddl and "CLUSTER BY `profile_id`" in ddl
    goals = pipeline.default_schema.tables["conversion_goals"]
    assert not any(PARTITION in c for c in goals["columns"].values())
    assert os.environ.get("DESTINATION__BIGQUERY__CREDENTIALS") is None
