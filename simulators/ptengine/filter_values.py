"""``POST /open-api/v1/filter-values`` (§2.1; also the legacy ``/heatmap/filter-values``)."""

from __future__ import annotations

from typing import Any

from sources.ptengine import settings

from .catalog import EVENT_PROPERTIES, EVENTS, FILTER_DIMS, GOALS
from .model import DayModel
from .query import days
from .validate import ApiError, Ctx, date_range, present, require


def handle(ctx: Ctx) -> dict[str, Any]:
    """Values with data in the range (default: the last 30 days), busiest first."""
    body = ctx.body
    require(body, "name")
    name = body["name"]
    if name not in settings.FILTER_FIELDS:
        raise ApiError(4018, f"name '{name}' is not a filter field")
    search = body.get("search")
    if search is not None and not isinstance(search, str):
        raise ApiError(4018, "search must be a string")
    start, end = date_range(ctx, required=False)
    models = [ctx.day(d) for d in days(start, end)]
    extra: dict[str, Any] = {}
    values: list[Any]
    if name in settings.FIXED_FILTER_VALUES:
        values = list(settings.FIXED_FILTER_VALUES[name])
    elif name == "conversionName":
        values = [g.name for g in GOALS]
    elif name == "eventName":
        values = _ranked({e: sum(m.root[f"ev:{e}"] for m in models) for e in EVENTS})
    elif name == "eventDimension" and not (present(body, "eventName")
                                           or present(body, "eventVariant")):
        values = [{"eventName": e, "eventVariant": p} for e, props in EVENTS.items()
                  for p in props if any(m.root[f"ev:{e}"] for m in models)]
    elif name == "eventDimension":
        require(body, "eventName", "eventVariant")
        extra = {"eventName": body["eventName"], "eventVariant": body["eventVariant"]}
        values = _property_values(models, [str(body["eventName"])], str(body["eventVariant"]))
    elif name == "dimension" and present(body, "eventVariant"):
        extra = {"eventVariant": body["eventVariant"]}
        values = _property_values(models, list(EVENTS), str(body["eventVariant"]))
    elif name == "dimension":
        values = list(EVENT_PROPERTIES)
    else:
        counts: dict[str, int] = {}
        for m in models:
            for cat, c in m.partition(FILTER_DIMS[name]).items():
                counts[cat] = counts.get(cat, 0) + c["visits"]
        values = _ranked(counts)
    if search:
        needle = search.lower()
        values = [v for v in values if needle in (v if isinstance(v, str) else
                                                  f"{v['eventName']} {v['eventVariant']}").lower()]
    return {"filterName": name, **extra, "values": values}


def _property_values(models: list[DayModel], events: list[str], prop: str) -> list[str]:
    counts: dict[str, int] = {}
    for m in models:
        for event in events:
            for value, c in m.props(event, prop):
                counts[value] = counts.get(value, 0) + c["ev"]
    return _ranked(counts)


def _ranked(counts: dict[str, int]) -> list[str]:
    return [k for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0]
