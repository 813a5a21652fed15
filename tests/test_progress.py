"""Resume rules and carried-over answers (``sources.common.progress`` and ``carry``).

These are the pieces that make a quota-stopped backfill spend each request once: a
continued run does not re-apply the lookback whatever order its resources start in,
skips snapshots the interrupted run already fetched, and takes the answers of a unit of
calls the quota interrupted instead of asking again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sources.common.carry import KEEP_DAYS, Carry, fingerprint
from sources.common.dates import DayWindow
from sources.common.errors import QuotaExhaustedError
from sources.common.progress import DayProgress, resume_point, snapshot_window

APRIL = DayWindow(date(2026, 4, 1), date(2026, 4, 30))


def stopped_run() -> dict[str, Any]:
    """Two resources after a run ``r1`` the quota stopped: ``a`` at 04-10, ``b`` finished."""
    states: dict[str, Any] = {"a": {}, "b": {}}
    a = DayProgress(states["a"], "r1", APRIL, None)
    for day in APRIL.days()[:10]:
        a.done(day)
    b = DayProgress(states["b"], "r1", APRIL, None)
    b.done_through(APRIL.end)
    return states


def test_a_continued_run_resumes_every_resource_whatever_starts_first() -> None:
    states = stopped_run()
    assert resume_point(states, states["a"]) == date(2026, 4, 11)
    # run r2 starts ``a`` first: it re-stamps its record ...
    DayProgress(states["a"], "r2", DayWindow(date(2026, 4, 11), APRIL.end), None)
    # ... and ``b``, starting later, still sees that r1 was interrupted
    assert resume_point(states, states["b"]) == date(2026, 5, 1)


def test_after_a_complete_run_nothing_resumes() -> None:
    states = stopped_run()
    a = DayProgress(states["a"], "r2", DayWindow(date(2026, 4, 11), APRIL.end), None)
    a.done_through(APRIL.end)
    DayProgress(states["b"], "r2", DayWindow(date(2026, 5, 1), APRIL.end), None)
    assert resume_point(states, states["a"]) is None
    assert resume_point(states, states["b"]) is None


def test_a_snapshot_fetched_by_the_interrupted_run_is_not_fetched_again() -> None:
    states = stopped_run()
    day = date(2026, 4, 30)
    snap: dict[str, Any] = {}
    DayProgress(snap, "r1", snapshot_window({}, snap, day), None).done(day)
    states["snap"] = snap
    assert snapshot_window(states, snap, day).is_empty
    fresh: dict[str, Any] = {}
    assert snapshot_window(states, fresh, day) == DayWindow(day, day)


def carry_with(store: dict[str, Any], today: date = date(2026, 5, 1)) -> Carry:
    return Carry(store=lambda: store, today=lambda: today)


def test_answers_of_a_unit_the_quota_stops_are_carried_once() -> None:
    store: dict[str, Any] = {}
    carry = carry_with(store)
    first, second = fingerprint("POST", "/q", {"d": 1}), fingerprint("POST", "/q", {"d": 2})
    with pytest.raises(QuotaExhaustedError), carry.unit():
        carry.keep(first, {"visits": 3})
        raise QuotaExhaustedError("spent")
    assert list(store) == [first] and second not in store
    nxt = carry_with(store)
    assert nxt.take(first) == (True, {"visits": 3})
    assert nxt.take(first) == (False, None)  # used once
    assert nxt.taken == 1


def test_a_completed_unit_carries_nothing() -> None:
    store: dict[str, Any] = {}
    carry = carry_with(store)
    with carry.unit():
        carry.keep(fingerprint("POST", "/q", {}), [1])
    assert store == {}


def test_old_answers_expire() -> None:
    store: dict[str, Any] = {}
    key = fingerprint("POST", "/q", {})
    carry_with(store, date(2026, 5, 1)).put(key, [1])
    later = carry_with(store, date(2026, 5, 1 + KEEP_DAYS + 1))
    assert later.take(key) == (False, None) and store == {}


def test_fingerprints_depend_on_every_part_of_the_call() -> None:
    base = fingerprint("POST", "/q", {"a": 1, "b": 2})
    assert base == fingerprint("POST", "/q", {"b": 2, "a": 1})
    assert len({base, fingerprint("GET", "/q", {"a": 1, "b": 2}),
                fingerprint("POST", "/r", {"a": 1, "b": 2}),
                fingerprint("POST", "/q", {"a": 1, "b": 3})}) == 4
