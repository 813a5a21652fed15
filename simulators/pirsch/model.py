"""The deterministic data behind every Pirsch answer.

A day of a domain is drawn from a generator seeded by ``(domain, day)``: visitors,
views, sessions, bounces, and from them exact partitions (the countries' visitors sum to
the day's visitors, regions to their country, cities to their region, versions to their
OS or browser, hours to the day …). Pages are many — on every third day more than 100,
on some more than 200 — so paging matters; events carry meta keys, one of which has more
than 100 values on some days. Days after the simulated "today" are empty.

Rows here hold counts and averages only; ``stats`` derives the relative values and rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from random import Random
from typing import Any

from ..machinery import largest_remainder

Row = dict[str, Any]


@dataclass(frozen=True)
class Domain:
    id: str
    hostname: str
    subdomain: str
    timezone: str
    size: int  # typical visitors per day


@dataclass(frozen=True)
class Goal:
    id: str
    name: str
    path_pattern: str
    pattern: str
    visitor_goal: int | None
    cr_goal: float | None
    share: float  # of the day's visitors who reach it


DOMAINS: tuple[Domain, ...] = (
    Domain("A5kgYzK14m", "example.com", "example", "Europe/Berlin", 900),
    Domain("M03loiem34", "shop.example.org", "shop", "America/New_York", 400),
)
GOALS: tuple[Goal, ...] = (
    Goal("g0Signup01", "Signup", "/signup/**", r"(?i)^/signup(/[^/]+)*$", 500, None, 0.06),
    Goal("g1Pricing2", "Pricing viewed", "/pricing", r"(?i)^/pricing$", None, 12.5, 0.18),
    Goal("g2Checkout", "Checkout", "/checkout/**", r"(?i)^/checkout(/[^/]+)*$", 100, 2.0, 0.03),
)
GEO: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {"Berlin": ("Berlin",), "Bavaria": ("Munich", "Nuremberg", "Augsburg"),
           "Hamburg": ("Hamburg",), "Hesse": ("Frankfurt", "Wiesbaden")},
    "us": {"California": ("San Francisco", "Los Angeles", "San Diego"),
           "New York": ("New York", "Buffalo"), "Texas": ("Austin", "Houston")},
    "gb": {"England": ("London", "Manchester", "Bristol"), "Scotland": ("Edinburgh",)},
    "fr": {"Île-de-France": ("Paris",), "Auvergne-Rhône-Alpes": ("Lyon", "Grenoble")},
    "jp": {"Tokyo": ("Tokyo",), "Osaka": ("Osaka",)},
    "nl": {"North Holland": ("Amsterdam", "Haarlem")},
    "ch": {"Zurich": ("Zurich",)},
    "at": {"Vienna": ("Vienna",)},
}
LANGUAGES = ("en", "de", "fr", "ja", "nl", "es", "it")
OS_VERSIONS = {"Windows": ("10", "11"), "Mac": ("13.6", "14.4", "15.1"),
               "iOS": ("17.5", "18.1"), "Android": ("13", "14", "15"), "Linux": ("",)}
BROWSER_VERSIONS = {"Chrome": ("128.0", "129.0", "130.0"), "Firefox": ("131.0", "132.0"),
                    "Safari": ("17.5", "18.1"), "Edge": ("130.0",)}
SCREEN_CLASSES = ("XXL", "XL", "L", "M", "S")
CHANNELS = ("Direct", "Organic Search", "Referral", "Social Media", "Email", "Paid")
REFERRERS = (("https://www.google.com/", "Google"), ("https://duckduckgo.com/", "DuckDuckGo"),
             ("https://news.ycombinator.com/", "Hacker News"), ("https://t.co/", "Twitter"),
             ("https://www.reddit.com/r/selfhosted/", "Reddit"), ("", "android-app"),
             ("https://github.com/", "GitHub"), ("https://www.bing.com/", "Bing"))
UTM = {"source": ("newsletter", "twitter", "linkedin", "partner-blog"),
       "medium": ("email", "social", "cpc"),
       "campaign": ("spring_sale", "launch", "webinar-2026"),
       "content": ("header", "footer", "sidebar"),
       "term": ("privacy analytics", "cookie-free analytics")}
# event -> meta keys (None: the API sends "meta_keys": null)
EVENTS: dict[str, tuple[str, ...] | None] = {
    "Signup": ("plan",), "Download": ("file", "version"), "Read article": ("title",),
    "Purchase": ("product", "currency"), "Newsletter": None,
}
META_VALUES = {"plan": ("free", "pro", "team"), "file": ("guide.pdf", "app.dmg", "app.exe"),
               "version": ("1.0", "1.1", "2.0"), "product": ("Basic", "Plus", "Business"),
               "currency": ("EUR", "USD")}
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 8, 9, 9, 8, 7, 6, 6, 5, 4, 3, 2)


def split(total: int, weights: Sequence[float]) -> list[int]:
    """An exact integer partition of ``total`` in proportion to ``weights``.

    Example:
        >>> split(10, [1, 1, 2])
        [3, 2, 5]
    """
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    return largest_remainder(total, parts, [r - p for r, p in zip(raw, parts, strict=True)])


def _weights(rng: Random, n: int, skew: float = 1.0) -> list[float]:
    return [rng.uniform(0.6, 1.4) / (i + 1) ** skew for i in range(n)]


def _at_least_one(total: int, n: int, rng: Random, skew: float = 1.0) -> list[int]:
    """``n`` positive parts of ``total`` (needs total >= n), heaviest first."""
    return [1 + p for p in split(total - n, _weights(rng, n, skew))]


@dataclass
class DayData:
    """Everything one domain's day answers (counts and averages; see ``stats``)."""

    visitors: int = 0
    views: int = 0
    sessions: int = 0
    bounces: int = 0
    session_seconds: int = 0
    lists: dict[str, list[Row]] = field(default_factory=dict)
    platform: Row = field(default_factory=dict)
    hours: list[Row] = field(default_factory=list)
    meta: dict[tuple[str, str], list[Row]] = field(default_factory=dict)


def _flat(rng: Random, total: int, names: Sequence[Any], field_names: Sequence[str],
          skew: float = 1.0) -> list[Row]:
    rows = []
    for name, visitors in zip(names, split(total, _weights(rng, len(names), skew)), strict=True):
        if visitors:
            values = name if isinstance(name, tuple) else (name,)
            rows.append({**dict(zip(field_names, values, strict=True)), "visitors": visitors})
    return rows


def _tree(rng: Random, total: int, tree: dict[str, Any], names: Sequence[str],
          depth: int) -> list[Row]:
    """Rows at ``depth`` of a nested category tree, each level an exact partition."""
    rows = []
    for (cat, sub), part in zip(tree.items(), split(total, _weights(rng, len(tree))), strict=True):
        if depth == 0 or part == 0:
            if part:
                rows.append({names[0]: cat, "visitors": part})
            continue
        children = sub if isinstance(sub, dict) else {c: {} for c in sub}
        for row in _tree(rng, part, children, names[1:], depth - 1):
            rows.append({names[0]: cat, **row})
    return rows


def _pages(rng: Random, d: DayData, day: dt.date) -> None:
    n = rng.randint(120, 260) if day.toordinal() % 3 == 0 else rng.randint(25, 90)
    paths = ["/", "/pricing", "/signup", "/checkout", "/docs"] + [
        f"/blog/post-{i:03d}" for i in range(n - 5)]
    visitors = _at_least_one(max(n, d.visitors * 3 // 2), n, rng, 0.9)
    pages = []
    for path, v in zip(paths, visitors, strict=True):
        sessions = v + rng.randint(0, v // 4)
        pages.append({"path": path, "title": "Home" if path == "/" else path.strip("/").title(),
                      "visitors": v, "views": sessions + rng.randint(0, v // 2),
                      "sessions": sessions, "bounces": rng.randint(0, sessions // 2),
                      "average_time_spent_seconds": rng.randint(5, 300)})
    d.lists["page"] = pages
    for kind, count in (("entry", "entries"), ("exit", "exits")):
        k = min(n, d.sessions)
        parts = _at_least_one(d.sessions, k, rng, 1.1)
        rows = []
        for page, part in zip(pages[:k], parts, strict=True):
            row = {"path": page["path"], "title": page["title"], "visitors": max(1, part * 9 // 10),
                   "sessions": part, count: part}
            if kind == "entry":
                row["average_time_spent_seconds"] = page["average_time_spent_seconds"]
            rows.append(row)
        d.lists[kind] = rows


def _events(rng: Random, d: DayData, day: dt.date) -> None:
    if day.toordinal() % 7 == 3:
        return  # a day without events: the API answers null
    events = []
    for name, keys in EVENTS.items():
        visitors = rng.randint(20, 60) if name != "Read article" else rng.randint(150, 400)
        events.append({"name": name, "visitors": visitors,
                       "views": visitors + rng.randint(0, visitors),
                       "average_duration_seconds": rng.randint(0, 120),
                       "meta_keys": list(keys) if keys else None})
        for key in keys or ():
            if key == "title":
                many = 130 if day.toordinal() % 2 == 0 else 40
                values: Sequence[str] = [f"Article {i:03d}" for i in range(many)]
            else:
                values = META_VALUES[key]
            for row in _flat(rng, visitors, values, ("meta_value",)):
                row["views"] = row["visitors"] + rng.randint(0, row["visitors"])
                row["average_duration_seconds"] = rng.randint(0, 120)
                d.meta.setdefault((name, key), []).append(row)
    d.lists["events"] = events


def _goals(rng: Random, d: DayData) -> None:
    rows = []
    for goal in GOALS:
        v = round(d.visitors * goal.share * rng.uniform(0.7, 1.3))
        rows.append({"goal_id": goal.id, "visitors": v, "views": v + rng.randint(0, v)})
    d.lists["goals"] = rows


def build_day(domain: Domain, day: dt.date) -> DayData:
    """The domain's day (deterministic: the same inputs give the same numbers)."""
    rng = Random(f"pirsch:{domain.id}:{day.isoformat()}")
    weekday = (105, 110, 108, 104, 96, 70, 60)[day.weekday()]
    v = domain.size * weekday * rng.randint(85, 115) // 10000
    d = DayData(visitors=v, sessions=v + v * rng.randint(5, 25) // 100)
    d.views = d.sessions * rng.randint(150, 320) // 100
    d.bounces = d.sessions * rng.randint(30, 60) // 100
    d.session_seconds = d.sessions * rng.randint(40, 240)
    lists = d.lists
    lists["country"] = _tree(rng, v, GEO, ("country_code",), 0)
    lists["region"] = _tree(rng, v, GEO, ("country_code", "region"), 1)
    lists["city"] = _tree(rng, v, GEO, ("country_code", "region", "city"), 2)
    lists["language"] = _flat(rng, v, LANGUAGES, ("language",))
    lists["os"] = _tree(rng, v, OS_VERSIONS, ("os",), 0)
    lists["os/version"] = _tree(rng, v, OS_VERSIONS, ("os", "os_version"), 1)
    lists["browser"] = _tree(rng, v, BROWSER_VERSIONS, ("browser",), 0)
    lists["browser/version"] = _tree(rng, v, BROWSER_VERSIONS, ("browser", "browser_version"), 1)
    lists["screen"] = _flat(rng, v, SCREEN_CLASSES, ("screen_class",))
    lists["channel"] = _flat(rng, v, CHANNELS, ("channel",))
    referred = [r for r in _flat(rng, v * 2 // 5, REFERRERS, ("referrer", "referrer_name"))]
    for r in referred:
        r["referrer_icon"] = f"https://icons.pirsch.io/{r['referrer_name'].lower()}.png"
        r["sessions"] = r["visitors"] + rng.randint(0, r["visitors"] // 3)
        r["bounces"] = rng.randint(0, r["sessions"] // 2)
    lists["referrer"] = referred
    campaigns = 0 if day.weekday() == 6 else v * rng.randint(8, 20) // 100  # none on Sundays
    for part, names in UTM.items():
        lists[f"utm/{part}"] = _flat(rng, campaigns, names, (f"utm_{part}",))
    desktop, mobile, unknown = split(v, [6, 3.5, 0.5])
    d.platform = {"platform_desktop": desktop, "platform_mobile": mobile,
                  "platform_unknown": unknown}
    columns = ("visitors", "views", "sessions")
    parts = {c: split(getattr(d, c), HOUR_WEIGHTS) for c in columns}
    bounces = split(d.bounces, parts["sessions"])
    d.hours = [{"hour": h, **{c: parts[c][h] for c in columns}, "bounces": bounces[h]}
               for h in range(24)]
    _pages(rng, d, day)
    _events(rng, d, day)
    _goals(rng, d)
    return d


class Model:
    """Days of every simulated domain; days after ``today()`` are empty."""

    def __init__(self, today: Callable[[], dt.date]) -> None:
        self.today = today
        self.domains = {d.id: d for d in DOMAINS}

    def day(self, domain_id: str, day: dt.date) -> DayData:
        """The day's data (an empty ``DayData`` for a future day or an unknown domain)."""
        domain = self.domains.get(domain_id)
        if domain is None or day > self.today():
            return DayData()
        return _cached_day(domain, day)


@lru_cache(maxsize=2048)
def _cached_day(domain: Domain, day: dt.date) -> DayData:
    return build_day(domain, day)
