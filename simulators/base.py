"""Shared machinery for the offline vendor simulators.

A :class:`SimServer` serves a vendor's HTTP API on loopback from a background thread
(stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive, daemon threads). It brings what
every vendor twin needs: routing by (method, path), JSON body parsing, a clock that
tests can move forward by whole days, fixed-window rate limiting per credential,
seeded fault injection, a JSONL request log with secrets redacted, and the admin
endpoints under ``/_sim/``. The clock, limiter, fault and log parts live in
:mod:`simulators.machinery` and are re-exported here. A vendor module subclasses
:class:`SimServer`, registers its routes with :meth:`SimServer.route` and answers faults
in its own error format by overriding the ``*_response`` hooks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from .machinery import (
    FAULT_KINDS,
    REDACTED,
    FaultInjector,
    Quota,
    RateLimiter,
    RequestLog,
    SimClock,
    parse_fault_spec,
    redact,
)

__all__ = ["ADMIN_PREFIX", "FAULT_KINDS", "REDACTED", "FaultInjector", "Quota", "RateLimiter",
           "RequestLog", "SimClock", "SimRequest", "SimResponse", "SimServer",
           "parse_fault_spec", "redact"]

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sim/"
# names (headers, body keys, query keys; case-insensitive) whose values never reach a log
DEFAULT_SECRET_FIELDS = frozenset({
    "x-api-key", "api_key", "apikey", "api-key", "authorization", "proxy-authorization",
    "cookie", "set-cookie", "client_secret", "access_token", "refresh_token", "token",
    "password", "secret", "application_secret", "openpanel-client-secret",
})
# header names that contain one of these are always redacted
SECRET_HEADER_MARKERS = ("key", "secret", "token", "auth", "password", "signature", "cookie")


# --- requests and responses ----------------------------------------------------------


@dataclass
class SimRequest:
    """One parsed HTTP request.

    Attributes:
        headers: header names lower-cased.
        json: the parsed body, or ``None`` when empty or not JSON (``json_error``).
        fault: the fault kind drawn for this request (``slow`` requests are answered).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw_body: bytes
    json: Any = None
    json_error: bool = False
    fault: str | None = None

    def query_value(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass
class SimResponse:
    """What a route answers; ``body`` is serialised as JSON unless ``raw`` is given.

    Attributes:
        code: the vendor's business code, recorded in the request log.
    """

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    code: int | None = None
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"

    def payload(self) -> bytes:
        """The bytes to send."""
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


Handler = Callable[[SimRequest], SimResponse]


# --- the HTTP plumbing ---------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: SimServer) -> None:
        self.sim = sim
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _RequestHandler)

    def close_connections(self) -> None:
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def version_string(self) -> str:
        return self.server.sim.server_header

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log (the JSONL log replaces it)."""

    def _serve(self) -> None:
        self.server.sim._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, response: SimResponse) -> None:
        """Write status, headers and body in one send (no Nagle / delayed-ACK stall)."""
        payload = response.payload()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        buffer: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
        buffer.append(b"\r\n")
        if self.command != "HEAD":
            buffer.append(payload)
        self.flush_headers()

    def reset_connection(self) -> None:
        """Drop the connection with a TCP reset and no answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


# --- the simulator base --------------------------------------------------------------


class SimServer:
    """A vendor API twin on loopback; subclasses register routes and vendor answers.

    Args:
        port: TCP port on 127.0.0.1; 0 picks a free one.
        faults: fault spec, e.g. ``"500:0.05,reset:0.01,slow:0.02"`` (see
            :data:`FAULT_KINDS`); probabilities per request.
        fault_seed: seed of the fault generator, so runs are reproducible.
        slow_seconds: how long a ``slow`` fault waits before answering normally.
        request_log: JSONL file that every API request is appended to (secrets redacted).
        today: the simulated UTC date; defaults to the real one.
        minute_seconds: length of the fixed per-minute rate window (tests shorten it).

    Usage (starts a server on loopback, so it is not run as a test)::

            with SomeVendorSimulator() as sim:
                httpx.get(sim.url + "/path")
    """

    name = "sim"
    title = "Vendor"  # how the banner names the vendor
    server_header = "analytics-elt-simulator"
    secret_fields: frozenset[str] = DEFAULT_SECRET_FIELDS

    def __init__(self, *, port: int = 0, faults: str = "", fault_seed: int = 0,
                 slow_seconds: float = 35.0, request_log: str | Path | None = None,
                 today: dt.date | None = None, minute_seconds: float = 60.0) -> None:
        self.port = port
        self.slow_seconds = slow_seconds
        self.clock = SimClock(today)
        self.limiter = RateLimiter(self.clock, minute_seconds)
        self.faults = FaultInjector(faults, fault_seed)
        self.log = RequestLog(request_log)
        self.secret_values: set[str] = set()
        self._routes: dict[tuple[str, str], Handler] = {}
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._counts_lock = threading.Lock()
        self._by_path: Counter[str] = Counter()
        self._faults_seen = 0

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> str:
        """Start serving in a background thread; returns the base URL."""
        if self._httpd is None:
            self._stopping.clear()
            self._httpd = _HTTPServer(("127.0.0.1", self.port), self)
            self.port = self._httpd.server_address[1]
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"{self.name}-simulator", daemon=True)
            self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and drop open connections (idempotent)."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None
        self.log.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request log records so far (one dict per API request)."""
        return self.log.records

    def advance_days(self, days: int = 1) -> dt.date:
        """Move the simulated clock; returns the new simulated date."""
        return self.clock.advance(days)

    def reset(self) -> None:
        """Clear request counters, rate windows and the in-memory log; restart faults."""
        with self._counts_lock:
            self._by_path.clear()
            self._faults_seen = 0
        self.limiter.reset()
        self.faults.reset()
        self.log.clear()

    def stats(self) -> dict[str, Any]:
        """Request counts since start (or the last reset)."""
        with self._counts_lock:
            return {"requests": sum(self._by_path.values()), "by_path": dict(self._by_path),
                    "faults": self._faults_seen, "today": self.clock.today().isoformat()}

    @property
    def api_url(self) -> str:
        """The root a client configures as its base URL (:attr:`url` unless a prefix)."""
        return self.url

    def banner(self) -> str:
        """What ``python -m simulators`` prints when the server is up: where it listens,
        the vendor's :meth:`banner_details` and the simulated day, one aligned row each."""
        rows = [*self.banner_details(),
                ("simulated today", f"{self.clock.today().isoformat()} (UTC)")]
        width = max(len(label) for label, _ in rows) + 3
        return "\n".join([f"{self.title} simulator listening on {self.api_url}",
                          *(f"  {label + ':':<{width}}{value}" for label, value in rows)])

    def banner_details(self) -> list[tuple[str, str]]:
        """``(label, value)`` rows of the banner: demo credentials, limits (vendor hook)."""
        return []

    # -- hooks for vendor modules -------------------------------------------------------

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method path`` with ``handler``."""
        self._routes[(method.upper(), path)] = handler

    def handle(self, request: SimRequest) -> SimResponse:
        """Dispatch an API request to its route (404 / 405 through the hooks)."""
        handler = self._routes.get((request.method, request.path))
        if handler is not None:
            return handler(request)
        if any(path == request.path for _, path in self._routes):
            return self.method_not_allowed_response(request)
        return self.not_found_response(request)

    def not_found_response(self, request: SimRequest) -> SimResponse:
        """Unknown path."""
        return SimResponse(404, {"error": "not found", "path": request.path})

    def method_not_allowed_response(self, request: SimRequest) -> SimResponse:
        """Known path, wrong method."""
        return SimResponse(405, {"error": f"method {request.method} not allowed"})

    def fault_response(self, kind: str, request: SimRequest) -> SimResponse:
        """The answer for an injected ``500``, ``429``, ``429bare`` or ``malformed``."""
        if kind == "malformed":
            return SimResponse(200, raw=b'{"data": [{"id": 1, "name": "trunc')
        if kind in ("429", "429bare"):
            return SimResponse(429, {"error": "too many requests"})
        return SimResponse(500, {"error": "internal server error"})

    def error_response(self, request: SimRequest) -> SimResponse:
        """The answer when a route raised (a simulator bug): the vendor's 5xx."""
        return self.fault_response("500", request)

    # -- request processing -------------------------------------------------------------

    def _serve(self, h: _RequestHandler) -> None:
        started = time.perf_counter()
        try:
            raw = h.read_body()
        except (OSError, ValueError):
            h.close_connection = True
            return
        split = urlsplit(h.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in h.headers.items()}
        if path.startswith(ADMIN_PREFIX):
            with contextlib.suppress(OSError):
                h.send(self._admin(h.command, path, raw))
            return
        request = SimRequest(h.command, path, query, headers, raw, fault=self.faults.draw())
        if raw:
            try:
                request.json = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                request.json_error = True
        # the log record is written before the client gets its answer, so a client that
        # reads the log right after its call always finds the call there
        if request.fault == "reset":
            self._record(request, None, started)
            h.reset_connection()
            return
        if request.fault == "slow":
            self._stopping.wait(self.slow_seconds)
        try:
            if request.fault in ("500", "429", "429bare", "malformed"):
                response = self.fault_response(request.fault, request)
            else:
                response = self.handle(request)
        except Exception:
            log.exception("%s simulator failed on %s %s", self.name, request.method, path)
            response = self.error_response(request)
        self._record(request, response, started)
        try:
            h.send(response)
        except OSError:
            h.close_connection = True

    def _record(self, request: SimRequest, response: SimResponse | None, started: float) -> None:
        with self._counts_lock:
            self._by_path[request.path] += 1
            if request.fault:
                self._faults_seen += 1
        secrets = self.secret_values
        markers = SECRET_HEADER_MARKERS
        headers = {k: REDACTED if k in self.secret_fields or any(m in k for m in markers) else v
                   for k, v in request.headers.items()}
        query = {k: v[0] if len(v) == 1 else v for k, v in request.query.items()}
        self.log.write({
            "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "method": request.method,
            "path": request.path,
            "query": redact(query, self.secret_fields, secrets),
            "headers": redact(headers, (), secrets),
            "body": redact(request.json, self.secret_fields, secrets),
            "status": response.status if response else None,
            "code": response.code if response else None,
            "fault": request.fault,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        })

    def _admin(self, method: str, path: str, raw: bytes) -> SimResponse:
        action = path[len(ADMIN_PREFIX):].strip("/")
        if (method, action) == ("GET", "stats"):
            return SimResponse(200, self.stats())
        if (method, action) == ("POST", "advance_day"):
            try:
                body = json.loads(raw) if raw else {}
                days = body.get("days", 1) if isinstance(body, dict) else None
            except ValueError:
                days = None
            if not isinstance(days, int) or isinstance(days, bool):
                return SimResponse(400, {"error": 'body must be {"days": <integer>}'})
            return SimResponse(200, {"today": self.advance_days(days).isoformat()})
        if (method, action) == ("POST", "reset"):
            self.reset()
            return SimResponse(200, {"reset": True})
        return SimResponse(404, {"error": f"unknown admin endpoint {method} {path}"})
