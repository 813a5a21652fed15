"""Ptengine Open API client: the ``x-api-key`` header, the envelope, the error codes.

Every call goes through the shared ``PacedClient`` (pacing, retries, redaction). This
module only knows Ptengine's shapes: how to read its rate headers and how to turn an
envelope into data or into one of the common errors.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from sources.common.dates import next_midnight
from sources.common.errors import (
    ApiError,
    AuthenticationError,
    QuotaExhaustedError,
    RateLimitedError,
    RetentionError,
    SkippableItemError,
    TransientError,
)
from sources.common.http import PacedClient, RetryPolicy, header_int, json_or_transient
from sources.common.limiter import RateInfo, RateLimiter, limiter_for
from sources.ptengine import settings as S

KEY_API_KEY = "sources.ptengine.api_key"
KEY_PROFILE_ID = "sources.ptengine.profile_id"


def read_rate_headers(response: httpx.Response) -> RateInfo | None:
    """Read ``X-RateLimit-*`` (NOTES.md); ``None`` when the response carries none."""
    h = S.RATE_HEADERS
    info = RateInfo(
        limit_minute=header_int(response, h["limit_minute"]),
        remaining_minute=header_int(response, h["remaining_minute"]),
        limit_day=header_int(response, h["limit_day"]),
        remaining_day=header_int(response, h["remaining_day"]),
        tier=response.headers.get(h["tier"]),
    )
    if info.limit_minute is None and info.remaining_day is None and info.limit_day is None:
        return None
    return info


class PtengineClient:
    """One method per endpoint family; returns the envelope's ``data``.

    Args:
        base_url: API root (the simulator's URL in tests and the demo).
        api_key: the ``x-api-key`` secret.
        profile_id: the site id bound to the key.
        limiter: the credential's shared limiter (see ``make_limiter``).
        policy: retry policy.
        timeout: seconds per request.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        profile_id: str,
        limiter: RateLimiter,
        *,
        policy: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.profile_id = profile_id
        limiter.quota_timezone = limiter.quota_timezone or S.QUOTA_TIMEZONE
        self.http = PacedClient(
            base_url,
            headers={"x-api-key": api_key, "Accept": "application/json"},
            secrets={api_key},
            limiter=limiter,
            interpret=self._interpret,
            read_rate_headers=read_rate_headers,
            policy=policy,
            timeout=timeout,
            base_url_key="sources.ptengine.base_url",
        )

    # -- endpoints ---------------------------------------------------------------------
    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST a query body (``profileId`` added) and return ``data``."""
        return self.http.call("POST", path, json_body={"profileId": self.profile_id, **body})

    def event_fields(self, lang: str) -> Any:
        return self.http.call("GET", S.PATH_EVENT_FIELDS, params={"lang": lang})

    def close(self) -> None:
        self.http.close()

    # -- envelope --------------------------------------------------------------------------
    def _interpret(self, response: httpx.Response) -> Any:
        status = response.status_code
        try:
            body = json_or_transient(response)
        except TransientError:
            if status in (401, 403):
                raise AuthenticationError(
                    f"Ptengine refused the request (HTTP {status})", KEY_API_KEY
                ) from None
            if status == 429:
                raise RateLimitedError("HTTP 429 without a body") from None
            raise
        if not isinstance(body, dict) or "code" not in body:
            if status >= 500:
                raise TransientError(f"HTTP {status} from {response.request.url.path}")
            if status == 429:
                raise RateLimitedError("HTTP 429 without an envelope")
            raise TransientError(
                f"unexpected body (HTTP {status}) from {response.request.url.path}")
        code = body.get("code")
        # NOTES.md: the text may come as "message" or "msg"; the business code is the truth
        message = str(body.get("message") or body.get("msg") or "")
        if code == 200:
            return body.get("data")
        return self._raise_for(code, status, message, response)

    def _raise_for(self, code: Any, status: int, message: str, response: httpx.Response) -> Any:
        known = S.ERROR_CODES.get(code) if isinstance(code, int) else None
        kind = known.kind if known else ("server" if status >= 500 else "bad_request")
        text = message or (known.text if known else "no message")
        if kind == "auth":
            raise AuthenticationError(f"Ptengine refused the API key ({code} {text})", KEY_API_KEY)
        if kind == "permission":
            key = KEY_PROFILE_ID if code == 4030 else KEY_API_KEY
            raise AuthenticationError(f"Ptengine refused the request ({code} {text})", key)
        if kind == "rate_minute" or (status == 429 and kind != "rate_day"):
            raise RateLimitedError(f"{code} {text}")
        if kind == "rate_day":
            raise QuotaExhaustedError(
                f"Ptengine's daily request quota is exhausted ({code} {text})",
                resets_at=next_midnight(S.QUOTA_TIMEZONE),
            )
        if kind == "server":
            raise TransientError(f"Ptengine server error {code} (HTTP {status}): {text}")
        params = self._request_params(response)
        endpoint = response.request.url.path
        if kind in ("skip_item", "not_found"):
            raise SkippableItemError(text, code=code, status=status, endpoint=endpoint,
                                     params=params)
        if kind == "retention":
            raise RetentionError(text, code=code, status=status, endpoint=endpoint, params=params)
        raise ApiError(text, code=code, status=status, endpoint=endpoint, params=params)

    def _request_params(self, response: httpx.Response) -> dict[str, Any]:
        try:
            sent = json.loads(response.request.content or b"{}")
        except ValueError:
            sent = {}
        if response.request.url.query:
            sent.update(dict(response.request.url.params))
        return dict(self.http.redact(sent))


def make_limiter(
    api_key: str,
    *,
    plan: str,
    rpm: int | None,
    rpd: int | None,
    daily_budget: int | None,
    window_seconds: float = 60.0,
) -> RateLimiter:
    """The key's shared limiter: plan preset, explicit overrides win, ``auto`` learns."""
    preset = S.PLANS.get(plan)
    return limiter_for(
        "ptengine",
        api_key,
        lambda: RateLimiter(
            rpm=rpm if rpm is not None else (preset.rpm if preset else None),
            rpd=rpd if rpd is not None else (preset.rpd if preset else None),
            daily_budget=daily_budget,
            window_seconds=window_seconds,
        ),
    )
