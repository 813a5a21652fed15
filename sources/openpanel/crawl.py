"""The events crawl: every page of the pending days, fetched ahead, handed out in order.

Pages are fetched by a small thread pool (``concurrency`` requests at most, all through
the client id's shared limiter, so the rate limit holds) and parsed into arrow tables
in the workers, at most ``ahead`` pages before they are consumed: memory holds a few
pages, however many events a day or a run has.

Order: each day's first page (it tells how many pages the day has), then its other
pages, then the next day. A day's pages are known only when its first page is back,
so the crawl never requests a page past the end of a day.

A crawl outlives one committed step of the CLI runner: ``pause`` stops it between steps
(its threads end, so the load that follows has the memory to itself) and the next step
continues where it stopped, without requesting a page twice. With a row budget per step
(``start_step``) the crawl holds back a day that would take the step past it: only its
first page (which tells its size) is fetched before the step ends, so the pause keeps
one page, not ``ahead`` pages of a day the next step reads.

Example:
    >>> from datetime import date
    >>> def fetch(day, page):  # two pages a day
    ...     return Fetched(day, page, {"pages": 2}, None)
    >>> crawl = EventCrawl(fetch, [date(2026, 4, 1), date(2026, 4, 2)], lambda m: m["pages"],
    ...                    concurrency=2, ahead=4)
    >>> [(str(f.day), f.page) for f in crawl.pages(date(2026, 4, 1))]
    [('2026-04-01', 1), ('2026-04-01', 2)]
    >>> crawl.pause()
    >>> crawl.next_day, crawl.peek(date(2026, 4, 2)).meta
    (datetime.date(2026, 4, 2), {'pages': 2})
    >>> crawl.close()
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class Fetched:
    """One page of one day: the API's ``meta`` and the page's rows as the fetcher shaped them."""

    day: date
    page: int
    meta: dict[str, Any]
    tables: Any


class EventCrawl:
    """Pages of ``days`` in order, fetched up to ``ahead`` pages before they are consumed.

    Args:
        fetch: ``fetch(day, page) -> Fetched``; runs in a worker thread.
        days: the days to crawl, oldest first.
        page_count: the number of pages of a day, from its first page's ``meta``.
        concurrency: requests in flight at most.
        ahead: requested pages not yet consumed, at most (at least ``concurrency``).
        day_rows: the rows of a day, from its first page's ``meta`` (``None``: unknown);
            needed for a step budget only.
    """

    def __init__(self, fetch: Callable[[date, int], Fetched], days: list[date],
                 page_count: Callable[[dict[str, Any]], int], *, concurrency: int,
                 ahead: int, day_rows: Callable[[dict[str, Any]], int | None] | None = None
                 ) -> None:
        self._fetch = fetch
        self._days = list(days)
        self._page_count = page_count
        self._day_rows = day_rows or (lambda meta: None)
        self._rows: dict[date, int | None] = {}
        self._budget: int | None = None  # rows one step may hold (``start_step``)
        self._held: date | None = None  # the day that ends the step: page 1 only
        self._step_start = 0  # index in days of the step's first day
        self._concurrency = concurrency
        self._ahead = max(ahead, concurrency)
        self._lock = threading.RLock()  # a done callback may run inside ``_pump``
        self._futures: dict[tuple[date, int], Future[Fetched]] = {}
        self._again: deque[tuple[date, int]] = deque()  # cancelled by ``pause``
        self._counts: dict[date, int] = {}
        self._next = (0, 1)  # (index in days, page): the next page to request
        self._consumed = 0  # days handed out completely
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False

    @property
    def next_day(self) -> date | None:
        """The first day not yet handed out, ``None`` when all were."""
        return self._days[self._consumed] if self._consumed < len(self._days) else None

    def start_step(self, budget: int | None) -> None:
        """A step begins at ``next_day`` and holds at most ``budget`` rows (``None``: no limit).

        The step's first day is always read whole. A later day whose rows (from its first
        page) would take the step past ``budget`` is held: nothing past its first page is
        requested until ``pages`` asks for it. ``ends_step`` tells whether a day is held.
        """
        with self._lock:
            self._budget = budget
            self._held = None
            self._step_start = self._consumed
            self._hold()

    def ends_step(self, day: date) -> bool:
        """Whether ``day`` (which must be ``next_day``) would take the step past its budget.

        Waits for the day's first page.
        """
        first = self.peek(day)
        self._learn(day, first.meta)  # its done callback may not have run yet
        with self._lock:
            return self._held == day

    def peek(self, day: date) -> Fetched:
        """The first page of ``day`` (which must be ``next_day``), left to ``pages``."""
        self._check_next(day)
        return self._future(day, 1).result()

    def pages(self, day: date) -> Iterator[Fetched]:
        """The pages of ``day`` (which must be ``next_day``), in order.

        Raises whatever fetching a page raised (the crawl stops requesting past it).
        """
        self._check_next(day)
        first = self._take(day, 1)
        self._learn(day, first.meta)
        with self._lock:
            if self._held == day:  # the step goes on after all: read the day whole
                self._held = None
                self._pump()
        yield first
        for page in range(2, self._counts[day] + 1):
            yield self._take(day, page)
        self._consumed += 1

    def pause(self) -> None:
        """Stop requesting until a page is asked for; pages not started are requested again."""
        with self._lock:
            pool, self._pool = self._pool, None
            for key, future in list(self._futures.items()):
                if future.cancel():
                    del self._futures[key]
                    self._again.append(key)
        if pool is not None:
            pool.shutdown(wait=True)

    def close(self) -> None:
        """Stop for good: pages in flight finish, the others are dropped."""
        with self._lock:
            self._closed = True
            futures = list(self._futures.values())
            self._futures.clear()
        for future in futures:
            future.cancel()
        self.pause()

    def _check_next(self, day: date) -> None:
        if day != self.next_day:
            raise ValueError(f"the crawl is at {self.next_day}, not {day}")

    def _future(self, day: date, page: int) -> Future[Fetched]:
        with self._lock:
            if self._pool is None and not self._closed:
                self._pool = ThreadPoolExecutor(max_workers=self._concurrency,
                                                thread_name_prefix="openpanel")
            self._pump()
            return self._futures[(day, page)]

    def _take(self, day: date, page: int) -> Fetched:
        with self._lock:
            future = self._future(day, page)
            del self._futures[(day, page)]
            self._pump()
        return future.result()

    def _learn(self, day: date, meta: dict[str, Any]) -> None:
        with self._lock:
            if day not in self._counts:
                self._counts[day] = max(1, self._page_count(meta))
                self._rows[day] = self._day_rows(meta)
                self._hold()
                self._pump()

    def _hold(self) -> None:
        """Hold the first day after the step's first whose rows overrun the step's budget.

        Days are learned in order, so the sum stops at the first day not yet learned.
        """
        if self._budget is None or self._held is not None:
            return
        rows = 0
        for i in range(self._step_start, len(self._days)):
            day = self._days[i]
            if day not in self._rows:
                return
            day_rows = self._rows[day]
            if day_rows is None:
                return  # an unknown size: read on, as without a budget
            rows += day_rows
            if i > self._step_start and rows > self._budget:
                self._held = day
                return

    def _first_page_done(self, day: date, future: Future[Fetched]) -> None:
        try:
            meta = future.result().meta
        except (CancelledError, Exception):  # noqa: BLE001 - the consumer meets it in order
            return
        self._learn(day, meta)

    def _pump(self) -> None:
        """Request pages in crawl order while fewer than ``ahead`` wait to be consumed."""
        with self._lock:
            while self._pool is not None and len(self._futures) < self._ahead:
                key = self._again.popleft() if self._again else self._advance()
                if key is None:
                    return
                future = self._pool.submit(self._fetch, *key)
                self._futures[key] = future
                if key[1] == 1:
                    future.add_done_callback(lambda f, d=key[0]: self._first_page_done(d, f))

    def _advance(self) -> tuple[date, int] | None:
        """The next page in crawl order, ``None`` until the current day's size is known."""
        while True:
            index, page = self._next
            if index >= len(self._days):
                return None
            day = self._days[index]
            if page > 1:
                if day == self._held:
                    return None  # the step ends before it: its first page is enough
                count = self._counts.get(day)
                if count is None:
                    return None  # the day's first page is not back yet
                if page > count:
                    self._next = (index + 1, 1)
                    continue
            self._next = (index, page + 1)
            return (day, page)
