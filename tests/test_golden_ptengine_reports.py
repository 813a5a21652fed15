"""Golden tests for the heatmap (§2.2) and Experience (§3) examples, verbatim from the doc.

Each response goes over real HTTP through ``PtengineClient`` (``through_client``), then
through the shaping functions; expected rows are written out by hand from the doc's text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sources.ptengine import experience_shaping as X
from sources.ptengine import heatmap
from tests.conftest import GOLDEN, CannedServer, golden
from tests.test_golden_ptengine import PROFILE, through_client

DAY = date(2026, 3, 31)
LIST = golden("ptengine", "29_experience_list.json")["response"]["data"]
SPRING = LIST[0]


def body(name: str) -> dict:
    return golden("ptengine", name)["request"]["body"]


def test_every_experience_example_unwraps_verbatim(canned: CannedServer) -> None:
    names = sorted(p.name for p in (GOLDEN / "ptengine").glob("*_experience_*.json"))
    assert len(names) == 8
    for name in names:
        through_client(canned, name)


def test_page_metrics_with_a_conversion_goal(canned: CannedServer) -> None:
    name = "08_heatmap_query_page_metrics.json"
    data = through_client(canned, name)
    rows, defs = heatmap.heatmap_rows(PROFILE, "all", DAY, body(name), data)
    assert rows == [{
        "profile_id": PROFILE, "segment": "all", "date": DAY, "url": "https://ptengine.jp",
        "device_type": "ALL", "pv": 15234, "uv": 8721, "visits": 10532, "bounce_rate": 0.4523,
        "conversion_rate": 0.0222,
        "conversions": [{"conversion_name": "Purchase complete", "conversion_rate": 0.0171}],
    }]
    assert {d["field"]: d["label"] for d in defs}["pv"] == "Page Views (PV)"


def test_page_insight_by_device(canned: CannedServer) -> None:
    name = "09_heatmap_query_page_insight.json"
    rows, _ = heatmap.heatmap_rows(PROFILE, "all", DAY, body(name), through_client(canned, name))
    assert [(r["fun_name"], r["name"], r["pv"], r["uv"], r["bounce_rate"]) for r in rows] == [
        ("terminalType", "PC", 8500, 5200, 0.38), ("terminalType", "Mobile", 5800, 3100, 0.55),
        ("terminalType", "Tablet", 934, 421, 0.4215)]
    assert all(r["conversions"] == [] for r in rows)


def test_blocks_and_elements(canned: CannedServer) -> None:
    name = "10_heatmap_query_block_metrics.json"
    (block,), _ = heatmap.heatmap_rows(PROFILE, "all", DAY, body(name),
                                       through_client(canned, name))
    assert block == {
        "profile_id": PROFILE, "segment": "all", "date": DAY, "url": "https://ptengine.jp",
        "device_type": "PC", "block_name": "Hero banner", "stay_time_filter": None,
        "screenshot_url": "https://cdn.example.com/screenshot/block1.png", "impression": 12000,
        "impression_rate": 0.95, "avg_duration": 5.0, "dropoff": 800, "dropoff_rate": 0.067,
        "conversions": []}
    name = "11_heatmap_query_element_metrics.json"
    (element,), _ = heatmap.heatmap_rows(PROFILE, "all", DAY, body(name),
                                         through_client(canned, name))
    assert (element["element_name"], element["impression"], element["impression_rate"],
            element["click"], element["click_rate"]) == ("Signup button", 10500, 0.88, 1500, 0.143)


def test_experience_list_and_user_properties(canned: CannedServer) -> None:
    data = through_client(canned, "29_experience_list.json")
    assert X.experience_rows(PROFILE, data) == [{
        "profile_id": PROFILE, "id": "6c3bad4b-d953-4088-9fcd-d8cbd976b3a2",
        "name": "Spring Promo Popup", "status": "RUNNING", "type": "POPUP",
        "goals": [{"id": "6a8bedde-...", "name": "Purchase complete"}],
        "versions": [{"id": "a2696719-...", "name": "Control"},
                     {"id": "b3c8f210-...", "name": "Pattern 1"}]}]
    props = X.user_property_rows(PROFILE, through_client(canned,
                                                         "30_experience_user_properties.json"))
    assert props[1] == {"profile_id": PROFILE, "name": "signup_date",
                        "display_name": "Signup Date", "source": ["default"], "type": "DATE"}


def test_overview_maps_names_back_to_ids(canned: CannedServer) -> None:
    name = "31_experience_report_overview.json"
    data = through_client(canned, name)
    rows, defs = X.overview_rows(PROFILE, body(name)["experiences"], data, DAY)
    assert rows == [{"profile_id": PROFILE, "experience_id": "6c3bad4b-...",
                     "experience_name": "Spring Promo Popup", "as_of": DAY, "viewed_users": 100,
                     "click_rate": 0.05, "bounce_rate": 0.4286}]
    assert [d["label"] for d in defs] == ["Viewed Users", "Click Rate", "Bounce Rate"]


def test_key_metrics(canned: CannedServer) -> None:
    data = through_client(canned, "32_experience_report_metrics.json")
    (row,), _ = X.metrics_rows(PROFILE, SPRING, DAY, data)
    assert row == {
        "profile_id": PROFILE, "experience_id": SPRING["id"], "date": DAY,
        "experience_name": "Spring Promo Popup", "viewed_users": 100, "views": 300,
        "clicked_users": 50, "click_rate": 0.4167, "avg_visit_duration": 393.0,
        "avg_pages_per_visit": 2.5, "bounce_rate": 0.4286,
        "goals": [{"name": "Purchase complete", "goal_id": "6a8bedde-...", "reached_users": 5,
                   "reach_rate": 0.05, "value": None}]}


def test_segment_details_with_sub_dimension(canned: CannedServer) -> None:
    name = "33_experience_report_insight_terminalType.json"
    rows, _ = X.insight_rows(PROFILE, SPRING, DAY, body(name), through_client(canned, name))
    assert [(r["dimension"], r["sub_dimension"], r["property"], r["name"], r["sub_name"],
             r["viewed_users"], r["bounce_rate"]) for r in rows] == [
        ("terminalType", "visitType", "", "PC", "New visits", 80, 0.38),
        ("terminalType", "visitType", "", "Mobile", "Returning visits", 20, 0.55)]


def test_abtest_uplift_baseline_and_probability(canned: CannedServer) -> None:
    name = "34_experience_report_abtest_metrics.json"
    rows, _ = X.abtest_rows(PROFILE, SPRING, DAY, body(name), through_client(canned, name))
    control, pattern = rows
    assert control == {
        "profile_id": PROFILE, "experience_id": SPRING["id"], "date": DAY,
        "experience_name": "Spring Promo Popup", "compare_by": "goalReached",
        "goal_id": "6a8bedde-084d-4828-b874-43568cd2f27f", "version_name": "Control",
        "version_id": "a2696719-...", "viewed_users": 50, "goal_reached_users": 5,
        "goal_reach_rate": 0.1, "uplift": None, "is_baseline": True,
        "probability_to_be_best": None}
    assert (pattern["uplift"], pattern["is_baseline"], pattern["probability_to_be_best"],
            pattern["goal_reach_rate"]) == (0.6, False, 0.853, 0.16)


def test_abtest_segment_details(canned: CannedServer) -> None:
    name = "35_experience_report_abtest_insight_terminalType.json"
    rows, _ = X.abtest_insight_rows(PROFILE, SPRING, DAY, body(name),
                                    through_client(canned, name))
    assert [(r["name"], r["version_name"], r["version_id"], r["viewed_users"], r["uplift"],
             r["is_baseline"]) for r in rows] == [
        ("PC", "All versions", None, 40, None, True),
        ("PC", "Control", "a2696719-...", 20, None, True),
        ("PC", "Pattern 1", "b3c8f210-...", 20, 0.3, False)]
    assert {r["goal_id"] for r in rows} == {"6a8bedde-..."}


def test_form_submissions_keep_fields_and_a_stable_key(canned: CannedServer) -> None:
    data = through_client(canned, "36_experience_report_form.json")
    rows = X.form_rows(PROFILE, SPRING["id"], "a2696719-6375-456b-8dbc-7e3d273beb6d", data,
                       "Asia/Tokyo")
    first, second = rows
    assert first["submitted_at"] == datetime(2026, 4, 9, 10, 14, 33, tzinfo=UTC)
    assert first["submitted_date"] == date(2026, 4, 9)
    assert first["fields"] == {"Email": "test@example.com", "Picture choice": "Option 3",
                               "choice-test2": ""}
    assert second["fields"]["choice-test2"] == "Option 1,Option 2"
    again = X.form_rows(PROFILE, SPRING["id"], "a2696719-6375-456b-8dbc-7e3d273beb6d", data,
                        "Asia/Tokyo")
    assert [r["submission_key"] for r in again] == [r["submission_key"] for r in rows]
    assert len({r["submission_key"] for r in rows}) == 2
    twice = {"columns": data["columns"], "rows": [data["rows"][0], data["rows"][0]]}
    keys = [r["submission_key"] for r in X.form_rows(PROFILE, "e", "v", twice, "UTC")]
    assert len(set(keys)) == 2  # identical submissions stay two rows
