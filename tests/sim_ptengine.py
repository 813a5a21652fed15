"""What the Ptengine simulator tests share: the simulated day, request bodies, display
formats, the envelope checks and the module-scoped ``sim`` and ``client`` fixtures.

A test module registers the fixtures by binding them at module level (pytest collects
fixtures from a module's namespace), so each module gets its own simulator::

    sim, client = module_fixtures()
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.ptengine import DEFAULT_API_KEY, DEFAULT_PROFILE_ID, PtengineSimulator
from sources.ptengine import settings

TODAY = dt.date(2026, 4, 30)
RANGE = {"startDate": "2026-04-01", "endDate": "2026-04-30"}
DAY = {"startDate": "2026-04-15", "endDate": "2026-04-15"}
HOME = "https://example.com/"

# display formats of the doc's value types
INTEGER = re.compile(r"-?\d{1,3}(,\d{3})*")
RATE = re.compile(r"\d+\.\d{2}%")
SHORT_TIME = re.compile(r"(\d+h )?(\d+m )?\d+s")
HMS = re.compile(r"\d{2}:\d{2}:\d{2}")
DECIMAL = re.compile(r"\d+\.\d{2}")
HEADERS = tuple(h.lower() for h in settings.RATE_HEADERS.values())

# valid request bodies, one per query endpoint, that tests vary one key at a time
HM = {"queryType": "page_metrics", "url": HOME, "deviceType": "ALL", **RANGE}
EV = {"dimensions": ["eventName"], **RANGE}
DC = {"queryType": "dimension_table", "dimension": "country", **RANGE}
CV = {"queryType": "metrics", **RANGE}
CURVE = {"queryType": "metric_curve", "metric": "visits", "granularity": "day", **RANGE}


def num(text: str) -> int:
    """A display integer (``"1,145"``) as an int."""
    return int(text.replace(",", ""))


def api_client(sim: PtengineSimulator) -> httpx.Client:
    """An HTTP client on ``sim`` that sends the default API key."""
    return httpx.Client(base_url=sim.url, headers={"x-api-key": DEFAULT_API_KEY})


def _serve_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PtengineSimulator]:
    log = tmp_path_factory.mktemp("sim") / "requests.jsonl"
    with PtengineSimulator(plan="unlimited", today=TODAY, request_log=log) as s:
        yield s


def _serve_client(sim: PtengineSimulator) -> Iterator[httpx.Client]:
    with api_client(sim) as c:
        yield c


def module_fixtures() -> tuple[Any, Any]:
    """The fixtures ``sim`` (an unlimited simulator on :data:`TODAY` that logs its requests)
    and ``client`` (:func:`api_client` on it), both module-scoped."""
    return (pytest.fixture(_serve_sim, scope="module", name="sim"),
            pytest.fixture(_serve_client, scope="module", name="client"))


def call(client: httpx.Client, path: str, **body: Any) -> httpx.Response:
    """POST ``body`` (with the default profile) to ``/open-api/v1/<path>``."""
    return client.post(f"/open-api/v1/{path}", json={"profileId": DEFAULT_PROFILE_ID, **body})


def ok(response: httpx.Response) -> Any:
    """The ``data`` of a success envelope (asserting it is one)."""
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["code"] == 200 and payload["message"] == "OK"
    return payload["data"]


def fails(response: httpx.Response, code: int) -> str:
    """The message of an error envelope with ``code`` (asserting status and shape)."""
    payload = response.json()
    assert payload["code"] == code, payload
    assert response.status_code == settings.ERROR_CODES[code].http_status
    assert set(payload) == {"code", "message"}
    return str(payload["message"])
