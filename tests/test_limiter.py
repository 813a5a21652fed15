"""The limiter against a fake clock: pacing, header corrections, quota and budget stops."""

from __future__ import annotations

import threading

import pytest

from sources.common.errors import QuotaExhaustedError
from sources.common.limiter import RateInfo, RateLimiter, limiter_for, reset_limiters


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(clock: FakeClock, **kw: object) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep, wall_clock=clock, safety_margin=0.0,
                       **kw)  # type: ignore[arg-type]


def send(lim: RateLimiter, n: int, info: RateInfo | None = None) -> None:
    for _ in range(n):
        lim.acquire()
        lim.release(info)


def test_never_more_than_rpm_in_any_window() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=3)
    times = []
    for _ in range(10):
        lim.acquire()
        times.append(clock.now)
        lim.release(None)
    for i in range(len(times) - 3):
        assert times[i + 3] - times[i] >= 60.0
    # the first three go at once, then one window per three
    assert times[:3] == [1000.0] * 3 and times[3] == 1060.0 and times[9] == 1180.0


def test_auto_mode_learns_limits_from_first_answer() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=None)
    lim.acquire()
    lim.release(RateInfo(limit_minute=2, remaining_minute=1, limit_day=100, remaining_day=99))
    assert lim.rpm == 2 and lim.rpd == 100 and lim.remaining_day == 99
    lim.acquire()
    lim.release(None)
    start = clock.now
    lim.acquire()
    assert clock.now - start == pytest.approx(60.0)


def test_explicit_rpm_wins_over_headers() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=1)
    send(lim, 1, RateInfo(limit_minute=30, remaining_minute=29))
    assert lim.rpm == 1


def test_remaining_minute_zero_blocks_until_the_wall_clock_window_resets() -> None:
    clock = FakeClock(start=1030.0)  # 30 s into a wall-clock minute
    lim = limiter(clock, rpm=100)
    send(lim, 1, RateInfo(limit_minute=100, remaining_minute=0))
    lim.acquire()
    assert clock.now == pytest.approx(1080.0)  # the next minute boundary


def test_never_spends_more_than_the_headers_say_remains() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=100)
    send(lim, 1, RateInfo(limit_day=3000, remaining_day=2))
    lim.acquire()
    lim.release(None)
    lim.acquire()  # the second of the two remaining
    lim.release(None)
    with pytest.raises(QuotaExhaustedError, match="daily request quota"):
        lim.acquire()


def test_daily_budget_stops_the_run() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=100, daily_budget=5)
    send(lim, 5)
    with pytest.raises(QuotaExhaustedError, match="daily_budget of 5"):
        lim.acquire()


def test_plan_rpd_without_headers() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=100, rpd=3)
    send(lim, 3)
    with pytest.raises(QuotaExhaustedError, match="3 requests per day"):
        lim.acquire()


def test_rate_limited_blocks_everyone_for_the_retry_after() -> None:
    clock = FakeClock()
    lim = limiter(clock, rpm=100)
    assert lim.note_rate_limited(7.5) == 7.5
    start = clock.now
    lim.acquire()
    assert clock.now - start == pytest.approx(7.5)


def test_one_limiter_per_credential_shared_by_threads() -> None:
    reset_limiters()
    made = []

    def factory() -> RateLimiter:
        made.append(1)
        return RateLimiter(rpm=10_000)

    a = limiter_for("v", "key-1", factory)
    b = limiter_for("v", "key-1", factory)
    c = limiter_for("v", "key-2", factory)
    assert a is b and a is not c and len(made) == 2

    def work() -> None:
        for _ in range(50):
            a.acquire()
            a.release(None)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert a.stats.sent == 200
