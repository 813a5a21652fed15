"""OpenPanel table families: plan → calls → rows, one generator per resource.

``events`` is the fast path: the run's ``EventCrawl`` fetches pages ahead in a small
thread pool and parses them into pyarrow tables; the generator yields them in page
order, gathered into batches. Days run oldest first; a day is marked done in the
resource state only after its last page, so a committed step always ends on a day
boundary. Under the CLI runner a step holds at most ``STEP_ROWS`` events and the runner
loads each step before the next: what one load holds, and so the run's peak memory,
does not grow with the number of events a run loads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from sources.common.errors import QuotaExhaustedError
from sources.common.memory import map_large_blocks, release_free_memory
from sources.common.progress import DayProgress, saved_cursor, telemetry
from sources.openpanel import shaping
from sources.openpanel.client import OpenPanelClient
from sources.openpanel.config import OpenPanelConfig
from sources.openpanel.crawl import EventCrawl, Fetched
from sources.openpanel.planner import Call, calls_for_resource, events_call, pages_after_first
from sources.openpanel.planner import window_for as plan_window

EVENT_KEY = ["project_id", "id"]
BATCH_ROWS = 8_000
# events in one committed step at most (whole days; a bigger day is a step of its own):
# what one load holds, so a run's memory does not grow with its size
STEP_ROWS = 200_000
AHEAD_PAGES = 8  # pages the crawl requests before they are consumed
_CRAWLS: dict[str, tuple[EventCrawl, _StepKeys]] = {}  # each run's crawl, across its steps
# events reach dlt unique (``_Unique``), so the merge skips its own
# ROW_NUMBER() deduplication of the staging table: the DuckDB merge of 200,000 events
# takes 0.3 s instead of 1 s
EVENTS_DISPOSITION: dict[str, Any] = {"disposition": "merge", "strategy": "delete-insert",
                                      "deduplicated": True}
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


def _progress(ctx: RunContext, name: str) -> DayProgress:
    state = dlt.current.resource_state()
    return DayProgress(state, ctx.run_id, plan_window(ctx.cfg, name, saved_cursor(state)),
                       ctx.deadline)


def events(ctx: RunContext) -> Iterator[Any]:
    """Every event of every pending UTC day, with its profile and meta tables.

    Under the CLI runner (which gives a step deadline, commits each step and loads it) a
    step ends on a day boundary: once its time is up, or before the day that would take
    it past ``STEP_ROWS`` events (a day's size is on its first page). The run's crawl
    pauses while the step loads and goes on from there in the next step.
    """
    progress = _progress(ctx, "events")
    days = progress.pending_days()
    if not days or ctx.stopped:
        end_run(ctx.run_id)
        return
    crawl, keys = _crawl_for(ctx, days)
    crawl.start_step(STEP_ROWS if progress.deadline is not None else None)
    keys.reset()  # no fetch runs now: a paused crawl's threads have ended
    batches = _Batches(set(ctx.cfg.event_tables))
    unique = _Unique()
    paused = False
    try:
        for day in days:
            if day != days[0] and _step_ends_before(crawl, day, progress):
                crawl.pause()
                paused = True
                return
            day_rows, totals = 0, set()
            for got in crawl.pages(day):
                totals.add(got.meta.get("totalCount"))
                if got.tables.events is not None:
                    day_rows += got.tables.events.num_rows
                    got.tables.events = unique.filter(got.tables.events)
                yield from batches.add(got.tables)
            yield from batches.flush()
            _check_day(day, day_rows, totals)
            unique.next_day()
            progress.done(day)
            telemetry().days_done["events"] += 1
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
    finally:
        if not paused:
            end_run(ctx.run_id)
        release_free_memory()


def _step_ends_before(crawl: EventCrawl, day: date, progress: DayProgress) -> bool:
    """Whether the step ends before ``day``: its time is up, or the day would take it past
    ``STEP_ROWS`` events (the crawl then fetched only the day's first page)."""
    if progress.deadline is None:
        return False  # not under the runner: one step does every day
    return progress.step_over() or crawl.ends_step(day)


class _StepKeys:
    """The profile ids and event names whose rows the current step already has.

    The API joins each event to its profile and its event's meta as they are when it
    answers, so within a run every copy is the same row: one a step is enough (and the
    merge keeps one a run). Per step, not per day: a 5-day step of the 1,000,000-event
    benchmark carried 40,000 profile rows for 8,333 profiles, all of them in DuckDB's
    staging table during the load (21 MB). Reset as each step starts: it holds at most
    the keys of one step. Fetch threads add to it; two threads may both emit a key
    (a repeated row, which the merge deduplicates), none drops one.
    """

    def __init__(self) -> None:
        self.profiles: set[str] = set()
        self.meta: set[str] = set()

    def reset(self) -> None:
        self.profiles, self.meta = set(), set()


def _crawl_for(ctx: RunContext, days: list[date]) -> tuple[EventCrawl, _StepKeys]:
    """The run's crawl when it stopped exactly before ``days[0]``, else a new one from there."""
    run = _CRAWLS.get(ctx.run_id)
    if run is not None and run[0].next_day == days[0]:
        return run
    end_run(ctx.run_id)
    map_large_blocks()
    keys = _StepKeys()

    def fetch(day: date, page: int) -> Fetched:
        raw = ctx.execute_page(events_call(ctx.cfg, day, page))
        tables = shaping.page_tables(raw.data, seen_profiles=keys.profiles,
                                     seen_meta=keys.meta)
        return Fetched(day, page, raw.meta, tables)

    crawl = EventCrawl(
        fetch, days, lambda meta: 1 + pages_after_first(meta, ctx.cfg.page_size),
        concurrency=ctx.cfg.concurrency, ahead=AHEAD_PAGES, day_rows=_total_count)
    _CRAWLS[ctx.run_id] = (crawl, keys)
    return crawl, keys


def _total_count(meta: dict[str, Any]) -> int | None:
    total = meta.get("totalCount")
    return total if isinstance(total, int) else None


def end_run(run_id: str) -> None:
    """Close the run's crawl, if it has one (the runner calls this when a run ends)."""
    run = _CRAWLS.pop(run_id, None)
    if run is not None:
        run[0].close()


def _check_day(day: date, rows: int, totals: set[Any]) -> None:
    """Warn when the API's count moved during the crawl (rows may have shifted pages)."""
    totals = {t for t in totals if t is not None}
    if len(totals) > 1 or (totals and rows != next(iter(totals))):
        telemetry().warn(f"events: {day} changed while it was read (totalCount {sorted(totals)}, "
                         f"{rows} rows received); the next run's lookback re-reads it")


class _Unique:
    """Drops events whose id the current day already yielded.

    Newest-first OFFSET paging repeats a row on the next page when an event arrives in a
    day while it is read (``_check_day`` warns); the merge relies on unique staging rows.
    An event belongs to the one UTC day of its ``created_at``, and a crawl reads one
    project, so the ids of one day are all it needs to remember (about 100 bytes each).
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def filter(self, events: pa.Table) -> pa.Table:
        if "id" not in events.column_names:
            return events  # dlt refuses the rows: the key is missing
        ids = events.column("id").to_pylist()
        fresh = set(ids)
        if len(fresh) == len(ids) and self.seen.isdisjoint(fresh):
            self.seen |= fresh
            return events
        keep: list[bool] = []
        for ident in ids:
            keep.append(ident not in self.seen)
            self.seen.add(ident)
        return events.filter(pa.array(keep, pa.bool_()))

    def next_day(self) -> None:
        self.seen.clear()


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
        disposition = EVENTS_DISPOSITION if name == "events" else "merge"
        # from the function, not its generator: dlt then finds the module without a scan
        out.append(dlt.resource(makers[name], name=name, write_disposition=disposition,
                                **TABLE_HINTS[name])(ctx))
    return out


def deadline_after(seconds: float | None) -> float | None:
    return None if seconds is None else time.monotonic() + seconds
