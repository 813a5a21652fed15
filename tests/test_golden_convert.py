"""Golden tests: the doc's example responses, verbatim, through the client and the shaping.

Each fixture in tests/golden/convert/ is a response sample of convert-api-v2.txt copied
verbatim (the doc renders nested arrays and objects collapsed, e.g. ``"data": [ ]``; the
fixture keeps them exactly so, as ``[]`` / ``{}``), with its doc line. A loopback server
replays it over real HTTP, ``ConvertClient`` fetches it with a signed request, and the
shaping turns it into rows compared with rows written out by hand.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime
from typing import Any

import pytest

from sources.common.errors import ApiError
from sources.common.limiter import RateLimiter
from sources.convert import shaping
from sources.convert.client import ConvertClient
from tests.conftest import GOLDEN, CannedServer, golden

APP, SECRET = "golden-app", "golden-secret-value"
IDS = {"account_id": "100123", "project_id": "20001", "experience_id": "300001",
       "goal_id": "500001"}


def fetch(canned: CannedServer, name: str) -> Any:
    """Serve a fixture and fetch it with the real, signing client; returns the answer."""
    pair = golden("convert", name)
    path = "/api/v2" + pair["request"]["path"].format(**IDS)
    canned.route(path, pair["response"])
    client = ConvertClient(canned.url + "/api/v2", APP, SECRET, RateLimiter(rpm=1000))
    try:
        if pair["request"]["method"] == "GET":
            answer = client.get(path.removeprefix("/api/v2"))
        else:
            answer = client.post(path.removeprefix("/api/v2"), {"page": 1})
    finally:
        client.close()
    sent = canned.requests[-1]
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    sign_text = (f"{APP}\n{headers['expires']}\n{canned.url}{path}\n".encode() + sent["body"])
    want = hmac.new(SECRET.encode(), sign_text, hashlib.sha256).hexdigest()
    assert headers["authorization"] == f"Convert-HMAC-SHA256 Signature={want}"
    return answer


def test_every_success_sample_comes_back_verbatim(canned: CannedServer) -> None:
    names = sorted(p.name for p in (GOLDEN / "convert").glob("*.json"))
    assert len(names) == 12
    for name in names:
        if "reset_report" not in name:
            assert fetch(canned, name) == golden("convert", name)["response"], name


def test_list_samples_are_one_page_without_rows(canned: CannedServer) -> None:
    for name in ("02_projects_list.json", "04_experiences_list.json", "11_goals_list.json",
                 "06_change_history.json"):
        pair = golden("convert", name)
        canned.route("/api/v2" + pair["request"]["path"].format(**IDS), pair["response"])
        client = ConvertClient(canned.url + "/api/v2", APP, SECRET, RateLimiter(rpm=1000))
        pages = list(client.pages(pair["request"]["path"].format(**IDS), {}))
        client.close()
        assert pages == [{"data": [], "extra": {}}]  # no extra.pagination: one page


def test_get_project_sample(canned: CannedServer) -> None:
    project = fetch(canned, "03_project_get.json")
    assert shaping.project_row(100123, project) == {
        "account_id": 100123,  # the sample's account_id 0 is no id: the configured one
        "id": 0, "name": "string", "project_type": "web", "status": "active", "type": "own",
        "access_role": "owner", "created_at": None, "modified_at": None}


def test_get_experience_sample(canned: CannedServer) -> None:
    exp = fetch(canned, "05_experience_get.json")
    assert shaping.experience_row(20001, exp) == {
        "project_id": 20001, "id": 0, "name": "string", "key": "string",
        "description": "string", "objective": "string", "status": "draft", "type": "a/b",
        "url": None, "environment": "string", "primary_goal_id": 0,
        "traffic_distribution": 100.0, "version": 0.0,
        "start_time": None, "end_time": None,  # 0: not started / not stopped
        "variations": [], "goals": []}


def test_get_goal_sample(canned: CannedServer) -> None:
    goal = fetch(canned, "12_goal_get.json")
    assert shaping.goal_row(20001, goal) == {
        "project_id": 20001, "id": 0, "name": "string", "key": "string",
        "description": "string", "type": "advanced", "status": "active", "is_system": True,
        "selected_default": True}


@pytest.mark.parametrize("name", ["08_aggregated_report.json", "09_daily_report.json"])
def test_report_samples_give_no_rows(canned: CannedServer, name: str) -> None:
    data = fetch(canned, name)["data"]
    assert shaping.aggregated_rows(20001, 300001, date(2026, 4, 30), data) == []
    assert shaping.daily_rows(20001, 300001, 500001, 0, data) == []


def test_error_sample_becomes_an_api_error(canned: CannedServer) -> None:
    """The doc's ``{"code", "message"}`` body (Reset Report) answered with HTTP 400."""
    path = "/accounts/100123/projects/20001/experiences/300001/daily_report"
    canned.route("/api/v2" + path, golden("convert", "10_reset_report.json")["response"],
                 status=400)
    client = ConvertClient(canned.url + "/api/v2", APP, SECRET, RateLimiter(rpm=1000))
    with pytest.raises(ApiError) as caught:
        client.post(path, {"goal": 1})
    client.close()
    assert caught.value.status == 400 and caught.value.code == 0
    assert "string" in str(caught.value) and SECRET not in str(caught.value)


def test_notes_shaped_aggregated_report_rows() -> None:
    """The NOTES.md shape (the doc collapses it), with both stats engines' fields."""
    data = {"stats_methodology": "frequentist",
            "variations_data": [{"id": 11, "name": "Original", "is_baseline": True},
                                {"id": 12, "name": "Variation 1", "is_baseline": False}],
            "reportData": [{"goal_id": 7, "srm": 0.42, "variations": [
                {"id": 11, "visitors": 1000, "metrics": [
                    {"metric_type": "conversion_rate", "metric_total": 30,
                     "metric_value": 0.03, "metric_change": None, "confidence": None,
                     "statistically_significant": False, "metric_interval": None}]},
                {"id": 12, "visitors": 990, "metrics": [
                    {"metric_type": "conversion_rate", "metric_total": 45,
                     "metric_value": 0.045454, "metric_change": 0.515, "confidence": 96.5,
                     "statistically_significant": True, "metric_interval": [0.02, 1.01]},
                    {"metric_type": "avg_revenue_visitor", "metric_total": 1234.5,
                     "metric_value": 1.247, "metric_change": 0.1, "chance_to_win": 80}]}]}]}
    rows = shaping.aggregated_rows(20001, 300001, date(2026, 4, 30), data)
    assert rows[1] == {
        "project_id": 20001, "experience_id": 300001, "goal_id": 7, "variation_id": 12,
        "report_date": date(2026, 4, 30), "variation_name": "Variation 1",
        "is_baseline": False, "stats_methodology": "frequentist", "visitors": 990,
        "srm": 0.42, "conversions": 45, "conversion_rate": 0.045454, "change": 0.515,
        "interval_low": 0.02, "interval_high": 1.01, "confidence": 0.965,
        "statistically_significant": True, "revenue": shaping.parse_decimal("1234.5"),
        "avg_revenue_per_visitor": 1.247, "revenue_change": 0.1,
        "revenue_interval_low": None, "revenue_interval_high": None,
        "revenue_chance_to_win": 0.8}
    assert rows[0]["change"] is None and rows[0]["is_baseline"] is True


def test_notes_shaped_daily_report_rows() -> None:
    label = int(datetime(2026, 4, 1, tzinfo=UTC).timestamp())
    data = {"reportData": {"variations": [{"id": 11, "stats": [
        {"timestamp": label, "value": 0.05, "totals": 5, "visitors": 100}]}]}}
    assert shaping.daily_rows(20001, 300001, 7, 7200, data) == [
        {"project_id": 20001, "experience_id": 300001, "goal_id": 7, "variation_id": 11,
         "date": date(2026, 4, 1), "visitors": 100, "conversions": 5, "conversion_rate": 0.05}]
