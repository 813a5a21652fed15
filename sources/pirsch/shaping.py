"""Pirsch responses → typed rows. Pure functions: no HTTP, no dlt, no clock.

Pirsch sends plain JSON numbers; rates are already fractions (``bounce_rate`` 0.4791 stays
0.4791), durations are seconds. Every row carries ``domain_id`` and the reporting
``date``; dimension values that come back ``null`` become ``""`` so they can be part of
the primary key. ``null`` lists are empty lists (NOTES.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sources.common.values import (
    parse_date,
    parse_duration,
    parse_float,
    parse_int,
    parse_timestamp,
    to_snake,
)
from sources.pirsch import settings as S


def typed(value: Any, value_type: str, field: str) -> Any:
    """One API value as its column type (unparseable values are NULL and counted).

    Example:
        >>> typed("42", "INTEGER", "visitors"), typed(0.4791, "FLOAT", "bounce_rate")
        (42, 0.4791)
    """
    if value_type == "INTEGER":
        return parse_int(value, field=field)
    if value_type == "FLOAT":
        return parse_float(value, field=field)
    if value_type == "SECONDS":
        return parse_duration(value, field=field)
    if value_type == "TIMESTAMP":
        return parse_timestamp(value, field=field)
    if value_type == "BOOL":
        return value if isinstance(value, bool) else None
    if value_type == "JSON":
        return value if isinstance(value, list | dict) else None
    return None if value is None else str(value)


def items_of(data: Any) -> list[dict[str, Any]]:
    """The rows of a list answer: ``null`` is an empty list; non-objects are dropped.

    Example:
        >>> items_of(None), items_of([{"os": "Linux"}, 3])
        ([], [{'os': 'Linux'}])
    """
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, Mapping)]


def _row(domain_id: str, day: date | None, item: Mapping[str, Any],
         endpoint: S.Endpoint) -> dict[str, Any]:
    aliases = dict(endpoint.aliases)
    row: dict[str, Any] = {"domain_id": domain_id, "date": day}
    for name, value in item.items():
        field = aliases.get(name, name)
        if field in endpoint.columns:
            row[field] = typed(value, endpoint.columns[field], field)
        elif field != "day" and (value is None or isinstance(value, str | int | float | bool)):
            row[to_snake(field)] = value
    for k in endpoint.keys:
        if row.get(k) is None:
            row[k] = ""
    return row


def series_rows(domain_id: str, endpoint: S.Endpoint, data: Any) -> list[dict[str, Any]]:
    """One row per ``day`` of a zero-filled series (``visitor``, ``duration/*``).

    Example:
        >>> series_rows("d1", S.ENDPOINTS["session_duration_daily"],
        ...             [{"day": "2021-05-12T00:00:00Z", "average_time_spent_seconds": 42}]
        ...             )[0]["average_time_spent_seconds"]
        42.0
    """
    rows = []
    for item in items_of(data):
        day = parse_date(item.get("day"), field="day")
        if day is not None:
            rows.append(_row(domain_id, day, item, endpoint))
    return rows


def list_rows(domain_id: str, day: date, endpoint: S.Endpoint, data: Any,
              extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One row per item of a list answer for ``day``.

    Example:
        >>> list_rows("d1", date(2026, 4, 1), S.ENDPOINTS["countries_daily"],
        ...           [{"visitors": 42, "relative_visitors": 0.24, "country": "jp"}]
        ...           )[0]["country_code"]
        'jp'
    """
    return [{**_row(domain_id, day, item, endpoint), **(extra or {})} for item in items_of(data)]


def object_row(domain_id: str, day: date, endpoint: S.Endpoint, data: Any) -> list[dict[str, Any]]:
    """The one row of an object answer (``platform``); nothing for ``null``."""
    return [_row(domain_id, day, data, endpoint)] if isinstance(data, Mapping) else []


def key_of(row: Mapping[str, Any], keys: Iterable[str]) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in keys)


def dedupe(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    """Drop repeated keys (a row that moved across a page boundary); keep the first.

    Example:
        >>> dedupe([{"path": "/"}, {"path": "/a"}, {"path": "/"}], ("path",))
        ([{'path': '/'}, {'path': '/a'}], 1)
    """
    seen: set[tuple[Any, ...]] = set()
    out = []
    for row in rows:
        k = key_of(row, keys)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out, len(rows) - len(out)


def goal_rows(domain_id: str, day: date, data: Any
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``/statistics/goals`` → (daily stats rows, goal definition rows).

    Example:
        >>> daily, goals = goal_rows("d1", date(2026, 4, 1), [{"page_goal": {"id": "g1",
        ...     "name": "Signup"}, "stats": {"visitors": 4, "views": 5, "cr": 0.1}}])
        >>> daily[0]["goal_id"], daily[0]["cr"], goals[0]["name"]
        ('g1', 0.1, 'Signup')
    """
    endpoint = S.ENDPOINTS["conversion_goals_daily"]
    daily, goals = [], []
    for item in items_of(data):
        goal = item.get("page_goal") if isinstance(item.get("page_goal"), Mapping) else {}
        stats = item.get("stats") if isinstance(item.get("stats"), Mapping) else {}
        goal_id = "" if goal.get("id") is None else str(goal["id"])
        daily.append(_row(domain_id, day, {**stats, "goal_id": goal_id}, endpoint))
        definition = {f: typed(goal.get(f), t, f) for f, t in S.GOAL_COLUMNS.items()}
        goals.append({**definition, "id": goal_id, "domain_id": definition["domain_id"] or
                      domain_id})
    return daily, goals


def event_meta_keys(events: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Every ``(event name, meta key)`` pair an events list names, in order.

    Example:
        >>> event_meta_keys([{"name": "Buy", "meta_keys": ["plan", "size"]},
        ...                  {"name": "Visit", "meta_keys": None}])
        [('Buy', 'plan'), ('Buy', 'size')]
    """
    pairs = []
    for event in events:
        name = event.get("name")
        for meta_key in event.get("meta_keys") or []:
            if isinstance(name, str) and isinstance(meta_key, str):
                pairs.append((name, meta_key))
    return list(dict.fromkeys(pairs))


def event_meta_rows(domain_id: str, day: date, event: str, meta_key: str,
                    data: Any) -> list[dict[str, Any]]:
    """``/statistics/event/meta`` rows for one event and meta key."""
    endpoint = S.ENDPOINTS["event_metadata_daily"]
    return [{**_row(domain_id, day, item, endpoint), "name": event, "meta_key": meta_key}
            for item in items_of(data)]


def domain_rows(data: Any) -> list[dict[str, Any]]:
    """The ``domains`` table: the kept fields of every domain the client reads."""
    return [{f: typed(item.get(f), t, f) for f, t in S.DOMAIN_COLUMNS.items()}
            for item in items_of(data)]
