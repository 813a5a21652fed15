"""Golden tests: the doc's example responses, verbatim, through the client and the shaping.

Each fixture in tests/golden/ptengine/ was copied from ptengine-open-api.md by
scripts/extract_doc_examples.py. A loopback server replays the response over real HTTP;
``PtengineClient`` unwraps it; the shaping functions turn it into rows; the expected rows
are written out by hand from the doc's text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sources.common.limiter import RateLimiter
from sources.ptengine import shaping
from sources.ptengine.client import PtengineClient
from tests.conftest import GOLDEN, CannedServer, golden

PROFILE = "566d12f9"
DAY = date(2026, 4, 1)


def through_client(canned: CannedServer, name: str) -> Any:
    """Serve the golden response and fetch it with the real client; returns ``data``."""
    pair = golden("ptengine", name)
    req = pair["request"]
    canned.route(req["path"], pair["response"], headers={
        "X-RateLimit-Limit-Minute": "30", "X-RateLimit-Remaining-Minute": "28",
        "X-RateLimit-Limit-Day": "3000", "X-RateLimit-Remaining-Day": "2997",
        "X-RateLimit-Tier": "GROWTH"})
    client = PtengineClient(canned.url, "pt-golden-key", PROFILE, RateLimiter(rpm=None))
    try:
        if req["method"] == "GET":
            data = client.event_fields("EN")
        else:
            body = {k: v for k, v in req["body"].items() if k != "profileId"}
            data = client.post(req["path"], body)
    finally:
        client.close()
    sent = canned.requests[-1]
    assert sent["headers"]["x-api-key"] == "pt-golden-key"
    assert data == pair["response"]["data"]
    return data


def test_every_insight_example_unwraps_verbatim(canned: CannedServer) -> None:
    names = sorted(p.name for p in (GOLDEN / "ptengine").glob("*.json")
                   if not p.name.split("_", 1)[1].startswith("experience"))
    assert len(names) == 28
    for name in names:
        through_client(canned, name)


def test_conversion_goals(canned: CannedServer) -> None:
    data = through_client(canned, "01_conversion_goals.json")
    assert shaping.conversion_goal_rows(PROFILE, data) == [
        {"profile_id": PROFILE, "id": "1753350579776", "name": "ptmind signup"},
        {"profile_id": PROFILE, "id": "1753350579999", "name": "Purchase complete"},
    ]


def test_dimension_table_country(canned: CannedServer) -> None:
    data = through_client(canned, "18_datacenter_query_dimension_table_country.json")
    rows, defs = shaping.dimension_table_rows(PROFILE, "all", DAY, "country", data)
    assert rows == [
        {"profile_id": PROFILE, "segment": "all", "date": DAY, "country": "China",
         "visits": 619, "avg_visit_duration": 169.0, "page_view": 1145,
         "new_visits_rate": 0.5218, "conversion_rate": 0.9628, "conversions": 596,
         "bounce_rate": 0.7464},
        {"profile_id": PROFILE, "segment": "all", "date": DAY, "country": "Japan",
         "visits": 530, "avg_visit_duration": 8.0, "page_view": 553,
         "new_visits_rate": 0.9981, "conversion_rate": 0.9491, "conversions": 503,
         "bounce_rate": 0.9604},
    ]
    assert {d["field"] for d in defs} == {"visits", "avgVisitDuration", "pageView",
                                          "newVisitsRate", "conversionRate", "conversions",
                                          "bounceRate"}
    visits = next(d for d in defs if d["field"] == "visits")
    assert visits["label"] == "Visits" and visits["data_type"] == "INTEGER"


def test_dimension_table_entry_pages(canned: CannedServer) -> None:
    data = through_client(canned, "19_datacenter_query_dimension_table_entryCombinedPages.json")
    rows, _ = shaping.dimension_table_rows(PROFILE, "all", DAY, "entryCombinedPages", data)
    assert rows[1] == {
        "profile_id": PROFILE, "segment": "all", "date": DAY,
        "url": "https://ptengine.jp/app/login", "title": "ログイン | Ptengine",
        "entrances": 186, "new_visits_rate": 0.3118, "avg_page_visits": 1.62,
        "avg_visit_duration": 84.0, "bounce_rate": 0.4462, "conversions": 172,
        "conversion_rate": 0.9247,
    }
    assert rows[0]["conversion_rate"] == 1.0
    assert shaping.dimension_key_columns("entryCombinedPages") == ["url"]
    data = through_client(canned, "20_datacenter_query_dimension_table_entryCombinedPages.json")
    rows, _ = shaping.dimension_table_rows(PROFILE, "all", DAY, "entryCombinedPages", data)
    assert rows[0]["entrances"] == 1042 and rows[0]["conversion_rate"] == 0.2994


def test_metric_curve_to_site_metrics(canned: CannedServer) -> None:
    data = through_client(canned, "21_datacenter_query_metric_curve_visits.json")
    rows = shaping.site_metrics_rows(PROFILE, "all", {"visits": data})
    assert rows == [
        {"profile_id": PROFILE, "segment": "all", "date": date(2026, 4, 1), "visits": 420},
        {"profile_id": PROFILE, "segment": "all", "date": date(2026, 4, 2), "visits": 510},
    ]


def test_overview_topics(canned: CannedServer) -> None:
    sources = through_client(canned, "15_datacenter_query_overview_sources.json")
    rows = shaping.overview_rows(PROFILE, "all", DAY, "sources", sources)
    assert [(r["source_type"], r["visits"], r["total_visits"]) for r in rows] == [
        ("Direct", 5200, 12500), ("Search", 3100, 12500), ("Social", 1800, 12500),
        ("Referral", 1500, 12500), ("Campaign", 700, 12500), ("AISearch", 200, 12500)]
    location = through_client(canned, "16_datacenter_query_overview_location.json")
    rows = shaping.overview_rows(PROFILE, "all", DAY, "location", location)
    assert rows[0] == {"profile_id": PROFILE, "segment": "all", "date": DAY,
                       "country": "Japan", "state": "Tokyo", "visits": 4200}
    device = through_client(canned, "17_datacenter_query_overview_device.json")
    rows = shaping.overview_rows(PROFILE, "all", DAY, "device", device)
    pc, mobile, tablet = rows
    assert pc["device_type"] == "PC" and pc["visits"] == 7800
    assert pc["os_version"] == [{"name": "Windows 10", "visits": 5200},
                                {"name": "Windows 11", "visits": 1800}]
    assert pc["resolution"][1] == {"name": "1366x768", "visits": 2100}
    assert mobile["brand"] == [{"name": "Apple", "visits": 2100},
                               {"name": "Samsung", "visits": 900}]
    assert tablet["browser_version"] == [{"name": "Safari 17", "visits": 900}]


def test_overview_metrics_definitions(canned: CannedServer) -> None:
    data = through_client(canned, "14_datacenter_query_overview_metrics.json")
    defs = {d["field"]: d for d in shaping.overview_metric_definitions(data)}
    assert defs["avgPageView"]["label"] == "PV / UV"
    assert defs["avgVisitDuration"]["data_type"] == "TIME"
    assert len(defs) == 10


def test_event_query(canned: CannedServer) -> None:
    data = through_client(canned, "12_event_query.json")
    assert shaping.event_rows(PROFILE, "all", data) == [
        {"profile_id": PROFILE, "segment": "all", "event_name": "purchase",
         "date": date(2026, 4, 15), "country": "Japan", "event_count": 320, "sessions": 250}]


def test_event_fields(canned: CannedServer) -> None:
    data = through_client(canned, "13_event_fields.json")
    rows = shaping.event_field_rows(data, "EN")
    assert rows[0] == {"kind": "metric", "field": "eventCount", "column_name": "event_count",
                       "label": "Events", "description": "Number of times the event was "
                       "triggered.", "data_type": "INTEGER", "category": None, "lang": "EN"}
    assert rows[-1]["category"] == "geography"


def test_conversion_metrics(canned: CannedServer) -> None:
    data = through_client(canned, "22_conversion_query_metrics.json")
    row, defs = shaping.conversion_summary_row(PROFILE, "all", DAY, data)
    assert row == {"profile_id": PROFILE, "segment": "all", "date": DAY, "conversions": 214,
                   "conversion_rate": 0.4573, "conversion_value": Decimal("-21100"),
                   "revenue": Decimal("0"), "loss": Decimal("-21100")}
    assert [d["label"] for d in defs] == ["Completions", "Conversion rate", "Conversion value",
                                          "Revenue", "Loss"]


@pytest.mark.parametrize("name,column,first", [
    ("24_conversion_query_sources_breakdown.json", "source_name", ("no refer", 1259)),
    ("25_conversion_query_ad_name_breakdown.json", "ad_name", ("spring_sale_2026", 320)),
    ("26_conversion_query_ad_source_breakdown.json", "ad_source", ("google", 420)),
])
def test_conversion_breakdowns(canned: CannedServer, name: str, column: str,
                               first: tuple[str, int]) -> None:
    data = through_client(canned, name)
    rows = shaping.conversion_table_rows(PROFILE, "all", DAY, data)
    assert (rows[0][column], rows[0]["conversions"]) == first
    assert all(isinstance(r["conversions"], int) for r in rows)


def test_conversion_regular_goals(canned: CannedServer) -> None:
    data = through_client(canned, "28_conversion_query_regular.json")
    rows = shaping.conversion_table_rows(PROFILE, "all", DAY, data, {"goal_type": "regular"})
    assert rows == [
        {"profile_id": PROFILE, "segment": "all", "date": DAY, "goal_type": "regular",
         "conversion_name": "ptmind signup", "conversions": 850, "conversion_rate": 0.062,
         "revenue": Decimal("0")},
        {"profile_id": PROFILE, "segment": "all", "date": DAY, "goal_type": "regular",
         "conversion_name": "Download whitepaper", "conversions": 130,
         "conversion_rate": 0.01, "revenue": Decimal("0")},
    ]


def test_conversion_funnel(canned: CannedServer) -> None:
    data = through_client(canned, "27_conversion_query_funnel.json")
    rows = shaping.funnel_step_rows(PROFILE, "all", DAY, data)
    assert [r["step_id"] for r in rows] == [1, 2, 3]
    first, _, last = rows
    assert first["conversion_name"] == "ptmind signup"
    assert first["conversion_id"] == "1753350579776"
    assert first["total_conversions"] == 700 and first["total_conversion_rate"] == 0.7
    assert (first["entries"], first["external"], first["dropoff"]) == (1000, 1000, 200)
    assert first["conversion_to_next_rate"] == 0.8
    assert first["dropoff_paths"] == [{"url": "Exit", "visits": 5},
                                      {"url": "https://example.com/other", "visits": 195}]
    assert last["conversion_to_next_rate"] is None and last["entry_paths"] == []


def test_conversion_metric_curve_points(canned: CannedServer) -> None:
    data = through_client(canned, "23_conversion_query_metric_curve_completions.json")
    assert shaping.curve_points(data) == [("2026-04-01", "24"), ("2026-04-02", "35")]
