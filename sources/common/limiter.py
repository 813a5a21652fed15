"""Request pacing: one limiter per credential, shared by every resource and thread.

The limiter keeps two windows:

* a per-minute window, enforced as a sliding log of the last ``rpm`` request times (safe
  against both fixed-window and sliding-window servers);
* a per-day allowance: the server's ``Remaining-Day`` header when it sends one, the
  configured ``rpd`` otherwise, and the run's own ``daily_budget``.

Limits come from a rate plan, from explicit ``rpm``/``rpd`` overrides, or — in ``auto``
mode — from the first response's rate-limit headers. Headers also correct the limiter
while it runs: it never spends more than the server says remains.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sources.common.dates import next_midnight
from sources.common.errors import QuotaExhaustedError

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass
class RateInfo:
    """What a response's rate-limit headers said (any field may be missing).

    Attributes:
        limit_minute: requests allowed per window.
        remaining_minute: requests left in the current window.
        limit_day: requests allowed per day.
        remaining_day: requests left today.
        reset_seconds: seconds until the current window resets, when the server says.
        tier: the plan name the server reports.
    """

    limit_minute: int | None = None
    remaining_minute: int | None = None
    limit_day: int | None = None
    remaining_day: int | None = None
    reset_seconds: float | None = None
    tier: str | None = None


@dataclass
class LimiterStats:
    """Counters for the run summary."""

    sent: int = 0
    waited_seconds: float = 0.0
    rate_limited: int = 0
    last_info: RateInfo = field(default_factory=RateInfo)


class RateLimiter:
    """Thread-safe pacing for one credential.

    Args:
        rpm: requests per window, or ``None`` to learn it from headers (``auto``).
        rpd: requests per day, or ``None`` (learn from headers / unlimited).
        daily_budget: the most requests this run may send, or ``None``.
        window_seconds: the length of the per-minute window (60 for every vendor API;
            shorter only against a simulator configured that way).
        clock: monotonic clock (injectable for tests).
        sleep: sleep function (injectable for tests).
        wall_clock: wall-clock seconds, used to find fixed-window boundaries.
        quota_timezone: the timezone whose midnight resets the daily quota (for the
            stop message), or ``None`` when the API does not say.

    Example:
        >>> lim = RateLimiter(rpm=2, rpd=None, clock=lambda: 0.0, sleep=lambda s: None)
        >>> lim.acquire(); lim.acquire()
        >>> lim.stats.sent
        2
    """

    def __init__(
        self,
        *,
        rpm: int | None,
        rpd: int | None = None,
        daily_budget: int | None = None,
        window_seconds: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        wall_clock: Clock = time.time,
        safety_margin: float = 0.05,
        quota_timezone: str | None = None,
    ) -> None:
        self.rpm = rpm
        self.rpd = rpd
        self.daily_budget = daily_budget
        self.quota_timezone = quota_timezone
        self.window = window_seconds
        self._clock = clock
        self._sleep = sleep
        self._wall = wall_clock
        self._margin = safety_margin
        self._log: deque[float] = deque()
        self._lock = threading.Lock()
        self._explicit_rpm = rpm is not None
        self._answered = False
        self._in_flight = 0
        self._blocked_until = 0.0
        self._remaining_day: int | None = None
        self.stats = LimiterStats()

    # -- acquiring ---------------------------------------------------------------------
    def acquire(self) -> None:
        """Block until one request may be sent, then count it.

        Raises:
            QuotaExhaustedError: the daily quota or the run's budget is spent.
        """
        while True:
            with self._lock:
                self._check_day()
                wait = self._wait_needed()
                if wait <= 0:
                    self.stats.sent += 1
                    self._in_flight += 1
                    if self._remaining_day is not None:
                        self._remaining_day -= 1
                    return
            self.stats.waited_seconds += wait
            self._sleep(wait)

    def release(self, info: RateInfo | None) -> None:
        """Record that a request finished, with the rate headers it answered."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            now = self._clock()
            # the window counts from when the answer arrived: the server saw the request
            # no later than that, so a sliding server window is respected too
            self._log.append(now)
            self._answered = True
            if info is None:
                return
            self.stats.last_info = info
            if info.limit_minute is not None and not self._explicit_rpm:
                self.rpm = info.limit_minute
            if info.remaining_day is not None:
                self._remaining_day = info.remaining_day
            if info.limit_day is not None and self.rpd is None:
                self.rpd = info.limit_day
            if info.remaining_minute is not None and info.remaining_minute <= 0:
                self._blocked_until = max(self._blocked_until, now + self._until_reset(info))

    def note_rate_limited(self, retry_after: float | None) -> float:
        """A per-minute 429 arrived: block every caller until the window resets.

        Returns:
            The seconds the caller should wait before retrying.
        """
        with self._lock:
            self.stats.rate_limited += 1
            now = self._clock()
            wait = retry_after if retry_after is not None else self._until_reset(None)
            self._blocked_until = max(self._blocked_until, now + wait)
            return wait

    def note_day_exhausted(self) -> None:
        """The server answered that the day is spent."""
        with self._lock:
            self._remaining_day = 0

    @property
    def remaining_day(self) -> int | None:
        """Requests left today according to the last headers (``None`` if unknown)."""
        return self._remaining_day

    @property
    def day_exhausted(self) -> bool:
        return self._remaining_day is not None and self._remaining_day <= 0

    # -- internals ---------------------------------------------------------------------
    def _check_day(self) -> None:
        if self.daily_budget is not None and self.stats.sent >= self.daily_budget:
            raise QuotaExhaustedError(
                f"this run's daily_budget of {self.daily_budget} requests is spent"
            )
        resets = next_midnight(self.quota_timezone) if self.quota_timezone else None
        if self._remaining_day is not None and self._remaining_day <= 0:
            raise QuotaExhaustedError("the API's daily request quota is exhausted", resets)
        if self._remaining_day is None and self.rpd is not None and self.stats.sent >= self.rpd:
            raise QuotaExhaustedError(f"the plan's {self.rpd} requests per day are spent", resets)

    def _wait_needed(self) -> float:
        now = self._clock()
        if self._blocked_until > now:
            return self._blocked_until - now
        if self.rpm is None and not self._answered:
            # auto mode before the first answer: one request at a time
            return 0.05 if self._in_flight > 0 else 0.0
        if self.rpm is None or self.rpm <= 0:
            return 0.0
        while self._log and self._log[0] <= now - self.window - self._margin:
            self._log.popleft()
        if len(self._log) + self._in_flight < self.rpm:
            return 0.0
        if not self._log:
            return 0.05  # the window is full of requests still in flight
        return self._log[0] + self.window + self._margin - now

    def _until_reset(self, info: RateInfo | None) -> float:
        if info is not None and info.reset_seconds is not None:
            return max(0.0, info.reset_seconds) + self._margin
        # fixed windows aligned to the wall clock: wait for the next boundary
        wall = self._wall()
        return (math.floor(wall / self.window) + 1) * self.window - wall + self._margin


_REGISTRY: dict[str, RateLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def limiter_for(vendor: str, credential: str, factory: Callable[[], RateLimiter]) -> RateLimiter:
    """The one limiter of a credential in this process (created on first use).

    The credential is hashed, never kept as a key.
    """
    key = vendor + ":" + hashlib.sha256(credential.encode()).hexdigest()
    with _REGISTRY_LOCK:
        if key not in _REGISTRY:
            _REGISTRY[key] = factory()
        return _REGISTRY[key]


def reset_limiters() -> None:
    """Forget every limiter (each CLI run starts fresh)."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()


def all_limiters() -> list[RateLimiter]:
    """Every limiter created in this process since the last reset (for the run summary)."""
    with _REGISTRY_LOCK:
        return list(_REGISTRY.values())
