"""Parsers never crash on bad input: NULL, counted, with examples for the run summary."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from sources.common.values import (
    MAX_EXAMPLES,
    PARSE_STATS,
    ParseStats,
    parse_date,
    parse_decimal,
    parse_duration,
    parse_float,
    parse_hour,
    parse_int,
    parse_rate,
    parse_timestamp,
    take_parse_warnings,
)
from tests.parse_checks import assert_nothing_counted, clean_stats_fixture

ALL_PARSERS: list[Callable[..., Any]] = [
    parse_int,
    parse_decimal,
    parse_float,
    parse_rate,
    parse_duration,
    parse_date,
    parse_hour,
    parse_timestamp,
]


clean_stats = clean_stats_fixture()


# --- nulls and bad input ---------------------------------------------------------------


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("raw", [None, "", "   ", "-", "--", "N/A", "n/a", "null", float("nan")])
def test_empty_markers_are_null_and_not_counted(parser: Callable[..., Any], raw: Any) -> None:
    assert parser(raw) is None
    assert_nothing_counted()


@pytest.mark.parametrize(
    ("parser", "raw"),
    [
        (parse_int, "abc"),
        (parse_int, "1,14"),  # not a thousands grouping
        (parse_int, "12,34,5"),
        (parse_int, "1.5"),  # not a count
        (parse_int, "1,145%"),
        (parse_int, "1e3"),
        (parse_int, True),
        (parse_int, [1]),
        (parse_int, {"value": 1}),
        (parse_int, float("inf")),
        (parse_decimal, "$"),
        (parse_decimal, "twelve"),
        (parse_float, "2,56"),
        (parse_float, "1.2.3"),
        (parse_rate, "abc%"),
        (parse_rate, "%"),
        (parse_rate, "52.18%%"),
        (parse_rate, "Baseline!"),
        (parse_rate, "high"),
        (parse_duration, "1m 30"),
        (parse_duration, "abc"),
        (parse_duration, "5 parsecs"),
        (parse_duration, "00:61"),
        (parse_duration, "01:60:00"),
        (parse_duration, "1:2:3:4"),
        (parse_duration, "-5s"),
        (parse_duration, "06:33 PM"),
        (parse_date, "2026-13-01"),
        (parse_date, "2026-02-30"),
        (parse_date, "04/01/2026"),
        (parse_date, "2026-04-01junk"),
        (parse_date, "yesterday"),
        (parse_date, 20260401),
        (parse_hour, "2026-04-01T25"),
        (parse_hour, "2026-04-01"),
        (parse_hour, "2026-04-01T13:30"),
        (parse_hour, "13"),
        (parse_timestamp, "not a time"),
        (parse_timestamp, "2026-13-01 00:00:00"),
        (parse_timestamp, "2026/04/09 25:14:33"),
        (parse_timestamp, 1e20),
        (parse_timestamp, [2026]),
    ],
)
def test_unparseable_values_are_null_and_counted(parser: Callable[..., Any], raw: Any) -> None:
    assert parser(raw, field="someField") is None
    assert take_parse_warnings() == (1, [("someField", repr(raw))])


def test_counter_keeps_first_examples_and_take_resets() -> None:
    for i in range(MAX_EXAMPLES + 3):
        parse_int(f"bad{i}", field="visits")
    parse_rate("oops")
    assert PARSE_STATS.count == MAX_EXAMPLES + 4
    count, examples = take_parse_warnings()
    assert count == MAX_EXAMPLES + 4
    assert examples == [("visits", f"'bad{i}'") for i in range(MAX_EXAMPLES)]
    assert take_parse_warnings() == (0, [])


def test_long_values_are_shortened_in_examples() -> None:
    parse_int("x" * 500)
    _, [(field, shown)] = take_parse_warnings()
    assert field is None
    assert len(shown) == 80
    assert shown.endswith("...")


def test_parse_stats_reset() -> None:
    stats = ParseStats(max_examples=1)
    stats.record("a", "f")
    stats.record("b", "g")
    assert (stats.count, stats.examples) == (2, [("f", "'a'")])
    stats.reset()
    assert (stats.count, stats.examples) == (0, [])


def test_counter_is_thread_safe() -> None:
    threads, per_thread = 8, 500

    def work() -> None:
        for _ in range(per_thread):
            parse_int("bad")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    count, examples = take_parse_warnings()
    assert count == threads * per_thread
    assert len(examples) == MAX_EXAMPLES


def test_bad_timezone_is_a_programming_error_not_bad_data() -> None:
    with pytest.raises(KeyError):  # ZoneInfoNotFoundError
        parse_timestamp("2026-04-01 12:00:00", tz="Mars/Olympus")
