"""Ptengine configuration: typed, validated before any request.

Every check raises ``ConfigurationError`` naming the key (``sources.ptengine.<key>``) and
the fix, so a bad configuration exits 2 without spending a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sources.common.config import ConfigRegistry, KeyChecks, dated_basics
from sources.common.errors import ConfigurationError
from sources.ptengine import settings as S
from sources.ptengine.config_reports import (
    EXPERIENCE_TABLES,
    HEATMAP_TABLES,
    ExperienceConfig,
    HeatmapConfig,
    check_selection,
    default_tables,
    experience_config,
    heatmap_config,
)

SECTION = "sources.ptengine"
ALL_SEGMENT = "all"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


CHECKS = KeyChecks("ptengine")
key = CHECKS.key


@dataclass(frozen=True)
class EventBreakdown:
    """An event query grouped by extra dimensions, loaded as ``event_breakdown_<name>_daily``."""

    name: str
    event_names: tuple[str, ...]
    dimensions: tuple[Any, ...]  # str or {"name": "eventDimension", "eventVariant": …}

    @property
    def table(self) -> str:
        return f"event_breakdown_{self.name}_daily"


@dataclass(frozen=True)
class PtengineConfig:
    """The validated configuration of one Ptengine run."""

    api_key: str
    profile_id: str
    base_url: str
    start_date: date
    end_date: date
    lookback_days: int
    timezone: str
    plan: str
    rpm: int | None
    rpd: int | None
    daily_budget: int | None
    lang: str
    dimensions: tuple[str, ...]
    dimension_limit: int
    segments: dict[str, tuple[dict[str, Any], ...]]
    event_breakdowns: tuple[EventBreakdown, ...]
    funnel_goals: tuple[str, ...]
    hourly_metrics: tuple[str, ...]
    resources: tuple[str, ...]
    explicit_start: date | None = None
    explicit_end: date | None = None
    request_timeout: float = 30.0
    max_retries: int = 5
    retry_backoff_seconds: float = 1.0
    rate_window_seconds: float = 60.0
    commit_every_seconds: float = 15.0
    heatmap: HeatmapConfig = field(default_factory=HeatmapConfig)
    experience: ExperienceConfig = field(default_factory=ExperienceConfig)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def segment_names(self) -> list[str]:
        return [ALL_SEGMENT, *self.segments]

    def filters_for(self, segment: str) -> list[dict[str, Any]]:
        return [dict(f) for f in self.segments.get(segment, ())]


# the validated configuration of each source instance, by run id (the CLI's plan/check read it)
CONFIGS = ConfigRegistry()
remember = CONFIGS.remember
config_for = CONFIGS.config_for


# --- resource catalogue -------------------------------------------------------------------
STATIC_RESOURCES: tuple[str, ...] = (
    "site_metrics_daily",
    "site_metrics_hourly",
    "events_daily",
    "event_fields",
    "conversion_goals",
    "conversion_summary_daily",
    "conversion_goals_daily",
    "conversion_sources_daily",
    "conversion_ad_names_daily",
    "conversion_ad_sources_daily",
    "conversion_funnel_steps_daily",
    "overview_sources_daily",
    "overview_location_daily",
    "overview_device_daily",
    "metric_definitions",
    *HEATMAP_TABLES,
    *EXPERIENCE_TABLES,
)
DEFAULT_STATIC = (
    "site_metrics_daily",
    "events_daily",
    "conversion_goals",
    "conversion_goals_daily",
    "metric_definitions",
)


def dimension_table_name(dimension: str) -> str:
    """``entryCombinedPages`` → ``traffic_by_entry_combined_pages_daily``."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", dimension).lower()
    return f"traffic_by_{snake}_daily"


def available_resources(dimensions: tuple[str, ...],
                        breakdowns: tuple[EventBreakdown, ...]) -> list[str]:
    names = list(STATIC_RESOURCES)
    names += [dimension_table_name(d) for d in dimensions]
    names += [b.table for b in breakdowns]
    return names


def default_resources(dimensions: tuple[str, ...], breakdowns: tuple[EventBreakdown, ...],
                      hourly: bool, funnel_goals: tuple[str, ...],
                      heatmap: HeatmapConfig | None = None,
                      experience: ExperienceConfig | None = None) -> tuple[str, ...]:
    names = list(DEFAULT_STATIC)
    names[1:1] = [dimension_table_name(d) for d in dimensions]
    names += [b.table for b in breakdowns]
    if hourly:
        names.append("site_metrics_hourly")
    if funnel_goals:
        names.append("conversion_funnel_steps_daily")
    names[-1:-1] = default_tables(heatmap or HeatmapConfig(), experience or ExperienceConfig())
    return tuple(names)


# --- building -----------------------------------------------------------------------------
def build_config(
    *,
    api_key: str | None,
    profile_id: str | None,
    base_url: str | None = None,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: Any = 2,
    timezone: str | None = "UTC",
    plan: str | None = "auto",
    rpm: Any = None,
    rpd: Any = None,
    daily_budget: Any = None,
    lang: str | None = "EN",
    dimensions: Any = None,
    dimension_limit: Any = S.DIMENSION_TABLE_MAX_LIMIT,
    segments: Any = None,
    event_breakdowns: Any = None,
    funnel_goals: Any = None,
    hourly: Any = False,
    hourly_metrics: Any = None,
    resources: Any = None,
    explicit_start: Any = None,
    explicit_end: Any = None,
    request_timeout: Any = 30.0,
    max_retries: Any = 5,
    retry_backoff_seconds: Any = 1.0,
    rate_window_seconds: Any = 60.0,
    commit_every_seconds: Any = 15.0,
    today: date | None = None,
    **reports: Any,
) -> PtengineConfig:
    """Validate raw configuration values and return a ``PtengineConfig``.

    Raises:
        ConfigurationError: the first problem found, naming its key and the fix.
    """
    if not api_key or not str(api_key).strip():
        raise ConfigurationError(
            key("api_key"), "is missing",
            "set SOURCES__PTENGINE__API_KEY or api_key in .dlt/secrets.toml [sources.ptengine]",
        )
    if not profile_id or not str(profile_id).strip():
        raise ConfigurationError(
            key("profile_id"), "is missing",
            "set SOURCES__PTENGINE__PROFILE_ID (the 8-character site id in the Ptengine URL)",
        )
    profile_id = str(profile_id).strip()
    if not re.fullmatch(r"[0-9a-zA-Z]{8}", profile_id):
        raise ConfigurationError(
            key("profile_id"), f"'{profile_id}' is not an 8-character site id",
            "copy it from https://www.ptengine.jp/app/{profileId}/home",
        )
    basics = dated_basics(CHECKS, base_url=base_url, default_base_url=S.DEFAULT_BASE_URL,
                          timezone=timezone, lookback_days=lookback_days, today=today,
                          start_date=start_date, end_date=end_date,
                          explicit_start=explicit_start, explicit_end=explicit_end)
    url, tz, lookback = basics.base_url, basics.timezone, basics.lookback_days
    start, end = basics.dates.start_date, basics.dates.end_date
    ex_start, ex_end = basics.dates.explicit_start, basics.dates.explicit_end
    plan_name = str(plan or "auto").lower()
    if plan_name != "auto" and plan_name not in S.PLANS:
        raise ConfigurationError(key("plan"), f"'{plan}' is not a Ptengine plan",
                                 f"use one of auto, {', '.join(S.PLANS)}")
    lang_code = str(lang or "EN").upper()
    if lang_code not in S.LANGS:
        raise ConfigurationError(key("lang"), f"'{lang}' is not supported",
                                 f"use one of {', '.join(S.LANGS)}")
    dims = _dimensions(dimensions)
    breakdowns = _breakdowns(event_breakdowns)
    funnels = tuple(str(g) for g in CHECKS.items(funnel_goals, "funnel_goals"))
    hourly_on = CHECKS.boolean(hourly, "hourly")
    h_metrics = tuple(CHECKS.items(hourly_metrics, "hourly_metrics")
                      or ("visits", "users", "pageView"))
    for m in h_metrics:
        if m not in S.DATACENTER_METRICS:
            raise ConfigurationError(key("hourly_metrics"), f"'{m}' is not a data-center metric",
                                     f"use any of {', '.join(S.DATACENTER_METRICS)}")
    heatmap = heatmap_config(**{k: reports.get(k) for k in (
        "pages", "device_types", "page_insights", "page_conversion_names", "stay_time_filter",
        "range_type")})
    experience = experience_config(**{k: reports.get(k) for k in (
        "experience_ids", "experience_statuses", "experience_types", "experience_dimensions",
        "abtest_compare_by", "abtest_dimensions", "abtest_show_deleted_versions")})
    selected = _resources(resources, dims, breakdowns, hourly_on, funnels, heatmap, experience)
    check_selection(selected, heatmap, experience)
    if "conversion_funnel_steps_daily" in selected and not funnels:
        raise ConfigurationError(key("funnel_goals"),
                                 "is empty but conversion funnels are selected",
                                 "list goal names, e.g. funnel_goals = [\"ptmind signup\"]")
    return PtengineConfig(
        api_key=str(api_key).strip(),
        profile_id=profile_id,
        base_url=url,
        start_date=start,
        end_date=end,
        lookback_days=lookback,
        timezone=tz,
        plan=plan_name,
        rpm=CHECKS.optional_integer(rpm, "rpm", minimum=1),
        rpd=CHECKS.optional_integer(rpd, "rpd", minimum=1),
        daily_budget=CHECKS.optional_integer(daily_budget, "daily_budget", minimum=1),
        lang=lang_code,
        dimensions=dims,
        dimension_limit=CHECKS.integer(dimension_limit, "dimension_limit", minimum=1,
                             maximum=S.DIMENSION_TABLE_MAX_LIMIT),
        segments=_segments(segments),
        event_breakdowns=breakdowns,
        funnel_goals=funnels,
        hourly_metrics=h_metrics,
        resources=selected,
        explicit_start=ex_start,
        explicit_end=ex_end,
        request_timeout=CHECKS.number(request_timeout, "request_timeout", minimum=0.1),
        max_retries=CHECKS.integer(max_retries, "max_retries", minimum=0, maximum=20),
        retry_backoff_seconds=CHECKS.number(retry_backoff_seconds, "retry_backoff_seconds",
                                     minimum=0.0),
        rate_window_seconds=CHECKS.number(rate_window_seconds, "rate_window_seconds", minimum=0.1),
        commit_every_seconds=CHECKS.number(commit_every_seconds, "commit_every_seconds", minimum=0),
        heatmap=heatmap,
        experience=experience,
    )


# --- helpers ------------------------------------------------------------------------------
def _dimensions(value: Any) -> tuple[str, ...]:
    dims = tuple(str(d) for d in CHECKS.items(value, "dimensions")) or S.DEFAULT_DIMENSIONS
    for d in dims:
        if d not in S.DATACENTER_DIMENSIONS:
            raise ConfigurationError(key("dimensions"), f"'{d}' is not a data-center dimension",
                                     f"use any of {', '.join(S.DATACENTER_DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise ConfigurationError(key("dimensions"), "lists a dimension twice", "remove duplicates")
    return dims


def _filter(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigurationError(where, f"filter {item!r} is not a table",
                                 '{name = "country", op = "include", value = ["Japan"]}')
    name, op, value = item.get("name"), item.get("op"), item.get("value")
    if name not in S.FILTER_FIELDS:
        raise ConfigurationError(where, f"'{name}' is not a filter field",
                                 f"use one of {', '.join(S.FILTER_FIELDS)}")
    if op not in S.FILTER_OPS:
        raise ConfigurationError(where, f"op '{op}' is not allowed", "use include or exclude")
    if not isinstance(value, list | tuple) or not value:
        raise ConfigurationError(where, f"value of '{name}' must be a non-empty list",
                                 'e.g. value = ["Japan"]')
    allowed = S.FIXED_FILTER_VALUES.get(str(name))
    if allowed:
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ConfigurationError(where, f"{bad} not allowed for '{name}'",
                                     f"use any of {', '.join(allowed)}")
    for extra in S.FILTER_EXTRA_KEYS.get(str(name), ()):
        if not item.get(extra):
            raise ConfigurationError(where, f"filter '{name}' needs '{extra}'",
                                     f"add {extra} = \"…\" to the filter")
    out = {"name": name, "op": op, "value": [str(v) for v in value]}
    for extra in ("eventName", "eventVariant"):
        if item.get(extra):
            out[extra] = item[extra]
    return out


def _segments(value: Any) -> dict[str, tuple[dict[str, Any], ...]]:
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        raise ConfigurationError(key("segments"), "must be a table of named filter lists",
                                 'segments = {mobile = [{name = "deviceType", op = "include", '
                                 'value = ["Mobile"]}]}')
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for name, filters in value.items():
        where = key(f"segments.{name}")
        if not _NAME_RE.match(str(name)) or name == ALL_SEGMENT or len(name) > S.MAX_SEGMENT_NAME:
            raise ConfigurationError(where, f"'{name}' is not a valid segment name",
                                     "use lowercase letters, digits and _ (not 'all')")
        if not isinstance(filters, list | tuple) or not filters:
            raise ConfigurationError(where, "must be a non-empty list of filters",
                                     '[{name = "country", op = "include", value = ["Japan"]}]')
        out[str(name)] = tuple(_filter(f, where) for f in filters)
    return out


def _breakdowns(value: Any) -> tuple[EventBreakdown, ...]:
    items = CHECKS.items(value, "event_breakdowns")
    out = []
    for i, item in enumerate(items):
        where = key(f"event_breakdowns[{i}]")
        if not isinstance(item, dict):
            raise ConfigurationError(where, "must be a table",
                                     '{name = "purchase_by_country", event_names = ["purchase"], '
                                     'dimensions = ["country"]}')
        name = str(item.get("name") or "")
        if not _NAME_RE.match(name):
            raise ConfigurationError(where + ".name", f"'{name}' is not a valid name",
                                     "use lowercase letters, digits and _")
        events = tuple(str(e) for e in (item.get("event_names") or ()))
        dims = tuple(item.get("dimensions") or ())
        if not dims:
            raise ConfigurationError(where + ".dimensions", "is empty",
                                     'list 1 or 2 dimensions, e.g. ["country"]')
        for d in dims:
            if isinstance(d, str):
                if d in S.EVENT_TIME_DIMENSIONS or d == "eventName":
                    raise ConfigurationError(where + ".dimensions", f"'{d}' is added by the "
                                             "connector", "list only non-time dimensions")
                if d not in S.EVENT_DIMENSIONS:
                    raise ConfigurationError(where + ".dimensions",
                                             f"'{d}' is not an event dimension",
                                             f"use any of {', '.join(S.EVENT_DIMENSIONS)}")
            elif not (isinstance(d, dict) and d.get("name") == "eventDimension"
                      and d.get("eventVariant")):
                raise ConfigurationError(where + ".dimensions", f"{d!r} is not a dimension",
                                         '{name = "eventDimension", eventVariant = "price"}')
        # eventName counts as one of the three non-time dimensions (doc §2.3)
        if len(dims) + 1 > S.EVENT_MAX_NON_TIME_DIMENSIONS:
            raise ConfigurationError(
                where + ".dimensions",
                f"{len(dims)} dimensions plus eventName exceed the API's "
                f"{S.EVENT_MAX_NON_TIME_DIMENSIONS} non-time dimensions",
                f"list at most {S.EVENT_MAX_NON_TIME_DIMENSIONS - 1}",
            )
        # doc §2.3: grouping by a non-eventName dimension needs an eventName filter
        if not events:
            raise ConfigurationError(where + ".event_names", "is empty",
                                     "the API needs an eventName filter when grouping by "
                                     "other dimensions: list the events, e.g. [\"purchase\"]")
        out.append(EventBreakdown(name, events, dims))
    if len({b.name for b in out}) != len(out):
        raise ConfigurationError(key("event_breakdowns"), "names a breakdown twice",
                                 "give each breakdown its own name")
    return tuple(out)


def _resources(value: Any, dims: tuple[str, ...], breakdowns: tuple[EventBreakdown, ...],
               hourly: bool, funnels: tuple[str, ...], heatmap: HeatmapConfig,
               experience: ExperienceConfig) -> tuple[str, ...]:
    wanted = CHECKS.items(value, "resources")
    if not wanted:
        return default_resources(dims, breakdowns, hourly, funnels, heatmap, experience)
    valid = available_resources(dims, breakdowns)
    for name in wanted:
        if name not in valid:
            hint = ""
            if str(name).startswith("traffic_by_"):
                hint = " (add its dimension to sources.ptengine.dimensions)"
            raise ConfigurationError(key("resources"), f"'{name}' is not a resource{hint}",
                                     f"use any of {', '.join(valid)}")
    return tuple(dict.fromkeys(str(w) for w in wanted))
