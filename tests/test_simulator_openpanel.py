"""The OpenPanel simulator is as strict as NOTES.md: given a request, then the API's answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from simulators.openpanel import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PROJECT_ID,
    WRITE_CLIENT_ID,
    WRITE_CLIENT_SECRET,
    OpenPanelSimulator,
)

AUTH = {"openpanel-client-id": DEFAULT_CLIENT_ID,
        "openpanel-client-secret": DEFAULT_CLIENT_SECRET}
DAY = {"projectId": DEFAULT_PROJECT_ID, "start": "2026-04-10", "end": "2026-04-10"}


@pytest.fixture
def sim() -> Iterator[OpenPanelSimulator]:
    with OpenPanelSimulator(events=3000, today=date(2026, 5, 1), rate_limit=5,
                            window_seconds=30) as s:
        yield s


def get(sim: OpenPanelSimulator, params: dict[str, str], headers: dict[str, str] | None = None
        ) -> httpx.Response:
    return httpx.get(sim.url + "/export/events", params=params,
                     headers=AUTH if headers is None else headers)


def test_validation_runs_before_auth(sim: OpenPanelSimulator) -> None:
    r = get(sim, {**DAY, "page": "x"}, headers={"openpanel-client-id": "nobody"})
    assert r.status_code == 400 and r.json()["status"] == 400


def test_auth_failures_are_401_export_messages(sim: OpenPanelSimulator) -> None:
    bad = get(sim, DAY, {**AUTH, "openpanel-client-secret": "wrong"})
    write = get(sim, DAY, {"openpanel-client-id": WRITE_CLIENT_ID,
                           "openpanel-client-secret": WRITE_CLIENT_SECRET})
    for r in (bad, write):
        assert r.status_code == 401 and r.json()["error"] == "Unauthorized"
        assert r.json()["message"].startswith("Export: ")
    assert get(sim, {**DAY, "projectId": "other"}).status_code == 404


def test_limit_is_clamped_and_pages_follow_total(sim: OpenPanelSimulator) -> None:
    meta = get(sim, {**DAY, "limit": "5000"}).json()["meta"]
    assert meta["pages"] == -(-meta["totalCount"] // 1000)
    small = get(sim, {**DAY, "limit": "0"}).json()
    assert small["meta"]["count"] == 1 and small["meta"]["pages"] == meta["totalCount"]


def test_newest_first_with_id_tie_break_and_whole_day_filter(sim: OpenPanelSimulator) -> None:
    data = get(sim, {**DAY, "limit": "1000"}).json()["data"]
    keys = [(e["createdAt"], e["id"]) for e in data]
    assert keys == sorted(keys, key=lambda k: (-int(k[0][11:13] + k[0][14:16] + k[0][17:19]
                                                  + k[0][20:23]), k[1]))
    assert {e["createdAt"][:10] for e in data} == {"2026-04-10"}
    assert len(data) == sim.model.day_count(date(2026, 4, 10))
    assert all("duration" not in e and "properties" not in e for e in data)


def test_page_one_without_both_dates_sees_only_the_last_12_hours(
        sim: OpenPanelSimulator) -> None:
    quirk = get(sim, {"projectId": DEFAULT_PROJECT_ID, "start": "2026-04-10"}).json()["meta"]
    paged = get(sim, {"projectId": DEFAULT_PROJECT_ID, "page": "2"}).json()["meta"]
    assert quirk["totalCount"] < sim.model.day_count(date(2026, 4, 30))
    assert paged["totalCount"] > 3000 * 29 // 30  # page 2: no date filter at all


def test_rate_window_headers_and_429(sim: OpenPanelSimulator) -> None:
    answers = [get(sim, DAY) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert answers[0].headers["x-ratelimit-limit"] == "5"
    assert answers[4].headers["x-ratelimit-remaining"] == "0"
    assert 0 < int(answers[5].headers["retry-after"]) <= 30
    assert answers[5].json()["error"] == "Too Many Requests"
    assert all(DEFAULT_CLIENT_SECRET not in str(r) for r in sim.requests)
