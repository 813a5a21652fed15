"""The OpenPanel events crawl and the per-day deduplication, without HTTP.

Given a fetcher that records every request, when pages are consumed (with pauses between
steps), then each page is requested exactly once, in crawl order, never more than
``ahead`` pages before it is consumed, and a failed page surfaces where it belongs.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pytest

from sources.openpanel.crawl import EventCrawl, Fetched
from sources.openpanel.resources import _Unique

DAYS = [date(2026, 4, 1) + timedelta(days=i) for i in range(4)]
PAGES = {DAYS[0]: 3, DAYS[1]: 1, DAYS[2]: 5, DAYS[3]: 2}


class Recorder:
    """A fetcher over ``PAGES``; counts requests and the pages fetched but not consumed."""

    def __init__(self, fail: tuple[date, int] | None = None) -> None:
        self.requested: list[tuple[date, int]] = []
        self.consumed = 0
        self.most_ahead = 0
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, day: date, page: int) -> Fetched:
        with self.lock:
            self.requested.append((day, page))
            self.most_ahead = max(self.most_ahead, len(self.requested) - self.consumed)
        if (day, page) == self.fail:
            raise RuntimeError(f"page {page} of {day} failed")
        return Fetched(day, page, {"pages": PAGES[day], "rows": 10 * PAGES[day]}, None)


def crawl_of(rec: Recorder, ahead: int = 3) -> EventCrawl:
    return EventCrawl(rec, DAYS, lambda meta: meta["pages"], concurrency=2, ahead=ahead)


def sized_crawl_of(rec: Recorder) -> EventCrawl:
    """A crawl that knows each day's rows (10 a page) from its first page, 8 pages ahead."""
    return EventCrawl(rec, DAYS, lambda meta: meta["pages"], concurrency=2, ahead=8,
                      day_rows=lambda meta: meta["rows"])


def consume(crawl: EventCrawl, rec: Recorder, day: date) -> list[tuple[date, int]]:
    out = []
    for got in crawl.pages(day):
        with rec.lock:
            rec.consumed += 1
        out.append((got.day, got.page))
    return out


def all_pages() -> list[tuple[date, int]]:
    return [(d, p) for d in DAYS for p in range(1, PAGES[d] + 1)]


def test_pages_come_in_order_each_requested_once_and_never_far_ahead() -> None:
    rec = Recorder()
    crawl = crawl_of(rec)
    try:
        got = [page for day in DAYS for page in consume(crawl, rec, day)]
    finally:
        crawl.close()
    assert got == all_pages()
    assert sorted(rec.requested) == all_pages()
    assert rec.most_ahead <= 3 + 1  # + the page being handed out
    assert crawl.next_day is None


def test_a_pause_between_steps_requests_no_page_twice() -> None:
    rec = Recorder()
    crawl = crawl_of(rec, ahead=4)
    try:
        got = consume(crawl, rec, DAYS[0])
        crawl.pause()
        assert crawl.peek(DAYS[1]).page == 1
        crawl.pause()
        for day in DAYS[1:]:
            got += consume(crawl, rec, day)
            crawl.pause()
    finally:
        crawl.close()
    assert got == all_pages()
    assert sorted(rec.requested) == all_pages()


def test_a_step_budget_holds_back_the_day_that_would_overrun_it() -> None:
    """Days of 30, 10, 50 and 20 rows, steps of at most 45: the crawl fetches only the
    first page of the day that ends a step, and each page once over the three steps."""
    rec = Recorder()
    crawl = sized_crawl_of(rec)
    try:
        crawl.start_step(45)
        got = consume(crawl, rec, DAYS[0]) + consume(crawl, rec, DAYS[1])
        assert crawl.ends_step(DAYS[2])  # 30 + 10 + 50 > 45
        with rec.lock:
            assert [r for r in rec.requested if r[0] == DAYS[2]] == [(DAYS[2], 1)]
            assert DAYS[3] not in {r[0] for r in rec.requested}
        crawl.pause()
        crawl.start_step(45)  # a day bigger than a step is a step of its own
        got += consume(crawl, rec, DAYS[2])
        assert crawl.ends_step(DAYS[3])
        with rec.lock:
            assert [r for r in rec.requested if r[0] == DAYS[3]] == [(DAYS[3], 1)]
        crawl.pause()
        crawl.start_step(45)
        assert not crawl.ends_step(DAYS[3])  # the first day of a step is read whole
        got += consume(crawl, rec, DAYS[3])
    finally:
        crawl.close()
    assert got == all_pages()
    assert sorted(rec.requested) == all_pages()


def test_a_held_day_is_read_whole_when_the_step_goes_on() -> None:
    rec = Recorder()
    crawl = sized_crawl_of(rec)
    try:
        crawl.start_step(35)
        got = consume(crawl, rec, DAYS[0])
        assert crawl.ends_step(DAYS[1])  # 30 + 10 > 35, but the consumer reads on
        got += [page for day in DAYS[1:] for page in consume(crawl, rec, day)]
    finally:
        crawl.close()
    assert got == all_pages()
    assert sorted(rec.requested) == all_pages()


def test_without_a_budget_no_day_ends_a_step() -> None:
    rec = Recorder()
    crawl = sized_crawl_of(rec)
    try:
        crawl.start_step(None)
        consume(crawl, rec, DAYS[0])
        assert not crawl.ends_step(DAYS[1])
    finally:
        crawl.close()


def test_a_failed_page_surfaces_when_its_turn_comes() -> None:
    rec = Recorder(fail=(DAYS[2], 3))
    crawl = crawl_of(rec)
    try:
        consume(crawl, rec, DAYS[0])
        consume(crawl, rec, DAYS[1])
        pages = crawl.pages(DAYS[2])
        assert [next(pages).page, next(pages).page] == [1, 2]
        with pytest.raises(RuntimeError, match="page 3"):
            next(pages)
    finally:
        crawl.close()


def test_days_must_be_consumed_in_order() -> None:
    crawl = crawl_of(Recorder())
    try:
        with pytest.raises(ValueError, match="the crawl is at 2026-04-01"):
            next(crawl.pages(DAYS[1]))
    finally:
        crawl.close()


def test_an_event_repeated_on_the_next_page_is_kept_once() -> None:
    unique = _Unique()
    first = unique.filter(pa.table({"id": ["a", "b", "c"]}))
    second = unique.filter(pa.table({"id": ["c", "d", "d"]}))
    assert first.column("id").to_pylist() == ["a", "b", "c"]
    assert second.column("id").to_pylist() == ["d"]
    unique.next_day()
    assert unique.filter(pa.table({"id": ["a"]})).num_rows == 1


def test_events_without_ids_are_left_to_dlt() -> None:
    table: Any = pa.table({"name": ["x"]})
    assert _Unique().filter(table) is table
