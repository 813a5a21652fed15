"""Quota suite: a Ptengine backfill larger than the daily quota, over simulated days.

Given a simulator whose daily quota is a third of what a 30-day backfill needs, when the
CLI runs once per simulated day (the simulator's day rolls over between runs), then every
run but the last exits 4 having spent the whole day's quota (minus the reserve a
``daily_budget`` keeps), says when the quota resets and how many days remain, the
backfill completes on the day ``plan`` predicted, no request is spent twice, and the
tables equal an unlimited run's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from simulators.ptengine import PtengineSimulator
from tests.e2e import api_requests, cli, tables
from tests.test_e2e_ptengine import FIRST_RUN_CALLS, TODAY, use

pytestmark = pytest.mark.slow

DAYS_OF_QUOTA = 3
# `plan` learns the limits (one cheap call) and reads the experience list: two requests of
# the same day's quota
PLAN_CALLS = 2
RPD = math.ceil((PLAN_CALLS + FIRST_RUN_CALLS) / DAYS_OF_QUOTA)  # three days' quota


@pytest.fixture(scope="module")
def unlimited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[object, ...]]]:
    db = tmp_path_factory.mktemp("unlimited") / "full.duckdb"
    with PtengineSimulator(plan="unlimited", today=TODAY) as sim, use(sim, db):
        assert cli("run", "ptengine").code == 0
    return tables(db, "ptengine")


def quota_days(sim: PtengineSimulator, db: Path, **extra: object
               ) -> Iterator[tuple[int, str, int]]:
    """Run once per simulated day until done: ``(exit code, output, requests that day)``."""
    for _ in range(DAYS_OF_QUOTA + 3):
        before = len(api_requests(sim))
        with use(sim, db, **extra):
            result = cli("run", "ptengine")
        yield result.code, result.out, len(api_requests(sim)) - before
        if result.code != 4:
            return
        sim.advance_days(1)


def plan_days(sim: PtengineSimulator, db: Path, **extra: object) -> int:
    before = len(api_requests(sim))
    with use(sim, db, **extra):
        result = cli("plan", "ptengine", "--brief")
    assert result.code == 0, result.text
    assert len(api_requests(sim)) - before == PLAN_CALLS
    match = re.search(r"they need (\d+) days", result.out)
    assert match, result.out
    return int(match.group(1))


def quota_sim() -> AbstractContextManager[PtengineSimulator]:
    return PtengineSimulator(plan="growth", rpm=100_000, rpd=RPD, today=TODAY)


def test_a_backfill_of_three_days_quota_completes_on_the_third_day(
        tmp_path: Path, unlimited: dict[str, list[tuple[object, ...]]]) -> None:
    db = tmp_path / "quota.duckdb"
    with quota_sim() as sim:
        predicted = plan_days(sim, db)
        days = list(quota_days(sim, db))
        refused = [r for r in sim.requests if r.get("status") == 429]
    codes = [code for code, _, _ in days]
    assert predicted == DAYS_OF_QUOTA
    assert codes == [4] * (DAYS_OF_QUOTA - 1) + [0], [out for _, out, _ in days]
    # each stopped day spent the whole quota, and no request was spent twice
    sent = [n for _, _, n in days]
    assert sent[:-1] == [RPD - PLAN_CALLS] + [RPD] * (DAYS_OF_QUOTA - 2)
    assert sum(sent) == FIRST_RUN_CALLS
    assert refused == []  # the limiter stopped at the quota; the API never had to refuse
    for n, (_, out, _) in enumerate(days[:-1]):
        left = FIRST_RUN_CALLS - sum(sent[:n + 1])
        more = DAYS_OF_QUOTA - 1 - n
        assert f"still to fetch: {left} requests — {more} more day" in out, out
        assert f"at {RPD} requests a day" in out
        assert re.search(r"the quota resets at \d{4}-\d\d-\d\d 00:00 UTC \(in [\d h]+min\)",
                         out), out
    assert tables(db, "ptengine") == unlimited


def test_a_daily_budget_keeps_its_reserve_every_day(
        tmp_path: Path, unlimited: dict[str, list[tuple[object, ...]]]) -> None:
    db = tmp_path / "reserve.duckdb"
    budget = RPD - 20  # keep 20 requests a day for other tools
    with quota_sim() as sim:
        predicted = plan_days(sim, db, daily_budget=budget)
        days = list(quota_days(sim, db, daily_budget=budget))
    sent = [n for _, _, n in days]
    assert predicted == math.ceil(FIRST_RUN_CALLS / budget) == len(days)
    assert sent[:-1] == [budget] * (len(days) - 1) and sum(sent) == FIRST_RUN_CALLS
    assert f"at {budget} requests a day" in days[0][1]
    assert [code for code, _, _ in days][-1] == 0
    assert tables(db, "ptengine") == unlimited


def test_plan_after_a_quota_stop_counts_exactly_what_is_left(tmp_path: Path) -> None:
    db = tmp_path / "left.duckdb"
    with quota_sim() as sim:
        with use(sim, db):
            stopped = cli("run", "ptengine")
        sim.advance_days(1)
        with use(sim, db):
            result = cli("plan", "ptengine", "--brief")
    assert stopped.code == 4 and result.code == 0, result.text
    assert f"total calls: {FIRST_RUN_CALLS - RPD}" in result.out, result.out
    assert "answered by what the quota-stopped run before carried over" in result.out


def test_the_first_stop_of_a_free_plan_backfill_agrees_with_plan(tmp_path: Path) -> None:
    db = tmp_path / "free.duckdb"
    with PtengineSimulator(plan="free", rpm=100_000, today=TODAY) as sim:
        predicted = plan_days(sim, db)
        with use(sim, db):
            result = cli("run", "ptengine")
    assert result.code == 4
    assert f"{predicted - 1} more days at 100 requests a day" in result.out, result.out
