"""Ptengine table families: plan → calls → rows, one generator per resource.

Each generator asks the planner for its window and calls (from its saved cursor), executes
through the client (which paces and retries), shapes rows with ``shaping`` and records
progress in its dlt resource state. Generators never sleep or retry themselves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.carry import Carry, fingerprint
from sources.common.dates import DayWindow
from sources.common.drivers import Produce, once_per_run
from sources.common.errors import QuotaExhaustedError, RetentionError
from sources.common.progress import (
    DayProgress,
    resume_point,
    saved_cursor,
    snapshot_window,
    telemetry,
)
from sources.ptengine import settings as S
from sources.ptengine import shaping
from sources.ptengine.client import PtengineClient
from sources.ptengine.config import PtengineConfig, dimension_table_name
from sources.ptengine.planner import Call, calls_for_resource, window_for

KEY = ["profile_id", "segment", "date"]
DEFINITION_KEY = ["source", "family", "field", "lang"]
_DB_TYPES = {"INTEGER": "bigint", "RATE": "double", "TIME": "double", "DECIMAL": "double",
             "NUMBER": "double", "MONEY": "decimal", "DATE": "date", "STRING": "text"}
_ISO_DATE = re.compile(r"\d{4}[-/]\d{2}[-/]\d{2}")


def column_hints(fields: dict[str, str]) -> dict[str, dict[str, Any]]:
    """dlt column hints from ``field → value type`` (settings), keyed by snake_case name."""
    hints: dict[str, dict[str, Any]] = {
        "date": {"data_type": "date", "nullable": False},
        "profile_id": {"data_type": "text", "nullable": False},
        "segment": {"data_type": "text", "nullable": False},
    }
    for name, value_type in fields.items():
        hints[shaping.to_snake(name)] = {"data_type": _DB_TYPES[value_type], "nullable": True}
    return hints


@dataclass
class RunContext:
    """What every resource of one source instance shares."""

    cfg: PtengineConfig
    client: PtengineClient
    run_id: str
    deadline: float | None
    emit_definitions: bool
    collected: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    running: int = 0
    carry: Carry = field(default_factory=Carry)

    @property
    def stopped(self) -> bool:
        return telemetry().quota_stop is not None

    def execute(self, call: Call) -> Any:
        """One call's answer: carried over from a quota-stopped run, or requested now."""
        key = fingerprint(call.method, call.path, call.body)
        found, answer = self.carry.take(key)
        if not found:
            telemetry().count_call(call.resource)
            if call.method == "GET":
                answer = self.client.event_fields(self.cfg.lang)
            else:
                answer = self.client.post(call.path, call.body)
        self.carry.keep(key, answer)
        return answer

    def definitions(self, family: str, defs: list[dict[str, Any]]) -> list[Any]:
        """Collect definition rows for ``metric_definitions`` (emitted once, at the step's end)."""
        if self.emit_definitions:
            for d in defs:
                self.collected[(family, d["field"])] = shaping.definition_row(
                    family, d["field"], d.get("label"), d.get("description"),
                    d.get("data_type"), self.cfg.lang)
        return []


def tracked(ctx: RunContext, gen: Iterator[Any]) -> Iterator[Any]:
    """Count a fact generator as running while it runs (``metric_definitions`` waits)."""
    ctx.running += 1
    try:
        yield from gen
    finally:
        ctx.running -= 1


def metric_definitions(ctx: RunContext) -> Iterator[Any]:
    """Labels and descriptions the API sent in this step, once per field.

    dlt evaluates resources round-robin and moves on when a generator yields ``None``;
    this one yields ``None`` until every fact generator of the step has finished, so it
    emits everything they collected without an extra API call.
    """
    yield None  # one round: every other selected generator starts
    while ctx.running > 0:
        yield None
    if ctx.collected:
        yield list(ctx.collected.values())


def _earliest_allowed(error: RetentionError) -> date | None:
    match = _ISO_DATE.search(error.api_message)
    return shaping.parse_date(match.group(0)) if match else None


# --- generic drivers --------------------------------------------------------------------------
DayFetcher = Callable[[date, list[Call]], tuple[list[dict[str, Any]], list[Any]]]


def _progress(ctx: RunContext, name: str) -> DayProgress:
    state = dlt.current.resource_state()
    siblings = dlt.current.source_state().get("resources", {})
    planned = window_for(ctx.cfg, saved_cursor(state), resume_point(siblings, state))
    return DayProgress(state, ctx.run_id, planned, ctx.deadline)


CallsOf = Callable[[DayWindow], list[Call]]


def per_day(ctx: RunContext, name: str, fetch: DayFetcher,
            calls_of: CallsOf | None = None) -> Iterator[Any]:
    """Run a per-day resource oldest day first; each day is fetched whole, then yielded.

    ``calls_of`` gives a window's calls (default: the planner's for ``name``).
    """
    calls_of = calls_of or (lambda w: calls_for_resource(ctx.cfg, name, w))
    progress = _progress(ctx, name)
    earliest: date | None = None
    for day in progress.pending_days():
        if ctx.stopped:
            return
        if earliest and day < earliest:
            progress.done(day)
            continue
        calls = calls_of(DayWindow(day, day))
        try:
            with ctx.carry.unit():
                rows, extra = fetch(day, calls)
        except QuotaExhaustedError as exc:
            telemetry().stop_for_quota(exc)
            return
        except RetentionError as exc:
            earliest = _earliest_allowed(exc)
            if earliest is None or day >= earliest:
                raise
            telemetry().warn(f"{name}: days before {earliest} are beyond the plan's "
                             f"retention (API {exc.code}); starting at {earliest}")
            progress.done(day)
            continue
        if rows:
            yield rows
        yield from extra
        progress.done(day)
        telemetry().days_done[name] += 1
        if progress.step_over():
            return


def whole_window(ctx: RunContext, name: str,
                 fetch: Callable[[list[Call]], tuple[list[dict[str, Any]], list[Any]]],
                 calls_of: CallsOf | None = None) -> Iterator[Any]:
    """Run a range resource: all its calls, then one yield; retention moves the start once."""
    calls_of = calls_of or (lambda w: calls_for_resource(ctx.cfg, name, w))
    progress = _progress(ctx, name)
    if progress.finished or ctx.stopped:
        return
    window = progress.window
    calls = calls_of(window)
    try:
        try:
            with ctx.carry.unit():
                rows, extra = fetch(calls)
        except RetentionError as exc:
            earliest = _earliest_allowed(exc)
            if earliest is None or earliest <= window.start or earliest > window.end:
                raise
            telemetry().warn(f"{name}: {window.start} is beyond the plan's retention "
                             f"(API {exc.code}); starting at {earliest}")
            with ctx.carry.unit():
                rows, extra = fetch(calls_of(DayWindow(earliest, window.end)))
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
        return
    if rows:
        yield rows
    yield from extra
    progress.done_through(window.end)
    telemetry().days_done[name] += len(window)


# --- families ---------------------------------------------------------------------------------
def site_metrics_daily(ctx: RunContext, name: str) -> Iterator[Any]:
    def fetch(calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        for seg in ctx.cfg.segment_names:
            curves = {c.tag: ctx.execute(c) for c in calls if c.segment == seg}
            rows += shaping.site_metrics_rows(ctx.cfg.profile_id, seg, curves)
        return rows, []

    yield from whole_window(ctx, name, fetch)


def site_metrics_hourly(ctx: RunContext, name: str) -> Iterator[Any]:
    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        for seg in ctx.cfg.segment_names:
            curves = {c.tag: ctx.execute(c) for c in calls if c.segment == seg}
            rows += shaping.site_metrics_hourly_rows(ctx.cfg.profile_id, seg, day,
                                                     ctx.cfg.timezone, curves)
        return rows, []

    yield from per_day(ctx, name, fetch)


def traffic_by_dimension(ctx: RunContext, name: str, dimension: str) -> Iterator[Any]:
    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        defs: list[Any] = []
        for call in calls:
            data = ctx.execute(call)
            got, d = shaping.dimension_table_rows(ctx.cfg.profile_id, call.segment, day,
                                                  dimension, data)
            if len(got) >= ctx.cfg.dimension_limit:
                telemetry().warn(f"{name}: {day} [{call.segment}] returned "
                                 f"{len(got)} rows, the API's cap; smaller values are cut off")
            rows += got
            defs += ctx.definitions("datacenter", d)
        return rows, defs

    yield from per_day(ctx, name, fetch)


def overview_topic(ctx: RunContext, name: str, topic: str) -> Iterator[Any]:
    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        for call in calls:
            rows += shaping.overview_rows(ctx.cfg.profile_id, call.segment, day, topic,
                                          ctx.execute(call))
        return rows, []

    yield from per_day(ctx, name, fetch)


def events(ctx: RunContext, name: str, extra_key: dict[str, Any] | None = None
           ) -> Iterator[Any]:
    def fetch(calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        for call in calls:
            rows += shaping.event_rows(ctx.cfg.profile_id, call.segment, ctx.execute(call),
                                       extra_key)
        return rows, []

    yield from whole_window(ctx, name, fetch)


def once(ctx: RunContext, produce: Produce) -> Iterator[Any]:
    """A once-per-run table; skipped when a backfill this run continues already has it."""
    state = dlt.current.resource_state()
    siblings = dlt.current.source_state().get("resources", {})
    day = ctx.cfg.end_date
    yield from once_per_run(ctx.run_id, day, lambda: ctx.stopped, produce,
                            snapshot_window(siblings, state, day))


def snapshot(ctx: RunContext, name: str,
             fetch: Callable[[Any], tuple[list[dict[str, Any]], list[Any]]]) -> Iterator[Any]:
    """Run a one-call resource once per run (not once per commit step)."""
    yield from once(ctx, lambda: fetch(ctx.execute(_snapshot_call(ctx, name))))


def event_fields(ctx: RunContext, name: str) -> Iterator[Any]:
    def fetch(data: Any) -> tuple[list[dict[str, Any]], list[Any]]:
        rows = shaping.event_field_rows(data, ctx.cfg.lang)
        return rows, ctx.definitions("event", [r for r in rows if r["kind"] == "metric"])

    yield from snapshot(ctx, name, fetch)


def conversion_goals(ctx: RunContext, name: str) -> Iterator[Any]:
    yield from snapshot(
        ctx, name, lambda data: (shaping.conversion_goal_rows(ctx.cfg.profile_id, data), []))


def conversion_summary(ctx: RunContext, name: str) -> Iterator[Any]:
    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows, defs = [], []
        for call in calls:
            row, d = shaping.conversion_summary_row(ctx.cfg.profile_id, call.segment, day,
                                                    ctx.execute(call))
            rows.append(row)
            defs += ctx.definitions("conversion", d)
        return rows, defs

    yield from per_day(ctx, name, fetch)


def conversion_table(ctx: RunContext, name: str) -> Iterator[Any]:
    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        for call in calls:
            extra = {"goal_type": call.tag} if call.tag in ("regular", "negative") else None
            rows += shaping.conversion_table_rows(ctx.cfg.profile_id, call.segment, day,
                                                  ctx.execute(call), extra)
        return rows, []

    yield from per_day(ctx, name, fetch)


def funnel_steps(ctx: RunContext, name: str) -> Iterator[Any]:
    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        for call in calls:
            rows += shaping.funnel_step_rows(ctx.cfg.profile_id, call.segment, day,
                                             ctx.execute(call))
        return rows, []

    yield from per_day(ctx, name, fetch)


# --- assembly ---------------------------------------------------------------------------------
def _merge(primary_key: list[str], columns: dict[str, dict[str, Any]] | None = None,
           per_day_snapshot: bool = True) -> dict[str, Any]:
    """Merge hints: the grain is the primary key; per-day tables also replace whole days."""
    hints: dict[str, Any] = {"primary_key": primary_key, "columns": columns or {}}
    if per_day_snapshot:
        hints["write_disposition"] = {"disposition": "merge", "strategy": "delete-insert"}
        hints["merge_key"] = KEY
    else:
        hints["write_disposition"] = "merge"
    return hints


def _snapshot_call(ctx: RunContext, name: str) -> Call:
    return calls_for_resource(ctx.cfg, name, DayWindow(ctx.cfg.end_date, ctx.cfg.end_date))[0]


def build_resources(ctx: RunContext) -> list[DltResource]:
    """The selected resources of one source instance (each plans lazily from its state)."""
    out: list[DltResource] = []
    conv_cols = column_hints(S.CONVERSION_GOAL_COLUMNS)

    def add(name: str, gen: Iterator[Any], **hints: Any) -> None:
        out.append(dlt.resource(tracked(ctx, gen), name=name, **hints))

    for name in ctx.cfg.resources:
        if name == "site_metrics_daily":
            add(name, site_metrics_daily(ctx, name),
                **_merge(KEY, column_hints(dict(S.DATACENTER_METRICS)), per_day_snapshot=False))
        elif name == "site_metrics_hourly":
            cols = column_hints({m: S.DATACENTER_METRICS[m] for m in ctx.cfg.hourly_metrics})
            cols["hour_start"] = {"data_type": "timestamp", "timezone": True}
            add(name, site_metrics_hourly(ctx, name), **_merge([*KEY, "hour"], cols))
        elif name.startswith("traffic_by_"):
            dim = next(d for d in ctx.cfg.dimensions if dimension_table_name(d) == name)
            kind = S.dimension_table_kind(dim)
            cols = column_hints({m: S.DIMENSION_TABLE_COLUMN_TYPES[m]
                                 for m in S.DIMENSION_TABLE_METRICS[kind]})
            add(name, traffic_by_dimension(ctx, name, dim),
                **_merge([*KEY, *shaping.dimension_key_columns(dim)], cols))
        elif name.startswith("overview_"):
            topic = name.removeprefix("overview_").removesuffix("_daily")
            grain = {"sources": ["source_type"], "location": ["country", "state"],
                     "device": ["device_type"]}[topic]
            add(name, overview_topic(ctx, name, topic),
                **_merge([*KEY, *grain], column_hints({"visits": "INTEGER"})))
        elif name == "events_daily":
            add(name, events(ctx, name),
                **_merge([*KEY, "event_name"], column_hints(dict(S.EVENT_METRICS)),
                         per_day_snapshot=False))
        elif name.startswith("event_breakdown_"):
            bd = next(b for b in ctx.cfg.event_breakdowns if b.table == name)
            dims = [shaping.to_snake(d if isinstance(d, str) else d["eventVariant"])
                    for d in bd.dimensions]
            add(name, events(ctx, name, {"breakdown": bd.name}),
                **_merge([*KEY, "event_name", *dims], column_hints(dict(S.EVENT_METRICS))))
        elif name == "event_fields":
            add(name, event_fields(ctx, name), write_disposition="merge",
                primary_key=["kind", "field", "lang"])
        elif name == "conversion_goals":
            add(name, conversion_goals(ctx, name), write_disposition="merge",
                primary_key=["profile_id", "id"])
        elif name == "conversion_summary_daily":
            add(name, conversion_summary(ctx, name),
                **_merge(KEY, column_hints(dict(S.CONVERSION_SUMMARY_METRICS))))
        elif name == "conversion_goals_daily":
            add(name, conversion_table(ctx, name), **_merge([*KEY, "conversion_name"], conv_cols))
        elif name == "conversion_sources_daily":
            add(name, conversion_table(ctx, name),
                **_merge([*KEY, "source_type", "source_name"], conv_cols))
        elif name == "conversion_ad_names_daily":
            add(name, conversion_table(ctx, name), **_merge([*KEY, "ad_name"], conv_cols))
        elif name == "conversion_ad_sources_daily":
            add(name, conversion_table(ctx, name), **_merge([*KEY, "ad_source"], conv_cols))
        elif name == "conversion_funnel_steps_daily":
            add(name, funnel_steps(ctx, name), **_merge([*KEY, "conversion_name", "step_id"]))
        else:
            from sources.ptengine import experience_resources, heatmap

            if name in heatmap.GRAIN:
                add(name, heatmap.heatmap_table(ctx, name), **heatmap.hints(name))
            elif name in experience_resources.HINTS:
                add(name, experience_resources.experience_table(ctx, name),
                    **experience_resources.hints(name))
    if ctx.emit_definitions:
        out.append(dlt.resource(metric_definitions(ctx), name="metric_definitions",
                                write_disposition="merge", primary_key=DEFINITION_KEY))
    return out


def deadline_after(seconds: float | str | None) -> float | None:
    """The monotonic deadline of a commit step (``None``: one step does everything)."""
    return None if seconds in (None, "") else time.monotonic() + float(seconds)  # type: ignore[arg-type]
