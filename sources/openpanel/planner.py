"""Which calls an OpenPanel run makes: a pure function of configuration and saved cursors.

``plan`` prints this; ``run`` executes these calls (resources take their calls from
here), so the two cannot disagree. Resource kinds:

* ``paged`` — ``events``: one UTC day at a time, oldest first, each day a closed window
  (``start`` = ``end`` = the day, NOTES.md) paged newest first with OFFSET paging. The
  plan lists each day's first page; the further pages of a day follow from its
  ``meta.pages`` (``ceil(totalCount / limit)``), which only the first page tells.
* ``range`` — ``chart_series_daily``: one call per declared chart for the whole window.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sources.common.dates import DayWindow, resolve_window
from sources.common.planning import Plan, ResourcePlan
from sources.openpanel import settings as S
from sources.openpanel.config import Chart, OpenPanelConfig

Kind = Literal["paged", "range"]


@dataclass(frozen=True)
class Call:
    """One API request: where it goes and its query (``projectId`` is added later)."""

    resource: str
    method: str
    path: str
    params: dict[str, Any]
    day: date | None = None
    tag: str = ""

    def describe(self) -> str:
        """A one-line description for ``plan``."""
        if self.path == S.PATH_EVENTS:
            return (f"{self.params['start']} page {self.params['page']} "
                    f"(limit {self.params['limit']}; more pages as meta.pages says)")
        return f"{self.tag} {self.params['startDate']}..{self.params['endDate']}"


def window_for(cfg: OpenPanelConfig, resource: str, cursor: date | None) -> DayWindow:
    """The days ``resource`` covers in this run (CONTRACT §3 incremental rules).

    Events stop at the last closed UTC day whatever the configured end says: a day still
    receiving events would shift newest-first pages under the crawl.
    """
    window = resolve_window(cursor=cursor, start_date=cfg.start_date, end_date=cfg.end_date,
                            lookback_days=cfg.lookback_days, explicit_start=cfg.explicit_start,
                            explicit_end=cfg.explicit_end)
    if resource == "events":
        return DayWindow(window.start, min(window.end, cfg.events_end))
    return window


def events_params(cfg: OpenPanelConfig, day: date, page: int) -> dict[str, Any]:
    """The query of one events page: a whole UTC day, always both ``start`` and ``end``.

    Example:
        >>> from sources.openpanel.config import build_config
        >>> cfg = build_config(client_id="0b6f4c3e-8a1d-4f7b-9c2e-5d3a1b7e9f00",
        ...     client_secret="s", project_id="p", start_date="2026-04-01",
        ...     end_date="2026-04-02")
        >>> events_params(cfg, date(2026, 4, 1), 2)["page"]
        '2'
    """
    params: dict[str, Any] = {"start": day.isoformat(), "end": day.isoformat(),
                              "page": str(page), "limit": str(cfg.page_size),
                              "includes": ",".join(cfg.api_includes)}
    if cfg.event_names:
        params["event"] = list(cfg.event_names)
    return params


def events_call(cfg: OpenPanelConfig, day: date, page: int) -> Call:
    return Call("events", "GET", S.PATH_EVENTS, events_params(cfg, day, page), day)


def chart_call(cfg: OpenPanelConfig, chart: Chart, window: DayWindow) -> Call:
    """The one ``/export/charts`` call of ``chart`` over ``window`` (interval ``day``)."""
    params = {"series": json.dumps(list(chart.series), separators=(",", ":")),
              "breakdowns": json.dumps([{"name": b} for b in chart.breakdowns],
                                       separators=(",", ":")),
              "interval": S.CHART_DEFAULT_INTERVAL,
              "startDate": window.start.isoformat(), "endDate": window.end.isoformat(),
              "previous": "true" if chart.previous else "false"}
    return Call("chart_series_daily", "GET", S.PATH_CHARTS, params, None, chart.name)


def calls_for_resource(cfg: OpenPanelConfig, name: str, window: DayWindow) -> list[Call]:
    """The known calls of ``name`` over ``window``: events' first pages, or the charts."""
    if window.is_empty:
        return []
    if name == "events":
        return [events_call(cfg, day, 1) for day in window.days()]
    return [chart_call(cfg, chart, window) for chart in cfg.charts]


def build_plan(cfg: OpenPanelConfig, cursors: dict[str, date | None]) -> Plan:
    """The run's calls per selected resource, from the saved cursors."""
    resources = {}
    for name in cfg.resources:
        window = window_for(cfg, name, cursors.get(name))
        kind: Kind = "paged" if name == "events" else "range"
        resources[name] = ResourcePlan(name, kind, window, calls_for_resource(cfg, name, window),
                                       open_ended=kind == "paged")
    return Plan(resources)


def pages_after_first(meta: dict[str, Any], limit: int) -> int:
    """How many pages follow page 1, from ``meta`` (``pages``, else ``totalCount``).

    Example:
        >>> pages_after_first({"totalCount": 2001, "pages": 3}, 1000)
        2
    """
    pages = meta.get("pages")
    if not isinstance(pages, int):
        total = meta.get("totalCount")
        pages = math.ceil(total / limit) if isinstance(total, int) else 1
    return max(0, pages - 1)

