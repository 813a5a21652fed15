"""Ptengine responses → typed rows. Pure functions: no HTTP, no dlt, no clock.

Display strings become numbers here (CONTRACT §5): ``"1,145"`` → 1145, ``"52.18%"`` →
0.5218, ``"00:02:49"`` → 169.0 seconds, ``"-21,100"`` → Decimal(-21100). Labels and
descriptions are split off into ``metric_definitions`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sources.common.values import parse_date, parse_hour, parse_rate, parse_value, to_snake
from sources.ptengine import settings as S

# response dataType → our value type (the settings tables win when they know a field)
_DATA_TYPES = {"INTEGER": "INTEGER", "RATE": "RATE", "TIME": "TIME", "NUMBER": "DECIMAL",
               "DECIMAL": "DECIMAL", "STRING": "STRING", "DATE": "DATE"}


def _typed(field: str, raw: Any, known: Mapping[str, str], data_type: str | None = None) -> Any:
    value_type = known.get(field) or _DATA_TYPES.get(str(data_type or "").upper()) or "STRING"
    if value_type == "STRING":
        return raw
    return parse_value(raw, value_type, field=field)


def definition_row(family: str, field: str, label: Any, description: Any, data_type: Any,
                   lang: str) -> dict[str, Any]:
    return {"source": "ptengine", "family": family, "field": field, "column_name": to_snake(field),
            "label": label, "description": description, "data_type": data_type, "lang": lang}


# --- data center ------------------------------------------------------------------------------
def curve_points(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(p.get("time"), p.get("value")) for p in (data.get("points") or [])]


def site_metrics_rows(profile_id: str, segment: str,
                      curves: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per day with every metric curve as a column.

    Args:
        curves: metric name → the ``data`` of its ``metric_curve`` response (granularity day).
    """
    by_day: dict[date, dict[str, Any]] = {}
    for metric, data in curves.items():
        for time, raw in curve_points(data):
            day = parse_date(time)
            if day is None:
                continue
            row = by_day.setdefault(day, {"profile_id": profile_id, "segment": segment,
                                          "date": day})
            row[to_snake(metric)] = _typed(metric, raw, S.DATACENTER_METRICS)
    return [by_day[d] for d in sorted(by_day)]


def site_metrics_hourly_rows(profile_id: str, segment: str, day: date, timezone: str,
                             curves: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per hour of ``day``; ``hour_start`` is the aware local hour start."""
    tz = ZoneInfo(timezone)
    by_hour: dict[int, dict[str, Any]] = {}
    for metric, data in curves.items():
        for time, raw in curve_points(data):
            stamp = parse_hour(time)
            if stamp is None:
                continue
            row = by_hour.setdefault(stamp.hour, {
                "profile_id": profile_id, "segment": segment, "date": stamp.date(),
                "hour": stamp.hour, "hour_start": stamp.replace(tzinfo=tz),
            })
            row[to_snake(metric)] = _typed(metric, raw, S.DATACENTER_METRICS)
    return [by_hour[h] for h in sorted(by_hour)]


def dimension_table_rows(profile_id: str, segment: str, day: date, dimension: str,
                         data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict]]:
    """Rows of a ``dimension_table`` answer for one day, and the metric definitions it carried.

    Page dimensions keep ``url`` and ``title``; other dimensions keep their value under
    the dimension's snake_case name (``sourceType`` → ``source_type``).
    """
    columns = data.get("columns") or []
    types = {c.get("name"): c.get("dataType") for c in columns}
    dims = [c.get("name") for c in columns if c.get("type") == "dimension"]
    rows = []
    for raw in data.get("rows") or []:
        row: dict[str, Any] = {"profile_id": profile_id, "segment": segment, "date": day}
        for name, value in raw.items():
            if name in dims:
                row[to_snake(name)] = "" if value is None else str(value)
            else:
                row[to_snake(name)] = _typed(name, value, S.DIMENSION_TABLE_COLUMN_TYPES,
                                             types.get(name))
        rows.append(row)
    definitions = [
        (c["name"], c.get("label"), c.get("description"), c.get("dataType"))
        for c in columns if c.get("type") == "metric" and c.get("label")
    ]
    return rows, [{"field": f, "label": lab, "description": d, "data_type": t}
                  for f, lab, d, t in definitions]


def dimension_key_columns(dimension: str) -> list[str]:
    """The dimension columns that make a dimension-table row unique within a day."""
    if dimension in S.PAGE_URL_DIMENSIONS:
        return ["url"]
    return [to_snake(dimension)]


def overview_rows(profile_id: str, segment: str, day: date, topic: str,
                  data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of an ``overview`` topic (sources, location, device) for one day.

    ``device`` rows keep their nested lists (``os_version``, ``resolution``, ``brand``,
    ``browser_version``); dlt loads them as child tables.
    """
    base = {"profile_id": profile_id, "segment": segment, "date": day}
    rows = []
    for raw in data.get("rows") or []:
        row = dict(base)
        for name, value in raw.items():
            if isinstance(value, list):
                row[to_snake(name)] = [
                    {"name": item.get("name"), "visits": parse_value(item.get("visits"), "INTEGER",
                                                                      field=name)}
                    for item in value
                ]
            elif name == "visits":
                row["visits"] = parse_value(value, "INTEGER", field=name)
            else:
                row[to_snake(name)] = "" if value is None else str(value)
        if topic == "sources" and "totalVisits" in data:
            row["total_visits"] = parse_value(data.get("totalVisits"), "INTEGER",
                                              field="totalVisits")
        rows.append(row)
    return rows


def overview_metric_definitions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    metrics = data.get("metrics") or {}
    return [{"field": k, "label": v.get("label"), "description": v.get("description"),
             "data_type": S.DATACENTER_METRICS.get(k)} for k, v in metrics.items()
            if isinstance(v, Mapping)]


# --- events -----------------------------------------------------------------------------------
def event_rows(profile_id: str, segment: str, data: Mapping[str, Any],
               extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of an event query grouped by ``eventName`` and ``day`` (plus any dimensions)."""
    columns = data.get("columns") or []
    types = {c.get("name"): c.get("dataType") for c in columns}
    rows = []
    for raw in data.get("rows") or []:
        row: dict[str, Any] = {"profile_id": profile_id, "segment": segment, **(extra or {})}
        for name, value in raw.items():
            if name == "day":
                row["date"] = parse_date(value)
            elif name in S.EVENT_METRICS:
                row[to_snake(name)] = _typed(name, value, S.EVENT_METRICS, types.get(name))
            else:
                row[to_snake(name)] = "" if value is None else str(value)
        rows.append(row)
    return rows


def event_field_rows(data: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    rows = []
    for kind in ("metrics", "dimensions"):
        for item in data.get(kind) or []:
            rows.append({"kind": kind[:-1], "field": item.get("field"),
                         "column_name": to_snake(str(item.get("field"))),
                         "label": item.get("label"), "description": item.get("description"),
                         "data_type": item.get("dataType"), "category": item.get("category"),
                         "lang": lang})
    return rows


# --- conversion -------------------------------------------------------------------------------
def conversion_goal_rows(profile_id: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"profile_id": profile_id, "id": str(g.get("id")), "name": g.get("name")}
            for g in data.get("conversions") or []]


def conversion_summary_row(profile_id: str, segment: str, day: date,
                           data: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    metrics = data.get("metrics") or {}
    row: dict[str, Any] = {"profile_id": profile_id, "segment": segment, "date": day}
    defs = []
    for name, cell in metrics.items():
        value = cell.get("value") if isinstance(cell, Mapping) else cell
        row[to_snake(name)] = _typed(name, value, S.CONVERSION_SUMMARY_METRICS)
        if isinstance(cell, Mapping) and cell.get("label"):
            defs.append({"field": name, "label": cell.get("label"), "description": None,
                         "data_type": S.CONVERSION_SUMMARY_METRICS.get(name)})
    return row, defs


def conversion_table_rows(profile_id: str, segment: str, day: date, data: Mapping[str, Any],
                          extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of ``regular``/``negative``/``*_breakdown`` answers (columns + rows)."""
    columns = data.get("columns") or []
    types = {c.get("name"): c.get("dataType") for c in columns}
    known = {**S.CONVERSION_GOAL_COLUMNS}
    rows = []
    for raw in data.get("rows") or []:
        row: dict[str, Any] = {"profile_id": profile_id, "segment": segment, "date": day,
                               **(extra or {})}
        for name, value in raw.items():
            if types.get(name) == "STRING" or name not in known and types.get(name) is None:
                row[to_snake(name)] = "" if value is None else str(value)
            else:
                row[to_snake(name)] = _typed(name, value, known, types.get(name))
        rows.append(row)
    return rows


def funnel_step_rows(profile_id: str, segment: str, day: date,
                     data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per funnel step; entry and drop-off paths stay nested (child tables)."""
    summary = data.get("summary") or {}
    base = {
        "profile_id": profile_id, "segment": segment, "date": day,
        "conversion_name": data.get("conversionName"),
        "conversion_id": None if data.get("conversionId") is None else str(data["conversionId"]),
        "total_conversions": parse_value(summary.get("totalConversions"), "INTEGER",
                                         field="totalConversions"),
        "total_conversion_rate": parse_rate(summary.get("totalConversionRate"),
                                            field="totalConversionRate"),
    }
    rows = []
    for step in data.get("steps") or []:
        rows.append({
            **base,
            "step_id": parse_value(step.get("stepId"), "INTEGER", field="stepId"),
            "entries": parse_value(step.get("entries"), "INTEGER", field="entries"),
            "external": parse_value(step.get("external"), "INTEGER", field="external"),
            "dropoff": parse_value(step.get("dropoff"), "INTEGER", field="dropoff"),
            "conversion_to_next_rate": parse_rate(step.get("conversionToNextRate"),
                                                  field="conversionToNextRate"),
            "entry_paths": _paths(step.get("entryPaths")),
            "dropoff_paths": _paths(step.get("dropoffPaths")),
        })
    return rows


def _paths(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"url": p.get("url"), "visits": parse_value(p.get("visits"), "INTEGER", field="visits")}
            for p in items or []]


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def utc_now() -> datetime:
    return datetime.now(ZoneInfo("UTC"))
