"""Crash suite: a Ptengine backfill killed with SIGKILL at three points, then resumed.

Given a paced simulator (so every day is its own committed step), when the same backfill
is killed three times at different steps and then run to the end, then the tables equal
an uninterrupted run's and the extra requests stay within one day's per-day calls per
kill (the day in flight is all a kill may lose).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from simulators.ptengine import PtengineSimulator
from tests.e2e import ROOT, api_requests, cli, env_vars, ptengine_env, tables

pytestmark = pytest.mark.slow

TODAY = date(2026, 5, 1)
WINDOW = {"start_date": "2026-04-01", "end_date": "2026-04-30"}


def run_until_killed(env: dict[str, str], after_steps: int) -> int:
    """Start a run, SIGKILL it once it has committed ``after_steps`` steps; returns them."""
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "run", "ptengine"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    steps = 0
    for line in proc.stderr:
        if "committed" in line:
            steps += 1
            if steps == after_steps:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    return steps


def per_day_calls(requests: list[dict]) -> int:
    """The most calls any single day took (one-day requests: startDate == endDate)."""
    days = Counter(r["body"]["startDate"] for r in requests
                   if isinstance(r.get("body"), dict) and r["body"].get("startDate")
                   and r["body"].get("startDate") == r["body"].get("endDate"))
    return max(days.values())


def test_three_kills_then_resume_equal_an_uninterrupted_run(tmp_path: Path) -> None:
    full_db, db = tmp_path / "full.duckdb", tmp_path / "killed.duckdb"
    with PtengineSimulator(plan="unlimited", today=TODAY) as sim, \
            env_vars({**ptengine_env(sim, full_db, **WINDOW),
                      "DLT_DATA_DIR": str(tmp_path / "dlt-full")}):
        assert cli("run", "ptengine").code == 0
        uninterrupted = len(api_requests(sim))
        one_day = per_day_calls(api_requests(sim))
    # paced so that each day takes ~1 s and is its own committed step
    with PtengineSimulator(plan="growth", rpm=600, rpd=100_000, today=TODAY) as sim:
        env = {**os.environ, **ptengine_env(sim, db, commit_every_seconds=0, **WINDOW),
               "DLT_DATA_DIR": str(tmp_path / "dlt")}
        for after in (2, 5, 3):  # three kills at different points of the backfill
            run_until_killed(env, after)
        final = subprocess.run([sys.executable, "-m", "pipelines", "run", "ptengine"],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-2000:]
        assert "interrupted earlier run" in final.stderr
        spent = len(api_requests(sim))
    assert tables(db, "ptengine") == tables(full_db, "ptengine")
    extra = spent - uninterrupted
    print(f"uninterrupted {uninterrupted}, with three kills {spent}, extra {extra}, "
          f"one day {one_day}")
    assert 0 <= extra <= 3 * one_day, (spent, uninterrupted, one_day)
