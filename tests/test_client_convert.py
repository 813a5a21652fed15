"""The Convert client over real HTTP: error bodies, throttling, retries, paging, redaction."""

from __future__ import annotations

import pytest

from sources.common.errors import (
    ApiError,
    AuthenticationError,
    SkippableItemError,
    TransientError,
)
from sources.common.http import RetryPolicy
from sources.common.limiter import RateLimiter
from sources.convert.client import ConvertClient, pacing_window
from tests.conftest import CannedServer

SECRET = "convert-secret-abcdef"
PATH = "/accounts/1/projects/2/experiences"


def client(canned: CannedServer) -> ConvertClient:
    limiter = RateLimiter(rpm=1000, sleep=lambda s: None, window_seconds=1)
    return ConvertClient(canned.url + "/api/v2", "app", SECRET, limiter,
                         policy=RetryPolicy(backoff_initial=0.01, backoff_max=0.02), timeout=2,
                         throttle_wait_seconds=0.5)


def page(n: int, pages: int) -> dict:
    return {"data": [{"id": n}], "extra": {"pagination": {
        "current_page": n, "items_count": pages, "items_per_page": 1, "pages_count": pages}}}


def test_throttling_as_429_or_500_text_is_waited_out_then_retried(canned: CannedServer) -> None:
    canned.sequence("/api/v2" + PATH, [
        (429, {"Retry-After": "1"}, {"code": 429, "message": "Too Many Requests"}),
        (500, {}, {"code": 500, "message": "Too many requests, please slow down"}),
        (503, {}, b"upstream busy"),
        (0, {}, b""),
        (200, {}, b'{"data": [{"id": 1'),
        (200, {}, page(1, 1)),
    ])
    c = client(canned)
    assert c.post(PATH, {"page": 1}) == page(1, 1)
    assert c.http.stats.rate_limited == 2 and c.http.stats.retries == 5
    assert c.http.limiter.stats.rate_limited == 2
    assert len(canned.requests) == 6
    assert all(r["headers"]["Authorization"].startswith("Convert-HMAC-SHA256 Signature=")
               for r in canned.requests)


def test_pages_follow_pagination(canned: CannedServer) -> None:
    canned.sequence("/api/v2" + PATH, [(200, {}, page(n, 3)) for n in (1, 2, 3)])
    c = client(canned)
    assert [p["data"][0]["id"] for p in c.pages(PATH, {"results_per_page": 1})] == [1, 2, 3]
    assert [r["body"] for r in canned.requests] == [
        b'{"results_per_page":1,"page":%d}' % n for n in (1, 2, 3)]


@pytest.mark.parametrize("status,error,key", [
    (401, AuthenticationError, "application_secret"),
    (403, AuthenticationError, "account_id"),
    (404, SkippableItemError, None),
    (422, ApiError, None),
])
def test_errors_map_to_the_common_hierarchy(canned: CannedServer, status: int, error: type,
                                            key: str | None) -> None:
    canned.route("/api/v2" + PATH, {"code": status, "message": ["bad thing", SECRET],
                                    "fields": {"sort_by": "not allowed"}}, status=status)
    with pytest.raises(error) as caught:
        client(canned).post(PATH, {"sort_by": "nope"})
    text = str(caught.value)
    assert SECRET not in text and "bad thing" in text
    if key:
        assert key in text
    if status == 422:
        assert "sort_by" in text and "'invalid_fields'" in text
    assert len(canned.requests) == 1  # never retried


def test_server_errors_are_retried_a_bounded_number_of_times(canned: CannedServer) -> None:
    canned.route("/api/v2" + PATH, {"code": 500, "message": "Internal Server Error"},
                 status=500)
    with pytest.raises(TransientError):
        client(canned).post(PATH, {})
    assert len(canned.requests) == 6  # 1 + max_retries


def test_pace_is_spread_evenly() -> None:
    assert pacing_window(120) == (2, 1.0)
    assert pacing_window(1) == (1, 60.0)
