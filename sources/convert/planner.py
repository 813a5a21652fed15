"""Which calls a Convert run makes: a pure function of configuration, cursors and catalog.

Convert's report calls depend on the account's experiences (which are running, since
when, with which goals), so the planner takes the ``Catalog`` that the listing calls
returned. ``plan`` fetches the catalog (listing calls only, no report data) and prints
this; ``run`` executes exactly these calls.

Resource kinds:

* ``snapshot`` — listing calls, once per run (projects, experiences, goals);
* ``report`` — one call per reportable experience (aggregated report, change history),
  once per run, dated by the report day;
* ``range`` — the pending day window in one call per experience and goal (daily reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sources.common.dates import DayWindow, resolve_window
from sources.common.planning import Plan, ResourcePlan
from sources.convert import settings as S
from sources.convert.config import ConvertConfig

Kind = Literal["snapshot", "report", "range"]
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Call:
    """One API request: where it goes and what it sends (``page`` is added when paging)."""

    resource: str
    method: str
    path: str
    body: dict[str, Any]
    project_id: int | None = None
    experience_id: int | None = None
    goal_id: int | None = None
    report_date: date | None = None

    def describe(self) -> str:
        parts = [self.path.rsplit("/", 1)[-1]]
        if self.experience_id is not None:
            parts.append(f"experience {self.experience_id}")
        if self.goal_id is not None:
            parts.append(f"goal {self.goal_id}")
        if "page" in self.body:
            parts.append(f"page {self.body['page']}")
        if "start_time" in self.body:
            parts.append(f"{_day_of(self.body['start_time'], self.body.get('utc_offset', 0))}"
                         f"..{_day_of(self.body['end_time'], self.body.get('utc_offset', 0))}")
        return " ".join(parts)


@dataclass(frozen=True)
class Experience:
    """What the planner needs to know about one experience (from the experiences list)."""

    project_id: int
    id: int
    status: str
    start_time: int
    end_time: int
    goal_ids: tuple[int, ...]


@dataclass
class Catalog:
    """The account's projects and experiences as the listing calls returned them.

    Attributes:
        projects: project objects, as listed.
        experiences: experience objects per project id, as listed.
        goals: goal objects per project id (empty unless ``goals`` is selected).
        calls: the listing calls made, per resource (``projects``, ``experiences``, ``goals``).
    """

    projects: list[dict[str, Any]] = field(default_factory=list)
    experiences: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    goals: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    calls: dict[str, list[Call]] = field(default_factory=dict)

    def experience_infos(self) -> list[Experience]:
        return [experience_info(pid, e) for pid, items in self.experiences.items()
                for e in items]


def experience_info(project_id: int, item: dict[str, Any]) -> Experience:
    """The planner's view of one listed experience (goals as ids or expanded objects)."""
    goals = tuple(g["id"] if isinstance(g, dict) else int(g) for g in item.get("goals") or ())
    return Experience(project_id, int(item["id"]), str(item.get("status") or ""),
                      int(item.get("start_time") or 0), int(item.get("end_time") or 0), goals)


# --- reporting days at a fixed UTC offset ------------------------------------------------
def day_start(day: date, utc_offset: int) -> int:
    """Unix seconds of the local midnight that starts ``day`` at ``utc_offset``.

    Example:
        >>> day_start(date(2026, 4, 1), 3600)  # 2026-03-31 23:00 UTC
        1774998000
    """
    return (day - _EPOCH).days * 86400 - utc_offset


def day_end(day: date, utc_offset: int) -> int:
    """The last second of local ``day`` (report periods include their end)."""
    return day_start(day + timedelta(days=1), utc_offset) - 1


def _day_of(instant: int, utc_offset: int) -> date:
    return _EPOCH + timedelta(days=(int(instant) + utc_offset) // 86400)


def local_day(instant: int, utc_offset: int) -> date:
    """The local day an instant falls on.

    Example:
        >>> local_day(1775001600, 3600)
        datetime.date(2026, 4, 1)
    """
    return _day_of(instant, utc_offset)


def running_days(exp: Experience, utc_offset: int) -> DayWindow | None:
    """The local days the experience ran (``None`` if it never started)."""
    if exp.start_time <= 0:
        return None
    first = local_day(exp.start_time, utc_offset)
    last = local_day(exp.end_time - 1, utc_offset) if exp.end_time > 0 else date.max
    return DayWindow(first, last)


def reportable(cfg: ConvertConfig, exp: Experience, window: DayWindow) -> DayWindow | None:
    """The days of ``window`` the experience has report data for, if it is reported.

    An experience is reported when its status is in ``report_statuses``, it has goals,
    and it ran on at least one day of the window (a completed or paused experience drops
    out once its last day is older than the window, i.e. the lookback).
    """
    if exp.status not in cfg.report_statuses or not exp.goal_ids or window.is_empty:
        return None
    running = running_days(exp, cfg.utc_offset)
    if running is None:
        return None
    span = DayWindow(max(window.start, running.start), min(window.end, running.end))
    return None if span.is_empty else span


def window_for(cfg: ConvertConfig, cursor: date | None) -> DayWindow:
    """The days a dated resource covers in this run (CONTRACT §3 incremental rules)."""
    return resolve_window(cursor=cursor, start_date=cfg.start_date, end_date=cfg.end_date,
                          lookback_days=cfg.lookback_days, explicit_start=cfg.explicit_start,
                          explicit_end=cfg.explicit_end)


def _path(template: str, cfg: ConvertConfig, exp: Experience) -> str:
    return template.format(account_id=cfg.account_id, project_id=exp.project_id,
                           experience_id=exp.id)


def report_calls(cfg: ConvertConfig, name: str, window: DayWindow,
                 experiences: list[Experience]) -> list[Call]:
    """The report calls of resource ``name`` over ``window`` (first pages for history)."""
    calls: list[Call] = []
    for exp in experiences:
        span = reportable(cfg, exp, window)
        if span is None:
            continue
        running = running_days(exp, cfg.utc_offset)
        assert running is not None
        if name == "experience_aggregated_reports":
            body = {"utc_offset": cfg.utc_offset,
                    "start_time": day_start(running.start, cfg.utc_offset),
                    "end_time": day_end(span.end, cfg.utc_offset)}
            calls.append(Call(name, "POST", _path(S.PATH_AGGREGATED_REPORT, cfg, exp), body,
                              exp.project_id, exp.id, report_date=span.end))
        elif name == "experience_daily_reports":
            for goal in exp.goal_ids:
                body = {"goal": goal, "report_type": "non_cumulative",
                        "metric": "conversion_rate", "utc_offset": cfg.utc_offset,
                        "start_time": day_start(span.start, cfg.utc_offset),
                        "end_time": day_end(span.end, cfg.utc_offset)}
                calls.append(Call(name, "POST", _path(S.PATH_DAILY_REPORT, cfg, exp), body,
                                  exp.project_id, exp.id, goal))
        elif name == "experience_change_history":
            body = {"sort_by": "timestamp", "sort_direction": "desc",
                    "results_per_page": cfg.results_per_page, "page": 1}
            calls.append(Call(name, "POST", _path(S.PATH_CHANGE_HISTORY, cfg, exp), body,
                              exp.project_id, exp.id))
    return calls


def list_body(cfg: ConvertConfig, kind: str) -> dict[str, Any]:
    """The body of a listing call (without ``page``)."""
    body: dict[str, Any] = {"results_per_page": cfg.results_per_page, "sort_by": "id",
                            "sort_direction": "asc"}
    if kind == "projects":
        body["project_type"] = list(S.PROJECT_TYPES)  # the filter defaults to web only
        if cfg.project_ids:
            body["only"] = list(cfg.project_ids)
    elif kind == "experiences":
        body["include"] = list(S.EXPERIENCE_LIST_INCLUDE)
        body["expand"] = list(S.EXPERIENCE_LIST_EXPAND)
    return body


def resource_kind(name: str) -> Kind:
    if name in ("projects", "experiences", "goals"):
        return "snapshot"
    return "range" if name == "experience_daily_reports" else "report"


def build_plan(cfg: ConvertConfig, cursors: dict[str, date | None], catalog: Catalog) -> Plan:
    """The whole run's calls, per selected resource, from the saved cursors.

    Args:
        cfg: validated configuration.
        cursors: the last day each resource loaded (absent or ``None``: never loaded).
        catalog: the listing answers (and the listing calls that fetched them).
    """
    experiences = catalog.experience_infos()
    resources: dict[str, ResourcePlan] = {}
    listing = [c for calls in catalog.calls.values() for c in calls]
    for name in cfg.resources:
        kind = resource_kind(name)
        if kind == "snapshot":
            calls = catalog.calls.get(name, [])
            resources[name] = ResourcePlan(name, kind, None, list(calls))
            continue
        window = window_for(cfg, cursors.get(name))
        resources[name] = ResourcePlan(name, kind, window,
                                       report_calls(cfg, name, window, experiences))
    # listing calls a report needs although its table is not selected
    unowned = [c for c in listing if c.resource not in cfg.resources]
    if unowned:
        resources["(catalog)"] = ResourcePlan("(catalog)", "snapshot", None, unowned)
    return Plan(resources)

