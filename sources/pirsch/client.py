"""Pirsch API client: client-credential tokens, error bodies, rate headers.

Every call goes through the shared ``PacedClient`` (pacing, retries, redaction). This
module knows Pirsch's shapes: ``POST /api/v1/token`` gives a bearer token with an
``expires_at`` (UTC); the token is cached per credential, refreshed shortly before it
expires and, when the API answers 401 anyway, fetched again once and the call retried.
Statistics and configuration endpoints have separate limits (NOTES.md: none today for
statistics, 60/min for configuration), so each group has its own shared limiter; the
token endpoint has one too, because a token is fetched while signing a request that
already holds its own limiter's slot.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from sources.common.errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    TransientError,
)
from sources.common.http import PacedClient, RetryPolicy, header_int, json_or_transient
from sources.common.limiter import RateInfo, RateLimiter, limiter_for
from sources.common.values import parse_timestamp
from sources.pirsch import settings as S
from sources.pirsch.config import key

KEY_CREDENTIALS = f"{key('client_id')}` and `{key('client_secret')}"
REFRESH_MARGIN_SECONDS = 60.0
Clock = Callable[[], float]


class TokenRejected(AuthenticationError):
    """A statistics call answered 401: the token is no longer valid (refresh once)."""

    def __init__(self, message: str, token: str) -> None:
        self.token = token
        super().__init__(message, KEY_CREDENTIALS)


def read_rate_headers(response: httpx.Response, now: Clock = time.time) -> RateInfo | None:
    """Read ``X-RateLimit-*`` (NOTES.md); ``None`` when the response carries none.

    ``X-RateLimit-Reset`` is a unix timestamp; it becomes seconds from now.

    Example:
        >>> r = httpx.Response(200, headers={"X-RateLimit-Limit": "60",
        ...     "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"})
        >>> read_rate_headers(r, now=lambda: 1000.0).reset_seconds
        30.0
    """
    h = S.RATE_HEADERS
    limit, remaining = header_int(response, h["limit"]), header_int(response, h["remaining"])
    reset = header_int(response, h["reset"])
    if limit is None and remaining is None:
        return None
    return RateInfo(limit_minute=limit, remaining_minute=remaining,
                    reset_seconds=None if reset is None else max(0.0, reset - now()))


def error_text(body: Any) -> str:
    """Pirsch's error body (``validation`` map, ``error`` list) as one line.

    Example:
        >>> error_text({"validation": {"from": "required"}, "error": ["bad request"]})
        'from: required; bad request'
    """
    if not isinstance(body, Mapping):
        return "no error body"
    parts = [f"{k}: {v}" for k, v in (body.get("validation") or {}).items()]
    errors = body.get("error") or []
    parts += [str(e) for e in (errors if isinstance(errors, list) else [errors])]
    return "; ".join(parts) or "no error message"


class TokenCache:
    """The bearer token of one client, shared by every thread of the process.

    A token is renewed when less than a minute (at most a tenth of its lifetime) remains.

    Example:
        >>> cache = TokenCache(clock=lambda: 0.0)
        >>> cache.current(lambda: ("t1", 3600.0)), cache.current(lambda: ("t2", 3600.0))
        ('t1', 't1')
        >>> cache.invalidate("t1"); cache.current(lambda: ("t2", 3600.0))
        't2'
    """

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def current(self, fetch: Callable[[], tuple[str, float]]) -> str:
        """A valid token; ``fetch() -> (token, expires_at as unix seconds)`` when needed."""
        with self._lock:
            if self._token is None or self.clock() >= self._refresh_at:
                issued = self.clock()
                token, expires = fetch()
                margin = min(REFRESH_MARGIN_SECONDS, max(0.0, expires - issued) / 10)
                self._token, self._refresh_at = token, expires - margin
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (unless another thread has already replaced it)."""
        with self._lock:
            if self._token == token:
                self._token = None


_TOKENS: dict[str, TokenCache] = {}
_TOKENS_LOCK = threading.Lock()


def token_cache_for(base_url: str, client_id: str, client_secret: str,
                    clock: Clock = time.time) -> TokenCache:
    """The process's token cache for one credential (hashed, never kept as a key)."""
    digest = hashlib.sha256(f"{base_url}\n{client_id}\n{client_secret}".encode()).hexdigest()
    with _TOKENS_LOCK:
        if digest not in _TOKENS or _TOKENS[digest].clock is not clock:
            _TOKENS[digest] = TokenCache(clock)
        return _TOKENS[digest]


@dataclass(frozen=True)
class Limiters:
    """One credential's shared limiters, one per endpoint group."""

    stats: RateLimiter
    config: RateLimiter
    token: RateLimiter

    @classmethod
    def unlimited(cls) -> Limiters:
        """Three fresh limiters that learn from headers (for tests)."""
        return cls(RateLimiter(rpm=None), RateLimiter(rpm=None), RateLimiter(rpm=None))


class PirschClient:
    """Authenticated GETs of the statistics and domain endpoints.

    Args:
        base_url: API root (the simulator's URL in tests and the demo).
        client_id: the API client's id (32 characters).
        client_secret: its secret (64 characters).
        limiters: the credential's shared limiters (see :func:`make_limiters`).
        policy: retry policy.
        timeout: seconds per request.
        clock: wall clock for token expiry (injectable for tests).

    Usage (needs the real API, so it is not run as a test)::

            client = PirschClient(url, cid, secret, make_limiters(cid))
            client.statistics("/api/v1/statistics/visitor",
                              {"id": "A5kgYzK14m", "from": "2026-04-01", "to": "2026-04-30"}
                              )
    """

    def __init__(self, base_url: str, client_id: str, client_secret: str,
                 limiters: Limiters, *, policy: RetryPolicy | None = None,
                 timeout: float = 30.0, clock: Clock = time.time) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens = token_cache_for(base_url, client_id, client_secret, clock)

        def paced(limiter: RateLimiter) -> PacedClient:
            return PacedClient(base_url, headers={"Accept": "application/json"},
                               secrets={client_id, client_secret}, limiter=limiter,
                               interpret=self._interpret, read_rate_headers=read_rate_headers,
                               policy=policy, timeout=timeout, base_url_key=key("base_url"))

        self.stats_http = paced(limiters.stats)
        self.config_http = paced(limiters.config)
        self.token_http = paced(limiters.token)

    # -- endpoints ---------------------------------------------------------------------
    def statistics(self, path: str, params: Mapping[str, Any]) -> Any:
        """GET a statistics endpoint; returns the parsed body (``None`` for ``null``)."""
        return self._authorized(self.stats_http, path, params)

    def domains(self) -> list[dict[str, Any]]:
        """The domains this client may read (``GET /api/v1/domain``)."""
        return list(self._authorized(self.config_http, S.PATH_DOMAIN, None) or [])

    def close(self) -> None:
        for http in self._all:
            http.close()

    @property
    def _all(self) -> tuple[PacedClient, ...]:
        return self.stats_http, self.config_http, self.token_http

    # -- tokens ------------------------------------------------------------------------
    def _authorized(self, http: PacedClient, path: str, params: Mapping[str, Any] | None) -> Any:
        try:
            return http.call("GET", path, params=params, sign=self._sign)
        except TokenRejected as exc:
            self.tokens.invalidate(exc.token)
        # the API said 401: one new token, one more try (a second 401 is final)
        return http.call("GET", path, params=params, sign=self._sign)

    def _sign(self, request: httpx.Request) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {self.tokens.current(self._fetch_token)}"
        return request

    def _fetch_token(self) -> tuple[str, float]:
        body = self.token_http.call("POST", S.PATH_TOKEN, json_body={
            "client_id": self.client_id, "client_secret": self.client_secret})
        token = body.get("access_token") if isinstance(body, Mapping) else None
        expires = parse_timestamp(body.get("expires_at"), field="expires_at") \
            if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token:
            raise TransientError("the token endpoint answered without an access_token")
        for http in self._all:
            http.secrets = http.secrets | {token}
        # no expiry given: treat the token as short-lived and let a 401 renew it
        return token, expires.timestamp() if isinstance(expires, datetime) else time.time() + 60

    # -- answers -----------------------------------------------------------------------
    def _interpret(self, response: httpx.Response) -> Any:
        status = response.status_code
        path = response.request.url.path
        if 200 <= status < 300:
            return json_or_transient(response)
        body = _body_or_none(response)
        text = error_text(body)
        if path.endswith(S.PATH_TOKEN) and status in (400, 401, 403, 404):
            raise AuthenticationError(f"Pirsch refused the client credentials (HTTP {status}: "
                                      f"{text})", KEY_CREDENTIALS)
        if status == 401:
            sent = response.request.headers.get("Authorization", "")
            raise TokenRejected(f"Pirsch refused the access token (HTTP 401: {text})",
                                sent.removeprefix("Bearer "))
        if status == 403:
            raise AuthenticationError(f"Pirsch refused the request to {path} (HTTP 403: {text}); "
                                      "the client needs statistics read access to the domain",
                                      key("client_id"))
        if status == 429:
            retry_after = header_int(response, "Retry-After")
            info = read_rate_headers(response)
            wait = float(retry_after) if retry_after is not None else (
                info.reset_seconds if info else None)
            raise RateLimitedError(f"HTTP 429 on {path}: {text}", retry_after=wait)
        if status >= 500:
            raise TransientError(f"Pirsch server error (HTTP {status}) on {path}: {text}")
        params = dict(response.request.url.params)
        raise ApiError(text, code=status, status=status, endpoint=path,
                       params=self.stats_http.redact(params))


def _body_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def make_limiters(client_id: str, *, rpm: int | None = None, daily_budget: int | None = None,
                  window_seconds: float = 60.0) -> Limiters:
    """The credential's shared limiters: statistics (unlimited unless ``rpm`` or the
    headers say otherwise; ``daily_budget`` counts these), domains and tokens (60 a minute
    each, the documented limit of configuration endpoints)."""
    def config() -> RateLimiter:
        return RateLimiter(rpm=S.CONFIG_RPM, window_seconds=window_seconds)

    return Limiters(
        stats=limiter_for("pirsch", client_id, lambda: RateLimiter(
            rpm=rpm, daily_budget=daily_budget, window_seconds=window_seconds)),
        config=limiter_for("pirsch-domains", client_id, config),
        token=limiter_for("pirsch-token", client_id, config),
    )
