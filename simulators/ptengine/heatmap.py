"""``POST /open-api/v1/heatmap/query`` (§2.2): page, insight, block and element metrics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from random import Random
from typing import Any
from urllib.parse import urlsplit

from sources.ptengine import settings

from . import fmt, labels
from .alloc import Counts, add_into, allocate, ratio, round_half_up, scale_rows
from .catalog import (
    DEVICE_TYPES,
    GOALS,
    HEATMAP_BLOCKS,
    HEATMAP_ELEMENTS,
    HEATMAP_PAGES,
    PAGE_BY_URL,
    Goal,
)
from .model import DayModel
from .query import Filter, bucket, days, factor_fn
from .validate import (
    ApiError,
    Ctx,
    choice,
    date_range,
    filters,
    goals_exact,
    present,
    query_type,
    require,
    string_list,
)

CONVERSION_METRICS = settings.HEATMAP_CONVERSION_METRICS
GOAL_IDS = tuple(g.id for g in GOALS)
# heatmap deviceType -> the deviceType filter values it covers (ALL, then one by one)
DEVICES = {"ALL": DEVICE_TYPES, **{d: (v,) for d, v in zip(settings.HEATMAP_DEVICE_TYPES[1:],
                                                              DEVICE_TYPES, strict=True)}}
# page_insight funName -> partition (terminalType and the time groups are handled apart)
FUN_DIMS = {"sourceType": "sourceType", "visitType": "visitType", "aiName": "aiName",
            "utmCampaign": "adName", "utmSource": "adSource", "utmMedium": "adMedium",
            "utmTerm": "adTerm", "utmContent": "adContent"}
FIXED_GROUPS = {"terminalType": DEVICE_TYPES,
                "sourceType": settings.FIXED_FILTER_VALUES["sourceType"],
                "visitType": settings.FIXED_FILTER_VALUES["visitType"]}
TEXTS = {"page_metrics": labels.HEATMAP_PAGE, "page_insight": labels.HEATMAP_PAGE,
         "block_metrics": labels.HEATMAP_BLOCK, "element_metrics": labels.HEATMAP_ELEMENT}


def _normalise(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")


def resolve(url: str, range_type: str) -> tuple[str | None, str | None]:
    """The captured heatmap page of ``url`` and, for ``URL`` matching, its exact variant."""
    norm = _normalise(url)
    combined = norm.split("?", 1)[0]
    if combined not in HEATMAP_PAGES:
        return None, None
    if range_type == "MERGE_URL":
        return combined, None
    variants = {_normalise(v): v for v, _ in PAGE_BY_URL[combined].variants}
    return (combined, variants[norm]) if norm in variants else (None, None)


def handle(ctx: Ctx) -> dict[str, Any]:
    """Validate in the doc's order, then answer one of the four query types."""
    body = ctx.body
    qtype = query_type(body, settings.HEATMAP_QUERY_TYPES)
    require(body, "url", "startDate", "endDate", "deviceType")
    if not isinstance(body["url"], str):
        raise ApiError(4018, "url must be a string")
    start, end = date_range(ctx)
    device = body["deviceType"]
    if device not in settings.HEATMAP_DEVICE_TYPES:
        raise ApiError(4014, f"deviceType '{device}'")
    if device not in settings.HEATMAP_DEVICE_RULES[qtype]:
        raise ApiError(settings.HEATMAP_DEVICE_ERROR[qtype], f"deviceType '{device}'")
    fun = None
    if qtype == "page_insight":
        if not present(body, "funName"):
            raise ApiError(4006, "'funName' is required for page_insight")
        fun = choice(body, "funName", settings.HEATMAP_FUN_NAMES)
    range_type = choice(body, "rangeType", settings.HEATMAP_RANGE_TYPES, default="MERGE_URL")
    available = settings.HEATMAP_METRICS_BY_QUERY[qtype]
    metrics = string_list(body, "metrics")
    unknown = [m for m in metrics or () if m not in available]
    if unknown:
        raise ApiError(4018, f"metrics {unknown} not available for {qtype}; use "
                             f"{', '.join(available)}")
    names = string_list(body, "conversionNames", allow_empty=True)
    if metrics and not names and any(m in CONVERSION_METRICS for m in metrics):
        raise ApiError(4013, "'conversionNames' is required for completions / conversionRate")
    goals = goals_exact(names) if names else []
    if metrics is None:
        metrics = [m for m in available if goals or m not in CONVERSION_METRICS]
    stay = body.get("stayTimeFilter", 5)
    if isinstance(stay, bool) or not isinstance(stay, int | float) or stay < 0:
        raise ApiError(4018, "stayTimeFilter must be a number of seconds >= 0")
    fl = filters(body)
    combined, variant = resolve(body["url"], range_type)
    if combined and qtype in settings.HEATMAP_NOT_SCANNED_ERROR:
        kind = "blocks" if qtype == "block_metrics" else "elements"
        if not HEATMAP_PAGES[combined][kind]:
            raise ApiError(settings.HEATMAP_NOT_SCANNED_ERROR[qtype], f"url '{body['url']}'")
    ctx.meta = {"queryType": qtype, "profileId": ctx.profile_id, "url": body["url"],
                "dateRange": {"start": start.isoformat(), "end": end.isoformat()},
                "deviceType": device, "lang": ctx.lang}
    devices = [d for d in DEVICES[device]
               if all(f.passes(d) for f in fl if f.name == "deviceType")]
    scaling = [f for f in fl if f.name != "deviceType"]
    view = _View(ctx, qtype, metrics, goals)
    day_list = list(days(start, end))
    if qtype == "page_insight":
        return {"insights": view.insights(fun or "", combined, variant, devices, scaling,
                                          day_list)}
    pages = [(ctx.day(d), _page_counts(ctx.day(d), combined, variant, devices, scaling))
             for d in day_list] if combined else []
    if qtype == "page_metrics":
        total: Counts = {}
        for _, c in pages:
            add_into(total, c)
        return view.entry(total)
    parts = [_blocks(m, combined or "", c, stay) if qtype == "block_metrics"
             else _elements(m, combined or "", c) for m, c in pages]
    items = [{k: sum(p[i][k] for p in parts) for k in parts[0][i]}
             for i in range(len(parts[0]))] if parts else []
    key = "blocks" if qtype == "block_metrics" else "elements"
    return {key: [view.item(qtype, combined or "", i, c) for i, c in enumerate(items)]}


def _page_counts(m: DayModel, combined: str | None, variant: str | None, devices: list[str],
                 scaling: list[Filter]) -> Counts:
    """One day of a page on the selected devices, scaled by the other filters."""
    if combined is None:
        return {}
    base = m.original_pages()[variant] if variant else m.pages()[combined]
    share = m.partition("deviceType")
    weights = [share[d]["visits"] for d in DEVICE_TYPES]
    picked = [i for i, d in enumerate(DEVICE_TYPES) if d in devices]
    c = {}
    for q, n in base.items():
        split = allocate(n, weights)
        c[q] = sum(split[i] for i in picked)
    return scale_rows({"": c}, factor_fn(m, scaling, lambda q: "visits"), capped=False)[""]


def _consts(m: DayModel, url: str, kind: str, name: str) -> Random:
    return Random(f"ptengine:{m.profile}:{url}:{kind}:{name}")


def _blocks(m: DayModel, url: str, page: Counts, stay: float) -> list[Counts]:
    """Block counts of one day, derived from the page's views with fixed block shapes."""
    pv = page.get("page_view", 0)
    visits = page.get("visits", 0)
    stay_factor = min(Fraction(1), Fraction(5) / Fraction(stay)) if stay > 0 else Fraction(1)
    reach = Fraction(1)
    rows = []
    for i, name in enumerate(HEATMAP_BLOCKS[url]):
        rng = _consts(m, url, "block", name)
        reach *= Fraction(rng.randint(95, 100) if i == 0 else rng.randint(65, 90), 100)
        impression = round_half_up(pv * reach)
        row = {"impression": impression, "pv": pv,
               "duration": round_half_up(impression * Fraction(rng.randint(20, 150), 10))}
        for gid in GOAL_IDS:
            rate = ratio(page.get(f"goal:{gid}", 0), visits) * reach * stay_factor
            row[f"goal:{gid}"] = min(impression, round_half_up(impression * rate))
        rows.append(row)
    for i, row in enumerate(rows):
        nxt = rows[i + 1]["impression"] if i + 1 < len(rows) else \
            round_half_up(row["impression"] * Fraction(15, 100))
        row["dropoff"] = row["impression"] - nxt
    return rows


def _elements(m: DayModel, url: str, page: Counts) -> list[Counts]:
    """Element counts of one day, derived from the page's views."""
    pv = page.get("page_view", 0)
    visits = page.get("visits", 0)
    rows = []
    for name in HEATMAP_ELEMENTS[url]:
        rng = _consts(m, url, "element", name)
        impression = round_half_up(pv * Fraction(rng.randint(40, 98), 100))
        click = round_half_up(impression * Fraction(rng.randint(3, 25), 100))
        row = {"impression": impression, "pv": pv, "click": click}
        for gid in GOAL_IDS:
            rate = ratio(page.get(f"goal:{gid}", 0), visits) * 3
            row[f"goal:{gid}"] = min(click, round_half_up(click * rate))
        rows.append(row)
    return rows


class _View:
    """Turns counts into the doc's ``{value, label, description}`` metric objects."""

    def __init__(self, ctx: Ctx, qtype: str, metrics: list[str], goals: list[Goal]) -> None:
        self.ctx, self.qtype, self.metrics, self.goals = ctx, qtype, metrics, goals
        self.types = settings.HEATMAP_METRICS_BY_QUERY[qtype]
        self.texts = TEXTS[qtype]

    def _metric(self, name: str, value: int | Fraction) -> dict[str, str]:
        return {"value": fmt.heatmap_value(self.types[name], value),
                **labels.text(self.texts, name, self.ctx.lang)}

    def _value(self, name: str, c: Counts, goal_ids: list[str]) -> int | Fraction:
        base = {"page_metrics": "visits", "page_insight": "visits",
                "block_metrics": "impression", "element_metrics": "click"}[self.qtype]
        completions = min(sum(c.get(f"goal:{g}", 0) for g in goal_ids), c.get(base, 0))
        pv = c.get("page_view", 0)
        getters: dict[str, Callable[[], int | Fraction]] = {
            "visits": lambda: c.get("visits", 0), "pv": lambda: pv, "uv": lambda: c.get("uv", 0),
            "newVisitsRate": lambda: ratio(c.get("new_visits", 0), c.get("visits", 0)),
            "entrances": lambda: c.get("entrances", 0),
            "fvRate": lambda: ratio(c.get("fv", 0), c.get("visits", 0)),
            "timeOnPage": lambda: ratio(c.get("time", 0), pv),
            "clicks": lambda: c.get("clicks", 0), "clickRate": lambda: (
                ratio(c.get("click", 0), c.get("impression", 0))
                if self.qtype == "element_metrics" else ratio(c.get("clicks", 0), pv)),
            "ctaClicks": lambda: c.get("cta_clicks", 0),
            "ctaClickRate": lambda: ratio(c.get("cta_clicks", 0), pv),
            "bounceRate": lambda: ratio(c.get("bounces", 0), c.get("entrances", 0)),
            "avgPageViews": lambda: ratio(c.get("landed_page_view", 0), c.get("entrances", 0)),
            "impression": lambda: c.get("impression", 0),
            "impressionRate": lambda: ratio(c.get("impression", 0), c.get("pv", 0)),
            "avgDuration": lambda: ratio(c.get("duration", 0), c.get("impression", 0)),
            "dropoff": lambda: c.get("dropoff", 0),
            "dropoffRate": lambda: ratio(c.get("dropoff", 0), c.get("impression", 0)),
            "click": lambda: c.get("click", 0),
            "completions": lambda: completions,
            "conversionRate": lambda: ratio(completions, c.get(base, 0)),
        }
        return getters[name]()

    def entry(self, c: Counts) -> dict[str, Any]:
        """``{"metrics": {...}, "conversions": [...]}`` for one set of counts."""
        all_ids = [g.id for g in self.goals]
        conv = [m for m in self.metrics if m in CONVERSION_METRICS]
        return {
            "metrics": {m: self._metric(m, self._value(m, c, all_ids)) for m in self.metrics},
            "conversions": [{"conversionName": g.name,
                             **{m: self._metric(m, self._value(m, c, [g.id])) for m in conv}}
                            for g in self.goals] if conv else [],
        }

    def item(self, qtype: str, url: str, index: int, c: Counts) -> dict[str, Any]:
        """A block or element entry."""
        if qtype == "block_metrics":
            name = HEATMAP_BLOCKS[url][index]
            head = {"blockName": name, "screenshotUrl": (
                f"https://cdn.example.com/screenshot/{self.ctx.profile_id}/"
                f"{url.split('/', 3)[-1] or 'home'}/block{index + 1}.png")}
        else:
            head = {"elementName": HEATMAP_ELEMENTS[url][index]}
        return {**head, **self.entry(c)}

    def insights(self, fun: str, combined: str | None, variant: str | None, devices: list[str],
                 scaling: list[Filter], day_list: list[dt.date]) -> list[dict[str, Any]]:
        """``page_insight`` groups, in a fixed order; dynamic groups only when non-empty."""
        groups: dict[str, Counts] = {d: {} for d in FIXED_GROUPS.get(fun, ())}
        for day in day_list:
            m = self.ctx.day(day)
            if fun in ("day", "week"):
                add_into(groups.setdefault(bucket(day, fun), {}),
                         _page_counts(m, combined, variant, devices, scaling))
                continue
            if fun == "terminalType":
                for d in devices:
                    add_into(groups[d], _page_counts(m, combined, variant, [d], scaling))
                continue
            page = _page_counts(m, combined, variant, devices, scaling)
            part = m.partition(FUN_DIMS[fun])
            cats = list(part)
            weights = [part[k]["visits"] for k in cats]
            weights.append(m.root["visits"] - sum(weights))  # visits outside the partition
            for q, n in page.items():
                for k, share in zip(cats, allocate(n, weights), strict=False):
                    groups.setdefault(k, {})
                    groups[k][q] = groups[k].get(q, 0) + share
        return [{"name": name, **self.entry(c)} for name, c in groups.items()
                if name in FIXED_GROUPS.get(fun, ()) or fun in ("day", "week")
                or c.get("page_view", 0) > 0]
