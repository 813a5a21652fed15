"""Helpers for end-to-end tests: run the real CLI against a simulator, read the warehouse."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb

from pipelines.cli import main
from pipelines.demo import temporary_env

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(*args: str) -> CliResult:
    """Run ``analytics-elt ARGS`` in-process (the same code path as the console script)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


def cli_subprocess(*args: str, env: dict[str, str] | None = None, timeout: float = 300
                   ) -> CliResult:
    """Run the console script in a child process (for exit codes and tracebacks)."""
    proc = subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def ptengine_env(sim: Any, db: Path, **extra: Any) -> dict[str, str]:
    from simulators.ptengine import DEFAULT_API_KEY, DEFAULT_PROFILE_ID

    env = {
        "SOURCES__PTENGINE__BASE_URL": sim.url,
        "SOURCES__PTENGINE__API_KEY": DEFAULT_API_KEY,
        "SOURCES__PTENGINE__PROFILE_ID": DEFAULT_PROFILE_ID,
        "DESTINATION__DUCKDB__CREDENTIALS": str(db),
    }
    env.update({f"SOURCES__PTENGINE__{k.upper()}": str(v) for k, v in extra.items()})
    return env


def tables(db: Path, dataset: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table of ``dataset`` as sorted rows without dlt's bookkeeping columns."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_name not like '\\_dlt%' escape '\\' order by 1", [dataset]).fetchall()]
        out = {}
        for name in names:
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? and column_name not like '\\_dlt%' escape '\\' "
                "order by column_name", [dataset, name]).fetchall()]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'select {select} from "{dataset}"."{name}"').fetchall()
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def count(db: Path, sql: str) -> Any:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def api_requests(sim: Any) -> list[dict[str, Any]]:
    """The simulator's log of API requests (admin endpoints excluded)."""
    return [r for r in sim.requests if not str(r.get("path", "")).startswith("/_sim")]


env_vars = temporary_env


def _normal(value: Any) -> Any:
    """Make DuckDB and Postgres values comparable (decimal scale, timezone of instants)."""
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return value.normalize() if value != 0 else Decimal(0)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, float):
        return round(value, 9)
    return value


def pg_tables(url: str, dataset: str) -> dict[str, list[tuple[Any, ...]]]:
    """``tables()`` for a Postgres schema."""
    import psycopg2

    con = psycopg2.connect(url)
    try:
        cur = con.cursor()
        cur.execute("select table_name from information_schema.tables where table_schema = %s "
                    "and table_name not like '\\_dlt%%' order by 1", [dataset])
        out = {}
        for (name,) in cur.fetchall():
            cur.execute("select column_name from information_schema.columns where "
                        "table_schema = %s and table_name = %s and column_name not like "
                        "'\\_dlt%%' order by column_name", [dataset, name])
            cols = [r[0] for r in cur.fetchall()]
            cur.execute(f'select {", ".join(chr(34) + c + chr(34) for c in cols)} '
                        f'from "{dataset}"."{name}"')
            out[name] = sorted((tuple(_normal(v) for v in row) for row in cur.fetchall()),
                               key=repr)
        return out
    finally:
        con.close()


def normalised(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """``tables()`` output with values normalised like ``pg_tables``."""
    return {t: sorted((tuple(_normal(v) for v in row) for row in rows), key=repr)
            for t, rows in snapshot.items()}


def logical_requests(sim: Any, since: int = 0) -> list[dict[str, Any]]:
    """API requests from ``since`` with retries folded: a retry repeats an identical
    request (method, path, query, body), so only its first copy counts as a call."""
    import json

    seen: set[str] = set()
    out = []
    for r in api_requests(sim)[since:]:
        key = json.dumps([r.get("method"), r.get("path"), r.get("query"), r.get("body")],
                         sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
