"""Convert Experiences API v2 rules, written once as data.

Transcribed from ``shared/api-docs/convert-api-v2.txt`` (Authentication, Accounts,
Projects, Experiences, Goals, Experiences Reports) and the Convert part of
``shared/api-docs/NOTES.md``, which restores the paths and methods the doc rendering
lost and states the exact signing rule. The client, the configuration checks, the
planner and the simulator all read these tables, so a rule lives in exactly one place.
"""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.convert.com/api/v2"
API_PREFIX: Final = "/api/v2"

# --- endpoints (NOTES.md: lists and reports are POST with a JSON body) ---------------
PATH_ACCOUNTS: Final = "/accounts"  # GET
PATH_PROJECTS: Final = "/accounts/{account_id}/projects"
PATH_EXPERIENCES: Final = "/accounts/{account_id}/projects/{project_id}/experiences"
PATH_EXPERIENCE: Final = PATH_EXPERIENCES + "/{experience_id}"  # GET
PATH_GOALS: Final = "/accounts/{account_id}/projects/{project_id}/goals"
PATH_REPORT_SETTINGS: Final = PATH_EXPERIENCE + "/report_settings"  # GET
PATH_AGGREGATED_REPORT: Final = PATH_EXPERIENCE + "/aggregated_report"
PATH_DAILY_REPORT: Final = PATH_EXPERIENCE + "/daily_report"
PATH_CHANGE_HISTORY: Final = PATH_EXPERIENCE + "/change-history"

# --- authentication (doc "API KEY Authentication"; NOTES.md "Signing") ----------------
HEADER_APPLICATION_ID: Final = "Convert-Application-ID"
HEADER_EXPIRES: Final = "Expires"
HEADER_AUTHORIZATION: Final = "Authorization"
AUTH_SCHEME: Final = "Convert-HMAC-SHA256"
# how far in the future a signature expires; the doc wants it "close", but the shared
# client signs before the limiter's wait, which can last a rate window (see docs page)
DEFAULT_SIGNATURE_TTL_SECONDS: Final = 300

# --- lists -----------------------------------------------------------------------------
RESULTS_PER_PAGE_DEFAULT: Final = 30
RESULTS_PER_PAGE_MAX: Final = 50
SORT_DIRECTIONS: Final = ("asc", "desc")
PROJECT_STATUSES: Final = ("active", "inactive", "suspended")
PROJECT_LIST_STATUSES: Final = ("active", "inactive")
PROJECT_TYPES: Final = ("web", "fullstack")
PROJECT_TYPES_DEFAULT: Final = ("web",)  # the list filter's documented default
PROJECT_SORT_BY: Final = ("id", "active_tests", "project_name", "project_type", "status",
                          "used_visitors")
EXPERIENCE_STATUSES: Final = ("draft", "active", "paused", "completed", "scheduled",
                              "archived", "deleted")
EXPERIENCE_TYPES: Final = ("a/b", "a/a", "mvt", "split_url", "multipage", "deploy",
                           "a/b_fullstack", "feature_rollout")
EXPERIENCE_SORT_BY: Final = ("id", "conversions", "improvement", "name", "start_time",
                             "end_time", "status", "primary_goal", "key")
EXPERIENCE_INCLUDE: Final = ("alerts", "goals", "stats", "variations", "variations.changes",
                             "min_running_timestamp", "max_running_timestamp", "audiences",
                             "locations", "collaborators")
EXPERIENCE_EXPAND: Final = ("project", "audiences", "goals", "locations", "variations",
                            "variations.changes", "tags")
VARIATION_STATUSES: Final = ("stopped", "running")
GOAL_STATUSES: Final = ("active", "archived")
GOAL_TYPES: Final = ("advanced", "visits_page", "revenue", "clicks_link", "submits_form",
                     "clicks_element", "dom_interaction", "scroll_percentage", "ga_import",
                     "code_trigger")
GOAL_SORT_BY: Final = ("id", "goal_tracking_status", "name", "times_used", "type", "key",
                       "status")
GOAL_INCLUDE: Final = ("triggering_rule", "stats")
HISTORY_METHODS: Final = ("api", "app")
HISTORY_OBJECTS: Final = ("report", "variation", "change")
HISTORY_SORT_BY: Final = ("timestamp", "event", "object")

# what the connector asks the experiences list for (variations and goals as objects)
EXPERIENCE_LIST_INCLUDE: Final = ("variations", "goals")
EXPERIENCE_LIST_EXPAND: Final = ("variations", "goals")

# --- reports ---------------------------------------------------------------------------
UTC_OFFSET_MIN: Final = -43200
UTC_OFFSET_MAX: Final = 50400
AGGREGATED_METRICS: Final = ("conversion_rate", "avg_revenue_visitor",
                             "avg_products_ordered_visitor")
DAILY_METRICS: Final = ("conversion_rate", "avg_revenue_per_visitor",
                        "avg_products_ordered_per_visitor")
DAILY_REPORT_TYPES: Final = ("cumulative", "non_cumulative")
STATS_METHODOLOGIES: Final = ("frequentist", "bayesian")
# experiences whose reports the connector loads by default (others have no report)
REPORTABLE_STATUSES: Final = ("active", "paused", "completed")
# aggregated metric_type -> (column of metric_total, column of metric_value, column prefix)
AGGREGATED_COLUMNS: Final[dict[str, tuple[str, str, str]]] = {
    "conversion_rate": ("conversions", "conversion_rate", ""),
    "avg_revenue_visitor": ("revenue", "avg_revenue_per_visitor", "revenue_"),
    "avg_products_ordered_visitor": ("products_ordered", "avg_products_ordered_per_visitor",
                                     "products_"),
}

# --- errors and pacing (NOTES.md: no documented rate limit) ----------------------------
THROTTLE_TEXT: Final = "too many requests"
DEFAULT_RPM: Final = 120  # 2 requests per second, conservative
THROTTLE_WAIT_SECONDS: Final = 10.0  # after a throttle answer without Retry-After
