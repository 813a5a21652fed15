"""``analytics-elt`` — the command line (also ``python -m pipelines``).

Exit codes: 0 done; 2 bad usage or configuration; 3 credentials refused; 4 daily quota
exhausted (what was fetched is loaded, the next run resumes); 1 any other failure.
"""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from pipelines import registry, sql_apply
from sources.common.errors import EXIT_CONFIG, EXIT_OK, ConfigurationError

EPILOG = """exit codes: 0 done; 2 bad usage or configuration (the message names the key and
the fix); 3 credentials or permission refused; 4 the API's daily quota is exhausted
(what was fetched is loaded, progress is saved, the next run resumes); 1 anything else.

Configuration: .dlt/config.toml and .dlt/secrets.toml under [sources.<source>], or
environment variables such as SOURCES__PTENGINE__API_KEY. See docs/sources/<source>.md."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (never a usage dump plus traceback)."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"analytics-elt: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG)


def _selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help=f"one of: {', '.join(registry.source_names())}")
    p.add_argument("--destination", default="duckdb", help="duckdb (default), postgres, bigquery")
    p.add_argument("--dataset", help="dataset (schema) name; default: the source's name")
    p.add_argument("--start-date", metavar="YYYY-MM-DD",
                   help="re-load from this day regardless of saved cursors (a backfill)")
    p.add_argument("--end-date", metavar="YYYY-MM-DD", help="last day to load")
    p.add_argument("--resources", metavar="a,b", help="comma-separated resources to run")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="analytics-elt", description="Load web-analytics and experimentation "
                     "APIs into DuckDB, Postgres or BigQuery with dlt.", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="extract and load one source", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _selection(p)
    p.add_argument("--full-refresh", action="store_true",
                   help="drop the source's tables and cursors, then load from start_date")
    p.add_argument("--progress", choices=("tqdm", "log", "none"), default="none",
                   help="dlt's progress while extracting and loading: log (lines for a "
                        "scheduler's log: rows, rates, memory, CPU), tqdm (bars on a "
                        "terminal), none (default)")

    p = sub.add_parser("plan", help="the request plan, without calling data endpoints")
    _selection(p)
    p.add_argument("--brief", action="store_true", help="counts per resource only, no calls")

    p = sub.add_parser("check", help="verify credentials and configuration with the cheapest call")
    p.add_argument("source", help=f"one of: {', '.join(registry.source_names())}")

    p = sub.add_parser("demo", help="start the simulators and load every source (make demo)")
    p.add_argument("--destination", default="duckdb")

    p = sub.add_parser("simulate", help="run one vendor simulator in the foreground")
    p.add_argument("source", help=f"one of: {', '.join(registry.source_names())}")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--plan", default="growth", help="the simulated rate plan")
    p.add_argument("--rpm", type=int, help="override the plan's requests per minute")
    p.add_argument("--rpd", type=int, help="override the plan's requests per day")
    p.add_argument("--faults", default="", help='e.g. "500:0.05,reset:0.01,slow:0.02"')
    p.add_argument("--request-log", metavar="FILE", help="JSONL request log (secrets redacted)")

    p = sub.add_parser("sql", help="analyst views in the analytics schema")
    sql_sub = p.add_subparsers(dest="sql_command", required=True, parser_class=_Parser)
    p = sql_sub.add_parser("apply", help="create or replace the views; skips views whose "
                           "tables are not loaded yet")
    sql_apply.add_arguments(p)
    return parser


def _check_source(name: str) -> None:
    if name not in registry.source_names():
        raise ConfigurationError("source", f"'{name}' is not a source",
                                 f"use one of {', '.join(registry.source_names())}")


def _resources(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [r.strip() for r in text.split(",") if r.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from pipelines import runner

    try:
        if args.command in ("run", "plan", "check", "simulate"):
            _check_source(args.source)
        if args.command == "run":
            opts = runner.RunOptions(
                source=args.source, destination=args.destination, dataset=args.dataset,
                start_date=args.start_date, end_date=args.end_date,
                resources=_resources(args.resources), full_refresh=args.full_refresh,
                progress=args.progress)
            return runner.run(opts).exit_code
        if args.command == "plan":
            from pipelines.planview import show_plan

            return show_plan(args.source, destination=args.destination, dataset=args.dataset,
                             start_date=args.start_date, end_date=args.end_date,
                             resources=_resources(args.resources), brief=args.brief)
        if args.command == "check":
            spec = registry.get(args.source)
            run_id = uuid.uuid4().hex
            runner.build_source(spec, runner.RunOptions(source=args.source), run_id, None)
            print(spec.check(spec.config(run_id)))
            return EXIT_OK
        if args.command == "sql":
            return sql_apply.run_apply(args)
        if args.command == "demo":
            from pipelines.demo import run_demo

            return run_demo(destination=args.destination)
        if args.command == "simulate":
            import simulators

            simulators.serve(args.source, port=args.port, plan=args.plan, rpm=args.rpm,
                             rpd=args.rpd, faults=args.faults, request_log=args.request_log)
            return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, never a traceback
        code, message = runner.exit_code_for(exc)
        print(f"analytics-elt: error: {message}", file=sys.stderr)
        logging.getLogger("analytics_elt").debug("details", exc_info=True)
        return code
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
