"""Statistics answers: days of the model → the JSON a Pirsch endpoint returns.

Lists are summed over the requested days by their dimension values, then the relative
values and rates are derived from the sums (so a one-day and a many-day answer follow
one rule), filtered by the endpoint's own dimension filters, sorted (visitors first,
unless ``sort``/``direction`` say otherwise) and paged with ``offset``/``limit`` (capped
at 100). An empty list answers ``null``; a page past the end answers ``[]`` (NOTES.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sources.pirsch import settings

from .model import GOALS, DayData, Model, Row

COUNTS = ("visitors", "views", "sessions", "bounces", "entries", "exits")
AVERAGES = ("average_time_spent_seconds", "average_duration_seconds")
# query filter -> the row field it matches (the endpoint's own dimension only)
FILTER_FIELDS = {"country": "country_code", **{f: f for f in settings.DIMENSION_FILTERS
                                                if f != "country"}}
SHARE_LISTS = ("channel", "country", "region", "city", "language", "os", "os/version",
               "browser", "browser/version", "screen", *(f"utm/{p}" for p in
                                                          ("source", "medium", "campaign",
                                                           "content", "term")))
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "page": ("path", "title", "visitors", "views", "sessions", "bounces", "relative_visitors",
             "relative_views", "bounce_rate", "average_time_spent_seconds"),
    "entry": ("path", "title", "visitors", "sessions", "entries", "entry_rate",
              "average_time_spent_seconds"),
    "exit": ("path", "title", "visitors", "sessions", "exits", "exit_rate"),
    "referrer": ("referrer", "referrer_name", "referrer_icon", "visitors", "sessions",
                 "relative_visitors", "bounces", "bounce_rate"),
    "events": ("name", "visitors", "views", "cr", "average_duration_seconds", "meta_keys"),
    "meta": ("name", "visitors", "views", "cr", "average_duration_seconds", "meta_value"),
}
LIST_KEYS = {"page": "page", "page/entry": "entry", "page/exit": "exit", "referrer": "referrer",
             "events": "events", "goals": "goals", **{k: k for k in SHARE_LISTS}}
SERIES = ("visitor", "duration/session", "duration/page")


class ValidationError(Exception):
    """A 400 answer: ``{"validation": {field: message}}``."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__(str(fields))


def days_of(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _rate(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _sum_rows(rows_by_day: list[list[Row]]) -> list[Row]:
    """Rows with the same dimension values summed (averages weighted by visitors)."""
    merged: dict[tuple[Any, ...], Row] = {}
    weights: dict[tuple[Any, ...], dict[str, float]] = {}
    for rows in rows_by_day:
        for row in rows:
            key = tuple((k, v) for k, v in row.items()
                        if k not in COUNTS and k not in AVERAGES and not isinstance(v, list))
            into = merged.setdefault(key, {k: (0 if k in COUNTS + AVERAGES else v)
                                           for k, v in row.items()})
            acc = weights.setdefault(key, {})
            for k in COUNTS:
                if k in row:
                    into[k] += row[k]
            for k in AVERAGES:
                if k in row:
                    acc[k] = acc.get(k, 0.0) + row[k] * row["visitors"]
    for key, into in merged.items():
        for k, total in weights[key].items():
            into[k] = round(total / into["visitors"]) if into["visitors"] else 0
    return list(merged.values())


def _derive(name: str, row: Row, totals: Mapping[str, int], with_time: bool) -> Row:
    out = dict(row)
    out["relative_visitors"] = _rate(row["visitors"], totals["visitors"])
    if "views" in row:
        out["relative_views"] = _rate(row["views"], totals["views"])
    if "bounces" in row:
        out["bounce_rate"] = _rate(row["bounces"], row["sessions"])
    if "entries" in row:
        out["entry_rate"] = _rate(row["entries"], totals["sessions"])
    if "exits" in row:
        out["exit_rate"] = _rate(row["exits"], totals["sessions"])
    out["cr"] = _rate(row["visitors"], totals["visitors"])
    if name == "page" and not with_time:
        out["average_time_spent_seconds"] = 0
    fields = LIST_FIELDS.get(name) or (*(k for k in row if k != "visitors"), "visitors",
                                       "relative_visitors")
    if name in SHARE_LISTS:
        fields = ("visitors", "relative_visitors", *(k for k in row if k != "visitors"))
    return {f: out.get(f) for f in fields}


def _order(rows: list[Row], params: Mapping[str, str]) -> list[Row]:
    direction = params.get("direction") or "desc"
    if direction not in settings.DIRECTIONS:
        raise ValidationError({"direction": "must be asc or desc"})
    keys = [k for k in (rows[0] if rows else {}) if isinstance(rows[0][k], str)]
    rows = sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))
    field = params.get("sort") or "visitors"
    if rows and field in rows[0] and not isinstance(rows[0][field], list | dict):
        rows.sort(key=lambda r: (r[field] is None, r[field]), reverse=direction == "desc")
    return rows


def _page(rows: list[Row], params: Mapping[str, str]) -> list[Row] | None:
    offset, limit = _int(params, "offset", 0, 0), _int(params, "limit", settings.PAGE_LIMIT, 1)
    if not rows:
        return None
    return rows[offset: offset + min(limit, settings.PAGE_LIMIT)]


def _int(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValidationError({name: "must be a number"}) from None
    if value < minimum:
        raise ValidationError({name: f"must be at least {minimum}"})
    return value


def _filtered(rows: list[Row], params: Mapping[str, str]) -> list[Row]:
    for name, value in params.items():
        field = FILTER_FIELDS.get(name)
        if field and rows and field in rows[0]:
            rows = [r for r in rows if str(r[field]) == value]
    return rows


def _totals(days: list[DayData]) -> dict[str, int]:
    return {k: sum(getattr(d, k) for d in days) for k in ("visitors", "views", "sessions")}


def list_rows(name: str, days: list[DayData], params: Mapping[str, str]) -> list[Row]:
    """The whole answer of a list endpoint, ordered, before paging (tests compare with it).

    ``name`` is the path below ``/statistics/`` (``page``, ``utm/source`` …).
    """
    kind = LIST_KEYS[name]
    totals = _totals(days)
    if kind == "goals":
        return goal_rows(days, totals)
    rows = _sum_rows([d.lists.get(kind, []) for d in days])
    with_time = params.get("include_avg_time_on_page") == "true"
    rows = [_derive(kind, r, totals, with_time) for r in _filtered(rows, params)]
    return _order(rows, params)


def list_answer(name: str, days: list[DayData], params: Mapping[str, str]) -> Any:
    """A paged list endpoint: one page of :func:`list_rows` (``null`` when it is empty)."""
    return _page(list_rows(name, days, params), params)


def goal_rows(days: list[DayData], totals: Mapping[str, int]) -> list[Row]:
    stats = {r["goal_id"]: r for r in _sum_rows([d.lists.get("goals", []) for d in days])}
    out = []
    for goal in GOALS:
        s = stats.get(goal.id)
        if s is None:
            continue
        out.append({"page_goal": {
            "id": goal.id, "def_time": "2025-11-02T09:30:00.123456Z",
            "mod_time": "2026-01-15T17:45:10.654321Z", "domain_id": "", "name": goal.name,
            "path_pattern": goal.path_pattern, "pattern": goal.pattern,
            "visitor_goal": goal.visitor_goal, "cr_goal": goal.cr_goal,
            "delete_reached": False, "email_reached": goal.id.endswith("1")},
            "stats": {"visitors": s["visitors"], "views": s["views"],
                      "cr": _rate(s["visitors"], totals["visitors"])}})
    return out


def meta_rows(days: list[DayData], params: Mapping[str, str]) -> list[Row]:
    """``event/meta`` before paging: one event's values of one meta key (both required)."""
    event, meta_key = params.get("event"), params.get("event_meta_key")
    missing = {k: "required" for k, v in (("event", event), ("event_meta_key", meta_key))
               if not v}
    if missing:
        raise ValidationError(missing)
    rows = _sum_rows([d.meta.get((str(event), str(meta_key)), []) for d in days])
    totals = _totals(days)
    return _order([_derive("meta", {**r, "name": event}, totals, False) for r in rows], params)


def meta_answer(days: list[DayData], params: Mapping[str, str]) -> Any:
    """One page of :func:`meta_rows`."""
    return _page(meta_rows(days, params), params)


def platform_answer(days: list[DayData]) -> Row:
    sums = {k: sum(d.platform.get(k, 0) for d in days)
            for k in ("platform_desktop", "platform_mobile", "platform_unknown")}
    whole = sum(sums.values())
    return {**sums, **{f"relative_{k}": _rate(v, whole) for k, v in sums.items()}}


def hours_answer(days: list[DayData]) -> list[Row]:
    rows = []
    for hour in range(24):
        row = {"hour": hour, **{k: sum(d.hours[hour][k] for d in days if d.hours)
                               for k in ("visitors", "views", "sessions", "bounces")}}
        row["bounce_rate"] = _rate(row["bounces"], row["sessions"])
        rows.append(row)
    return rows


def _period(day: dt.date, scale: str) -> dt.date:
    if scale == "week":
        return day - dt.timedelta(days=day.weekday())
    if scale == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1) if scale == "year" else day


def series_answer(name: str, model: Model, domain: str, days: list[dt.date],
                  params: Mapping[str, str]) -> list[Row]:
    """A zero-filled series by ``scale`` (day by default)."""
    scale = params.get("scale") or "day"
    if scale not in settings.SCALES:
        raise ValidationError({"scale": "must be one of day, week, month, year"})
    periods: dict[dt.date, list[DayData]] = {}
    for day in days:
        periods.setdefault(_period(day, scale), []).append(model.day(domain, day))
    value: Callable[[list[DayData]], Row] = {
        "visitor": _visitor_row, "duration/session": _session_row,
        "duration/page": lambda ds: _page_time_row(ds, params.get("path") or ""),
    }[name]
    rows = []
    for start, group in periods.items():
        stamp = f"{start.isoformat()}T00:00:00Z"
        extra = {scale: stamp} if scale != "day" else {}
        rows.append({"day": stamp, **extra, **value(group)})
    return rows


def _visitor_row(days: list[DayData]) -> Row:
    row = {k: sum(getattr(d, k) for d in days)
           for k in ("visitors", "views", "sessions", "bounces")}
    return {**row, "bounce_rate": _rate(row["bounces"], row["sessions"]), "cr": 0.0,
            "custom_metric_avg": 0.0, "custom_metric_total": 0.0}


def _session_row(days: list[DayData]) -> Row:
    seconds, sessions = sum(d.session_seconds for d in days), sum(d.sessions for d in days)
    return {"average_time_spent_seconds": seconds // sessions if sessions else 0}


def _page_time_row(days: list[DayData], path: str) -> Row:
    rows = [r for d in days for r in d.lists.get("page", []) if not path or r["path"] == path]
    weight = sum(r["visitors"] for r in rows)
    total = sum(r["average_time_spent_seconds"] * r["visitors"] for r in rows)
    return {"path": path, "average_time_spent_seconds": total // weight if weight else 0}
