"""OpenPanel table families: plan → calls → rows, one generator per resource.

``events`` is the fast path: pages are fetched by a small thread pool (bounded: at most
``concurrency`` pages in flight, all through the client id's shared limiter, so the
rate limit holds), parsed and turned into pyarrow tables in the workers, and yielded in
page order while the next pages are already on the wire. Memory holds only the pages
in flight, however many events a day has. Days run oldest first; a day is marked done
in the resource state only after its last page, so a committed step always ends on a
day boundary.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from sources.common.errors import QuotaExhaustedError
from sources.common.progress import DayProgress, saved_cursor, telemetry
from sources.openpanel import shaping
from sources.openpanel.client import OpenPanelClient
from sources.openpanel.config import OpenPanelConfig
from sources.openpanel.planner import Call, calls_for_resource, events_call, pages_after_first
from sources.openpanel.planner import window_for as plan_window

EVENT_KEY = ["project_id", "id"]
BATCH_ROWS = 20_000
TABLE_HINTS: dict[str, dict[str, Any]] = {
    "events": {"primary_key": EVENT_KEY, "columns": {
        "created_at": {"data_type": "timestamp", "timezone": True},
        "groups": {"data_type": "json"}}},
    "profiles": {"primary_key": ["project_id", "id"], "columns": {
        "created_at": {"data_type": "timestamp", "timezone": True}}},
    "event_meta": {"primary_key": ["project_id", "name"]},
    "chart_series_daily": {"primary_key": ["project_id", "chart", "series_id", "date"],
                           "columns": {"date": {"data_type": "date", "nullable": False},
                                       "count": {"data_type": "double"},
                                       "previous_value": {"data_type": "double"},
                                       "previous_diff": {"data_type": "double"},
                                       "previous_state": {"data_type": "text"}}},
}


@dataclass
class RunContext:
    """What every resource of one source instance shares."""

    cfg: OpenPanelConfig
    client: OpenPanelClient
    run_id: str
    deadline: float | None

    @property
    def stopped(self) -> bool:
        return telemetry().quota_stop is not None

    def execute(self, call: Call) -> dict[str, Any]:
        telemetry().count_call(call.resource)
        if call.resource == "events":
            return self.client.events(call.params)
        return self.client.chart(call.params)

    def execute_page(self, call: Call) -> shaping.RawPage:
        """One events page, its ``data`` already columnar when arrow could read it."""
        telemetry().count_call(call.resource)
        return self.client.events_page(call.params)


@dataclass
class _Fetched:
    day: date
    page: int
    meta: dict[str, Any]
    tables: shaping.EventPage


@dataclass
class _DayCrawl:
    """Pages of one day still to consume, and the day's ``totalCount`` per page."""

    left: int = 1
    rows: int = 0
    totals: set[Any] = field(default_factory=set)


def _progress(ctx: RunContext, name: str) -> DayProgress:
    state = dlt.current.resource_state()
    return DayProgress(state, ctx.run_id, plan_window(ctx.cfg, name, saved_cursor(state)),
                       ctx.deadline)


def events(ctx: RunContext) -> Iterator[Any]:
    """Every event of every pending UTC day, with its profile and meta tables."""
    progress = _progress(ctx, "events")
    days = progress.pending_days()
    if not days or ctx.stopped:
        return
    batches = _Batches(set(ctx.cfg.event_tables))
    seen_profiles: set[str] = set()
    seen_meta: set[str] = set()

    def fetch(day: date, page: int) -> _Fetched:
        raw = ctx.execute_page(events_call(ctx.cfg, day, page))
        tables = shaping.page_tables(raw.data, seen_profiles=seen_profiles, seen_meta=seen_meta)
        return _Fetched(day, page, raw.meta, tables)

    pool = ThreadPoolExecutor(max_workers=ctx.cfg.concurrency, thread_name_prefix="openpanel")
    in_flight: deque[Future[_Fetched]] = deque()
    queue: deque[tuple[date, int]] = deque([(days[0], 1)])
    crawls = {days[0]: _DayCrawl()}
    try:
        while in_flight or queue:
            while queue and len(in_flight) < ctx.cfg.concurrency:
                in_flight.append(pool.submit(fetch, *queue.popleft()))
            got = in_flight.popleft().result()
            crawl = crawls[got.day]
            crawl.left -= 1
            crawl.totals.add(got.meta.get("totalCount"))
            if got.page == 1:
                more = pages_after_first(got.meta, ctx.cfg.page_size)
                crawl.left += more
                queue.extend((got.day, p) for p in range(2, more + 2))
                nxt = _next_day(days, got.day)
                if nxt is not None and not progress.step_over():
                    queue.append((nxt, 1))
                    crawls[nxt] = _DayCrawl()
            yield from batches.add(got.tables)
            if got.tables.events is not None:
                crawl.rows += got.tables.events.num_rows
            if crawl.left == 0:
                yield from batches.flush()
                _check_day(got.day, crawl)
                progress.done(got.day)
                telemetry().days_done["events"] += 1
                seen_profiles.clear()
                seen_meta.clear()
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
    finally:
        for future in in_flight:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        release_free_memory()


def release_free_memory() -> None:
    """Hand the heap the crawl freed back to the OS before dlt loads.

    The fetch threads parse pages in their own malloc arenas; what they free stays in
    the process (~80 MB after 200,000 events) unless trimmed, and the load that follows
    (DuckDB's buffer pool, the parquet readers) would come on top of it. glibc only;
    elsewhere a no-op.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols include glibc's


def _next_day(days: list[date], day: date) -> date | None:
    i = days.index(day) + 1
    return days[i] if i < len(days) else None


def _check_day(day: date, crawl: _DayCrawl) -> None:
    """Warn when the API's count moved during the crawl (rows may have shifted pages)."""
    totals = {t for t in crawl.totals if t is not None}
    if len(totals) > 1 or (totals and crawl.rows != next(iter(totals))):
        telemetry().warn(f"events: {day} changed while it was read (totalCount {sorted(totals)}, "
                         f"{crawl.rows} rows received); the next run's lookback re-reads it")


class _Batches:
    """Pages gathered per table into tables of about ``BATCH_ROWS`` rows before dlt sees them.

    dlt's per-item cost (schema checks, a parquet row group) is paid per batch, not per
    page; memory holds at most one batch per table.
    """

    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        self.pending: dict[str, list[pa.Table]] = {}
        self.rows: dict[str, int] = {}

    def add(self, page: shaping.EventPage) -> Iterator[Any]:
        for table, arrow in (("events", page.events), ("profiles", page.profiles),
                             ("event_meta", page.meta)):
            if arrow is None or table not in self.wanted:
                continue
            self.pending.setdefault(table, []).append(arrow)
            self.rows[table] = self.rows.get(table, 0) + arrow.num_rows
            if self.rows[table] >= BATCH_ROWS:
                yield from self._flush(table)

    def flush(self) -> Iterator[Any]:
        for table in list(self.pending):
            yield from self._flush(table)

    def _flush(self, table: str) -> Iterator[Any]:
        tables = self.pending.pop(table, [])
        self.rows.pop(table, None)
        try:
            batches = [pa.concat_tables(tables, promote_options="default")] if tables else []
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            batches = tables  # a column changed type between pages: dlt takes them one by one
        for arrow in batches:
            if table == "events":
                yield arrow  # the resource's own table: its hints are the resource's
            else:
                yield dlt.mark.with_hints(arrow, dlt.mark.make_hints(
                    table_name=table, write_disposition="merge", **TABLE_HINTS[table]),
                    create_table_variant=True)


def chart_series_daily(ctx: RunContext) -> Iterator[Any]:
    """Each declared chart's daily series over the pending window, one call per chart."""
    progress = _progress(ctx, "chart_series_daily")
    if progress.finished or ctx.stopped:
        return
    window = progress.window
    rows: list[dict[str, Any]] = []
    try:
        for call in calls_for_resource(ctx.cfg, "chart_series_daily", window):
            chart = next(c for c in ctx.cfg.charts if c.name == call.tag)
            rows += shaping.chart_rows(ctx.cfg.project_id, chart.name, chart.breakdowns,
                                       ctx.execute(call))
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
        return
    if rows:
        yield rows
    progress.done_through(window.end)
    telemetry().days_done["chart_series_daily"] += len(window)


def build_resources(ctx: RunContext) -> list[DltResource]:
    """The selected resources of one source instance (each plans lazily from its state)."""
    makers: dict[str, Callable[[RunContext], Iterator[Any]]] = {
        "events": events, "chart_series_daily": chart_series_daily}
    out = []
    for name in ctx.cfg.resources:
        out.append(dlt.resource(makers[name](ctx), name=name, write_disposition="merge",
                                **TABLE_HINTS[name]))
    return out


def deadline_after(seconds: float | None) -> float | None:
    return None if seconds is None else time.monotonic() + seconds
