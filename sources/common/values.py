"""Typed values from the vendors' display strings.

Ptengine formats metrics like its UI (``"1,145"``, ``"52.18%"``, ``"+60.00%"``,
``"00:02:49"``, ``"06:33"``, ``"1m 30s"``, ``"2.45s"``, ``"Baseline"``); the other vendors
send plain numbers, ISO timestamps and unix seconds. Every parser returns a typed value or
``None`` and never raises on bad input: a non-empty value it cannot read is counted in
:data:`PARSE_STATS`, so a run can warn "N values could not be parsed" (CONTRACT §5).
Empty markers (``None``, ``""``, ``"-"``, ``"N/A"``) are plain NULLs and are not counted.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from dlt.common.normalizers.naming.snake_case import NamingConvention

MAX_EXAMPLES: Final = 5
"""How many unparseable field/value pairs :class:`ParseStats` keeps for the warning."""

ParseExample = tuple[str | None, str]
"""An unparseable value: the field it came from (when known) and the value's ``repr``."""

_MISSING_TEXT: Final = frozenset({"", "-", "--", "n/a", "na", "null", "none", "nan"})
_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_CURRENCY_RE: Final = re.compile(r"[$€£¥￥]")
_PERCENT_RE: Final = re.compile(r"(.+?)\s*%")
_CLOCK_RE: Final = re.compile(r"(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)")
_UNITS_RE: Final = re.compile(r"(?:\d+(?:\.\d+)?\s*[a-z]+\s*)+")
_UNIT_PART_RE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_UNIT_SECONDS: Final[dict[str, Decimal]] = {
    "ms": Decimal("0.001"),
    "s": Decimal(1),
    "sec": Decimal(1),
    "m": Decimal(60),
    "min": Decimal(60),
    "h": Decimal(3600),
    "hr": Decimal(3600),
    "d": Decimal(86400),
}
_DAY_RE: Final = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_HOUR_RE: Final = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})[T ](\d{1,2})(?::00(?::00)?)?")
_MILLIS_THRESHOLD: Final = 100_000_000_000  # larger unix values are milliseconds (year > 5000)


class ParseStats:
    """A thread-safe count of the values no parser could read, with the first examples.

    Example:
        >>> stats = ParseStats()
        >>> stats.record("abc", field="pageView")
        >>> stats.count, stats.examples
        (1, [('pageView', "'abc'")])
    """

    def __init__(self, max_examples: int = MAX_EXAMPLES) -> None:
        self._lock = threading.Lock()
        self._max_examples = max_examples
        self._count = 0
        self._examples: list[ParseExample] = []

    @property
    def count(self) -> int:
        """How many values could not be parsed since the last reset."""
        with self._lock:
            return self._count

    @property
    def examples(self) -> list[ParseExample]:
        """The first few unparseable ``(field, repr(value))`` pairs since the last reset."""
        with self._lock:
            return list(self._examples)

    def record(self, value: Any, field: str | None = None) -> None:
        """Count one unparseable value, keeping it as an example while there is room."""
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        with self._lock:
            self._count += 1
            if len(self._examples) < self._max_examples:
                self._examples.append((field, shown))

    def reset(self) -> None:
        """Forget every recorded value."""
        self.take()

    def take(self) -> tuple[int, list[ParseExample]]:
        """Return ``(count, examples)`` and reset, atomically."""
        with self._lock:
            taken = (self._count, self._examples)
            self._count, self._examples = 0, []
        return taken


PARSE_STATS: Final = ParseStats()
"""The process-wide counter every parser in this module reports to."""


def take_parse_warnings() -> tuple[int, list[ParseExample]]:
    """Return how many values could not be parsed, with examples, and reset the counter.

    Example:
        >>> _ = take_parse_warnings(); parse_int("lots", field="visits")
        >>> take_parse_warnings()
        (1, [('visits', "'lots'")])
    """
    return PARSE_STATS.take()


def is_baseline(value: Any) -> bool:
    """Whether ``value`` is the A/B report's ``"Baseline"`` marker (case-insensitive).

    Example:
        >>> is_baseline("Baseline"), is_baseline("+60.00%")
        (True, False)
    """
    return isinstance(value, str) and value.strip().casefold() == "baseline"


def parse_int(value: Any, *, field: str | None = None) -> int | None:
    """Parse a count: thousands separators, signs, and whole floats are accepted.

    A fractional value (``"1.5"``) is not a count: it is NULL and counted as unparseable.

    Example:
        >>> parse_int("1,145"), parse_int("-21,100"), parse_int(1145.0), parse_int("N/A")
        (1145, -21100, 1145, None)
    """
    if _is_missing(value):
        return None
    number = _number(value)
    if number is None or number != number.to_integral_value():
        return _unparseable(value, field)
    return int(number)


def parse_decimal(value: Any, *, field: str | None = None) -> Decimal | None:
    """Parse money exactly; a leading currency symbol (``$ € £ ¥``) is ignored.

    Example:
        >>> parse_decimal("-21,100"), parse_decimal("1,234.50")
        (Decimal('-21100'), Decimal('1234.50'))
    """
    if _is_missing(value):
        return None
    text = _CURRENCY_RE.sub("", value, count=1) if isinstance(value, str) else value
    number = _number(text)
    return _unparseable(value, field) if number is None else number


def parse_float(value: Any, *, field: str | None = None) -> float | None:
    """Parse a decimal number such as an average (``"2.56"``, ``"1,234.5"``).

    Example:
        >>> parse_float("2.56"), parse_float("1,234.5"), parse_float(3)
        (2.56, 1234.5, 3.0)
    """
    if _is_missing(value):
        return None
    number = _number(value)
    return _unparseable(value, field) if number is None else float(number)


def parse_rate(value: Any, *, field: str | None = None) -> float | None:
    """Parse a rate into a fraction: ``"52.18%"`` is 0.5218; a bare number is kept.

    Percent strings are divided exactly (in :class:`~decimal.Decimal`), so no float noise
    appears. ``"Baseline"`` gives ``None`` without counting: detect it with
    :func:`is_baseline`.

    Example:
        >>> parse_rate("52.18%"), parse_rate("+60.00%"), parse_rate(0.45), parse_rate("Baseline")
        (0.5218, 0.6, 0.45, None)
    """
    if _is_missing(value) or is_baseline(value):
        return None
    percent = _PERCENT_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    number = _number(percent.group(1) if percent else value)
    if number is None:
        return _unparseable(value, field)
    return float(number / 100 if percent else number)


def parse_duration(value: Any, *, field: str | None = None) -> float | None:
    """Parse a duration into seconds.

    Accepted: ``HH:MM:SS``, ``MM:SS``, unit strings (``"1h 2m 3s"``, ``"1m 30s"``,
    ``"2.45s"``, ``"12ms"``, also ``d``, ``hr``, ``min``, ``sec``) and plain numbers of
    seconds.

    Example:
        >>> parse_duration("00:02:49"), parse_duration("06:33"), parse_duration("1m 30s")
        (169.0, 393.0, 90.0)
    """
    if _is_missing(value):
        return None
    seconds = _number(value)
    if seconds is None and isinstance(value, str):
        text = value.strip().lower()
        clock = _CLOCK_RE.fullmatch(text)
        if clock:
            seconds = _clock_seconds(*clock.groups())
        elif _UNITS_RE.fullmatch(text):
            seconds = _unit_seconds(text)
    return _unparseable(value, field) if seconds is None else float(seconds)


def parse_date(value: Any, *, field: str | None = None) -> date | None:
    """Parse a day: ``YYYY-MM-DD`` or ``YYYY/MM/DD``, optionally followed by a time.

    A following time is ignored: ``"2021-05-12T00:00:00Z"`` (Pirsch's ``day``) is that day.

    Example:
        >>> parse_date("2026-04-01"), parse_date("2026/04/01")
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 1))
    """
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DAY_RE.match(value.strip()) if isinstance(value, str) else None
    rest = value.strip()[match.end() :] if match else ""
    if match and (not rest or rest[0] in "T "):
        return _make(date, field, value, int(match[1]), int(match[3]), int(match[4]))
    return _unparseable(value, field)


def parse_hour(value: Any, *, field: str | None = None) -> datetime | None:
    """Parse an hourly bucket (``"2026-04-01T13"``) into its naive local start.

    The caller attaches the reporting timezone. ``:00`` or ``:00:00`` may follow the hour.

    Example:
        >>> parse_hour("2026-04-01T13")
        datetime.datetime(2026, 4, 1, 13, 0)
    """
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value
    match = _HOUR_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return _unparseable(value, field)
    year, _, month, day, hour = match.groups()
    return _make(datetime, field, value, int(year), int(month), int(day), int(hour))


def parse_timestamp(value: Any, tz: str = "UTC", *, field: str | None = None) -> datetime | None:
    """Parse an instant into an aware datetime in UTC.

    Accepted: ISO strings (``Z``, offsets, nanoseconds, ``YYYY/MM/DD`` dates), unix
    seconds (or milliseconds, when too large for seconds) as numbers or digit strings, and
    datetimes. A value without an offset is read as local time in ``tz``.

    Raises:
        zoneinfo.ZoneInfoNotFoundError: ``tz`` is unknown (validate it beforehand with
            :func:`sources.common.dates.validate_timezone`).

    Example:
        >>> parse_timestamp("2026/04/09 19:14:33", tz="Asia/Tokyo")
        datetime.datetime(2026, 4, 9, 10, 14, 33, tzinfo=datetime.timezone.utc)
    """
    zone = ZoneInfo(tz)
    if _is_missing(value):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, datetime):
        local = value if value.tzinfo else value.replace(tzinfo=zone)
        return local.astimezone(UTC)
    unix = _number(value)
    if unix is not None:
        if abs(unix) >= _MILLIS_THRESHOLD:
            unix /= 1000
        return _make(_from_unix, field, value, unix)
    if not isinstance(value, str):
        return _unparseable(value, field)
    text = value.strip()
    day = _DAY_RE.match(text)
    if day:
        year, _, month, mday = day.groups()
        text = f"{year}-{int(month):02d}-{int(mday):02d}{text[day.end() :]}"
    parsed = _make(datetime.fromisoformat, field, value, text)
    return parse_timestamp(parsed, tz) if parsed else None


def _parse_text(value: Any, *, field: str | None = None) -> str | None:
    """Keep a text value as it is (numbers become their text); ``None`` stays NULL."""
    if value is None or isinstance(value, str):
        return value
    return str(value)


_PARSERS: Final[dict[str, Callable[..., Any]]] = {
    "INTEGER": parse_int,
    "RATE": parse_rate,
    "TIME": parse_duration,
    "NUMBER": parse_float,
    "DECIMAL": parse_float,
    "MONEY": parse_decimal,
    "STRING": _parse_text,
    "DATE": parse_date,
}


def parse_value(value: Any, value_type: str, *, field: str | None = None) -> Any:
    """Parse ``value`` with the parser for a documented value type (case-insensitive).

    Types (``sources.ptengine.settings.ValueType``): ``INTEGER`` → int, ``RATE`` →
    fraction, ``TIME`` → seconds, ``NUMBER``/``DECIMAL`` → float, ``MONEY`` → Decimal,
    ``STRING`` → str, ``DATE`` → date.

    Raises:
        ValueError: ``value_type`` is not one of these (a programming error, not bad data).

    Example:
        >>> parse_value("52.18%", "RATE"), parse_value("1,145", "INTEGER")
        (0.5218, 1145)
    """
    parser = _PARSERS.get(value_type.upper())
    if parser is None:
        raise ValueError(f"unknown value type {value_type!r}; expected one of {sorted(_PARSERS)}")
    return parser(value, field=field)


_NAMING: Final = NamingConvention()


@lru_cache(maxsize=4096)
def to_snake(name: str) -> str:
    """Return dlt's snake_case column name for an API field name.

    Delegates to dlt's ``snake_case`` naming convention, so the names always equal the
    ones dlt gives the loaded columns.

    Raises:
        ValueError: ``name`` is empty.

    Example:
        >>> to_snake("pageView"), to_snake("avgVisitDuration"), to_snake("pv")
        ('page_view', 'avg_visit_duration', 'pv')
    """
    return _NAMING.normalize_identifier(name)


# --- helpers ---------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _MISSING_TEXT
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, Decimal) and value.is_nan()


def _unparseable(value: Any, field: str | None) -> Any:
    """Count ``value`` as unparseable and return ``None`` (typed ``Any`` for ``return``)."""
    PARSE_STATS.record(value, field)
    return None


def _number(value: Any) -> Decimal | None:
    """The exact number in ``value``, or ``None`` when it holds none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return number if number.is_finite() else None
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        if _NUMBER_RE.fullmatch(text):
            return Decimal(text.replace(",", ""))
    return None


def _clock_seconds(hours: str | None, minutes: str, seconds: str) -> Decimal | None:
    if Decimal(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + Decimal(seconds)


def _unit_seconds(text: str) -> Decimal | None:
    total = Decimal(0)
    for amount, unit in _UNIT_PART_RE.findall(text):
        if unit not in _UNIT_SECONDS:
            return None
        total += Decimal(amount) * _UNIT_SECONDS[unit]
    return total


def _from_unix(seconds: Decimal) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=float(seconds))


def _make(build: Callable[..., Any], field: str | None, value: Any, *args: Any) -> Any:
    """``build(*args)``, or ``None`` (counted) when the parts are out of range."""
    try:
        return build(*args)
    except (ValueError, OverflowError):
        return _unparseable(value, field)
