"""Reporting-day windows: which local days a run loads, and the instants they span.

A source reports by day in its account's timezone. A run covers a :class:`DayWindow` of
such days, resolved from the saved cursor, the configuration and the CLI flags
(CONTRACT §3, §4); APIs with a maximum span get it in :meth:`DayWindow.chunks`, APIs that
take instants get :func:`day_bounds_utc`, hourly curves get :func:`hour_starts`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sources.common.errors import ConfigurationError

_ONE_DAY: Final = timedelta(days=1)
_ONE_HOUR: Final = timedelta(hours=1)
_ISO_DAY_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_cli_date(text: str | date, key: str) -> date:
    """Read a ``YYYY-MM-DD`` date from a flag or configuration key.

    A ``date`` (TOML dates arrive as such) is accepted as it is; a ``datetime`` gives its day.

    Raises:
        ConfigurationError: ``text`` is not a real ``YYYY-MM-DD`` date; names ``key``.

    Example:
        >>> parse_cli_date("2026-04-01", "--start-date")
        datetime.date(2026, 4, 1)
    """
    if isinstance(text, date):
        return date(text.year, text.month, text.day)
    if isinstance(text, str) and _ISO_DAY_RE.fullmatch(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise ConfigurationError(key, f"'{text}' is not a date", "use YYYY-MM-DD, e.g. 2026-04-01")


def validate_timezone(name: str, key: str) -> str:
    """Check that ``name`` is an IANA timezone and return it.

    Raises:
        ConfigurationError: the name is unknown; names ``key`` and suggests a fix (the
            correctly capitalised name when only the case is wrong).

    Example:
        >>> validate_timezone("Asia/Tokyo", "sources.ptengine.timezone")
        'Asia/Tokyo'
    """
    if isinstance(name, str) and name:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise ConfigurationError(key, f"'{name}' is not an IANA timezone", _timezone_fix(name))


def _timezone_fix(name: Any) -> str:
    wanted = str(name).strip().casefold()
    for known in sorted(available_timezones()):
        if known.casefold() == wanted:
            return f"use '{known}'"
    return "use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"


def today_in(tz: str, now: datetime | None = None) -> date:
    """The current day in timezone ``tz``.

    Args:
        tz: IANA timezone name.
        now: the current instant (for tests); naive values are taken as UTC.

    Example:
        >>> today_in("Asia/Tokyo", datetime(2026, 4, 1, 20, 0, tzinfo=UTC))
        datetime.date(2026, 4, 2)
    """
    instant = now if now is not None else datetime.now(UTC)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(tz)).date()


def next_midnight(tz: str, now: datetime | None = None) -> datetime:
    """The next start of a day in ``tz`` (when a daily quota counted in ``tz`` resets), in UTC.

    Example:
        >>> next_midnight("UTC", datetime(2026, 4, 1, 20, 0, tzinfo=UTC))
        datetime.datetime(2026, 4, 2, 0, 0, tzinfo=datetime.timezone.utc)
    """
    return _midnight_utc(today_in(tz, now) + _ONE_DAY, ZoneInfo(tz))


def describe_wait(until: datetime, now: datetime | None = None) -> str:
    """``until`` for a person: ``'2026-04-02 00:00 UTC (in 3 h 30 min)'``.

    Example:
        >>> now = datetime(2026, 4, 1, 20, 30, tzinfo=UTC)
        >>> describe_wait(datetime(2026, 4, 2, tzinfo=UTC), now)
        '2026-04-02 00:00 UTC (in 3 h 30 min)'
    """
    instant = now if now is not None else datetime.now(UTC)
    minutes = max(0, math.ceil((until - instant).total_seconds() / 60))
    hours, mins = divmod(minutes, 60)
    left = f"{hours} h {mins} min" if hours else f"{mins} min"
    return f"{until.astimezone(UTC):%Y-%m-%d %H:%M} UTC (in {left})"


def yesterday_in(tz: str, now: datetime | None = None) -> date:
    """The last complete day in timezone ``tz`` (the default ``end_date``).

    Example:
        >>> yesterday_in("UTC", datetime(2026, 4, 1, 0, 30, tzinfo=UTC))
        datetime.date(2026, 3, 31)
    """
    return today_in(tz, now) - _ONE_DAY


@dataclass(frozen=True)
class DayWindow:
    """The reporting days ``start`` … ``end``, both included; empty when start > end.

    Example:
        >>> window = DayWindow(date(2026, 4, 1), date(2026, 4, 5))
        >>> len(window), [str(c) for c in window.chunks(2)]
        (5, ['2026-04-01..2026-04-02', '2026-04-03..2026-04-04', '2026-04-05..2026-04-05'])
    """

    start: date
    end: date

    def __len__(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def is_empty(self) -> bool:
        """Whether the window holds no day (nothing to load)."""
        return self.start > self.end

    def days(self) -> list[date]:
        """Every day of the window, oldest first."""
        return [self.start + timedelta(days=i) for i in range(len(self))]

    def chunks(self, max_days: int) -> list[DayWindow]:
        """Consecutive windows of at most ``max_days`` days covering this one, oldest first.

        Raises:
            ValueError: ``max_days`` is less than 1.
        """
        if max_days < 1:
            raise ValueError(f"max_days must be at least 1, got {max_days}")
        step = timedelta(days=max_days)
        return [
            DayWindow(first, min(first + step - _ONE_DAY, self.end))
            for first in self.days()[::max_days]
        ]


def resolve_window(
    *,
    cursor: date | None,
    start_date: date,
    end_date: date,
    lookback_days: int,
    explicit_start: date | None = None,
    explicit_end: date | None = None,
) -> DayWindow:
    """The days a run loads, by the incremental rules of CONTRACT §3 and §4.

    - ``explicit_start`` (``--start-date``, a backfill) wins over the cursor and over
      ``start_date``.
    - Otherwise, with a ``cursor`` (the last day already loaded) the run starts at
      ``cursor + 1 - lookback_days`` (so ``lookback_days`` loaded days are fetched again),
      never before ``start_date``; without a cursor it starts at ``start_date``.
    - ``explicit_end`` (``--end-date``) replaces ``end_date`` as the last day.
    - A start after the end gives an empty window, not an error.

    Raises:
        ConfigurationError: ``lookback_days`` is negative.

    Example:
        >>> str(resolve_window(cursor=date(2026, 4, 10), start_date=date(2026, 1, 1),
        ...                    end_date=date(2026, 4, 12), lookback_days=2))
        '2026-04-09..2026-04-12'
    """
    if lookback_days < 0:
        raise ConfigurationError(
            "lookback_days", f"{lookback_days} is negative", "use 0 or a positive number of days"
        )
    if explicit_start is not None:
        start = explicit_start
    elif cursor is not None:
        start = max(cursor + _ONE_DAY - timedelta(days=lookback_days), start_date)
    else:
        start = start_date
    return DayWindow(start, explicit_end if explicit_end is not None else end_date)


def day_bounds_utc(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants where the local ``day`` starts and the next day starts.

    A local midnight that a DST change skips starts the day at the change.

    Example:
        >>> [t.isoformat() for t in day_bounds_utc(date(2026, 3, 8), "America/New_York")]
        ['2026-03-08T05:00:00+00:00', '2026-03-09T04:00:00+00:00']
    """
    zone = ZoneInfo(tz)
    return _midnight_utc(day, zone), _midnight_utc(day + _ONE_DAY, zone)


def hour_starts(day: date, tz: str) -> list[datetime]:
    """The aware local starts of each hour of a reporting day: 23 or 25 across DST.

    The repeated hour of a fall-back day appears twice, with its two offsets. Python does
    wall-clock arithmetic between datetimes of one zone: convert to UTC to measure.

    Example:
        >>> [t.hour for t in hour_starts(date(2026, 3, 8), "America/New_York")][:4]
        [0, 1, 3, 4]
    """
    zone = ZoneInfo(tz)
    start, end = day_bounds_utc(day, tz)
    count = -(-(end - start) // _ONE_HOUR)  # ceiling: half-hour DST shifts keep the last hour
    return [(start + i * _ONE_HOUR).astimezone(zone) for i in range(count)]


def _midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
