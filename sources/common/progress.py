"""Run-level bookkeeping shared by every source: day cursors, steps, telemetry.

A dated resource keeps two things in its dlt resource state (stored with the
destination, committed with each load package):

* ``cursor`` — the last reporting day it has loaded (ISO date, only ever moves forward);
* ``run`` — ``{"id", "next", "end"}``: how far the current run got, so that when the
  runner commits work in several steps (several ``pipeline.extract`` calls) a later step
  continues with the next day instead of re-applying the lookback.

The runner sets a step deadline; a resource finishes the day in flight and stops after
it, so every committed step ends on a day boundary and a killed process loses at most
the uncommitted step. A quota stop ends the step early but cleanly: what was fetched is
kept, the cursor says how far it got.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sources.common.dates import DayWindow
from sources.common.errors import QuotaExhaustedError

log = logging.getLogger("analytics_elt.progress")


@dataclass
class RunTelemetry:
    """What one CLI run did, for the summary and the exit code.

    Attributes:
        calls: logical API calls per resource.
        warnings: human-readable warnings (skipped items, truncated tables …).
        quota_stop: the message of the quota/budget stop, if the run hit one.
        quota_resets_at: when that quota resets, if known.
        days_done: days completed per dated resource in this run.
    """

    calls: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    quota_stop: str | None = None
    quota_resets_at: datetime | None = None
    days_done: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_call(self, resource: str) -> None:
        with self._lock:
            self.calls[resource] += 1

    def warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)
        log.warning(message)

    def stop_for_quota(self, error: QuotaExhaustedError) -> None:
        """The first quota stop of the run wins (its message and reset time are reported)."""
        with self._lock:
            if self.quota_stop is None:
                self.quota_stop = str(error)
                self.quota_resets_at = error.resets_at


TELEMETRY = RunTelemetry()


def reset_telemetry() -> RunTelemetry:
    """Start a fresh run's telemetry (the CLI calls this once per run)."""
    global TELEMETRY
    TELEMETRY = RunTelemetry()
    return TELEMETRY


def telemetry() -> RunTelemetry:
    return TELEMETRY


def saved_cursor(state: MutableMapping[str, Any]) -> date | None:
    raw = state.get("cursor")
    return date.fromisoformat(raw) if raw else None


class DayProgress:
    """Cursor and in-run progress of one dated resource.

    Args:
        state: the resource's dlt state (``dlt.current.resource_state()``).
        run_id: identifies the run across its steps.
        planned: the window the planner gave this resource at the start of the run.
        deadline: ``time.monotonic()`` value after which the step should end (``None``:
            never — a plain ``pipeline.run(source)`` does all days in one go).

    Example:
        >>> st = {}
        >>> p = DayProgress(st, "r1", DayWindow(date(2026, 4, 1), date(2026, 4, 2)), None)
        >>> [str(d) for d in p.pending_days()]
        ['2026-04-01', '2026-04-02']
        >>> p.done(date(2026, 4, 1)); st["cursor"], st["run"]["next"]
        ('2026-04-01', '2026-04-02')
    """

    def __init__(self, state: MutableMapping[str, Any], run_id: str, planned: DayWindow,
                 deadline: float | None) -> None:
        self.state = state
        self.deadline = deadline
        run = state.get("run")
        if isinstance(run, dict) and run.get("id") == run_id:
            self.window = DayWindow(date.fromisoformat(run["next"]), date.fromisoformat(run["end"]))
        else:
            self.window = planned
            if isinstance(run, dict) and run:
                # siblings that start later in this run still see how the last one ended
                state["previous_run"] = run
            state["run"] = {"id": run_id, "next": planned.start.isoformat(),
                            "end": planned.end.isoformat()}

    def pending_days(self) -> list[date]:
        return self.window.days()

    @property
    def finished(self) -> bool:
        run = self.state.get("run") or {}
        return date.fromisoformat(run["next"]) > date.fromisoformat(run["end"])

    def done(self, day: date) -> None:
        """Record that ``day`` is complete: advance the cursor (never back) and the run."""
        cursor = saved_cursor(self.state)
        if cursor is None or day > cursor:
            self.state["cursor"] = day.isoformat()
        self.state["run"]["next"] = (day + timedelta(days=1)).isoformat()

    def done_through(self, day: date) -> None:
        """A range resource finished its whole window at once."""
        self.done(day)

    def step_over(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


def resume_point(resource_states: Mapping[str, Any], own: Mapping[str, Any] | None) -> date | None:
    """Where a resource resumes when the previous run was interrupted, else ``None``.

    A run that stopped early (quota, budget, kill) leaves at least one resource whose
    ``run`` record is unfinished. Every resource that took part in that run continues it
    — from its next day, or after its end when it had finished — without applying the
    lookback again: those days were fetched moments ago. The lookback applies again to
    the next run that follows a complete one. Resources that already started this run
    keep the record of how they ended the last one (``previous_run``), so the answer does
    not depend on the order in which resources start.

    Args:
        resource_states: the states of every resource of the source.
        own: this resource's state.
    """
    run = (own or {}).get("run") or {}
    run_id = run.get("id")
    if not run_id:
        return None
    interrupted = any(
        (record.get("id") == run_id and _unfinished(record))
        for st in resource_states.values() if isinstance(st, Mapping)
        for record in (st.get("run") or {}, st.get("previous_run") or {})
    )
    return date.fromisoformat(run["next"]) if interrupted else None


def ran_in_interrupted_run(resource_states: Mapping[str, Any],
                           own: Mapping[str, Any] | None) -> bool:
    """Whether a once-per-run resource completed in the interrupted run this one continues.

    A quota-stopped backfill continues over several runs; its snapshots (goal lists,
    catalogs) were fetched by the run that started it and are not fetched again until
    the backfill is complete.
    """
    run = (own or {}).get("run") or {}
    return resume_point(resource_states, own) is not None and not _unfinished(run)


def snapshot_window(resource_states: Mapping[str, Any], own: Mapping[str, Any] | None,
                    day: date) -> DayWindow:
    """The window of a once-per-run resource: ``day``, or empty when it need not run."""
    if ran_in_interrupted_run(resource_states, own):
        return DayWindow(day + timedelta(days=1), day)
    return DayWindow(day, day)


def _unfinished(run: Mapping[str, Any]) -> bool:
    return bool(run) and date.fromisoformat(run["next"]) <= date.fromisoformat(run["end"])


def run_finished(state: MutableMapping[str, Any] | None, run_id: str) -> bool:
    """Whether a resource's state says it completed its window in run ``run_id``."""
    if not state:
        return False
    run = state.get("run") or {}
    if run.get("id") != run_id:
        return False
    return date.fromisoformat(run["next"]) > date.fromisoformat(run["end"])
