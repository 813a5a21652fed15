"""Runs a source: builds the pipeline, extracts in committed steps, loads, summarises.

Flow of ``run``:

1. load anything a killed earlier run left extracted but not loaded;
2. extract in steps: each ``pipeline.extract`` ends on a day boundary once
   ``commit_every_seconds`` have passed, so its package and its state (the cursors) are
   committed to the pipeline's working directory; a killed process loses at most the
   step in flight, and the next run loads the committed steps first;
3. a quota stop ends the loop early and cleanly;
4. normalize and load everything extracted, then print the summary.

A source whose steps bound what one load holds (``SourceSpec.load_each_step``) has each
step loaded before the next one is extracted.

Errors map to exit codes through ``sources.common.errors``; no traceback reaches the user.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.runtime.collector import NULL_COLLECTOR

from pipelines import registry
from pipelines.destinations import (
    LOADER_FILE_FORMATS,
    destination_for,
    destination_location,
    duckdb_path,
    load_options,
)
from sources.common.carry import STATE_KEY as CARRY_STATE_KEY
from sources.common.dates import describe_wait
from sources.common.errors import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_QUOTA,
    ConcurrentRunError,
    ConfigurationError,
    ConnectorError,
)
from sources.common.limiter import all_limiters, reset_limiters
from sources.common.memory import release_free_memory
from sources.common.progress import reset_telemetry, run_finished, saved_cursor, telemetry
from sources.common.values import take_parse_warnings
from sources.common.warehouse_hints import apply_bigquery_hints

log = logging.getLogger("analytics_elt")
MAX_STEPS = 100_000

@dataclass
class RunOptions:
    """What the CLI asked for."""

    source: str
    destination: str = "duckdb"
    dataset: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    resources: list[str] | None = None
    full_refresh: bool = False
    progress: str = "none"
    commit_every_seconds: float | None = None


@dataclass
class RunResult:
    exit_code: int
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    message: str = ""



def pipeline_name(opts: RunOptions) -> str:
    """One pipeline (local state, pending packages) per source, destination and warehouse.

    Pointing a run at another warehouse must not reuse the cursors of the first one:
    that would load only the lookback days into an empty warehouse.
    """
    where = hashlib.sha256(destination_location(opts.destination).encode()).hexdigest()[:8]
    name = f"analytics_elt_{opts.source}_{opts.destination}_{where}"
    return f"{name}_{opts.dataset}" if opts.dataset else name


def make_pipeline(opts: RunOptions) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=pipeline_name(opts),
        destination=destination_for(opts.destination),
        dataset_name=opts.dataset or opts.source,
        progress=opts.progress if opts.progress in ("tqdm", "log", "enlighten") else NULL_COLLECTOR,
    )


def resource_states(pipeline: dlt.Pipeline, source: str) -> dict[str, Any]:
    return dict(pipeline.state.get("sources", {}).get(source, {}).get("resources", {}))


def commit_interval(source: str, override: float | None) -> float:
    """Seconds of work per committed step (``[sources.<s>] commit_every_seconds``, default 15)."""
    if override is not None:
        return override
    try:
        value = dlt.config.get(f"sources.{source}.commit_every_seconds", float)
    except Exception:
        value = None
    return 15.0 if value is None else float(value)


def build_source(spec: registry.SourceSpec, opts: RunOptions, run_id: str,
                 commit_every: float | None) -> Any:
    try:
        return spec.build(run_id=run_id, backfill_start=opts.start_date,
                          backfill_end=opts.end_date, resources=opts.resources,
                          commit_every_seconds=commit_every)
    except ConfigFieldMissingException as exc:
        raise missing_config(opts.source, exc) from None


def missing_config(source: str, exc: ConfigFieldMissingException) -> ConfigurationError:
    fields = list(getattr(exc, "fields", []) or ["?"])
    name = fields[0]
    return ConfigurationError(
        f"sources.{source}.{name}", "is missing",
        f"set SOURCES__{source.upper()}__{name.upper()} or {name} under [sources.{source}] "
        "in .dlt/secrets.toml",
    )


def run(opts: RunOptions, out: Any = None) -> RunResult:
    """Extract and load one source; returns the exit code and what was loaded."""
    out = out or sys.stdout
    started = time.monotonic()
    reset_telemetry()
    reset_limiters()
    take_parse_warnings()
    spec = registry.get(opts.source)
    run_id = uuid.uuid4().hex
    commit_every = commit_interval(opts.source, opts.commit_every_seconds)
    # validate configuration before touching the destination; the first step uses this one
    first_source = build_source(spec, opts, run_id, commit_every)
    cfg = spec.config(run_id)
    pipeline = make_pipeline(opts)
    rows: dict[str, int] = {}
    error: BaseException | None = None
    with run_lock(pipeline), quiet_dlt():
        if pipeline.has_pending_data:
            print("loading what an interrupted earlier run had fetched …", file=sys.stderr)
            _load(pipeline, rows)
        new_dataset: bool | None = None  # asked once, when a source first needs to know
        try:
            for step in range(1, MAX_STEPS + 1):
                source = first_source if step == 1 else build_source(spec, opts, run_id,
                                                                     commit_every)
                apply_bigquery_hints(source, opts.destination)
                unique = unique_merges(source)
                if unique and new_dataset is None:
                    new_dataset = dataset_is_new(pipeline, opts.destination)
                for resource in unique if new_dataset else []:
                    resource.apply_hints(write_disposition="append")
                refresh = "drop_sources" if opts.full_refresh and step == 1 else None
                # DuckDB: parquet, not dlt's default INSERT VALUES files, whose load step
                # peaks at ~2 GB for a 365-day Ptengine backfill (benchmarks/ptengine_memory.py)
                pipeline.extract(source, refresh=refresh,
                                 loader_file_format=LOADER_FILE_FORMATS.get(opts.destination))
                _step_progress(opts.source, step)
                if telemetry().quota_stop:
                    break
                states = resource_states(pipeline, opts.source)
                if all(run_finished(states.get(r), run_id) for r in _dated(cfg)):
                    break
                if spec.load_each_step:
                    _load(pipeline, rows)
        except BaseException as exc:  # loaded below, re-raised after the load
            error = exc
        finally:
            spec.end_run(run_id)
        if pipeline.has_pending_data:
            _load(pipeline, rows)
    if error is not None:
        raise error
    return _summarise(spec, opts, pipeline, cfg, rows, started, out)


def unique_merges(source: Any) -> list[Any]:
    """The selected resources that merge rows they declare unique (deduplicated staging).

    Into a new dataset such a merge has nothing to delete: the runner appends them
    instead, which loads the same rows without the staging copy (200,000 OpenPanel
    events: ~0.3 s less). A run never loads a row twice, so this holds for every step of
    the run that found the dataset new; later runs merge.
    """
    out = []
    for resource in source.resources.selected.values():
        disposition = resource.write_disposition
        if isinstance(disposition, dict) and disposition.get("disposition") == "merge" \
                and disposition.get("deduplicated"):
            out.append(resource)
    return out


def dataset_is_new(pipeline: dlt.Pipeline, destination: str) -> bool:
    """Whether the destination holds no dataset of this pipeline yet.

    Asked only of a pipeline that has never extracted here (no local schema): one with
    local state has loaded, or is about to load, into its dataset. A DuckDB file that
    does not exist is not created by asking. Any doubt counts as not new.
    """
    if pipeline.default_schema_name:
        return False
    if destination == "duckdb" and not os.path.exists(duckdb_path()):
        return True
    try:
        with pipeline.sql_client() as client:
            return not client.has_dataset()
    except Exception:  # noqa: BLE001 - merging is always correct, appending only when sure
        return False


def _dated(cfg: Any) -> list[str]:
    return [r for r in cfg.resources if r != "metric_definitions"]


def _load(pipeline: dlt.Pipeline, rows: dict[str, int]) -> None:
    pipeline.normalize()
    info = pipeline.last_trace.last_normalize_info if pipeline.last_trace else None
    for table, count in (info.row_counts if info else {}).items():
        if not table.startswith("_dlt"):
            rows[table] = rows.get(table, 0) + count
    release_free_memory()  # what extract and normalize freed, before the load's buffers
    pipeline.load(**load_options(pipeline))


def _step_progress(source: str, step: int) -> None:
    t = telemetry()
    sent = sum(lim.stats.sent for lim in all_limiters())
    left = _quota_left()
    days = sum(t.days_done.values())
    tail = f", quota left today {left}" if left is not None else ""
    print(f"{source}: step {step} committed — {days} resource-days done, {sent} requests"
          f"{tail}", file=sys.stderr)


def _quota_left() -> int | None:
    lefts = [lim.remaining_day for lim in all_limiters() if lim.remaining_day is not None]
    return min(lefts) if lefts else None


def _summarise(spec: registry.SourceSpec, opts: RunOptions, pipeline: dlt.Pipeline, cfg: Any,
               rows: dict[str, int], started: float, out: Any) -> RunResult:
    t = telemetry()
    limiters = all_limiters()
    sent = sum(lim.stats.sent for lim in limiters)
    elapsed = time.monotonic() - started
    print(f"\n{opts.source} → {opts.destination}, dataset {pipeline.dataset_name}", file=out)
    if rows:
        width = max(len(n) for n in rows)
        print(f"  {'table'.ljust(width)}  rows", file=out)
        for table in sorted(rows):
            print(f"  {table.ljust(width)}  {rows[table]}", file=out)
    else:
        print("  nothing new to load", file=out)
    calls = ", ".join(f"{r} {n}" for r, n in sorted(t.calls.items()))
    retried = sum(lim.stats.rate_limited for lim in limiters)
    print(f"API requests: {sent} (calls: {calls or 'none'}; per-minute 429s waited out: "
          f"{retried})", file=out)
    info = limiters[0].stats.last_info if limiters else None
    if info and info.remaining_day is not None:
        tier = f" (tier {info.tier})" if info.tier else ""
        print(f"quota left today: {info.remaining_day} of {info.limit_day}{tier}", file=out)
    bad, examples = take_parse_warnings()
    if bad:
        print(f"warning: {bad} values could not be parsed and were loaded as NULL, e.g. "
              f"{examples[:3]}", file=out)
    for w in t.warnings:
        print(f"warning: {w}", file=out)
    print(f"elapsed: {elapsed:.1f} s", file=out)
    if t.quota_stop:
        print(f"stopped early: {t.quota_stop}. Everything fetched is loaded and progress is "
              "saved.", file=out)
        print(_what_remains(spec, opts, pipeline, cfg, limiters), file=out)
        resets = (f"the quota resets at {describe_wait(t.quota_resets_at)}"
                  if t.quota_resets_at else "the quota resets at the API's next day")
        print(f"{resets}: run again then — the next run resumes where this one stopped.",
              file=out)
        return RunResult(EXIT_QUOTA, rows, sent, t.quota_stop)
    return RunResult(EXIT_OK, rows, sent)


def _what_remains(spec: registry.SourceSpec, opts: RunOptions, pipeline: dlt.Pipeline,
                  cfg: Any, limiters: list[Any]) -> str:
    """The calls the stopped backfill still needs and how many quota days they take."""
    states = resource_states(pipeline, opts.source)
    try:
        plan = spec.plan(cfg, states)
    except ConnectorError:  # planning needed a call the spent quota refuses
        return (f"still to fetch: {_days_behind(cfg, states)} resource-days "
                f"(`analytics-elt plan {opts.source}` counts the requests after the reset)")
    plan.drop_carried(carried_keys(pipeline, opts.source))
    calls = plan.total_calls
    per_day = min([n for lim in limiters for n in (lim.rpd, lim.daily_budget) if n] or [0])
    more = "at least " if any(r.open_ended for r in plan.resources.values()) else ""
    text = f"still to fetch: {more}{calls} request{'s' if calls != 1 else ''}"
    if per_day:
        days = max(1, math.ceil(calls / per_day))
        text += (f" — {more}{days} more day{'s' if days != 1 else ''} at {per_day} requests "
                 "a day")
    return text + f" (`analytics-elt plan {opts.source}` lists them)"


def carried_keys(pipeline: dlt.Pipeline, source: str) -> set[str]:
    """Calls answered by answers a quota-stopped run carried over (``sources.common.carry``)."""
    state = pipeline.state.get("sources", {}).get(source, {})
    return set(state.get(CARRY_STATE_KEY) or {})


def _days_behind(cfg: Any, states: dict[str, Any]) -> int:
    total = 0
    for r in _dated(cfg):
        cursor = saved_cursor(states.get(r) or {})
        end: date = cfg.explicit_end or cfg.end_date
        total += (end - cursor).days if cursor else (end - cfg.start_date).days + 1
    return max(0, total)


@contextmanager
def run_lock(pipeline: dlt.Pipeline) -> Iterator[None]:
    """Hold the pipeline's lock for the whole run; a second concurrent run refuses.

    An advisory ``flock`` on a file in the pipeline's working directory: released by the
    kernel when the process ends, however it ends (a killed run never leaves it stale).
    """
    os.makedirs(pipeline.working_dir, exist_ok=True)
    path = os.path.join(pipeline.working_dir, "analytics-elt.lock")
    handle = open(path, "a+")  # noqa: SIM115 - held open for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConcurrentRunError(
                f"another run of pipeline {pipeline.pipeline_name} is in progress ({holder}); "
                "this run did nothing — wait for it to finish (a killed run releases its "
                "lock at once)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def quiet_dlt() -> Iterator[None]:
    """Keep dlt's own warnings (schema hash notes) out of the user's terminal."""
    logger = logging.getLogger("dlt")
    level = logger.level
    if not log.isEnabledFor(logging.DEBUG):
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def find_connector_error(exc: BaseException) -> ConnectorError | None:
    """Walk dlt's wrappers (``PipelineStepFailed`` → ``ResourceExtractionError`` …)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectorError):
            return current
        if isinstance(current, ConfigFieldMissingException):
            return None
        for nxt in (current.__cause__, current.__context__, getattr(current, "exception", None)):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
    return None


def exit_code_for(exc: BaseException) -> tuple[int, str]:
    """The exit code and one-line message for any exception a command raised."""
    found = find_connector_error(exc)
    if found is not None:
        return found.exit_code, str(found)
    if isinstance(exc, ConfigFieldMissingException):
        err = missing_config("?", exc)
        return err.exit_code, str(err)
    return EXIT_FAILURE, f"{type(exc).__name__}: {exc}"
