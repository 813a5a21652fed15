"""Resource drivers every vendor shares: how a once-per-run table records its progress.

A vendor's resource module supplies what differs (the calls, the row shaping); the driver
owns the progress bookkeeping and the quota stop, so every source behaves the same when
the quota runs out or a run is continued over several commit steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import dlt

from sources.common.dates import DayWindow
from sources.common.errors import QuotaExhaustedError
from sources.common.progress import DayProgress, telemetry

Produce = Callable[[], tuple[list[dict[str, Any]], list[Any]]]


def once_per_run(run_id: str, day: date, stopped: Callable[[], bool], produce: Produce,
                 window: DayWindow | None = None) -> Iterator[Any]:
    """Yield a listing table's rows once per run (not once per commit step).

    Args:
        run_id: the run's id (the table's progress is recorded under it).
        day: the day the listing is recorded for (the run's last day).
        stopped: whether the run already stopped for quota (then nothing is fetched).
        produce: fetches and shapes: ``(rows, extra items to yield after them)``.
        window: the table's window when not ``day`` alone (an empty window: nothing to do,
            e.g. ``progress.snapshot_window`` when a continued backfill already has it).
    """
    planned = window if window is not None else DayWindow(day, day)  # empty is falsy
    progress = DayProgress(dlt.current.resource_state(), run_id, planned, None)
    if progress.finished or stopped():
        return
    try:
        rows, extra = produce()
    except QuotaExhaustedError as exc:
        telemetry().stop_for_quota(exc)
        return
    if rows:
        yield rows
    yield from extra
    progress.done(day)
