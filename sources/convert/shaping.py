"""Convert answers → typed rows. Pure functions: no HTTP, no dlt, no clock.

Unix seconds become aware UTC datetimes (``0``, "not started / not stopped", is NULL);
the stats engine's 0–100 scores (``confidence``, ``chance_to_win``) become fractions;
``metric_change`` already is a fraction and stays one (CONTRACT §5). Daily report days
follow the request's ``utc_offset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sources.common.values import parse_decimal, parse_float, parse_int, parse_timestamp
from sources.convert import settings as S

_EPOCH = date(1970, 1, 1)
# aggregated metric fields -> (column suffix, parser); scores are 0-100 in the API
_STAT_FIELDS = {"metric_change": "change", "confidence": "confidence",
                "chance_to_win": "chance_to_win", "expected": "expected", "risk": "risk"}
_SCORES = ("confidence", "chance_to_win")


def unix_time(value: Any, *, field: str | None = None) -> datetime | None:
    """A unix-seconds field as an aware UTC datetime; ``0`` and missing are NULL.

    Example:
        >>> unix_time(1775001600)
        datetime.datetime(2026, 4, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if value in (None, 0, "0", ""):
        return None
    return parse_timestamp(value, field=field)


def _ids(items: Any) -> list[Any]:
    return list(items or [])


def project_row(account_id: int, item: Mapping[str, Any]) -> dict[str, Any]:
    """One ``projects`` row.

    Example:
        >>> project_row(7, {"id": 5, "name": "Shop", "created_at": 0})["created_at"] is None
        True
    """
    return {
        "account_id": parse_int(item.get("account_id")) or account_id,
        "id": parse_int(item.get("id"), field="project.id"),
        "name": item.get("name"),
        "project_type": item.get("project_type"),
        "status": item.get("status"),
        "type": item.get("type"),
        "access_role": item.get("accessRole"),
        "created_at": unix_time(item.get("created_at"), field="project.created_at"),
        "modified_at": unix_time(item.get("modified_at"), field="project.modified_at"),
    }


def experience_row(project_id: int, item: Mapping[str, Any]) -> dict[str, Any]:
    """One ``experiences`` row with ``variations`` and ``goals`` as child-table lists.

    Variations and goals arrive as ids or, when included/expanded, as objects; both give
    child rows (``experiences__variations``, ``experiences__goals``).
    """
    exp_id = parse_int(item.get("id"), field="experience.id")
    primary = parse_int(item.get("primary_goal"))
    variations = []
    for v in _ids(item.get("variations")):
        obj = v if isinstance(v, Mapping) else {"id": v}
        variations.append({
            "project_id": project_id, "experience_id": exp_id,
            "id": parse_int(obj.get("id"), field="variation.id"), "name": obj.get("name"),
            "key": obj.get("key"), "description": obj.get("description"),
            "is_baseline": obj.get("is_baseline"), "status": obj.get("status"),
            "traffic_distribution": parse_float(obj.get("traffic_distribution")),
        })
    goals = []
    for g in _ids(item.get("goals")):
        obj = g if isinstance(g, Mapping) else {"id": g}
        goal_id = parse_int(obj.get("id"), field="goal.id")
        goals.append({"project_id": project_id, "experience_id": exp_id, "goal_id": goal_id,
                      "name": obj.get("name"), "is_primary": goal_id == primary})
    return {
        "project_id": project_id,
        "id": exp_id,
        "name": item.get("name"),
        "key": item.get("key"),
        "description": item.get("description"),
        "objective": item.get("objective"),
        "status": item.get("status"),
        "type": item.get("type"),
        "url": item.get("url"),
        "environment": item.get("environment"),
        "primary_goal_id": primary,
        "traffic_distribution": parse_float(item.get("traffic_distribution")),
        "version": parse_float(item.get("version")),
        "start_time": unix_time(item.get("start_time"), field="experience.start_time"),
        "end_time": unix_time(item.get("end_time"), field="experience.end_time"),
        "variations": variations,
        "goals": goals,
    }


def goal_row(project_id: int, item: Mapping[str, Any]) -> dict[str, Any]:
    """One ``goals`` row."""
    return {
        "project_id": project_id,
        "id": parse_int(item.get("id"), field="goal.id"),
        "name": item.get("name"),
        "key": item.get("key"),
        "description": item.get("description"),
        "type": item.get("type"),
        "status": item.get("status"),
        "is_system": item.get("is_system"),
        "selected_default": item.get("selected_default"),
    }


def _score(value: Any, field: str) -> float | None:
    number = parse_float(value, field=field)
    return None if number is None else float(Decimal(str(number)) / 100)


def _interval(value: Any) -> tuple[float | None, float | None]:
    if isinstance(value, Mapping):
        value = [value.get("min", value.get("low")), value.get("max", value.get("high"))]
    if isinstance(value, list | tuple) and len(value) == 2:
        return (parse_float(value[0], field="metric_interval"),
                parse_float(value[1], field="metric_interval"))
    return None, None


def _srm(value: Any) -> float | None:
    if isinstance(value, Mapping):
        value = value.get("p_value", value.get("value"))
    return parse_float(value, field="srm")


def metric_columns(metric: Mapping[str, Any]) -> dict[str, Any]:
    """The columns one entry of a variation's ``metrics[]`` fills.

    Example:
        >>> metric_columns({"metric_type": "conversion_rate", "metric_total": 31,
        ...                 "metric_value": 0.031, "metric_change": 0.12, "confidence": 91.5,
        ...                 "statistically_significant": False, "metric_interval": [-0.05, 0.3]})
        ... # doctest: +NORMALIZE_WHITESPACE
        {'conversions': 31, 'conversion_rate': 0.031, 'change': 0.12, 'interval_low': -0.05,
         'interval_high': 0.3, 'confidence': 0.915, 'statistically_significant': False}
    """
    kind = str(metric.get("metric_type") or "")
    total_col, value_col, prefix = S.AGGREGATED_COLUMNS.get(kind, (f"{kind}_total", kind,
                                                                   f"{kind}_"))
    total = metric.get("metric_total")
    out: dict[str, Any] = {
        total_col: (parse_decimal(total, field=kind) if kind == "avg_revenue_visitor"
                    else parse_int(total, field=kind)),
        value_col: parse_float(metric.get("metric_value"), field=kind),
    }
    for name, column in _STAT_FIELDS.items():
        if name not in metric:
            continue
        raw = metric.get(name)
        out[prefix + column] = _score(raw, name) if name in _SCORES else parse_float(raw,
                                                                                    field=name)
        if name == "metric_change":
            low, high = _interval(metric.get("metric_interval"))
            out[prefix + "interval_low"], out[prefix + "interval_high"] = low, high
    if "statistically_significant" in metric:
        out[prefix + "statistically_significant"] = metric.get("statistically_significant")
    return out


def aggregated_rows(project_id: int, experience_id: int, report_date: date,
                    data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per goal and variation of an ``aggregated_report`` answer's ``data``."""
    names = {v.get("id"): v for v in data.get("variations_data") or []}
    methodology = data.get("stats_methodology")
    rows = []
    for goal in data.get("reportData") or []:
        goal_id = parse_int(goal.get("goal_id"), field="goal_id")
        srm = _srm(goal.get("srm"))
        for variation in goal.get("variations") or []:
            var_id = variation.get("id")
            info = names.get(var_id) or {}
            row = {"project_id": project_id, "experience_id": experience_id,
                   "goal_id": goal_id, "variation_id": parse_int(var_id, field="variation.id"),
                   "report_date": report_date, "variation_name": info.get("name"),
                   "is_baseline": info.get("is_baseline"), "stats_methodology": methodology,
                   "visitors": parse_int(variation.get("visitors"), field="visitors"),
                   "srm": srm}
            for metric in variation.get("metrics") or []:
                row.update(metric_columns(metric))
            rows.append(row)
    return rows


def stat_day(timestamp: Any, utc_offset: int) -> date | None:
    """The reporting day of a daily ``stats[]`` entry.

    NOTES.md says ``timestamp`` is the UTC start of the day (the day's label); a server
    that sends the instant of the local midnight instead is read the same way.

    Example:
        >>> stat_day(1775001600, 3600), stat_day(1775001600 - 3600, 3600)
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 1))
    """
    seconds = parse_int(timestamp, field="stats.timestamp")
    if seconds is None:
        return None
    if seconds % 86400 and (seconds + utc_offset) % 86400 == 0:
        seconds += utc_offset
    return _EPOCH + timedelta(days=seconds // 86400)


def daily_rows(project_id: int, experience_id: int, goal_id: int, utc_offset: int,
               data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per variation and day of a non-cumulative ``daily_report`` answer."""
    report = data.get("reportData") or {}
    rows = []
    for variation in report.get("variations") or []:
        var_id = parse_int(variation.get("id"), field="variation.id")
        for stat in variation.get("stats") or []:
            day = stat_day(stat.get("timestamp"), utc_offset)
            if day is None:
                continue
            rows.append({"project_id": project_id, "experience_id": experience_id,
                         "goal_id": goal_id, "variation_id": var_id, "date": day,
                         "visitors": parse_int(stat.get("visitors"), field="visitors"),
                         "conversions": parse_int(stat.get("totals"), field="totals"),
                         "conversion_rate": parse_float(stat.get("value"), field="value")})
    return rows


def history_row(project_id: int, experience_id: int, item: Mapping[str, Any]
                ) -> dict[str, Any]:
    """One ``experience_change_history`` row (``data`` and ``author`` become columns)."""
    author = item.get("author") if isinstance(item.get("author"), Mapping) else {}
    return {
        "project_id": project_id,
        "experience_id": experience_id,
        "id": parse_int(item.get("id"), field="history.id"),
        "timestamp": unix_time(item.get("timestamp"), field="history.timestamp"),
        "event": item.get("event"),
        "object": item.get("object"),
        "object_id": parse_int(item.get("object_id")),
        "method": item.get("method"),
        "author_id": author.get("id", item.get("author_id")),
        "author_name": author.get("name"),
        "description": item.get("description"),
    }
