"""Golden tests: the Pirsch doc's example responses, verbatim, through the client and shaping.

Each fixture in tests/golden/pirsch/ holds the text of one "Example response" of
pirsch-api.txt, copied verbatim (the doc's line numbers dropped). The doc's examples are
not strict JSON: they elide with ``// ...``, annotate with ``// 32 characters`` and carry
three typos (``"path" "/home"``, a missing comma after ``page_goal``, a trailing comma
after ``meta_value``). :func:`doc_json` undoes exactly those; a loopback server then
replays the result over real HTTP, ``PirschClient`` fetches it (token flow included) and
the shaping turns it into rows, compared with rows written out by hand from the doc.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from sources.pirsch import settings as S
from sources.pirsch import shaping
from sources.pirsch.client import Limiters, PirschClient
from tests.conftest import GOLDEN, CannedServer, golden

CLIENT_ID, SECRET = "c" * 32, "s" * 64
DOMAIN, DAY = "A5kgYzK14m", date(2021, 5, 12)
ALL = sorted(p.name for p in (GOLDEN / "pirsch").glob("*.json"))


def doc_json(text: str) -> Any:
    """The doc's example text as JSON: comments, the missing colon/comma, trailing commas."""
    text = re.sub(r"\s*//[^\n]*", "", text)                    # // ... and // 32 characters
    text = text.replace('"path" "/home"', '"path": "/home"')   # Time on Page
    text = re.sub(r'}\n(\s*)"stats"', r'},\n\1"stats"', text)  # Conversion Goals
    text = re.sub(r",(\s*[}\]])", r"\1", text)                  # trailing commas
    return json.loads(text)


def fetch(canned: CannedServer, name: str) -> Any:
    """Serve the example behind the doc's token example; fetch it with the real client."""
    fixture = golden("pirsch", name)
    canned.route(S.PATH_TOKEN, doc_json(golden("pirsch", "01_token.json")["response_text"]))
    path = fixture["request"]["path"]
    if name.startswith("25_"):  # NOTES.md: the doc's second /os is /os/version
        path = S.ENDPOINTS["os_versions_daily"].path
    canned.route(path, doc_json(fixture["response_text"]))
    client = PirschClient(canned.url, CLIENT_ID, SECRET, Limiters.unlimited(),
                          clock=lambda: datetime(2020, 12, 11, tzinfo=UTC).timestamp())
    try:
        if path == S.PATH_DOMAIN:
            data: Any = client.domains()
        elif path == S.PATH_TOKEN:
            data = client.tokens.current(client._fetch_token)
        else:
            data = client.statistics(path, {"id": DOMAIN, "from": "2021-05-12", "to": "2021-05-12"})
    finally:
        client.close()
    sent = canned.requests[-1]
    if path != S.PATH_TOKEN:
        assert sent["headers"]["Authorization"] == "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI..."
    return data


@pytest.mark.parametrize("name", ALL)
def test_every_example_parses_and_comes_back_verbatim(canned: CannedServer, name: str) -> None:
    data = fetch(canned, name)
    expected = doc_json(golden("pirsch", name)["response_text"])
    if name.startswith("01_"):
        assert data == expected["access_token"]
    else:
        assert data == expected


def table_rows(canned: CannedServer, name: str, table: str) -> list[dict[str, Any]]:
    data = fetch(canned, name)
    endpoint = S.ENDPOINTS[table]
    if endpoint.shape == "series":
        return shaping.series_rows(DOMAIN, endpoint, data)
    if endpoint.shape == "object":
        return shaping.object_row(DOMAIN, DAY, endpoint, data)
    return shaping.list_rows(DOMAIN, DAY, endpoint, data)


def base(**values: Any) -> dict[str, Any]:
    return {"domain_id": DOMAIN, "date": DAY, **values}


def test_visitors(canned: CannedServer) -> None:
    assert table_rows(canned, "11_statistics_visitor.json", "visitors_daily") == [
        base(visitors=42, views=56, sessions=48, bounces=23, bounce_rate=0.4791)]


def test_durations(canned: CannedServer) -> None:
    assert table_rows(canned, "03_statistics_duration_session.json",
                      "session_duration_daily") == [base(average_time_spent_seconds=42.0)]
    assert table_rows(canned, "04_statistics_duration_page.json", "page_duration_daily") == [
        base(path="/home", average_time_spent_seconds=42.0)]


def test_pages_entry_and_exit(canned: CannedServer) -> None:
    assert table_rows(canned, "12_statistics_page.json", "pages_daily") == [base(
        path="/home", title="Home", visitors=42, views=56, sessions=48, bounces=23,
        relative_visitors=0.342, relative_views=0.298, bounce_rate=0.765,
        average_time_spent_seconds=42.0)]
    assert table_rows(canned, "13_statistics_page_entry.json", "entry_pages_daily") == [base(
        path="/home", title="Home", visitors=42, sessions=67, entries=56, entry_rate=0.298,
        average_time_spent_seconds=42.0)]
    assert table_rows(canned, "14_statistics_page_exit.json", "exit_pages_daily") == [base(
        path="/bye", title="Bye", visitors=42, sessions=67, exits=56, exit_rate=0.298)]


@pytest.mark.parametrize("name,table,values", [
    ("05_statistics_utm_source.json", "utm_sources_daily", {"utm_source": "source"}),
    ("06_statistics_utm_medium.json", "utm_mediums_daily", {"utm_medium": "medium"}),
    ("07_statistics_utm_campaign.json", "utm_campaigns_daily", {"utm_campaign": "campaign"}),
    ("08_statistics_utm_content.json", "utm_contents_daily", {"utm_content": "content"}),
    ("09_statistics_utm_term.json", "utm_terms_daily", {"utm_term": "term"}),
    ("22_statistics_language.json", "languages_daily", {"language": "en"}),
    ("24_statistics_os.json", "os_daily", {"os": "Windows"}),
    ("25_statistics_os_version.json", "os_versions_daily", {"os": "Windows",
                                                            "os_version": "10.0"}),
    ("26_statistics_browser.json", "browsers_daily", {"browser": "Firefox"}),
    ("27_statistics_browser_version.json", "browser_versions_daily",
     {"browser": "Firefox", "browser_version": "89.0"}),
    ("28_statistics_country.json", "countries_daily", {"country_code": "jp"}),
    ("29_statistics_city.json", "cities_daily", {"city": "London", "country_code": "",
                                                  "region": ""}),
    ("31_statistics_screen.json", "screen_classes_daily", {"screen_class": "XXL"}),
])
def test_share_lists(canned: CannedServer, name: str, table: str, values: dict) -> None:
    relative = 0.342 if table.startswith("utm_") else 0.24
    assert table_rows(canned, name, table) == [base(visitors=42, relative_visitors=relative,
                                                    **values)]


def test_referrer_platform_hours(canned: CannedServer) -> None:
    assert table_rows(canned, "23_statistics_referrer.json", "referrers_daily") == [base(
        referrer="Referrer", referrer_name="Name", referrer_icon="Icon", visitors=42,
        sessions=123, relative_visitors=0.256, bounces=21, bounce_rate=0.5)]
    assert table_rows(canned, "30_statistics_platform.json", "platforms_daily") == [base(
        platform_desktop=457, platform_mobile=204, platform_unknown=98,
        relative_platform_desktop=0.56, relative_platform_mobile=0.34,
        relative_platform_unknown=0.17)]
    hours = table_rows(canned, "21_statistics_hours.json", "visitors_by_hour_daily")
    assert hours[1] == base(hour=1, visitors=29, views=52, sessions=21, bounces=19,
                            bounce_rate=0.3219)


def test_events_and_metadata(canned: CannedServer) -> None:
    events = table_rows(canned, "16_statistics_events.json", "events_daily")
    assert events == [base(name="event name", visitors=432, views=563, cr=0.065,
                           average_duration_seconds=42.0, meta_keys=["meta", "keys"])]
    assert shaping.event_meta_keys(events) == [("event name", "meta"), ("event name", "keys")]
    data = fetch(canned, "17_statistics_event_meta.json")
    assert shaping.event_meta_rows(DOMAIN, DAY, "event name", "meta", data) == [base(
        name="event name", meta_key="meta", meta_value="value", visitors=432, views=563,
        cr=0.065, average_duration_seconds=42.0)]


def test_goals_and_domains(canned: CannedServer) -> None:
    daily, goals = shaping.goal_rows(DOMAIN, DAY, fetch(canned, "15_statistics_goals.json"))
    assert daily == [base(goal_id="A5kgYzK14m", visitors=432, views=563, cr=0.065)]
    stamp = datetime(2021, 5, 22, 10, 11, 12, 123456, tzinfo=UTC)
    assert goals == [{"id": "A5kgYzK14m", "domain_id": "M03loiem34",
                      "name": "My Conversion Goal", "path_pattern": "/path/**",
                      "pattern": "(?i)^/path/[^/]+$", "visitor_goal": 5432, "cr_goal": 42.11,
                      "delete_reached": True, "email_reached": True, "def_time": stamp,
                      "mod_time": stamp}]
    domains = shaping.domain_rows(fetch(canned, "02_domain.json"))
    assert domains == [{"id": "A5kgYzK14m", "hostname": "example.com", "subdomain": "example",
                        "timezone": None, "public": False, "group_by_title": None,
                        "user_role": "", "user_id": "pzy1bjD1lv", "gsc_domain": None,
                        "def_time": stamp, "mod_time": stamp}]
