"""Benchmark: OpenPanel events at the speed of the wire.

For each event count (default 200,000 and 1,000,000) it starts the OpenPanel simulator
in its own process (rate limit off) and times, each in a fresh child process:

a. ``fetch``    — fetch and JSON-parse every page (the same pages, the same parallelism
                  as the connector, orjson), nothing else: the limit on this machine;
b. ``ours``     — ``analytics-elt run openpanel`` into DuckDB (events, profiles, meta);
c. ``rest_api`` — dlt's generic ``rest_api`` source on the same endpoint with
                  page-number (OFFSET) paging, into DuckDB: what a user would pick instead.

It prints wall time, rows, peak RSS and peak private memory for each, and the ratios.
Both loaders get ``memory_limit = 128MB`` (DuckDB spills beyond it), so the peak RSS
measures the loader, not DuckDB's default cache of 80 % of RAM, and
``preserve_insertion_order = false``, the connector's default for its loads, which
helps the ``rest_api`` baseline too. The connector adds its other load defaults itself
(one thread, no vacuum tasks, one load job at a time: ``pipelines/destinations.py``);
the baseline keeps DuckDB's and dlt's, being faster with them (with one thread it took
~118 s instead of ~106 s).

``--repeat N`` runs the modes N times in turn (fetch, ours, …, fetch, ours, …) against
the same simulator: the table gives the best wall time with the spread (worst − best)
and the highest peak RSS; ratios are between best times. On a shared machine take the
best of several.

Usage:
    .venv/bin/python benchmarks/openpanel_events.py                 # 200k and 1M
    .venv/bin/python benchmarks/openpanel_events.py --events 200000 --modes fetch,ours
    .venv/bin/python benchmarks/openpanel_events.py --events 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = dt.date(2026, 5, 1)
START, END = dt.date(2026, 4, 1), dt.date(2026, 4, 30)
MODES = ("fetch", "ours", "rest_api")
INCLUDES = "properties,profile,meta"
CONCURRENCY = 4
DUCKDB_CONFIG = '{"memory_limit": "128MB", "preserve_insertion_order": false}'


def serve(events: int) -> None:
    """Child: run the simulator until stdin closes; prints its URL first."""
    from simulators.openpanel import OpenPanelSimulator

    with OpenPanelSimulator(events=events, rate_limit=None, today=TODAY) as sim:
        print(sim.url, flush=True)
        sys.stdin.read()


def _headers() -> dict[str, str]:
    from simulators.openpanel import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    return {"openpanel-client-id": DEFAULT_CLIENT_ID,
            "openpanel-client-secret": DEFAULT_CLIENT_SECRET}


def fetch_only(url: str) -> int:
    """Every page of every day, fetched and parsed; returns the rows seen."""
    import httpx
    import orjson

    from simulators.openpanel import DEFAULT_PROJECT_ID

    client = httpx.Client(base_url=url, headers=_headers(), timeout=60)

    def page(day: dt.date, n: int) -> dict[str, Any]:
        params: dict[str, str | int] = {
            "projectId": DEFAULT_PROJECT_ID, "start": str(day), "end": str(day), "page": n,
            "limit": 1000, "includes": INCLUDES}
        return orjson.loads(client.get("/export/events", params=params).content)

    rows = 0
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        day = START
        while day <= END:
            first = page(day, 1)
            rows += len(first["data"])
            rest = pool.map(lambda n, d=day: page(d, n), range(2, first["meta"]["pages"] + 1))
            rows += sum(len(p["data"]) for p in rest)
            day += dt.timedelta(days=1)
    return rows


def ours(url: str, work: Path) -> int:
    """``analytics-elt run openpanel`` in this process (the console script's code path)."""
    from pipelines.cli import main
    from simulators.openpanel import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PROJECT_ID

    os.environ.update({
        "SOURCES__OPENPANEL__BASE_URL": url, "SOURCES__OPENPANEL__CLIENT_ID": DEFAULT_CLIENT_ID,
        "SOURCES__OPENPANEL__CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "SOURCES__OPENPANEL__PROJECT_ID": DEFAULT_PROJECT_ID,
        "SOURCES__OPENPANEL__START_DATE": str(START), "SOURCES__OPENPANEL__END_DATE": str(END),
        "SOURCES__OPENPANEL__CONCURRENCY": str(CONCURRENCY),
        "DESTINATION__DUCKDB__CREDENTIALS": str(work / "ours.duckdb")})
    code = main(["run", "openpanel", "--progress", "log"])
    if code != 0:
        raise SystemExit(f"analytics-elt exited {code}")
    return _count(work / "ours.duckdb", "openpanel")


def rest_api(url: str, work: Path) -> int:
    """dlt's ``rest_api`` source on ``/export/events`` with page-number paging."""
    import dlt
    from dlt.sources.rest_api import rest_api_source

    from simulators.openpanel import DEFAULT_PROJECT_ID

    source = rest_api_source({
        "client": {"base_url": url, "headers": _headers()},
        "resources": [{
            "name": "events", "primary_key": ["project_id", "id"], "write_disposition": "merge",
            "endpoint": {
                "path": "/export/events", "data_selector": "data",
                "params": {"projectId": DEFAULT_PROJECT_ID, "start": str(START),
                           "end": str(END), "limit": 1000, "includes": INCLUDES},
                "paginator": {"type": "page_number", "base_page": 1, "page_param": "page",
                              "total_path": "meta.pages"},
            },
        }],
    })
    pipeline = dlt.pipeline("bench_rest_api", destination=dlt.destinations.duckdb(
        str(work / "rest_api.duckdb")), dataset_name="openpanel_rest_api")
    pipeline.run(source)
    return _count(work / "rest_api.duckdb", "openpanel_rest_api")


def _count(db: Path, dataset: str) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute(f"select count(*) from {dataset}.events").fetchall()[0][0])
    finally:
        con.close()


class PrivatePeak:
    """The peak of the process's private memory (``RssAnon``), sampled every 10 ms (Linux).

    RSS also counts the pages of shared libraries read in from disk: DuckDB's ~32 MB of
    code count from a run's first load on, so a run of several steps shows them during
    its later extractions, a run of one step only in its load. Private memory is what the
    run itself holds.
    """

    def __init__(self) -> None:
        self.peak_mb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PrivatePeak:
        if os.path.exists("/proc/self/status"):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        while True:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("RssAnon:"):
                        self.peak_mb = max(self.peak_mb, int(line.split()[1]) // 1024)
            if self._stop.wait(0.01):
                return


def measure(mode: str, url: str) -> None:
    """Child: run one mode and print ``{"rows", "rss_mb", "private_mb"}`` as JSON last."""
    with tempfile.TemporaryDirectory(prefix="op-bench-") as tmp, PrivatePeak() as private:
        work = Path(tmp)
        os.environ["DLT_DATA_DIR"] = str(work / "dlt")
        os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
        # for both loaders: a bounded buffer pool (DuckDB spills), and no insertion order
        os.environ["DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"] = DUCKDB_CONFIG
        rows = {"fetch": lambda: fetch_only(url), "ours": lambda: ours(url, work),
                "rest_api": lambda: rest_api(url, work)}[mode]()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "rss_mb": round(rss), "private_mb": private.peak_mb}),
          flush=True)


def bench(events: int, modes: list[str], repeat: int = 1) -> dict[str, dict[str, Any]]:
    """Run every mode ``repeat`` times against one simulator with ``events`` events."""
    server = subprocess.Popen([sys.executable, __file__, "serve", str(events)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    try:
        url = server.stdout.readline().strip() if server.stdout else ""
        for _ in range(repeat):
            for mode in modes:
                started = time.perf_counter()
                child = subprocess.run([sys.executable, __file__, "measure", mode, url],
                                       capture_output=True, text=True, cwd=ROOT)
                wall = time.perf_counter() - started
                if child.returncode != 0:
                    raise SystemExit(f"{mode} failed:\n{child.stderr[-3000:]}")
                run = {"wall": wall, **json.loads(child.stdout.strip().splitlines()[-1])}
                runs[mode].append(run)
                print(f"  {events:>9,} events  {mode:8}  {wall:7.1f} s  "
                      f"{run['rows']:>9,} rows  {run['rss_mb']:>5} MB RSS  "
                      f"{run['private_mb']:>5} MB private",
                      file=sys.stderr, flush=True)
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    return {mode: {"wall": min(r["wall"] for r in rs),
                   "spread": max(r["wall"] for r in rs) - min(r["wall"] for r in rs),
                   "runs": len(rs), "rows": rs[0]["rows"],
                   "rss_mb": max(r["rss_mb"] for r in rs),
                   "private_mb": max(r["private_mb"] for r in rs)} for mode, rs in runs.items()}


def table(all_results: dict[int, dict[str, dict[str, Any]]]) -> str:
    """The Markdown table for the README (best wall time of the runs, its spread)."""
    lines = ["| events | mode | wall time (best) | spread | rows loaded | peak RSS | "
             "peak private | vs fetch-only | rest_api ÷ ours |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for events, results in all_results.items():
        fetch = results.get("fetch", {}).get("wall")
        our = results.get("ours", {}).get("wall")
        for mode, r in results.items():
            vs = f"{r['wall'] / fetch:.2f}×" if fetch else "–"
            speedup = f"{r['wall'] / our:.1f}×" if mode == "rest_api" and our else ""
            spread = f"{r['spread']:.1f} s ({r['runs']} runs)" if r["runs"] > 1 else "–"
            lines.append(f"| {events:,} | {mode} | {r['wall']:.1f} s | {spread} | "
                         f"{r['rows']:,} | {r['rss_mb']} MB | {r['private_mb']} MB | "
                         f"{vs} | {speedup} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["serve"]:
        serve(int(args[1]))
        return 0
    if args[:1] == ["measure"]:
        measure(args[1], args[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated subset")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode (best wins)")
    opts = parser.parse_args(args)
    modes = [m for m in opts.modes.split(",") if m in MODES]
    results = {n: bench(n, modes, max(1, opts.repeat)) for n in opts.events}
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
