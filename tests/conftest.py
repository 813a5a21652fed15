"""Shared fixtures: isolated dlt working data, canned-response server, Postgres URL."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sources.common.limiter import reset_limiters
from sources.common.progress import reset_telemetry

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own dlt working dir and a fresh limiter registry."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    reset_limiters()
    reset_telemetry()
    yield
    reset_limiters()


class CannedServer:
    """Replays fixed (status, headers, body) answers per path over real HTTP on loopback."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.sequences: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                server.requests.append({"method": self.command, "path": self.path,
                                        "headers": dict(self.headers), "body": body})
                queue = server.sequences.get(path)
                if queue:
                    status, headers, payload = queue.pop(0)
                else:
                    status, headers, payload = server.routes.get(
                        path, (404, {}, b'{"code":404,"message":"no route"}'))
                if status == 0:  # drop the connection without answering
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def route(self, path: str, body: Any, status: int = 200,
              headers: dict[str, str] | None = None) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.routes[path] = (status, headers or {}, payload)

    def sequence(self, path: str, answers: list[tuple[int, dict[str, str], Any]]) -> None:
        """Answer the next requests to ``path`` in order (status 0 = drop the connection)."""
        self.sequences[path] = [
            (st, h, b if isinstance(b, bytes) else json.dumps(b).encode()) for st, h, b in answers]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    server = CannedServer()
    yield server
    server.close()


def golden(vendor: str, name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / vendor / name).read_text())


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The Postgres started by `make test` (ANALYTICS_ELT_PG_URL)."""
    url = os.environ.get("ANALYTICS_ELT_PG_URL")
    if not url:
        pytest.fail("ANALYTICS_ELT_PG_URL is not set: run the suite with `make test`, which "
                    "starts Postgres, or export it yourself")
    return url
