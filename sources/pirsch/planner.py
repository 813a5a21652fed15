"""Which calls a Pirsch run makes: a pure function of configuration and saved cursors.

``plan`` prints this; ``run`` executes these calls (resources take them from here), so the
two cannot disagree. Resource kinds:

* ``range`` — a zero-filled day series (``visitor``, ``duration/session``,
  ``duration/page``): one call covers the whole pending window;
* ``per_day`` — one call per day, oldest first. Paged lists ask for ``limit=100`` from
  ``offset=0`` and continue while a page comes back full, so a day with more rows costs
  more calls than planned; ``event_metadata_daily`` also asks ``event/meta`` once per
  event and meta key the day's event list names. Neither can be known before the data.
* ``snapshot`` — once per run: the domain list, and the conversion goal definitions
  (``statistics/goals`` of the last day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sources.common.dates import DayWindow, resolve_window
from sources.common.planning import Plan, ResourcePlan
from sources.common.progress import resume_point, saved_cursor
from sources.pirsch import settings as S
from sources.pirsch.config import PirschConfig

Kind = Literal["snapshot", "range", "per_day"]


@dataclass(frozen=True)
class Call:
    """One GET: path and query parameters (``Authorization`` is added by the client)."""

    resource: str
    method: str
    path: str
    params: dict[str, Any]
    day: date | None = None

    def describe(self) -> str:
        """A one-line summary for ``plan``.

        Example:
            >>> Call("pages_daily", "GET", "/api/v1/statistics/page",
            ...      {"from": "2026-04-01", "to": "2026-04-01", "offset": 0,
            ...       "limit": 100}, date(2026, 4, 1)).describe()
            '2026-04-01 offset 0 limit 100 (next pages while a page is full)'
        """
        if "from" not in self.params:
            return "once per run"
        if self.day is None and self.resource in S.SNAPSHOT_TABLES:
            return f"once per run, {self.params['from']}"
        when = str(self.day) if self.day else f"{self.params['from']}..{self.params['to']}"
        if "limit" in self.params:
            when += f" offset {self.params['offset']} limit {self.params['limit']} " \
                    "(next pages while a page is full)"
        if self.resource == "event_metadata_daily":
            when += "; then event/meta per event and meta key"
        return when


def resource_kind(name: str) -> Kind:
    """``range``, ``per_day`` or ``snapshot``.

    Example:
        >>> resource_kind("visitors_daily"), resource_kind("pages_daily"), resource_kind("domains")
        ('range', 'per_day', 'snapshot')
    """
    if name in S.SNAPSHOT_TABLES:
        return "snapshot"
    return "range" if name in S.RANGE_TABLES else "per_day"


def window_for(cfg: PirschConfig, cursor: date | None, resume: date | None = None
               ) -> DayWindow:
    """The days a dated resource covers in this run (CONTRACT §3 incremental rules).

    ``resume`` (from ``progress.resume_point``) continues an interrupted run without
    re-applying the lookback; an explicit backfill ignores it.
    """
    if cfg.start_date is None or cfg.end_date is None:
        raise ValueError("plan a resolved configuration (resolve_domain first)")
    if resume is not None and cfg.explicit_start is None:
        return DayWindow(max(resume, cfg.start_date), cfg.explicit_end or cfg.end_date)
    return resolve_window(cursor=cursor, start_date=cfg.start_date, end_date=cfg.end_date,
                          lookback_days=cfg.lookback_days, explicit_start=cfg.explicit_start,
                          explicit_end=cfg.explicit_end)


def filter_params(cfg: PirschConfig, start: date, end: date) -> dict[str, Any]:
    """The required filter plus the reporting timezone."""
    return {"id": cfg.domain_id, "from": start.isoformat(), "to": end.isoformat(),
            "tz": cfg.timezone}


def page_params(endpoint: S.Endpoint, base: dict[str, Any], offset: int = 0,
                **extra: Any) -> dict[str, Any]:
    """The query of one page (or of the one call of an unpaged endpoint).

    Example:
        >>> page_params(S.ENDPOINTS["pages_daily"], {"id": "x"}, 100)
        {'id': 'x', 'include_avg_time_on_page': 'true', 'offset': 100, 'limit': 100}
    """
    params = {**base, **dict(endpoint.params), **extra}
    if endpoint.paged:
        params.update(offset=offset, limit=S.PAGE_LIMIT)
    return params


def calls_for_resource(cfg: PirschConfig, name: str, window: DayWindow) -> list[Call]:
    """The planned calls of resource ``name`` over ``window``."""
    if name == "domains":
        return [Call(name, "GET", S.PATH_DOMAIN, {})]
    if name == "conversion_goals":  # the definitions, from the goals of the last day
        goals = S.ENDPOINTS["conversion_goals_daily"]
        day = cfg.end_date or window.end
        return [Call(name, "GET", goals.path, page_params(goals, filter_params(cfg, day, day)))]
    if window.is_empty:
        return []
    endpoint = S.ENDPOINTS[name]
    if endpoint.shape == "series":
        return [Call(name, "GET", endpoint.path,
                     page_params(endpoint, filter_params(cfg, window.start, window.end)))]
    if endpoint.shape == "event_meta":
        first = S.ENDPOINTS["events_daily"]
        return [Call(name, "GET", first.path, page_params(first, filter_params(cfg, d, d)), d)
                for d in window.days()]
    return [Call(name, "GET", endpoint.path, page_params(endpoint, filter_params(cfg, d, d)), d)
            for d in window.days()]


def build_plan(cfg: PirschConfig, states: dict[str, Any]) -> Plan:
    """The whole run's planned calls, per selected resource, from the saved states.

    Args:
        cfg: resolved configuration (domain, timezone, dates, selection).
        states: each resource's dlt state (``cursor``: the last day it loaded; ``run``:
            how far the last run got). Absent: never loaded.
    """
    resources: dict[str, ResourcePlan] = {}
    for name in cfg.resources:
        kind = resource_kind(name)
        own = states.get(name) or {}
        window = (window_for(cfg, saved_cursor(own), resume_point(states, own))
                  if kind != "snapshot" else None)
        calls = calls_for_resource(
            cfg, name, window if window is not None else DayWindow(date.min, date.min))
        paged = name in S.ENDPOINTS and S.ENDPOINTS[name].paged
        resources[name] = ResourcePlan(name, kind, window, calls, open_ended=paged)
    return Plan(resources)
