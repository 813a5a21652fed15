"""Deterministic experience numbers: per experience, version and day, split by dimension.

A day's viewers are a share (the experience's reach) of the profile's users that day
(``DayModel``), so experience numbers follow the site's weekly rhythm and revisions.
Versions split the viewers by weight; every other count is derived per version with
fixed per-mille rates drawn from ``(profile, experience, version, day)``. Dimension
rows split each count with the day's partition of visits (exact, largest remainder),
so a dimension's rows add up to the version's totals when the partition covers all
visits.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from random import Random

from .alloc import Counts, add_into, allocate, round_half_up
from .catalog import GOAL_BY_NAME
from .experience_catalog import PAGES_SEEN, USER_PROPERTY_VALUES, Experience, Version
from .model import DayModel

# experience dimension -> the day model's partition of visits
PARTITIONS = {
    "terminalType": "deviceType", "sourceType": "sourceType", "utmCampaign": "adName",
    "utmSource": "adSource", "utmMedium": "adMedium", "utmTerm": "adTerm",
    "utmContent": "adContent", "sourceUrl": "referralUrl", "sourceHost": "referral",
    "aiName": "aiName", "visitType": "visitType", "country": "country", "region": "state",
}
QUANTITIES = ("viewed", "views", "visits", "clicked", "closed", "form", "bounces", "seconds",
              "pages")


def _rng(*parts: object) -> Random:
    return Random("ptengine-exp:" + ":".join(str(p) for p in parts))


def _per_mille(n: int, rate: int) -> int:
    return round_half_up(Fraction(n * rate, 1000))


def version_day(m: DayModel, exp: Experience) -> dict[str, Counts]:
    """Counts per version id of one day (all versions, deleted ones included)."""
    if m.day < exp.starts:
        return {v.id: {q: 0 for q in QUANTITIES} for v in exp.versions}
    rng = _rng(m.profile, exp.id, m.day.isoformat())
    viewers = _per_mille(m.root["users"], exp.reach * rng.randint(85, 115) // 100)
    shares = allocate(viewers, [v.weight for v in exp.versions])
    return {v.id: _version_counts(m, exp, v, n) for v, n in zip(exp.versions, shares,
                                                                 strict=True)}


def _version_counts(m: DayModel, exp: Experience, v: Version, viewed: int) -> Counts:
    rng = _rng(m.profile, exp.id, v.id, m.day.isoformat())
    lift = 1000 + v.lift
    visits = _per_mille(viewed, rng.randint(1100, 1400))
    c: Counts = {
        "viewed": viewed, "views": _per_mille(viewed, rng.randint(1500, 3200)),
        "visits": visits,
        "clicked": min(viewed, _per_mille(viewed, rng.randint(80, 200) * lift // 1000)),
        "closed": _per_mille(viewed, rng.randint(200, 450)),
        "bounces": _per_mille(visits, rng.randint(350, 550)),
        "seconds": visits * rng.randint(90, 420), "pages": _per_mille(visits, rng.randint(
            1500, 3500)),
    }
    c["form"] = _per_mille(c["clicked"], rng.randint(150, 350)) if v.form else 0
    for gid, name in exp.goals:
        low, high = GOAL_BY_NAME[name].rate
        rate = rng.randint(low * 3, high * 3) * lift // 1000
        c[f"goal:{gid}"] = min(viewed, _per_mille(viewed, rate))
    return c


def categories(m: DayModel, dimension: str, prop: str | None) -> list[tuple[str, int]]:
    """The categories of a dimension on one day with their weights."""
    if dimension == "userProperty":
        return list(USER_PROPERTY_VALUES.get(prop or "", []))
    if dimension == "visitPage":
        rng = _rng(m.profile, "pages", m.day.isoformat())
        return [(url, rng.randint(40, 100)) for url in PAGES_SEEN]
    part = m.partition(PARTITIONS[dimension])
    return [(cat, c["visits"]) for cat, c in part.items()]


def split(c: Counts, cats: list[tuple[str, int]]) -> dict[str, Counts]:
    """``c`` split over ``cats`` by weight, quantity by quantity."""
    out: dict[str, Counts] = {name: {} for name, _ in cats}
    weights = [w for _, w in cats]
    for q, n in c.items():
        for (name, _), part in zip(cats, allocate(n, weights), strict=True):
            out[name][q] = part
    for row in out.values():  # keep every share of users within the viewers
        for q in list(row):
            if q in ("clicked", "closed", "form") or q.startswith("goal:"):
                row[q] = min(row[q], row["viewed"])
    return out


def by_dimension(m: DayModel, exp: Experience, dimension: str, sub: str | None,
                 prop: str | None) -> dict[tuple[str, str | None], dict[str, Counts]]:
    """Per (category, sub-category): counts per version id, for one day."""
    versions = version_day(m, exp)
    cats = categories(m, dimension, prop)
    subs = categories(m, sub, None) if sub else None
    out: dict[tuple[str, str | None], dict[str, Counts]] = {}
    for vid, counts in versions.items():
        for name, row in split(counts, cats).items():
            if subs is None:
                out.setdefault((name, None), {})[vid] = row
                continue
            for sub_name, sub_row in split(row, subs).items():
                out.setdefault((name, sub_name), {})[vid] = sub_row
    return out


def total(rows: dict[str, Counts], version_ids: list[str]) -> Counts:
    """The sum of the chosen versions' counts."""
    out: Counts = {}
    for vid in version_ids:
        add_into(out, rows.get(vid, {}))
    return out


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
