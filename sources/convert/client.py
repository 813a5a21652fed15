"""Convert API v2 client: HMAC signing, error bodies, pagination.

Every call goes through the shared ``PacedClient`` (pacing, retries, redaction) and is
signed per attempt by ``signing.Signer`` over the exact URL and bytes sent. This module
only knows Convert's shapes: ``{"data": …, "extra": {"pagination": …}}`` answers and
``{"code", "message", "fields"}`` errors (NOTES.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from sources.common.errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    SkippableItemError,
    TransientError,
)
from sources.common.http import PacedClient, RetryPolicy, header_int, json_or_transient
from sources.common.limiter import RateInfo, RateLimiter, limiter_for
from sources.convert import settings as S
from sources.convert.signing import Signer

KEY_CREDENTIALS = "sources.convert.application_id / sources.convert.application_secret"
KEY_ACCESS = "sources.convert.account_id / sources.convert.project_ids"


def read_rate_headers(response: httpx.Response) -> RateInfo | None:
    """Convert documents no rate-limit headers; pacing comes from configuration."""
    return None


def error_message(body: Any) -> str:
    """The text of a Convert error body (``message`` is a string or a list of strings).

    Example:
        >>> error_message({"code": 400, "message": ["page must be >= 1", "bad sort_by"]})
        'page must be >= 1; bad sort_by'
    """
    if not isinstance(body, Mapping):
        return ""
    message = body.get("message")
    if isinstance(message, list):
        return "; ".join(str(m) for m in message)
    return str(message or "")


def pages_count(body: Mapping[str, Any]) -> int:
    """How many pages a list answer says there are (``extra.pagination``).

    A missing block means one page; ``pages_count`` wins, else it is derived from
    ``items_count`` / ``items_per_page``.

    Example:
        >>> pages_count({"data": [], "extra": {"pagination": {"pages_count": 3}}})
        3
    """
    pagination = ((body.get("extra") or {}).get("pagination") or {})
    count = pagination.get("pages_count")
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    items, per_page = pagination.get("items_count"), pagination.get("items_per_page")
    if isinstance(items, int) and isinstance(per_page, int) and per_page > 0:
        return math.ceil(items / per_page)
    return 1


class ConvertClient:
    """One method per verb; returns the whole answer (``data`` and ``extra``).

    Args:
        base_url: API root including ``/api/v2`` (the simulator's in tests and the demo).
        application_id: the API key's application id.
        application_secret: the API key's secret (signs, is never sent).
        limiter: the credential's shared limiter (see ``make_limiter``).
        policy: retry policy.
        timeout: seconds per request.
        signature_ttl_seconds: how far in the future each signature expires.
        throttle_wait_seconds: the wait after throttling without ``Retry-After``.

    Usage (needs the real API, so it is not run as a test)::

            client = ConvertClient("https://api.convert.com/api/v2", "app", "secret",
                                   RateLimiter(rpm=120))
            client.post("/accounts/1/projects", {"page": 1})["data"]
    """

    def __init__(self, base_url: str, application_id: str, application_secret: str,
                 limiter: RateLimiter, *, policy: RetryPolicy | None = None,
                 timeout: float = 30.0,
                 signature_ttl_seconds: int = S.DEFAULT_SIGNATURE_TTL_SECONDS,
                 throttle_wait_seconds: float = S.THROTTLE_WAIT_SECONDS) -> None:
        self.throttle_wait_seconds = throttle_wait_seconds
        self.signer = Signer(application_id, application_secret, signature_ttl_seconds)
        self.http = PacedClient(
            base_url,
            headers={"Accept": "application/json"},
            secrets={application_secret},
            limiter=limiter,
            interpret=self._interpret,
            read_rate_headers=read_rate_headers,
            policy=policy,
            timeout=timeout,
            base_url_key="sources.convert.base_url",
        )

    def get(self, path: str) -> Any:
        """GET ``path`` (signed with an empty body)."""
        return self.http.call("GET", path, sign=self.signer)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST a JSON body (serialised once; the signer signs those exact bytes)."""
        return self.http.call("POST", path, json_body=dict(body), sign=self.signer)

    def pages(self, path: str, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every page of a list, in order: ``page`` 1 … ``pages_count``.

        Usage (needs the real API, so it is not run as a test)::

                items = [i for p in client.pages(path, {"results_per_page": 50})
                         for i in p["data"]]
        """
        page, last = 1, 1
        while page <= last:
            answer = self.post(path, {**body, "page": page})
            last = pages_count(answer)
            yield answer
            page += 1

    def close(self) -> None:
        self.http.close()

    # -- answers -----------------------------------------------------------------------
    def _interpret(self, response: httpx.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            body = json_or_transient(response)
            if not isinstance(body, dict):
                raise TransientError(f"unexpected body (HTTP {status}) from "
                                     f"{response.request.url.path}")
            return body
        try:
            body = response.json()
        except ValueError:
            body = None
        text = self.http.redact(error_message(body)) or response.reason_phrase
        if status in (401, 403):
            key = KEY_CREDENTIALS if status == 401 else KEY_ACCESS
            raise AuthenticationError(f"Convert refused the request (HTTP {status}: {text})", key)
        # NOTES.md: throttling comes as 429, or as a 500 whose text says so
        if status == 429 or S.THROTTLE_TEXT in text.lower():
            wait = header_int(response, "Retry-After")
            raise RateLimitedError(f"Convert throttled the request (HTTP {status}: {text})",
                                   retry_after=self.throttle_wait_seconds if wait is None
                                   else wait)
        if status >= 500:
            raise TransientError(f"Convert server error (HTTP {status}): {text}")
        code = body.get("code") if isinstance(body, dict) else None
        params = self._request_params(response)
        if isinstance(body, dict) and body.get("fields"):
            params["invalid_fields"] = self.http.redact(body["fields"])
        endpoint = response.request.url.path
        if status == 404:
            raise SkippableItemError(text, code=code, status=status, endpoint=endpoint,
                                     params=params)
        raise ApiError(text, code=code, status=status, endpoint=endpoint, params=params)

    def _request_params(self, response: httpx.Response) -> dict[str, Any]:
        try:
            sent = json.loads(response.request.content or b"{}")
        except ValueError:
            sent = {}
        return dict(self.http.redact(sent if isinstance(sent, dict) else {}))


def pacing_window(rpm: int) -> tuple[int, float]:
    """``rpm`` as an even pace: (requests per window, window seconds), windows of >= 1 s.

    Example:
        >>> pacing_window(120), pacing_window(30), pacing_window(6000)
        ((2, 1.0), (1, 2.0), (100, 1.0))
    """
    window = max(1.0, 60.0 / rpm)
    return max(1, round(rpm * window / 60)), window


def make_limiter(application_id: str, *, rpm: int, rpd: int | None,
                 daily_budget: int | None) -> RateLimiter:
    """The key's shared limiter: no documented limit, so the configured pace (default 120
    per minute) spread evenly — 2 requests per second, never a burst of 120."""
    per_window, window = pacing_window(rpm)
    return limiter_for(
        "convert",
        application_id,
        lambda: RateLimiter(rpm=per_window, rpd=rpd, daily_budget=daily_budget,
                            window_seconds=window),
    )
