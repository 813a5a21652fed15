"""``POST /open-api/v1/conversion/query`` (§2.5) and ``/conversion/goals``."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from random import Random
from typing import Any

from sources.ptengine import settings

from . import fmt, labels
from .alloc import allocate, ratio
from .catalog import FUNNEL_ENTRY_URLS, GOALS, PAGES, Goal
from .datacenter import metric_curve, sum_days
from .model import DayModel
from .query import Filter, days, money, totals
from .validate import ApiError, Ctx, date_range, filters, goals_containing, query_type, require

# the secondary name of each source type in sources_breakdown
SOURCE_NAMES = {"Search": "search", "Social": "socialMedia", "Referral": "referralUrl",
                "Campaign": "campaignUrl", "AISearch": "aiName"}
DIRECT_NAME = "no refer"
REQUIRED = {"metric_curve": ("metric", "granularity"), "funnel": ("conversionName",)}
FUNNEL_STEP_KEYS = ("entries", "external", "convert", "dropoff")


def goals_list() -> dict[str, Any]:
    """``/conversion/goals``: every goal's id and name."""
    return {"conversions": [{"id": g.id, "name": g.name} for g in GOALS]}


def handle(ctx: Ctx) -> dict[str, Any]:
    """Validate, then answer one of the eight query types."""
    body = ctx.body
    qtype = query_type(body, settings.CONVERSION_QUERY_TYPES)
    require(body, "startDate", "endDate", *REQUIRED.get(qtype, ()))
    start, end = date_range(ctx)
    if qtype == "metric_curve":
        curve = metric_curve(ctx, start, end, settings.CONVERSION_CURVE_METRICS, (),
                             rename={"completions": "conversions"})
        return {"queryType": qtype, **curve}
    goal = _funnel_goal(body) if qtype == "funnel" else None
    fl = filters(body)
    if qtype == "metrics":
        return {"queryType": qtype, "metrics": _metrics(ctx, fl, start, end)}
    if qtype == "funnel" and goal:
        return {"queryType": qtype, **_funnel(ctx, goal, fl, start, end)}
    if qtype in ("regular", "negative"):
        return {"queryType": qtype, **_goal_rows(ctx, qtype == "negative", fl, start, end)}
    return {"queryType": qtype, **_breakdown(ctx, qtype, fl, start, end)}


def _metrics(ctx: Ctx, fl: list[Filter], start: dt.date, end: dt.date) -> dict[str, Any]:
    c = sum_days(ctx, start, end, fl)[""]
    values = {"conversions": fmt.integer(c.get("conversions", 0)),
              "conversionRate": fmt.rate(ratio(c.get("conversions", 0), c.get("visits", 0))),
              "conversionValue": fmt.integer(money(c, "conversionValue")),
              "revenue": fmt.integer(money(c, "revenue")),
              "loss": fmt.integer(money(c, "loss"))}
    return {k: {"value": v, "label": labels.CONVERSION[k][ctx.lang]} for k, v in values.items()}


def _column(name: str, kind: str, data_type: str) -> dict[str, str]:
    return {"name": name, "type": kind, "dataType": data_type}


def _breakdown(ctx: Ctx, qtype: str, fl: list[Filter], start: dt.date,
               end: dt.date) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    if qtype == "sources_breakdown":
        columns = [_column("sourceType", "dimension", "STRING"),
                   _column("sourceName", "dimension", "STRING")]
        direct = sum_days(ctx, start, end, fl, "sourceType").get("Direct", {})
        rows.append({"sourceType": "Direct", "sourceName": DIRECT_NAME,
                     "conversions": direct.get("conversions", 0)})
        for source, dim in SOURCE_NAMES.items():
            for name, c in sum_days(ctx, start, end, fl, dim).items():
                rows.append({"sourceType": source, "sourceName": name,
                             "conversions": c.get("conversions", 0)})
    else:
        key = "adName" if qtype == "ad_name_breakdown" else "adSource"
        columns = [_column(key, "dimension", "STRING")]
        rows = [{key: name, "conversions": c.get("conversions", 0)}
                for name, c in sum_days(ctx, start, end, fl, key).items()]
    columns.append(_column("conversions", "metric", "INTEGER"))
    rows = [r for r in rows if r["conversions"]]
    rows.sort(key=lambda r: (-r["conversions"], [str(v) for v in r.values()]))
    return {"columns": columns, "rows": rows}


def _goal_rows(ctx: Ctx, negative: bool, fl: list[Filter], start: dt.date,
               end: dt.date) -> dict[str, Any]:
    c = sum_days(ctx, start, end, fl)[""]
    columns = [_column("conversionName", "dimension", "STRING"),
               _column("conversions", "metric", "INTEGER"),
               _column("conversionRate", "metric", "RATE"),
               _column("revenue", "metric", "NUMBER")]
    if negative:
        columns.append(_column("loss", "metric", "NUMBER"))
    rows = []
    for g in GOALS:
        if g.negative != negative:
            continue
        done = c.get(f"goal:{g.id}", 0)
        value = c.get(f"value:{g.id}", 0)
        row = {"conversionName": g.name, "conversions": fmt.integer(done),
               "conversionRate": fmt.rate(ratio(done, c.get("visits", 0))),
               "revenue": fmt.integer(max(value, 0))}
        if negative:
            row["loss"] = fmt.integer(abs(value))
        rows.append(row)
    return {"columns": columns, "rows": rows}


# --- funnel --------------------------------------------------------------------------


def _funnel_goal(body: dict[str, Any]) -> Goal:
    require(body, "conversionName")
    found = goals_containing(body["conversionName"])
    if len(found) != 1:
        names = [g.name for g in found]
        raise ApiError(4012, f"conversionName '{body['conversionName']}' must match exactly "
                             f"one goal; it matches {len(found)}: {names}")
    return found[0]


def _funnel_day(m: DayModel, goal: Goal, completions: int) -> list[dict[str, Any]]:
    """One day's steps, built back from the last step's entries (the completions)."""
    rng = Random(f"ptengine:{m.profile}:{m.day.isoformat()}:funnel:{goal.id}")
    n = len(goal.steps)
    entries, external, convert = [0] * n, [0] * n, [0] * n
    entries[-1] = completions
    for k in range(n - 1, 0, -1):
        external[k] = entries[k] * rng.randint(0, 8) // 100
        convert[k] = entries[k] - external[k]
        entries[k - 1] = math.ceil(Fraction(convert[k]) / Fraction(rng.randint(55, 90), 100))
    external[0] = entries[0]
    others = [p.url for p in PAGES if p.url not in goal.steps][:4]
    steps = []
    for k in range(n):
        dropoff = entries[k] - convert[k + 1] if k + 1 < n else 0
        exits = allocate(dropoff, [40, *[rng.randint(5, 30) for _ in others]])
        entry = allocate(external[k], [rng.randint(5, 60) for _ in FUNNEL_ENTRY_URLS])
        steps.append({"entries": entries[k], "external": external[k], "convert": convert[k],
                      "dropoff": dropoff,
                      "entryPaths": dict(zip(FUNNEL_ENTRY_URLS, entry, strict=True)),
                      "dropoffPaths": dict(zip(["Exit", *others], exits, strict=True))})
    return steps


def _paths(paths: dict[str, int]) -> list[dict[str, Any]]:
    ranked = sorted(((u, v) for u, v in paths.items() if v), key=lambda p: (-p[1], p[0]))
    return [{"url": u, "visits": v} for u, v in ranked]


def _funnel(ctx: Ctx, goal: Goal, fl: list[Filter], start: dt.date,
            end: dt.date) -> dict[str, Any]:
    n = len(goal.steps)
    acc: list[dict[str, Any]] = [{**dict.fromkeys(FUNNEL_STEP_KEYS, 0), "entryPaths": {},
                                  "dropoffPaths": {}} for _ in range(n)]
    for day in days(start, end):
        m = ctx.day(day)
        completions = totals(m, fl).get(f"goal:{goal.id}", 0)
        for total, step in zip(acc, _funnel_day(m, goal, completions), strict=True):
            for key in FUNNEL_STEP_KEYS:
                total[key] += step[key]
            for key in ("entryPaths", "dropoffPaths"):
                for url, v in step[key].items():
                    total[key][url] = total[key].get(url, 0) + v
    steps = []
    for k, s in enumerate(acc):
        steps.append({
            "stepId": k + 1, "entries": s["entries"], "external": s["external"],
            "dropoff": s["dropoff"],
            "conversionToNextRate": fmt.rate(ratio(acc[k + 1]["convert"], s["entries"]))
            if k + 1 < n else None,
            "entryPaths": _paths(s["entryPaths"]), "dropoffPaths": _paths(s["dropoffPaths"]),
        })
    final = acc[-1]["entries"]
    return {"conversionName": goal.name, "conversionId": goal.id,
            "summary": {"totalConversions": final,
                        "totalConversionRate": fmt.rate(ratio(final, sum(s["external"]
                                                                         for s in acc)))},
            "steps": steps}
