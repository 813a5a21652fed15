"""`make demo`'s command: every source loads from its simulator and the listing works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import ROOT, cli, env_vars, query

pytestmark = pytest.mark.slow


def test_demo_loads_every_source_and_lists_the_tables(tmp_path: Path) -> None:
    db = tmp_path / "analytics.duckdb"
    with env_vars({"DESTINATION__DUCKDB__CREDENTIALS": str(db)}):
        result = cli("demo")
    assert result.code == 0, result.text
    assert "demo done" in result.out
    counts = dict(query(db, "select table_schema, count(*) from information_schema.tables "
                            "where table_schema in ('ptengine', 'pirsch', 'convert', 'openpanel')"
                            " group by 1"))
    assert set(counts) == {"ptengine", "pirsch", "convert", "openpanel"}
    for table in ("ptengine.site_metrics_daily", "ptengine.page_metrics_daily",
                  "ptengine.experience_metrics_daily", "pirsch.visitors_daily",
                  "convert.experience_daily_reports", "openpanel.events"):
        assert query(db, f"select count(*) from {table}")[0][0] > 0, table
    listing = subprocess.run([sys.executable, "scripts/show_tables.py", str(db)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert "ptengine.site_metrics_daily" in listing.stdout
    assert "_staging" not in listing.stdout
