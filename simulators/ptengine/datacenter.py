"""``POST /open-api/v1/datacenter/query`` (§2.4): overview, dimension_table, metric_curve."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sources.ptengine import settings

from . import fmt, labels
from .alloc import Counts, add_into
from .catalog import DEVICE_TYPES, DIM_ALIASES, DIMS
from .query import (
    Filter,
    bucket,
    days,
    page_metric,
    page_rows,
    page_title,
    site_metric,
    table,
    totals,
)
from .validate import (
    ApiError,
    Ctx,
    choice,
    conversion_name,
    date_range,
    filters,
    query_type,
    require,
)

REQUIRED = {"overview": ("topic",), "dimension_table": ("dimension",),
            "metric_curve": ("metric", "granularity")}
STATE_COUNTRY = {state: country for country, options in DIMS["state"].options.items()
                 for state, _ in options}
DEVICE_LISTS = {"PC": ("osVersion", "resolution", "browserVersion"),
                "Mobile": ("osVersion", "brand", "browserVersion"),
                "Tablet": ("osVersion", "brand", "browserVersion")}


def handle(ctx: Ctx) -> dict[str, Any]:
    """Validate in the doc's order, then answer one of the three query types."""
    body = ctx.body
    qtype = query_type(body, settings.DATACENTER_QUERY_TYPES)
    require(body, "startDate", "endDate", *REQUIRED[qtype])
    start, end = date_range(ctx)
    if qtype == "overview":
        topic = choice(body, "topic", settings.OVERVIEW_TOPICS)
        _no_conversion_name(body, "overview")
        fl = filters(body)
        return {"topic": topic, **OVERVIEW[topic](ctx, fl, start, end)}
    if qtype == "dimension_table":
        return _dimension_table(ctx, start, end)
    return metric_curve(ctx, start, end, settings.DATACENTER_METRICS, conversion_metrics=(
        settings.CURVE_CONVERSION_METRICS))


def _no_conversion_name(body: dict[str, Any], where: str) -> None:
    if body.get("conversionName") not in (None, ""):
        raise ApiError(4018, f"conversionName is not supported for {where}")


def sum_days(ctx: Ctx, start: dt.date, end: dt.date, fl: list[Filter],
             dim: str | None = None) -> dict[str, Counts]:
    """Totals (``dim=None``, key ``""``) or a dimension's rows summed over the range."""
    out: dict[str, Counts] = {}
    for day in days(start, end):
        m = ctx.day(day)
        rows = {"": totals(m, fl)} if dim is None else table(m, dim, fl)
        for key, c in rows.items():
            add_into(out.setdefault(key, {}), c)
    return out


# --- overview ------------------------------------------------------------------------


def _metrics(ctx: Ctx, fl: list[Filter], start: dt.date, end: dt.date) -> dict[str, Any]:
    c = sum_days(ctx, start, end, fl)[""]
    return {"metrics": {m: {"value": fmt.overview_value(m, site_metric(m, c)),
                            **labels.text(labels.SITE, m, ctx.lang)}
                        for m in settings.OVERVIEW_METRICS}}


def _sources(ctx: Ctx, fl: list[Filter], start: dt.date, end: dt.date) -> dict[str, Any]:
    rows = sum_days(ctx, start, end, fl, "sourceType")
    total = sum_days(ctx, start, end, fl)[""]
    return {"totalVisits": total.get("visits", 0),
            "rows": _ranked([{"sourceType": k, "visits": c["visits"]} for k, c in rows.items()])}


def _location(ctx: Ctx, fl: list[Filter], start: dt.date, end: dt.date) -> dict[str, Any]:
    out: dict[str, int] = {}
    for key, c in sum_days(ctx, start, end, fl, "state").items():
        out[key] = c.get("visits", 0)
    return {"rows": _ranked([{"country": STATE_COUNTRY[s], "state": s, "visits": v}
                             for s, v in out.items() if v])}


def _device(ctx: Ctx, fl: list[Filter], start: dt.date, end: dt.date) -> dict[str, Any]:
    visits = {d: 0 for d in DEVICE_TYPES}
    lists: dict[str, dict[str, dict[str, int]]] = {d: {} for d in DEVICE_TYPES}
    for day in days(start, end):
        m = ctx.day(day)
        for d, c in table(m, "deviceType", fl).items():
            visits[d] += c["visits"]
        for dim in ("osVersion", "resolution", "brand", "browserVersion"):
            for d in DEVICE_TYPES:
                rows = table(m, dim, [*fl, Filter("deviceType", "include", (d,))])
                for name, c in rows.items():
                    per = lists[d].setdefault(dim, {})
                    per[name] = per.get(name, 0) + c["visits"]
    out = []
    for d in DEVICE_TYPES:
        if not visits[d]:
            continue
        row: dict[str, Any] = {"deviceType": d, "visits": visits[d]}
        for dim in DEVICE_LISTS[d]:
            row[dim] = _ranked([{"name": k, "visits": v}
                                for k, v in lists[d].get(dim, {}).items() if v])
        out.append(row)
    return {"rows": out}


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["visits"], [str(v) for v in r.values()]))


OVERVIEW = {"metrics": _metrics, "sources": _sources, "location": _location, "device": _device}


# --- dimension_table -----------------------------------------------------------------


def _dimension_table(ctx: Ctx, start: dt.date, end: dt.date) -> dict[str, Any]:
    body = ctx.body
    dim = choice(body, "dimension", settings.DATACENTER_DIMENSIONS)
    kind = settings.dimension_table_kind(dim)
    metrics = settings.DIMENSION_TABLE_METRICS[kind]
    dim_columns = ["url", "title"] if dim in settings.PAGE_URL_DIMENSIONS else [dim]
    columns = [{"name": n, "type": "dimension", "dataType": "STRING"} for n in dim_columns]
    columns += [{"name": m, "type": "metric",
                 "dataType": fmt.column_type(settings.DIMENSION_TABLE_COLUMN_TYPES[m]),
                 **labels.text(labels.SITE, m, ctx.lang)} for m in metrics]
    names = [c["name"] for c in columns]
    default_sort = metrics[0]
    sort_by = choice(body, "sortBy", names, default=default_sort)
    sort_order = choice(body, "sortOrder", settings.SORT_ORDERS, code=4019, default="desc")
    limit = body.get("limit", settings.DIMENSION_TABLE_MAX_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or \
            not 1 <= limit <= settings.DIMENSION_TABLE_MAX_LIMIT:
        raise ApiError(4019, f"limit must be an integer from 1 to "
                             f"{settings.DIMENSION_TABLE_MAX_LIMIT}")
    if dim in settings.NO_CONVERSION_DIMENSIONS:
        _no_conversion_name(body, f"dimension {dim}")
    goal_ids = conversion_name(body)
    fl = filters(body)
    raw_rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if kind == "pages":
        summed: dict[str, Counts] = {}
        for day in days(start, end):
            for key, c in page_rows(ctx.day(day), dim, fl).items():
                add_into(summed.setdefault(key, {}), c)
        for key, c in summed.items():
            if c.get("page_view", 0):
                head = {"url": key, "title": page_title(key)} if dim != "pageGroup" \
                    else {"pageGroup": key}
                raw_rows.append((head, {m: page_metric(m, c) for m in metrics}))
    else:
        partition = DIM_ALIASES.get(dim, dim)
        for key, c in sum_days(ctx, start, end, fl, partition).items():
            if c.get("visits", 0):
                head = {"url": key, "title": page_title(key)} if dim in \
                    settings.ENTRY_PAGE_DIMENSIONS else {dim: key}
                raw_rows.append((head, {m: site_metric(m, c, goal_ids) for m in metrics}))
    raw_rows.sort(key=lambda r: [str(v) for v in r[0].values()])
    raw_rows.sort(key=lambda r: {**r[0], **r[1]}[sort_by], reverse=sort_order == "desc")
    rows = [{**head, **{m: fmt.site_value(m, v) for m, v in values.items()}}
            for head, values in raw_rows[:limit]]
    return {"columns": columns, "rows": rows}


# --- metric_curve --------------------------------------------------------------------


def metric_curve(ctx: Ctx, start: dt.date, end: dt.date, allowed: Any,
                 conversion_metrics: tuple[str, ...],
                 rename: dict[str, str] | None = None) -> dict[str, Any]:
    """A zero-filled series of one metric (shared with ``/conversion/query``).

    ``rename`` maps the request's metric name to the data-center one (``completions``
    -> ``conversions``).
    """
    body = ctx.body
    metric = choice(body, "metric", tuple(allowed))
    granularity = choice(body, "granularity", settings.GRANULARITIES)
    if granularity == "hour" and start != end:
        raise ApiError(4002, "granularity 'hour' needs startDate == endDate")
    goal_ids = None
    if rename is None:
        if metric not in conversion_metrics:
            _no_conversion_name(body, f"metric {metric}")
        goal_ids = conversion_name(body)
    fl = filters(body)
    source = (rename or {}).get(metric, metric)
    buckets: dict[str, Counts] = {}
    for day in days(start, end):
        m = ctx.day(day)
        if granularity == "hour":
            for hour, c in table(m, "hour", fl).items():
                buckets[f"{day.isoformat()}T{hour}"] = c
        else:
            add_into(buckets.setdefault(bucket(day, granularity), {}), totals(m, fl))
    points = [{"time": t, "value": fmt.site_value(source, site_metric(source, c, goal_ids))}
              for t, c in buckets.items()]
    return {"metric": metric, "granularity": granularity, "points": points}
