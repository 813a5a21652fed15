"""Building blocks of the simulators: clock, rate windows, faults, request log, and the
largest-remainder rounding that every vendor's exact splits of a count end with.

The server's parts are re-exported by :mod:`simulators.base`, and vendor simulators use
them through :class:`simulators.base.SimServer`; vendor models call
:func:`largest_remainder` directly.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAULT_KINDS = ("500", "reset", "slow", "malformed", "429", "429bare")
REDACTED = "***"


# --- clock ---------------------------------------------------------------------------


class SimClock:
    """Real UTC time shifted by a whole number of days that tests can advance.

    Args:
        today: the simulated UTC date of "now"; defaults to the real UTC date.
    """

    def __init__(self, today: dt.date | None = None) -> None:
        real = dt.datetime.now(dt.UTC).date()
        self._offset = (today - real).days if today else 0
        self._lock = threading.Lock()

    @property
    def offset_days(self) -> int:
        """Days between the simulated and the real date."""
        return self._offset

    def now(self) -> dt.datetime:
        """The simulated current instant (aware, UTC)."""
        return dt.datetime.now(dt.UTC) + dt.timedelta(days=self._offset)

    def today(self) -> dt.date:
        """The simulated current UTC date."""
        return self.now().date()

    def advance(self, days: int = 1) -> dt.date:
        """Move the clock forward (or back, if negative) and return the new date."""
        with self._lock:
            self._offset += days
        return self.today()


# --- rate limiting -------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """One credential's window state after a rate-limit decision."""

    limit_minute: int
    remaining_minute: int
    limit_day: int
    remaining_day: int
    seconds_to_next_minute: float


@dataclass
class _Windows:
    minute: int = -1
    minute_count: int = 0
    day: dt.date | None = None
    day_count: int = 0


class RateLimiter:
    """Fixed-window limits per credential.

    The per-minute window is aligned to the wall clock (``minute_seconds`` long, 60 by
    default; tests shorten it); the per-day window is the simulated UTC day, so
    advancing the clock rolls the daily quota.
    """

    def __init__(self, clock: SimClock, minute_seconds: float = 60.0) -> None:
        if minute_seconds <= 0:
            raise ValueError("minute_seconds must be positive")
        self.clock = clock
        self.minute_seconds = minute_seconds
        self._state: dict[str, _Windows] = {}
        self._lock = threading.Lock()

    def _roll(self, key: str) -> tuple[_Windows, float]:
        now = time.time()
        minute = int(now // self.minute_seconds)
        state = self._state.setdefault(key, _Windows())
        if state.minute != minute:
            state.minute, state.minute_count = minute, 0
        today = self.clock.today()
        if state.day != today:
            state.day, state.day_count = today, 0
        return state, (minute + 1) * self.minute_seconds - now

    @staticmethod
    def _quota(state: _Windows, rpm: int, rpd: int, wait: float) -> Quota:
        return Quota(rpm, max(rpm - state.minute_count, 0), rpd,
                     max(rpd - state.day_count, 0), wait)

    def peek(self, key: str, rpm: int, rpd: int) -> Quota:
        """The current state without spending anything."""
        with self._lock:
            state, wait = self._roll(key)
            return self._quota(state, rpm, rpd, wait)

    def acquire(self, key: str, rpm: int, rpd: int, *, consume: bool = True,
                enforce: bool = True) -> tuple[str | None, Quota]:
        """Admit one request.

        Returns:
            ``(refused, quota)``: ``refused`` is ``"day"`` or ``"minute"`` when the
            window is full (a refused request spends nothing), else ``None``.
        """
        with self._lock:
            state, wait = self._roll(key)
            if enforce and state.day_count >= rpd:
                return "day", self._quota(state, rpm, rpd, wait)
            if enforce and state.minute_count >= rpm:
                return "minute", self._quota(state, rpm, rpd, wait)
            if consume:
                state.minute_count += 1
                state.day_count += 1
            return None, self._quota(state, rpm, rpd, wait)

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._state.clear()


# --- faults --------------------------------------------------------------------------


def parse_fault_spec(spec: str) -> dict[str, float]:
    """Parse ``"500:0.05,reset:0.01"`` into ``{kind: probability}``.

    Raises:
        ValueError: unknown kind, a probability outside 0..1, or a total above 1.
    """
    probs: dict[str, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kind, sep, value = part.partition(":")
        if not sep or kind not in FAULT_KINDS:
            raise ValueError(f"bad fault {part!r}: use KIND:PROBABILITY, KIND in {FAULT_KINDS}")
        prob = float(value)
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"bad fault {part!r}: probability must be within 0..1")
        probs[kind] = probs.get(kind, 0.0) + prob
    if sum(probs.values()) > 1.0 + 1e-9:
        raise ValueError(f"fault probabilities add up to more than 1: {spec!r}")
    return probs


class FaultInjector:
    """Draws at most one fault per request from a seeded generator (reproducible runs)."""

    def __init__(self, spec: str = "", seed: int = 0) -> None:
        self.probabilities = parse_fault_spec(spec)
        self.seed = seed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault kind for the next request, or ``None``."""
        if not self.probabilities:
            return None
        with self._lock:
            u = self._rng.random()
        total = 0.0
        for kind, prob in self.probabilities.items():
            total += prob
            if u < total:
                return kind
        return None

    def reset(self) -> None:
        """Restart the sequence from the seed."""
        with self._lock:
            self._rng = random.Random(self.seed)


# --- request log ---------------------------------------------------------------------


def redact(value: Any, secret_fields: Iterable[str], secret_values: Iterable[str] = ()) -> Any:
    """A copy of ``value`` with secret keys and known secret strings replaced by ``***``."""
    names = {n.lower() for n in secret_fields}
    secrets = [s for s in secret_values if s]

    def scrub(v: Any) -> Any:
        if isinstance(v, Mapping):
            return {k: REDACTED if str(k).lower() in names else scrub(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [scrub(x) for x in v]
        if isinstance(v, str):
            for s in secrets:
                v = v.replace(s, REDACTED)
        return v

    return scrub(value)


class RequestLog:
    """Thread-safe request records, kept in memory and appended to a JSONL file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._records: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file: Any = None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, record: dict[str, Any]) -> None:
        """Keep ``record`` (already redacted) and append it to the file."""
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            self._records.append(record)
            if self.path:
                if self._file is None:
                    self._file = self.path.open("a", encoding="utf-8")
                self._file.write(line + "\n")
                self._file.flush()

    @property
    def records(self) -> list[dict[str, Any]]:
        """A copy of the records so far."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget the in-memory records (the file keeps them)."""
        with self._lock:
            self._records.clear()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._file:
                self._file.close()
                self._file = None


# --- exact splits --------------------------------------------------------------------


def largest_remainder(total: int, floors: Sequence[int], remainders: Sequence[float]) -> list[int]:
    """Round a proportional split of ``total`` so its parts add up to ``total`` exactly.

    ``floors`` are the shares rounded down and ``remainders`` what rounding took from
    each; the units the floors miss go one each to the largest remainders, the earlier
    share first on a tie, so two runs always agree.

    Example:
        >>> largest_remainder(10, [2, 2, 5], [0.5, 0.5, 0.0])
        [3, 2, 5]
    """
    parts = list(floors)
    for i in sorted(range(len(parts)), key=lambda i: (-remainders[i], i))[: total - sum(parts)]:
        parts[i] += 1
    return parts
