"""The Convert Experiences API v2 twin: signed requests, lists, reports, errors."""

from __future__ import annotations

import datetime as dt
import hmac
import math
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sources.convert import settings as S
from sources.convert.signing import signature

from ..base import SimRequest, SimResponse, SimServer
from . import reports
from .model import ACCOUNT_ID, ACCOUNT_NAME, Experience, Model

DEFAULT_APPLICATION_ID = "sim-app-7f3a9c21"
DEFAULT_APPLICATION_SECRET = "sim-secret-4e8d0b6a2f9c4c1e8a7b5d3f0e2a6c9b"
DEFAULT_ACCOUNT_ID = ACCOUNT_ID
MALFORMED_BODY = b'{"data":[{"id":300001,"name":"Experiment'
_ID = r"(\d+)"
_EXP = rf"/accounts/{_ID}/projects/{_ID}/experiences/{_ID}"
_LIST_KEYS = {"onlyCount", "results_per_page", "sort_direction", "sort_by", "page", "search",
              "include", "expand", "only", "except", "status"}
_ALLOWED = {
    "projects": _LIST_KEYS | {"project_type"},
    "experiences": _LIST_KEYS | {"goal_id", "type", "tags", "audiences", "goals", "features",
                                 "hypotheses", "environments"},
    "goals": _LIST_KEYS | {"is_default", "tracking", "usage", "goal_type", "experiences"},
    "history": {"onlyCount", "methods", "objects", "sort_by", "variations", "changes",
                "author_id", "expand", "results_per_page", "sort_direction", "page"},
    "aggregated": {"goals", "metrics", "utc_offset", "start_time", "end_time", "segments",
                   "stats_engine_processing"},
    "daily": {"goal", "report_type", "metric", "segments", "utc_offset", "start_time",
              "end_time", "stats_engine_processing"},
}


class SimError(Exception):
    """An error answer in Convert's shape: ``{"code", "message", "fields"?}``."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields


def _bad(field: str, problem: str) -> SimError:
    return SimError(400, f"Invalid request: {field} {problem}", {field: problem})


def _choices(body: dict[str, Any], field: str, allowed: tuple[str, ...]) -> list[str] | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list) or any(v not in allowed for v in value):
        raise _bad(field, f"must be a list of: {', '.join(allowed)}")
    return value


def _int(body: dict[str, Any], field: str, default: int | None, low: int | None = None,
         high: int | None = None) -> int | None:
    value = body.get(field, default)
    if value is None:
        return default
    if not isinstance(value, int | float) or isinstance(value, bool) or value != int(value):
        raise _bad(field, "must be an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise _bad(field, f"must be within [{low} .. {high}]")
    return int(value)


def _ids(body: dict[str, Any], field: str, limit: int = 100) -> list[int] | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > limit or \
            any(not isinstance(v, int) or isinstance(v, bool) for v in value):
        raise _bad(field, f"must be a list of at most {limit} integers")
    return value


def paginate(items: list[dict[str, Any]], body: dict[str, Any], sort_keys: tuple[str, ...],
             default_sort: str = "id") -> dict[str, Any]:
    """Sort, then cut one page, with ``extra.pagination`` (NOTES.md)."""
    per_page = _int(body, "results_per_page", S.RESULTS_PER_PAGE_DEFAULT, 0,
                    S.RESULTS_PER_PAGE_MAX)
    page = _int(body, "page", 1, 1)
    assert per_page is not None and page is not None
    direction = body.get("sort_direction") or "desc"
    if direction not in S.SORT_DIRECTIONS:
        raise _bad("sort_direction", "must be asc or desc")
    sort_by = body.get("sort_by") or default_sort
    if sort_by not in sort_keys:
        raise _bad("sort_by", f"must be one of: {', '.join(sort_keys)}")
    field = {"project_name": "name"}.get(sort_by, sort_by)
    ordered = sorted(items, key=lambda i: (i.get(field) is None, i.get(field), i.get("id")),
                     reverse=direction == "desc")
    pages = math.ceil(len(items) / per_page) if per_page else 0
    chunk = [] if body.get("onlyCount") else ordered[(page - 1) * per_page: page * per_page]
    return {"data": chunk, "extra": {"pagination": {
        "current_page": page, "items_count": len(items), "items_per_page": per_page,
        "pages_count": pages}}}


class ConvertSimulator(SimServer):
    """Convert Experiences API v2 on loopback, as strict as the doc and NOTES.md.

    Args:
        rpm: requests per minute per application before 429 (``None``: no limit, as
            documented).
        rpd: requests per day per application before 429 (``None``: no limit).
        plan: accepted for the CLI's ``simulate`` command; Convert has no plans.
        faults: fault spec (see ``simulators.base``). ``429`` answers HTTP 429 with
            ``Retry-After: 1``; ``429bare`` answers a 500 whose message says "Too many
            requests" (NOTES.md: both mean throttling).
        fault_seed, slow_seconds, request_log, port, today, minute_seconds: see ``SimServer``.
        applications: ``{application_id: secret}`` instead of the demo key.

    Usage (starts a server on loopback, so it is not run as a test)::

            with ConvertSimulator() as sim:
                print(sim.api_url)                    # the base_url to configure
    """

    name = "convert"
    title = "Convert"
    server_header = "convert-simulator"

    def __init__(self, *, rpm: int | None = None, rpd: int | None = None, plan: str = "none",
                 faults: str = "", fault_seed: int = 0, slow_seconds: float = 35.0,
                 request_log: str | Path | None = None, port: int = 0,
                 today: dt.date | None = None, minute_seconds: float = 60.0,
                 applications: dict[str, str] | None = None) -> None:
        super().__init__(port=port, faults=faults, fault_seed=fault_seed,
                         slow_seconds=slow_seconds, request_log=request_log, today=today,
                         minute_seconds=minute_seconds)
        self.rpm, self.rpd, self.plan = rpm, rpd, plan
        self.applications = dict(applications or
                                 {DEFAULT_APPLICATION_ID: DEFAULT_APPLICATION_SECRET})
        self.secret_values = set(self.applications.values())
        self.model = Model(self.clock.today(), lambda: int(self.clock.now().timestamp()))
        self._target = threading.local()
        self._routes_re: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"/accounts"), self._accounts),
            ("POST", re.compile(rf"/accounts/{_ID}/projects"), self._projects),
            ("POST", re.compile(rf"/accounts/{_ID}/projects/{_ID}/experiences"),
             self._experiences),
            ("GET", re.compile(_EXP), self._experience),
            ("POST", re.compile(rf"/accounts/{_ID}/projects/{_ID}/goals"), self._goals),
            ("GET", re.compile(_EXP + "/report_settings"), self._report_settings),
            ("POST", re.compile(_EXP + "/aggregated_report"), self._aggregated),
            ("POST", re.compile(_EXP + "/daily_report"), self._daily),
            ("POST", re.compile(_EXP + "/change-history"), self._history),
        ]

    @property
    def api_url(self) -> str:
        """The API root to configure as ``base_url`` (``…/api/v2``)."""
        return self.url + S.API_PREFIX

    def banner_details(self) -> list[tuple[str, str]]:
        """The demo credentials and limits."""
        return [("application id", DEFAULT_APPLICATION_ID),
                ("application secret", DEFAULT_APPLICATION_SECRET),
                ("account id", str(DEFAULT_ACCOUNT_ID)),
                ("limits", f"{self.rpm or 'none'}/min, {self.rpd or 'none'}/day")]

    # -- request plumbing ---------------------------------------------------------------
    def _serve(self, h: Any) -> None:
        # the signature covers the full URL: keep the request target exactly as sent
        self._target.value = h.path
        super()._serve(h)

    def handle(self, request: SimRequest) -> SimResponse:
        """Authenticate, route, check the account, rate-limit, then answer."""
        try:
            app_id = self._authenticate(request)
            path = request.path.removeprefix(S.API_PREFIX) \
                if request.path.startswith(S.API_PREFIX + "/") else None
            for method, pattern, endpoint in self._routes_re:
                match = pattern.fullmatch(path or "")
                if match is None:
                    continue
                if method != request.method:
                    raise SimError(405, f"Method {request.method} not allowed")
                ids = [int(g) for g in match.groups()]
                if ids and ids[0] != ACCOUNT_ID:
                    raise SimError(403, f"The API key has no access to account {ids[0]}")
                self._rate_limit(app_id, request)
                return SimResponse(200, endpoint(self._body(request), *ids[1:]), code=200)
            raise SimError(404, f"Not Found: {request.path}")
        except SimError as e:
            return self._error(e.status, e.message, e.fields)

    def _authenticate(self, request: SimRequest) -> str:
        h = request.headers
        app_id = h.get(S.HEADER_APPLICATION_ID.lower(), "")
        expires = h.get(S.HEADER_EXPIRES.lower(), "")
        scheme, _, sig = h.get("authorization", "").partition(" Signature=")
        if not app_id or not expires or not sig:
            raise SimError(401, "Unauthorized: missing Convert-Application-ID, Expires or "
                                "Authorization header")
        secret = self.applications.get(app_id)
        if secret is None or scheme != S.AUTH_SCHEME:
            raise SimError(401, "Unauthorized: unknown application or signing method")
        if not expires.isdigit() or int(expires) <= time.time():
            raise SimError(401, "Unauthorized: the request signature has expired")
        url = f"http://{h.get('host', '')}{getattr(self._target, 'value', request.path)}"
        expected = signature(secret, app_id, int(expires), url, request.raw_body)
        if not hmac.compare_digest(expected, sig.strip()):
            raise SimError(401, "Unauthorized: the request signature does not match")
        return app_id

    def _rate_limit(self, app_id: str, request: SimRequest) -> None:
        enforce = self.rpm is not None or self.rpd is not None
        refused, _ = self.limiter.acquire(app_id, self.rpm or 10**9, self.rpd or 10**12,
                                          consume=request.fault is None, enforce=enforce)
        if refused:
            raise SimError(429, "Too Many Requests")

    @staticmethod
    def _body(request: SimRequest) -> dict[str, Any]:
        if request.method == "GET":
            if request.raw_body:
                raise SimError(400, "Invalid request: GET requests carry no body")
            return {k.removesuffix("[]"): v for k, v in request.query.items()}
        if not request.raw_body:
            return {}
        if request.content_type != "application/json" or request.json_error or \
                not isinstance(request.json, dict):
            raise SimError(400, "Invalid request: the body must be a JSON object sent with "
                                "Content-Type: application/json")
        return request.json

    @staticmethod
    def _error(status: int, message: str, fields: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> SimResponse:
        body: dict[str, Any] = {"code": status, "message": message}
        if fields:
            body["fields"] = fields
        return SimResponse(status, body, headers or {}, code=status)

    # -- endpoints ----------------------------------------------------------------------
    @staticmethod
    def _only_keys(body: dict[str, Any], kind: str) -> None:
        unknown = sorted(set(body) - _ALLOWED[kind])
        if unknown:
            raise SimError(400, f"Invalid request: unknown field(s) {', '.join(unknown)}",
                           {k: "is not allowed" for k in unknown})

    def _accounts(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"data": [{"id": ACCOUNT_ID, "name": ACCOUNT_NAME, "accountType": "main"}]}

    def _projects(self, body: dict[str, Any]) -> dict[str, Any]:
        self._only_keys(body, "projects")
        types = _choices(body, "project_type", S.PROJECT_TYPES) or list(S.PROJECT_TYPES_DEFAULT)
        statuses = _choices(body, "status", S.PROJECT_LIST_STATUSES)
        only, exclude = _ids(body, "only"), _ids(body, "except") or []
        items = [{"id": p.id, "name": p.name, "project_type": p.project_type,
                  "status": "active", "accessRole": "owner", "account_id": ACCOUNT_ID,
                  "created_at": p.created_at, "modified_at": p.created_at + 86400 * 30,
                  "type": "own", "environments": {"production": {"label": "Production",
                                                                 "is_default": True}}}
                 for p in self.model.projects]
        items = [i for i in items if i["project_type"] in types and i["id"] not in exclude
                 and (only is None or i["id"] in only)
                 and (statuses is None or i["status"] in statuses)]
        return paginate(items, body, S.PROJECT_SORT_BY)

    def _project(self, project_id: int) -> None:
        if self.model.project(project_id) is None:
            raise SimError(404, f"Project {project_id} not found")

    def _experience_json(self, exp: Experience, include: list[str], expand: list[str]
                         ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": exp.id, "project": exp.project_id, "name": exp.name, "key": exp.key,
            "description": f"Testing {exp.name.split(': ')[-1].lower()}",
            "objective": "Lift conversions", "status": exp.status, "type": exp.type,
            "start_time": exp.start_time, "end_time": exp.end_time,
            "primary_goal": exp.goals[0] if exp.goals else None,
            "traffic_distribution": 100, "version": 1, "environment": "production",
            "url": "https://shop.example.com/", "tags": [], "settings": {}}
        wanted = set(include) | set(expand)
        if "variations" in wanted:
            out["variations"] = [v.as_json() for v in exp.variations]
        if "goals" in wanted:
            out["goals"] = [g.as_json() for g in map(self.model.goal, exp.goals) if g]
        return out

    def _experiences(self, body: dict[str, Any], project_id: int) -> dict[str, Any]:
        self._project(project_id)
        self._only_keys(body, "experiences")
        include = _choices(body, "include", S.EXPERIENCE_INCLUDE) or []
        expand = _choices(body, "expand", S.EXPERIENCE_EXPAND) or []
        statuses = _choices(body, "status", S.EXPERIENCE_STATUSES)
        types = _choices(body, "type", S.EXPERIENCE_TYPES)
        goals, only = _ids(body, "goals"), _ids(body, "only")
        exclude = _ids(body, "except") or []
        search = str(body.get("search") or "").lower()
        items = [e for e in self.model.experiences[project_id]
                 if (statuses is None or e.status in statuses)
                 and (types is None or e.type in types)
                 and (goals is None or set(goals) & set(e.goals))
                 and (only is None or e.id in only) and e.id not in exclude
                 and search in e.name.lower()]
        return paginate([self._experience_json(e, include, expand) for e in items], body,
                        S.EXPERIENCE_SORT_BY)

    def _find(self, project_id: int, experience_id: int) -> Experience:
        self._project(project_id)
        exp = self.model.experience(project_id, experience_id)
        if exp is None:
            raise SimError(404, f"Experience {experience_id} not found")
        return exp

    def _experience(self, query: dict[str, Any], project_id: int, experience_id: int
                    ) -> dict[str, Any]:
        exp = self._find(project_id, experience_id)
        return self._experience_json(exp, query.get("include", []), query.get("expand", []))

    def _goals(self, body: dict[str, Any], project_id: int) -> dict[str, Any]:
        self._project(project_id)
        self._only_keys(body, "goals")
        statuses = _choices(body, "status", S.GOAL_STATUSES)
        types = _choices(body, "goal_type", S.GOAL_TYPES)
        _choices(body, "include", S.GOAL_INCLUDE)
        only, exclude = _ids(body, "only", 200), _ids(body, "except", 200) or []
        items = [g.as_json() for g in self.model.goals[project_id]
                 if (statuses is None or g.status in statuses)
                 and (types is None or g.type in types)
                 and (only is None or g.id in only) and g.id not in exclude]
        return paginate(items, body, S.GOAL_SORT_BY)

    def _reported(self, project_id: int, experience_id: int) -> Experience:
        exp = self._find(project_id, experience_id)
        if exp.start_time <= 0:
            raise SimError(400, f"Experience {experience_id} has no report data yet")
        return exp

    def _methodology(self, exp: Experience) -> str:
        project = self.model.project(exp.project_id)
        return project.methodology if project else "frequentist"

    def _report_settings(self, query: dict[str, Any], project_id: int, experience_id: int
                         ) -> dict[str, Any]:
        exp = self._find(project_id, experience_id)
        return {"data": {"stats_methodology": self._methodology(exp), "goals": list(exp.goals),
                         "primary_goal": exp.goals[0] if exp.goals else None}}

    def _range(self, body: dict[str, Any], exp: Experience) -> tuple[int, int, int]:
        offset = _int(body, "utc_offset", 0, S.UTC_OFFSET_MIN, S.UTC_OFFSET_MAX) or 0
        now = int(self.clock.now().timestamp())
        start = _int(body, "start_time", None, 0)
        end = _int(body, "end_time", None, 0)
        t0 = start if start is not None else exp.start_time
        t1 = end + 1 if end is not None else now
        if t1 <= t0:
            raise _bad("end_time", "must not be before start_time")
        return offset, t0, t1

    def _aggregated(self, body: dict[str, Any], project_id: int, experience_id: int
                    ) -> dict[str, Any]:
        exp = self._reported(project_id, experience_id)
        self._only_keys(body, "aggregated")
        goals = _ids(body, "goals") or list(exp.goals)
        stray = [g for g in goals if g not in exp.goals]
        if stray:
            raise _bad("goals", f"{stray} are not connected to experience {exp.id}")
        metrics = _choices(body, "metrics", S.AGGREGATED_METRICS) or list(S.AGGREGATED_METRICS)
        _, t0, t1 = self._range(body, exp)
        return {"data": reports.aggregated(self.model, exp, goals, metrics,
                                           self._methodology(exp), t0, t1)}

    def _daily(self, body: dict[str, Any], project_id: int, experience_id: int
               ) -> dict[str, Any]:
        exp = self._reported(project_id, experience_id)
        self._only_keys(body, "daily")
        goal = _int(body, "goal", exp.goals[0] if exp.goals else None)
        if goal not in exp.goals:
            raise _bad("goal", f"{goal} is not connected to experience {exp.id}")
        report_type = body.get("report_type", "cumulative")
        if report_type not in S.DAILY_REPORT_TYPES:
            raise _bad("report_type", "must be cumulative or non_cumulative")
        metric = body.get("metric", "conversion_rate")
        if metric not in S.DAILY_METRICS:
            raise _bad("metric", f"must be one of: {', '.join(S.DAILY_METRICS)}")
        offset, t0, t1 = self._range(body, exp)
        assert goal is not None
        return {"data": reports.daily(self.model, exp, goal, metric,
                                      report_type == "cumulative", offset, t0, t1)}

    def _history(self, body: dict[str, Any], project_id: int, experience_id: int
                 ) -> dict[str, Any]:
        exp = self._find(project_id, experience_id)
        self._only_keys(body, "history")
        objects = _choices(body, "objects", S.HISTORY_OBJECTS)
        methods = _choices(body, "methods", S.HISTORY_METHODS)
        items = [i for i in self.model.history(exp)
                 if (objects is None or i["object"] in objects)
                 and (methods is None or i["method"] in methods)]
        return paginate(items, body, S.HISTORY_SORT_BY, default_sort="timestamp")

    # -- SimServer hooks ----------------------------------------------------------------
    def fault_response(self, kind: str, request: SimRequest) -> SimResponse:
        """Injected faults in Convert's shapes."""
        if kind == "malformed":
            return SimResponse(200, raw=MALFORMED_BODY)
        if kind == "429":
            return self._error(429, "Too Many Requests", headers={"Retry-After": "1"})
        if kind == "429bare":
            return self._error(500, "Too many requests, please slow down")
        return self._error(500, "Internal Server Error")
