"""The Ptengine simulator over real HTTP: shapes, validation codes, limits, data, faults."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators import SIMULATORS
from simulators.base import parse_fault_spec
from simulators.ptengine import (
    DEFAULT_API_KEY,
    DEFAULT_PROFILE_ID,
    HEATMAP_PAGES,
    UPLOAD_ONLY_KEY,
    PtengineSimulator,
)
from simulators.ptengine.catalog import DIM_ALIASES, DIMS, FILTER_DIMS
from sources.ptengine import settings

TODAY = dt.date(2026, 4, 30)
RANGE = {"startDate": "2026-04-01", "endDate": "2026-04-30"}
DAY = {"startDate": "2026-04-15", "endDate": "2026-04-15"}
HOME = "https://example.com/"
INTEGER = re.compile(r"-?\d{1,3}(,\d{3})*")
RATE = re.compile(r"\d+\.\d{2}%")
SHORT_TIME = re.compile(r"(\d+h )?(\d+m )?\d+s")
HMS = re.compile(r"\d{2}:\d{2}:\d{2}")
DECIMAL = re.compile(r"\d+\.\d{2}")
HEADERS = tuple(h.lower() for h in settings.RATE_HEADERS.values())


def num(text: str) -> int:
    """A display integer (``"1,145"``) as an int."""
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PtengineSimulator]:
    log = tmp_path_factory.mktemp("sim") / "requests.jsonl"
    with PtengineSimulator(plan="unlimited", today=TODAY, request_log=log) as s:
        yield s


@pytest.fixture(scope="module")
def client(sim: PtengineSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, headers={"x-api-key": DEFAULT_API_KEY}) as c:
        yield c


def call(client: httpx.Client, path: str, **body: Any) -> httpx.Response:
    return client.post(f"/open-api/v1/{path}", json={"profileId": DEFAULT_PROFILE_ID, **body})


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["code"] == 200 and payload["message"] == "OK"
    return payload["data"]


def fails(response: httpx.Response, code: int) -> str:
    payload = response.json()
    assert payload["code"] == code, payload
    assert response.status_code == settings.ERROR_CODES[code].http_status
    assert set(payload) == {"code", "message"}
    return str(payload["message"])


# --- happy paths -----------------------------------------------------------------------


def test_goals_and_filter_values(client: httpx.Client) -> None:
    goals = ok(call(client, "conversion/goals"))["conversions"]
    assert {"ptmind signup", "Purchase complete", "Download whitepaper", "Cart abandoned"} <= \
        {g["name"] for g in goals}
    assert all(isinstance(g["id"], str) and g["id"].isdigit() for g in goals)
    countries = ok(call(client, "filter-values", name="country", **RANGE))
    assert countries["filterName"] == "country" and len(countries["values"]) >= 20
    assert ok(call(client, "filter-values", name="country", search="ja", **RANGE))["values"] \
        == ["Japan", "Jamaica"]
    legacy = client.post("/open-api/v1/heatmap/filter-values",
                         json={"profileId": DEFAULT_PROFILE_ID, "name": "country", **RANGE})
    assert ok(legacy) == countries
    assert {"purchase", "add_to_cart", "gallery_item_impression"} <= \
        set(ok(call(client, "filter-values", name="eventName"))["values"])
    assert {"price", "currency", "qty"} <= set(ok(call(client, "filter-values",
                                                        name="dimension"))["values"])
    pairs = ok(call(client, "filter-values", name="eventDimension", **RANGE))["values"]
    assert {"eventName": "purchase", "eventVariant": "price"} in pairs
    step2 = ok(call(client, "filter-values", name="eventDimension", eventName="purchase",
                    eventVariant="price", **RANGE))
    assert step2["eventName"] == "purchase" and step2["eventVariant"] == "price"
    assert {"100", "200", "500"} <= set(step2["values"])
    assert ok(call(client, "filter-values", name="deviceType"))["values"] == \
        list(settings.FIXED_FILTER_VALUES["deviceType"])


def test_heatmap_page_metrics(client: httpx.Client) -> None:
    resp = call(client, "heatmap/query", queryType="page_metrics", url=HOME, deviceType="ALL",
                conversionNames=["Purchase complete", "ptmind signup"], lang="EN", **RANGE)
    data = ok(resp)
    assert set(data["metrics"]) == set(settings.HEATMAP_PAGE_METRICS)
    for name, metric in data["metrics"].items():
        assert set(metric) == {"value", "label", "description"}
        pattern = {"INTEGER": INTEGER, "RATE": RATE, "TIME": SHORT_TIME,
                   "DECIMAL": DECIMAL}[settings.HEATMAP_PAGE_METRICS[name]]
        assert pattern.fullmatch(metric["value"]), (name, metric)
    assert data["metrics"]["pv"]["label"] == "Page Views (PV)"
    assert [c["conversionName"] for c in data["conversions"]] == ["Purchase complete",
                                                                  "ptmind signup"]
    assert resp.json()["meta"]["dateRange"] == {"start": "2026-04-01", "end": "2026-04-30"}
    only_rate = ok(call(client, "heatmap/query", queryType="page_metrics", url=HOME,
                        deviceType="PC", metrics=["pv", "conversionRate"],
                        conversionNames=["Purchase complete"], **RANGE))
    assert set(only_rate["metrics"]) == {"pv", "conversionRate"}
    assert set(only_rate["conversions"][0]) == {"conversionName", "conversionRate"}
    unknown = ok(call(client, "heatmap/query", queryType="page_metrics",
                      url="https://example.com/never-captured", deviceType="ALL", **RANGE))
    assert unknown["metrics"]["pv"]["value"] == "0"
    assert unknown["metrics"]["bounceRate"]["value"] == "0.00%"
    zh = ok(call(client, "heatmap/query", queryType="page_metrics", url=HOME, deviceType="ALL",
                 metrics=["pv"], lang="ZH", **DAY))
    assert zh["metrics"]["pv"]["label"] != "Page Views (PV)"
    bad_lang = ok(call(client, "heatmap/query", queryType="page_metrics", url=HOME,
                       deviceType="ALL", metrics=["pv"], lang="xx", **DAY))
    assert bad_lang["metrics"]["pv"]["label"] == "Page Views (PV)"


def test_heatmap_insight_blocks_elements(client: httpx.Client) -> None:
    insight = ok(call(client, "heatmap/query", queryType="page_insight", url=HOME,
                      deviceType="ALL", metrics=["pv", "uv"], funName="terminalType", **RANGE))
    assert [i["name"] for i in insight["insights"]] == ["PC", "Mobile", "Tablet"]
    total = ok(call(client, "heatmap/query", queryType="page_metrics", url=HOME,
                    deviceType="ALL", metrics=["pv"], **RANGE))["metrics"]["pv"]["value"]
    assert sum(num(i["metrics"]["pv"]["value"]) for i in insight["insights"]) == num(total)
    by_day = ok(call(client, "heatmap/query", queryType="page_insight", url=HOME,
                     deviceType="MOBILE", funName="day", **RANGE))["insights"]
    assert len(by_day) == 30 and by_day[0]["name"] == "2026-04-01"
    blocks = ok(call(client, "heatmap/query", queryType="block_metrics", url=HOME,
                     deviceType="PC", stayTimeFilter=3, **RANGE))["blocks"]
    assert blocks and {"blockName", "screenshotUrl", "metrics", "conversions"} == set(blocks[0])
    assert set(blocks[0]["metrics"]) == set(settings.HEATMAP_BLOCK_METRICS) - {"completions",
                                                                              "conversionRate"}
    assert SHORT_TIME.fullmatch(blocks[0]["metrics"]["avgDuration"]["value"])
    elements = ok(call(client, "heatmap/query", queryType="element_metrics", url=HOME,
                       deviceType="TABLET", metrics=["click", "completions"],
                       conversionNames=["ptmind signup"], **RANGE))["elements"]
    assert elements and set(elements[0]["metrics"]) == {"click", "completions"}
    assert set(elements[0]["conversions"][0]) == {"conversionName", "completions"}
    assert ok(call(client, "heatmap/query", queryType="block_metrics", url="https://x.org/",
                   deviceType="PC", **RANGE)) == {"blocks": []}
    assert HEATMAP_PAGES[HOME] == {"blocks": True, "elements": True}


def test_event_query(client: httpx.Client) -> None:
    simple = ok(call(client, "event/query", dimensions=["eventName"], **RANGE))
    assert simple["columns"] == [
        {"name": "eventName", "type": "dimension", "dataType": "STRING"},
        {"name": "eventCount", "type": "metric", "dataType": "INTEGER"}]
    assert all(isinstance(r["eventCount"], int) for r in simple["rows"])
    purchase = {"name": "eventName", "op": "include", "value": ["purchase"]}
    daily = ok(call(client, "event/query", dimensions=["eventName", "day", "country"],
                    metrics=["eventCount", "sessions"], filters=[
                        purchase, {"name": "country", "op": "include", "value": ["Japan"]}],
                    **RANGE))["rows"]
    assert {r["country"] for r in daily} == {"Japan"}
    reordered = ok(call(client, "event/query", dimensions=["country", "day", "eventName"],
                        metrics=["eventCount", "sessions"], filters=[
                            purchase, {"name": "country", "op": "include", "value": ["Japan"]}],
                        **RANGE))["rows"]
    assert sorted(sorted(r.items()) for r in reordered) == sorted(sorted(r.items())
                                                                  for r in daily)
    assert all(re.fullmatch(r"2026-04-\d{2}", r["day"]) and r["sessions"] <= r["eventCount"]
               for r in daily)
    hourly = ok(call(client, "event/query", dimensions=["eventName", "hour"], **DAY))["rows"]
    assert all(re.fullmatch(r"2026-04-15T\d{2}", r["hour"]) for r in hourly)
    weekly = ok(call(client, "event/query", dimensions=["eventName", "week"], **RANGE))["rows"]
    assert all(dt.date.fromisoformat(r["week"]).weekday() == 0 for r in weekly)
    monthly = ok(call(client, "event/query", dimensions=["eventName", "month"], **RANGE))["rows"]
    assert {r["month"] for r in monthly} == {"2026-04"}
    by_total = {r["eventName"]: r["eventCount"] for r in simple["rows"]}
    assert sum(r["eventCount"] for r in monthly if r["eventName"] == "video_play") == \
        by_total["video_play"]
    prop = ok(call(client, "event/query", dimensions=[
        "eventName", {"name": "eventDimension", "eventVariant": "position"}], filters=[
        {"name": "eventName", "op": "include", "value": ["gallery_item_impression"]},
        {"name": "eventDimension", "eventName": "gallery_item_impression",
         "eventVariant": "position", "op": "include", "value": ["home"]}], **RANGE))
    assert [r["position"] for r in prop["rows"]] == ["home"]
    nested = ok(call(client, "event/query", dimensions=["eventName", "sourceType", "utmSource"],
                     metrics=["eventCount", "sessions"], filters=[purchase], **RANGE))["rows"]
    assert {r["sourceType"] for r in nested} == {"Campaign"}  # only campaigns carry UTM tags
    assert all(r["sessions"] <= r["eventCount"] for r in nested)
    goals = ok(call(client, "event/query", dimensions=["eventName", "conversionName"], filters=[
        purchase, {"name": "conversionName", "op": "include", "value": ["ptmind"]}], **RANGE))
    assert {r["conversionName"] for r in goals["rows"]} == {"ptmind signup"}


def test_event_fields(client: httpx.Client) -> None:
    data = ok(client.get("/open-api/v1/event/fields", params={"lang": "EN"}))
    assert [m["field"] for m in data["metrics"]] == list(settings.EVENT_METRICS)
    assert [d["field"] for d in data["dimensions"]] == list(settings.EVENT_DIMENSIONS)
    assert all(d["category"] and d["label"] and d["description"] for d in data["dimensions"])
    assert data["dimensions"][0] == {"field": "eventName", "label": "Event Name",
                                     "description": "Name of the event.", "dataType": "STRING",
                                     "category": "event"}
    jp = ok(client.get("/open-api/v1/event/fields", params={"lang": "JP"}))
    assert jp["metrics"][0]["label"] != "Events"


def test_datacenter_overview(client: httpx.Client) -> None:
    metrics = ok(call(client, "datacenter/query", queryType="overview", topic="metrics",
                      **RANGE))["metrics"]
    assert list(metrics) == list(settings.OVERVIEW_METRICS)
    assert INTEGER.fullmatch(metrics["visits"]["value"])
    assert RATE.fullmatch(metrics["bounceRate"]["value"])
    assert DECIMAL.fullmatch(metrics["avgPageView"]["value"])
    assert SHORT_TIME.fullmatch(metrics["avgVisitDuration"]["value"])
    assert re.fullmatch(r"\d+(\.\d{1,2})?s", metrics["avgLoadTime"]["value"])
    assert metrics["users"]["label"] == "Unique visitors (UV)"
    sources = ok(call(client, "datacenter/query", queryType="overview", topic="sources", **RANGE))
    assert sources["totalVisits"] == num(metrics["visits"]["value"]) == \
        sum(r["visits"] for r in sources["rows"])
    assert {r["sourceType"] for r in sources["rows"]} == \
        set(settings.FIXED_FILTER_VALUES["sourceType"])
    location = ok(call(client, "datacenter/query", queryType="overview", topic="location",
                       **RANGE))["rows"]
    assert {"country": "Japan", "state": "Tokyo"}.items() <= location[0].items()
    assert sum(r["visits"] for r in location) == sources["totalVisits"]
    device = ok(call(client, "datacenter/query", queryType="overview", topic="device",
                     **RANGE))["rows"]
    by_type = {r["deviceType"]: r for r in device}
    assert "resolution" in by_type["PC"] and "brand" not in by_type["PC"]
    assert "brand" in by_type["Mobile"] and "resolution" not in by_type["Mobile"]
    for row in device:
        assert sum(v["visits"] for v in row["osVersion"]) == row["visits"]


def test_dimension_table(client: httpx.Client) -> None:
    country = ok(call(client, "datacenter/query", queryType="dimension_table",
                      dimension="country", sortBy="visits", sortOrder="desc", limit=5, **RANGE))
    names = [c["name"] for c in country["columns"]]
    assert names == ["country", *settings.DIMENSION_TABLE_METRICS["default"]]
    assert all({"label", "description"} <= set(c) for c in country["columns"][1:])
    assert {c["name"]: c["dataType"] for c in country["columns"]}["avgVisitDuration"] == "TIME"
    assert len(country["rows"]) == 5 and country["rows"][0]["country"] == "Japan"
    row = country["rows"][0]
    assert INTEGER.fullmatch(row["visits"]) and HMS.fullmatch(row["avgVisitDuration"])
    assert RATE.fullmatch(row["bounceRate"])
    visits = [num(r["visits"]) for r in country["rows"]]
    assert visits == sorted(visits, reverse=True)
    asc = ok(call(client, "datacenter/query", queryType="dimension_table", dimension="country",
                  sortBy="country", sortOrder="asc", **RANGE))["rows"]
    assert [r["country"] for r in asc] == sorted(r["country"] for r in asc)
    entry = ok(call(client, "datacenter/query", queryType="dimension_table",
                    dimension="entryCombinedPages", conversionName="ptmind", **RANGE))
    assert [c["name"] for c in entry["columns"][:2]] == ["url", "title"]
    assert DECIMAL.fullmatch(entry["rows"][0]["avgPageVisits"])
    assert {c["name"]: c["dataType"] for c in entry["columns"]}["avgPageVisits"] == "NUMBER"
    pages = ok(call(client, "datacenter/query", queryType="dimension_table",
                    dimension="combinedPages", **RANGE))
    assert [c["name"] for c in pages["columns"]] == ["url", "title",
                                                     *settings.DIMENSION_TABLE_METRICS["pages"]]
    assert len(pages["rows"]) >= 25
    group = ok(call(client, "datacenter/query", queryType="dimension_table",
                    dimension="pageGroup", **RANGE))
    assert group["columns"][0]["name"] == "pageGroup"


def test_metric_curve(client: httpx.Client) -> None:
    points = ok(call(client, "datacenter/query", queryType="metric_curve", metric="visits",
                     granularity="day", **RANGE))["points"]
    assert [p["time"] for p in points] == [f"2026-04-{d:02d}" for d in range(1, 31)]
    hourly = ok(call(client, "datacenter/query", queryType="metric_curve",
                     metric="avgVisitDuration", granularity="hour", **DAY))["points"]
    assert len(hourly) == 24 and hourly[0]["time"] == "2026-04-15T00"
    assert all(HMS.fullmatch(p["value"]) for p in hourly)
    load = ok(call(client, "datacenter/query", queryType="metric_curve", metric="avgLoadTime",
                   granularity="week", **RANGE))["points"]
    assert load[0]["time"] == "2026-03-30" and re.fullmatch(r"\d+\.\d{2}s", load[0]["value"])
    future = ok(call(client, "datacenter/query", queryType="metric_curve", metric="visits",
                     granularity="day", startDate="2026-05-01", endDate="2026-05-02"))
    assert [p["value"] for p in future["points"]] == ["0", "0"]
    scoped = ok(call(client, "datacenter/query", queryType="metric_curve",
                     metric="conversions", granularity="month", conversionName="Purchase",
                     **RANGE))["points"]
    goals = ok(call(client, "conversion/query", queryType="regular", **RANGE))["rows"]
    assert scoped[0]["value"] == {r["conversionName"]: r["conversions"]
                                  for r in goals}["Purchase complete"]


def test_conversion_query(client: httpx.Client) -> None:
    metrics = ok(call(client, "conversion/query", queryType="metrics", lang="EN", **RANGE))
    assert list(metrics["metrics"]) == list(settings.CONVERSION_SUMMARY_METRICS)
    m = metrics["metrics"]
    assert m["conversions"]["label"] == "Completions" and set(m["loss"]) == {"value", "label"}
    assert num(m["conversionValue"]["value"]) == num(m["revenue"]["value"]) + \
        num(m["loss"]["value"]) and num(m["loss"]["value"]) < 0
    curve = ok(call(client, "conversion/query", queryType="metric_curve", metric="completions",
                    granularity="day", **RANGE))
    assert curve["queryType"] == "metric_curve" and len(curve["points"]) == 30
    assert sum(num(p["value"]) for p in curve["points"]) == num(m["conversions"]["value"])
    for qtype, key in (("sources_breakdown", "sourceName"), ("ad_name_breakdown", "adName"),
                       ("ad_source_breakdown", "adSource")):
        data = ok(call(client, "conversion/query", queryType=qtype, **RANGE))
        assert data["queryType"] == qtype and key in data["rows"][0]
        assert all(isinstance(r["conversions"], int) for r in data["rows"])
    sources = ok(call(client, "conversion/query", queryType="sources_breakdown", **RANGE))
    assert sum(r["conversions"] for r in sources["rows"]) == num(m["conversions"]["value"])
    funnel = ok(call(client, "conversion/query", queryType="funnel", conversionName="ptmind",
                     **RANGE))
    assert funnel["conversionName"] == "ptmind signup" and funnel["conversionId"].isdigit()
    steps = funnel["steps"]
    assert steps[-1]["conversionToNextRate"] is None and RATE.fullmatch(
        steps[0]["conversionToNextRate"])
    assert funnel["summary"]["totalConversions"] == steps[-1]["entries"]
    for a, b in zip(steps, steps[1:], strict=False):
        assert a["dropoff"] == a["entries"] - (b["entries"] - b["external"])
    assert any(p["url"] == "Exit" for p in steps[0]["dropoffPaths"])
    regular = ok(call(client, "conversion/query", queryType="regular", **RANGE))
    negative = ok(call(client, "conversion/query", queryType="negative", **RANGE))
    assert "Cart abandoned" not in {r["conversionName"] for r in regular["rows"]}
    assert [r["conversionName"] for r in negative["rows"]] == ["Cart abandoned"]
    assert negative["columns"][-1]["name"] == "loss" and num(negative["rows"][0]["loss"]) > 0


# --- validation ------------------------------------------------------------------------

HM = {"queryType": "page_metrics", "url": HOME, "deviceType": "ALL", **RANGE}
EV = {"dimensions": ["eventName"], **RANGE}
DC = {"queryType": "dimension_table", "dimension": "country", **RANGE}
CV = {"queryType": "metrics", **RANGE}
CURVE = {"queryType": "metric_curve", "metric": "visits", "granularity": "day", **RANGE}


def _f(**item: Any) -> dict[str, Any]:
    return {"filters": [item]}


CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("heatmap qtype", "heatmap/query", {**HM, "queryType": "nope"}, 4001, "queryType"),
    ("dc qtype", "datacenter/query", {**DC, "queryType": "nope"}, 4001, "queryType"),
    ("cv qtype", "conversion/query", {**CV, "queryType": "nope"}, 4001, "queryType"),
    ("bad date", "heatmap/query", {**HM, "startDate": "2026-4-1"}, 4002, "startDate"),
    ("reversed", "datacenter/query", {**DC, "startDate": "2026-04-30",
                                      "endDate": "2026-04-01"}, 4002, "after"),
    ("hour range", "datacenter/query", {**CURVE, "granularity": "hour"}, 4002, "hour"),
    ("retention", "datacenter/query", {**DC, "startDate": "2023-01-01"}, 4003, "2024-04-30"),
    ("funName", "heatmap/query", {**HM, "queryType": "page_insight"}, 4006, "funName"),
    ("block ALL", "heatmap/query", {**HM, "queryType": "block_metrics"}, 4007, "ALL"),
    ("blog blocks", "heatmap/query", {**HM, "queryType": "block_metrics", "deviceType": "PC",
                                      "url": "https://example.com/blog"}, 4008, "blog"),
    ("element ALL", "heatmap/query", {**HM, "queryType": "element_metrics"}, 4009, "ALL"),
    ("goal exact", "heatmap/query", {**HM, "metrics": ["completions"],
                                     "conversionNames": ["Purchase"]}, 4012, "Purchase"),
    ("event goal", "event/query", {**EV, **_f(name="conversionName", op="include",
                                              value=["zzz"])}, 4012, "zzz"),
    ("dc goal", "datacenter/query", {**DC, "conversionName": "zzz"}, 4012, "zzz"),
    ("funnel many", "conversion/query", {**CV, "queryType": "funnel", "conversionName": "e"},
     4012, "Purchase complete"),
    ("no url", "heatmap/query", {k: v for k, v in HM.items() if k != "url"}, 4013, "url"),
    ("no profile", "conversion/goals", {"profileId": None}, 4013, "profileId"),
    ("no names", "heatmap/query", {**HM, "metrics": ["conversionRate"]}, 4013,
     "conversionNames"),
    ("no dims", "event/query", RANGE, 4013, "dimensions"),
    ("no dimension", "datacenter/query", {**DC, "dimension": None}, 4013, "dimension"),
    ("no funnel goal", "conversion/query", {**CV, "queryType": "funnel"}, 4013,
     "conversionName"),
    ("no end", "event/query", {**EV, "endDate": None}, 4013, "endDate"),
    ("device", "heatmap/query", {**HM, "deviceType": "PHONE"}, 4014, "PHONE"),
    ("pricing elements", "heatmap/query", {**HM, "queryType": "element_metrics",
                                           "deviceType": "MOBILE",
                                           "url": "https://example.com/pricing"}, 4016, "pricing"),
    ("bad funName", "heatmap/query", {**HM, "queryType": "page_insight", "funName": "city"},
     4018, "city"),
    ("bad metric", "heatmap/query", {**HM, "metrics": ["pv", "dwell"]}, 4018, "dwell"),
    ("bad range", "heatmap/query", {**HM, "rangeType": "EXACT"}, 4018, "EXACT"),
    ("no eventName dim", "event/query", {**EV, "dimensions": ["day"]}, 4018, "eventName"),
    ("dims count", "event/query", {**EV, "dimensions": ["eventName", "country", "os",
                                                        "browser"]}, 4018, "3"),
    ("two time dims", "event/query", {**EV, "dimensions": ["eventName", "day", "hour"]}, 4018,
     "time"),
    ("unknown dim", "event/query", {**EV, "dimensions": ["eventName", "planet"]}, 4018,
     "planet"),
    ("needs event filter", "event/query", {**EV, "dimensions": ["eventName", "country"]}, 4018,
     "eventName"),
    ("event metric", "event/query", {**EV, "metrics": ["users"]}, 4018, "eventCount"),
    ("filter name", "event/query", {**EV, **_f(name="planet", op="include", value=["x"])},
     4018, "planet"),
    ("topic", "datacenter/query", {**DC, "queryType": "overview", "topic": "weather"}, 4018,
     "weather"),
    ("dc dimension", "datacenter/query", {**DC, "dimension": "planet"}, 4018, "planet"),
    ("sortBy", "datacenter/query", {**DC, "sortBy": "entrances"}, 4018, "entrances"),
    ("pages goal", "datacenter/query", {**DC, "dimension": "combinedPages",
                                        "conversionName": "ptmind"}, 4018, "conversionName"),
    ("curve metric", "datacenter/query", {**CURVE, "metric": "revenue"}, 4018, "revenue"),
    ("granularity", "datacenter/query", {**CURVE, "granularity": "year"}, 4018, "year"),
    ("curve goal", "datacenter/query", {**CURVE, "conversionName": "ptmind"}, 4018,
     "conversionName"),
    ("cv curve metric", "conversion/query", {**CV, "queryType": "metric_curve",
                                             "metric": "visits", "granularity": "day"}, 4018,
     "visits"),
    ("op", "datacenter/query", {**DC, **_f(name="country", op="equals", value=["Japan"])},
     4019, "op"),
    ("empty value", "conversion/query", {**CV, **_f(name="country", op="include", value=[])},
     4019, "value"),
    ("scalar value", "heatmap/query", {**HM, **_f(name="os", op="include", value="iOS")}, 4019,
     "value"),
    ("fixed value", "event/query", {**EV, **_f(name="deviceType", op="include",
                                               value=["Smartphone"])}, 4019, "Smartphone"),
    ("sortOrder", "datacenter/query", {**DC, "sortOrder": "up"}, 4019, "up"),
    ("limit", "datacenter/query", {**DC, "limit": 1001}, 4019, "limit"),
]


@pytest.mark.parametrize(("path", "body", "code", "needle"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_validation_codes(client: httpx.Client, path: str, body: dict[str, Any], code: int,
                          needle: str) -> None:
    assert needle in fails(call(client, path, **body), code)


def test_auth_and_envelopes(sim: PtengineSimulator, client: httpx.Client) -> None:
    goals = "/open-api/v1/conversion/goals"
    body = {"profileId": DEFAULT_PROFILE_ID}
    missing = httpx.post(sim.url + goals, json=body)
    fails(missing, 4010)
    assert not set(HEADERS) & set(missing.headers)
    fails(httpx.post(sim.url + goals, json=body, headers={"x-api-key": "pt-wrong"}), 4011)
    fails(httpx.post(sim.url + goals, json=body, headers={"x-api-key": UPLOAD_ONLY_KEY}), 4031)
    other = call(client, "conversion/goals", profileId="deadbeef")
    fails(other, 4030)
    assert set(HEADERS) <= set(other.headers)
    lost = client.post("/open-api/v1/nowhere", json=body)
    assert lost.status_code == 404 and lost.json()["code"] == 404 and "message" in lost.json()
    assert client.get(goals).status_code == 405
    not_json = client.post(goals, content=b"{oops", headers={"content-type": "application/json"})
    fails(not_json, 4018)
    slashes = ok(call(client, "datacenter/query", **{**CURVE, "startDate": "2026/04/01",
                                                     "endDate": "2026/04/02"}))
    assert len(slashes["points"]) == 2
    jp = call(client, "datacenter/query", **{**DC, "queryType": "nope", "lang": "JP"})
    assert fails(jp, 4001) != fails(call(client, "datacenter/query",
                                         **{**DC, "queryType": "nope"}), 4001)


# --- rate limits ---------------------------------------------------------------------------


def _goals(base: str, key: str = DEFAULT_API_KEY) -> httpx.Response:
    return httpx.post(base + "/open-api/v1/conversion/goals",
                      json={"profileId": DEFAULT_PROFILE_ID}, headers={"x-api-key": key})


def test_rate_limit_per_minute() -> None:
    with PtengineSimulator(plan="free", rpm=2, rpd=50, today=TODAY, minute_seconds=1.0) as sim:
        time.sleep(1.0 - time.time() % 1.0 + 0.02)  # start of a fresh window
        first = _goals(sim.url)
        assert first.headers["X-RateLimit-Limit-Minute"] == "2"
        assert first.headers["X-RateLimit-Remaining-Minute"] == "1"
        assert first.headers["X-RateLimit-Limit-Day"] == "50"
        assert first.headers["X-RateLimit-Remaining-Day"] == "49"
        assert first.headers["X-RateLimit-Tier"] == "FREE"
        ok(_goals(sim.url))
        refused = _goals(sim.url)
        fails(refused, 4290)
        assert refused.headers["X-RateLimit-Remaining-Minute"] == "0"
        assert "Retry-After" not in refused.headers
        time.sleep(1.0 - time.time() % 1.0 + 0.02)
        again = _goals(sim.url)
        ok(again)
        assert again.headers["X-RateLimit-Remaining-Day"] == "47"  # the 429 spent nothing


def test_rate_limit_per_day() -> None:
    with PtengineSimulator(plan="growth", rpm=50, rpd=3, today=TODAY) as sim:
        for _ in range(3):
            ok(_goals(sim.url))
        refused = _goals(sim.url)
        assert "00:00 UTC" in fails(refused, 4291)
        assert refused.headers["X-RateLimit-Remaining-Day"] == "0"
        assert refused.headers["X-RateLimit-Tier"] == "GROWTH"
        fails(_goals(sim.url, "pt-wrong"), 4011)  # auth errors come first
        httpx.post(sim.url + "/_sim/advance_day", json={"days": 1}).raise_for_status()
        rolled = _goals(sim.url)
        ok(rolled)
        assert rolled.headers["X-RateLimit-Remaining-Day"] == "2"


def test_unlimited_plan_headers(client: httpx.Client) -> None:
    response = call(client, "conversion/goals")
    assert response.headers["X-RateLimit-Limit-Minute"] == "100000"
    assert response.headers["X-RateLimit-Limit-Day"] == "10000000"
    assert response.headers["X-RateLimit-Tier"] == "UNLIMITED"


# --- data ------------------------------------------------------------------------------------


def _day_visits(client: httpx.Client, day: str, filters: list[dict[str, Any]]) -> list[int]:
    span = {"startDate": day, "endDate": day, "filters": filters}
    curve = ok(call(client, "datacenter/query", **{**CURVE, **span}))["points"]
    overview = ok(call(client, "datacenter/query", queryType="overview", topic="metrics",
                       **span))["metrics"]
    table = ok(call(client, "datacenter/query", queryType="dimension_table",
                    dimension="country", **span))["rows"]
    sources = ok(call(client, "datacenter/query", queryType="overview", topic="sources",
                      **span))
    return [num(curve[0]["value"]), num(overview["visits"]["value"]),
            sum(num(r["visits"]) for r in table), sources["totalVisits"]]


@pytest.mark.parametrize("filters", [
    [],
    [{"name": "deviceType", "op": "include", "value": ["Mobile"]}],
    [{"name": "country", "op": "include", "value": ["Japan", "China"]},
     {"name": "sourceType", "op": "exclude", "value": ["Direct"]}],
], ids=["all", "mobile", "asia-not-direct"])
def test_visits_agree_across_endpoints(client: httpx.Client,
                                       filters: list[dict[str, Any]]) -> None:
    for day in ("2026-04-04", "2026-04-15"):
        values = _day_visits(client, day, filters)
        assert len(set(values)) == 1 and values[0] > 0, values


def test_ranges_are_sums_of_days(sim: PtengineSimulator, client: httpx.Client) -> None:
    span = {"startDate": "2026-04-10", "endDate": "2026-04-16"}
    curve = ok(call(client, "datacenter/query", **{**CURVE, **span}))["points"]
    singles = [ok(call(client, "datacenter/query", **{**CURVE, "startDate": p["time"],
                                                      "endDate": p["time"]}))["points"][0]
               for p in curve]
    assert curve == singles
    whole = ok(call(client, "datacenter/query", **{**DC, **span, "dimension": "sourceType"}))
    by_day: dict[str, int] = {}
    for p in curve:
        rows = ok(call(client, "datacenter/query", **{**DC, "dimension": "sourceType",
                                                      "startDate": p["time"],
                                                      "endDate": p["time"]}))["rows"]
        for r in rows:
            by_day[r["sourceType"]] = by_day.get(r["sourceType"], 0) + num(r["pageView"])
    assert {r["sourceType"]: num(r["pageView"]) for r in whole["rows"]} == by_day
    model = sim.model.day(DEFAULT_PROFILE_ID, dt.date(2026, 4, 10))
    assert num(curve[0]["value"]) == model["visits"]
    assert sum(model["dimensions"]["country"].values()) == model["visits"]
    assert model["conversion_value"] == model["revenue"] + model["loss"]
    assert set(model["goals"]) >= {"Purchase complete"} and "purchase" in model["events"]


def test_determinism_across_instances(client: httpx.Client) -> None:
    bodies = [("datacenter/query", DC), ("event/query", {**EV, "dimensions": ["eventName", "day"]}),
              ("heatmap/query", {**HM, "queryType": "block_metrics", "deviceType": "PC"}),
              ("conversion/query", {**CV, "queryType": "funnel", "conversionName": "Purchase"})]
    with PtengineSimulator(plan="unlimited", today=TODAY) as other, \
            httpx.Client(base_url=other.url, headers={"x-api-key": DEFAULT_API_KEY}) as c2:
        for path, body in bodies:
            assert ok(call(client, path, **body)) == ok(call(c2, path, **body))


def test_revisions_grow_until_final() -> None:
    day = {"startDate": "2026-04-29", "endDate": "2026-04-29"}
    with PtengineSimulator(plan="unlimited", today=TODAY, revise_days=3) as sim, \
            httpx.Client(base_url=sim.url, headers={"x-api-key": DEFAULT_API_KEY}) as c:
        early = num(ok(call(c, "datacenter/query", **{**CURVE, **day}))["points"][0]["value"])
        sim.advance_days(5)
        final = num(ok(call(c, "datacenter/query", **{**CURVE, **day}))["points"][0]["value"])
    assert early < final
    assert sim.model.day(DEFAULT_PROFILE_ID, dt.date(2026, 4, 29), TODAY)["visits"] == early
    assert sim.model.day(DEFAULT_PROFILE_ID, dt.date(2026, 4, 29))["visits"] == final


# --- faults, log, admin --------------------------------------------------------------------


def _sim(faults: str, **kw: Any) -> PtengineSimulator:
    return PtengineSimulator(**{"plan": "free", "rpm": 100, "rpd": 10, "today": TODAY,
                                "faults": faults, **kw})


def test_fault_500_and_quota() -> None:
    with _sim("500:1.0") as sim:
        r = _goals(sim.url)
        assert r.status_code == 500 and r.json()["code"] == 5000
        assert r.headers["X-RateLimit-Remaining-Day"] == "10"
        stats = httpx.get(sim.url + "/_sim/stats").json()
        assert stats["requests"] == 1 and stats["faults"] == 1


def test_fault_reset_and_malformed() -> None:
    with _sim("reset:1.0") as sim, pytest.raises(httpx.TransportError):
        _goals(sim.url)
    with _sim("malformed:1.0") as sim:
        r = _goals(sim.url)
        assert r.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.content)


def test_fault_429_kinds() -> None:
    with _sim("429:1.0") as sim:
        r = _goals(sim.url)
        assert r.status_code == 429 and r.json()["code"] == 4290
        assert r.headers["X-RateLimit-Remaining-Minute"] == "0"
        assert r.headers["X-RateLimit-Remaining-Day"] == "10"
    with _sim("429bare:1.0") as sim:
        r = _goals(sim.url)
        assert r.status_code == 429 and not set(HEADERS) & set(r.headers)


def test_fault_slow_answers_normally() -> None:
    with _sim("slow:1.0", slow_seconds=0.3) as sim:
        started = time.perf_counter()
        ok(_goals(sim.url))
        assert time.perf_counter() - started >= 0.3
        assert sim.requests[0]["fault"] == "slow"


def test_faults_are_reproducible_and_spare_admin() -> None:
    def kinds() -> list[str | None]:
        with _sim("500:0.3,429:0.2", fault_seed=7, rpd=100) as sim:
            for _ in range(20):
                _goals(sim.url)
            for _ in range(5):
                assert httpx.get(sim.url + "/_sim/stats").status_code == 200
            return [r["fault"] for r in sim.requests]

    first = kinds()
    assert first == kinds() and len(first) == 20 and {"500", "429", None} <= set(first)
    with pytest.raises(ValueError):
        parse_fault_spec("teapot:0.5")
    with pytest.raises(ValueError):
        parse_fault_spec("500:0.7,reset:0.6")


def test_request_log_redacts_the_key(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with _sim("", request_log=path) as sim, \
            httpx.Client(base_url=sim.url, headers={"x-api-key": DEFAULT_API_KEY}) as c:
        call(c, "datacenter/query", **DC)
        c.get("/open-api/v1/event/fields", params={"lang": "EN", "key": DEFAULT_API_KEY})
        httpx.get(sim.url + "/_sim/stats")
    text = path.read_text()
    assert DEFAULT_API_KEY not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 2 == len(sim.requests)
    first = records[0]
    assert first["headers"]["x-api-key"] == "***"
    assert first["body"]["dimension"] == "country" and first["status"] == 200
    assert {"ts", "method", "path", "query", "body", "status", "code", "fault",
            "duration_ms"} <= set(first)
    assert records[1]["query"] == {"lang": "EN", "key": "***"}


def test_admin_endpoints() -> None:
    with _sim("") as sim:
        _goals(sim.url)
        _goals(sim.url, "pt-wrong")
        stats = httpx.get(sim.url + "/_sim/stats").json()
        assert stats["requests"] == 2 and stats["faults"] == 0
        assert stats["by_path"] == {settings.PATH_CONVERSION_GOALS: 2}
        moved = httpx.post(sim.url + "/_sim/advance_day", json={"days": 2}).json()
        assert moved["today"] == "2026-05-02" and sim.clock.today() == dt.date(2026, 5, 2)
        assert httpx.post(sim.url + "/_sim/advance_day", json={"days": "x"}).status_code == 400
        assert httpx.post(sim.url + "/_sim/reset").status_code == 200
        assert httpx.get(sim.url + "/_sim/stats").json()["requests"] == 0
        assert sim.requests == []
        assert _goals(sim.url).headers["X-RateLimit-Remaining-Day"] == "9"


def test_registry_and_catalog() -> None:
    assert SIMULATORS["ptengine"] is PtengineSimulator
    special = {"eventName", "dimension", "eventDimension", "conversionName"}
    assert set(settings.FILTER_FIELDS) - special == set(FILTER_DIMS)
    assert set(settings.DATACENTER_DIMENSIONS) - set(settings.NO_CONVERSION_DIMENSIONS) <= \
        set(DIMS) | set(DIM_ALIASES)
    with pytest.raises(ValueError):
        PtengineSimulator(plan="platinum")
