"""Which experiences a run covers, and the calls of each Experience table (§3).

The experience list is one call per run, shared by every experience table (and by
``plan``, which needs it to count experiences × days × report families). Selection:

* ``experience_ids`` configured: exactly those (an id the list lacks is still asked
  for; the API answers ``4040`` and the run skips it with a warning);
* otherwise every listed experience whose status is in ``experience_statuses``
  (default RUNNING, PAUSE) and type in ``experience_types``, plus any a table saw active
  in an earlier run and that stopped being active (finished, deleted) at most
  ``lookback_days`` before the end of this run — their last days are revised too.

Each table keeps its own ``seen`` map (experience id → last day it was active, with
the experience as listed then) in its dlt state, so a deleted experience keeps its
goals and versions for those last runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sources.common.dates import DayWindow
from sources.ptengine import settings as S
from sources.ptengine.config import PtengineConfig
from sources.ptengine.config_reports import EXPERIENCE_TABLES, ExperienceDimension
from sources.ptengine.planner import Call

PER_DAY = ("experience_metrics_daily", "experience_insights_daily", "experience_abtest_daily",
           "experience_abtest_insights_daily")
SNAPSHOTS = ("experiences", "user_properties", "experience_overview")
PROPERTY_USERS = ("experience_insights_daily", "experience_abtest_insights_daily")


@dataclass
class Listing:
    """What the catalog endpoints answered in this run."""

    experiences: list[dict[str, Any]]
    user_properties: list[dict[str, Any]] | None = None


CATALOG_PATHS = frozenset({S.PATH_EXPERIENCE_LIST, S.PATH_EXPERIENCE_USER_PROPERTIES})


def list_call() -> Call:
    return Call("experiences", "POST", S.PATH_EXPERIENCE_LIST, {})


def properties_call() -> Call:
    return Call("user_properties", "POST", S.PATH_EXPERIENCE_USER_PROPERTIES, {})


def selected_tables(cfg: PtengineConfig) -> list[str]:
    return [r for r in cfg.resources if r in EXPERIENCE_TABLES]


def needs_list(cfg: PtengineConfig) -> bool:
    return any(r != "user_properties" for r in selected_tables(cfg))


def needs_properties(cfg: PtengineConfig) -> bool:
    return "user_properties" in cfg.resources or (
        bool(cfg.experience.user_property_names)
        and any(r in cfg.resources for r in PROPERTY_USERS))


def catalog_owner(cfg: PtengineConfig, which: str) -> str | None:
    """The table a catalog call is counted under (its own table when selected)."""
    if which == "list":
        if not needs_list(cfg):
            return None
        tables = [r for r in selected_tables(cfg) if r != "user_properties"]
        return "experiences" if "experiences" in tables else tables[0]
    if not needs_properties(cfg):
        return None
    if "user_properties" in cfg.resources:
        return "user_properties"
    return next(r for r in cfg.resources if r in PROPERTY_USERS)


def catalog_calls(cfg: PtengineConfig, name: str) -> list[Call]:
    """The catalog calls ``plan`` shows under table ``name``."""
    calls = []
    if catalog_owner(cfg, "list") == name:
        calls.append(list_call())
    if catalog_owner(cfg, "properties") == name:
        calls.append(properties_call())
    return [Call(name, c.method, c.path, c.body, tag=c.path.rsplit("/", 1)[-1]) for c in calls]


# --- selection ---------------------------------------------------------------------------
def run_end(cfg: PtengineConfig) -> date:
    return cfg.explicit_end or cfg.end_date


def _wanted(cfg: PtengineConfig, exp: dict[str, Any]) -> bool:
    return exp.get("status") in cfg.experience.statuses and exp.get("type") in \
        cfg.experience.types


def select(cfg: PtengineConfig, listed: list[dict[str, Any]],
           seen: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The experiences a table covers in this run (see the module docstring)."""
    seen = seen or {}
    by_id = {str(e.get("id")): e for e in listed}
    if cfg.experience.ids:
        return [by_id.get(i) or (seen.get(i) or {}).get("experience") or
                {"id": i, "name": None, "status": None, "type": None, "goals": [],
                 "versions": []} for i in cfg.experience.ids]
    out = [e for e in listed if _wanted(cfg, e)]
    chosen = {str(e.get("id")) for e in out}
    horizon = run_end(cfg) - timedelta(days=cfg.lookback_days)
    for exp_id in sorted(seen):
        entry = seen[exp_id]
        if exp_id in chosen or date.fromisoformat(entry["last_active"]) < horizon:
            continue
        exp = by_id.get(exp_id) or entry["experience"]
        if exp.get("type") in cfg.experience.types:
            out.append(exp)
    return out


def update_seen(cfg: PtengineConfig, listed: list[dict[str, Any]],
                seen: dict[str, Any] | None) -> dict[str, Any]:
    """``seen`` after this run: active ones move to this run's end; stale ones drop."""
    out = dict(seen or {})
    end = run_end(cfg)
    for exp in listed:
        if _wanted(cfg, exp):
            exp_id = str(exp.get("id"))
            before = (out.get(exp_id) or {}).get("last_active")
            last = max(end, date.fromisoformat(before)) if before else end
            out[exp_id] = {"last_active": last.isoformat(), "experience": exp}
    horizon = end - timedelta(days=cfg.lookback_days)
    return {k: v for k, v in out.items() if date.fromisoformat(v["last_active"]) >= horizon}


def table_experiences(cfg: PtengineConfig, name: str, listed: list[dict[str, Any]],
                      seen: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The experiences table ``name`` reports on; the overview asks only for listed ones
    (it answers one batch, and one unknown id would fail it with ``4040``)."""
    chosen = select(cfg, listed, seen)
    if name == "experience_overview":
        ids = {str(e.get("id")) for e in listed}
        return [e for e in chosen if str(e.get("id")) in ids]
    return chosen


# --- calls -------------------------------------------------------------------------------
def _dimension_body(dim: ExperienceDimension, properties: list[dict[str, Any]] | None
                    ) -> dict[str, Any]:
    body: dict[str, Any] = {"dimension": dim.dimension}
    if dim.sub_dimension:
        body["subDimension"] = dim.sub_dimension
    if dim.property:
        spec = next((p for p in properties or [] if p.get("name") == dim.property), None)
        if spec is None:
            from sources.common.errors import ConfigurationError

            names = ", ".join(str(p.get("name")) for p in properties or [])
            raise ConfigurationError("sources.ptengine.experience_dimensions",
                                     f"user property '{dim.property}' does not exist",
                                     f"use one of {names or '(none defined)'}")
        body["property"] = {k: spec[k] for k in ("name", "source", "type") if k in spec}
    return body


def compare_targets(cfg: PtengineConfig, exp: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(compareBy, goalId) pairs for one experience: every goal for ``goalReached``;
    click / close comparisons only for types that have popup-class metrics."""
    out: list[tuple[str, str | None]] = []
    for by in cfg.experience.compare_by:
        if by == "goalReached":
            out += [(by, str(g.get("id"))) for g in exp.get("goals") or []]
        elif by in ("clickedUsers", "closedUsers") and exp.get("type") not in \
                S.POPUP_CLASS_TYPES:
            continue
        else:
            out.append((by, None))
    return out


def experience_calls(cfg: PtengineConfig, name: str, window: DayWindow,
                     experiences: list[dict[str, Any]],
                     properties: list[dict[str, Any]] | None) -> list[Call]:
    """The report calls of table ``name`` over ``window`` (no catalog calls)."""
    if name in ("experiences", "user_properties") or window.is_empty:
        return []
    if name == "experience_overview":
        listed = [{"id": e["id"], "name": e.get("name")} for e in experiences]
        return [Call(name, "POST", S.PATH_EXPERIENCE_OVERVIEW,
                     {"experiences": listed, "lang": cfg.lang}, tag=f"{len(listed)} experiences")
                ] if listed else []
    calls: list[Call] = []
    if name == "experience_form_submissions":
        for exp in experiences:
            for version in exp.get("versions") or []:
                body = {"id": exp["id"], "versionId": version.get("id"),
                        "startDate": window.start.isoformat(), "endDate": window.end.isoformat()}
                calls.append(Call(name, "POST", S.PATH_EXPERIENCE_FORM, body,
                                  tag=f"{exp.get('name') or exp['id']} / {version.get('name')}"))
        return calls
    for day in window.days():
        for exp in experiences:
            base = {"id": exp["id"], "startDate": day.isoformat(), "endDate": day.isoformat(),
                    "lang": cfg.lang}
            label = str(exp.get("name") or exp["id"])
            for body, tag in _report_bodies(cfg, name, exp, properties):
                calls.append(Call(name, "POST", _PATHS[name], {**base, **body}, day=day,
                                  tag=" ".join(p for p in (label, tag) if p)))
    return calls


_PATHS = {"experience_metrics_daily": S.PATH_EXPERIENCE_METRICS,
          "experience_insights_daily": S.PATH_EXPERIENCE_INSIGHT,
          "experience_abtest_daily": S.PATH_EXPERIENCE_ABTEST,
          "experience_abtest_insights_daily": S.PATH_EXPERIENCE_ABTEST_INSIGHT}


def _report_bodies(cfg: PtengineConfig, name: str, exp: dict[str, Any],
                   properties: list[dict[str, Any]] | None) -> list[tuple[dict[str, Any], str]]:
    xc = cfg.experience
    if name == "experience_metrics_daily":
        return [({}, "")]
    if name == "experience_insights_daily":
        return [(_dimension_body(d, properties), d.describe()) for d in xc.dimensions]
    out = []
    for by, goal in compare_targets(cfg, exp):
        body: dict[str, Any] = {"compareBy": by, "showDeletedVersions": xc.show_deleted_versions}
        if goal:
            body["goalId"] = goal
        if name == "experience_abtest_daily":
            out.append((body, by))
            continue
        for d in xc.abtest_dimensions:
            out.append(({**body, **_dimension_body(d, properties)}, f"{by} {d.describe()}"))
    return out
