"""``analytics-elt demo`` (what ``make demo`` runs).

Starts every bundled simulator on loopback, points each source at it with the
simulator's demo credentials, loads the last 30 days into ``./analytics.duckdb`` (or the
chosen destination) and prints rows per table.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from pipelines import registry, runner
from pipelines.destinations import DEFAULT_DUCKDB_FILE
from sources.common.errors import EXIT_OK


@contextmanager
def temporary_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_demo(destination: str = "duckdb", out: Any = None) -> int:
    """Load every source from its simulator; returns the worst exit code."""
    out = out or sys.stdout
    started = time.monotonic()
    worst = EXIT_OK
    # dlt's working data for the demo lives in a temporary folder: the demo never touches
    # the pipelines of real runs on this machine (state is restored from the destination)
    tmp = tempfile.TemporaryDirectory(prefix="analytics-elt-demo-")
    with tmp as data_dir, ExitStack() as stack:
        env = {"DLT_DATA_DIR": data_dir}
        names = registry.source_names()
        for name in names:
            env.update(registry.get(name).demo(stack))
        with temporary_env(env):
            for name in names:
                print(f"== {name}: loading from its simulator", file=out)
                result = runner.run(runner.RunOptions(source=name, destination=destination),
                                    out=out)
                worst = max(worst, result.exit_code)
    target = (os.environ.get("DESTINATION__DUCKDB__CREDENTIALS") or DEFAULT_DUCKDB_FILE
              if destination == "duckdb" else destination)
    print(f"\ndemo done in {time.monotonic() - started:.1f} s — tables are in {target}",
          file=out)
    if destination == "duckdb":
        print("try: .venv/bin/python -c \"import duckdb; print(duckdb.connect('"
              f"{target}').sql('select * from ptengine.site_metrics_daily order by date "
              "desc limit 5'))\"", file=out)
    return worst
