"""What the parser tests share: a clean parse-warning counter per test and checks on it.

A test module turns the counter reset on for all its tests by binding the fixture at
module level (pytest collects fixtures from a module's namespace)::

    clean_stats = clean_stats_fixture()
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sources.common.values import take_parse_warnings


def _clean_stats() -> Iterator[None]:
    take_parse_warnings()
    yield
    take_parse_warnings()


def clean_stats_fixture() -> Any:
    """An autouse fixture ``clean_stats``: the parse-warning counter is empty before and
    after each test."""
    return pytest.fixture(_clean_stats, autouse=True, name="clean_stats")


def assert_nothing_counted() -> None:
    """No parse since the last reset was counted as a failure."""
    assert take_parse_warnings() == (0, [])


def assert_parsed(result: Any, expected: Any, kind: type) -> None:
    """``result`` equals ``expected``, is exactly a ``kind`` and no parse was counted."""
    assert result == expected
    assert type(result) is kind
    assert_nothing_counted()
