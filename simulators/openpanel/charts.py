"""``GET /export/charts`` over the event model: series × breakdown values × interval.

Counts come from the same events ``/export/events`` pages through, so a chart of
``screen_view`` by ``country`` sums to the ``screen_view`` rows of the events table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .model import Attrs, EventModel

Bucket = Callable[[dt.datetime], dt.datetime]


def bucket_for(interval: str) -> Bucket:
    """The start of the interval an instant falls in."""
    if interval == "minute":
        return lambda t: t.replace(second=0, microsecond=0)
    if interval == "hour":
        return lambda t: t.replace(minute=0, second=0, microsecond=0)
    if interval == "week":
        return lambda t: (t - dt.timedelta(days=t.weekday())).replace(hour=0, minute=0,
                                                                      second=0, microsecond=0)
    if interval == "month":
        return lambda t: t.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return lambda t: t.replace(hour=0, minute=0, second=0, microsecond=0)


def range_days(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days of a predefined ``range`` (UTC)."""
    spans = {"30min": 0, "lastHour": 0, "today": 0, "7d": 6, "30d": 29, "6m": 182, "12m": 364}
    if name in spans:
        return today - dt.timedelta(days=spans[name]), today
    if name == "yesterday":
        return today - dt.timedelta(days=1), today - dt.timedelta(days=1)
    if name == "monthToDate":
        return today.replace(day=1), today
    if name == "lastMonth":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if name == "yearToDate":
        return today.replace(month=1, day=1), today
    return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)  # lastYear


def matches(attrs: Attrs, f: dict[str, Any]) -> bool:
    """Whether an event passes one filter (``name``, ``operator``, ``value``)."""
    raw = attrs.value(f["name"])
    text = "" if raw is None else str(raw)
    values = [str(v) for v in f.get("value") or []]
    op = f["operator"]
    if op == "isNull":
        return text == ""
    if op == "isNotNull":
        return text != ""
    tests = {"is": lambda v: text == v, "isNot": lambda v: text != v,
             "contains": lambda v: v in text, "doesNotContain": lambda v: v not in text,
             "startsWith": text.startswith, "endsWith": text.endswith,
             "regex": lambda v: re.search(v, text) is not None}
    if op in ("isNot", "doesNotContain"):
        return all(tests[op](v) for v in values)
    return any(tests[op](v) for v in values)


def _aggregate(segment: str, prop: str | None, events: list[Attrs]) -> float:
    if segment == "event":
        return len(events)
    users = {(a.anonymous, a.profile) for a in events}
    if segment in ("user", "one_event_per_user"):
        return len(users)
    if segment == "session":
        return len({a.session for a in events})
    if segment == "user_average":
        return round(len(events) / len(users), 2) if users else 0
    values = [float(v) for a in events if isinstance(v := a.value(prop or ""), int | float)]
    if not values:
        return 0
    if segment == "property_sum":
        return round(sum(values), 2)
    if segment == "property_average":
        return round(sum(values) / len(values), 2)
    return min(values) if segment == "property_min" else max(values)


def _collect(model: EventModel, series: dict[str, Any], breakdowns: list[str],
             first: dt.date, last: dt.date, bucket: Bucket
             ) -> dict[tuple[str, ...], dict[dt.datetime, list[Attrs]]]:
    out: dict[tuple[str, ...], dict[dt.datetime, list[Attrs]]] = defaultdict(
        lambda: defaultdict(list))
    day = first
    while day <= last:
        for j in model.iter_day(day):
            a = model.attributes(day, j)
            if a.name != series["name"] or not all(matches(a, f) for f in series["filters"]):
                continue
            key = tuple(str(a.value(b) or "(not set)") for b in breakdowns)
            when = dt.datetime.fromtimestamp(model.created_ms(day, j) / 1000, dt.UTC)
            out[key][bucket(when)].append(a)
        day += dt.timedelta(days=1)
    return out


def _metrics(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"sum": 0, "average": 0, "min": 0, "max": 0}
    return {"sum": round(sum(values), 2), "average": round(sum(values) / len(values), 2),
            "min": min(values), "max": max(values)}


def _previous(current: float, before: float) -> dict[str, Any]:
    diff = round((current - before) / before * 100, 2) if before else None
    state = "neutral" if diff in (None, 0) else ("positive" if diff > 0 else "negative")
    return {"value": before, "diff": diff, "state": state}


def chart(model: EventModel, series_list: list[dict[str, Any]], breakdowns: list[str],
          interval: str, first: dt.date, last: dt.date, previous: bool) -> dict[str, Any]:
    """The charts answer (NOTES.md: each point's ``previous`` is ``{value, diff, state}``)."""
    bucket = bucket_for(interval)
    span = (last - first).days + 1
    buckets = sorted({bucket(dt.datetime.combine(first + dt.timedelta(days=i), dt.time(),
                                                 dt.UTC)) for i in range(span)}) \
        if interval in ("day", "week", "month") else None
    out_series: list[dict[str, Any]] = []
    totals: list[float] = []
    for n, series in enumerate(series_list):
        now = _collect(model, series, breakdowns, first, last, bucket)
        before = _collect(model, series, breakdowns, first - dt.timedelta(days=span),
                          first - dt.timedelta(days=1), bucket) if previous else {}
        for key in sorted(now):
            points = buckets or sorted(now[key])
            data, values = [], []
            for when in points:
                value = _aggregate(series["segment"], series.get("property"),
                                   now[key].get(when, []))
                point: dict[str, Any] = {"date": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                         "count": value}
                if previous:
                    prev_events = before.get(key, {}).get(
                        bucket(when - dt.timedelta(days=span)), [])
                    point["previous"] = _previous(value, _aggregate(
                        series["segment"], series.get("property"), prev_events))
                data.append(point)
                values.append(value)
            names = [series["name"], *key]
            out_series.append({
                "id": "-".join(re.sub(r"[^a-z0-9]+", "-", x.lower()).strip("-") for x in names),
                "names": names, "event": {"id": f"evt{n + 1}", "name": series["name"]},
                "metrics": _metrics(values), "data": data})
            totals += values
    return {"series": out_series, "metrics": _metrics(totals)}

