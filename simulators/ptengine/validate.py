"""Request checks shared by the Ptengine endpoints, in the doc's error codes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sources.ptengine import settings

from .catalog import GOALS, Goal
from .query import Filter

if TYPE_CHECKING:
    from .model import DayModel, Model

_DATE_RE = re.compile(r"\d{4}([-/])\d{2}\1\d{2}")


class ApiError(Exception):
    """A documented error answer: business ``code`` plus a detail for the message."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass
class Ctx:
    """One authenticated, admitted API request.

    Attributes:
        body: the JSON body (``{}`` for ``GET``).
        meta: an optional top-level ``meta`` object for the answer.
    """

    body: dict[str, Any]
    profile_id: str
    lang: str
    today: dt.date
    retention_days: int
    model: Model
    meta: dict[str, Any] | None = field(default=None)

    def day(self, day: dt.date) -> DayModel:
        """The profile's model of ``day`` as of today."""
        return self.model.day_model(self.profile_id, day, self.today)


def lang_of(value: Any) -> str:
    """``EN`` / ``ZH`` / ``JP``; anything else falls back to ``EN``."""
    return value.upper() if isinstance(value, str) and value.upper() in settings.LANGS else "EN"


def present(body: dict[str, Any], name: str) -> bool:
    """A field counts as given unless absent, null or an empty string."""
    return body.get(name) not in (None, "")


def require(body: dict[str, Any], *names: str) -> None:
    """4013 naming the first missing field."""
    for name in names:
        if not present(body, name):
            raise ApiError(4013, f"'{name}' is required")


def query_type(body: dict[str, Any], allowed: Sequence[str]) -> str:
    """The ``queryType``: 4013 when missing, 4001 when not one of ``allowed``."""
    require(body, "queryType")
    value = body["queryType"]
    if value not in allowed:
        raise ApiError(4001, f"queryType '{value}' is not one of {', '.join(allowed)}")
    return str(value)


def choice(body: dict[str, Any], name: str, allowed: Sequence[str], code: int = 4018,
           default: str | None = None) -> str:
    """A field that must be one of ``allowed`` (4013 when missing and no default)."""
    if not present(body, name):
        if default is None:
            raise ApiError(4013, f"'{name}' is required")
        return default
    value = body[name]
    if value not in allowed:
        raise ApiError(code, f"{name} '{value}' is not one of {', '.join(allowed)}")
    return str(value)


def parse_date(value: Any, name: str) -> dt.date:
    """``YYYY-MM-DD`` or ``YYYY/MM/DD``, else 4002."""
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            pass
    raise ApiError(4002, f"{name} '{value}' must be YYYY-MM-DD or YYYY/MM/DD")


def date_range(ctx: Ctx, required: bool = True, default_days: int = 30) -> tuple[dt.date, dt.date]:
    """``startDate``/``endDate``: 4013 missing, 4002 bad or reversed, 4003 too old.

    Optional dates (filter-values) default to the last ``default_days`` days.
    """
    body = ctx.body
    if required:
        require(body, "startDate", "endDate")
    end = parse_date(body["endDate"], "endDate") if present(body, "endDate") else ctx.today
    start = parse_date(body["startDate"], "startDate") if present(body, "startDate") \
        else end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ApiError(4002, f"startDate {start} is after endDate {end}")
    earliest = ctx.today - dt.timedelta(days=ctx.retention_days)
    if start < earliest:
        raise ApiError(4003, f"startDate {start} is older than the plan's {ctx.retention_days} "
                             f"days of retention; the earliest allowed date is "
                             f"{earliest.isoformat()}")
    return start, end


def string_list(body: dict[str, Any], name: str, code: int = 4018,
                allow_empty: bool = False) -> list[str] | None:
    """An optional array of strings (``None`` when absent; empty only if allowed)."""
    if name not in body or body[name] is None:
        return None
    value = body[name]
    if not isinstance(value, list) or not (value or allow_empty) or \
            not all(isinstance(v, str) and v for v in value):
        raise ApiError(code, f"{name} must be a non-empty array of strings")
    return value


# --- conversion goals ----------------------------------------------------------------


def goals_containing(text: Any) -> list[Goal]:
    """Goals whose name contains ``text`` (case-insensitive fuzzy match)."""
    if not isinstance(text, str) or not text:
        return []
    return [g for g in GOALS if text.lower() in g.name.lower()]


def goals_matching(name: str, text: Any) -> tuple[str, ...]:
    """Goal ids a fuzzy ``conversionName`` matches; 4012 when none."""
    found = goals_containing(text)
    if not found:
        raise ApiError(4012, f"{name} '{text}' matches no conversion goal")
    return tuple(g.id for g in found)


def goals_exact(names: list[str]) -> list[Goal]:
    """Goals named exactly (heatmap ``conversionNames``); 4012 naming unknown ones."""
    by_name = {g.name: g for g in GOALS}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ApiError(4012, f"conversionNames {unknown} match no conversion goal "
                             f"(names must match exactly; see /conversion/goals)")
    return [by_name[n] for n in names]


# --- filters -------------------------------------------------------------------------


def filters(body: dict[str, Any]) -> list[Filter]:
    """Validate ``filters`` (§2.1): names 4018, missing keys 4013, op/values 4019."""
    raw = body.get("filters")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError(4018, "filters must be an array of filter objects")
    out = []
    for i, item in enumerate(raw):
        where = f"filters[{i}]"
        if not isinstance(item, dict):
            raise ApiError(4018, f"{where} must be an object")
        if not present(item, "name"):
            raise ApiError(4013, f"'{where}.name' is required")
        name = item["name"]
        if name not in settings.FILTER_FIELDS:
            raise ApiError(4018, f"{where}.name '{name}' is not a filter field")
        extra = settings.FILTER_EXTRA_KEYS.get(name, ())
        unknown = sorted(set(item) - {"name", "op", "value", *extra})
        if unknown:
            raise ApiError(4018, f"{where} ({name}) does not take {', '.join(unknown)}")
        for key in extra:
            if not isinstance(item.get(key), str) or not item[key]:
                raise ApiError(4013, f"'{where}.{key}' is required for {name}")
        op = item.get("op")
        if op not in settings.FILTER_OPS:
            raise ApiError(4019, f"{where}.op '{op}' must be include or exclude")
        values = item.get("value")
        if not isinstance(values, list) or not values or \
                not all(isinstance(v, str) for v in values):
            raise ApiError(4019, f"{where}.value must be a non-empty array of strings")
        allowed = settings.FIXED_FILTER_VALUES.get(name)
        bad = [v for v in values if allowed and v not in allowed]
        if bad:
            raise ApiError(4019, f"{where}.value {bad} not allowed for {name}; use "
                                 f"{', '.join(allowed or ())}")
        goal_ids: tuple[str, ...] = ()
        if name == "conversionName":
            goal_ids = tuple(dict.fromkeys(g for v in values
                                           for g in goals_matching(f"{where}.value", v)))
        out.append(Filter(name, op, tuple(values), item.get("eventName"),
                          item.get("eventVariant"), goal_ids))
    return out


def conversion_name(body: dict[str, Any]) -> tuple[str, ...] | None:
    """The optional fuzzy ``conversionName`` (data center) as goal ids; 4012 when none."""
    if not present(body, "conversionName"):
        return None
    return goals_matching("conversionName", body["conversionName"])
