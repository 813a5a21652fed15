"""Shared helpers of the benchmarks: a simulator in its own process, the CLI in fresh ones.

* :class:`SimulatorProcess` starts one vendor simulator (``simulators.<vendor>.SIMULATOR``)
  in a child process, so its server threads do not share a GIL with what is measured. The
  parent reads the simulator's JSONL request log, moves its clock through ``/_sim/`` and,
  when asked, gets the exact number of requests the server's rate limiter admitted and
  refused in each of its fixed minute windows.
* :func:`run_cli` runs ``analytics-elt`` in a fresh child process and measures its wall
  time and peak RSS (``os.wait4`` gives the rusage of that one child, so runs of different
  sizes do not share a high-water mark as ``RUSAGE_CHILDREN`` would).
* :func:`ptengine_env` is the environment of a run against the Ptengine simulator, with a
  private ``DLT_DATA_DIR`` so pipeline state is isolated; :func:`markdown_table` prints
  results the way the README shows them.

Not a benchmark itself: ``python benchmarks/_common.py serve SPEC`` is the simulator
child that :class:`SimulatorProcess` starts.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CLI = Path(sys.executable).with_name("analytics-elt")


# --- the simulator child -----------------------------------------------------------------


def _counting_limiter(limiter: Any) -> Any:
    """A copy of a simulator's limiter that also counts requests per window and outcome."""
    from simulators.machinery import RateLimiter

    class CountingLimiter(RateLimiter):
        def __init__(self) -> None:
            super().__init__(limiter.clock, limiter.minute_seconds)
            self._lock = threading.RLock()  # re-entered by the base acquire()
            self.windows: Counter[tuple[int, str]] = Counter()

        def acquire(self, key: str, rpm: int, rpd: int, *, consume: bool = True,
                    enforce: bool = True) -> Any:
            with self._lock:
                refused, quota = super().acquire(key, rpm, rpd, consume=consume,
                                                 enforce=enforce)
                if consume:
                    self.windows[(self._state[key].minute, refused or "admitted")] += 1
                return refused, quota

        def reset(self) -> None:
            with self._lock:
                super().reset()
                self.windows.clear()

    return CountingLimiter()


def _serve(spec: dict[str, Any]) -> None:
    """Child: run the simulator until stdin closes; print its URL first, windows last."""
    cls = importlib.import_module(f"simulators.{spec['vendor']}").SIMULATOR
    options = dict(spec["options"])
    if options.get("today"):
        options["today"] = dt.date.fromisoformat(options["today"])
    sim = cls(**options)
    if spec.get("count_windows"):
        sim.limiter = _counting_limiter(sim.limiter)
    with sim:
        print(sim.url, flush=True)
        sys.stdin.read()
        windows = getattr(sim.limiter, "windows", Counter())
        print(json.dumps({"minute_seconds": sim.limiter.minute_seconds,
                          "windows": [[m, kind, n] for (m, kind), n in sorted(windows.items())]}),
              flush=True)


@dataclass
class Windows:
    """Requests the simulator's limiter saw per fixed window (index = epoch // length)."""

    minute_seconds: float
    admitted: dict[int, int]
    refused: dict[int, int]


class SimulatorProcess:
    """One vendor simulator in a child process, with its request log in ``workdir``.

    Args:
        vendor: a package under ``simulators/`` (``ptengine``, ``openpanel``, …).
        workdir: where the request log goes.
        count_windows: count admitted and refused requests per rate window (read with
            :meth:`close`).
        options: the simulator's constructor keywords (``today`` as a date).

    Example:
        >>> with SimulatorProcess("ptengine", Path("/tmp/x"), plan="unlimited") as sim:
        ...     sim.advance_days(1)                                 # doctest: +SKIP
    """

    def __init__(self, vendor: str, workdir: Path, *, count_windows: bool = False,
                 **options: Any) -> None:
        self.log_path = workdir / f"{vendor}-requests.jsonl"
        if isinstance(options.get("today"), dt.date):
            options["today"] = options["today"].isoformat()
        self._spec = {"vendor": vendor, "count_windows": count_windows,
                      "options": {**options, "request_log": str(self.log_path)}}
        self._proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.windows: Windows | None = None

    def __enter__(self) -> SimulatorProcess:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "serve", json.dumps(self._spec)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        self.url = self._proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            self._proc.kill()
            raise SystemExit(f"the {self._spec['vendor']} simulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> Windows | None:
        """Stop the simulator; returns the per-window counts when ``count_windows``."""
        proc, self._proc = self._proc, None
        if proc is None:
            return self.windows
        out, _ = proc.communicate(timeout=60)  # closes stdin: the child prints and exits
        last = out.strip().splitlines()[-1] if out.strip() else "{}"
        data = json.loads(last)
        if "windows" in data:
            admitted: dict[int, int] = {}
            refused: dict[int, int] = {}
            for minute, kind, n in data["windows"]:
                target = admitted if kind == "admitted" else refused
                target[minute] = target.get(minute, 0) + n
            self.windows = Windows(data["minute_seconds"], admitted, refused)
        return self.windows

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """API requests in the log (``/_sim/`` admin calls are not logged), from ``since``."""
        if not self.log_path.exists():
            return []
        with self.log_path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f][since:]

    def admin(self, action: str, body: dict[str, Any] | None = None) -> Any:
        """POST ``/_sim/<action>`` and return the answer."""
        response = httpx.post(f"{self.url}/_sim/{action}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def advance_days(self, days: int = 1) -> str:
        """Move the simulated clock; returns the new simulated date."""
        return str(self.admin("advance_day", {"days": days})["today"])

    def reset(self) -> None:
        """Clear the rate windows and counters (the log file keeps its lines)."""
        self.admin("reset")


# --- the CLI in a fresh process ----------------------------------------------------------


@dataclass
class CliRun:
    """One ``analytics-elt`` process: exit code, output, wall seconds, peak RSS in MB."""

    code: int
    out: str
    err: str
    wall: float
    rss_mb: float

    def check(self, what: str) -> CliRun:
        """Exit with the output tail when the run failed."""
        if self.code != 0:
            raise SystemExit(f"{what} exited {self.code}:\n{(self.out + self.err)[-3000:]}")
        return self


def run_cli(args: Sequence[str], env: dict[str, str]) -> CliRun:
    """Run ``analytics-elt ARGS`` in a fresh child process with ``env`` (the whole env)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(CLI), *args], cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return CliRun(proc.returncode, out.read(), err.read(), wall, usage.ru_maxrss / 1024)


def ptengine_env(url: str, workdir: Path, **config: Any) -> dict[str, str]:
    """The environment of a Ptengine run against a simulator, isolated in ``workdir``.

    ``config`` adds ``SOURCES__PTENGINE__<KEY>`` values (``rate_window_seconds=6``).
    """
    from simulators.ptengine import DEFAULT_API_KEY, DEFAULT_PROFILE_ID

    env = {**os.environ,
           "SOURCES__PTENGINE__BASE_URL": url,
           "SOURCES__PTENGINE__API_KEY": DEFAULT_API_KEY,
           "SOURCES__PTENGINE__PROFILE_ID": DEFAULT_PROFILE_ID,
           "DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "warehouse.duckdb"),
           "DLT_DATA_DIR": str(workdir / "dlt"),
           "RUNTIME__DLTHUB_TELEMETRY": "false"}
    env.update({f"SOURCES__PTENGINE__{k.upper()}": str(v) for k, v in config.items()})
    return env


def planned_calls(out: str) -> int:
    """The ``total calls: N`` of ``analytics-elt plan`` output."""
    for line in out.splitlines():
        if line.strip().startswith("total calls:"):
            return int(line.split(":", 1)[1].split()[0].replace(",", ""))
    raise SystemExit(f"no 'total calls' in the plan output:\n{out[-2000:]}")


def loaded_rows(out: str) -> int:
    """The sum of the rows column of a run summary (``  table  rows`` lines)."""
    total, in_table = 0, False
    for line in out.splitlines():
        parts = line.split()
        if parts[:2] == ["table", "rows"]:
            in_table = True
        elif in_table and len(parts) == 2 and parts[1].replace(",", "").isdigit():
            total += int(parts[1].replace(",", ""))
        elif in_table:
            break
    return total


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
                   align: str = "") -> str:
    """A Markdown table; ``align`` has one ``l`` or ``r`` per column (default: ``l``)."""
    marks = [("---:" if a == "r" else "---") for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def log(message: str) -> None:
    """Progress on stderr (stdout keeps only the table)."""
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["serve"] or len(sys.argv) != 3:
        raise SystemExit("usage: _common.py serve SPEC_JSON (started by SimulatorProcess)")
    _serve(json.loads(sys.argv[2]))
