"""Experience tables (§3): the list, user properties, overview, daily reports, form rows.

Every table shares one experience list per run (``experience_plan``), covers the
experiences it selects from it and its own ``seen`` state, and records its progress like
the Insight tables (per-day reports: ``per_day``; form rows: ``whole_window``; the
rest once per run). An experience the API no longer knows (``4040``) is skipped with a
warning for the rest of the run; a comparison the experience does not offer (``4017``,
e.g. form submissions of an experience without a form) likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import dlt

from sources.common.carry import fingerprint
from sources.common.dates import DayWindow
from sources.common.errors import ApiError, QuotaExhaustedError, SkippableItemError
from sources.common.progress import telemetry
from sources.ptengine import experience_plan as xp
from sources.ptengine import experience_shaping as shape
from sources.ptengine import settings as S
from sources.ptengine.planner import Call, calls_for_resource
from sources.ptengine.resources import (
    _DB_TYPES,
    RunContext,
    once,
    per_day,
    whole_window,
)

_RUNS: dict[str, dict[str, Any]] = {}  # run id -> shared listing and skipped items

DAILY_KEY = ["profile_id", "experience_id", "date"]
DIMENSION_KEY = ["dimension", "sub_dimension", "property", "name", "sub_name"]
COMPARE_KEY = ["compare_by", "goal_id"]
HINTS: dict[str, tuple[list[str], str]] = {  # table -> (primary key, how it loads)
    "experiences": (["profile_id", "id"], "merge"),
    "user_properties": (["profile_id", "name"], "merge"),
    "experience_overview": (["profile_id", "experience_id"], "merge"),
    "experience_metrics_daily": (DAILY_KEY, "day"),
    "experience_insights_daily": ([*DAILY_KEY, *DIMENSION_KEY], "day"),
    "experience_abtest_daily": ([*DAILY_KEY, *COMPARE_KEY, "version_name"], "day"),
    "experience_abtest_insights_daily": ([*DAILY_KEY, *COMPARE_KEY, *DIMENSION_KEY,
                                          "version_name"], "day"),
    "experience_form_submissions": (["profile_id", "experience_id", "version_id",
                                     "submission_key"], "merge"),
}
Shaper = Callable[..., tuple[list[dict[str, Any]], list[dict[str, Any]]]]
SHAPERS: dict[str, Shaper] = {
    "experience_metrics_daily": lambda p, e, d, b, data: shape.metrics_rows(p, e, d, data),
    "experience_insights_daily": shape.insight_rows,
    "experience_abtest_daily": shape.abtest_rows,
    "experience_abtest_insights_daily": shape.abtest_insight_rows,
}


def hints(name: str) -> dict[str, Any]:
    key, how = HINTS[name]
    cols: dict[str, dict[str, Any]] = {c: {"data_type": "date" if c == "date" else "text",
                                           "nullable": False} for c in key}
    if name not in ("experiences", "user_properties", "experience_form_submissions"):
        for field, value_type in {**S.EXPERIENCE_METRICS, **S.ABTEST_EXTRA_METRICS}.items():
            cols[shape.to_snake(field)] = {"data_type": _DB_TYPES[value_type], "nullable": True}
    if name in ("experience_abtest_daily", "experience_abtest_insights_daily"):
        cols["is_baseline"] = {"data_type": "bool"}
        cols["version_id"] = {"data_type": "text"}
    if name == "experience_overview":
        cols.update({shape.to_snake(f): {"data_type": "text"} for f in S.EXPERIENCE_OVERVIEW_TEXT})
        cols["as_of"] = {"data_type": "date"}
    if name == "user_properties":
        cols["source"] = {"data_type": "json"}
    if name == "experience_form_submissions":
        cols.update({"fields": {"data_type": "json"}, "submitted_date": {"data_type": "date"},
                     "submitted_at": {"data_type": "timestamp", "timezone": True}})
    out: dict[str, Any] = {"primary_key": key, "columns": cols}
    if how == "day":
        out["write_disposition"] = {"disposition": "merge", "strategy": "delete-insert"}
        out["merge_key"] = DAILY_KEY
    else:
        out["write_disposition"] = "merge"
    return out


def _shared(ctx: RunContext) -> dict[str, Any]:
    return _RUNS.setdefault(ctx.run_id, {"list": None, "props": None, "skipped": set(),
                                         "chosen": {}, "keys": {}, "cfg": ctx.cfg})


def known_listing(cfg: Any) -> xp.Listing | None:
    """The catalog a run with configuration ``cfg`` fetched in this process, if any."""
    for run in _RUNS.values():
        if run.get("cfg") is cfg and (run["list"] is not None or run["props"] is not None):
            return xp.Listing(run["list"] or [], run["props"])
    return None


def listing(ctx: RunContext) -> xp.Listing:
    """The run's experience list and user properties, fetched once per run."""
    run, cfg = _shared(ctx), ctx.cfg
    for which, call, slot in (("list", xp.list_call(), "list"),
                              ("properties", xp.properties_call(), "props")):
        owner = xp.catalog_owner(cfg, which)
        if owner and run[slot] is None:
            key = fingerprint(call.method, call.path, call.body)
            found, answer = ctx.carry.take(key)
            if not found:
                telemetry().count_call(owner)
                answer = ctx.client.post(call.path, call.body)
            run[slot] = list(answer or [])
            run["keys"][slot] = key
    return xp.Listing(run["list"] or [], run["props"])


def carry_listing(ctx: RunContext) -> None:
    """A quota stop: the backfill's next run takes this run's catalog answers instead of
    asking again (``sources.common.carry``)."""
    run = _shared(ctx)
    for slot, key in run["keys"].items():
        if run[slot] is not None:
            ctx.carry.put(key, run[slot])


def experience_table(ctx: RunContext, name: str) -> Iterator[Any]:
    """One experience table: pick its experiences, then run the family's driver."""
    try:
        yield from _experience_table(ctx, name)
    finally:
        if ctx.stopped:
            carry_listing(ctx)


def _experience_table(ctx: RunContext, name: str) -> Iterator[Any]:
    if ctx.stopped:
        return
    try:
        found = listing(ctx)
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
        return
    run = _shared(ctx)
    state = dlt.current.resource_state()
    if name not in run["chosen"]:
        run["chosen"][name] = xp.table_experiences(ctx.cfg, name, found.experiences,
                                                   state.get("seen"))
    chosen: list[dict[str, Any]] = run["chosen"][name]
    state["seen"] = xp.update_seen(ctx.cfg, found.experiences, state.get("seen"))
    by_id = {str(e["id"]): e for e in chosen}

    def calls_of(window: DayWindow) -> list[Call]:
        return calls_for_resource(ctx.cfg, name, window, chosen, found.user_properties)

    if name == "experiences":
        yield from once(ctx, lambda: (shape.experience_rows(ctx.cfg.profile_id,
                                                             found.experiences), []))
    elif name == "user_properties":
        yield from once(ctx, lambda: (shape.user_property_rows(ctx.cfg.profile_id,
                                                                found.user_properties or []), []))
    elif name == "experience_overview":
        yield from once(ctx, lambda: _overview(ctx, name, calls_of))
    elif name == "experience_form_submissions":
        yield from whole_window(ctx, name, lambda calls: (_forms(ctx, name, calls), []),
                                calls_of)
    else:
        def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
            rows: list[dict[str, Any]] = []
            defs: list[Any] = []
            for call, data in _answers(ctx, name, calls, by_id):
                got, d = SHAPERS[name](ctx.cfg.profile_id, by_id[call.body["id"]], day,
                                       call.body, data)
                rows += got
                defs += ctx.definitions("experience", d)
            return rows, defs

        yield from per_day(ctx, name, fetch, calls_of)


def _answers(ctx: RunContext, name: str, calls: list[Call],
             by_id: dict[str, dict[str, Any]]) -> Iterator[tuple[Call, Any]]:
    """Execute calls, skipping (with one warning) what the API says does not exist."""
    skipped: set[Any] = _shared(ctx)["skipped"]
    for call in calls:
        exp_id, compare = str(call.body["id"]), call.body.get("compareBy")
        if exp_id in skipped or (exp_id, compare) in skipped:
            continue
        label = f"'{by_id.get(exp_id, {}).get('name') or exp_id}' ({exp_id})"
        try:
            yield call, ctx.execute(call)
        except SkippableItemError as exc:
            skipped.add(exp_id)
            telemetry().warn(f"{name}: experience {label} skipped for this run: "
                             f"{exc.code} {exc.api_message}")
        except ApiError as exc:
            if exc.code != 4017 or not compare:
                raise
            skipped.add((exp_id, compare))
            telemetry().warn(f"{name}: compareBy {compare} skipped for experience {label}: "
                             f"{exc.code} {exc.api_message}")


def _forms(ctx: RunContext, name: str, calls: list[Call]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for call, data in _answers(ctx, name, calls, {}):
        rows += shape.form_rows(ctx.cfg.profile_id, str(call.body["id"]),
                                str(call.body["versionId"]), data or {}, ctx.cfg.timezone)
    return rows


def _overview(ctx: RunContext, name: str, calls_of: Callable[[DayWindow], list[Call]]
              ) -> tuple[list[dict[str, Any]], list[Any]]:
    day = ctx.cfg.end_date
    calls = calls_of(DayWindow(day, day))
    if not calls:
        return [], []
    try:
        data = ctx.execute(calls[0])
    except SkippableItemError as exc:
        telemetry().warn(f"{name}: skipped for this run: {exc.code} {exc.api_message}")
        return [], []
    rows, defs = shape.overview_rows(ctx.cfg.profile_id, calls[0].body["experiences"],
                                     data or [], ctx.cfg.explicit_end or ctx.cfg.end_date)
    return rows, ctx.definitions("experience", defs)
