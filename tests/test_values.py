"""Display-format parsers against every example value in the vendor docs (CONTRACT §5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, get_args

import pytest
from dlt.common.normalizers.naming.snake_case import NamingConvention

from sources.common.values import (
    is_baseline,
    parse_date,
    parse_decimal,
    parse_duration,
    parse_float,
    parse_hour,
    parse_int,
    parse_rate,
    parse_timestamp,
    parse_value,
    take_parse_warnings,
    to_snake,
)
from sources.ptengine.settings import ValueType
from tests.parse_checks import assert_nothing_counted, assert_parsed, clean_stats_fixture

clean_stats = clean_stats_fixture()


# --- counts ----------------------------------------------------------------------------

# Every INTEGER display value in ptengine-open-api.md, plus the JSON numbers the experience
# reports send (viewedUsers 100, views 300, ...) and Pirsch's plain integers.
DOC_COUNTS: list[tuple[Any, int]] = [
    ("1,145", 1145),
    ("-21,100", -21100),
    ("15,234", 15234),
    ("8,721", 8721),
    ("10,532", 10532),
    ("8,500", 8500),
    ("5,800", 5800),
    ("5,200", 5200),
    ("3,100", 3100),
    ("934", 934),
    ("421", 421),
    ("12,000", 12000),
    ("10,500", 10500),
    ("1,500", 1500),
    ("800", 800),
    ("12,500", 12500),
    ("8,900", 8900),
    ("32,000", 32000),
    ("619", 619),
    ("596", 596),
    ("530", 530),
    ("553", 553),
    ("503", 503),
    ("253", 253),
    ("186", 186),
    ("172", 172),
    ("1,042", 1042),
    ("312", 312),
    ("815", 815),
    ("187", 187),
    ("420", 420),
    ("510", 510),
    ("214", 214),
    ("24", 24),
    ("35", 35),
    ("850", 850),
    ("130", 130),
    ("0", 0),
    (100, 100),
    (300, 300),
    (50, 50),
    (5, 5),
    (8, 8),
    (0, 0),
    (123, 123),
    ("1.0", 1),
    (1145.0, 1145),
    ("+5", 5),
    (" 1,145 ", 1145),
    ("1,000,000", 1_000_000),
    ("\u22121,145", -1145),
    (Decimal("42"), 42),
]


@pytest.mark.parametrize(("raw", "expected"), DOC_COUNTS)
def test_parse_int_doc_values(raw: Any, expected: int) -> None:
    assert_parsed(parse_int(raw), expected, int)


# --- money -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("-21,100", "-21100"),  # conversionValue, loss
        ("0", "0"),  # revenue
        ("1,234.50", "1234.50"),
        ("¥21,100", "21100"),
        ("-¥21,100", "-21100"),
        ("$-5.25", "-5.25"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (420, "420"),
    ],
)
def test_parse_decimal_is_exact(raw: Any, expected: str) -> None:
    result = parse_decimal(raw)
    assert isinstance(result, Decimal)
    assert str(result) == expected
    assert_nothing_counted()


# --- decimals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.56", 2.56),  # avgPageView
        ("1.40", 1.4),  # avgVisits
        ("1.29", 1.29),  # avgPageVisits
        ("1.62", 1.62),
        ("2.50", 2.5),  # avgPagesPerVisit
        ("1,234.5", 1234.5),
        (1.23, 1.23),  # Pirsch goal cr
        (42, 42.0),
        (".5", 0.5),
    ],
)
def test_parse_float_doc_values(raw: Any, expected: float) -> None:
    assert_parsed(parse_float(raw), expected, float)


# --- rates -----------------------------------------------------------------------------

DOC_PERCENTAGES: list[tuple[Any, float]] = [
    ("52.18%", 0.5218),
    ("96.28%", 0.9628),
    ("74.64%", 0.7464),
    ("99.81%", 0.9981),
    ("94.91%", 0.9491),
    ("96.04%", 0.9604),
    ("71.15%", 0.7115),
    ("84.58%", 0.8458),
    ("100.00%", 1.0),
    ("31.18%", 0.3118),
    ("44.62%", 0.4462),
    ("92.47%", 0.9247),
    ("29.94%", 0.2994),
    ("22.94%", 0.2294),
    ("45.23%", 0.4523),
    ("2.22%", 0.0222),
    ("1.71%", 0.0171),
    ("38.00%", 0.38),
    ("55.00%", 0.55),
    ("42.15%", 0.4215),
    ("95.00%", 0.95),
    ("6.70%", 0.067),
    ("88.00%", 0.88),
    ("14.30%", 0.143),
    ("65.00%", 0.65),
    ("35.00%", 0.35),
    ("42.00%", 0.42),
    ("45.73%", 0.4573),
    ("70.00%", 0.7),
    ("80.00%", 0.8),
    ("87.50%", 0.875),
    ("6.20%", 0.062),
    ("1.00%", 0.01),
    ("5.00%", 0.05),
    ("42.86%", 0.4286),
    ("41.67%", 0.4167),
    ("10.00%", 0.1),
    ("16.00%", 0.16),
    ("85.30%", 0.853),
    ("45%", 0.45),  # older edition: "0.45 = 45%"
    # signed uplifts
    ("+60.00%", 0.6),
    ("+50.00%", 0.5),
    ("+30.00%", 0.3),
    ("-10.00%", -0.1),
    ("-5.5%", -0.055),
    ("0.00%", 0.0),
    (" 52.18 % ", 0.5218),
]

# Rates the API already sends as fractions stay as they are.
DOC_FRACTIONS: list[tuple[Any, float]] = [
    (0.45, 0.45),  # heatmap note: bounceRate 0.45 means 45%
    ("0.45", 0.45),
    (0.3219, 0.3219),  # Pirsch bounce_rate
    (0.4791, 0.4791),
    (0.5, 0.5),
    (0.765, 0.765),
    (0.065, 0.065),  # Pirsch cr
    (0, 0.0),
    (1, 1.0),
]


@pytest.mark.parametrize(("raw", "expected"), DOC_PERCENTAGES + DOC_FRACTIONS)
def test_parse_rate_doc_values(raw: Any, expected: float) -> None:
    assert_parsed(parse_rate(raw), expected, float)  # exact: no float noise


@pytest.mark.parametrize("raw", ["Baseline", "baseline", " Baseline "])
def test_baseline_is_detected_and_not_a_parse_failure(raw: str) -> None:
    assert is_baseline(raw)
    assert parse_rate(raw, field="uplift") is None
    assert_nothing_counted()


@pytest.mark.parametrize("raw", ["+60.00%", "-10.00%", None, 0.45, "Base", ""])
def test_is_baseline_rejects_other_values(raw: Any) -> None:
    assert not is_baseline(raw)


def test_null_probability_to_be_best_is_null() -> None:
    assert parse_rate(None, field="probabilityToBeBest") is None
    assert_nothing_counted()


# --- durations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00:02:49", 169.0),  # avgVisitDuration, HH:MM:SS
        ("00:00:08", 8.0),
        ("00:01:55", 115.0),
        ("00:01:24", 84.0),
        ("06:33", 393.0),  # experience avgVisitDuration, MM:SS
        ("1m 30s", 90.0),  # timeOnPage
        ("3m 7s", 187.0),  # data-center avgVisitDuration
        ("5s", 5.0),  # block avgDuration
        ("4s", 4.0),  # avgLoadTime
        ("2.45s", 2.45),  # avgLoadTime, sub-second
        ("0s", 0.0),
        ("1h 2m 3s", 3723.0),
        ("1h", 3600.0),
        ("2m", 120.0),
        ("1m30s", 90.0),
        ("1 min 5 sec", 65.0),
        ("12ms", 0.012),
        ("1:02:03", 3723.0),
        ("100:00:00", 360000.0),
        ("75:10", 4510.0),
        ("00:00:08.5", 8.5),
        (42, 42.0),  # Pirsch average_time_spent_seconds
        ("42", 42.0),
        (2.5, 2.5),
    ],
)
def test_parse_duration_doc_values(raw: Any, expected: float) -> None:
    assert_parsed(parse_duration(raw), expected, float)


# --- days, hours, instants -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-04-01", date(2026, 4, 1)),
        ("2026/04/01", date(2026, 4, 1)),
        ("2026-04-30", date(2026, 4, 30)),
        ("2026/4/9", date(2026, 4, 9)),
        ("2021-05-12T00:00:00Z", date(2021, 5, 12)),  # Pirsch visitor `day`
        ("2024-04-15T10:30:00.000Z", date(2024, 4, 15)),
        ("2026/04/09 19:14:33", date(2026, 4, 9)),
        (date(2026, 4, 1), date(2026, 4, 1)),
        (datetime(2026, 4, 1, 13, 5), date(2026, 4, 1)),
    ],
)
def test_parse_date(raw: Any, expected: date) -> None:
    assert_parsed(parse_date(raw), expected, date)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-04-01T13", datetime(2026, 4, 1, 13)),  # metric_curve hour granularity
        ("2026-04-01T00", datetime(2026, 4, 1, 0)),
        ("2026-04-01T23", datetime(2026, 4, 1, 23)),
        ("2026/04/01 09", datetime(2026, 4, 1, 9)),
        ("2026-04-01T13:00", datetime(2026, 4, 1, 13)),
        ("2026-04-01T13:00:00", datetime(2026, 4, 1, 13)),
    ],
)
def test_parse_hour_is_naive_hour_start(raw: str, expected: datetime) -> None:
    result = parse_hour(raw)
    assert result == expected
    assert result is not None and result.tzinfo is None
    assert_nothing_counted()


EPOCH_2026_04_01_NOON = 1775044800  # 2026-04-01T12:00:00Z


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        # Pirsch expires_at: nanoseconds are cut to microseconds
        ("2020-12-12T00:11:39.903607271Z", "UTC", datetime(2020, 12, 12, 0, 11, 39, 903607, UTC)),
        ("2021-05-22T10:11:12.123456Z", "UTC", datetime(2021, 5, 22, 10, 11, 12, 123456, UTC)),
        # OpenPanel createdAt
        ("2024-04-15T10:30:00.000Z", "UTC", datetime(2024, 4, 15, 10, 30, tzinfo=UTC)),
        ("2024-04-01T08:00:00.000Z", "Asia/Tokyo", datetime(2024, 4, 1, 8, tzinfo=UTC)),
        ("2026-04-01T12:00:00+09:00", "UTC", datetime(2026, 4, 1, 3, tzinfo=UTC)),
        # local wall times are read in tz
        ("2026-04-01 12:00:00", "UTC", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        ("2026-04-01 12:00:00", "Asia/Tokyo", datetime(2026, 4, 1, 3, tzinfo=UTC)),
        ("2026-04-01 12:00:00", "America/New_York", datetime(2026, 4, 1, 16, tzinfo=UTC)),
        # Ptengine form submittedAt
        ("2026/04/09 19:14:33", "Asia/Tokyo", datetime(2026, 4, 9, 10, 14, 33, tzinfo=UTC)),
        ("2026/04/08 17:40:05", "UTC", datetime(2026, 4, 8, 17, 40, 5, tzinfo=UTC)),
        ("2026-04-01", "Europe/Berlin", datetime(2026, 3, 31, 22, tzinfo=UTC)),
        # unix seconds (Convert), milliseconds, digit strings
        (EPOCH_2026_04_01_NOON, "Asia/Tokyo", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        (EPOCH_2026_04_01_NOON * 1000, "UTC", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        (str(EPOCH_2026_04_01_NOON), "UTC", datetime(2026, 4, 1, 12, tzinfo=UTC)),
        (0, "UTC", datetime(1970, 1, 1, tzinfo=UTC)),
        (1775044800.5, "UTC", datetime(2026, 4, 1, 12, 0, 0, 500000, UTC)),
        # datetimes
        (datetime(2026, 4, 1, 12), "Asia/Tokyo", datetime(2026, 4, 1, 3, tzinfo=UTC)),
        (
            datetime(2026, 4, 1, 12, tzinfo=timezone(timedelta(hours=2))),
            "UTC",
            datetime(2026, 4, 1, 10, tzinfo=UTC),
        ),
    ],
)
def test_parse_timestamp_is_aware_utc(raw: Any, tz: str, expected: datetime) -> None:
    result = parse_timestamp(raw, tz=tz)
    assert result == expected
    assert result is not None and result.utcoffset() == timedelta(0)
    assert_nothing_counted()


# --- dispatch on the documented value types --------------------------------------------


@pytest.mark.parametrize(
    ("value_type", "raw", "expected"),
    [
        ("INTEGER", "1,145", 1145),
        ("RATE", "52.18%", 0.5218),
        ("RATE", "Baseline", None),
        ("TIME", "00:02:49", 169.0),
        ("TIME", "06:33", 393.0),
        ("NUMBER", "2.56", 2.56),
        ("DECIMAL", "2.50", 2.5),
        ("MONEY", "-21,100", Decimal("-21100")),
        ("STRING", "Option 1,Option 2", "Option 1,Option 2"),
        ("STRING", "", ""),
        ("STRING", 1753350579776, "1753350579776"),
        ("STRING", None, None),
        ("DATE", "2026/04/01", date(2026, 4, 1)),
        ("integer", "-21,100", -21100),
    ],
)
def test_parse_value_dispatches(value_type: str, raw: Any, expected: Any) -> None:
    assert_parsed(parse_value(raw, value_type), expected, type(expected))


@pytest.mark.parametrize("value_type", get_args(ValueType))
def test_parse_value_knows_every_ptengine_value_type(value_type: str) -> None:
    assert parse_value(None, value_type) is None


def test_parse_value_counts_with_field() -> None:
    assert parse_value("lots", "INTEGER", field="pageView") is None
    assert take_parse_warnings() == (1, [("pageView", "'lots'")])


def test_parse_value_rejects_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown value type 'PERCENT'"):
        parse_value("1", "PERCENT")


# --- column names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pageView", "page_view"),
        ("avgVisitDuration", "avg_visit_duration"),
        ("newVisitsRate", "new_visits_rate"),
        ("pv", "pv"),
        ("uv", "uv"),
        ("bounceRate", "bounce_rate"),
        ("entryCombinedPages", "entry_combined_pages"),
        ("probabilityToBeBest", "probability_to_be_best"),
        ("Picture choice", "picture_choice"),
        ("choice-test2", "choice_test2"),
        ("bounce_rate", "bounce_rate"),
    ],
)
def test_to_snake_matches_dlt(name: str, expected: str) -> None:
    assert to_snake(name) == expected
    assert to_snake(name) == NamingConvention().normalize_identifier(name)
