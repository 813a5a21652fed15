"""Which calls a Ptengine run makes: a pure function of configuration and saved cursors.

``plan`` prints this; ``run`` executes exactly these calls (resources take their
``ResourcePlan`` from here), so the two can never disagree.

Resource kinds:

* ``snapshot`` — one call per run, no dates (goals list, event fields);
* ``range`` — the whole pending window in as few calls as the API allows
  (``metric_curve`` per metric, the event query grouped by ``day``);
* ``per_day`` — one call per day per key (dimension tables, overview topics,
  conversion breakdowns, hourly curves), oldest day first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sources.common.dates import DayWindow, resolve_window
from sources.common.planning import Plan, ResourcePlan
from sources.common.progress import ran_in_interrupted_run, resume_point, saved_cursor
from sources.ptengine import settings as S
from sources.ptengine.config import PtengineConfig, dimension_table_name

Kind = Literal["snapshot", "range", "per_day", "derived"]


@dataclass(frozen=True)
class Call:
    """One API request: where it goes and what it sends (``profileId`` is added later)."""

    resource: str
    method: str
    path: str
    body: dict[str, Any]
    segment: str = "all"
    day: date | None = None
    tag: str = ""

    def describe(self) -> str:
        what = self.body.get("queryType") or self.path.rsplit("/", 1)[-1]
        detail = self.tag or ""
        when = str(self.day) if self.day else (
            f"{self.body.get('startDate')}..{self.body.get('endDate')}"
            if "startDate" in self.body else "")
        return " ".join(p for p in (what, detail, when, f"[{self.segment}]") if p)


def _range_body(window: DayWindow) -> dict[str, Any]:
    return {"startDate": window.start.isoformat(), "endDate": window.end.isoformat()}


def _day_body(day: date) -> dict[str, Any]:
    return {"startDate": day.isoformat(), "endDate": day.isoformat()}


def _with_filters(body: dict[str, Any], cfg: PtengineConfig, segment: str) -> dict[str, Any]:
    filters = cfg.filters_for(segment)
    return {**body, "filters": filters} if filters else body


def window_for(cfg: PtengineConfig, cursor: date | None, resume: date | None = None
               ) -> DayWindow:
    """The days a dated resource covers in this run (CONTRACT §3 incremental rules).

    ``resume`` (from ``progress.resume_point``) continues an interrupted run without
    re-applying the lookback; an explicit backfill ignores it.
    """
    if resume is not None and cfg.explicit_start is None:
        return DayWindow(max(resume, cfg.start_date), cfg.explicit_end or cfg.end_date)
    return resolve_window(
        cursor=cursor,
        start_date=cfg.start_date,
        end_date=cfg.end_date,
        lookback_days=cfg.lookback_days,
        explicit_start=cfg.explicit_start,
        explicit_end=cfg.explicit_end,
    )


def resource_kind(name: str) -> Kind:
    if name in ("conversion_goals", "event_fields", "experiences", "user_properties",
                "experience_overview"):
        return "snapshot"
    if name == "metric_definitions":
        return "derived"
    if name in ("site_metrics_daily", "events_daily", "experience_form_submissions") or \
            name.startswith("event_breakdown_"):
        return "range"
    return "per_day"


def calls_for_resource(cfg: PtengineConfig, name: str, window: DayWindow,
                       experiences: list[dict[str, Any]] | None = None,
                       properties: list[dict[str, Any]] | None = None) -> list[Call]:
    """The calls of resource ``name`` over ``window`` (all segments).

    Experience tables need the experiences they cover (``experience_plan.select``) and,
    for user-property breakdowns, the user properties; their catalog calls are not
    included (see ``experience_plan.catalog_calls``).
    """
    from sources.ptengine import experience_plan

    calls: list[Call] = []
    if name in experience_plan.EXPERIENCE_TABLES:
        return experience_plan.experience_calls(cfg, name, window, experiences or [],
                                                properties)
    if name == "conversion_goals":
        return [Call(name, "POST", S.PATH_CONVERSION_GOALS, {})]
    if name == "event_fields":
        return [Call(name, "GET", S.PATH_EVENT_FIELDS, {"lang": cfg.lang})]
    if name == "metric_definitions" or window.is_empty:
        return []
    for seg in cfg.segment_names:
        if name == "site_metrics_daily":
            for metric in S.SITE_METRICS:
                body = {"queryType": "metric_curve", "metric": metric, "granularity": "day",
                        **_range_body(window)}
                calls.append(Call(name, "POST", S.PATH_DATACENTER_QUERY,
                                  _with_filters(body, cfg, seg), seg, None, metric))
        elif name == "events_daily":
            body = {"dimensions": ["eventName", "day"], "metrics": list(S.EVENT_METRICS),
                    **_range_body(window)}
            calls.append(Call(name, "POST", S.PATH_EVENT_QUERY, _with_filters(body, cfg, seg),
                              seg))
        elif name.startswith("event_breakdown_"):
            bd = next(b for b in cfg.event_breakdowns if b.table == name)
            body = {"dimensions": ["eventName", *bd.dimensions, "day"],
                    "metrics": list(S.EVENT_METRICS), **_range_body(window)}
            filters = cfg.filters_for(seg)
            filters.insert(0, {"name": "eventName", "op": "include", "value": list(bd.event_names)})
            calls.append(Call(name, "POST", S.PATH_EVENT_QUERY, {**body, "filters": filters}, seg,
                              None, bd.name))
        else:
            for day in window.days():
                calls.extend(_per_day_calls(cfg, name, seg, day))
    return calls


def _per_day_calls(cfg: PtengineConfig, name: str, seg: str, day: date) -> list[Call]:
    from sources.ptengine import heatmap

    dc, cv = S.PATH_DATACENTER_QUERY, S.PATH_CONVERSION_QUERY
    if name in heatmap.GRAIN:
        return heatmap.day_calls(cfg, name, seg, day)

    def call(path: str, body: dict[str, Any], tag: str = "") -> Call:
        return Call(name, "POST", path, _with_filters({**body, **_day_body(day)}, cfg, seg),
                    seg, day, tag)

    for dim in cfg.dimensions:
        if name == dimension_table_name(dim):
            return [call(dc, {"queryType": "dimension_table", "dimension": dim,
                              "limit": cfg.dimension_limit, "lang": cfg.lang}, dim)]
    if name.startswith("overview_"):
        topic = name.removeprefix("overview_").removesuffix("_daily")
        return [call(dc, {"queryType": "overview", "topic": topic, "lang": cfg.lang}, topic)]
    if name == "site_metrics_hourly":
        return [call(dc, {"queryType": "metric_curve", "metric": m, "granularity": "hour"}, m)
                for m in cfg.hourly_metrics]
    if name == "conversion_summary_daily":
        return [call(cv, {"queryType": "metrics", "lang": cfg.lang})]
    if name == "conversion_goals_daily":
        return [call(cv, {"queryType": q}, q) for q in ("regular", "negative")]
    breakdowns = {
        "conversion_sources_daily": "sources_breakdown",
        "conversion_ad_names_daily": "ad_name_breakdown",
        "conversion_ad_sources_daily": "ad_source_breakdown",
    }
    if name in breakdowns:
        return [call(cv, {"queryType": breakdowns[name]})]
    if name == "conversion_funnel_steps_daily":
        return [call(cv, {"queryType": "funnel", "conversionName": g}, g) for g in cfg.funnel_goals]
    raise ValueError(f"no per-day calls defined for resource {name}")


def build_plan(cfg: PtengineConfig, states: dict[str, Any], listing: Any = None) -> Plan:
    """The whole run's calls, per selected resource, from the saved resource states.

    Args:
        cfg: validated configuration (selection, dates, lookback, segments).
        states: each resource's dlt state (``cursor``: the last day it loaded; ``run``:
            how far the last run got; ``seen``: experiences an experience table covered).
            Absent: never loaded.
        listing: the experience list and user properties (``experience_plan.Listing``)
            when experience tables are selected.
    """
    from sources.ptengine import experience_plan as xp

    resources: dict[str, ResourcePlan] = {}
    for name in cfg.resources:
        kind = resource_kind(name)
        own = states.get(name) or {}
        window = (window_for(cfg, saved_cursor(own), resume_point(states, own))
                  if kind in ("range", "per_day") else None)
        span = window if window is not None else DayWindow(cfg.end_date, cfg.end_date)
        if name in xp.EXPERIENCE_TABLES:
            listed = listing.experiences if listing else []
            chosen = xp.table_experiences(cfg, name, listed, own.get("seen"))
            props = listing.user_properties if listing else None
            calls = xp.catalog_calls(cfg, name) + calls_for_resource(cfg, name, span, chosen,
                                                                     props)
        else:
            calls = calls_for_resource(cfg, name, span)
        if kind == "snapshot" and ran_in_interrupted_run(states, own):
            # a backfill this run continues fetched it; only catalog calls remain
            calls = [c for c in calls if c.path in xp.CATALOG_PATHS]
        resources[name] = ResourcePlan(name, kind, window, calls)
    return Plan(resources)
