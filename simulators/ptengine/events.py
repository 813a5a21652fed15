"""``POST /open-api/v1/event/query`` and ``GET /open-api/v1/event/fields`` (§2.3)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from sources.ptengine import settings

from . import labels
from .alloc import Counts, allocate, clamp, ratio, round_half_up
from .catalog import EVENT_GOALS, EVENTS, FILTER_DIMS, GOAL_BY_ID, GOALS, NOT_SET
from .model import DayModel
from .query import Filter, bucket, chain, days, table, totals
from .validate import ApiError, Ctx, date_range, filters, require, string_list

TIME = settings.EVENT_TIME_DIMENSIONS
ONE = Fraction(1)
DIM_FILTER_NAMES = {dim: name for name, dim in FILTER_DIMS.items()}
Row = tuple[tuple[str, ...], Counts]


def fields(lang: str) -> dict[str, Any]:
    """Every metric and dimension with labels in ``lang`` and a category."""
    i = {"EN": 1, "ZH": 2, "JP": 3}[lang]
    dims = []
    for name in settings.EVENT_DIMENSIONS:
        entry = labels.EVENT_DIMENSIONS[name]
        description = labels.EVENT_DIMENSION_DESCRIPTIONS.get(name) if lang == "EN" else None
        dims.append({"field": name, "label": entry[i],
                     "description": description or f"{entry[i]}.",
                     "dataType": "DATE" if name in ("day", "week") else "STRING",
                     "category": entry[0]})
    return {"metrics": [{"field": m, **labels.text(labels.EVENT_METRICS, m, lang), "dataType": t}
                        for m, t in settings.EVENT_METRICS.items()],
            "dimensions": dims}


def _dimensions(raw: Any) -> list[str | dict[str, str]]:
    """Validate ``dimensions`` (4018 for shape, names and counts)."""
    if not isinstance(raw, list) or not raw:
        raise ApiError(4018, "dimensions must be a non-empty array")
    out: list[str | dict[str, str]] = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            if item.get("name") != "eventDimension" or set(item) - {"name", "eventVariant"}:
                raise ApiError(4018, f"dimensions[{i}] must be a dimension name or "
                                     '{"name": "eventDimension", "eventVariant": "<property>"}')
            if not isinstance(item.get("eventVariant"), str) or not item["eventVariant"]:
                raise ApiError(4013, f"'dimensions[{i}].eventVariant' is required")
            out.append({"name": "eventDimension", "eventVariant": item["eventVariant"]})
        elif item in settings.EVENT_DIMENSIONS:
            out.append(item)
        else:
            raise ApiError(4018, f"dimensions[{i}] '{item}' is not an event dimension")
    if len({str(d) for d in out}) < len(out):
        raise ApiError(4018, "dimensions must not repeat")
    if "eventName" not in out:
        raise ApiError(4018, 'dimensions must include "eventName"')
    time_dims = [d for d in out if d in TIME]
    if len(time_dims) > settings.EVENT_MAX_TIME_DIMENSIONS:
        raise ApiError(4018, f"at most {settings.EVENT_MAX_TIME_DIMENSIONS} time dimension "
                             f"({', '.join(TIME)})")
    if len(out) - len(time_dims) > settings.EVENT_MAX_NON_TIME_DIMENSIONS:
        raise ApiError(4018, f"at most {settings.EVENT_MAX_NON_TIME_DIMENSIONS} non-time "
                             "dimensions")
    return out


def handle(ctx: Ctx) -> dict[str, Any]:
    """Validate, then group event counts by the requested dimensions."""
    body = ctx.body
    require(body, "startDate", "endDate", "dimensions")
    start, end = date_range(ctx)
    dims = _dimensions(body["dimensions"])
    metrics = string_list(body, "metrics") or list(settings.EVENT_DEFAULT_METRICS)
    unknown = [m for m in metrics if m not in settings.EVENT_METRICS]
    if unknown or len(set(metrics)) < len(metrics):
        raise ApiError(4018, f"metrics must be among {', '.join(settings.EVENT_METRICS)}")
    fl = filters(body)
    needs_event = any(isinstance(d, dict) or (d != "eventName" and d not in TIME) for d in dims) \
        or any(f.name == "eventDimension" for f in fl)
    if needs_event and not any(f.name == "eventName" and f.op == "include" for f in fl):
        raise ApiError(4018, 'this query needs an eventName filter: {"name": "eventName", '
                             '"op": "include", "value": ["<event name>"]}')
    events = [e for e in EVENTS if all(f.passes(e) for f in fl if f.name == "eventName")]
    time_dim = next((d for d in dims if d in TIME), None)
    levels = [d for d in dims if d != "eventName" and d not in TIME]
    goal_ids = [g.id for g in GOALS]
    if "conversionName" in dims:  # the conversionName filter picks the rows, not a share
        picked = [g for f in fl if f.name == "conversionName" and f.op == "include"
                  for g in f.goal_ids]
        goal_ids = [g for g in goal_ids if g in picked] if picked else goal_ids
        goal_ids = [g for g in goal_ids if all(g not in f.goal_ids for f in fl
                                               if f.name == "conversionName"
                                               and f.op == "exclude")]
        fl = [f for f in fl if f.name != "conversionName"]
    merged: dict[tuple[str, ...], list[int]] = {}
    for day in days(start, end):
        for key, c in _day_rows(ctx.day(day), day, time_dim, levels, fl, events, goal_ids):
            for e in events:
                if c.get(f"ev:{e}", 0):
                    slot = merged.setdefault((*key, e), [0, 0])
                    slot[0] += c[f"ev:{e}"]
                    slot[1] += c.get(f"evs:{e}", 0)
    names = [d if isinstance(d, str) else d["eventVariant"] for d in dims]
    order = ([time_dim] if time_dim else []) + levels  # the order of a key's values
    rows: list[dict[str, Any]] = []
    for key, (count, sessions) in merged.items():
        *values, event = key
        row: dict[str, Any] = {}
        for d, name in zip(dims, names, strict=True):
            row[name] = event if d == "eventName" else values[order.index(d)]
        row.update({m: count if m == "eventCount" else sessions for m in metrics})
        rows.append(row)
    time_name = time_dim or ""
    rows.sort(key=lambda r: (r.get(time_name, ""), -r.get(metrics[0], 0),
                             [str(r[n]) for n in names]))
    columns = [{"name": n, "type": "dimension",
                "dataType": "DATE" if d in ("day", "week") else "STRING"}
               for d, n in zip(dims, names, strict=True)]
    columns += [{"name": m, "type": "metric", "dataType": settings.EVENT_METRICS[m]}
                for m in metrics]
    return {"columns": columns, "rows": rows}


def _day_rows(m: DayModel, day: dt.date, time_dim: str | None, levels: list[Any],
              fl: list[Filter], events: list[str], goal_ids: list[str]) -> list[Row]:
    """One day's rows keyed by (time label, level values...)."""
    total = totals(m, fl)
    if time_dim == "hour":
        rows: list[Row] = [((f"{day.isoformat()}T{h}",), c)
                           for h, c in table(m, "hour", fl).items()]
    else:
        rows = [((bucket(day, time_dim, "event"),) if time_dim else (), total)]
    offset = 1 if time_dim else 0
    for i, level in enumerate(levels):
        rows = [(key + (value,), child) for key, c in rows
                for value, child in _split(m, level, c, total, fl, events, goal_ids,
                                           dict(zip(levels[:i], key[offset:], strict=True)))]
    return rows


def _context(m: DayModel, dim: str, context: dict[Any, str]) -> list[Filter]:
    """Filters that keep a nested level inside the hierarchy of the row's earlier values.

    E.g. a ``utmSource`` level under a ``sourceType=Search`` row gets no UTM sources, a
    ``deviceType`` level under ``os=iOS`` only ``Mobile``, a ``browser`` level under
    ``os=Windows`` only PC browsers.
    """
    lineage = chain(dim)
    out = []
    for name, value in context.items():
        prev = FILTER_DIMS.get(name) if isinstance(name, str) else None
        if prev is None or prev == dim:
            continue
        if prev in lineage:
            out.append(Filter(name, "include", (value,)))
            continue
        for shared in (d for d in chain(prev)[1:] if d in lineage):
            depth = len(chain(shared)) - 1
            cats = sorted({n.path[depth] for n in m.nodes(prev) if n.cat == value})
            out.append(Filter(DIM_FILTER_NAMES[shared], "include", tuple(cats)))
    return out


def _split(m: DayModel, level: str | dict[str, str], c: Counts, total: Counts,
           fl: list[Filter], events: list[str], goal_ids: list[str],
           context: dict[Any, str]) -> list[tuple[str, Counts]]:
    """Split one row's event counts over the values of ``level``.

    ``context`` holds the row's values of the earlier levels.
    """
    keys = [k for e in events for k in (f"ev:{e}", f"evs:{e}")]
    if level == "conversionName":
        out = []
        for gid in goal_ids:
            child: Counts = {}
            for e in events:
                share = ONE if (e, gid) in EVENT_GOALS else \
                    min(ONE, 8 * ratio(total.get(f"goal:{gid}", 0), total.get("visits", 0)))
                child[f"ev:{e}"] = round_half_up(c.get(f"ev:{e}", 0) * share)
                child[f"evs:{e}"] = min(round_half_up(c.get(f"evs:{e}", 0) * share),
                                        child[f"ev:{e}"])
            out.append((GOAL_BY_ID[gid].name, child))
        return out
    if isinstance(level, dict):
        return _split_property(m, level["eventVariant"], c, fl, events)
    dim = FILTER_DIMS[level]
    scope = fl + _context(m, dim, context)
    weights = table(m, dim, scope)
    scoped = totals(m, scope) if len(scope) > len(fl) else total
    cats = list(weights)
    children: list[Counts] = [{} for _ in cats]
    for k in keys:
        w = [weights[cat].get(k, 0) for cat in cats]
        w.append(max(scoped.get(k, 0) - sum(w), 0))  # outside the partition: not reported
        for child, n in zip(children, allocate(c.get(k, 0), w), strict=False):
            child[k] = n
    for e in events:
        clamp(children, f"evs:{e}", (f"ev:{e}",))
    return list(zip(cats, children, strict=True))


def _split_property(m: DayModel, prop: str, c: Counts, fl: list[Filter],
                    events: list[str]) -> list[tuple[str, Counts]]:
    out: dict[str, Counts] = {}
    for e in events:
        options = [(v, w) for v, w in m.props(e, prop)
                   if all(f.passes(v) for f in fl if f.name == "eventDimension"
                          and f.event_name == e and f.event_variant == prop)]
        if not EVENTS[e].get(prop):
            out.setdefault(NOT_SET, {})[f"ev:{e}"] = c.get(f"ev:{e}", 0)
            out[NOT_SET][f"evs:{e}"] = c.get(f"evs:{e}", 0)
            continue
        for k, w_key in ((f"ev:{e}", "ev"), (f"evs:{e}", "evs")):
            parts = allocate(c.get(k, 0), [w[w_key] for _, w in options])
            for (value, _), n in zip(options, parts, strict=True):
                out.setdefault(value, {})[k] = n
        rows = [out[v] for v, _ in options]
        clamp(rows, f"evs:{e}", (f"ev:{e}",))
    return list(out.items())
