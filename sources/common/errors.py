"""The connector's error hierarchy and its mapping to the CLI's exit codes.

Exit codes (CONTRACT §3): 0 done; 2 bad usage or configuration; 3 credentials or
permission refused; 4 the API's daily quota (or the run's budget) is exhausted; 1 any
other failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_AUTH = 3
EXIT_QUOTA = 4

SECRET_MASK = "***"


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose.

    Attributes:
        exit_code: the CLI exit code this error maps to.
    """

    exit_code: int = EXIT_FAILURE


class ConfigurationError(ConnectorError):
    """A configuration key or CLI flag is wrong; the message names the key and the fix.

    Example:
        >>> ConfigurationError("sources.ptengine.start_date", "'2026-13-01' is not a date",
        ...                    "use YYYY-MM-DD").args[0]
        "sources.ptengine.start_date: '2026-13-01' is not a date (fix: use YYYY-MM-DD)"
    """

    exit_code = EXIT_CONFIG

    def __init__(self, key: str, problem: str, fix: str | None = None) -> None:
        self.key = key
        self.problem = problem
        self.fix = fix
        text = f"{key}: {problem}"
        if fix:
            text += f" (fix: {fix})"
        super().__init__(text)


class AuthenticationError(ConnectorError):
    """The API refused the credentials or the permission (HTTP 401/403). Never retried."""

    exit_code = EXIT_AUTH

    def __init__(self, message: str, credential_key: str) -> None:
        self.credential_key = credential_key
        super().__init__(f"{message} — check `{credential_key}`")


class QuotaExhaustedError(ConnectorError):
    """The daily quota (or the run's ``daily_budget``) is spent; the run stops cleanly.

    Attributes:
        resets_at: when the quota resets (an aware datetime), when known.
    """

    exit_code = EXIT_QUOTA

    def __init__(self, message: str, resets_at: datetime | None = None) -> None:
        self.resets_at = resets_at
        super().__init__(message)


class ApiError(ConnectorError):
    """A documented API error: business code, the API's text and the request parameters.

    Secrets never reach this object: params are redacted by the caller.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.status = status
        self.endpoint = endpoint
        self.params = dict(params or {})
        self.api_message = message
        parts = [f"API error {code}" if code is not None else "API error"]
        if status is not None:
            parts.append(f"(HTTP {status})")
        if endpoint:
            parts.append(f"on {endpoint}")
        text = " ".join(parts) + f": {message}"
        if self.params:
            text += f"; request: {self.params}"
        super().__init__(text)


class ConcurrentRunError(ConnectorError):
    """Another run of the same pipeline holds its lock; this one refuses to start."""


class SkippableItemError(ApiError):
    """An error that skips one item (a page not scanned, an unknown experience)."""


class RetentionError(ApiError):
    """The requested start lies before the plan's data retention."""


class TransientError(ConnectorError):
    """A failure worth retrying (5xx, timeout, reset, malformed body) — after retries ran out
    this is raised to fail the resource with a clear message."""


class RateLimitedError(ConnectorError):
    """A per-minute 429: the limiter waits for the window and retries."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


def redact(value: Any, secrets: set[str] | frozenset[str]) -> Any:
    """Replace every occurrence of any secret string inside ``value`` with ``***``.

    Works on nested dicts, lists and strings; other values pass through.

    Example:
        >>> redact({"k": "abc-secret-1", "n": ["x abc-secret-1"]}, {"abc-secret-1"})
        {'k': '***', 'n': ['x ***']}
    """
    live = [s for s in secrets if s]
    if not live:
        return value
    if isinstance(value, str):
        for s in live:
            value = value.replace(s, SECRET_MASK)
        return value
    if isinstance(value, Mapping):
        return {k: redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v, secrets) for v in value)
    return value
