"""The Pirsch API twin: client-credential tokens, domains, statistics, Pirsch's errors.

Strict where the doc and NOTES.md are: ``id``, ``from`` and ``to`` are required, ``limit``
is capped at 100, tokens expire at their ``expires_at``, access keys (``pa_…``) cannot
read statistics, errors come as ``{"validation", "error", "context"}`` with a meaningful
status. Configuration endpoints (token, domain list) are limited to 60 requests a minute
with ``X-RateLimit-*`` headers; statistics have no limit unless ``rpm``/``rpd`` set one.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sources.pirsch import settings

from ..base import SimRequest, SimResponse, SimServer
from . import stats
from .model import DOMAINS, Model

DEFAULT_CLIENT_ID = "pirschSimDomainClient0123456789a"
DEFAULT_CLIENT_SECRET = "pirschSimDomainSecret" + "0123456789abcdef" * 2 + "0123456789a"
USER_CLIENT_ID = "pirschSimUserClient0123456789abc"
USER_CLIENT_SECRET = "pirschSimUserSecret" + "fedcba9876543210" * 2 + "fedcba9876543"
ACCESS_KEY = "pa_pirschSimWriteOnlyAccessKey0123456789"
DEFAULT_DOMAIN_ID = DOMAINS[0].id
NO_LIMIT = 10**9
MALFORMED_BODY = b'[{"day":"2026-04-01T00:00:00Z","visitors":4'


@dataclass
class _Token:
    client_id: str
    expires_at: dt.datetime
    uses: int = 0


def _error(status: int, errors: list[str] | None = None,
           validation: dict[str, str] | None = None, **headers: str) -> SimResponse:
    body = {"validation": validation or {}, "error": errors or [], "context": {}}
    return SimResponse(status, body, dict(headers), code=status)


class PirschSimulator(SimServer):
    """Pirsch API v1 on loopback, as strict as the doc and NOTES.md.

    Args:
        port: TCP port on 127.0.0.1 (0: any free one).
        faults: fault spec (see ``simulators.base``), e.g. ``"500:0.05,reset:0.01"``.
        fault_seed: seed of the fault draws.
        slow_seconds: delay of a ``slow`` fault.
        request_log: JSONL file of every API request (secrets and tokens redacted).
        today: the simulated UTC date (default: the real one); later days are empty.
        minute_seconds: length of the per-minute rate window (tests shorten it).
        plan: accepted for the CLI's sake; Pirsch has no API plans.
        rpm: a per-minute limit on statistics (default: none, like Pirsch today).
        rpd: a per-day limit on statistics (default: none).
        token_seconds: lifetime of an access token.
        token_requests: revoke a token after this many authorized requests (a token that
            dies before its ``expires_at``; default: never).
        clients: ``{client_id: (client_secret, [domain ids])}`` instead of the defaults.
    """

    name = "pirsch"
    title = "Pirsch"
    server_header = "pirsch-simulator"

    def __init__(self, *, port: int = 0, faults: str = "", fault_seed: int = 0,
                 slow_seconds: float = 35.0, request_log: str | Path | None = None,
                 today: dt.date | None = None, minute_seconds: float = 60.0,
                 plan: str | None = None, rpm: int | None = None, rpd: int | None = None,
                 token_seconds: float = 3600.0, token_requests: int | None = None,
                 clients: dict[str, tuple[str, list[str]]] | None = None) -> None:
        super().__init__(port=port, faults=faults, fault_seed=fault_seed,
                         slow_seconds=slow_seconds, request_log=request_log, today=today,
                         minute_seconds=minute_seconds)
        self.plan = plan
        self.rpm, self.rpd = rpm, rpd
        self.token_seconds = token_seconds
        self.token_requests = token_requests
        self.clients = clients or {
            DEFAULT_CLIENT_ID: (DEFAULT_CLIENT_SECRET, [DEFAULT_DOMAIN_ID]),
            USER_CLIENT_ID: (USER_CLIENT_SECRET, [d.id for d in DOMAINS]),
        }
        self.secret_values = {secret for secret, _ in self.clients.values()} | {ACCESS_KEY}
        self.model = Model(self.clock.today)
        self.tokens: dict[str, _Token] = {}
        self.tokens_issued = 0
        self._tokens_lock = threading.Lock()
        self.route("POST", settings.PATH_TOKEN, self._token)
        self.route("GET", settings.PATH_DOMAIN, self._domains)
        for name in (*stats.LIST_KEYS, *stats.SERIES, "platform", "hours", "event/meta"):
            self.route("GET", f"{settings.STATS_PREFIX}/{name}", self._statistics)

    def banner_details(self) -> list[tuple[str, str]]:
        """The demo credentials and limits."""
        limit = f"{self.rpm or 'no'}/min, {self.rpd or 'no'}/day"
        return [("client id", f"{DEFAULT_CLIENT_ID}  (domain {DEFAULT_DOMAIN_ID})"),
                ("client secret", DEFAULT_CLIENT_SECRET),
                ("user client", f"{USER_CLIENT_ID} / {USER_CLIENT_SECRET} (two domains)"),
                ("access key", f"{ACCESS_KEY} (write-only)"),
                ("statistics limit", f"{limit}; token lifetime {self.token_seconds:.0f} s")]

    def expire_tokens(self) -> None:
        """Invalidate every issued token now (the next statistics call answers 401)."""
        with self._tokens_lock:
            self.tokens.clear()

    # -- configuration endpoints --------------------------------------------------------
    def _config_limit(self, request: SimRequest, client_id: str) -> tuple[SimResponse | None,
                                                                          dict[str, str]]:
        refused, quota = self.limiter.acquire("config:" + client_id, settings.CONFIG_RPM,
                                              NO_LIMIT, consume=request.fault is None)
        reset = dt.datetime.now(dt.UTC).timestamp() + quota.seconds_to_next_minute
        headers = {settings.RATE_HEADERS["limit"]: str(quota.limit_minute),
                   settings.RATE_HEADERS["remaining"]: str(quota.remaining_minute),
                   settings.RATE_HEADERS["reset"]: str(int(reset) + 1)}
        if refused:
            wait = str(int(quota.seconds_to_next_minute) + 1)
            return _error(429, ["too many requests"], **headers, **{"Retry-After": wait}), headers
        return None, headers

    def _token(self, request: SimRequest) -> SimResponse:
        body = request.json if isinstance(request.json, dict) else {}
        missing = {k: "required" for k in ("client_id", "client_secret") if not body.get(k)}
        if missing:
            return _error(400, validation=missing)
        client_id = str(body["client_id"])
        refused, headers = self._config_limit(request, client_id)
        if refused:
            return refused
        known = self.clients.get(client_id)
        if known is None or known[0] != body["client_secret"]:
            return _error(401, ["unauthorized"], **headers)
        token = secrets.token_urlsafe(32)
        # tokens live in real time (the simulated clock only shifts the reporting days)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.token_seconds)
        with self._tokens_lock:
            self.tokens[token] = _Token(client_id, expires)
            self.tokens_issued += 1
        stamp = expires.strftime("%Y-%m-%dT%H:%M:%S.%f") + "271Z"
        return SimResponse(200, {"access_token": token, "expires_at": stamp}, headers, code=200)

    def _authorize(self, request: SimRequest) -> tuple[str | None, SimResponse | None]:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        if token.startswith(settings.ACCESS_KEY_PREFIX):
            return None, _error(403, ["access keys are write-only and cannot read statistics"])
        with self._tokens_lock:
            entry = self.tokens.get(token)
            if entry is not None and (entry.expires_at <= dt.datetime.now(dt.UTC) or (
                    self.token_requests is not None and entry.uses >= self.token_requests)):
                del self.tokens[token]
                entry = None
            if entry is None:
                return None, _error(401, ["unauthorized"])
            entry.uses += 1
            return entry.client_id, None

    def _domains(self, request: SimRequest) -> SimResponse:
        client_id, refused = self._authorize(request)
        if refused or client_id is None:
            return refused or _error(401)
        limited, headers = self._config_limit(request, client_id)
        if limited:
            return limited
        rows = [self._domain_json(d) for d in DOMAINS if d.id in self.clients[client_id][1]]
        return SimResponse(200, rows, headers, code=200)

    @staticmethod
    def _domain_json(domain: Any) -> dict[str, Any]:
        return {"id": domain.id, "def_time": "2025-06-01T10:11:12.123456Z",
                "mod_time": "2026-02-03T08:09:10.654321Z", "user_id": "pzy1bjD1lv",
                "hostname": domain.hostname, "subdomain": domain.subdomain,
                "identification_code": "oSdiAe" + domain.id, "public": False,
                "google_user_id": None, "google_user_email": None, "gsc_domain": None,
                "new_owner": None, "timezone": domain.timezone, "group_by_title": False,
                "user_role": "Owner"}

    # -- statistics ---------------------------------------------------------------------
    def _statistics(self, request: SimRequest) -> SimResponse:
        client_id, refused = self._authorize(request)
        if refused or client_id is None:
            return refused or _error(401)
        headers: dict[str, str] = {}
        if self.rpm or self.rpd:
            limit_m, limit_d = self.rpm or NO_LIMIT, self.rpd or NO_LIMIT
            no, quota = self.limiter.acquire("stats:" + client_id, limit_m, limit_d,
                                             consume=request.fault is None)
            reset = dt.datetime.now(dt.UTC).timestamp() + quota.seconds_to_next_minute
            headers = {settings.RATE_HEADERS["limit"]: str(limit_m),
                       settings.RATE_HEADERS["remaining"]: str(quota.remaining_minute),
                       settings.RATE_HEADERS["reset"]: str(int(reset) + 1)}
            if no:
                wait = quota.seconds_to_next_minute if no == "minute" else 86400
                return _error(429, [f"too many requests ({no})"], **headers,
                              **{"Retry-After": str(int(wait) + 1)})
        params = {k: v[0] for k, v in request.query.items() if v}
        try:
            domain, days = self._filter(params, client_id)
            name = request.path.removeprefix(settings.STATS_PREFIX + "/")
            data = [self.model.day(domain, d) for d in days]
            if name in stats.SERIES:
                body: Any = stats.series_answer(name, self.model, domain, days, params)
            elif name == "platform":
                body = stats.platform_answer(data)
            elif name == "hours":
                body = stats.hours_answer(data)
            elif name == "event/meta":
                body = stats.meta_answer(data, params)
            else:
                body = stats.list_answer(name, data, params)
        except stats.ValidationError as exc:
            return _error(400, validation=exc.fields, **headers)
        except LookupError as exc:
            return _error(404, [str(exc.args[0])], **headers)
        if name == "goals" and body:
            for item in body:
                item["page_goal"]["domain_id"] = domain
        # an empty list is the JSON literal null (NOTES.md), not an empty body
        return SimResponse(200, body, headers, code=200, raw=b"null" if body is None else None)

    def _filter(self, params: dict[str, str], client_id: str) -> tuple[str, list[dt.date]]:
        missing = {k: "required" for k in settings.REQUIRED_FILTER if not params.get(k)}
        if missing:
            raise stats.ValidationError(missing)
        dates = {}
        for k in ("from", "to"):
            try:
                dates[k] = dt.date.fromisoformat(params[k])
            except ValueError:
                raise stats.ValidationError({k: "must be a date in the format YYYY-MM-DD"}) \
                    from None
        if dates["from"] > dates["to"]:
            raise stats.ValidationError({"from": "must be before or equal to to"})
        if params.get("tz"):
            try:
                ZoneInfo(params["tz"])
            except (ZoneInfoNotFoundError, ValueError):
                raise stats.ValidationError({"tz": "unknown time zone"}) from None
        if params["id"] not in self.clients[client_id][1]:
            raise LookupError("domain not found")
        return params["id"], stats.days_of(dates["from"], dates["to"])

    # -- SimServer hooks ----------------------------------------------------------------
    def not_found_response(self, request: SimRequest) -> SimResponse:
        return _error(404, [f"not found: {request.path}"])

    def method_not_allowed_response(self, request: SimRequest) -> SimResponse:
        return _error(405, [f"method {request.method} not allowed"])

    def fault_response(self, kind: str, request: SimRequest) -> SimResponse:
        """Injected faults in Pirsch's shapes (``429bare``: no ``Retry-After``)."""
        if kind == "malformed":
            return SimResponse(200, raw=MALFORMED_BODY)
        if kind == "429":
            return _error(429, ["too many requests"], **{"Retry-After": "1"})
        if kind == "429bare":
            return _error(429, ["too many requests"])
        return _error(500, ["internal server error"])
