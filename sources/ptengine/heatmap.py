"""Heatmap tables (§2.2): page metrics, page insights, blocks and elements of configured pages.

One call per day per page per device type (per ``funName`` for insights, per segment),
oldest day first. A page the product has not scanned (``4008`` blocks, ``4016``
elements) is skipped with a warning naming it, for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from sources.common.errors import SkippableItemError
from sources.common.progress import telemetry
from sources.common.values import to_snake
from sources.ptengine import settings as S
from sources.ptengine.config import PtengineConfig
from sources.ptengine.config_reports import HEATMAP_QUERY
from sources.ptengine.planner import Call
from sources.ptengine.resources import KEY, RunContext, column_hints, per_day
from sources.ptengine.shaping import _typed

FAMILY = {"page_metrics": "heatmap_page", "page_insight": "heatmap_page",
          "block_metrics": "heatmap_block", "element_metrics": "heatmap_element"}
GRAIN = {
    "page_metrics_daily": ["url", "device_type"],
    "page_insights_daily": ["url", "device_type", "fun_name", "name"],
    "page_blocks_daily": ["url", "device_type", "block_name"],
    "page_elements_daily": ["url", "device_type", "element_name"],
}
_SKIPPED: dict[str, set[tuple[str, str, str]]] = {}  # run id -> (query, url, device)


# --- calls ------------------------------------------------------------------------------
def day_calls(cfg: PtengineConfig, name: str, seg: str, day: date) -> list[Call]:
    """The calls of one heatmap table for one day and segment."""
    hm = cfg.heatmap
    query = HEATMAP_QUERY[name]
    base: dict[str, Any] = {"queryType": query, "startDate": day.isoformat(),
                            "endDate": day.isoformat(), "rangeType": hm.range_type,
                            "lang": cfg.lang}
    if hm.conversion_names:
        base["conversionNames"] = list(hm.conversion_names)
    if query == "block_metrics":
        base["stayTimeFilter"] = hm.stay_time_filter
    filters = cfg.filters_for(seg)
    if filters:
        base["filters"] = filters
    funs: tuple[str | None, ...] = hm.insights if query == "page_insight" else (None,)
    calls = []
    for url in hm.pages:
        for device in hm.device_types:
            for fun in funs:
                body = {**base, "url": url, "deviceType": device,
                        **({"funName": fun} if fun else {})}
                tag = " ".join(p for p in (url, device, fun) if p)
                calls.append(Call(name, "POST", S.PATH_HEATMAP_QUERY, body, seg, day, tag))
    return calls


# --- shaping ----------------------------------------------------------------------------
def entry_columns(query: str, entry: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    """Typed metric columns of one ``{metrics, conversions}`` entry, the conversions as a
    child list, and the metric definitions (label, description) it carried."""
    known = S.HEATMAP_METRICS_BY_QUERY[query]
    row: dict[str, Any] = {}
    defs = []
    for field, cell in (entry.get("metrics") or {}).items():
        value = cell.get("value") if isinstance(cell, Mapping) else cell
        row[to_snake(field)] = _typed(field, value, known)
        if isinstance(cell, Mapping) and cell.get("label"):
            defs.append({"field": field, "label": cell.get("label"),
                         "description": cell.get("description"), "data_type": known.get(field)})
    conversions = []
    for conv in entry.get("conversions") or []:
        item: dict[str, Any] = {"conversion_name": conv.get("conversionName")}
        for field in S.HEATMAP_CONVERSION_METRICS:
            cell = conv.get(field)
            if cell is not None:
                value = cell.get("value") if isinstance(cell, Mapping) else cell
                item[to_snake(field)] = _typed(field, value, known)
        conversions.append(item)
    row["conversions"] = conversions
    return row, defs


def heatmap_rows(profile_id: str, segment: str, day: date, body: Mapping[str, Any],
                 data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict]]:
    """Rows of one heatmap answer (any query type) and the definitions it carried."""
    query = str(body["queryType"])
    base = {"profile_id": profile_id, "segment": segment, "date": day, "url": body["url"],
            "device_type": body["deviceType"]}
    rows, defs = [], []
    if query == "page_metrics":
        entries: list[tuple[dict[str, Any], Mapping[str, Any]]] = [({}, data)]
    elif query == "page_insight":
        entries = [({"fun_name": body["funName"], "name": str(e.get("name"))}, e)
                   for e in data.get("insights") or []]
    elif query == "block_metrics":
        entries = [({"block_name": e.get("blockName"), "screenshot_url": e.get("screenshotUrl"),
                     "stay_time_filter": body.get("stayTimeFilter")}, e)
                   for e in data.get("blocks") or []]
    else:
        entries = [({"element_name": e.get("elementName")}, e)
                   for e in data.get("elements") or []]
    for head, entry in entries:
        cols, d = entry_columns(query, entry)
        rows.append({**base, **head, **cols})
        defs += d
    return rows, defs


# --- resources --------------------------------------------------------------------------
def heatmap_table(ctx: RunContext, name: str) -> Iterator[Any]:
    skipped = _SKIPPED.setdefault(ctx.run_id, set())

    def fetch(day: date, calls: list[Call]) -> tuple[list[dict[str, Any]], list[Any]]:
        rows: list[dict[str, Any]] = []
        defs: list[Any] = []
        for call in calls:
            item = (call.body["queryType"], call.body["url"], call.body["deviceType"])
            if item in skipped:
                continue
            try:
                data = ctx.execute(call)
            except SkippableItemError as exc:
                skipped.add(item)
                telemetry().warn(f"{name}: page {item[1]} ({item[2]}) skipped for this run: "
                                 f"{exc.code} {exc.api_message}")
                continue
            got, d = heatmap_rows(ctx.cfg.profile_id, call.segment, day, call.body, data)
            rows += got
            defs += ctx.definitions(FAMILY[item[0]], d)
        return rows, defs

    yield from per_day(ctx, name, fetch)


def hints(name: str) -> dict[str, Any]:
    """dlt hints: per-day delete-insert on the profile, segment and day; typed metrics."""
    query = HEATMAP_QUERY[name]
    cols = column_hints(dict(S.HEATMAP_METRICS_BY_QUERY[query]))
    for column in GRAIN[name]:
        cols[column] = {"data_type": "text", "nullable": False}
    if name == "page_blocks_daily":
        cols["screenshot_url"] = {"data_type": "text"}
        cols["stay_time_filter"] = {"data_type": "double"}
    return {"primary_key": [*KEY, *GRAIN[name]], "columns": cols, "merge_key": KEY,
            "write_disposition": {"disposition": "merge", "strategy": "delete-insert"}}
