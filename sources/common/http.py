"""The paced HTTP client every vendor client is built on.

One ``PacedClient`` wraps an ``httpx.Client`` with:

* the credential's shared ``RateLimiter`` (acquired before, released after each call);
* retries with exponential backoff and jitter (tenacity) for 5xx, timeouts, connection
  resets and malformed bodies, a bounded number of times;
* per-minute 429 handling: wait for the window (``Retry-After`` honoured with a floor and
  a cap) and retry, also bounded;
* request accounting for the run summary;
* redaction: no secret reaches an exception, a log line or the summary.

Vendor clients supply two small functions: ``read_rate_headers(response) -> RateInfo``
and ``interpret(response) -> data`` which unwraps the envelope or raises one of the
common errors (``AuthenticationError``, ``QuotaExhaustedError``, ``RateLimitedError``,
``TransientError``, ``ApiError`` …).

We chose httpx (HTTP/1.1 keep-alive pool, strict timeouts, TLS verification on by
default) and tenacity (the retry library dlt itself depends on) over hand-written loops.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_any
from tenacity.stop import stop_base

from sources.common.errors import (
    ConfigurationError,
    QuotaExhaustedError,
    RateLimitedError,
    TransientError,
    redact,
)
from sources.common.limiter import RateInfo, RateLimiter, Sleep

log = logging.getLogger("analytics_elt.http")

Interpret = Callable[[httpx.Response], Any]
ReadRateHeaders = Callable[[httpx.Response], RateInfo | None]


class UnreachableError(TransientError):
    """The connection could not be made (retried like any transient fault)."""

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass
class RetryPolicy:
    """How hard to try.

    Attributes:
        max_retries: retries of transient failures per call (5xx, timeout, reset,
            malformed body) before the call fails.
        max_rate_limited: consecutive per-minute 429s tolerated per call.
        backoff_initial: first backoff in seconds (doubles each retry, plus jitter).
        backoff_max: the longest single backoff.
        retry_after_floor: the shortest wait after a 429.
        retry_after_cap: the longest wait after a 429.
    """

    max_retries: int = 5
    max_rate_limited: int = 10
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    retry_after_floor: float = 0.5
    retry_after_cap: float = 120.0


@dataclass
class RequestStats:
    """What the run spent, for the summary."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, endpoint: str) -> None:
        with self._lock:
            self.requests += 1
            self.by_endpoint[endpoint] += 1


def validate_base_url(url: str, key: str) -> str:
    """Check a configured API root: absolute http(s) URL; plain http only on loopback.

    Raises:
        ConfigurationError: naming ``key`` and the fix.
    """
    try:
        parsed = httpx.URL(url)
    except Exception as exc:  # httpx raises several types for garbage
        raise ConfigurationError(key, f"'{url}' is not a URL", "use https://host/") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(key, f"'{url}' is not an http(s) URL", "use https://host/")
    if parsed.scheme == "http" and parsed.host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigurationError(
            key,
            f"'{url}' would send credentials unencrypted",
            "use https:// (plain http is accepted only for a simulator on loopback)",
        )
    return url


class _StopAfterTransient(stop_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: RetryCallState) -> bool:
        counts: Counter[str] = retry_state.retry_object.statistics.setdefault("kinds", Counter())
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        kind = "rate" if isinstance(exc, RateLimitedError) else "transient"
        counts[kind] += 1
        if kind == "rate":
            return counts[kind] > self.policy.max_rate_limited
        return counts[kind] > self.policy.max_retries


class PacedClient:
    """A paced, retrying, redacting HTTP client for one credential.

    Args:
        base_url: the API root.
        headers: headers sent with every request (credentials included).
        secrets: strings to redact from anything the client reports.
        limiter: the credential's shared limiter.
        interpret: unwraps a response or raises a common error.
        read_rate_headers: reads the vendor's rate-limit headers.
        policy: retry policy.
        timeout: seconds per request (connect, read, write, pool).
        sleep: sleep function (injectable for tests).
        jitter: random source for backoff jitter.

    Usage (needs the real API, so it is not run as a test)::

            client = PacedClient("https://api.example.com", headers={}, secrets=set(),
                                 limiter=RateLimiter(rpm=30), interpret=lambda r: r.json(),
                                 read_rate_headers=lambda r: None)
            client.call("POST", "/v1/query", json={"a": 1})
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str],
        secrets: set[str],
        limiter: RateLimiter,
        interpret: Interpret,
        read_rate_headers: ReadRateHeaders,
        policy: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Sleep | None = None,
        jitter: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        base_url_key: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.secrets = {s for s in secrets if s}
        self.limiter = limiter
        self.interpret = interpret
        self.read_rate_headers = read_rate_headers
        self.policy = policy or RetryPolicy()
        self.stats = RequestStats()
        self._sleep = sleep or limiter._sleep
        self._jitter = jitter or random.Random()
        self.base_url_key = base_url_key
        self._answered = False
        self._http = httpx.Client(
            base_url=base_url,
            headers=dict(headers),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PacedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public --------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        sign: Callable[[httpx.Request], httpx.Request] | None = None,
    ) -> Any:
        """Send one logical request (retried as needed) and return what ``interpret`` gives.

        Raises:
            AuthenticationError, QuotaExhaustedError, ApiError: not retried.
            TransientError: the retries ran out.
        """
        retrying = Retrying(
            retry=retry_if_exception_type((TransientError, RateLimitedError)),
            stop=stop_any(_StopAfterTransient(self.policy)),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._before_sleep,
        )
        try:
            return retrying(self._attempt, method, path, json_body, params, content, headers,
                            sign)
        except UnreachableError as exc:
            if self._answered or not self.base_url_key:
                raise
            # the host never answered anything: a wrong URL or no route, not a passing fault
            raise ConfigurationError(
                self.base_url_key, f"cannot connect to {self.base_url} ({exc.reason})",
                "check the URL, the network and any proxy; the API answered nothing",
            ) from None

    def redact(self, value: Any) -> Any:
        """Replace every secret inside ``value``."""
        return redact(value, self.secrets)

    # -- one attempt ---------------------------------------------------------------------
    def _attempt(
        self,
        method: str,
        path: str,
        json_body: Any,
        params: Mapping[str, Any] | None,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        sign: Callable[[httpx.Request], httpx.Request] | None,
    ) -> Any:
        if content is None and json_body is not None:
            content = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        request = self._http.build_request(
            method, path, params=params, content=content, headers=headers
        )
        # sign after the limiter's wait, so a short-lived signature cannot expire meanwhile
        self.limiter.acquire()
        if sign is not None:
            try:
                request = sign(request)
            except BaseException:
                self.limiter.release(None)
                raise
        info: RateInfo | None = None
        self.stats.count(f"{method} {path}")
        try:
            response = self._http.send(request)
            self._answered = True
            info = self.read_rate_headers(response)
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout on {method} {path}: {type(exc).__name__}") from None
        except httpx.ConnectError as exc:
            reason = self.redact(str(exc)) or type(exc).__name__
            raise UnreachableError(f"cannot connect for {method} {path}: {reason}",
                                   reason) from None
        except httpx.TransportError as exc:
            raise TransientError(
                f"connection failed on {method} {path}: "
                f"{self.redact(str(exc)) or type(exc).__name__}"
            ) from None
        finally:
            self.limiter.release(info)
        try:
            return self.interpret(response)
        except QuotaExhaustedError:
            self.limiter.note_day_exhausted()
            raise
        except RateLimitedError as exc:
            exc.retry_after = self.limiter.note_rate_limited(self._clamp(exc.retry_after))
            self.stats.rate_limited += 1
            raise

    def _clamp(self, retry_after: float | None) -> float | None:
        if retry_after is None:
            return None
        return min(max(retry_after, self.policy.retry_after_floor), self.policy.retry_after_cap)

    def _wait(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimitedError):
            # the limiter blocks acquire() until the window resets; no extra sleep here
            return 0.0
        attempt = retry_state.retry_object.statistics.get("kinds", Counter())["transient"]
        base = min(self.policy.backoff_max, self.policy.backoff_initial * 2 ** max(0, attempt - 1))
        return base / 2 + self._jitter.uniform(0, base / 2)

    def _before_sleep(self, retry_state: RetryCallState) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        self.stats.retries += 1
        log.warning("retrying after: %s", self.redact(str(exc)))


def json_or_transient(response: httpx.Response) -> Any:
    """Parse a JSON body; a malformed one is a transient fault worth retrying."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise TransientError(
            f"malformed response body (HTTP {response.status_code}, "
            f"{len(response.content)} bytes) from {response.request.url.path}"
        ) from None


def header_int(response: httpx.Response, name: str) -> int | None:
    """An integer header, or ``None`` when missing or not a number."""
    raw = response.headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None
