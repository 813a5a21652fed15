"""The Ptengine Open API twin: authentication, rate limits, envelopes, routing (§1–§3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sources.ptengine import settings

from ..base import Quota, SimRequest, SimResponse, SimServer
from . import conversion, datacenter, events, experience, filter_values, heatmap, labels
from .experience_catalog import ExperienceBook
from .model import Model
from .validate import ApiError, Ctx, lang_of, require

DEFAULT_API_KEY = "pt-sim-0123456789abcdef"
DEFAULT_PROFILE_ID = "566d12f9"
UPLOAD_ONLY_KEY = "pt-sim-upload-only-0000"
UNLIMITED = settings.RatePlan("unlimited", "UNLIMITED", 100_000, 10_000_000,
                              max(p.retention_days for p in settings.PLANS.values()))
MALFORMED_BODY = b'{"code":200,"message":"OK","data":{"rows":[{"visits":"1,2'

Endpoint = Callable[[Ctx], Any]


@dataclass(frozen=True)
class ApiKey:
    """What a simulated API key may do."""

    profile_id: str
    scopes: frozenset[str]


def _keys(api_keys: Mapping[str, Mapping[str, Any]] | None) -> dict[str, ApiKey]:
    if api_keys is None:
        api_keys = {DEFAULT_API_KEY: {"profile_id": DEFAULT_PROFILE_ID, "scope": "query"},
                    UPLOAD_ONLY_KEY: {"profile_id": DEFAULT_PROFILE_ID, "scope": "upload"}}
    out = {}
    for key, spec in api_keys.items():
        profile = spec.get("profile_id", spec.get("profileId"))
        scope = spec.get("scope", "query")
        if not isinstance(profile, str) or not profile:
            raise ValueError(f"api_keys[{key!r}] needs a profile_id")
        out[key] = ApiKey(profile, frozenset([scope] if isinstance(scope, str) else scope))
    return out


class PtengineSimulator(SimServer):
    """Ptengine Open API (Insight and Experience endpoints) on loopback, as strict as the doc.

    Args:
        plan: a key of ``settings.PLANS`` or ``"unlimited"`` (never 429; headers say
            100000/min, 10000000/day, tier ``UNLIMITED``).
        rpm: requests per minute instead of the plan's.
        rpd: requests per day instead of the plan's.
        faults: fault spec (see ``simulators.base``), e.g. ``"500:0.05,reset:0.01"``.
        fault_seed: seed of the fault draws.
        slow_seconds: delay of a ``slow`` fault.
        request_log: JSONL file of every API request (the key redacted).
        port: TCP port on 127.0.0.1 (0: any free one).
        today: the simulated UTC date (default: the real one); later days are empty.
        retention_days: how far back queries may start (default: the plan's); ``4003``.
        revise_days: days younger than this report lower counts that grow as the clock
            advances (to test lookback windows).
        api_keys: ``{key: {"profile_id": ..., "scope": "query" | "upload" | [...]}}``
            instead of the two default keys.
        minute_seconds: length of the per-minute rate window (tests shorten it).
    """

    name = "ptengine"
    title = "Ptengine"
    server_header = "ptengine-simulator"

    def __init__(self, *, plan: str = "growth", rpm: int | None = None, rpd: int | None = None,
                 faults: str = "", fault_seed: int = 0, slow_seconds: float = 35.0,
                 request_log: str | Path | None = None, port: int = 0,
                 today: dt.date | None = None, retention_days: int | None = None,
                 revise_days: int = 0, api_keys: Mapping[str, Mapping[str, Any]] | None = None,
                 minute_seconds: float = 60.0) -> None:
        if plan != "unlimited" and plan not in settings.PLANS:
            raise ValueError(f"unknown plan {plan!r}: use {', '.join(settings.PLANS)} or unlimited")
        super().__init__(port=port, faults=faults, fault_seed=fault_seed,
                         slow_seconds=slow_seconds, request_log=request_log, today=today,
                         minute_seconds=minute_seconds)
        self.plan = settings.PLANS.get(plan, UNLIMITED)
        self.unlimited = plan == "unlimited"
        self.rpm = self.plan.rpm if rpm is None else rpm
        self.rpd = self.plan.rpd if rpd is None else rpd
        self.retention_days = self.plan.retention_days if retention_days is None \
            else retention_days
        self.revise_days = revise_days
        self.api_keys = _keys(api_keys)
        self.secret_values = set(self.api_keys)
        self.model = Model(self.clock.today, revise_days)
        post = {settings.PATH_FILTER_VALUES: filter_values.handle,
                settings.PATH_FILTER_VALUES_LEGACY: filter_values.handle,
                settings.PATH_CONVERSION_GOALS: lambda ctx: conversion.goals_list(),
                settings.PATH_HEATMAP_QUERY: heatmap.handle,
                settings.PATH_EVENT_QUERY: events.handle,
                settings.PATH_DATACENTER_QUERY: datacenter.handle,
                settings.PATH_CONVERSION_QUERY: conversion.handle}
        self.experiences = ExperienceBook()
        book = self.experiences
        post.update({
            settings.PATH_EXPERIENCE_LIST: lambda ctx: experience.list_experiences(ctx, book),
            settings.PATH_EXPERIENCE_USER_PROPERTIES: experience.user_properties,
            settings.PATH_EXPERIENCE_OVERVIEW: lambda ctx: experience.overview(ctx, book),
            settings.PATH_EXPERIENCE_METRICS: lambda ctx: experience.key_metrics(ctx, book),
            settings.PATH_EXPERIENCE_INSIGHT: lambda ctx: experience.insight(ctx, book),
            settings.PATH_EXPERIENCE_ABTEST: lambda ctx: experience.abtest(ctx, book),
            settings.PATH_EXPERIENCE_ABTEST_INSIGHT: lambda ctx: experience.abtest_insight(ctx,
                                                                                           book),
            settings.PATH_EXPERIENCE_FORM: lambda ctx: experience.form(ctx, book),
        })
        for path, endpoint in post.items():
            self.route("POST", path, self._endpoint(endpoint))
        self.route("GET", settings.PATH_EVENT_FIELDS,
                   self._endpoint(lambda ctx: events.fields(ctx.lang), body=False))

    def banner_details(self) -> list[tuple[str, str]]:
        """The demo credentials and the plan's limits."""
        return [("api key", DEFAULT_API_KEY), ("profile id", DEFAULT_PROFILE_ID),
                ("upload-only key", UPLOAD_ONLY_KEY),
                ("plan", f"{self.plan.name} ({self.rpm}/min, {self.rpd}/day, "
                         f"retention {self.retention_days} days)")]

    # -- envelopes ----------------------------------------------------------------------

    def _headers(self, quota: Quota) -> dict[str, str]:
        h = settings.RATE_HEADERS
        return {h["limit_minute"]: str(quota.limit_minute),
                h["remaining_minute"]: str(quota.remaining_minute),
                h["limit_day"]: str(quota.limit_day),
                h["remaining_day"]: str(quota.remaining_day),
                h["tier"]: self.plan.tier}

    def _account_headers(self, request: SimRequest) -> dict[str, str]:
        """Rate headers (without spending) when the request carries a known key."""
        key = request.headers.get("x-api-key", "")
        if key not in self.api_keys:
            return {}
        return self._headers(self.limiter.peek(key, self.rpm, self.rpd))

    @staticmethod
    def _error(code: int, detail: str, lang: str, headers: dict[str, str]) -> SimResponse:
        text = labels.error_text(code, lang)
        message = f"{text}: {detail}" if detail else text
        return SimResponse(settings.ERROR_CODES[code].http_status,
                           {"code": code, "message": message}, headers, code=code)

    def _endpoint(self, endpoint: Endpoint, body: bool = True) -> Callable[[SimRequest],
                                                                           SimResponse]:
        def answer(request: SimRequest) -> SimResponse:
            return self._answer(request, endpoint, body)

        return answer

    def _answer(self, request: SimRequest, endpoint: Endpoint, needs_body: bool) -> SimResponse:
        """Auth -> scope -> body -> profileId -> rate limit -> the endpoint's checks."""
        lang = lang_of(request.query_value("lang"))
        key = request.headers.get("x-api-key")
        headers = self._account_headers(request)
        try:
            if not key:
                raise ApiError(4010)
            account = self.api_keys.get(key)
            if account is None:
                raise ApiError(4011)
            if "query" not in account.scopes:
                raise ApiError(4031)
            body: dict[str, Any] = {}
            if needs_body:
                if request.content_type != "application/json" or request.json_error or \
                        not isinstance(request.json, dict):
                    raise ApiError(4018, "the request body must be a JSON object sent with "
                                         "Content-Type: application/json")
                body = request.json
                if "lang" in body:
                    lang = lang_of(body["lang"])
                require(body, "profileId")
                if body["profileId"] != account.profile_id:
                    raise ApiError(4030, f"profileId '{body['profileId']}'")
            refused, quota = self.limiter.acquire(key, self.rpm, self.rpd,
                                                  consume=request.fault is None,
                                                  enforce=not self.unlimited)
            headers = self._headers(quota)
            if refused == "day":
                midnight = dt.datetime.combine(self.clock.today() + dt.timedelta(days=1),
                                               dt.time(), dt.UTC)
                raise ApiError(4291, f"the daily limit of {self.rpd} requests is reached; it "
                                     f"resets at 00:00 UTC ({midnight.isoformat()})")
            if refused == "minute":
                raise ApiError(4290, f"the limit of {self.rpm} requests per minute is reached; "
                                     f"retry in {quota.seconds_to_next_minute:.0f}s when the "
                                     "next minute window opens")
            ctx = Ctx(body, account.profile_id, lang, self.clock.today(), self.retention_days,
                      self.model)
            payload: dict[str, Any] = {"code": 200, "message": "OK", "data": endpoint(ctx)}
            if ctx.meta:
                payload["meta"] = ctx.meta
            return SimResponse(200, payload, headers, code=200)
        except ApiError as e:
            return self._error(e.code, e.detail, lang, headers)

    # -- SimServer hooks ----------------------------------------------------------------

    def not_found_response(self, request: SimRequest) -> SimResponse:
        """Unknown path: a JSON envelope, HTTP 404."""
        return SimResponse(404, {"code": 404, "message": f"Not Found: {request.path}"},
                           self._account_headers(request), code=404)

    def method_not_allowed_response(self, request: SimRequest) -> SimResponse:
        """Known path, wrong method: a JSON envelope, HTTP 405."""
        return SimResponse(405, {"code": 405, "message": f"Method {request.method} not "
                                                        f"allowed on {request.path}"},
                           self._account_headers(request), code=405)

    def fault_response(self, kind: str, request: SimRequest) -> SimResponse:
        """Injected faults in Ptengine's shapes (a spurious ``429`` says 0 left this minute)."""
        headers = self._account_headers(request)
        if kind == "malformed":
            return SimResponse(200, raw=MALFORMED_BODY, headers=headers)
        if kind == "429bare":
            return self._error(4290, "", "EN", {})
        if kind == "429":
            if headers:
                headers[settings.RATE_HEADERS["remaining_minute"]] = "0"
            return self._error(4290, "", "EN", headers)
        return self._error(5000, "", "EN", headers)
