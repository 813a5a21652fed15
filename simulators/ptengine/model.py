"""The deterministic data behind every Ptengine answer.

A day of a profile is a set of additive counts (visits, users, page views, new visits,
bounces, total visit seconds, total load milliseconds, positive conversions, completions
and money per goal, events and event sessions per event name), drawn from a generator
seeded by ``(profile, day)``. Every dimension is a tree of exact partitions of those
counts (country -> state, device -> OS -> OS version, source type -> search engine, ...),
so a day's breakdowns always sum to its totals. Pages, event properties and hours are
derived the same way. Ranges are sums of days; rates are recomputed from sums.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from random import Random
from typing import Any

from .alloc import Counts, add_into, allocate, clamp, ratio, round_half_up, split
from .catalog import DIM_ALIASES, DIMS, EVENTS, GOALS, PAGES

PAGE_QUANTITIES = ("page_view", "visits", "uv", "entrances", "new_visits", "bounces",
                   "landed_page_view", "fv", "clicks", "cta_clicks", "exits", "time")


@dataclass(frozen=True)
class Node:
    """One category of a dimension under one path of ancestor categories."""

    path: tuple[str, ...]
    cat: str
    counts: Counts


def _rng(*parts: object) -> Random:
    """A generator seeded by a stable string (never Python's salted ``hash``)."""
    return Random("ptengine:" + ":".join(str(p) for p in parts))


def _pct(rng: Random, low: int, high: int) -> Fraction:
    return Fraction(rng.randint(low, high), 100)


class DayModel:
    """One profile's day, revised by ``factor`` (1: final, 0: a future day).

    Attributes:
        root: the day's totals.
        units: money per completion of each goal id.
    """

    def __init__(self, profile: str, day: dt.date, factor: Fraction) -> None:
        self.profile = profile
        self.day = day
        self.factor = factor
        self.units = self._units()
        self.root = self._root()
        self._nodes: dict[str, list[Node]] = {}
        self._pages: dict[str, Counts] | None = None
        self._originals: dict[str, Counts] | None = None
        self._props: dict[tuple[str, str], list[tuple[str, Counts]]] = {}

    def _seed(self, *parts: object) -> Random:
        return _rng(self.profile, self.day.isoformat(), *parts)

    def _units(self) -> dict[str, int]:
        rng = self._seed("units")
        return {g.id: g.unit[0] if g.unit[0] == g.unit[1]
                else rng.randint(g.unit[0] // 100, g.unit[1] // 100) * 100 for g in GOALS}

    def _root(self) -> Counts:
        rng = self._seed("root")
        size = 700 + int(hashlib.sha256(self.profile.encode()).hexdigest(), 16) % 700
        weekday = (110, 115, 112, 108, 100, 70, 62)[self.day.weekday()]
        v = size * weekday * rng.randint(85, 115) // 10000

        def part(total: int, low: int, high: int) -> int:
            return round_half_up(total * _pct(rng, low, high))

        c: Counts = {"visits": v, "users": part(v, 70, 82), "page_view": part(v, 210, 300),
                     "new_visits": part(v, 50, 68), "bounces": part(v, 35, 55),
                     "duration": part(v, 9000, 22000), "load_time": 0, "conversions": 0}
        c["load_time"] = part(c["page_view"], 150000, 350000)
        goals = {g.id: round_half_up(v * Fraction(rng.randint(*g.rate), 1000)) for g in GOALS}
        positive = [goals[g.id] for g in GOALS if not g.negative]
        c["conversions"] = min(v, max(max(positive), sum(positive) - part(sum(positive), 5, 15)))
        events = {
            "purchase": (goals[GOALS[1].id] + part(goals[GOALS[1].id], 0, 30), goals[GOALS[1].id]),
            "add_to_cart": (ac := part(v, 5, 10), part(ac, 60, 80)),
            "gallery_item_impression": (part(v, 80, 150), part(v, 30, 50)),
            "signup": (goals[GOALS[0].id], goals[GOALS[0].id]),
            "video_play": (vp := part(v, 3, 8), part(vp, 75, 95)),
        }
        c.update({f"goal:{gid}": n for gid, n in goals.items()})
        c.update({f"ev:{e}": n for e, (n, _) in events.items()})
        c.update({f"evs:{e}": min(s, v) for e, (_, s) in events.items()})
        if self.factor != 1:
            c = {q: round_half_up(n * self.factor) for q, n in c.items()}
        for g in GOALS:  # money follows the (revised) completions exactly
            c[f"value:{g.id}"] = c[f"goal:{g.id}"] * self.units[g.id]
        return c

    # -- partitions -----------------------------------------------------------------------

    def nodes(self, dim: str) -> list[Node]:
        """The day's partition of visits by ``dim`` (one node per ancestor path)."""
        dim = DIM_ALIASES.get(dim, dim)
        if dim in self._nodes:
            return self._nodes[dim]
        spec = DIMS[dim]
        parents = [((), None, self.root)] if spec.parent is None else \
            [(n.path + (n.cat,), n.cat, n.counts) for n in self.nodes(spec.parent)]
        out: list[Node] = []
        for path, parent_cat, counts in parents:
            options = spec.options.get(parent_cat)
            if not options:
                continue
            rng = self._seed("dim", dim, *path)
            weights = [w * rng.randint(70, 130) for _, w in options]
            rows = split(counts, weights, rng, self._fixed(dim, counts))
            out += [Node(path, name, row) for (name, _), row in zip(options, rows, strict=True)]
        self._nodes[dim] = out
        return out

    @staticmethod
    def _fixed(dim: str, c: Counts) -> dict[str, list[int]] | None:
        if dim == "visitType":
            return {"visits": [c["new_visits"], c["visits"] - c["new_visits"]],
                    "new_visits": [c["new_visits"], 0]}
        if dim == "exitType":
            return {"visits": [c["bounces"], c["visits"] - c["bounces"]],
                    "bounces": [c["bounces"], 0],
                    "page_view": [c["bounces"], c["page_view"] - c["bounces"]]}
        return None

    def partition(self, dim: str) -> dict[str, Counts]:
        """Counts per category of ``dim``, summed over ancestor paths."""
        out: dict[str, Counts] = {}
        for node in self.nodes(dim):
            add_into(out.setdefault(node.cat, {}), node.counts)
        return out

    def props(self, event: str, prop: str) -> list[tuple[str, Counts]]:
        """An event's count (``ev``) and sessions (``evs``) split by a custom property."""
        key = (event, prop)
        if key not in self._props:
            options = EVENTS.get(event, {}).get(prop, [])
            rng = self._seed("prop", event, prop)
            count = allocate(self.root[f"ev:{event}"], [w * rng.randint(70, 130)
                                                        for _, w in options])
            sessions = allocate(self.root[f"evs:{event}"], [n * rng.randint(85, 115)
                                                            for n in count])
            rows = [{"ev": n, "evs": s} for n, s in zip(count, sessions, strict=True)]
            clamp(rows, "evs", ("ev",))
            self._props[key] = [(name, row) for (name, _), row in zip(options, rows, strict=True)]
        return self._props[key]

    # -- pages ----------------------------------------------------------------------------

    def pages(self) -> dict[str, Counts]:
        """Per combined page URL: views, visits, entrances, exits, time on page, ..."""
        if self._pages is not None:
            return self._pages
        r = self.root
        entry = self.partition("entryCombinedPages")
        rng = self._seed("pages")
        extra = allocate(r["page_view"] - r["visits"],
                         [p.view_weight * rng.randint(70, 130) for p in PAGES])
        pages: dict[str, Counts] = {}
        for page, x in zip(PAGES, extra, strict=True):
            e = entry.get(page.url, {})
            ent = e.get("visits", 0)
            visits = ent + x * 7 // 10
            c: Counts = {
                "page_view": ent + x, "visits": visits,
                "uv": round_half_up(visits * ratio(r["users"], r["visits"])),
                "entrances": ent,
                "new_visits": round_half_up(visits * ratio(r["new_visits"], r["visits"])),
                "bounces": e.get("bounces", 0), "landed_page_view": e.get("page_view", 0),
                "fv": round_half_up(visits * _pct(rng, 10, 30)),
                "clicks": round_half_up((ent + x) * _pct(rng, 80, 250)),
                "cta_clicks": round_half_up((ent + x) * _pct(rng, 5, 20)),
            }
            for g in GOALS:
                c[f"goal:{g.id}"] = round_half_up(visits * ratio(r[f"goal:{g.id}"], r["visits"]))
            pages[page.url] = c
        rows = list(pages.values())
        for q, total in (("exits", r["visits"]), ("time", r["duration"])):
            parts = allocate(total, [c["page_view"] * rng.randint(85, 115) for c in rows])
            for c, n in zip(rows, parts, strict=True):
                c[q] = n
        clamp(rows, "exits", ("page_view",))
        self._pages = pages
        return pages

    def original_pages(self) -> dict[str, Counts]:
        """Per original URL (a combined page's query-string variants)."""
        if self._originals is not None:
            return self._originals
        out: dict[str, Counts] = {}
        for page in PAGES:
            counts = self.pages()[page.url]
            rng = self._seed("variants", page.url)
            parts = split(counts, [w * rng.randint(70, 130) for _, w in page.variants], rng)
            for (url, _), row in zip(page.variants, parts, strict=True):
                out[url] = row
        self._originals = out
        return out


class Model:
    """All profiles' days, with revisions and a cache.

    Args:
        today: returns the simulated UTC date (days after it are empty).
        revise_days: days younger than this report scaled-down counts that grow to
            their final value as the clock advances.
    """

    def __init__(self, today: Callable[[], dt.date], revise_days: int = 0,
                 cache_size: int = 1024) -> None:
        self.today = today
        self.revise_days = revise_days
        self._cache: OrderedDict[tuple[str, dt.date, Fraction], DayModel] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def factor(self, day: dt.date, as_of: dt.date | None = None) -> Fraction:
        """How complete ``day`` looks on ``as_of`` (default: today): 0, revised, or 1."""
        age = ((as_of or self.today()) - day).days
        if age < 0:
            return Fraction(0)
        n = self.revise_days
        if n > 0 and age < n:
            return 1 - Fraction(n - age, 10 * n)
        return Fraction(1)

    def day_model(self, profile: str, day: dt.date, as_of: dt.date | None = None) -> DayModel:
        """The (cached) model of one profile's day."""
        key = (profile, day, self.factor(day, as_of))
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        made = DayModel(*key)
        with self._lock:
            self._cache[key] = made
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return made

    def day(self, profile: str, day: dt.date, as_of: dt.date | None = None) -> dict[str, Any]:
        """The raw numbers of one day, for tests to compare loaded tables with.

        Returns:
            ``visits``, ``users``, ``page_view``, ``new_visits``, ``bounces``,
            ``duration`` (total visit seconds), ``load_time_ms`` (total),
            ``conversions``, ``revenue``, ``loss``, ``conversion_value``,
            ``goals`` {name: {id, completions, value}}, ``events`` {name: {count,
            sessions}}, ``dimensions`` {dimension: {category: visits}} and ``pages``
            {url: {page_view, visits, entrances, exits, time}}.
        """
        m = self.day_model(profile, day, as_of)
        r = m.root
        revenue = sum(r[f"value:{g.id}"] for g in GOALS if not g.negative)
        loss = sum(r[f"value:{g.id}"] for g in GOALS if g.negative)
        dims = [*DIMS, *DIM_ALIASES]
        return {
            "profile_id": profile, "date": day.isoformat(), "visits": r["visits"],
            "users": r["users"], "page_view": r["page_view"], "new_visits": r["new_visits"],
            "bounces": r["bounces"], "duration": r["duration"], "load_time_ms": r["load_time"],
            "conversions": r["conversions"], "revenue": revenue, "loss": loss,
            "conversion_value": revenue + loss,
            "goals": {g.name: {"id": g.id, "completions": r[f"goal:{g.id}"],
                               "value": r[f"value:{g.id}"]} for g in GOALS},
            "events": {e: {"count": r[f"ev:{e}"], "sessions": r[f"evs:{e}"]} for e in EVENTS},
            "dimensions": {d: {cat: c["visits"] for cat, c in m.partition(d).items()}
                           for d in dims},
            "pages": {url: {q: c[q] for q in ("page_view", "visits", "entrances", "exits",
                                              "time")} for url, c in m.pages().items()},
        }
