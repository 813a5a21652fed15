"""Pirsch table families: plan → calls → rows, one generator per resource.

Each generator takes its window and calls from the planner (from its saved cursor),
executes them through the client (which paces and retries), shapes rows with ``shaping``
and records progress in its dlt resource state. Per-day resources fetch up to
``concurrency`` days at a time on worker threads (all through the credential's one
limiter) and yield them strictly oldest first, so the cursor never skips a day. Workers
only do HTTP and shaping; dlt state is touched on the generator's own thread.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.dates import DayWindow
from sources.common.drivers import once_per_run
from sources.common.errors import QuotaExhaustedError
from sources.common.progress import DayProgress, resume_point, saved_cursor, telemetry
from sources.pirsch import settings as S
from sources.pirsch import shaping
from sources.pirsch.client import PirschClient
from sources.pirsch.config import PirschConfig
from sources.pirsch.planner import Call, calls_for_resource, page_params, window_for

KEY = ["domain_id", "date"]
_DB_TYPES = {"INTEGER": "bigint", "FLOAT": "double", "SECONDS": "double", "STRING": "text",
             "BOOL": "bool", "JSON": "json", "TIMESTAMP": "timestamp"}
DayResult = list[dict[str, Any]]


def column_hints(fields: dict[str, str], keys: list[str]) -> dict[str, dict[str, Any]]:
    """dlt column hints from ``field → value type`` (settings); key columns are NOT NULL.

    Example:
        >>> column_hints({"visitors": "INTEGER"}, ["domain_id"])["visitors"]
        {'data_type': 'bigint', 'nullable': True}
    """
    hints: dict[str, dict[str, Any]] = {
        "domain_id": {"data_type": "text", "nullable": False},
        "date": {"data_type": "date", "nullable": False},
    }
    for name, value_type in fields.items():
        hints[name] = {"data_type": _DB_TYPES[value_type], "nullable": name not in keys}
        if value_type == "TIMESTAMP":
            hints[name]["timezone"] = True
    return {k: v for k, v in hints.items() if k in fields or k in keys}


@dataclass
class RunContext:
    """What every resource of one source instance shares."""

    cfg: PirschConfig
    client: PirschClient
    run_id: str
    deadline: float | None

    @property
    def domain_id(self) -> str:
        return str(self.cfg.domain_id)

    @property
    def stopped(self) -> bool:
        return telemetry().quota_stop is not None

    def get(self, resource: str, path: str, params: dict[str, Any]) -> Any:
        telemetry().count_call(resource)
        if path == S.PATH_DOMAIN:
            return self.client.domains()
        return self.client.statistics(path, params)

    def all_pages(self, resource: str, path: str, params: dict[str, Any]) -> list[Any]:
        """Every item of a list: pages of ``limit`` from ``offset`` until one is not full."""
        items: list[Any] = []
        while True:
            page = self.get(resource, path, params)
            page = page if isinstance(page, list) else []
            items += page
            if "limit" not in params or len(page) < S.PAGE_LIMIT:
                return items
            params = {**params, "offset": int(params["offset"]) + len(page)}


# --- drivers ---------------------------------------------------------------------------
def _progress(ctx: RunContext) -> DayProgress:
    state = dlt.current.resource_state()
    siblings = dlt.current.source_state().get("resources", {})
    planned = window_for(ctx.cfg, saved_cursor(state), resume_point(siblings, state))
    return DayProgress(state, ctx.run_id, planned, ctx.deadline)


def per_day(ctx: RunContext, name: str, fetch: Callable[[Call], DayResult]) -> Iterator[Any]:
    """Run a per-day resource: ``concurrency`` days in flight, yielded oldest first.

    After the step deadline no new day starts; the days in flight finish and are kept.
    """
    progress = _progress(ctx)
    calls = {c.day: c for c in calls_for_resource(ctx.cfg, name, progress.window)}
    pending = deque(progress.pending_days())
    inflight: deque[tuple[date, Future[DayResult]]] = deque()
    starting = True
    with ThreadPoolExecutor(ctx.cfg.concurrency, thread_name_prefix=f"pirsch-{name}") as pool:
        try:
            while True:
                while starting and pending and len(inflight) < ctx.cfg.concurrency:
                    day = pending.popleft()
                    inflight.append((day, pool.submit(fetch, calls[day])))
                if not inflight:
                    return
                day, future = inflight.popleft()
                try:
                    rows = future.result()
                except QuotaExhaustedError as exc:
                    telemetry().stop_for_quota(exc)
                    return
                if rows:
                    yield rows
                progress.done(day)
                telemetry().days_done[name] += 1
                starting = starting and not (progress.step_over() or ctx.stopped)
        finally:
            for _, left in inflight:
                left.cancel()


def whole_window(ctx: RunContext, name: str) -> Iterator[Any]:
    """Run a series resource: one call for the pending window, then one yield."""
    progress = _progress(ctx)
    if progress.finished or ctx.stopped:
        return
    endpoint = S.ENDPOINTS[name]
    rows: list[dict[str, Any]] = []
    try:
        for call in calls_for_resource(ctx.cfg, name, progress.window):
            data = ctx.get(name, call.path, call.params)
            rows += shaping.series_rows(ctx.domain_id, endpoint, data)
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
        return
    if rows:
        yield rows
    progress.done_through(progress.window.end)
    telemetry().days_done[name] += len(progress.window)


def snapshot(ctx: RunContext, name: str) -> Iterator[Any]:
    """Run a one-call resource once per run (not once per commit step): the domain list,
    or the goal definitions (``/statistics/goals`` for the last day)."""
    day = ctx.cfg.end_date or date.today()

    def produce() -> tuple[list[dict[str, Any]], list[Any]]:
        call = calls_for_resource(ctx.cfg, name, DayWindow(day, day))[0]
        if name == "domains":
            return shaping.domain_rows(ctx.get(name, call.path, call.params)), []
        data = ctx.all_pages(name, call.path, call.params)
        return shaping.goal_rows(ctx.domain_id, day, data)[1], []

    yield from once_per_run(ctx.run_id, day, lambda: ctx.stopped, produce)


# --- per-day fetchers (run on worker threads) ------------------------------------------
def _unique(name: str, day: date, rows: list[dict[str, Any]], keys: tuple[str, ...]
            ) -> list[dict[str, Any]]:
    rows, dropped = shaping.dedupe(rows, ("domain_id", "date", *keys))
    if dropped:
        telemetry().warn(f"{name}: {day} repeated {dropped} row(s) across pages; kept the first")
    return rows


def list_fetcher(ctx: RunContext, name: str) -> Callable[[Call], DayResult]:
    endpoint = S.ENDPOINTS[name]

    def fetch(call: Call) -> DayResult:
        day = call.day or date.min
        if endpoint.shape == "object":
            return shaping.object_row(ctx.domain_id, day, endpoint,
                                      ctx.get(name, call.path, call.params))
        items = ctx.all_pages(name, call.path, call.params)
        rows = shaping.list_rows(ctx.domain_id, day, endpoint, items)
        return _unique(name, day, rows, endpoint.keys)

    return fetch


def goals_fetcher(ctx: RunContext, name: str) -> Callable[[Call], DayResult]:
    def fetch(call: Call) -> DayResult:
        day = call.day or date.min
        daily, _ = shaping.goal_rows(ctx.domain_id, day,
                                     ctx.all_pages(name, call.path, call.params))
        return _unique(name, day, daily, ("goal_id",))

    return fetch


def event_meta_fetcher(ctx: RunContext, name: str) -> Callable[[Call], DayResult]:
    meta = S.ENDPOINTS[name]

    def fetch(call: Call) -> DayResult:
        day = call.day or date.min
        events = shaping.items_of(ctx.all_pages(name, call.path, call.params))
        base = {k: v for k, v in call.params.items() if k not in ("offset", "limit")}
        rows: list[dict[str, Any]] = []
        for event, meta_key in shaping.event_meta_keys(events):
            params = page_params(meta, base, event=event, event_meta_key=meta_key)
            rows += shaping.event_meta_rows(ctx.domain_id, day, event, meta_key,
                                            ctx.all_pages(name, meta.path, params))
        return _unique(name, day, rows, meta.keys)

    return fetch


# --- assembly --------------------------------------------------------------------------
def _hints(name: str) -> dict[str, Any]:
    endpoint = S.ENDPOINTS[name]
    key = [*KEY, *endpoint.keys]
    hints: dict[str, Any] = {"primary_key": key,
                             "columns": column_hints(dict(endpoint.columns), key)}
    if endpoint.shape == "series":
        hints["write_disposition"] = "merge"
    else:  # a fetched day replaces the whole day: rows that vanished go too
        hints["write_disposition"] = {"disposition": "merge", "strategy": "delete-insert"}
        hints["merge_key"] = KEY
    return hints


def build_resources(ctx: RunContext) -> list[DltResource]:
    """The selected resources of one source instance (each plans lazily from its state)."""
    out: list[DltResource] = []
    snapshots = {"domains": (S.DOMAIN_COLUMNS, ["id"]),
                 "conversion_goals": (S.GOAL_COLUMNS, ["domain_id", "id"])}
    for name in ctx.cfg.resources:
        if name in snapshots:
            columns, key = snapshots[name]
            out.append(dlt.resource(snapshot(ctx, name), name=name, write_disposition="merge",
                                    primary_key=key, columns=column_hints(dict(columns), key)))
            continue
        shape = S.ENDPOINTS[name].shape
        if shape == "series":
            gen = whole_window(ctx, name)
        else:
            make = {"goals": goals_fetcher, "event_meta": event_meta_fetcher}.get(
                shape, list_fetcher)
            gen = per_day(ctx, name, make(ctx, name))
        out.append(dlt.resource(gen, name=name, **_hints(name)))
    return out


def deadline_after(seconds: float | None) -> float | None:
    return None if seconds is None else time.monotonic() + seconds
