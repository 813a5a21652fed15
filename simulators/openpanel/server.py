"""The OpenPanel Export API twin: validation, client auth, rate window, events, charts.

Order of checks, as NOTES.md describes the real server: the rate window (keyed by the
``openpanel-client-id`` header) → query validation (400, even with bad credentials) →
client authentication (401 ``Export: …``) → project access (403 / 404) → the endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from sources.openpanel import settings as S

from ..base import Quota, SimRequest, SimResponse, SimServer
from . import charts
from .model import EventModel, Slice

DEFAULT_CLIENT_ID = "5b1c7d2e-3f4a-4b6c-8d9e-0a1b2c3d4e5f"
DEFAULT_CLIENT_SECRET = "sec_op_sim_6f1d2c3b4a5e6f708192a3b4c5d6e7f8"
DEFAULT_PROJECT_ID = "demo-shop"
WRITE_CLIENT_ID = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
WRITE_CLIENT_SECRET = "sec_op_sim_write_only_0000000000000000"
UNLIMITED = 1_000_000_000
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
JSON = "application/json; charset=utf-8"


class Invalid(Exception):
    """A 400: the query fails validation."""


@dataclass(frozen=True)
class Client:
    secret: str
    mode: str
    project_id: str


class OpenPanelSimulator(SimServer):
    """OpenPanel's ``/export/events`` and ``/export/charts`` on loopback, as strict as NOTES.md.

    Args:
        events: events over the ``days`` days before today (generated on the fly).
        days: the span those events cover; later days repeat its pattern.
        rate_limit: requests per window per client id; ``None`` turns enforcement off
            (headers still say a huge limit).
        window_seconds: the fixed rate window (10 s, as NOTES.md says).
        clients: ``{client_id: {"secret", "mode", "project_id"}}`` instead of the two
            default clients (a ``read`` one and a ``write`` one, which may not export).
        project_id: the one project that exists.
        plan, rpm, rpd: the generic ``simulate`` flags: ``plan="unlimited"`` turns the limit
            off, ``rpm`` replaces ``rate_limit``; there is no daily quota (``rpd`` unused).
        port, faults, fault_seed, slow_seconds, request_log, today: see ``SimServer``.

    Usage (starts a server on loopback, so it is not run as a test)::

            with OpenPanelSimulator(events=1000) as sim:
                httpx.get(sim.url + "/export/events", params={"projectId": DEFAULT_PROJECT_ID,
                          "start": "2026-04-01", "end": "2026-04-01"},
                          headers={"openpanel-client-id": DEFAULT_CLIENT_ID,
                                   "openpanel-client-secret": DEFAULT_CLIENT_SECRET})
    """

    name = "openpanel"
    title = "OpenPanel"
    server_header = "openpanel-simulator"

    def __init__(self, *, port: int = 0, faults: str = "", fault_seed: int = 0,
                 slow_seconds: float = 35.0, request_log: str | Path | None = None,
                 today: dt.date | None = None, events: int = 10_000, days: int = 30,
                 rate_limit: int | None = S.RATE_LIMIT,
                 window_seconds: float = S.RATE_WINDOW_SECONDS,
                 clients: Mapping[str, Mapping[str, str]] | None = None,
                 project_id: str = DEFAULT_PROJECT_ID, plan: str | None = None,
                 rpm: int | None = None, rpd: int | None = None) -> None:
        super().__init__(port=port, faults=faults, fault_seed=fault_seed,
                         slow_seconds=slow_seconds, request_log=request_log, today=today,
                         minute_seconds=window_seconds)
        # ``analytics-elt simulate`` passes its generic flags: --rpm is the per-window
        # limit, --plan unlimited turns it off; OpenPanel has no daily quota (rpd unused)
        self.rate_limit = None if plan == "unlimited" else (rpm or rate_limit)
        del rpd
        self.project_id = project_id
        if clients is None:
            clients = {DEFAULT_CLIENT_ID: {"secret": DEFAULT_CLIENT_SECRET, "mode": "read",
                                           "project_id": project_id},
                       WRITE_CLIENT_ID: {"secret": WRITE_CLIENT_SECRET, "mode": "write",
                                         "project_id": project_id}}
        self.clients = {cid: Client(c["secret"], c.get("mode", "read"),
                                    c.get("project_id", project_id)) for cid, c in clients.items()}
        self.secret_values = {c.secret for c in self.clients.values()}
        self.model = EventModel(project_id, events, days, self.clock.today(), self.clock.now)
        self.route("GET", S.PATH_EVENTS, lambda r: self._answer(r, self._events))
        self.route("GET", S.PATH_CHARTS, lambda r: self._answer(r, self._charts))

    def banner_details(self) -> list[tuple[str, str]]:
        """The demo credentials, the data's size and the limit."""
        limit = f"{self.rate_limit} per {self.limiter.minute_seconds:g} s" \
            if self.rate_limit else "off"
        return [("client id", DEFAULT_CLIENT_ID), ("client secret", DEFAULT_CLIENT_SECRET),
                ("project id", self.project_id),
                ("events", f"{self.model.events} over {self.model.days} days"),
                ("rate limit", limit)]

    # -- the pipeline of checks ---------------------------------------------------------
    def _rate(self, request: SimRequest, consume: bool) -> tuple[bool, Quota]:
        key = request.headers.get(S.HEADER_CLIENT_ID) or "anonymous"
        refused, quota = self.limiter.acquire(key, self.rate_limit or UNLIMITED, UNLIMITED,
                                              consume=consume,
                                              enforce=self.rate_limit is not None)
        return refused is not None, quota

    @staticmethod
    def _headers(quota: Quota) -> dict[str, str]:
        h = S.RATE_HEADERS
        return {h["limit"]: str(quota.limit_minute), h["remaining"]: str(quota.remaining_minute),
                h["reset"]: str(max(1, math.ceil(quota.seconds_to_next_minute)))}

    def _answer(self, request: SimRequest, endpoint: Any) -> SimResponse:
        refused, quota = self._rate(request, consume=True)
        headers = self._headers(quota)
        if refused:
            wait = headers[S.RATE_HEADERS["reset"]]
            return _json(429, {"status": 429, "error": "Too Many Requests",
                               "message": f"Rate limit exceeded, retry in {wait} seconds"},
                         {**headers, S.RETRY_AFTER: wait})
        try:
            query = endpoint(request, validate_only=True)
        except Invalid as exc:
            return _json(400, {"status": 400, "message": str(exc)}, headers)
        cid = request.headers.get(S.HEADER_CLIENT_ID, "")
        client = self.clients.get(cid)
        problem = None
        if not cid or not request.headers.get(S.HEADER_CLIENT_SECRET):
            problem = "Export: Missing client id or secret"
        elif client is None:
            problem = "Export: Invalid client id"
        elif client.mode not in S.EXPORT_MODES:
            problem = "Export: Client is not allowed to export"
        elif request.headers.get(S.HEADER_CLIENT_SECRET) != client.secret:
            problem = "Export: Invalid client secret"
        if problem or client is None:
            return _json(401, {"error": "Unauthorized", "message": problem}, headers)
        project = query["projectId"]
        if project != self.project_id:
            return _json(404, {"status": 404, "message": "Project not found"}, headers)
        if client.project_id != project:
            return _json(403, {"status": 403, "message": "You do not have access to this "
                                                         "project"}, headers)
        return _json(200, endpoint(request, validate_only=False, query=query), headers)

    # -- endpoints ----------------------------------------------------------------------
    def _events(self, request: SimRequest, *, validate_only: bool,
                query: dict[str, Any] | None = None) -> dict[str, Any]:
        if validate_only:
            return _events_query(request)
        assert query is not None
        slices = self._slices(query)
        limit, page = query["limit"], query["page"]
        offset = (page - 1) * limit
        names, profile = query["event"], query["profileId"]
        if names or profile:
            picked = [(s.day, j) for s, j in self.model.positions(slices, 0, 1 << 62)
                      if (not names or self.model.attributes(s.day, j).name in names)
                      and (not profile or self._profile_of(s.day, j) == profile)]
            total, chosen = len(picked), picked[offset:offset + limit]
        else:
            total = sum(s.count for s in slices)
            chosen = [(s.day, j) for s, j in self.model.positions(slices, offset, limit)]
        includes = query["includes"]
        data = [self.model.event(day, j, includes) for day, j in chosen]
        return {"meta": {"count": len(data), "totalCount": total,
                         "pages": math.ceil(total / limit), "current": page}, "data": data}

    def _profile_of(self, day: dt.date, j: int) -> str:
        return self.model.event(day, j, frozenset())["profileId"]

    def _slices(self, query: dict[str, Any]) -> list[Slice]:
        """Newest day first: the whole days of ``start``..``end``, or NOTES.md's quirk."""
        today = self.clock.today()
        if query["start"] and query["end"]:
            first, last, since = query["start"], min(query["end"], today), None
        else:
            first, last = self.model.first_day, today
            since = None
            if query["page"] == 1:  # page 1 without a complete pair: the last ~12 hours
                now = self.clock.now()
                since = int((now - dt.timedelta(hours=S.UNFILTERED_FIRST_PAGE_HOURS))
                            .timestamp() * 1000)
                first = max(first, (now - dt.timedelta(hours=S.UNFILTERED_FIRST_PAGE_HOURS))
                            .date())
        out = []
        day = last
        while day >= first:
            out.append(self.model.slice(day, since))
            day -= dt.timedelta(days=1)
        return out

    def _charts(self, request: SimRequest, *, validate_only: bool,
                query: dict[str, Any] | None = None) -> dict[str, Any]:
        if validate_only:
            return _charts_query(request, self.clock.today())
        assert query is not None
        return charts.chart(self.model, query["series"], query["breakdowns"],
                            query["interval"], query["first"], query["last"], query["previous"])

    # -- SimServer hooks ----------------------------------------------------------------
    def not_found_response(self, request: SimRequest) -> SimResponse:
        return _json(404, {"status": 404, "message": f"Route GET:{request.path} not found"})

    def method_not_allowed_response(self, request: SimRequest) -> SimResponse:
        return _json(404, {"status": 404, "message": f"Route {request.method}:{request.path} "
                                                     "not found"})

    def fault_response(self, kind: str, request: SimRequest) -> SimResponse:
        """Injected faults in OpenPanel's shapes; they spend no request of the window."""
        _, quota = self._rate(request, consume=False)
        headers = self._headers(quota)
        if kind == "malformed":
            return SimResponse(200, raw=b'{"meta":{"count":50,"totalCount":12', headers=headers,
                               content_type=JSON)
        if kind == "429":
            wait = headers[S.RATE_HEADERS["reset"]]
            return _json(429, {"status": 429, "error": "Too Many Requests",
                               "message": f"Rate limit exceeded, retry in {wait} seconds"},
                         {**headers, S.RATE_HEADERS["remaining"]: "0", S.RETRY_AFTER: wait})
        if kind == "429bare":
            return _json(429, {"status": 429, "error": "Too Many Requests",
                               "message": "Rate limit exceeded"})
        return SimResponse(500, raw=b"Internal server error", headers=headers,
                           content_type="text/plain; charset=utf-8")


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> SimResponse:
    return SimResponse(status, raw=orjson.dumps(body), headers=headers or {}, content_type=JSON)


# --- query validation (zod-like messages) --------------------------------------------------
def _one(request: SimRequest, name: str) -> str | None:
    values = request.query.get(name)
    if values and len(values) > 1:
        raise Invalid(f"Invalid query parameters: {name}: Expected string, received array")
    return values[0] if values else None


def _project(request: SimRequest) -> str:
    project = _one(request, "projectId") or _one(request, "project_id")
    if not project:
        raise Invalid("Invalid query parameters: projectId: Required")
    return project


def _date(request: SimRequest, name: str) -> dt.date | None:
    raw = _one(request, name)
    if raw is None:
        return None
    try:
        if not _DATE_RE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise Invalid(f"Invalid query parameters: {name}: Invalid date") from None


def _int(request: SimRequest, name: str, default: int) -> int:
    raw = _one(request, name)
    if raw is None or raw == "":
        return default
    try:
        return int(float(raw))
    except ValueError:
        raise Invalid(f"Invalid query parameters: {name}: Expected number, received nan") \
            from None


def _list(request: SimRequest, name: str) -> list[str]:
    """``a,b``, repeated parameters or a JSON array, as the real server accepts."""
    out: list[str] = []
    for raw in request.query.get(name, []):
        if raw.startswith("["):
            try:
                out += [str(v) for v in json.loads(raw)]
            except ValueError:
                raise Invalid(f"Invalid query parameters: {name}: Invalid JSON") from None
        else:
            out += [v.strip() for v in raw.split(",") if v.strip()]
    return out


def _events_query(request: SimRequest) -> dict[str, Any]:
    page = _int(request, "page", 1)
    if page < 1:
        raise Invalid("Invalid query parameters: page: Number must be greater than or equal to 1")
    includes = _list(request, "includes")
    bad = [i for i in includes if i not in S.INCLUDES]
    if bad:
        raise Invalid(f"Invalid query parameters: includes: Invalid enum value '{bad[0]}'")
    limit = min(S.PAGE_LIMIT_MAX, max(S.PAGE_LIMIT_MIN,
                                      _int(request, "limit", S.PAGE_LIMIT_DEFAULT)))
    return {"projectId": _project(request), "page": page, "limit": limit,
            "start": _date(request, "start"), "end": _date(request, "end"),
            "includes": frozenset(includes), "event": set(_list(request, "event")),
            "profileId": _one(request, "profileId")}


def _json_param(request: SimRequest, name: str, default: Any) -> Any:
    raw = _one(request, name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise Invalid(f"Invalid query parameters: {name}: Invalid JSON") from None


def _charts_query(request: SimRequest, today: dt.date) -> dict[str, Any]:
    project = _project(request)
    name = "series" if "series" in request.query else "events"
    series = _json_param(request, name, None)
    if not isinstance(series, list) or not series:
        raise Invalid(f"Invalid query parameters: {name}: Required")
    for i, s in enumerate(series):
        if not isinstance(s, dict) or not s.get("name"):
            raise Invalid(f"Invalid query parameters: {name}.{i}.name: Required")
        s.setdefault("segment", "event")
        s.setdefault("filters", [])
        if s["segment"] not in S.CHART_SEGMENTS:
            raise Invalid(f"Invalid query parameters: {name}.{i}.segment: Invalid enum value")
        for f in s["filters"]:
            if not isinstance(f, dict) or f.get("operator") not in S.FILTER_OPERATORS:
                raise Invalid(f"Invalid query parameters: {name}.{i}.filters: Invalid filter")
    breakdowns = _json_param(request, "breakdowns", [])
    if not isinstance(breakdowns, list) or not all(isinstance(b, dict) and b.get("name")
                                                   for b in breakdowns):
        raise Invalid("Invalid query parameters: breakdowns: Expected array of {name}")
    interval = _one(request, "interval") or S.CHART_DEFAULT_INTERVAL
    if interval not in S.INTERVALS:
        raise Invalid("Invalid query parameters: interval: Invalid enum value")
    range_name = _one(request, "range") or S.CHART_DEFAULT_RANGE
    if range_name not in S.RANGES:
        raise Invalid("Invalid query parameters: range: Invalid enum value")
    first, last = _date(request, "startDate"), _date(request, "endDate")
    if first is None or last is None:
        first, last = charts.range_days(range_name, today)
    if first > last:
        raise Invalid("Invalid query parameters: startDate: must be before endDate")
    previous = (_one(request, "previous") or "false").lower() == "true"
    return {"projectId": project, "series": series,
            "breakdowns": [b["name"] for b in breakdowns], "interval": interval,
            "first": first, "last": last, "previous": previous}
