"""Convert's request signing: HMAC-SHA256 over the application id, expiry, URL and body.

``SignString = AppID + "\\n" + Expires + "\\n" + RequestURL + "\\n" + Body`` (NOTES.md),
hex-encoded ``HMAC-SHA256(secret, SignString)`` in
``Authorization: Convert-HMAC-SHA256 Signature=<hex>``. RequestURL is the full absolute
URL and Body the exact bytes sent (empty for GET): the signer works on the built
``httpx.Request`` and never re-serialises anything. The simulator verifies with the
same two functions.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

import httpx

from sources.convert import settings as S


def sign_string(application_id: str, expires: int, url: str, body: bytes) -> bytes:
    """The exact bytes that get signed.

    Example:
        >>> sign_string("app", 1700000000, "https://api.convert.com/api/v2/accounts", b"")
        b'app\\n1700000000\\nhttps://api.convert.com/api/v2/accounts\\n'
    """
    return b"\n".join([application_id.encode(), str(expires).encode(), url.encode(), body])


def signature(secret: str, application_id: str, expires: int, url: str, body: bytes) -> str:
    """The hex HMAC-SHA256 signature of one request.

    Example:
        >>> len(signature("s", "app", 1700000000, "https://x/api/v2/accounts", b""))
        64
    """
    message = sign_string(application_id, expires, url, body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def authorization(sig: str) -> str:
    """The ``Authorization`` header value for a signature."""
    return f"{S.AUTH_SCHEME} Signature={sig}"


class Signer:
    """Signs each attempt of a request (PacedClient's ``sign`` hook).

    Args:
        application_id: ``Convert-Application-ID``.
        secret: the application secret key (never sent).
        ttl_seconds: how far in the future ``Expires`` lies, counted at signing time.
        clock: unix seconds (injectable for tests).

    Example:
        >>> signer = Signer("app", "secret", 60, clock=lambda: 1_700_000_000)
        >>> req = signer(httpx.Request("GET", "https://api.convert.com/api/v2/accounts"))
        >>> req.headers["Expires"]
        '1700000060'
    """

    def __init__(self, application_id: str, secret: str, ttl_seconds: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.application_id = application_id
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def __call__(self, request: httpx.Request) -> httpx.Request:
        expires = int(self._clock()) + self.ttl_seconds
        body = request.read()
        sig = signature(self._secret, self.application_id, expires, str(request.url), body)
        request.headers[S.HEADER_APPLICATION_ID] = self.application_id
        request.headers[S.HEADER_EXPIRES] = str(expires)
        request.headers[S.HEADER_AUTHORIZATION] = authorization(sig)
        return request
