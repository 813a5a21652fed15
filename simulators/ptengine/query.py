"""Filtered views of the model: totals, dimension rows, page rows, time buckets.

A filter on a dimension of the requested breakdown (or one of its ancestors, e.g. a
``deviceType`` filter on an ``os`` table) keeps or drops whole categories; every other
filter scales the counts by the share of the filtered values (independence). Shares
are exact fractions and every scaled total is rounded once, so a filtered day answers
the same visits in a curve, an overview and the sum of a dimension table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from .alloc import Counts, add_into, ratio, scale_rows
from .catalog import DIM_ALIASES, DIMS, EVENTS, FILTER_DIMS, GOALS, PAGE_BY_URL
from .model import DayModel

ONE = Fraction(1)


@dataclass(frozen=True)
class Filter:
    """A validated filter item (§2.1).

    Attributes:
        goal_ids: for ``conversionName``, the goals its values match.
    """

    name: str
    op: str
    values: tuple[str, ...]
    event_name: str | None = None
    event_variant: str | None = None
    goal_ids: tuple[str, ...] = ()

    @property
    def dim(self) -> str | None:
        """The partition this filter selects from (``None`` for event/goal filters)."""
        return FILTER_DIMS.get(self.name)

    def passes(self, value: str) -> bool:
        """Whether a category of ``dim`` passes."""
        return (value in self.values) == (self.op == "include")


def chain(dim: str) -> list[str]:
    """A dimension and its ancestors, nearest first."""
    out: list[str] = []
    current: str | None = DIM_ALIASES.get(dim, dim)
    while current:
        out.append(current)
        current = DIMS[current].parent
    return out


def _share(m: DayModel, filters: list[Filter], q: str) -> Fraction:
    """The share of quantity ``q`` that passes ``filters`` (all on one partition)."""
    total = m.root.get(q, 0)
    if not total:
        return ONE if all(f.op == "exclude" for f in filters) else Fraction(0)
    nodes = m.nodes(filters[0].dim or "")
    covered = sum(n.counts.get(q, 0) for n in nodes)
    kept = sum(n.counts.get(q, 0) for n in nodes if all(f.passes(n.cat) for f in filters))
    if all(f.op == "exclude" for f in filters):
        kept += total - covered  # visits outside the partition (e.g. not from a search)
    return ratio(kept, total)


def _special_share(m: DayModel, f: Filter, q: str) -> Fraction:
    """Shares of the event / goal filters."""
    r = m.root
    if f.name == "eventName":
        if q.startswith(("ev:", "evs:")):
            inside = q.split(":", 1)[1] in f.values
        else:
            share = min(ONE, ratio(sum(r[f"evs:{e}"] for e in f.values if e in EVENTS),
                                   r["visits"]))
            return share if f.op == "include" else 1 - share
        return ONE if inside == (f.op == "include") else Fraction(0)
    if f.name == "conversionName":
        share = min(ONE, ratio(sum(r[f"goal:{g}"] for g in f.goal_ids), r["visits"]))
    else:  # eventDimension (one event) or dimension (every event with the property)
        events = [f.event_name] if f.name == "eventDimension" else list(EVENTS)
        kept = total = 0
        for event in events:
            for value, c in m.props(event or "", f.event_variant or ""):
                total += c["ev"]
                kept += c["ev"] if value in f.values else 0
        share = ratio(kept, total)
        if not total:
            return Fraction(0) if f.op == "include" else ONE
    return share if f.op == "include" else 1 - share


def factor_fn(m: DayModel, filters: Iterable[Filter],
              as_quantity: Callable[[str], str] = lambda q: q) -> Callable[[str], Fraction]:
    """``quantity -> product of the filters' shares`` (memoised)."""
    by_dim: dict[str, list[Filter]] = {}
    special: list[Filter] = []
    for f in filters:
        if f.dim:
            by_dim.setdefault(f.dim, []).append(f)
        else:
            special.append(f)
    memo: dict[str, Fraction] = {}

    def factor(q: str) -> Fraction:
        if q not in memo:
            base = as_quantity(q)
            value = ONE
            for group in by_dim.values():
                value *= _share(m, group, base)
            for f in special:
                value *= _special_share(m, f, base)
            memo[q] = value
        return memo[q]

    return factor


def totals(m: DayModel, filters: Iterable[Filter]) -> Counts:
    """The day's totals under ``filters``."""
    return scale_rows({"": dict(m.root)}, factor_fn(m, filters))[""]


def table(m: DayModel, dim: str, filters: Iterable[Filter]) -> dict[str, Counts]:
    """Counts per category of ``dim`` under ``filters`` (categories with no visits kept)."""
    filters = list(filters)
    lineage = chain(dim)
    own = [f for f in filters if f.dim in lineage]
    rows: dict[str, Counts] = {}
    for node in m.nodes(dim):
        cats = dict(zip(lineage[1:], reversed(node.path), strict=False))
        cats[lineage[0]] = node.cat
        if all(f.passes(cats[f.dim]) for f in own if f.dim in cats):
            add_into(rows.setdefault(node.cat, {}), node.counts)
    others = [f for f in filters if f not in own]
    return scale_rows(rows, factor_fn(m, others))


def page_rows(m: DayModel, kind: str, filters: Iterable[Filter]) -> dict[str, Counts]:
    """Page counts per combined page, original URL or page group, scaled by ``filters``."""
    if kind == "originalPages":
        rows = {url: dict(c) for url, c in m.original_pages().items()}
    elif kind == "pageGroup":
        rows = {}
        for url, c in m.pages().items():
            add_into(rows.setdefault(PAGE_BY_URL[url].group, {}), c)
    else:
        rows = {url: dict(c) for url, c in m.pages().items()}
    return scale_rows(rows, factor_fn(m, filters, lambda q: "visits"), capped=False)


def page_title(url: str) -> str:
    """The title of a combined page or of an original URL."""
    base = url.split("?", 1)[0]
    page = PAGE_BY_URL.get(base)
    return page.title if page else ""


# --- metrics -------------------------------------------------------------------------


def goal_sum(c: Counts, goal_ids: Iterable[str], prefix: str = "goal:") -> int:
    """Sum of a per-goal quantity over ``goal_ids``."""
    return sum(c.get(prefix + g, 0) for g in goal_ids)


def conversions(c: Counts, goal_ids: tuple[str, ...] | None) -> int:
    """Positive conversions, or the completions of the selected goals (<= visits)."""
    if goal_ids is None:
        return c.get("conversions", 0)
    return min(goal_sum(c, goal_ids), c.get("visits", 0))


def money(c: Counts, which: str, goal_ids: tuple[str, ...] | None = None) -> int:
    """``revenue`` / ``loss`` / ``conversionValue`` of all goals or of ``goal_ids``."""
    goals = [g for g in GOALS if goal_ids is None or g.id in goal_ids]
    if which == "revenue":
        goals = [g for g in goals if not g.negative]
    elif which == "loss":
        goals = [g for g in goals if g.negative]
    return goal_sum(c, (g.id for g in goals), "value:")


def site_metric(name: str, c: Counts, goal_ids: tuple[str, ...] | None = None) -> Fraction | int:
    """A data-center metric (raw number) from counts; rates are fractions."""
    v = c.get("visits", 0)
    match name:
        case "visits" | "entrances":
            return v
        case "users":
            return c.get("users", 0)
        case "pageView":
            return c.get("page_view", 0)
        case "newVisitsRate":
            return ratio(c.get("new_visits", 0), v)
        case "returnVisitsRate":
            return ratio(v - c.get("new_visits", 0), v) if v else Fraction(0)
        case "avgVisits":
            return ratio(v, c.get("users", 0))
        case "avgPageView":
            return ratio(c.get("page_view", 0), c.get("users", 0))
        case "avgPageVisits":
            return ratio(c.get("page_view", 0), v)
        case "avgVisitDuration":
            return ratio(c.get("duration", 0), v)
        case "bounceRate":
            return ratio(c.get("bounces", 0), v)
        case "avgLoadTime":
            return ratio(c.get("load_time", 0), 1000 * c.get("page_view", 0))
        case "conversions":
            return conversions(c, goal_ids)
        case "conversionRate":
            return ratio(conversions(c, goal_ids), v)
        case "conversionValue":
            return money(c, "conversionValue", goal_ids)
    raise KeyError(name)


def page_metric(name: str, c: Counts) -> Fraction | int:
    """A pages-table metric (pageView, visits, avgTimeOnPage, entrances, exitRate)."""
    match name:
        case "pageView":
            return c.get("page_view", 0)
        case "visits" | "entrances":
            return c.get(name, 0)
        case "avgTimeOnPage":
            return ratio(c.get("time", 0), c.get("page_view", 0))
        case "exitRate":
            return ratio(c.get("exits", 0), c.get("page_view", 0))
    raise KeyError(name)


# --- time ----------------------------------------------------------------------------


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day from ``start`` to ``end`` inclusive."""
    for i in range((end - start).days + 1):
        yield start + dt.timedelta(days=i)


def bucket(day: dt.date, granularity: str, style: str = "curve") -> str:
    """The period label of ``day``: the day, the week's Monday, or the month.

    ``style="event"`` labels months ``YYYY-MM`` (event rows); curves use ``YYYY-MM-01``.
    """
    if granularity == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    if granularity == "month":
        return f"{day:%Y-%m}" if style == "event" else f"{day:%Y-%m}-01"
    return day.isoformat()
