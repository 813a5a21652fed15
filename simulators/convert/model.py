"""The simulated Convert account: projects, experiences, goals, visitors and conversions.

Everything is a pure function of ids and the anchor day (the simulated "today" when the
simulator started), so every endpoint tells the same story:

* per experience, variation and UTC day there is a day total of visitors (and per goal
  of conversions); inside a day the total is spread by a fixed diurnal curve, and the
  count over any interval is ``floor(total × curve(end)) − floor(total × curve(start))``.
  Counts over adjacent intervals therefore add up exactly, whatever ``utc_offset`` cuts
  the days: the daily report's non-cumulative visitors sum to the aggregated report's;
* nothing is counted outside the experience's running time or after "now".
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from sources.convert import settings as S

DAY = 86400
ACCOUNT_ID = 100123
ACCOUNT_NAME = "Simulated Shop Ltd"
_AUTHORS = (("u-101", "Ana Ruiz"), ("u-102", "Kenji Sato"), ("u-103", "Priya Nair"))


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) for ``parts``."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def curve(fraction: float) -> float:
    """Share of a day's visitors that arrived by ``fraction`` of the day (monotone, 0 → 1)."""
    return fraction - 0.6 * math.sin(2 * math.pi * fraction) / (2 * math.pi)


def _cumulative(total: int, seconds: int) -> int:
    if seconds <= 0:
        return 0
    if seconds >= DAY:
        return total
    return math.floor(total * curve(seconds / DAY))


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    project_type: str
    methodology: str
    experience_count: int
    goal_count: int
    created_at: int


@dataclass(frozen=True)
class Goal:
    project_id: int
    id: int
    name: str
    key: str
    type: str
    status: str
    is_system: bool
    selected_default: bool

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "key": self.key,
                "description": f"Tracks {self.name.lower()}", "is_system": self.is_system,
                "selected_default": self.selected_default, "status": self.status,
                "type": self.type}


@dataclass(frozen=True)
class Variation:
    id: int
    name: str
    is_baseline: bool
    traffic_distribution: float
    key: str
    status: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "description": None,
                "is_baseline": self.is_baseline,
                "traffic_distribution": self.traffic_distribution, "key": self.key,
                "status": self.status}


@dataclass(frozen=True)
class Experience:
    project_id: int
    id: int
    name: str
    key: str
    status: str
    type: str
    start_time: int
    end_time: int
    goals: tuple[int, ...]
    variations: tuple[Variation, ...]
    daily_visitors: int


_STATUS_WEIGHTS = (("active", 0.12), ("paused", 0.05), ("completed", 0.30), ("draft", 0.18),
                   ("scheduled", 0.05), ("archived", 0.30))


def _status(u: float) -> str:
    total = 0.0
    for status, weight in _STATUS_WEIGHTS:
        total += weight
        if u < total:
            return status
    return "archived"


class Model:
    """The account's objects and numbers.

    Args:
        anchor: the simulated day the account's history is laid out around.
        now: the simulated current instant (unix seconds); nothing is counted after it.
    """

    def __init__(self, anchor: date, now: Callable[[], int]) -> None:
        self.anchor = int(datetime(anchor.year, anchor.month, anchor.day,
                                   tzinfo=UTC).timestamp())
        self.now = now
        self.projects = (
            Project(20001, "Storefront", "web", "frequentist", 112, 63, self.anchor - 900 * DAY),
            Project(20002, "Docs site", "web", "bayesian", 57, 14, self.anchor - 700 * DAY),
            Project(20003, "Mobile API", "fullstack", "frequentist", 9, 6,
                    self.anchor - 400 * DAY),
        )
        self.goals = {p.id: [self._goal(p, i) for i in range(p.goal_count)]
                      for p in self.projects}
        self.experiences = {p.id: [self._experience(p, i) for i in range(p.experience_count)]
                            for p in self.projects}
        self._by_id = {e.id: e for items in self.experiences.values() for e in items}
        self._goal_by_id = {g.id: g for items in self.goals.values() for g in items}

    # -- objects ------------------------------------------------------------------------
    def project(self, project_id: int) -> Project | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def experience(self, project_id: int, experience_id: int) -> Experience | None:
        exp = self._by_id.get(experience_id)
        return exp if exp and exp.project_id == project_id else None

    def goal(self, goal_id: int) -> Goal | None:
        return self._goal_by_id.get(goal_id)

    def _goal(self, project: Project, i: int) -> Goal:
        gid = 500000 + (project.id - 20000) * 1000 + i
        kind = "revenue" if i % 5 == 0 else S.GOAL_TYPES[(i * 7) % len(S.GOAL_TYPES)]
        if kind == "revenue" and i % 5:
            kind = "advanced"
        name = f"{kind.replace('_', ' ').title()} goal {i + 1}"
        return Goal(project.id, gid, name, f"goal_{gid}", kind,
                    "archived" if unit("goal", gid) < 0.1 else "active", i == 0, i < 2)

    def _experience(self, project: Project, i: int) -> Experience:
        eid = 300000 + (project.id - 20000) * 1000 + i
        u = lambda *p: unit("exp", eid, *p)  # noqa: E731 - a local shorthand
        status = _status(u("status"))
        start = end = 0
        hour = int(u("hour") * DAY)
        if status == "active":
            start = self.anchor - int(3 + u("age") * 70) * DAY + hour
        elif status == "paused":
            start = self.anchor - int(20 + u("age") * 60) * DAY + hour
            end = self.anchor - int(1 + u("stop") * 18) * DAY + hour // 2
        elif status in ("completed", "archived"):
            back = 30 + u("age") * 150 if status == "completed" else 200 + u("age") * 200
            start = self.anchor - int(back) * DAY + hour
            end = min(start + int(10 + u("len") * 40) * DAY, self.anchor - 3600)
        n_vars = 2 + int(u("vars") * 3)
        share = round(100 / n_vars, 2)
        variations = tuple(
            Variation(eid * 10 + k, "Original" if k == 0 else f"Variation {k}", k == 0,
                      share if k < n_vars - 1 else round(100 - share * (n_vars - 1), 2),
                      f"v{k}", "running" if status == "active" else "stopped")
            for k in range(n_vars))
        goals = self.goals[project.id]
        kind = "a/b_fullstack" if project.project_type == "fullstack" else \
            ("a/b", "a/b", "a/b", "split_url", "mvt", "deploy")[int(u("type") * 6)]
        picked: tuple[int, ...] = ()
        if kind != "deploy":
            count = 1 + int(u("goals") * 3)
            first = int(u("goal0") * len(goals))
            picked = tuple(dict.fromkeys(goals[(first + 3 * j) % len(goals)].id
                                         for j in range(count)))
        topic = ("Hero", "Checkout", "Pricing", "Nav")[i % 4]
        return Experience(project.id, eid, f"Experiment {eid}: {topic} test",
                          f"exp_{eid}", status, kind, start, end, picked, variations,
                          150 + int(u("traffic") * 1500))

    # -- numbers ------------------------------------------------------------------------
    def _rate(self, exp: Experience, k: int, goal_id: int) -> float:
        base = 0.01 + unit("rate", exp.id, goal_id) * 0.08
        lift = 1.0 if k == 0 else 1 + (unit("lift", exp.id, k, goal_id) - 0.4) * 0.3
        return base * lift

    @lru_cache(maxsize=200_000)  # noqa: B019 - the model lives as long as the simulator
    def day_total(self, experience_id: int, k: int, goal_id: int | None, day: int) -> int:
        """Visitors (``goal_id`` None) or conversions of variation ``k`` on UTC ``day``."""
        exp = self._by_id[experience_id]
        var = exp.variations[k]
        visitors = round(exp.daily_visitors * var.traffic_distribution / 100
                         * (0.75 + 0.5 * unit("v", experience_id, k, day)))
        if goal_id is None:
            return visitors
        noise = 0.6 + 0.8 * unit("c", experience_id, k, goal_id, day)
        return min(visitors, round(visitors * self._rate(exp, k, goal_id) * noise))

    def count(self, exp: Experience, k: int, goal_id: int | None, t0: int, t1: int) -> int:
        """Visitors or conversions of variation ``k`` in ``[t0, t1)`` (unix seconds)."""
        lo = max(t0, exp.start_time)
        hi = min(t1, exp.end_time or t1, self.now())
        if exp.start_time <= 0 or hi <= lo:
            return 0
        total = 0
        for day in range(lo // DAY, (hi - 1) // DAY + 1):
            first = day * DAY
            whole = self.day_total(exp.id, k, goal_id, day)
            total += (_cumulative(whole, min(hi, first + DAY) - first)
                      - _cumulative(whole, max(lo, first) - first))
        return total

    def order_value(self, exp: Experience, goal_id: int) -> Decimal:
        """Revenue per conversion of a revenue goal (exact cents)."""
        return Decimal(2000 + int(unit("aov", exp.id, goal_id) * 10000)) / 100

    def items_per_order(self, exp: Experience, goal_id: int) -> int:
        return 1 + int(unit("items", exp.id, goal_id) * 3)

    # -- change history -----------------------------------------------------------------
    def history(self, exp: Experience) -> list[dict[str, object]]:
        """The experience's changes up to now, oldest first."""
        if exp.start_time <= 0:
            created = self.anchor - int(1 + unit("created", exp.id) * 30) * DAY
            events = [(created, "created", "variation", exp.variations[0].id)]
        else:
            events = [(exp.start_time - 2 * DAY + 60 * k, "created", "variation", v.id)
                      for k, v in enumerate(exp.variations)]
            events.append((exp.start_time - DAY, "updated", "change", exp.id * 100 + 1))
            events.append((exp.start_time, "started", "report", exp.id))
            stop = exp.end_time or self.now()
            tick = exp.start_time + 7 * DAY
            while tick < stop:
                events.append((tick, "updated", "change", exp.id * 100 + 2 + len(events)))
                tick += 7 * DAY
            if exp.end_time:
                events.append((exp.end_time, "paused" if exp.status == "paused" else
                               "completed", "report", exp.id))
        now = self.now()
        out = []
        for seq, (ts, event, obj, obj_id) in enumerate(sorted(events)):
            if ts > now:
                continue
            author_id, author_name = _AUTHORS[int(unit("author", exp.id, seq) * 3)]
            out.append({"id": exp.id * 1000 + seq, "timestamp": ts, "event": event,
                        "object": obj, "object_id": obj_id,
                        "method": "api" if unit("method", exp.id, seq) < 0.2 else "app",
                        "author": {"id": author_id, "name": author_name},
                        "description": f"{obj} {obj_id} {event}"})
        return out


def day_label(day: date) -> int:
    """The UTC start of ``day`` (how the daily report labels its days)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def local_day(instant: int, utc_offset: int) -> date:
    return date(1970, 1, 1) + timedelta(days=(instant + utc_offset) // DAY)
