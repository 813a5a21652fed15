"""The Ptengine simulator over real HTTP: authentication, envelopes, validation codes,
rate limits, faults, the request log and the admin endpoints.

The endpoints' data: ``test_simulator_ptengine_insight`` (data center, events, conversion,
filter values) and ``test_simulator_ptengine_experience`` (heatmap).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators import SIMULATORS
from simulators.base import parse_fault_spec
from simulators.ptengine import (
    DEFAULT_API_KEY,
    DEFAULT_PROFILE_ID,
    UPLOAD_ONLY_KEY,
    PtengineSimulator,
)
from simulators.ptengine.catalog import DIM_ALIASES, DIMS, FILTER_DIMS
from sources.ptengine import settings
from tests.sim_ptengine import (
    CURVE,
    CV,
    DC,
    EV,
    HEADERS,
    HM,
    RANGE,
    TODAY,
    api_client,
    call,
    fails,
    module_fixtures,
    ok,
)

sim, client = module_fixtures()


# --- validation ------------------------------------------------------------------------


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



# --- authentication and envelopes ------------------------------------------------------


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
    with _sim("", request_log=path) as sim, api_client(sim) as c:
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
