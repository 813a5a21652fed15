"""The Pirsch client against the simulator over loopback, the simulator's strictness, and the
configuration checks (no request needed)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.pirsch import (
    ACCESS_KEY,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_DOMAIN_ID,
    PirschSimulator,
)
from sources.common.errors import ApiError, AuthenticationError, ConfigurationError
from sources.common.http import RetryPolicy
from sources.common.limiter import RateLimiter
from sources.pirsch import settings as S
from sources.pirsch.client import Limiters, PirschClient
from sources.pirsch.config import build_config, resolve_domain

TODAY = dt.date(2026, 5, 1)
DAY = {"id": DEFAULT_DOMAIN_ID, "from": "2026-04-03", "to": "2026-04-03"}
PAGES = S.ENDPOINTS["pages_daily"].path


@pytest.fixture
def sim() -> Iterator[PirschSimulator]:
    with PirschSimulator(today=TODAY) as s:
        yield s


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def client_for(sim: PirschSimulator, clock: Any = None, secret: str = DEFAULT_CLIENT_SECRET,
               **kw: Any) -> PirschClient:
    return PirschClient(sim.url, DEFAULT_CLIENT_ID, secret, Limiters.unlimited(),
                        clock=clock or Clock(), **kw)


def paths(sim: PirschSimulator, count: int) -> list[tuple[str, int]]:
    """The logged requests, sorted: the log is written just after each answer, so two
    quick requests can be logged in either order."""
    deadline = time.monotonic() + 5
    while len(sim.requests) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return sorted((r["path"], r["status"]) for r in sim.requests)


def raw(sim: PirschSimulator, path: str, params: dict[str, Any], token: str | None = None
        ) -> httpx.Response:
    if token is None:
        token = httpx.post(sim.url + S.PATH_TOKEN, json={
            "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
        ).json()["access_token"]
    return httpx.get(sim.url + path, params=params, headers={"Authorization": f"Bearer {token}"})


# --- tokens -------------------------------------------------------------------------------
def test_the_token_is_reused_then_renewed_before_it_expires(sim: PirschSimulator) -> None:
    sim.token_seconds = 600
    clock = Clock()
    client = client_for(sim, clock)
    client.statistics(PAGES, DAY)
    client.statistics(PAGES, DAY)
    clock.now += 600 - 30  # inside the last minute of the token's life
    client.statistics(PAGES, DAY)
    assert paths(sim, 5) == sorted([(S.PATH_TOKEN, 200)] * 2 + [(PAGES, 200)] * 3)


def test_a_401_gets_one_new_token_and_one_retry(sim: PirschSimulator) -> None:
    client = client_for(sim)
    client.statistics(PAGES, DAY)
    sim.expire_tokens()
    assert client.statistics(PAGES, DAY)
    assert paths(sim, 5) == sorted([(S.PATH_TOKEN, 200)] * 2 + [(PAGES, 200)] * 2
                                   + [(PAGES, 401)])


def test_a_second_401_is_final(sim: PirschSimulator) -> None:
    sim.token_requests = 0  # every token dies on first use
    with pytest.raises(AuthenticationError, match="sources.pirsch.client_id"):
        client_for(sim).statistics(PAGES, DAY)
    assert paths(sim, 4) == sorted([(S.PATH_TOKEN, 200), (PAGES, 401)] * 2)


def test_a_wrong_secret_is_an_authentication_error_without_the_secret(
        sim: PirschSimulator) -> None:
    with pytest.raises(AuthenticationError) as exc:
        client_for(sim, secret="w" * 64).statistics(PAGES, DAY)
    assert "sources.pirsch.client_secret" in str(exc.value) and "w" * 64 not in str(exc.value)
    assert paths(sim, 1) == [(S.PATH_TOKEN, 401)]
    assert sim.requests[0]["body"]["client_secret"] == "***"


def test_a_429_waits_for_retry_after_and_succeeds(sim: PirschSimulator) -> None:
    sim.rpm = 2
    sim.limiter.minute_seconds = 0.5
    window = Limiters(*(RateLimiter(rpm=None, window_seconds=0.5) for _ in range(3)))
    client = PirschClient(sim.url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, window,
                          policy=RetryPolicy(retry_after_floor=0.1, retry_after_cap=1.0))
    for _ in range(4):
        client.statistics(PAGES, DAY)
    logged = paths(sim, 5)
    assert sum(1 for _, s in logged if s == 200) == 5  # the token and four pages
    assert client.stats_http.limiter.rpm == 2  # learned from X-RateLimit-Limit


def test_a_validation_error_names_the_field(sim: PirschSimulator) -> None:
    with pytest.raises(ApiError, match="from: must be a date") as exc:
        client_for(sim).statistics(PAGES, {**DAY, "from": "2026/04/03"})
    assert exc.value.status == 400


# --- the simulator, as strict as the doc ----------------------------------------------------
def test_required_filter_and_error_shape(sim: PirschSimulator) -> None:
    response = raw(sim, PAGES, {"id": DEFAULT_DOMAIN_ID})
    assert response.status_code == 400
    assert response.json() == {"validation": {"from": "required", "to": "required"},
                               "error": [], "context": {}}


def test_limit_is_capped_at_100_and_paging_ends_short(sim: PirschSimulator) -> None:
    day = next(d for d in (dt.date(2026, 4, i) for i in range(1, 8))
               if len(sim.model.day(DEFAULT_DOMAIN_ID, d).lists["page"]) > 100)
    total = len(sim.model.day(DEFAULT_DOMAIN_ID, day).lists["page"])
    query = {**DAY, "from": str(day), "to": str(day)}
    first = raw(sim, PAGES, {**query, "limit": 500}).json()
    assert len(first) == 100
    seen = [r["path"] for r in first]
    for offset in range(100, total, 100):
        seen += [r["path"] for r in raw(sim, PAGES, {**query, "offset": offset}).json()]
    assert len(seen) == len(set(seen)) == total
    assert raw(sim, PAGES, {**query, "offset": total, "limit": 100}).json() == []


def test_empty_lists_are_null_and_series_are_zero_filled(sim: PirschSimulator) -> None:
    future = {"id": DEFAULT_DOMAIN_ID, "from": "2026-05-02", "to": "2026-05-03"}
    assert raw(sim, PAGES, future).text == "null"
    series = raw(sim, S.ENDPOINTS["visitors_daily"].path, future).json()
    assert [(r["day"], r["visitors"]) for r in series] == [
        ("2026-05-02T00:00:00Z", 0), ("2026-05-03T00:00:00Z", 0)]


def test_breakdowns_sum_to_the_days_visitors(sim: PirschSimulator) -> None:
    visitors = raw(sim, S.ENDPOINTS["visitors_daily"].path, DAY).json()[0]["visitors"]
    for table in ("countries_daily", "cities_daily", "os_versions_daily", "channels_daily"):
        rows = raw(sim, S.ENDPOINTS[table].path, {**DAY, "limit": 100}).json()
        assert sum(r["visitors"] for r in rows) == visitors, table
    hours = raw(sim, S.ENDPOINTS["visitors_by_hour_daily"].path, DAY).json()
    assert len(hours) == 24 and sum(h["visitors"] for h in hours) == visitors


def test_access_keys_cannot_read_statistics(sim: PirschSimulator) -> None:
    assert raw(sim, PAGES, DAY, token=ACCESS_KEY).status_code == 403
    assert raw(sim, PAGES, DAY, token="not-a-token").status_code == 401
    assert ACCESS_KEY not in str(sim.requests)


def test_event_meta_needs_event_and_key(sim: PirschSimulator) -> None:
    response = raw(sim, S.ENDPOINTS["event_metadata_daily"].path, DAY)
    assert response.status_code == 400
    assert set(response.json()["validation"]) == {"event", "event_meta_key"}


# --- configuration (no request) -------------------------------------------------------------
GOOD = {"client_id": "c" * 32, "client_secret": "s" * 64}


@pytest.mark.parametrize("values,key,text", [
    ({"access_key": "pa_abc"}, "sources.pirsch.access_key", "write-only"),
    ({**GOOD, "client_secret": "pa_" + "s" * 61}, "sources.pirsch.client_secret", "write-only"),
    ({"client_secret": "s" * 64}, "sources.pirsch.client_id", "is missing"),
    ({**GOOD, "client_id": "short"}, "sources.pirsch.client_id", "has 5 characters"),
    ({**GOOD, "concurrency": 0}, "sources.pirsch.concurrency", "out of range"),
    ({**GOOD, "resources": "pages"}, "sources.pirsch.resources", "not a resource"),
    ({**GOOD, "timezone": "europe/berlin"}, "sources.pirsch.timezone", "Europe/Berlin"),
])
def test_bad_configuration_names_the_key(values: dict[str, Any], key: str, text: str) -> None:
    args = {"client_id": None, "client_secret": None, **values}
    with pytest.raises(ConfigurationError) as exc:
        build_config(**args)
    assert exc.value.key == key and text in str(exc.value)
    assert "pa_abc" not in str(exc.value)


def test_the_domain_is_discovered_and_its_timezone_used() -> None:
    cfg = resolve_domain(build_config(**GOOD), [{"id": "d1", "timezone": "Asia/Tokyo"}],
                         today=TODAY)
    assert (cfg.domain_id, cfg.timezone, cfg.end_date) == ("d1", "Asia/Tokyo",
                                                           dt.date(2026, 4, 30))
    with pytest.raises(ConfigurationError, match="d1 .*d2"):
        resolve_domain(build_config(**GOOD), [{"id": "d1"}, {"id": "d2"}])
    with pytest.raises(AuthenticationError):
        resolve_domain(build_config(**GOOD), [])
