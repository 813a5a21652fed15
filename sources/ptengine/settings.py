"""Ptengine Open API rules, written once as data.

Everything here is transcribed from ``shared/api-docs/ptengine-open-api.md`` (current
edition) and the Ptengine part of ``shared/api-docs/NOTES.md``. The client, the
planner, the configuration checks and the simulator all read these tables, so a rule
lives in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

DEFAULT_BASE_URL: Final = "https://xbackend.ptengine.com/"
API_PREFIX: Final = "/open-api/v1"

# --- endpoints (NOTES.md: every call is POST with a JSON body but event/fields) ------
PATH_FILTER_VALUES: Final = f"{API_PREFIX}/filter-values"
PATH_FILTER_VALUES_LEGACY: Final = f"{API_PREFIX}/heatmap/filter-values"
PATH_CONVERSION_GOALS: Final = f"{API_PREFIX}/conversion/goals"
PATH_HEATMAP_QUERY: Final = f"{API_PREFIX}/heatmap/query"
PATH_EVENT_QUERY: Final = f"{API_PREFIX}/event/query"
PATH_EVENT_FIELDS: Final = f"{API_PREFIX}/event/fields"  # GET
PATH_DATACENTER_QUERY: Final = f"{API_PREFIX}/datacenter/query"
PATH_CONVERSION_QUERY: Final = f"{API_PREFIX}/conversion/query"
PATH_EXPERIENCE_LIST: Final = f"{API_PREFIX}/experience/list"

# --- value formats as the doc names them ------------------------------------------
ValueType = Literal["INTEGER", "RATE", "TIME", "NUMBER", "DECIMAL", "STRING", "DATE", "MONEY"]

# --- plans (§1.3) --------------------------------------------------------------------


@dataclass(frozen=True)
class RatePlan:
    """A Ptengine plan's request limits.

    Attributes:
        name: the configuration name (``free``, ``free_trial``, ``growth``).
        tier: the value of the ``X-RateLimit-Tier`` header for this plan.
        rpm: requests per minute.
        rpd: requests per day.
        retention_days: how many days back the plan answers; the doc states no number,
            so this is the simulator's assumption (``4003`` beyond it).
    """

    name: str
    tier: str
    rpm: int
    rpd: int
    retention_days: int


PLANS: Final[dict[str, RatePlan]] = {
    "free": RatePlan("free", "FREE", 3, 100, 90),
    "free_trial": RatePlan("free_trial", "FREE_TRIAL", 10, 1000, 180),
    "growth": RatePlan("growth", "GROWTH", 30, 3000, 730),
}

# The doc gives no reset time for the daily quota (no reset header either); the connector
# assumes the day is counted in UTC, says so in its stop message and in the docs, and the
# simulator rolls its day over at the same midnight.
QUOTA_TIMEZONE: Final = "UTC"

RATE_HEADERS: Final = {
    "limit_minute": "X-RateLimit-Limit-Minute",
    "remaining_minute": "X-RateLimit-Remaining-Minute",
    "limit_day": "X-RateLimit-Limit-Day",
    "remaining_day": "X-RateLimit-Remaining-Day",
    "tier": "X-RateLimit-Tier",
}

# --- error codes (Appendix A) ---------------------------------------------------------
ErrorKind = Literal[
    "auth", "permission", "bad_request", "skip_item", "retention", "rate_minute",
    "rate_day", "not_found", "server",
]


@dataclass(frozen=True)
class ErrorCode:
    code: int
    http_status: int
    kind: ErrorKind
    text: str


ERROR_CODES: Final[dict[int, ErrorCode]] = {
    e.code: e
    for e in [
        # NOTES.md: 4010/4011 both mean "key missing or invalid" (doc and client disagree).
        ErrorCode(4010, 401, "auth", "Missing x-api-key header"),
        ErrorCode(4011, 401, "auth", "Invalid API Key"),
        ErrorCode(4030, 403, "permission",
                  "profileId does not match the profile bound to the API Key"),
        ErrorCode(4031, 403, "permission", "API Key lacks query permission (scope query required)"),
        ErrorCode(4001, 400, "bad_request", "Invalid queryType"),
        ErrorCode(4002, 400, "bad_request",
                  "Invalid date format; must be YYYY-MM-DD or YYYY/MM/DD"),
        ErrorCode(4003, 400, "retention", "Query date exceeds the plan's data retention period"),
        ErrorCode(4006, 400, "bad_request", "page_insight type requires funName"),
        ErrorCode(4007, 400, "bad_request",
                  "block_metrics requires specific deviceType (PC/MOBILE/TABLET); "
                  "ALL not supported"),
        ErrorCode(4008, 400, "skip_item",
                  "Page block not configured. Please scan the page in the product first"),
        ErrorCode(4009, 400, "bad_request",
                  "element_metrics requires specific deviceType (PC/MOBILE/TABLET); "
                  "ALL not supported"),
        ErrorCode(4012, 400, "bad_request", "No matching conversion goal"),
        ErrorCode(4013, 400, "bad_request", "Missing required field"),
        ErrorCode(4014, 400, "bad_request",
                  "Invalid deviceType; must be ALL, PC, MOBILE, or TABLET"),
        ErrorCode(4015, 400, "bad_request", "Invalid dimension / subDimension"),
        ErrorCode(4016, 400, "skip_item",
                  "Page element not configured. Please scan the page in the product first"),
        ErrorCode(4017, 400, "bad_request", "Invalid compareBy"),
        ErrorCode(4018, 400, "bad_request", "Invalid field"),
        ErrorCode(4019, 400, "bad_request", "Invalid filter operator or value"),
        ErrorCode(4040, 404, "not_found", "Experience not found"),
        ErrorCode(4290, 429, "rate_minute", "Rate limit exceeded (per minute)"),
        ErrorCode(4291, 429, "rate_day", "Rate limit exceeded (per day)"),
        ErrorCode(5000, 500, "server", "Internal server error"),
    ]
}

LANGS: Final = ("EN", "ZH", "JP")
DATE_FORMATS: Final = ("%Y-%m-%d", "%Y/%m/%d")

# --- filters (§2.1) ------------------------------------------------------------------
FILTER_OPS: Final = ("include", "exclude")
FIXED_FILTER_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "deviceType": ("PC", "Mobile", "Tablet"),
    "sourceType": ("Direct", "Search", "Social", "Referral", "Campaign", "AISearch"),
    "visitType": ("New visits", "Returning visits"),
    "exitType": ("Bounce visits", "Non-bounce visits"),
}
DYNAMIC_FILTER_FIELDS: Final = (
    "os", "osVersion", "browser", "browserVersion", "screenResolution", "deviceBrand",
    "country", "region", "searchEngine", "socialNetwork", "socialUrl", "aiName",
    "referralSource", "referralUrl", "campaignUrl", "utmCampaign", "utmSource", "utmMedium",
    "utmTerm", "utmContent", "combinedPages", "originalPages", "eventName", "dimension",
    "eventDimension", "conversionName",
)
FILTER_FIELDS: Final = tuple(FIXED_FILTER_VALUES) + DYNAMIC_FILTER_FIELDS
# Filter fields that need extra keys.
FILTER_EXTRA_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "dimension": ("eventVariant",),
    "eventDimension": ("eventName", "eventVariant"),
}

# --- heatmap (§2.2) ------------------------------------------------------------------
HEATMAP_QUERY_TYPES: Final = ("page_metrics", "page_insight", "block_metrics", "element_metrics")
HEATMAP_DEVICE_TYPES: Final = ("ALL", "PC", "MOBILE", "TABLET")
HEATMAP_DEVICE_RULES: Final[dict[str, tuple[str, ...]]] = {
    "page_metrics": ("ALL", "PC", "MOBILE", "TABLET"),
    "page_insight": ("ALL", "PC", "MOBILE", "TABLET"),
    "block_metrics": ("PC", "MOBILE", "TABLET"),
    "element_metrics": ("PC", "MOBILE", "TABLET"),
}
# the code the API answers when a query type gets a device type it refuses
HEATMAP_DEVICE_ERROR: Final = {"block_metrics": 4007, "element_metrics": 4009}
HEATMAP_NOT_SCANNED_ERROR: Final = {"block_metrics": 4008, "element_metrics": 4016}
HEATMAP_RANGE_TYPES: Final = ("MERGE_URL", "URL")
HEATMAP_FUN_NAMES: Final = (
    "terminalType", "sourceType", "visitType", "aiName", "utmCampaign", "utmSource",
    "utmMedium", "utmTerm", "utmContent", "week", "day",
)
# field -> value type (page metrics; completions / conversionRate are conversion metrics)
HEATMAP_PAGE_METRICS: Final[dict[str, ValueType]] = {
    "visits": "INTEGER", "pv": "INTEGER", "uv": "INTEGER", "newVisitsRate": "RATE",
    "entrances": "INTEGER", "fvRate": "RATE", "timeOnPage": "TIME", "clicks": "INTEGER",
    "clickRate": "RATE", "ctaClicks": "INTEGER", "ctaClickRate": "RATE", "bounceRate": "RATE",
    "avgPageViews": "DECIMAL", "completions": "INTEGER", "conversionRate": "RATE",
}
HEATMAP_BLOCK_METRICS: Final[dict[str, ValueType]] = {
    "impression": "INTEGER", "impressionRate": "RATE", "avgDuration": "TIME",
    "dropoff": "INTEGER", "dropoffRate": "RATE", "completions": "INTEGER",
    "conversionRate": "RATE",
}
HEATMAP_ELEMENT_METRICS: Final[dict[str, ValueType]] = {
    "impression": "INTEGER", "impressionRate": "RATE", "click": "INTEGER", "clickRate": "RATE",
    "completions": "INTEGER", "conversionRate": "RATE",
}
HEATMAP_CONVERSION_METRICS: Final = ("completions", "conversionRate")
HEATMAP_METRICS_BY_QUERY: Final[dict[str, dict[str, ValueType]]] = {
    "page_metrics": HEATMAP_PAGE_METRICS,
    "page_insight": HEATMAP_PAGE_METRICS,
    "block_metrics": HEATMAP_BLOCK_METRICS,
    "element_metrics": HEATMAP_ELEMENT_METRICS,
}

# --- event (§2.3) --------------------------------------------------------------------
EVENT_METRICS: Final[dict[str, ValueType]] = {"eventCount": "INTEGER", "sessions": "INTEGER"}
EVENT_DEFAULT_METRICS: Final = ("eventCount",)
EVENT_TIME_DIMENSIONS: Final = ("day", "hour", "week", "month")
EVENT_DIMENSIONS: Final = (
    "eventName", "visitType", "exitType", "combinedPages", "conversionName", "day", "hour",
    "week", "month", "sourceType", "campaignUrl", "referralSource", "referralUrl",
    "searchEngine", "socialNetwork", "socialUrl", "aiName", "utmCampaign", "utmSource",
    "utmMedium", "utmContent", "utmTerm", "deviceType", "deviceBrand", "os", "osVersion",
    "browser", "browserVersion", "screenResolution", "country", "region",
)
EVENT_MAX_NON_TIME_DIMENSIONS: Final = 3
EVENT_MAX_TIME_DIMENSIONS: Final = 1

# --- data center (§2.4) --------------------------------------------------------------
DATACENTER_QUERY_TYPES: Final = ("overview", "dimension_table", "metric_curve")
OVERVIEW_TOPICS: Final = ("metrics", "sources", "location", "device")
GRANULARITIES: Final = ("hour", "day", "week", "month")
DATACENTER_METRICS: Final[dict[str, ValueType]] = {
    "visits": "INTEGER", "users": "INTEGER", "pageView": "INTEGER", "newVisitsRate": "RATE",
    "returnVisitsRate": "RATE", "avgVisits": "DECIMAL", "avgPageView": "DECIMAL",
    "avgVisitDuration": "TIME", "bounceRate": "RATE", "avgLoadTime": "TIME",
    "conversions": "INTEGER", "conversionRate": "RATE", "conversionValue": "MONEY",
}
# metrics of the overview topic "metrics" (the doc's example lists these ten)
OVERVIEW_METRICS: Final = (
    "visits", "users", "pageView", "newVisitsRate", "returnVisitsRate", "avgPageView",
    "avgVisits", "avgVisitDuration", "avgLoadTime", "bounceRate",
)
CURVE_CONVERSION_METRICS: Final = ("conversions", "conversionRate", "conversionValue")
DATACENTER_DIMENSIONS: Final = (
    "country", "state", "os", "osVersion", "browser", "browserVersion", "resolution",
    "brand", "sourceType", "campaign", "campaignUrl", "referral", "referralUrl", "search",
    "socialMedia", "socialUrl", "aiName", "adSource", "adName", "adMedium", "adTerm",
    "adContent", "combinedPages", "originalPages", "pageGroup", "entryCombinedPages",
    "entryOriginalPages",
)
PAGE_URL_DIMENSIONS: Final = (
    "combinedPages", "originalPages", "entryCombinedPages", "entryOriginalPages",
)
ENTRY_PAGE_DIMENSIONS: Final = ("entryCombinedPages", "entryOriginalPages")
# dimensions that compute no conversion metrics and refuse conversionName (4018)
NO_CONVERSION_DIMENSIONS: Final = ("combinedPages", "originalPages", "pageGroup")
DIMENSION_TABLE_MAX_LIMIT: Final = 1000
SORT_ORDERS: Final = ("asc", "desc")
# metric columns a dimension_table returns, by dimension kind (doc examples)
DIMENSION_TABLE_METRICS: Final[dict[str, tuple[str, ...]]] = {
    "default": ("visits", "avgVisitDuration", "pageView", "newVisitsRate", "conversionRate",
                "conversions", "bounceRate"),
    "entry_pages": ("entrances", "newVisitsRate", "avgPageVisits", "avgVisitDuration",
                    "bounceRate", "conversions", "conversionRate"),
    "pages": ("pageView", "visits", "avgTimeOnPage", "entrances", "exitRate"),
}
DIMENSION_TABLE_COLUMN_TYPES: Final[dict[str, ValueType]] = {
    **DATACENTER_METRICS,
    "entrances": "INTEGER", "avgPageVisits": "DECIMAL", "avgTimeOnPage": "TIME",
    "exitRate": "RATE",
}


def dimension_table_kind(dimension: str) -> str:
    """Which column family a data-center dimension table returns."""
    if dimension in ENTRY_PAGE_DIMENSIONS:
        return "entry_pages"
    if dimension in NO_CONVERSION_DIMENSIONS:
        return "pages"
    return "default"


# --- conversion (§2.5) ---------------------------------------------------------------
CONVERSION_QUERY_TYPES: Final = (
    "metrics", "metric_curve", "sources_breakdown", "ad_name_breakdown",
    "ad_source_breakdown", "funnel", "regular", "negative",
)
CONVERSION_CURVE_METRICS: Final = ("completions", "conversionRate", "conversionValue")
CONVERSION_SUMMARY_METRICS: Final[dict[str, ValueType]] = {
    "conversions": "INTEGER", "conversionRate": "RATE", "conversionValue": "MONEY",
    "revenue": "MONEY", "loss": "MONEY",
}
CONVERSION_GOAL_COLUMNS: Final[dict[str, ValueType]] = {
    "conversions": "INTEGER", "conversionRate": "RATE", "revenue": "MONEY", "loss": "MONEY",
}

# --- the connector's table families ---------------------------------------------------
DEFAULT_DIMENSIONS: Final = (
    "country", "sourceType", "os", "browser", "combinedPages", "entryCombinedPages",
)
# metric_curve metrics loaded as site_metrics_daily columns (the 13 of §2.4)
SITE_METRICS: Final = tuple(DATACENTER_METRICS)
MAX_SEGMENT_NAME: Final = 63

# --- experience (§3) -----------------------------------------------------------------
PATH_EXPERIENCE_USER_PROPERTIES: Final = f"{API_PREFIX}/experience/user-properties"
PATH_EXPERIENCE_OVERVIEW: Final = f"{API_PREFIX}/experience/report/overview"
PATH_EXPERIENCE_METRICS: Final = f"{API_PREFIX}/experience/report/metrics"
PATH_EXPERIENCE_INSIGHT: Final = f"{API_PREFIX}/experience/report/insight"
PATH_EXPERIENCE_ABTEST: Final = f"{API_PREFIX}/experience/report/abtest/metrics"
PATH_EXPERIENCE_ABTEST_INSIGHT: Final = f"{API_PREFIX}/experience/report/abtest/insight"
PATH_EXPERIENCE_FORM: Final = f"{API_PREFIX}/experience/report/form"

EXPERIENCE_STATUSES: Final = ("DRAFT", "RUNNING", "PAUSE", "SCHEDULED")
EXPERIENCE_TYPES: Final = ("POPUP", "STICKY_BAR", "INLINE", "ADVANCED", "REDIRECT")
DEFAULT_EXPERIENCE_STATUSES: Final = ("RUNNING", "PAUSE")
# §3.9: popup-class metrics exist only for these types (ADVANCED only "with popup")
POPUP_CLASS_TYPES: Final = ("POPUP", "STICKY_BAR", "REDIRECT", "ADVANCED")
POPUP_CLASS_METRICS: Final = ("clickedUsers", "clickRate", "closedUsers", "closeRate")
FORM_CLASS_METRICS: Final = ("formSubmittedUsers", "formSubmitRate")
# every metric an experience report may carry (§3.3, §3.6, §3.9) and its value type
EXPERIENCE_METRICS: Final[dict[str, ValueType]] = {
    "viewedUsers": "INTEGER", "views": "INTEGER", "clickedUsers": "INTEGER",
    "clickRate": "RATE", "closedUsers": "INTEGER", "closeRate": "RATE",
    "formSubmittedUsers": "INTEGER", "formSubmitRate": "RATE", "goalReachedUsers": "INTEGER",
    "goalReachRate": "RATE", "avgVisitDuration": "TIME", "avgPagesPerVisit": "DECIMAL",
    "bounceRate": "RATE",
}
# the overview's text fields (§3.3); goalStatus is a share, a sum or an average: kept as text
EXPERIENCE_OVERVIEW_TEXT: Final = (
    "goalStatus", "lastUpdatedTime", "lastUpdatedMember", "createdTime", "createdMember",
    "runningPeriod", "tags",
)
EXPERIENCE_OVERVIEW_METRICS: Final = (*EXPERIENCE_METRICS, *EXPERIENCE_OVERVIEW_TEXT)
EXPERIENCE_GOAL_METRICS: Final[dict[str, ValueType]] = {
    "reachedUsers": "INTEGER", "reachRate": "RATE", "value": "DECIMAL",
}
ABTEST_EXTRA_METRICS: Final[dict[str, ValueType]] = {
    "uplift": "RATE", "probabilityToBeBest": "RATE",
}
EXPERIENCE_DIMENSIONS: Final = (
    "visitPage", "terminalType", "sourceType", "utmCampaign", "utmSource", "utmMedium",
    "utmTerm", "utmContent", "sourceUrl", "sourceHost", "aiName", "visitType", "country",
    "region", "userProperty",
)
EXPERIENCE_NO_SUB_DIMENSION: Final = ("visitPage", "userProperty")
EXPERIENCE_EXCLUSIVE_DIMENSIONS: Final = frozenset({"country", "region"})
ABTEST_COMPARE_BY: Final = (
    "viewedUsers", "clickedUsers", "closedUsers", "formSubmittedUsers", "goalReached",
    "avgVisitDuration", "avgPagesPerVisit", "bounceRate",
)
# compareBy -> the metrics an A/B answer carries for it (besides uplift / probability)
ABTEST_COMPARE_METRICS: Final[dict[str, tuple[str, ...]]] = {
    "viewedUsers": ("viewedUsers",),
    "clickedUsers": ("viewedUsers", "clickedUsers", "clickRate"),
    "closedUsers": ("viewedUsers", "closedUsers", "closeRate"),
    "formSubmittedUsers": ("viewedUsers", "formSubmittedUsers", "formSubmitRate"),
    "goalReached": ("viewedUsers", "goalReachedUsers", "goalReachRate"),
    "avgVisitDuration": ("viewedUsers", "avgVisitDuration"),
    "avgPagesPerVisit": ("viewedUsers", "avgPagesPerVisit"),
    "bounceRate": ("viewedUsers", "bounceRate"),
}
FORM_SUBMITTED_AT: Final = "submittedAt"
