"""Convert request signing: an independently computed vector, and the simulator's check.

The vector is computed here with ``hmac``/``hashlib`` straight from the documented
formula (``AppID + "\\n" + Expires + "\\n" + RequestURL + "\\n" + Body``, hex
HMAC-SHA256), never with the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest

from simulators.convert import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_APPLICATION_ID,
    DEFAULT_APPLICATION_SECRET,
    ConvertSimulator,
)
from sources.convert.signing import Signer, sign_string, signature

APP, SECRET, EXPIRES = "app-1234", "s3cr3t-key", 1_775_001_660
URL = "https://api.convert.com/api/v2/accounts/100123/projects/20001/experiences"
BODY = b'{"results_per_page":50,"page":1,"include":["variations","goals"]}'


def independent(app: str, secret: str, expires: int, url: str, body: str) -> str:
    sign_text = app + "\n" + str(expires) + "\n" + url + "\n" + body
    return hmac.new(secret.encode("utf-8"), sign_text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_signature_matches_the_documented_formula() -> None:
    expected = independent(APP, SECRET, EXPIRES, URL, BODY.decode())
    assert signature(SECRET, APP, EXPIRES, URL, BODY) == expected
    assert sign_string(APP, EXPIRES, URL, BODY) == (
        b"app-1234\n1775001660\n" + URL.encode() + b"\n" + BODY)
    # GET: the body is the empty string
    assert signature(SECRET, APP, EXPIRES, URL, b"") == independent(APP, SECRET, EXPIRES, URL, "")


def test_signer_signs_the_exact_url_and_bytes_of_the_request() -> None:
    request = httpx.Request("POST", URL, content=BODY, headers={"Content-Type": "application/json"})
    signed = Signer(APP, SECRET, 60, clock=lambda: EXPIRES - 60.7)(request)
    assert signed.headers["Convert-Application-ID"] == APP
    assert signed.headers["Expires"] == str(EXPIRES - 1)  # int(clock) + ttl
    want = independent(APP, SECRET, EXPIRES - 1, URL, BODY.decode())
    assert signed.headers["Authorization"] == f"Convert-HMAC-SHA256 Signature={want}"
    assert signed.content == BODY and SECRET not in str(signed.headers)


def test_non_ascii_body_is_signed_as_its_utf8_bytes() -> None:
    body = json.dumps({"search": "café"}, ensure_ascii=False).encode()
    request = httpx.Request("POST", URL, content=body)
    signed = Signer(APP, SECRET, 60, clock=lambda: EXPIRES - 60)(request)
    want = independent(APP, SECRET, EXPIRES, URL, body.decode("utf-8"))
    assert signed.headers["Authorization"].endswith(want)


def _send(sim: ConvertSimulator, *, secret: str = DEFAULT_APPLICATION_SECRET,
          expires_in: int = 60, tamper: bytes | None = None, sign_url: str | None = None
          ) -> httpx.Response:
    url = f"{sim.api_url}/accounts/{DEFAULT_ACCOUNT_ID}/projects"
    body = b'{"page":1}'
    expires = int(time.time()) + expires_in
    sig = signature(secret, DEFAULT_APPLICATION_ID, expires, sign_url or url, body)
    headers = {"Convert-Application-ID": DEFAULT_APPLICATION_ID, "Expires": str(expires),
               "Authorization": f"Convert-HMAC-SHA256 Signature={sig}",
               "Content-Type": "application/json"}
    return httpx.post(url, content=tamper or body, headers=headers)


@pytest.mark.parametrize("case", ["ok", "wrong secret", "expired", "body changed",
                                  "other url", "no headers"])
def test_simulator_accepts_only_an_exact_unexpired_signature(case: str) -> None:
    with ConvertSimulator() as sim:
        if case == "no headers":
            response = httpx.post(f"{sim.api_url}/accounts/{DEFAULT_ACCOUNT_ID}/projects",
                                  json={"page": 1})
        else:
            response = _send(sim, **{
                "ok": {}, "wrong secret": {"secret": "not-the-secret"},
                "expired": {"expires_in": -1}, "body changed": {"tamper": b'{"page": 1}'},
                "other url": {"sign_url": sim.api_url + "/accounts"},
            }[case])
        logged = json.dumps(sim.requests)
    if case == "ok":
        assert response.status_code == 200 and response.json()["data"]
    else:
        assert response.status_code == 401
        assert response.json()["code"] == 401 and "Unauthorized" in response.json()["message"]
    assert DEFAULT_APPLICATION_SECRET not in logged
    assert "Signature=" not in logged  # the Authorization header is redacted
