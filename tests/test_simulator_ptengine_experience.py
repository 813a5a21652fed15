"""The Ptengine simulator's heatmap (Experience) answers over real HTTP."""

from __future__ import annotations

import httpx

from simulators.ptengine import HEATMAP_PAGES
from sources.ptengine import settings
from tests.sim_ptengine import (
    DAY,
    DECIMAL,
    HOME,
    INTEGER,
    RANGE,
    RATE,
    SHORT_TIME,
    call,
    module_fixtures,
    num,
    ok,
)

sim, client = module_fixtures()


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
