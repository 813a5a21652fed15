"""Deterministic OpenPanel events, generated on the fly (millions without storing them).

Each UTC day has a fixed number of events; the configured ``events`` are spread over the
``days`` days before the simulated "today" at start (later days repeat the pattern, so a
clock advanced in a test brings new events). Within a day, event ``j`` (oldest first)
sits in pair ``j // 2`` at an evenly spaced instant: the two events of a pair share
``createdAt``, so the API's tie-break (``id`` ascending, NOTES.md) matters. Today's
events exist only up to "now". Any position of the newest-first order maps to its event
arithmetically, so a page costs O(limit) however many events the model holds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

M64 = (1 << 64) - 1
DAY_MS = 86_400_000
NAMES = ("screen_view", "screen_view", "screen_view", "button_click", "session_start",
         "sign_up", "purchase", "session_end")
META = {"screen_view": ("Page view tracking", False), "sign_up": ("Account created", True),
        "purchase": ("Order completed", True), "button_click": ("Any tracked click", False)}
PLACES = (("United States", "California", "San Francisco", -122.42, 37.77),
          ("United States", "New York", "New York", -74.01, 40.71),
          ("Sweden", "Stockholm", "Stockholm", 18.07, 59.33),
          ("Germany", "Berlin", "Berlin", 13.40, 52.52),
          ("Japan", "Tokyo", "Tokyo", 139.69, 35.69),
          ("Canada", "Ontario", "Toronto", -79.38, 43.65))
TECH = (("macOS", "14.4", "Chrome", "123.0", "desktop", "Apple", "Macintosh"),
        ("Windows", "11", "Edge", "122.0", "desktop", "", ""),
        ("iOS", "17.4", "Safari", "17.4", "mobile", "Apple", "iPhone"),
        ("Android", "14", "Chrome", "123.0", "mobile", "Samsung", "Galaxy S23"),
        ("iPadOS", "17.3", "Safari", "17.3", "tablet", "Apple", "iPad"))
PAGES = (("/", "Home"), ("/pricing", "Pricing"), ("/docs", "Docs"), ("/dashboard", "Dashboard"),
         ("/blog/launch", "Launch week"), ("/signup", "Sign up"))
REFERRERS = (("", "", ""), ("https://www.google.com/", "Google", "search"),
             ("https://news.ycombinator.com/", "Hacker News", "social"),
             ("https://t.co/", "Twitter", "social"))
UTM = (None, {"utm_source": "newsletter", "utm_medium": "email"},
       {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring"})
ORIGIN = "https://example.com"


def mix(x: int) -> int:
    """A 64-bit integer hash (splitmix64's finaliser)."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


@dataclass(frozen=True)
class Slice:
    """The part of one day a query sees: pairs ``lo`` … ``hi - 1`` of ``pairs``."""

    day: dt.date
    n: int       # events of the whole day
    lo: int
    hi: int

    @property
    def count(self) -> int:
        return sum_members(self.n, self.lo, self.hi)


def sum_members(n: int, lo: int, hi: int) -> int:
    """Events in pairs ``lo..hi-1`` of a day with ``n`` events (the last pair may be one)."""
    if hi <= lo:
        return 0
    return min(2 * hi, n) - 2 * lo


class EventModel:
    """The events of one project.

    Args:
        project_id: the project (seeds every value).
        events: events over the ``days`` days before ``first_today``.
        days: length of that span.
        first_today: the simulated today when the model was made.
        now: the simulated current instant (a callable: tests advance the clock).
    """

    def __init__(self, project_id: str, events: int, days: int, first_today: dt.date,
                 now: Callable[[], dt.datetime]) -> None:
        self.project_id = project_id
        self.events = events
        self.days = days
        self.first_day = first_today - dt.timedelta(days=days)
        self.now = now
        self.seed = mix(int.from_bytes(project_id.encode()[:8].ljust(8, b"\0"), "big"))
        weights = [1000 + mix(self.seed + k) % 1000 for k in range(days)]
        total, acc, self._counts = sum(weights), 0, []
        for w in weights:
            before = events * acc // total
            acc += w
            self._counts.append(events * acc // total - before)
        self.profiles = max(20, events // max(days, 1) // 4)

    # -- counts and positions ------------------------------------------------------------
    def day_count(self, day: dt.date) -> int:
        """Events of ``day`` (today's included, future or not yet)."""
        k = (day - self.first_day).days
        return 0 if k < 0 or not self._counts else self._counts[k % self.days]

    def slice(self, day: dt.date, since_ms: int | None = None) -> Slice:
        """What of ``day`` exists now (and at or after ``since_ms``, epoch milliseconds)."""
        n = self.day_count(day)
        pairs = (n + 1) // 2
        start = day_ms(day)
        now_ms = int(self.now().timestamp() * 1000)
        lo, hi = 0, pairs
        if pairs:
            step = DAY_MS / pairs
            hi = min(pairs, max(0, int((now_ms - start) / step + 0.5)))  # instant <= now
            if since_ms is not None:
                lo = min(hi, max(0, math.ceil((since_ms - start) / step - 0.5)))
        return Slice(day, n, lo, hi)

    def positions(self, slices: list[Slice], offset: int, limit: int
                  ) -> Iterator[tuple[Slice, int]]:
        """``(slice, j)`` of newest-first positions ``offset … offset+limit-1``.

        ``slices`` are given newest day first; within a pair the smaller id comes first.
        """
        end = offset + limit
        seen = 0
        for s in slices:
            count = s.count
            if seen + count <= offset:
                seen += count
                continue
            for i in range(max(0, offset - seen), min(count, end - seen)):
                yield s, self._member(s, i)
            seen += count
            if seen >= end:
                return

    def _member(self, s: Slice, i: int) -> int:
        """The day index ``j`` at newest-first position ``i`` inside slice ``s``."""
        top = s.hi - 1
        top_size = min(2 * s.hi, s.n) - 2 * top
        if i < top_size:
            pair, rank = top, i
        else:
            pair, rank = top - 1 - (i - top_size) // 2, (i - top_size) % 2
        members = [j for j in (2 * pair, 2 * pair + 1) if j < s.n]
        if len(members) == 2 and self.event_id(s.day, members[1]) < self.event_id(s.day,
                                                                                 members[0]):
            members.reverse()
        return members[rank]

    def iter_day(self, day: dt.date) -> Iterator[int]:
        """Every visible ``j`` of ``day``, in the API's newest-first order."""
        s = self.slice(day)
        for i in range(s.count):
            yield self._member(s, i)

    # -- one event ------------------------------------------------------------------------
    def event_id(self, day: dt.date, j: int) -> str:
        a = mix(self.seed ^ (day.toordinal() << 24) ^ j)
        b = mix(a ^ 0x5DEECE66D)
        h = f"{a:016x}{b:016x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def created_ms(self, day: dt.date, j: int) -> int:
        pairs = (self.day_count(day) + 1) // 2
        return day_ms(day) + int((j // 2 + 0.5) * DAY_MS / pairs)

    def attributes(self, day: dt.date, j: int) -> Attrs:
        """The event's values before formatting (also what charts aggregate)."""
        h = mix(self.seed + day.toordinal() * 1_000_003 + j)
        profile = h % self.profiles
        anonymous = (h >> 8) % 10 == 0
        name = NAMES[(h >> 12) % len(NAMES)]
        return Attrs(h, name, profile, anonymous, PLACES[(h >> 16) % len(PLACES)],
                     TECH[(h >> 20) % len(TECH)], PAGES[(h >> 24) % len(PAGES)],
                     REFERRERS[(h >> 28) % len(REFERRERS)], UTM[(h >> 32) % len(UTM)],
                     f"ses_{day.toordinal()}_{profile}_{(h >> 36) % 3}")

    def event(self, day: dt.date, j: int, includes: frozenset[str]) -> dict[str, Any]:
        """The event as the API returns it with ``includes``."""
        a = self.attributes(day, j)
        device_id = f"dev_{a.profile:06d}"
        country, region, city, lon, lat = a.place
        os_name, os_version, browser, browser_version, device, brand, model = a.tech
        path, title = a.page
        event: dict[str, Any] = {
            "id": self.event_id(day, j), "name": a.name, "deviceId": device_id,
            "profileId": device_id if a.anonymous else profile_id(a.profile),
            "projectId": self.project_id, "sessionId": a.session,
            "createdAt": iso_ms(self.created_ms(day, j)), "path": path, "city": city,
            "country": country, "os": os_name, "browser": browser,
            "groups": ["team_1"] if a.profile % 7 == 0 else [],
        }
        if "properties" in includes:
            event["properties"] = a.properties()
        if "profile" in includes:
            event["profile"] = None if a.anonymous else profile(a.profile)
        if "meta" in includes:
            event["meta"] = meta(a.name)
        extra = {"region": region, "longitude": lon, "latitude": lat, "osVersion": os_version,
                 "browserVersion": browser_version, "device": device, "brand": brand,
                 "model": model, "origin": ORIGIN, "referrer": a.referrer[0],
                 "referrerName": a.referrer[1], "referrerType": a.referrer[2],
                 "revenue": a.revenue, "importedAt": None, "sdkName": "web",
                 "sdkVersion": "1.0.1"}
        for name in includes.intersection(extra):
            event[name] = extra[name]
        return event


@dataclass(frozen=True)
class Attrs:
    """An event's underlying values."""

    h: int
    name: str
    profile: int
    anonymous: bool
    place: tuple[Any, ...]
    tech: tuple[str, ...]
    page: tuple[str, str]
    referrer: tuple[str, str, str]
    utm: dict[str, str] | None
    session: str

    @property
    def revenue(self) -> float:
        return round(10 + (self.h >> 40) % 9000 / 100, 2) if self.name == "purchase" else 0.0

    def properties(self) -> dict[str, Any]:
        path, title = self.page
        props: dict[str, Any] = {"path": path, "title": title, "url": ORIGIN + path}
        if self.utm:
            props["__query"] = self.utm
        if self.name == "purchase":
            props["total"] = self.revenue
            props["currency"] = "USD"
        return props

    def value(self, name: str) -> Any:
        """A breakdown / filter value by name (``country``, ``properties.total`` …)."""
        if name.startswith("properties."):
            return _dig(self.properties(), name.split(".")[1:])
        country, region, city = self.place[:3]
        os_name, _, browser, _, device = self.tech[:5]
        return {"country": country, "region": region, "city": city, "os": os_name,
                "browser": browser, "device": device, "path": self.page[0],
                "referrer": self.referrer[0], "referrer_name": self.referrer[1],
                "name": self.name}.get(name)


def _dig(obj: Any, parts: list[str]) -> Any:
    for p in parts:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def profile_id(index: int) -> str:
    return f"user_{index:06d}"


@lru_cache(maxsize=100_000)
def profile(index: int) -> dict[str, Any]:
    """A profile object (cached: many events share it; never mutated)."""
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=index % 20_000)
    return {"id": profile_id(index), "email": f"user{index}@example.com",
            "firstName": ("Ada", "Linus", "Grace", "Alan", "Edsger")[index % 5],
            "lastName": ("Lovelace", "Torvalds", "Hopper", "Turing", "Dijkstra")[index % 5],
            "isExternal": True, "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z")}


def meta(name: str) -> dict[str, Any] | None:
    found = META.get(name)
    return None if found is None else {"name": name, "description": found[0],
                                       "conversion": found[1]}


def day_ms(day: dt.date) -> int:
    return (day.toordinal() - 719_163) * DAY_MS  # 719163 = date(1970, 1, 1).toordinal()


def iso_ms(ms: int) -> str:
    """Epoch milliseconds → ``2024-04-15T10:30:00.000Z``."""
    day = dt.date.fromordinal(ms // DAY_MS + 719_163)
    rest = ms % DAY_MS
    return (f"{day.isoformat()}T{rest // 3_600_000:02d}:{rest // 60_000 % 60:02d}:"
            f"{rest // 1000 % 60:02d}.{rest % 1000:03d}Z")
