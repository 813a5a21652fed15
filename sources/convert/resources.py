"""Convert table families: catalog → plan → calls → rows, one generator per resource.

The listing calls (projects, experiences, goals) run once per source instance and feed
both their own tables and the planner; each report resource asks the planner for its
window and calls, executes them through the client (which signs, paces and retries),
shapes rows with ``shaping`` and records progress in its dlt resource state, so the
runner sees every resource finish. Generators never sleep or retry themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.dates import DayWindow
from sources.common.drivers import once_per_run
from sources.common.errors import ConfigurationError, QuotaExhaustedError, SkippableItemError
from sources.common.progress import DayProgress, saved_cursor, telemetry
from sources.convert import settings as S
from sources.convert import shaping
from sources.convert.client import ConvertClient, pages_count
from sources.convert.config import REPORT_RESOURCES, ConvertConfig, key
from sources.convert.planner import Call, Catalog, list_body, report_calls, window_for

AGGREGATED_KEY = ["project_id", "experience_id", "goal_id", "variation_id", "report_date"]
DAILY_KEY = ["project_id", "experience_id", "goal_id", "variation_id", "date"]


def _ts() -> dict[str, Any]:
    """A fresh TIMESTAMPTZ hint (dlt writes the column name into the dict it gets)."""
    return {"data_type": "timestamp", "timezone": True, "nullable": True}


@dataclass
class RunContext:
    """What every resource of one source instance shares (the catalog is fetched once)."""

    cfg: ConvertConfig
    client: ConvertClient
    run_id: str
    _catalog: Catalog | None = field(default=None, repr=False)

    @property
    def stopped(self) -> bool:
        return telemetry().quota_stop is not None

    def execute(self, call: Call) -> Any:
        telemetry().count_call(call.resource)
        return self.client.post(call.path, call.body)

    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = fetch_catalog(self.cfg, self.client)
        return self._catalog


def _listing(cfg: ConvertConfig, client: ConvertClient, catalog: Catalog, resource: str,
             path: str, body: dict[str, Any], project_id: int | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page, answer in enumerate(client.pages(path, body), 1):
        telemetry().count_call(resource)
        catalog.calls.setdefault(resource, []).append(
            Call(resource, "POST", path, {**body, "page": page}, project_id))
        items += answer.get("data") or []
    return items


def fetch_catalog(cfg: ConvertConfig, client: ConvertClient) -> Catalog:
    """List the projects, their experiences and (when selected) goals, recording the calls.

    Raises:
        ConfigurationError: a configured project id is not in the account.
    """
    catalog = Catalog()
    account = cfg.account_id
    catalog.projects = _listing(cfg, client, catalog, "projects",
                                S.PATH_PROJECTS.format(account_id=account),
                                list_body(cfg, "projects"), None)
    found = [int(p["id"]) for p in catalog.projects]
    missing = [p for p in cfg.project_ids if p not in found]
    if missing:
        raise ConfigurationError(key("project_ids"), f"{missing} not found in account "
                                 f"{account}", f"use ids of the account's projects: {found}")
    wants_experiences = any(r in cfg.resources for r in ("experiences", *REPORT_RESOURCES))
    for pid in found:
        if wants_experiences:
            path = S.PATH_EXPERIENCES.format(account_id=account, project_id=pid)
            catalog.experiences[pid] = _listing(cfg, client, catalog, "experiences", path,
                                                list_body(cfg, "experiences"), pid)
        if "goals" in cfg.resources:
            path = S.PATH_GOALS.format(account_id=account, project_id=pid)
            catalog.goals[pid] = _listing(cfg, client, catalog, "goals", path,
                                          list_body(cfg, "goals"), pid)
    return catalog


# --- drivers -----------------------------------------------------------------------------
Rows = list[dict[str, Any]]


def once(ctx: RunContext, produce: Callable[[], Rows]) -> Iterator[Rows]:
    """A listing resource: its rows once per run (not once per commit step)."""
    yield from once_per_run(ctx.run_id, ctx.cfg.end_date, lambda: ctx.stopped,
                            lambda: (produce(), []))


def dated(ctx: RunContext, name: str,
          fetch: Callable[[DayWindow, list[Call]], Iterator[Rows]]) -> Iterator[Rows]:
    """A report resource: all calls of its pending window, then the cursor moves to its end.

    Rows are yielded per call, so a quota stop keeps what was fetched; the cursor only
    advances when every call of the window succeeded.
    """
    state = dlt.current.resource_state()
    progress = DayProgress(state, ctx.run_id, window_for(ctx.cfg, saved_cursor(state)), None)
    if progress.finished or ctx.stopped:
        return
    window = progress.window
    try:
        calls = report_calls(ctx.cfg, name, window, ctx.catalog().experience_infos())
        yield from fetch(window, calls)
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
        return
    progress.done_through(window.end)
    telemetry().days_done[name] += len(window)


def _skippable(ctx: RunContext, call: Call) -> Any:
    """Execute ``call``; an experience that vanished (404) is skipped with a warning."""
    try:
        return ctx.execute(call)
    except SkippableItemError as exc:
        telemetry().warn(f"{call.resource}: experience {call.experience_id} skipped "
                         f"({exc.api_message})")
        return None


# --- families ----------------------------------------------------------------------------
def projects(ctx: RunContext) -> Iterator[Rows]:
    yield from once(ctx, lambda: [shaping.project_row(ctx.cfg.account_id, p)
                                          for p in ctx.catalog().projects])


def experiences(ctx: RunContext) -> Iterator[Rows]:
    yield from once(ctx, lambda: [shaping.experience_row(pid, e) for pid, items
                                          in ctx.catalog().experiences.items() for e in items])


def goals(ctx: RunContext) -> Iterator[Rows]:
    yield from once(ctx, lambda: [shaping.goal_row(pid, g) for pid, items
                                          in ctx.catalog().goals.items() for g in items])


def aggregated_reports(ctx: RunContext, name: str) -> Iterator[Rows]:
    def fetch(window: DayWindow, calls: list[Call]) -> Iterator[Rows]:
        for call in calls:
            answer = _skippable(ctx, call)
            if answer is not None and call.report_date is not None:
                assert call.project_id is not None and call.experience_id is not None
                yield shaping.aggregated_rows(call.project_id, call.experience_id,
                                              call.report_date, answer.get("data") or {})

    yield from dated(ctx, name, fetch)


def daily_reports(ctx: RunContext, name: str) -> Iterator[Rows]:
    def fetch(window: DayWindow, calls: list[Call]) -> Iterator[Rows]:
        for call in calls:
            answer = _skippable(ctx, call)
            if answer is not None:
                assert call.project_id and call.experience_id and call.goal_id
                yield shaping.daily_rows(call.project_id, call.experience_id, call.goal_id,
                                         ctx.cfg.utc_offset, answer.get("data") or {})

    yield from dated(ctx, name, fetch)


def change_history(ctx: RunContext, name: str) -> Iterator[Rows]:
    """Newest changes first, page by page, until a page reaches the saved timestamp."""
    state = dlt.current.resource_state()
    seen: dict[str, int] = state.setdefault("last_timestamp", {})

    def fetch(window: DayWindow, calls: list[Call]) -> Iterator[Rows]:
        for first in calls:
            assert first.project_id and first.experience_id
            exp_key = f"{first.project_id}:{first.experience_id}"
            since = seen.get(exp_key, 0)
            call: Call | None = first
            newest = since
            while call is not None:
                answer = _skippable(ctx, call)
                if answer is None:
                    break
                items = answer.get("data") or []
                fresh = [i for i in items if int(i.get("timestamp") or 0) >= since]
                if fresh:
                    yield [shaping.history_row(first.project_id, first.experience_id, i)
                           for i in fresh]
                    newest = max(newest, *(int(i.get("timestamp") or 0) for i in fresh))
                more = len(fresh) == len(items) and call.body["page"] < pages_count(answer)
                call = (Call(name, "POST", call.path, {**call.body,
                                                      "page": call.body["page"] + 1},
                             first.project_id, first.experience_id) if more else None)
            seen[exp_key] = newest

    yield from dated(ctx, name, fetch)


# --- assembly ----------------------------------------------------------------------------
def build_resources(ctx: RunContext) -> list[DltResource]:
    """The selected resources of one source instance (each plans lazily from its state)."""
    cols_exp = {"start_time": _ts(), "end_time": _ts()}
    cols_proj = {"created_at": _ts(), "modified_at": _ts()}
    report_cols = {"report_date": {"data_type": "date", "nullable": False},
                   "revenue": {"data_type": "decimal", "nullable": True}}
    daily_cols = {"date": {"data_type": "date", "nullable": False},
                  "visitors": {"data_type": "bigint", "nullable": True},
                  "conversions": {"data_type": "bigint", "nullable": True},
                  "conversion_rate": {"data_type": "double", "nullable": True}}
    makers: dict[str, tuple[Callable[[], Iterator[Rows]], dict[str, Any]]] = {
        "projects": (lambda: projects(ctx),
                     {"primary_key": ["account_id", "id"], "columns": cols_proj}),
        "experiences": (lambda: experiences(ctx),
                        {"primary_key": ["project_id", "id"], "columns": cols_exp}),
        "goals": (lambda: goals(ctx), {"primary_key": ["project_id", "id"]}),
        "experience_aggregated_reports": (
            lambda: aggregated_reports(ctx, "experience_aggregated_reports"),
            {"primary_key": AGGREGATED_KEY, "columns": report_cols}),
        "experience_daily_reports": (
            lambda: daily_reports(ctx, "experience_daily_reports"),
            {"primary_key": DAILY_KEY, "columns": daily_cols}),
        "experience_change_history": (
            lambda: change_history(ctx, "experience_change_history"),
            {"primary_key": ["project_id", "experience_id", "id"],
             "columns": {"timestamp": _ts()}}),
    }
    out = []
    for name in ctx.cfg.resources:
        make, hints = makers[name]
        out.append(dlt.resource(make(), name=name, write_disposition="merge", **hints))
    return out
