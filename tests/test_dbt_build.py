"""The dbt project builds on the warehouse the demo produces.

Given ``analytics-elt demo`` loaded every source from its simulator into a fresh DuckDB
file, when ``dbt build`` runs with the project's DuckDB profile pointing at that file,
then every staging model builds and every source and model test (keys unique and not
null, relationships) passes, the load tables are fresh, and ``sources.yml`` describes
every table and column the demo loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.e2e import cli, env_vars

pytestmark = pytest.mark.slow

DBT_DIR = Path(__file__).resolve().parents[1] / "sql" / "dbt"
SOURCES = ("ptengine", "pirsch", "convert", "openpanel")


def dbt(*args: str, db: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "DBT_DUCKDB_PATH": str(db), "DBT_TARGET": "duckdb",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run([str(exe), *args, "--profiles-dir", str(DBT_DIR),
                           "--project-dir", str(DBT_DIR), "--target-path", str(tmp / "target"),
                           "--log-path", str(tmp / "logs")],
                          cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600)


def test_dbt_build_passes_on_the_demo_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "analytics.duckdb"
    with env_vars({"DESTINATION__DUCKDB__CREDENTIALS": str(db)}):
        demo = cli("demo")
    assert demo.code == 0, demo.text

    build = dbt("build", db=db, tmp=tmp_path)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    assert "ERROR=0" in build.stdout and "WARN=0" in build.stdout
    fresh = dbt("source", "freshness", db=db, tmp=tmp_path)
    assert fresh.returncode == 0, fresh.stdout[-3000:]

    con = duckdb.connect(str(db), read_only=True)
    try:
        models = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = "
            "'dbt_analytics'").fetchall()}
        assert {"stg_ptengine__site_metrics_daily", "stg_pirsch__visitors_daily",
                "stg_convert__daily_reports", "stg_openpanel__events"} <= models
        visits = con.execute("select sum(visits) from dbt_analytics.stg_ptengine__site_metrics_"
                             "daily").fetchone()[0]
        assert visits == con.execute("select sum(visits) from ptengine.site_metrics_daily"
                                     ).fetchone()[0]
        loaded = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('ptengine', 'pirsch', 'convert', 'openpanel') and "
            "table_name not like '\\_dlt%' escape '\\' and "
            "column_name not like '\\_dlt%' escape '\\'").fetchall()
    finally:
        con.close()
    documented = yaml.safe_load((DBT_DIR / "models" / "sources.yml").read_text())
    described = {(s["name"], t["name"], c["name"]) for s in documented["sources"]
                 for t in s["tables"] for c in t.get("columns", []) if c.get("description")}
    missing = sorted(set(loaded) - described)
    assert not missing, f"run sql/dbt/generate_sources.py: undocumented {missing[:10]}"
