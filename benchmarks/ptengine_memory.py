"""Benchmark: peak memory of a Ptengine backfill, 30 days against 365 days.

For each window (``--days``, default 30 and 365, ending 2026-04-30) it starts a fresh
Ptengine simulator in its own process (unlimited plan, retention long enough for the
window) and runs ``analytics-elt run ptengine --start-date … --end-date …`` with the
default selection in a fresh child process, with its own ``DLT_DATA_DIR`` and DuckDB
file. It reports the requests made (simulator log), the rows loaded (the run summary),
the wall time and the peak RSS of that process (``os.wait4``: the child's own
high-water mark), then the difference between the largest and the smallest window in
MB and %. Target: flat — a year of days should need no more memory than a month.

DuckDB runs with its defaults (what a user gets); ``--duckdb-memory-limit 128MB`` bounds
its buffer pool, as the OpenPanel benchmark does (memory DuckDB spends outside the pool,
such as parsing the INSERT statements dlt loads it with, is not bounded by it).

Usage:
    .venv/bin/python benchmarks/ptengine_memory.py                     # 30 and 365 days
    .venv/bin/python benchmarks/ptengine_memory.py --days 30 90 365 --repeat 2
    .venv/bin/python benchmarks/ptengine_memory.py --duckdb-memory-limit 128MB
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from _common import SimulatorProcess, loaded_rows, log, markdown_table, ptengine_env, run_cli

TODAY = dt.date(2026, 5, 1)


def bench(days: int, duckdb_memory_limit: str | None) -> dict[str, Any]:
    """One backfill of ``days`` days in a fresh process against a fresh simulator."""
    start, end = TODAY - dt.timedelta(days=days), TODAY - dt.timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="pt-memory-") as tmp:
        work = Path(tmp)
        with SimulatorProcess("ptengine", work, plan="unlimited", today=TODAY,
                              retention_days=max(400, days + 1)) as sim:
            env = ptengine_env(sim.url, work)
            if duckdb_memory_limit:
                env["DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"] = json.dumps(
                    {"memory_limit": duckdb_memory_limit})
            run = run_cli(["run", "ptengine", "--start-date", str(start), "--end-date",
                           str(end), "--progress", "none"], env).check(f"{days}-day run")
            requests = len(sim.requests())
    log(f"  {days:>4} days  {requests:>6,} requests  {run.wall:6.1f} s  {run.rss_mb:6.0f} MB")
    return {"days": days, "requests": requests, "rows": loaded_rows(run.out),
            "wall": run.wall, "rss_mb": run.rss_mb}


def table(results: list[dict[str, Any]]) -> str:
    smallest = results[0]["rss_mb"]
    rows = [[r["days"], f"{r['requests']:,}", f"{r['rows']:,}", f"{r['wall']:.1f} s",
             f"{r['rss_mb']:.0f} MB",
             f"{r['rss_mb'] - smallest:+.0f} MB ({(r['rss_mb'] / smallest - 1) * 100:+.1f} %)"]
            for r in results]
    return markdown_table(["days", "requests", "rows loaded", "wall", "peak RSS",
                           f"vs {results[0]['days']} days"], rows, "rrrrrr")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, nargs="+", default=[30, 365])
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per window; the table keeps the highest peak")
    parser.add_argument("--duckdb-memory-limit", help="e.g. 128MB (default: DuckDB's own)")
    opts = parser.parse_args(argv)
    results = []
    for days in sorted(opts.days):
        runs = [bench(days, opts.duckdb_memory_limit) for _ in range(max(1, opts.repeat))]
        results.append(max(runs, key=lambda r: r["rss_mb"]))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
