"""Benchmark: how close Ptengine runs get to a per-minute rate limit without a 429.

It starts the Ptengine simulator in its own process with a limit of ``--rpm`` requests
per minute (120 by default; the daily limit out of the way), asks ``analytics-elt plan``
how many calls the run needs (the default selection over ``--days`` days: 351 calls for
30 days), then times ``analytics-elt run ptengine`` in a fresh child process. The
connector runs in its default ``auto`` rate plan: it learns the limit from the first
answer's ``X-RateLimit-*`` headers.

The simulator counts, server side, the requests its limiter admitted and refused in each
of its fixed minute windows (aligned to the wall clock, as the real API's). Efficiency is
measured two ways:

a. utilisation of every *complete* server window between the first request's window and
   the last request's (admitted ÷ limit; the partial first and last windows are left out);
b. the least time the limit allows for the N admitted requests under a conservative
   sliding 60-s window — ``(ceil(N / limit) - 1)`` windows: the first ``limit`` requests
   at once, the next ``limit`` one window later, … — divided by the actual time between
   the first and the last request (server-side arrival times from the request log).

Target: ≥ 95 % both ways with zero 429s (counted from the request log's status 429).

The connector paces by a sliding log (safe for fixed and sliding server windows alike):
each window's worth of requests goes out in a burst one window plus a 0.05-s safety
margin after the one before. So (b) loses the margin per window and the time the last
burst takes to send; (a) loses requests only when a burst straddles a window boundary
(the slots of the requests sent in the last 0.05 s before it reopen only after the next
boundary) — rare with 60-s windows, more frequent with short ones.

Real 60-s minutes by default (30 days take a little over two minutes);
``--minute-seconds 6`` shortens the windows of both the simulator and the connector
(``rate_window_seconds``) for quick iterations; the limiter's fixed costs (its safety
margin, the time to send a window's worth of requests) weigh ten times more there, so
quote only the 60-s numbers.

Usage:
    .venv/bin/python benchmarks/ptengine_pacing.py                    # 120/min, 30 days
    .venv/bin/python benchmarks/ptengine_pacing.py --minute-seconds 6 # quick check
    .venv/bin/python benchmarks/ptengine_pacing.py --days 60 --rpm 120
    .venv/bin/python benchmarks/ptengine_pacing.py --resources traffic_by_country_daily --days 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

from _common import (
    SimulatorProcess,
    Windows,
    log,
    markdown_table,
    planned_calls,
    ptengine_env,
    run_cli,
)

TODAY = dt.date(2026, 5, 1)
TARGET = 0.95


def _arrival(record: dict[str, Any]) -> float:
    """When the server started on a request: the log's ``ts`` is written after answering."""
    ts = dt.datetime.fromisoformat(record["ts"]).timestamp()
    return ts - float(record.get("duration_ms") or 0) / 1000


def analyse(requests: list[dict[str, Any]], windows: Windows, limit: int) -> dict[str, Any]:
    """Both efficiencies and the counts behind them."""
    admitted = [r for r in requests if r["status"] != 429]
    n = len(admitted)
    arrivals = sorted(_arrival(r) for r in requests)
    elapsed = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    least = (math.ceil(n / limit) - 1) * windows.minute_seconds
    seen = sorted(set(windows.admitted) | set(windows.refused))
    complete = list(range(seen[0] + 1, seen[-1])) if seen else []
    shares = [windows.admitted.get(w, 0) / limit for w in complete]
    return {
        "requests": n,
        "rate_limited": sum(1 for r in requests if r["status"] == 429),
        "elapsed": elapsed,
        "least": least,
        "by_elapsed": least / elapsed if elapsed else None,
        "complete": len(complete),
        "by_window_min": min(shares) if shares else None,
        "by_window_mean": sum(shares) / len(shares) if shares else None,
        "per_window": [windows.admitted.get(w, 0) for w in range(seen[0], seen[-1] + 1)]
        if seen else [],
    }


def bench(rpm: int, rpd: int, days: int, minute_seconds: float,
          resources: str | None) -> dict[str, Any]:
    """Plan, then run once against a fresh simulator; returns the measurements."""
    start, end = TODAY - dt.timedelta(days=days), TODAY - dt.timedelta(days=1)
    selection = ["--start-date", str(start), "--end-date", str(end)]
    if resources:
        selection += ["--resources", resources]
    with tempfile.TemporaryDirectory(prefix="pt-pacing-") as tmp:
        work = Path(tmp)
        with SimulatorProcess("ptengine", work, count_windows=True, plan="growth", rpm=rpm,
                              rpd=rpd, today=TODAY, minute_seconds=minute_seconds) as sim:
            env = ptengine_env(sim.url, work, rate_window_seconds=minute_seconds)
            plan = run_cli(["plan", "ptengine", "--brief", *selection], env).check("plan")
            planned = planned_calls(plan.out)
            sim.reset()  # the plan's own calls leave no trace in the rate windows
            before = len(sim.requests())
            log(f"  {planned} calls planned at {rpm}/{minute_seconds:g} s: running …")
            run = run_cli(["run", "ptengine", *selection, "--progress", "none"], env)
            run.check("run")
            requests = sim.requests(before)
            windows = sim.close()
    assert windows is not None
    result = analyse(requests, windows, rpm)
    result.update(planned=planned, wall=run.wall, rpm=rpm, minute_seconds=minute_seconds,
                  days=days, summary=_connector_summary(run.out))
    return result


def _connector_summary(out: str) -> str:
    """The run summary's request count and the 429s the connector says it waited out."""
    line = next((ln for ln in out.splitlines() if ln.startswith("API requests")), "")
    count = line.split("(", 1)[0].strip()
    waited = line.rsplit(";", 1)[-1].rstrip(")").strip() if ";" in line else ""
    return ", ".join(p for p in (count, waited) if p)


def _pct(value: float | None) -> str:
    return f"{value * 100:.1f} %" if value is not None else "–"


def table(r: dict[str, Any]) -> str:
    """The Markdown table for the README."""
    window = f"{r['rpm']} / {r['minute_seconds']:g} s"
    plural = "" if r["complete"] == 1 else "s"
    by_window = (f"{_pct(r['by_window_min'])} min, {_pct(r['by_window_mean'])} mean "
                 f"({r['complete']} window{plural})") if r["complete"] else "– (none complete)"
    row = [window, f"{r['days']} days, {r['planned']:,} planned", f"{r['requests']:,}",
           r["rate_limited"], f"{r['elapsed']:.1f} s", f"{r['least']:.1f} s",
           _pct(r["by_elapsed"]), by_window, " · ".join(map(str, r["per_window"])),
           f"{r['wall']:.1f} s"]
    return markdown_table(
        ["limit", "run", "requests", "429s", "first → last", "least possible",
         "(b) least ÷ actual", "(a) complete windows used", "admitted per window",
         "run wall"], [row], "llrrrrrlll")


def verdict(r: dict[str, Any]) -> str:
    shares = [v for v in (r["by_elapsed"], r["by_window_min"]) if v is not None]
    met = r["rate_limited"] == 0 and bool(shares) and min(shares) >= TARGET
    return (f"target ≥ {TARGET:.0%} with zero 429s: {'met' if met else 'MISSED'} "
            f"(requests made {r['requests']}, planned {r['planned']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rpm", type=int, default=120, help="the simulator's per-minute limit")
    parser.add_argument("--rpd", type=int, default=1_000_000, help="its per-day limit")
    parser.add_argument("--days", type=int, default=30, help="days backfilled (default 30)")
    parser.add_argument("--resources", help="comma-separated selection (default: the default)")
    parser.add_argument("--minute-seconds", type=float, default=60.0,
                        help="window length of simulator and connector (default 60)")
    opts = parser.parse_args(argv)
    result = bench(opts.rpm, opts.rpd, opts.days, opts.minute_seconds, opts.resources)
    print(table(result))
    print()
    print(verdict(result))
    if result["summary"]:
        print(f"connector: {result['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
