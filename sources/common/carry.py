"""Answers a quota stop would waste, carried over to the next run.

A unit of work — one day of a per-day table, the window of a range table — is committed
whole: its rows are yielded only when every call of the unit has answered. When the daily
quota stops a run in the middle of a unit, the answers the unit already has are kept in
the source's dlt state (committed with the rest of the run's progress), and the next run's
identical calls take them instead of spending quota on them again. So a backfill that
spans several quota days spends every request on a call it needs exactly once, and
``plan``'s day count holds.

An answer is used once and kept at most ``KEEP_DAYS`` days; calls are matched by method,
path and body, so a changed configuration never picks up a stale answer.

Example:
    >>> carry = Carry(store=lambda: {})
    >>> carry.take(fingerprint("POST", "/q", {"day": "2026-04-01"}))
    (False, None)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sources.common.errors import QuotaExhaustedError

KEEP_DAYS = 3
STATE_KEY = "carried_answers"


def fingerprint(method: str, path: str, body: Any) -> str:
    """A stable digest of one call (its method, path and body)."""
    text = json.dumps([method, path, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _source_store() -> MutableMapping[str, Any]:
    import dlt

    store: MutableMapping[str, Any] = dlt.current.source_state().setdefault(STATE_KEY, {})
    return store


class Carry:
    """The carried answers of one source instance (single-threaded use).

    Args:
        store: returns the mapping the answers live in (default: the dlt source state,
            read when first needed inside a resource).
        today: the current UTC day (for expiry).
    """

    def __init__(self, store: Callable[[], MutableMapping[str, Any]] = _source_store,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self._store_of = store
        self._today = today
        self._unit: list[tuple[str, Any]] | None = None
        self._purged = False
        self.taken = 0

    def take(self, key: str) -> tuple[bool, Any]:
        """``(True, answer)`` for a carried answer of ``key`` (used up), else ``(False, None)``."""
        store = self._store_of()
        if not store:
            return False, None
        if not self._purged:
            oldest = (self._today() - timedelta(days=KEEP_DAYS)).isoformat()
            for stale in [k for k, e in store.items() if e["saved"] < oldest]:
                del store[stale]
            self._purged = True
        entry = store.pop(key, None)
        if entry is None:
            return False, None
        self.taken += 1
        return True, entry["answer"]

    def keep(self, key: str, answer: Any) -> None:
        """Remember an answer of the open unit (dropped when the unit completes)."""
        if self._unit is not None:
            self._unit.append((key, answer))

    def put(self, key: str, answer: Any) -> None:
        """Carry one answer over now (a catalog the next run of a stopped backfill reuses)."""
        self._store_of()[key] = {"saved": self._today().isoformat(), "answer": answer}

    def pending(self) -> int:
        """How many carried answers are waiting for the next run."""
        return len(self._store_of() or {})

    @contextmanager
    def unit(self) -> Iterator[None]:
        """A unit of calls: if the quota stops it, its answers so far are carried over."""
        self._unit = []
        try:
            yield
        except QuotaExhaustedError:
            for key, answer in self._unit or []:
                self.put(key, answer)
            raise
        finally:
            self._unit = None
