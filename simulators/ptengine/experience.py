"""``/open-api/v1/experience/*`` (§3): list, user properties, overview, key metrics,
segment details, A/B results (plain and by segment) and form submissions.

Rules from the doc: popup-class metrics only for POPUP / STICKY_BAR / REDIRECT / ADVANCED
with a popup, form metrics only where a version has a form (§3.4 note, §3.9);
``dimension`` / ``subDimension`` combinations (``4015``); ``compareBy`` (``4017``; a
comparison metric the experience does not have is refused the same way);
``goalReached`` needs ``goalId``; unknown or deleted experiences answer ``4040``;
``showDeletedVersions`` adds retired versions. Display strings as the doc shows them:
counts as JSON numbers, ``"41.67%"``, ``"06:33"``, ``"2.50"``, ``"Baseline"``,
``"+60.00%"``, a ``null`` probability for the baseline.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from random import Random
from typing import Any

from sources.ptengine import settings

from . import experience_labels as L
from . import fmt
from .alloc import Counts, add_into, ratio
from .experience_catalog import FORM_VALUES, USER_PROPERTIES, Experience, ExperienceBook
from .experience_model import by_dimension, days_between, total, version_day
from .validate import ApiError, Ctx, date_range, present, require

ALL_VERSIONS = "All versions"
BASIC = ("viewedUsers", "views", "clickedUsers", "clickRate", "closedUsers", "closeRate",
         "formSubmittedUsers", "formSubmitRate")
TAIL = ("avgVisitDuration", "avgPagesPerVisit", "bounceRate")
LOWER_IS_BETTER = ("bounceRate",)
OVERVIEW_DAYS = 90


# --- formatting --------------------------------------------------------------------------


def duration(seconds: Fraction | int) -> str:
    """``393`` -> ``"06:33"``; an hour or more -> ``"01:02:03"`` (§3.9)."""
    s = round(seconds)
    return f"{s // 60:02d}:{s % 60:02d}" if s < 3600 else fmt.hms(s)


def signed_rate(x: Fraction) -> str:
    """``0.6`` -> ``"+60.00%"``, ``-0.1`` -> ``"-10.00%"``."""
    return ("+" if x >= 0 else "") + fmt.rate(x)


def metric_value(name: str, c: Counts, goal_id: str | None = None) -> Any:
    """The display value of an experience metric from counts."""
    viewed = c.get("viewed", 0)
    goal = c.get(f"goal:{goal_id}", 0) if goal_id else 0
    values: dict[str, Any] = {
        "viewedUsers": viewed, "views": c.get("views", 0), "clickedUsers": c.get("clicked", 0),
        "clickRate": fmt.rate(ratio(c.get("clicked", 0), viewed)),
        "closedUsers": c.get("closed", 0), "closeRate": fmt.rate(ratio(c.get("closed", 0), viewed)),
        "formSubmittedUsers": c.get("form", 0),
        "formSubmitRate": fmt.rate(ratio(c.get("form", 0), viewed)),
        "goalReachedUsers": goal, "goalReachRate": fmt.rate(ratio(goal, viewed)),
        "avgVisitDuration": duration(ratio(c.get("seconds", 0), c.get("visits", 0))),
        "avgPagesPerVisit": fmt.decimal(ratio(c.get("pages", 0), c.get("visits", 0))),
        "bounceRate": fmt.rate(ratio(c.get("bounces", 0), c.get("visits", 0))),
    }
    return values[name]


def cell(name: str, value: Any, lang: str) -> dict[str, Any]:
    return {"value": value, **L.text(name, lang)}


def metric_cells(exp: Experience, c: Counts, lang: str) -> dict[str, Any]:
    """Key metrics of one set of counts: basic, type-dependent, goals, then the tail."""
    out = {m: cell(m, metric_value(m, c), lang) for m in BASIC if exp.metric_allowed(m)}
    out["goals"] = [{
        "name": name,
        "reachedUsers": cell("reachedUsers", c.get(f"goal:{gid}", 0), lang),
        "reachRate": cell("reachRate", fmt.rate(ratio(c.get(f"goal:{gid}", 0),
                                                      c.get("viewed", 0))), lang),
        "value": cell("value", None, lang),
    } for gid, name in exp.goals]
    out.update({m: cell(m, metric_value(m, c), lang) for m in TAIL})
    return out


# --- request checks ----------------------------------------------------------------------


def experience_of(ctx: Ctx, book: ExperienceBook) -> Experience:
    require(ctx.body, "id")
    exp = book.get(ctx.body["id"])
    if exp is None:
        raise ApiError(4040, f"id '{ctx.body['id']}'")
    return exp


def dimensions(body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """``dimension``, ``subDimension`` and the user property's name, or 4013 / 4015."""
    require(body, "dimension")
    dim, sub = body["dimension"], body.get("subDimension") or None
    allowed = settings.EXPERIENCE_DIMENSIONS
    if dim not in allowed:
        raise ApiError(4015, f"dimension '{dim}' is not one of {', '.join(allowed)}")
    if sub is not None:
        if dim in settings.EXPERIENCE_NO_SUB_DIMENSION:
            raise ApiError(4015, f"dimension '{dim}' does not support subDimension")
        if sub not in allowed or sub in settings.EXPERIENCE_NO_SUB_DIMENSION:
            raise ApiError(4015, f"subDimension '{sub}' is not allowed")
        if sub == dim or {dim, sub} == settings.EXPERIENCE_EXCLUSIVE_DIMENSIONS:
            raise ApiError(4015, f"subDimension '{sub}' cannot be combined with '{dim}'")
    prop = None
    if dim == "userProperty":
        if not present(body, "property"):
            raise ApiError(4013, "'property' is required when dimension is userProperty")
        raw = body["property"]
        names = {p["name"] for p in USER_PROPERTIES}
        if not isinstance(raw, dict) or raw.get("name") not in names:
            raise ApiError(4015, f"property {raw!r} is not a user property (see "
                                 "/experience/user-properties)")
        prop = str(raw["name"])
    return str(dim), sub, prop


def compare_by(body: dict[str, Any], exp: Experience) -> tuple[str, str | None]:
    """``compareBy`` and ``goalId``: 4013 missing, 4017 invalid or not available."""
    require(body, "compareBy")
    value = body["compareBy"]
    if value not in settings.ABTEST_COMPARE_BY:
        raise ApiError(4017, f"compareBy '{value}'; allowed: "
                             f"{', '.join(settings.ABTEST_COMPARE_BY)}")
    metric = {"clickedUsers": "clickedUsers", "closedUsers": "closedUsers",
              "formSubmittedUsers": "formSubmittedUsers"}.get(value)
    if metric and not exp.metric_allowed(metric):
        raise ApiError(4017, f"compareBy '{value}' is not available for this {exp.type} "
                             "experience")
    goal = None
    if value == "goalReached":
        require(body, "goalId")
        goal = body["goalId"]
        if goal not in {gid for gid, _ in exp.goals}:
            raise ApiError(4013, f"goalId '{goal}' is not a goal of this experience")
    return str(value), goal


def show_deleted(body: dict[str, Any]) -> bool:
    value = body.get("showDeletedVersions", False)
    if not isinstance(value, bool):
        raise ApiError(4018, "showDeletedVersions must be true or false")
    return value


# --- endpoints ---------------------------------------------------------------------------


def list_experiences(ctx: Ctx, book: ExperienceBook) -> list[dict[str, Any]]:
    return [e.listed() for e in book.listed()]


def user_properties(ctx: Ctx) -> list[dict[str, Any]]:
    return [dict(p) for p in USER_PROPERTIES]


def _sum_days(ctx: Ctx, exp: Experience, start: dt.date, end: dt.date,
              show: bool = False) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for day in days_between(start, end):
        for vid, c in version_day(ctx.day(day), exp).items():
            add_into(out.setdefault(vid, {}), c)
    return out


def _live_ids(exp: Experience, show: bool) -> list[str]:
    return [v.id for v in exp.live_versions(show)]


def overview(ctx: Ctx, book: ExperienceBook) -> list[dict[str, Any]]:
    body = ctx.body
    require(body, "experiences")
    items = body["experiences"]
    if not isinstance(items, list) or not all(isinstance(i, dict) and present(i, "id")
                                              for i in items):
        raise ApiError(4018, "experiences must be an array of {id, name}")
    wanted = body.get("metrics")
    allowed = settings.EXPERIENCE_OVERVIEW_METRICS
    if wanted is not None and (not isinstance(wanted, list)
                               or any(m not in allowed for m in wanted)):
        raise ApiError(4018, f"metrics must be a list of {', '.join(allowed)}")
    out = []
    for item in items:
        exp = book.get(item["id"])
        if exp is None:
            raise ApiError(4040, f"id '{item['id']}'")
        start = max(exp.starts, ctx.today - dt.timedelta(days=OVERVIEW_DAYS - 1))
        c = total(_sum_days(ctx, exp, start, ctx.today) if start <= ctx.today else {},
                  _live_ids(exp, True))
        entry: dict[str, Any] = {"name": exp.name}
        for m in wanted or allowed:
            if exp.metric_allowed(m):
                entry[m] = cell(m, _overview_value(exp, m, c), ctx.lang)
        out.append(entry)
    return out


def _overview_value(exp: Experience, metric: str, c: Counts) -> Any:
    goal_id = exp.goals[0][0] if exp.goals else None
    running = exp.status in ("RUNNING", "PAUSE")
    texts = {
        "goalStatus": metric_value("goalReachRate", c, goal_id),
        "lastUpdatedTime": "2026/03/02 09:30:00", "lastUpdatedMember": "marketer@example.com",
        "createdTime": exp.created, "createdMember": exp.creator,
        "runningPeriod": f"{exp.starts:%Y/%m/%d} - " + ("Present" if running else "—"),
        "tags": exp.tags,
    }
    if metric in texts:
        return texts[metric]
    return metric_value(metric, c, goal_id)


def key_metrics(ctx: Ctx, book: ExperienceBook) -> dict[str, Any]:
    exp = experience_of(ctx, book)
    start, end = date_range(ctx)
    c = total(_sum_days(ctx, exp, start, end), _live_ids(exp, False))
    return {"experienceName": exp.name, "items": [metric_cells(exp, c, ctx.lang)]}


def _grouped(ctx: Ctx, exp: Experience, start: dt.date, end: dt.date, dim: str,
             sub: str | None, prop: str | None) -> dict[tuple[str, str | None], dict[str, Counts]]:
    groups: dict[tuple[str, str | None], dict[str, Counts]] = {}
    for day in days_between(start, end):
        for key, versions in by_dimension(ctx.day(day), exp, dim, sub, prop).items():
            slot = groups.setdefault(key, {})
            for vid, c in versions.items():
                add_into(slot.setdefault(vid, {}), c)
    return groups


def insight(ctx: Ctx, book: ExperienceBook) -> dict[str, Any]:
    exp = experience_of(ctx, book)
    start, end = date_range(ctx)
    dim, sub, prop = dimensions(ctx.body)
    items = []
    for (name, sub_name), versions in _grouped(ctx, exp, start, end, dim, sub, prop).items():
        c = total(versions, _live_ids(exp, False))
        if not c.get("viewed"):
            continue
        head = {"name": name, **({"subName": sub_name} if sub else {})}
        items.append({**head, **metric_cells(exp, c, ctx.lang)})
    return {"experienceName": exp.name, "items": items}


def _compare_value(by: str, c: Counts, goal: str | None) -> Fraction:
    viewed, visits = c.get("viewed", 0), c.get("visits", 0)
    return {
        "viewedUsers": Fraction(viewed), "clickedUsers": ratio(c.get("clicked", 0), viewed),
        "closedUsers": ratio(c.get("closed", 0), viewed),
        "formSubmittedUsers": ratio(c.get("form", 0), viewed),
        "goalReached": ratio(c.get(f"goal:{goal}", 0), viewed),
        "avgVisitDuration": ratio(c.get("seconds", 0), visits),
        "avgPagesPerVisit": ratio(c.get("pages", 0), visits),
        "bounceRate": ratio(c.get("bounces", 0), visits),
    }[by]


def _probability(by: str, c: Counts, base: Counts, goal: str | None) -> str | None:
    """P(version beats the baseline), normal approximation; ``None`` when undefined."""
    n, n0 = c.get("viewed", 0), base.get("viewed", 0)
    if by == "viewedUsers" or not n or not n0:
        return None
    p, p0 = float(_compare_value(by, c, goal)), float(_compare_value(by, base, goal))
    if by in ("avgVisitDuration", "avgPagesPerVisit"):
        spread = max(p, p0, 1e-9) * math.sqrt(1 / n + 1 / n0)
    else:
        spread = math.sqrt(max(p * (1 - p), 1e-9) / n + max(p0 * (1 - p0), 1e-9) / n0)
    z = (p - p0) / spread if spread else 0.0
    if by in LOWER_IS_BETTER:
        z = -z
    return fmt.rate(0.5 * (1 + math.erf(z / math.sqrt(2))))


def _version_entry(exp: Experience, name: str, by: str, goal: str | None, c: Counts,
                   base: Counts | None, lang: str, with_probability: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name}
    for m in settings.ABTEST_COMPARE_METRICS[by]:
        entry[m] = cell(m, metric_value(m, c, goal), lang)
    if base is None:
        uplift: Any = "Baseline"
    else:
        b = _compare_value(by, base, goal)
        uplift = signed_rate((_compare_value(by, c, goal) - b) / b) if b else None
    entry["uplift"] = cell("uplift", uplift, lang)
    if with_probability:
        prob = None if base is None else _probability(by, c, base, goal)
        entry["probabilityToBeBest"] = cell("probabilityToBeBest", prob, lang)
    return entry


def _versions(exp: Experience, by: str, goal: str | None, rows: dict[str, Counts],
              show: bool, lang: str, with_probability: bool) -> list[dict[str, Any]]:
    live = exp.live_versions(show)
    base = rows.get(live[0].id, {})
    return [_version_entry(exp, v.name, by, goal, rows.get(v.id, {}), None if i == 0 else base,
                           lang, with_probability) for i, v in enumerate(live)]


def abtest(ctx: Ctx, book: ExperienceBook) -> dict[str, Any]:
    exp = experience_of(ctx, book)
    start, end = date_range(ctx)
    by, goal = compare_by(ctx.body, exp)
    show = show_deleted(ctx.body)
    rows = _sum_days(ctx, exp, start, end)
    return {"experienceName": exp.name,
            "items": _versions(exp, by, goal, rows, show, ctx.lang, True)}


def abtest_insight(ctx: Ctx, book: ExperienceBook) -> dict[str, Any]:
    exp = experience_of(ctx, book)
    start, end = date_range(ctx)
    by, goal = compare_by(ctx.body, exp)
    dim, sub, prop = dimensions(ctx.body)
    show = show_deleted(ctx.body)
    items = []
    for (name, sub_name), versions in _grouped(ctx, exp, start, end, dim, sub, prop).items():
        ids = _live_ids(exp, show)
        every = total(versions, ids)
        if not every.get("viewed"):
            continue
        head = {"name": name, **({"subName": sub_name} if sub else {})}
        entries = [_version_entry(exp, ALL_VERSIONS, by, goal, every, None, ctx.lang, False)]
        entries += _versions(exp, by, goal, versions, show, ctx.lang, False)
        items.append({**head, "versions": entries})
    return {"experienceName": exp.name, "items": items}


def form(ctx: Ctx, book: ExperienceBook) -> dict[str, Any]:
    exp = experience_of(ctx, book)
    require(ctx.body, "versionId")
    version = next((v for v in exp.versions if v.id == ctx.body["versionId"]), None)
    if version is None:
        raise ApiError(4018, f"versionId '{ctx.body['versionId']}' is not a version of this "
                             "experience")
    start, end = date_range(ctx)
    rows: list[dict[str, str]] = []
    for day in days_between(start, end):
        n = version_day(ctx.day(day), exp)[version.id].get("form", 0)
        rng = Random(f"ptengine-form:{ctx.profile_id}:{exp.id}:{version.id}:{day}")
        for i in range(n):
            stamp = dt.datetime.combine(day, dt.time()) + dt.timedelta(
                seconds=rng.randint(0, 86399))
            row = {settings.FORM_SUBMITTED_AT: stamp.strftime("%Y/%m/%d %H:%M:%S")}
            for name in version.form:
                row[name] = (f"user{day:%m%d}{i}@example.com" if name == "Email"
                             else rng.choice(FORM_VALUES[name]))
            rows.append(row)
    rows.sort(key=lambda r: r[settings.FORM_SUBMITTED_AT], reverse=True)
    return {"columns": [settings.FORM_SUBMITTED_AT, *version.form], "rows": rows}
