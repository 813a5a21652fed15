"""The Ptengine client over real HTTP: envelope, error codes, retries, redaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sources.common.errors import (
    ApiError,
    AuthenticationError,
    QuotaExhaustedError,
    RetentionError,
    SkippableItemError,
    TransientError,
)
from sources.common.http import RetryPolicy
from sources.common.limiter import RateLimiter
from sources.ptengine import settings as S
from sources.ptengine.client import PtengineClient
from tests.conftest import CannedServer

KEY = "pt-secret-key-123456"
PATH = S.PATH_DATACENTER_QUERY
OK = {"code": 200, "message": "OK", "data": {"points": []}}
HEADERS = {"X-RateLimit-Limit-Minute": "30", "X-RateLimit-Remaining-Minute": "29",
           "X-RateLimit-Limit-Day": "3000", "X-RateLimit-Remaining-Day": "2999",
           "X-RateLimit-Tier": "GROWTH"}


def client(canned: CannedServer, **policy: object) -> PtengineClient:
    sleeps: list[float] = []
    lim = RateLimiter(rpm=1000, sleep=sleeps.append)
    c = PtengineClient(canned.url, KEY, "566d12f9", lim,
                       policy=RetryPolicy(backoff_initial=0.01, backoff_max=0.02, **policy),
                       timeout=2)
    c.sleeps = sleeps  # type: ignore[attr-defined]
    return c


def err(code: int, status: int, message: str = "x") -> tuple[int, dict, dict]:
    return (status, HEADERS, {"code": code, "message": message})


def test_retries_5xx_reset_and_malformed_then_succeeds(canned: CannedServer) -> None:
    canned.sequence(PATH, [
        (500, {}, b"Internal server error"),
        (0, {}, b""),
        (200, HEADERS, b'{"code": 200, "data": {"points": [trunc'),
        err(5000, 500),
        (200, HEADERS, OK),
    ])
    c = client(canned)
    assert c.post(PATH, {"queryType": "metric_curve"}) == {"points": []}
    assert c.http.stats.retries == 4
    assert len(canned.requests) == 5
    # the answer's headers fed the limiter
    assert c.http.limiter.remaining_day == 2999


def test_retries_are_bounded(canned: CannedServer) -> None:
    canned.sequence(PATH, [(503, {}, b"busy")] * 10)
    c = client(canned, max_retries=2)
    with pytest.raises(TransientError, match="HTTP 503"):
        c.post(PATH, {})
    assert len(canned.requests) == 3


def test_per_minute_429_waits_and_retries(canned: CannedServer) -> None:
    canned.sequence(PATH, [err(4290, 429, "Rate limit exceeded (per minute)"),
                           (200, HEADERS, OK)])
    c = client(canned)
    c.http.limiter.window = 0.2  # wall-clock window boundary comes quickly in the test
    assert c.post(PATH, {}) == {"points": []}
    assert c.http.stats.rate_limited == 1 and len(canned.requests) == 2


def test_daily_429_is_a_quota_stop_and_blocks_further_requests(canned: CannedServer) -> None:
    canned.sequence(PATH, [err(4291, 429, "Rate limit exceeded (per day)")])
    c = client(canned)
    with pytest.raises(QuotaExhaustedError, match="4291") as first:
        c.post(PATH, {})
    with pytest.raises(QuotaExhaustedError) as second:
        c.post(PATH, {})
    # the quota day is assumed to be the UTC day: both say the next UTC midnight
    now = datetime.now(UTC)
    for stop in (first.value, second.value):
        resets = stop.resets_at
        assert resets is not None and (resets.hour, resets.minute) == (0, 0)
        assert resets.utcoffset() == timedelta(0) and timedelta(0) < resets - now <= \
            timedelta(days=1)
    assert len(canned.requests) == 1  # the second call was never sent


@pytest.mark.parametrize("code,status,key", [(4010, 401, "api_key"), (4011, 401, "api_key"),
                                             (4031, 403, "api_key"), (4030, 403, "profile_id")])
def test_auth_errors_are_not_retried_and_name_the_key(canned: CannedServer, code: int,
                                                      status: int, key: str) -> None:
    canned.sequence(PATH, [err(code, status)] * 3)
    c = client(canned)
    with pytest.raises(AuthenticationError) as info:
        c.post(PATH, {})
    assert f"sources.ptengine.{key}" in str(info.value)
    assert len(canned.requests) == 1


def test_documented_400_names_code_text_and_params_without_secret(canned: CannedServer) -> None:
    canned.sequence(PATH, [err(4018, 400, "Invalid field: metric 'foo'")])
    c = client(canned)
    with pytest.raises(ApiError) as info:
        c.post(PATH, {"queryType": "metric_curve", "metric": "foo", "note": KEY})
    text = str(info.value)
    assert "4018" in text and "Invalid field: metric 'foo'" in text
    assert "'metric': 'foo'" in text and KEY not in text and "***" in text


def test_skip_and_retention_codes(canned: CannedServer) -> None:
    canned.sequence(PATH, [err(4008, 400, "Page block not configured"),
                           err(4003, 400, "earliest allowed date is 2026-01-01")])
    c = client(canned)
    with pytest.raises(SkippableItemError):
        c.post(PATH, {})
    with pytest.raises(RetentionError, match="2026-01-01"):
        c.post(PATH, {})


def test_msg_field_is_accepted(canned: CannedServer) -> None:
    canned.sequence(PATH, [(400, HEADERS, {"code": 4019, "msg": "value must be non-empty"})])
    with pytest.raises(ApiError, match="value must be non-empty"):
        client(canned).post(PATH, {})
