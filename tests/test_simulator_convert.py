"""The Convert simulator is as strict as the doc, and its numbers add up across reports.

Every request goes through the real signing client over loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from simulators.convert import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_APPLICATION_ID,
    DEFAULT_APPLICATION_SECRET,
    ConvertSimulator,
)
from sources.common.errors import ApiError, AuthenticationError, SkippableItemError
from sources.common.limiter import RateLimiter
from sources.convert import settings as S
from sources.convert.client import ConvertClient
from sources.convert.planner import day_end, day_start, local_day

TODAY = date(2026, 5, 1)
ACCOUNT = DEFAULT_ACCOUNT_ID
EXPERIENCES = f"/accounts/{ACCOUNT}/projects/20001/experiences"


@pytest.fixture(scope="module")
def sim() -> Iterator[ConvertSimulator]:
    with ConvertSimulator(today=TODAY) as s:
        yield s


@pytest.fixture
def client(sim: ConvertSimulator) -> Iterator[ConvertClient]:
    c = ConvertClient(sim.api_url, DEFAULT_APPLICATION_ID, DEFAULT_APPLICATION_SECRET,
                      RateLimiter(rpm=10_000, window_seconds=1))
    yield c
    c.close()


@pytest.mark.parametrize("body,field", [
    ({"results_per_page": 51}, "results_per_page"),
    ({"page": 0}, "page"),
    ({"sort_by": "created"}, "sort_by"),
    ({"include": ["variation"]}, "include"),
    ({"result_per_page": 50}, "result_per_page"),
])
def test_list_validation(client: ConvertClient, body: dict, field: str) -> None:
    with pytest.raises(ApiError) as caught:
        client.post(EXPERIENCES, body)
    assert caught.value.status == 400 and field in str(caught.value)


def test_lists_page_at_most_50(client: ConvertClient, sim: ConvertSimulator) -> None:
    pages = list(client.pages(EXPERIENCES, {"results_per_page": 50, "sort_by": "id",
                                            "sort_direction": "asc"}))
    assert [len(p["data"]) for p in pages] == [50, 50, 12]
    assert pages[0]["extra"]["pagination"] == {"current_page": 1, "items_count": 112,
                                               "items_per_page": 50, "pages_count": 3}
    ids = [e["id"] for p in pages for e in p["data"]]
    assert ids == sorted(e.id for e in sim.model.experiences[20001])
    assert "variations" not in pages[0]["data"][0]  # optional fields need include[]


def test_project_type_defaults_to_web(client: ConvertClient) -> None:
    path = f"/accounts/{ACCOUNT}/projects"
    assert len(client.post(path, {})["data"]) == 2
    assert len(client.post(path, {"project_type": list(S.PROJECT_TYPES)})["data"]) == 3


def test_other_account_and_unknown_experience(client: ConvertClient) -> None:
    with pytest.raises(AuthenticationError):
        client.post("/accounts/999/projects", {})
    with pytest.raises(SkippableItemError):
        client.post(EXPERIENCES + "/1/aggregated_report", {})


@pytest.mark.parametrize("utc_offset", [0, 19800, -36000])
def test_daily_visitors_sum_to_the_aggregated_visitors(client: ConvertClient,
                                                       sim: ConvertSimulator,
                                                       utc_offset: int) -> None:
    exp = next(e for e in sim.model.experiences[20001] if e.status == "completed"
               and len(e.goals) > 1)
    first = local_day(exp.start_time, utc_offset)
    last = local_day(exp.end_time - 1, utc_offset)
    span = {"utc_offset": utc_offset, "start_time": day_start(first, utc_offset),
            "end_time": day_end(last, utc_offset)}
    base = f"{EXPERIENCES}/{exp.id}"
    agg = client.post(base + "/aggregated_report", span)["data"]
    goal = exp.goals[1]
    daily = client.post(base + "/daily_report", {**span, "goal": goal,
                                                 "report_type": "non_cumulative",
                                                 "metric": "conversion_rate"})["data"]
    report = next(r for r in agg["reportData"] if r["goal_id"] == goal)
    for var_agg, var_daily in zip(report["variations"], daily["reportData"]["variations"],
                                  strict=True):
        conv = next(m for m in var_agg["metrics"] if m["metric_type"] == "conversion_rate")
        assert sum(s["visitors"] for s in var_daily["stats"]) == var_agg["visitors"] > 0
        assert sum(s["totals"] for s in var_daily["stats"]) == conv["metric_total"]
    assert len(daily["reportData"]["variations"][0]["stats"]) == (last - first).days + 1
