"""Golden tests: the OpenPanel doc's example responses, verbatim, through client and shaping.

Fixtures in tests/golden/openpanel/ are the doc's JSON blocks (openpanel-export-api.md;
the stored doc interleaves ``|`` lines, which were dropped). A loopback server replays
each over real HTTP; ``OpenPanelClient`` reads it; the shaping turns it into rows, and
the expected rows are written out by hand from the doc's text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import dlt
import pytest

from sources.common.errors import ApiError, AuthenticationError
from sources.common.limiter import RateLimiter
from sources.openpanel import shaping
from sources.openpanel.client import OpenPanelClient
from tests.conftest import CannedServer, golden

CLIENT_ID = "0b6f4c3e-8a1d-4f7b-9c2e-5d3a1b7e9f00"
SECRET = "golden-secret-value"
RATE = {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "99", "x-ratelimit-reset": "10"}


def client_for(canned: CannedServer) -> OpenPanelClient:
    return OpenPanelClient(canned.url, CLIENT_ID, SECRET, "abc123",
                           RateLimiter(rpm=100, window_seconds=10))


def fetch(canned: CannedServer, name: str) -> Any:
    pair = golden("openpanel", name)
    canned.route(pair["request"]["path"], pair["response"], status=pair["status"],
                 headers=RATE)
    client = client_for(canned)
    try:
        if pair["request"]["path"] == "/export/events":
            return client.events({"start": "2024-04-15", "end": "2024-04-18", "page": "1"})
        return client.chart({"series": '[{"name":"screen_view"}]'})
    finally:
        client.close()


def test_events_example_unwraps_with_credentials_and_rate_headers(canned: CannedServer) -> None:
    body = fetch(canned, "01_export_events.json")
    assert body == golden("openpanel", "01_export_events.json")["response"]
    sent = canned.requests[-1]
    assert sent["headers"]["openpanel-client-id"] == CLIENT_ID
    assert sent["headers"]["openpanel-client-secret"] == SECRET
    assert "projectId=abc123" in sent["path"] and "start=2024-04-15" in sent["path"]


def test_events_example_becomes_typed_arrow_rows(canned: CannedServer) -> None:
    page = shaping.page_tables(fetch(canned, "01_export_events.json")["data"])
    assert page.events is not None and page.profiles is not None and page.meta is not None
    assert page.events.to_pylist() == [{
        "id": "evt_123456789", "name": "screen_view", "device_id": "device_abc123",
        "profile_id": "user_789", "project_id": "abc123", "session_id": "session_xyz",
        "properties__path": "/dashboard", "properties__title": "Dashboard",
        "properties__url": "https://example.com/dashboard",
        "created_at": datetime(2024, 4, 15, 10, 30, tzinfo=UTC),
        "country": "United States", "city": "New York", "region": "New York", "os": "macOS",
        "browser": "Chrome", "device": "Desktop", "duration": 0.0, "path": "/dashboard",
        "origin": "https://example.com",
    }]
    assert page.profiles.to_pylist() == [{
        "id": "user_789", "email": "user@example.com", "first_name": "John",
        "last_name": "Doe", "is_external": True,
        "created_at": datetime(2024, 4, 1, 8, 0, tzinfo=UTC), "project_id": "abc123"}]
    assert page.meta.to_pylist() == [{"name": "screen_view", "description": "Page view tracking",
                                      "conversion": False, "project_id": "abc123"}]


def test_column_names_equal_dlts_own_normalizer(tmp_path: Any) -> None:
    """Flattening follows dlt's conventions: the same names dlt's JSON normalizer gives."""
    event = golden("openpanel", "01_export_events.json")["response"]["data"][0]
    event = {**event, "properties": {**event["properties"], "__query": {"utm_source": "x"}}}
    pipeline = dlt.pipeline("golden_names", destination=dlt.destinations.duckdb(
        str(tmp_path / "golden.duckdb")), dataset_name="names_check",
        pipelines_dir=str(tmp_path / "p"))
    row = {k: v for k, v in event.items() if k not in ("profile", "meta")}
    pipeline.run([row], table_name="events")
    dlt_names = {c for c in pipeline.default_schema.get_table_columns("events")
                 if not c.startswith("_dlt")}
    assert set(shaping.page_tables([event]).events.column_names) == dlt_names


def test_mixed_types_take_the_row_by_row_path() -> None:
    data = [{"id": "a", "projectId": "p", "createdAt": "2024-04-15T10:30:00.000Z",
             "properties": {"plan": 3}},
            {"id": "b", "projectId": "p", "createdAt": "not a time",
             "properties": {"plan": "pro"}}]
    events = shaping.page_tables(data).events
    assert events is not None
    assert events.column("properties__plan").to_pylist() == ["3", "pro"]
    assert events.column("created_at").to_pylist() == [datetime(2024, 4, 15, 10, 30,
                                                                tzinfo=UTC), None]


def test_chart_example_becomes_daily_rows(canned: CannedServer) -> None:
    body = fetch(canned, "02_export_charts.json")
    rows = shaping.chart_rows("abc123", "views", ["country"], body)
    base = {"project_id": "abc123", "chart": "views", "series_id": "screen_view-united-states",
            "event_name": "screen_view", "event_id": "evt1", "country": "United States",
            "previous_state": None}
    assert rows == [
        {**base, "date": date(2024, 4, 1), "count": 45.0, "previous_value": 38.0,
         "previous_diff": 18.42},
        {**base, "date": date(2024, 4, 2), "count": 52.0, "previous_value": 41.0,
         "previous_diff": 26.83},
    ]


def test_notes_previous_shape_is_kept() -> None:
    body = {"series": [{"id": "s", "names": ["sign_up"], "event": {"name": "sign_up"},
                        "data": [{"date": "2026-04-01T00:00:00.000Z", "count": 4,
                                  "previous": {"value": 2, "diff": 100, "state": "positive"}}]}]}
    (row,) = shaping.chart_rows("p", "signups", [], body)
    assert (row["previous_value"], row["previous_diff"], row["previous_state"]) == \
        (2.0, 100.0, "positive")


@pytest.mark.parametrize("name,error,text", [
    ("03_error_400.json", ApiError, "events.0.name: Required"),
    ("04_error_401.json", AuthenticationError, "sources.openpanel.client_secret"),
    ("05_error_403.json", AuthenticationError, "sources.openpanel.project_id"),
    ("06_error_404.json", AuthenticationError, "sources.openpanel.project_id"),
])
def test_error_examples_map_to_the_error_hierarchy(canned: CannedServer, name: str,
                                                   error: type[Exception], text: str) -> None:
    with pytest.raises(error) as raised:
        fetch(canned, name)
    assert text in str(raised.value)
    assert SECRET not in str(raised.value)
    assert len(canned.requests) == 1  # never retried


def test_plain_text_500_is_retried(canned: CannedServer) -> None:
    answer = (500, RATE, b"Internal server error")
    canned.sequence("/export/events", [answer, (200, RATE, {
        "meta": {"count": 0, "totalCount": 0, "pages": 0, "current": 1}, "data": []})])
    client = client_for(canned)
    client.http.policy.backoff_initial = 0.01
    try:
        assert client.events({"start": "2024-04-15", "end": "2024-04-15"})["data"] == []
    finally:
        client.close()
    assert len(canned.requests) == 2


# --- the columnar read of event pages (arrow's JSON reader) --------------------------------
def _both_paths(body: bytes) -> tuple[shaping.EventPage, shaping.EventPage]:
    """The page through arrow's JSON reader and through orjson + ``pa.array``."""
    import orjson

    raw = shaping.read_events_page(body)
    assert raw is not None
    return (shaping.page_tables(raw.data),
            shaping.page_tables(orjson.loads(body)["data"]))


def _rows(page: shaping.EventPage) -> list[Any]:
    return [None if t is None else t.to_pylist() for t in (page.events, page.profiles, page.meta)]


def test_events_page_reads_the_example_into_the_same_rows(canned: CannedServer) -> None:
    pair = golden("openpanel", "01_export_events.json")
    canned.route(pair["request"]["path"], pair["response"], status=200, headers=RATE)
    client = client_for(canned)
    try:
        raw = client.events_page({"start": "2024-04-15", "end": "2024-04-18", "page": "1"})
    finally:
        client.close()
    assert raw.meta == pair["response"]["meta"]
    assert _rows(shaping.page_tables(raw.data)) == \
        _rows(shaping.page_tables(pair["response"]["data"]))


def test_simulator_pages_read_the_same_both_ways() -> None:
    """Every include, anonymous events (``profile: null``), lists, nested properties."""
    import orjson

    from simulators.openpanel.model import EventModel

    today = date(2026, 5, 1)
    model = EventModel("demo", 3000, 3, today, lambda: datetime(2026, 5, 1, tzinfo=UTC))
    day = date(2026, 4, 29)
    includes = frozenset(["properties", "profile", "meta", "region", "longitude", "revenue",
                          "importedAt", "referrer"])
    data = [model.event(day, j, includes) for j in model.iter_day(day)]
    body = orjson.dumps({"meta": {"count": len(data), "totalCount": len(data), "pages": 1,
                                  "current": 1}, "data": data})
    arrow, python = _both_paths(body)
    assert _rows(arrow) == _rows(python)
    assert arrow.events is not None and arrow.events.schema == python.events.schema


def test_date_like_strings_stay_text_as_on_the_python_path() -> None:
    """Arrow's reader would make ``2024-04-15`` a timestamp; the API sent text."""
    body = (b'{"meta": {"count": 2}, "data": ['
            b'{"id": "a", "projectId": "p", "createdAt": "2024-04-15T10:30:00Z",'
            b' "properties": {"since": "2024-04-15", "at": "2024-04-15 10:30:00", "n": 1}},'
            b'{"id": "b", "projectId": "p", "createdAt": "2024-04-15T10:31:00.000Z",'
            b' "properties": {"since": "2024-04-16", "n": 2.5, "tags": ["x", "y"]}}]}')
    arrow, python = _both_paths(body)
    assert _rows(arrow) == _rows(python)
    assert arrow.events is not None
    assert arrow.events.column("properties__since").to_pylist() == ["2024-04-15", "2024-04-16"]
    assert arrow.events.column("created_at").to_pylist()[0] == datetime(2024, 4, 15, 10, 30,
                                                                       tzinfo=UTC)


def test_pages_arrow_cannot_read_go_the_python_way() -> None:
    mixed = (b'{"data": [{"id": "a", "properties": {"plan": 3}},'
             b' {"id": "b", "properties": {"plan": "pro"}}]}')
    assert shaping.read_events_page(mixed) is None  # → orjson, then the row-by-row path
    assert shaping.read_events_page(b'[1, 2]') is None
    assert shaping.read_events_page(b'{"meta": {}, "data": [1, 2]}') is None
    assert shaping.read_events_page(b'{"meta": {"a": 1}, "data": [null, {"id": "x"}]}') is None
    empty = shaping.read_events_page(b'{"meta": {"count": 0}, "data": []}')
    assert empty is not None and empty.data == [] and empty.meta == {"count": 0}
    pretty = shaping.read_events_page(
        b'{\n  "meta": {"count": 1},\n  "data": [\n    {"id": "x"}\n  ]\n}\n')
    assert pretty is not None and pretty.data.to_pylist() == [{"id": "x"}]


def test_malformed_page_is_retried_on_the_columnar_path(canned: CannedServer) -> None:
    canned.sequence("/export/events", [(200, RATE, b'{"meta":{"count":50,"totalCount":12'),
                                       (200, RATE, {"meta": {"count": 0}, "data": []})])
    client = client_for(canned)
    client.http.policy.backoff_initial = 0.01
    try:
        raw = client.events_page({"start": "2024-04-15", "end": "2024-04-15"})
    finally:
        client.close()
    assert raw.data == [] and len(canned.requests) == 2
