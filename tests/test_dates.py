"""Reporting-day windows: CLI dates, timezones, incremental rules, chunking and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sources.common.dates import (
    DayWindow,
    day_bounds_utc,
    hour_starts,
    parse_cli_date,
    resolve_window,
    today_in,
    validate_timezone,
    yesterday_in,
)
from sources.common.errors import EXIT_CONFIG, ConfigurationError


def d(text: str) -> date:
    return date.fromisoformat(text)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- CLI dates and timezones -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-04-01", date(2026, 4, 1)),
        ("2024-02-29", date(2024, 2, 29)),
        (" 2026-04-01 ", date(2026, 4, 1)),
        (date(2026, 4, 1), date(2026, 4, 1)),
        (datetime(2026, 4, 1, 13, 30), date(2026, 4, 1)),
    ],
)
def test_parse_cli_date(raw: str | date, expected: date) -> None:
    result = parse_cli_date(raw, "--start-date")
    assert result == expected
    assert type(result) is date


@pytest.mark.parametrize(
    "raw",
    [
        "2026-13-01",
        "2026-02-30",
        "2025-02-29",
        "20260401",
        "2026/04/01",
        "2026-4-1",
        "01-04-2026",
        "2026-04-01T00:00:00",
        "yesterday",
        "",
    ],
)
def test_parse_cli_date_rejects_non_dates(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_cli_date(raw, "sources.ptengine.start_date")
    error = caught.value
    assert error.key == "sources.ptengine.start_date"
    assert error.exit_code == EXIT_CONFIG
    assert str(error) == (
        f"sources.ptengine.start_date: '{raw}' is not a date (fix: use YYYY-MM-DD, e.g. 2026-04-01)"
    )


@pytest.mark.parametrize("name", ["UTC", "Asia/Tokyo", "America/New_York", "Europe/Berlin"])
def test_validate_timezone_accepts_iana_names(name: str) -> None:
    assert validate_timezone(name, "sources.pirsch.timezone") == name


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("Mars/Olympus", "use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"),
        ("", "use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"),
        ("America", "use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"),
        ("../etc/passwd", "use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"),
        ("asia/tokyo", "use 'Asia/Tokyo'"),
        ("utc", "use 'UTC'"),
    ],
)
def test_validate_timezone_rejects_unknown_names(name: str, fix: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        validate_timezone(name, "sources.ptengine.timezone")
    assert caught.value.key == "sources.ptengine.timezone"
    assert str(caught.value) == (
        f"sources.ptengine.timezone: '{name}' is not an IANA timezone (fix: {fix})"
    )


@pytest.mark.parametrize(
    ("tz", "now", "today", "yesterday"),
    [
        ("UTC", utc("2026-04-01T23:30:00"), d("2026-04-01"), d("2026-03-31")),
        ("Asia/Tokyo", utc("2026-04-01T23:30:00"), d("2026-04-02"), d("2026-04-01")),
        ("America/New_York", utc("2026-04-01T03:30:00"), d("2026-03-31"), d("2026-03-30")),
        ("Pacific/Kiritimati", utc("2026-04-01T10:00:00"), d("2026-04-02"), d("2026-04-01")),
        ("UTC", datetime(2026, 1, 1, 0, 0), d("2026-01-01"), d("2025-12-31")),  # naive = UTC
    ],
)
def test_today_and_yesterday_in_a_timezone(
    tz: str, now: datetime, today: date, yesterday: date
) -> None:
    assert today_in(tz, now) == today
    assert yesterday_in(tz, now) == yesterday


def test_today_defaults_to_the_clock() -> None:
    assert abs(today_in("UTC") - datetime.now(UTC).date()) <= timedelta(days=1)
    assert today_in("UTC") - yesterday_in("UTC") == timedelta(days=1)


# --- DayWindow -------------------------------------------------------------------------


def test_day_window_days_oldest_first() -> None:
    window = DayWindow(d("2026-02-27"), d("2026-03-02"))
    assert window.days() == [d("2026-02-27"), d("2026-02-28"), d("2026-03-01"), d("2026-03-02")]
    assert len(window) == 4
    assert not window.is_empty
    assert str(window) == "2026-02-27..2026-03-02"


@pytest.mark.parametrize(
    ("window", "length"),
    [
        (DayWindow(d("2026-04-01"), d("2026-04-01")), 1),
        (DayWindow(d("2026-04-02"), d("2026-04-01")), 0),
        (DayWindow(d("2026-04-10"), d("2026-04-01")), 0),
    ],
)
def test_day_window_length_and_emptiness(window: DayWindow, length: int) -> None:
    assert len(window) == length
    assert window.is_empty is (length == 0)
    assert len(window.days()) == length
    assert bool(window) is (length > 0)


@pytest.mark.parametrize(
    ("max_days", "expected"),
    [
        (
            3,
            [
                ("2026-04-01", "2026-04-03"),
                ("2026-04-04", "2026-04-06"),
                ("2026-04-07", "2026-04-07"),
            ],
        ),
        (7, [("2026-04-01", "2026-04-07")]),
        (31, [("2026-04-01", "2026-04-07")]),
        (6, [("2026-04-01", "2026-04-06"), ("2026-04-07", "2026-04-07")]),
        (1, [(f"2026-04-0{i}", f"2026-04-0{i}") for i in range(1, 8)]),
    ],
)
def test_chunks_split_into_consecutive_spans(
    max_days: int, expected: list[tuple[str, str]]
) -> None:
    window = DayWindow(d("2026-04-01"), d("2026-04-07"))
    chunks = window.chunks(max_days)
    assert [(str(c.start), str(c.end)) for c in chunks] == expected
    assert [day for chunk in chunks for day in chunk.days()] == window.days()
    assert all(len(chunk) <= max_days for chunk in chunks)


def test_chunks_across_a_year_end() -> None:
    chunks = DayWindow(d("2025-12-20"), d("2026-01-10")).chunks(10)
    assert [(str(c.start), str(c.end)) for c in chunks] == [
        ("2025-12-20", "2025-12-29"),
        ("2025-12-30", "2026-01-08"),
        ("2026-01-09", "2026-01-10"),
    ]


def test_chunks_of_an_empty_window() -> None:
    assert DayWindow(d("2026-04-02"), d("2026-04-01")).chunks(5) == []


@pytest.mark.parametrize("max_days", [0, -1])
def test_chunks_need_a_positive_span(max_days: int) -> None:
    with pytest.raises(ValueError, match="max_days"):
        DayWindow(d("2026-04-01"), d("2026-04-07")).chunks(max_days)


# --- resolve_window: CONTRACT §3/§4 ----------------------------------------------------

START = d("2026-01-01")
END = d("2026-04-15")


@pytest.mark.parametrize(
    ("case", "kwargs", "expected"),
    [
        (
            "first run starts at start_date",
            {"cursor": None, "lookback_days": 2},
            ("2026-01-01", "2026-04-15"),
        ),
        (
            "cursor with lookback re-fetches 2 loaded days",
            {"cursor": d("2026-04-10"), "lookback_days": 2},
            ("2026-04-09", "2026-04-15"),
        ),
        (
            "no lookback continues after the cursor",
            {"cursor": d("2026-04-10"), "lookback_days": 0},
            ("2026-04-11", "2026-04-15"),
        ),
        (
            "lookback of one re-fetches the cursor day",
            {"cursor": d("2026-04-10"), "lookback_days": 1},
            ("2026-04-10", "2026-04-15"),
        ),
        (
            "lookback never reaches before start_date",
            {"cursor": d("2026-01-02"), "lookback_days": 30},
            ("2026-01-01", "2026-04-15"),
        ),
        (
            "up to date without lookback is empty",
            {"cursor": END, "lookback_days": 0},
            ("2026-04-16", "2026-04-15"),
        ),
        (
            "up to date with lookback re-fetches",
            {"cursor": END, "lookback_days": 2},
            ("2026-04-14", "2026-04-15"),
        ),
        (
            "backfill wins over the cursor",
            {"cursor": d("2026-04-10"), "lookback_days": 2, "explicit_start": d("2026-02-01")},
            ("2026-02-01", "2026-04-15"),
        ),
        (
            "backfill may start before start_date",
            {"cursor": None, "lookback_days": 2, "explicit_start": d("2025-12-01")},
            ("2025-12-01", "2026-04-15"),
        ),
        (
            "backfill after the cursor",
            {"cursor": d("2026-03-01"), "lookback_days": 2, "explicit_start": d("2026-04-12")},
            ("2026-04-12", "2026-04-15"),
        ),
        (
            "explicit end caps the run",
            {"cursor": d("2026-04-10"), "lookback_days": 2, "explicit_end": d("2026-04-12")},
            ("2026-04-09", "2026-04-12"),
        ),
        (
            "explicit backfill range",
            {
                "cursor": d("2026-04-10"),
                "lookback_days": 2,
                "explicit_start": d("2026-03-01"),
                "explicit_end": d("2026-03-07"),
            },
            ("2026-03-01", "2026-03-07"),
        ),
        (
            "explicit end replaces end_date",
            {"cursor": None, "lookback_days": 2, "explicit_end": d("2026-04-20")},
            ("2026-01-01", "2026-04-20"),
        ),
        (
            "explicit end before the start is empty",
            {"cursor": d("2026-04-10"), "lookback_days": 0, "explicit_end": d("2026-04-05")},
            ("2026-04-11", "2026-04-05"),
        ),
    ],  # fmt: skip
)
def test_resolve_window(case: str, kwargs: dict[str, object], expected: tuple[str, str]) -> None:
    window = resolve_window(start_date=START, end_date=END, **kwargs)  # type: ignore[arg-type]
    assert (str(window.start), str(window.end)) == expected, case


def test_lookback_re_fetches_exactly_lookback_days() -> None:
    cursor = d("2026-04-10")
    for lookback in range(5):
        window = resolve_window(
            cursor=cursor, start_date=START, end_date=END, lookback_days=lookback
        )
        assert [day for day in window.days() if day <= cursor] == [
            cursor - timedelta(days=n) for n in reversed(range(lookback))
        ]


def test_start_date_after_end_date_is_an_empty_window() -> None:
    window = resolve_window(cursor=None, start_date=d("2026-05-01"), end_date=END, lookback_days=2)
    assert window.is_empty
    assert window.days() == []
    assert window.chunks(7) == []


@pytest.mark.parametrize("lookback", [-1, -30])
def test_negative_lookback_is_a_configuration_error(lookback: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_window(cursor=None, start_date=START, end_date=END, lookback_days=lookback)
    assert caught.value.key == "lookback_days"
    assert f"{lookback} is negative" in str(caught.value)


# --- hours and instants across DST ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "tz", "local_hours", "offsets"),
    [
        # spring forward: 02:00 does not exist
        ("2026-03-08", "America/New_York", [0, 1, *range(3, 24)], {-5, -4}),
        ("2026-03-29", "Europe/Berlin", [0, 1, *range(3, 24)], {1, 2}),
        # fall back: 01:00 (New York) / 02:00 (Berlin) happens twice
        ("2026-11-01", "America/New_York", [0, 1, 1, *range(2, 24)], {-4, -5}),
        ("2026-10-25", "Europe/Berlin", [0, 1, 2, 2, *range(3, 24)], {2, 1}),
        # ordinary days
        ("2026-04-01", "America/New_York", list(range(24)), {-4}),
        ("2026-04-01", "Asia/Tokyo", list(range(24)), {9}),
        ("2026-03-08", "UTC", list(range(24)), {0}),
        # the local midnight is skipped: the day starts at 01:00
        ("2026-09-06", "America/Santiago", list(range(1, 24)), {-3}),
    ],
)
def test_hour_starts_across_dst(
    day: str, tz: str, local_hours: list[int], offsets: set[int]
) -> None:
    starts = hour_starts(d(day), tz)
    assert [t.hour for t in starts] == local_hours
    assert {t.utcoffset() // timedelta(hours=1) for t in starts} == offsets  # type: ignore[operator]
    assert all(t.minute == 0 and str(t.tzinfo) == tz for t in starts)
    instants = [t.astimezone(UTC) for t in starts]  # same-zone subtraction is wall-clock
    assert all(b - a == timedelta(hours=1) for a, b in zip(instants, instants[1:], strict=False))
    first, next_day = day_bounds_utc(d(day), tz)
    assert instants[0] == first
    assert instants[-1] + timedelta(hours=1) == next_day


def test_fall_back_repeats_the_hour_with_two_offsets() -> None:
    starts = hour_starts(d("2026-11-01"), "America/New_York")
    assert len(starts) == 25
    assert [t.isoformat() for t in starts[1:3]] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00",
    ]


def test_hour_starts_in_a_half_hour_zone() -> None:
    starts = hour_starts(d("2026-04-01"), "Asia/Kolkata")
    assert len(starts) == 24
    assert starts[0].astimezone(UTC) == utc("2026-03-31T18:30:00")
    assert [t.hour for t in starts] == list(range(24))


@pytest.mark.parametrize(
    ("day", "tz", "start", "end"),
    [
        ("2026-03-08", "America/New_York", "2026-03-08T05:00:00", "2026-03-09T04:00:00"),
        ("2026-11-01", "America/New_York", "2026-11-01T04:00:00", "2026-11-02T05:00:00"),
        ("2026-03-29", "Europe/Berlin", "2026-03-28T23:00:00", "2026-03-29T22:00:00"),
        ("2026-10-25", "Europe/Berlin", "2026-10-24T22:00:00", "2026-10-25T23:00:00"),
        ("2026-04-01", "Asia/Tokyo", "2026-03-31T15:00:00", "2026-04-01T15:00:00"),
        ("2026-04-01", "UTC", "2026-04-01T00:00:00", "2026-04-02T00:00:00"),
        ("2026-09-06", "America/Santiago", "2026-09-06T04:00:00", "2026-09-07T03:00:00"),
    ],
)
def test_day_bounds_utc(day: str, tz: str, start: str, end: str) -> None:
    first, next_day = day_bounds_utc(d(day), tz)
    assert (first, next_day) == (utc(start), utc(end))
    assert first.tzinfo is UTC and next_day.tzinfo is UTC
