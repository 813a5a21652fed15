"""OpenPanel Export API client: the two credential headers, error bodies, rate headers.

Every call goes through the shared ``PacedClient`` (pacing, retries, redaction). This
module only knows OpenPanel's shapes: its ``x-ratelimit-*`` headers (``reset`` is
seconds until the window resets), its error bodies (NOTES.md: ``{"status", "message"}``,
a 401 ``{"error": "Unauthorized", "message": "Export: …"}``, a plain-text 500) and the
JSON bodies, parsed with orjson (dlt's own JSON library). Event pages for the load
(``events_page``) are read by arrow's JSON reader straight into columns instead (see
``shaping.read_events_page``), inside the retried call, so a malformed body is retried.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import orjson

from sources.common.errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    TransientError,
)
from sources.common.http import PacedClient, RetryPolicy, header_int
from sources.common.limiter import RateInfo, RateLimiter, limiter_for
from sources.openpanel import settings as S
from sources.openpanel import shaping
from sources.openpanel.config import PLANS, key

KEY_CREDENTIALS = f"{key('client_id')}` and `{key('client_secret')}"
Params = Mapping[str, str | Sequence[str]]


def read_rate_headers(response: httpx.Response) -> RateInfo | None:
    """Read ``x-ratelimit-*``; ``None`` when the response carries none.

    Example:
        >>> r = httpx.Response(200, headers={"x-ratelimit-limit": "100",
        ...     "x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"})
        >>> read_rate_headers(r).reset_seconds
        7.0
    """
    h = S.RATE_HEADERS
    limit = header_int(response, h["limit"])
    remaining = header_int(response, h["remaining"])
    reset = header_int(response, h["reset"])
    if limit is None and remaining is None:
        return None
    return RateInfo(limit_minute=limit, remaining_minute=remaining,
                    reset_seconds=float(reset) if reset is not None else None)


def parse_body(response: httpx.Response) -> Any:
    """The JSON body; a malformed one is a transient fault worth retrying."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise TransientError(
            f"malformed response body (HTTP {response.status_code}, "
            f"{len(response.content)} bytes) from {response.request.url.path}") from None


class OpenPanelClient:
    """``/export/events`` and ``/export/charts`` for one client id.

    Args:
        base_url: API root (the simulator's URL in tests and the demo).
        client_id: the ``openpanel-client-id`` (a client of mode ``read`` or ``root``).
        client_secret: the ``openpanel-client-secret``.
        project_id: the project every call reads.
        limiter: the client id's shared limiter (see ``make_limiter``).
        policy: retry policy.
        timeout: seconds per request.

    Usage (needs the real API, so it is not run as a test)::

            client = OpenPanelClient("https://api.openpanel.dev", "0b6f…", "secret", "demo",
                                     RateLimiter(rpm=100, window_seconds=10))
            client.events({"start": "2026-04-01", "end": "2026-04-01"})
    """

    def __init__(self, base_url: str, client_id: str, client_secret: str, project_id: str,
                 limiter: RateLimiter, *, policy: RetryPolicy | None = None,
                 timeout: float = 30.0) -> None:
        self.project_id = project_id
        self._columnar = threading.local()  # set while ``events_page`` runs in a thread
        self.http = PacedClient(
            base_url,
            headers={S.HEADER_CLIENT_ID: client_id, S.HEADER_CLIENT_SECRET: client_secret,
                     "Accept": "application/json"},
            secrets={client_secret},
            limiter=limiter,
            interpret=self._interpret,
            read_rate_headers=read_rate_headers,
            policy=policy,
            timeout=timeout,
        )

    def events(self, params: Params) -> dict[str, Any]:
        """One page of ``GET /export/events`` (``projectId`` added): ``{"meta", "data"}``."""
        return self.http.call("GET", S.PATH_EVENTS, params={"projectId": self.project_id,
                                                            **params})

    def events_page(self, params: Params) -> shaping.RawPage:
        """One page of ``GET /export/events`` with ``data`` read into arrow when possible.

        Same request, pacing and errors as ``events``; the body is parsed by arrow's JSON
        reader (``shaping.read_events_page``), or by orjson when arrow cannot read it.
        """
        self._columnar.on = True
        try:
            return self.http.call("GET", S.PATH_EVENTS, params={"projectId": self.project_id,
                                                                **params})
        finally:
            self._columnar.on = False

    def chart(self, params: Params) -> dict[str, Any]:
        """``GET /export/charts`` (``projectId`` added): ``{"series", "metrics"}``."""
        return self.http.call("GET", S.PATH_CHARTS, params={"projectId": self.project_id,
                                                            **params})

    def close(self) -> None:
        self.http.close()

    # -- answers ---------------------------------------------------------------------------
    def _interpret(self, response: httpx.Response) -> Any:
        status = response.status_code
        if status == 200:
            if getattr(self._columnar, "on", False):
                page = shaping.read_events_page(response.content)
                if page is not None:
                    return page
                body = parse_body(response)
                if not isinstance(body, dict):
                    raise TransientError(f"unexpected body from {response.request.url.path}")
                data = body.get("data")
                return shaping.RawPage(body.get("meta") or {},
                                       data if isinstance(data, list) else [])
            body = parse_body(response)
            if not isinstance(body, dict):
                raise TransientError(f"unexpected body from {response.request.url.path}")
            return body
        if status >= 500:
            raise TransientError(f"OpenPanel server error (HTTP {status}) on "
                                 f"{response.request.url.path}: {_text(response)[:200]}")
        message = _message(response)
        if status == 429:
            retry = header_int(response, S.RETRY_AFTER)
            raise RateLimitedError(f"HTTP 429: {message}",
                                   float(retry) if retry is not None else None)
        if status == 401:
            raise AuthenticationError(f"OpenPanel refused the client credentials (HTTP 401: "
                                      f"{message})", KEY_CREDENTIALS)
        if status in (403, 404) and "project" in message.lower():
            raise AuthenticationError(f"OpenPanel refused the project (HTTP {status}: {message})",
                                      key("project_id"))
        if status == 403:
            raise AuthenticationError(f"OpenPanel refused the request (HTTP 403: {message}); "
                                      "the client needs mode read or root", key("client_id"))
        params = dict(self.http.redact(dict(response.request.url.params.multi_items())))
        raise ApiError(message, code=status, status=status,
                       endpoint=response.request.url.path, params=params)


def _text(response: httpx.Response) -> str:
    return response.content.decode("utf-8", "replace")


def _message(response: httpx.Response) -> str:
    """The error text: ``message`` plus any validation ``details``, or the raw body."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return _text(response)[:200] or f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return str(body)[:200]
    text = str(body.get("message") or body.get("error") or f"HTTP {response.status_code}")
    details = body.get("details")
    if isinstance(details, list) and details:
        text += " — " + "; ".join(
            f"{'.'.join(str(p) for p in d.get('path', []))}: {d.get('message')}"
            for d in details if isinstance(d, dict))
    return text


def make_limiter(client_id: str, *, plan: str, rpm: int | None, daily_budget: int | None,
                 window_seconds: float = S.RATE_WINDOW_SECONDS) -> RateLimiter:
    """The client id's shared limiter: 100 requests per 10-second window (or learnt).

    Example:
        >>> make_limiter("0b6f4c3e-…", plan="standard", rpm=None, daily_budget=None).rpm
        100
    """
    preset = PLANS.get(plan)
    return limiter_for(
        "openpanel", client_id,
        lambda: RateLimiter(rpm=rpm if rpm is not None else (preset[0] if preset else None),
                            rpd=None, daily_budget=daily_budget,
                            window_seconds=window_seconds))
