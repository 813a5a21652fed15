"""Benchmark: Ptengine requests made against the least the API allows, backfill and next day.

Against the Ptengine simulator in its own process (unlimited plan, simulated today
2026-05-01), with the default selection:

1. a ``--days`` backfill (90 by default: ``--start-date`` 2026-01-31 ``--end-date``
   2026-04-30): ``analytics-elt plan`` first, then ``analytics-elt run`` in a fresh
   process; the requests it made are counted in the simulator's request log;
2. the next day: the simulator's clock moves one day (``/_sim/advance_day``) and the run
   goes again without dates (``end_date`` pinned to the simulator's new yesterday, since
   the connector's default, yesterday by this machine's clock, would not move), so it
   covers the new day plus ``lookback_days`` loaded days fetched again (CONTRACT §6).

Requests made are divided by the minimum the API allows, computed here from the API doc
(``shared/api-docs/ptengine-open-api.md``), not from the connector's planner. For a
window of D days, one segment (``all``), E experiences (status RUNNING or PAUSE in the
experience list) and the V versions they list:

* ``site_metrics_daily`` — min(13, D + 3): §2.4 ``metric_curve`` takes one metric per
  call over any range and answers per-day points (13 metrics); for a window under ten
  days, ``overview`` topic ``metrics`` (10 of the 13, aggregated over its range, so one
  call per day) plus the three conversion curves is fewer;
* ``traffic_by_<d>_daily`` — 6 × D: §2.4 ``dimension_table`` aggregates its range by one
  dimension and has no time dimension: one call per day and dimension;
* ``events_daily`` — 1: §2.3 the event query groups by ``eventName`` and ``day`` over
  any range, unpaged;
* ``conversion_goals`` — 1: §2.1 the goals list takes no dates;
* ``conversion_goals_daily`` — 2 × D: §2.5 ``regular`` and ``negative`` aggregate their
  range, with no time breakdown;
* ``experiences`` — 1: §3.1 the list (which also gives E and V);
* ``experience_metrics_daily`` — E × D: §3.4 key metrics aggregate one experience's range;
* ``experience_form_submissions`` — V: §3.8 one version's rows (each with
  ``submittedAt``) over any range, unpaged;
* ``metric_definitions`` — 0: the labels ride on the answers above.

The backfill target is 1.00. The first table also gives the minimum when site metrics
always take one curve per metric (``min(13, D + 3)`` differs from 13 only under ten
days, i.e. for the next-day run) and ``plan``'s count next to what ``run`` made (they must
be equal); the second breaks the requests down per family.

Usage:
    .venv/bin/python benchmarks/ptengine_requests.py               # 90 days, lookback 2
    .venv/bin/python benchmarks/ptengine_requests.py --days 30 --lookback-days 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from _common import SimulatorProcess, log, markdown_table, planned_calls, ptengine_env, run_cli

TODAY = dt.date(2026, 5, 1)
# the doc's numbers (ptengine-open-api.md) and the CONTRACT's default selection
CURVE_METRICS = 13  # §2.4 Available metrics
OVERVIEW_METRICS = 10  # §2.4 overview topic "metrics": all but the three conversion ones
DIMENSIONS = 6  # CONTRACT §5: country, sourceType, os, browser, combinedPages, entry…
GOAL_LISTS = 2  # §2.5 regular + negative
ACTIVE = ("RUNNING", "PAUSE")  # the default experience statuses (CONTRACT §5 / config)
FAMILIES = ("site_metrics_daily", "traffic_by_<d>_daily", "events_daily", "conversion_goals",
            "conversion_goals_daily", "experiences", "experience_metrics_daily",
            "experience_form_submissions")


def minimum(days: int, experiences: int, versions: int) -> dict[str, int]:
    """The least requests per family for a ``days``-day window (see the module docstring)."""
    if days <= 0:
        return dict.fromkeys(FAMILIES, 0) | {"conversion_goals": 1, "experiences": 1}
    return {
        "site_metrics_daily": min(CURVE_METRICS, days + CURVE_METRICS - OVERVIEW_METRICS),
        "traffic_by_<d>_daily": DIMENSIONS * days,
        "events_daily": 1,
        "conversion_goals": 1,
        "conversion_goals_daily": GOAL_LISTS * days,
        "experiences": 1,
        "experience_metrics_daily": experiences * days,
        "experience_form_submissions": versions,
    }


def family(record: dict[str, Any]) -> str:
    """Which table family a logged request served (by path and query type)."""
    path, body = record["path"], record.get("body") or {}
    query = body.get("queryType") if isinstance(body, dict) else None
    return {
        ("/open-api/v1/datacenter/query", "metric_curve"): "site_metrics_daily",
        ("/open-api/v1/datacenter/query", "overview"): "site_metrics_daily",
        ("/open-api/v1/datacenter/query", "dimension_table"): "traffic_by_<d>_daily",
        ("/open-api/v1/event/query", None): "events_daily",
        ("/open-api/v1/conversion/goals", None): "conversion_goals",
        ("/open-api/v1/conversion/query", "regular"): "conversion_goals_daily",
        ("/open-api/v1/conversion/query", "negative"): "conversion_goals_daily",
        ("/open-api/v1/experience/list", None): "experiences",
        ("/open-api/v1/experience/report/metrics", None): "experience_metrics_daily",
        ("/open-api/v1/experience/report/form", None): "experience_form_submissions",
    }.get((path, query), f"other: {path} {query or ''}".strip())


def listing(url: str) -> tuple[int, int]:
    """Experiences the default selection covers and their versions, from the list call."""
    from simulators.ptengine import DEFAULT_API_KEY, DEFAULT_PROFILE_ID

    answer = httpx.post(f"{url}/open-api/v1/experience/list", json={
        "profileId": DEFAULT_PROFILE_ID}, headers={"x-api-key": DEFAULT_API_KEY}, timeout=30)
    active = [e for e in answer.json()["data"] if e["status"] in ACTIVE]
    return len(active), sum(len(e["versions"]) for e in active)


def step(sim: SimulatorProcess, env: dict[str, str], dates: list[str], label: str,
         window_days: int, experiences: int, versions: int) -> dict[str, Any]:
    """``plan`` then ``run`` with ``dates``; the run's requests against the minimum."""
    planned = planned_calls(run_cli(["plan", "ptengine", "--brief", *dates], env)
                            .check(f"{label} plan").out)
    before = len(sim.requests())
    log(f"  {label}: {planned} calls planned, running …")
    run = run_cli(["run", "ptengine", *dates, "--progress", "none"], env).check(f"{label} run")
    made = sim.requests(before)
    least = minimum(window_days, experiences, versions)
    return {"label": label, "days": window_days, "planned": planned, "made": len(made),
            "failed": sum(1 for r in made if r["status"] != 200),
            "by_family": Counter(family(r) for r in made), "least": least,
            "wall": run.wall}


def bench(days: int, lookback: int) -> list[dict[str, Any]]:
    start, end = TODAY - dt.timedelta(days=days), TODAY - dt.timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="pt-requests-") as tmp:
        work = Path(tmp)
        with SimulatorProcess("ptengine", work, plan="unlimited", today=TODAY) as sim:
            experiences, versions = listing(sim.url)
            # start_date and end_date stand in for a scheduled deployment's configuration:
            # the connector's defaults follow this machine's clock, not the simulator's
            env = ptengine_env(sim.url, work, lookback_days=lookback, start_date=start,
                               end_date=end)
            backfill = step(sim, env, ["--start-date", str(start), "--end-date", str(end)],
                            f"{days}-day backfill", days, experiences, versions)
            sim.advance_days(1)
            env["SOURCES__PTENGINE__END_DATE"] = str(TODAY)  # the simulator's yesterday now
            nextday = step(sim, env, [], "next day", 1 + lookback, experiences, versions)
    return [backfill, nextday]


def table(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        least = sum(r["least"].values())
        over = [f"{f} {r['by_family'].get(f, 0)} vs {n}" for f, n in r["least"].items()
                if r["by_family"].get(f, 0) != n]
        over += [f"{f} {n}" for f, n in r["by_family"].items() if f not in r["least"]]
        curves_only = least - r["least"]["site_metrics_daily"] + CURVE_METRICS
        rows.append([r["label"], r["days"], f"{r['made']:,}", f"{least:,}",
                     f"{r['made'] / least:.2f}", f"{curves_only:,}", f"{r['planned']:,}",
                     "yes" if r["planned"] == r["made"] else "NO", r["failed"],
                     "; ".join(over) or "none", f"{r['wall']:.1f} s"])
    return markdown_table(["run", "days fetched", "requests made", "minimum", "made ÷ minimum",
                           "minimum, one curve per metric", "plan said", "plan = run",
                           "non-200", "families above the minimum", "wall"], rows,
                          "lrrrrrrlrll")


def breakdown(results: list[dict[str, Any]]) -> str:
    rows = []
    for fam in FAMILIES:
        rows.append([fam, *[f"{r['by_family'].get(fam, 0)} / {r['least'][fam]}"
                            for r in results]])
    return markdown_table(["family (made / minimum)", *[r["label"] for r in results]], rows,
                          "l" + "r" * len(results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=90, help="backfill days (default 90)")
    parser.add_argument("--lookback-days", type=int, default=2,
                        help="lookback_days for the runs (default 2, the configured default)")
    opts = parser.parse_args(argv)
    results = bench(opts.days, opts.lookback_days)
    print(table(results))
    print()
    print(breakdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
