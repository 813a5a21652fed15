"""The Ptengine simulator's Insight data over real HTTP: data center, events, conversion,
filter values, and how their numbers agree (ranges, filters, instances, revisions)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest

from simulators.ptengine import DEFAULT_PROFILE_ID, PtengineSimulator
from sources.ptengine import settings
from tests.sim_ptengine import (
    CURVE,
    CV,
    DAY,
    DC,
    DECIMAL,
    EV,
    HM,
    HMS,
    INTEGER,
    RANGE,
    RATE,
    SHORT_TIME,
    TODAY,
    api_client,
    call,
    module_fixtures,
    num,
    ok,
)

sim, client = module_fixtures()


# --- filter values and goals -------------------------------------------------------------


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


# --- events ------------------------------------------------------------------------------


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


# --- data center and conversion ----------------------------------------------------------


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
    with PtengineSimulator(plan="unlimited", today=TODAY) as other, api_client(other) as c2:
        for path, body in bodies:
            assert ok(call(client, path, **body)) == ok(call(c2, path, **body))


def test_revisions_grow_until_final() -> None:
    day = {"startDate": "2026-04-29", "endDate": "2026-04-29"}
    with PtengineSimulator(plan="unlimited", today=TODAY, revise_days=3) as sim, \
            api_client(sim) as c:
        early = num(ok(call(c, "datacenter/query", **{**CURVE, **day}))["points"][0]["value"])
        sim.advance_days(5)
        final = num(ok(call(c, "datacenter/query", **{**CURVE, **day}))["points"][0]["value"])
    assert early < final
    assert sim.model.day(DEFAULT_PROFILE_ID, dt.date(2026, 4, 29), TODAY)["visits"] == early
    assert sim.model.day(DEFAULT_PROFILE_ID, dt.date(2026, 4, 29))["visits"] == final
