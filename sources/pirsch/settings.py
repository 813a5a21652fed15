"""Pirsch API rules, written once as data.

Transcribed from ``shared/api-docs/pirsch-api.txt`` (the 2022 edition) and the Pirsch part
of ``shared/api-docs/NOTES.md`` (which wins where they disagree: the current endpoint
list, ``country_code``, ``offset``/``limit`` paging capped at 100, ``null`` lists). The
client, the planner, the configuration checks and the simulator all read these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

DEFAULT_BASE_URL: Final = "https://api.pirsch.io"
API_PREFIX: Final = "/api/v1"
STATS_PREFIX: Final = f"{API_PREFIX}/statistics"

PATH_TOKEN: Final = f"{API_PREFIX}/token"  # POST {client_id, client_secret}
PATH_DOMAIN: Final = f"{API_PREFIX}/domain"  # GET: the domains the client may read

# --- credentials (doc "Managing Clients"; NOTES.md) ------------------------------------
CLIENT_ID_LENGTH: Final = 32
CLIENT_SECRET_LENGTH: Final = 64
ACCESS_KEY_PREFIX: Final = "pa_"  # write-only access keys: they cannot read statistics

# --- the filter (doc "Filter"; NOTES.md) ----------------------------------------------
PAGE_LIMIT: Final = 100  # "hard limited to 100": larger values are silently capped
SCALES: Final = ("day", "week", "month", "year")
DIRECTIONS: Final = ("asc", "desc")
REQUIRED_FILTER: Final = ("id", "from", "to")
DIMENSION_FILTERS: Final = (
    "path", "entry_path", "exit_path", "pattern", "event", "event_meta_key", "language",
    "country", "region", "city", "referrer", "referrer_name", "os", "browser", "platform",
    "screen_class", "screen_width", "screen_height", "utm_source", "utm_medium",
    "utm_campaign", "utm_content", "utm_term", "channel", "hostname", "tag",
)

# rate headers (NOTES.md: statistics have none today; configuration endpoints 60/min)
RATE_HEADERS: Final = {
    "limit": "X-RateLimit-Limit",
    "remaining": "X-RateLimit-Remaining",
    "reset": "X-RateLimit-Reset",  # a unix timestamp, not seconds
}
CONFIG_RPM: Final = 60

# --- value types of the loaded columns -------------------------------------------------
ValueType = Literal["INTEGER", "FLOAT", "SECONDS", "STRING", "BOOL", "JSON", "TIMESTAMP"]
Shape = Literal["series", "list", "object", "hours", "goals", "event_meta"]

VISITOR_METRICS: Final[dict[str, ValueType]] = {
    "visitors": "INTEGER", "views": "INTEGER", "sessions": "INTEGER", "bounces": "INTEGER",
    "bounce_rate": "FLOAT", "cr": "FLOAT", "custom_metric_avg": "FLOAT",
    "custom_metric_total": "FLOAT",
}
_SHARE: Final[dict[str, ValueType]] = {"visitors": "INTEGER", "relative_visitors": "FLOAT"}


@dataclass(frozen=True)
class Endpoint:
    """One statistics endpoint and the daily table it fills.

    Attributes:
        table: the table (and resource) name.
        path: the request path.
        shape: ``series`` (a zero-filled day series: one call for the window), ``list``
            (a paged list, one call per day), ``object`` (one object per day), ``hours``
            (24 rows per day, not paged), ``goals`` (conversion goals with their stats),
            ``event_meta`` (the events list, then ``event/meta`` per event and key).
        keys: API fields that, with ``domain_id`` and ``date``, make a row unique.
        columns: typed fields (everything else the API sends is kept as text).
        params: fixed extra query parameters.
        aliases: older field names accepted in place of a current one.
    """

    table: str
    path: str
    shape: Shape
    keys: tuple[str, ...] = ()
    columns: dict[str, ValueType] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def paged(self) -> bool:
        return self.shape in ("list", "goals", "event_meta")


def _share(*keys: str) -> dict[str, ValueType]:
    return {**{k: "STRING" for k in keys}, **_SHARE}


def _utm(part: str) -> Endpoint:
    return Endpoint(f"utm_{part}s_daily", f"{STATS_PREFIX}/utm/{part}", "list", (f"utm_{part}",),
                    _share(f"utm_{part}"))


_ENDPOINTS: Final = (
    Endpoint("visitors_daily", f"{STATS_PREFIX}/visitor", "series", (), dict(VISITOR_METRICS),
             (("scale", "day"),)),
    Endpoint("session_duration_daily", f"{STATS_PREFIX}/duration/session", "series", (),
             {"average_time_spent_seconds": "SECONDS"}, (("scale", "day"),)),
    Endpoint("page_duration_daily", f"{STATS_PREFIX}/duration/page", "series", ("path",),
             {"path": "STRING", "average_time_spent_seconds": "SECONDS"}, (("scale", "day"),)),
    Endpoint("pages_daily", f"{STATS_PREFIX}/page", "list", ("path",),
             {"path": "STRING", "title": "STRING", "visitors": "INTEGER", "views": "INTEGER",
              "sessions": "INTEGER", "bounces": "INTEGER", "relative_visitors": "FLOAT",
              "relative_views": "FLOAT", "bounce_rate": "FLOAT",
              "average_time_spent_seconds": "SECONDS"},
             (("include_avg_time_on_page", "true"),)),
    Endpoint("entry_pages_daily", f"{STATS_PREFIX}/page/entry", "list", ("path",),
             {"path": "STRING", "title": "STRING", "visitors": "INTEGER", "sessions": "INTEGER",
              "entries": "INTEGER", "entry_rate": "FLOAT",
              "average_time_spent_seconds": "SECONDS"},
             (("include_avg_time_on_page", "true"),)),
    Endpoint("exit_pages_daily", f"{STATS_PREFIX}/page/exit", "list", ("path",),
             {"path": "STRING", "title": "STRING", "visitors": "INTEGER", "sessions": "INTEGER",
              "exits": "INTEGER", "exit_rate": "FLOAT"}),
    Endpoint("referrers_daily", f"{STATS_PREFIX}/referrer", "list", ("referrer", "referrer_name"),
             {"referrer": "STRING", "referrer_name": "STRING", "referrer_icon": "STRING",
              "visitors": "INTEGER", "sessions": "INTEGER", "relative_visitors": "FLOAT",
              "bounces": "INTEGER", "bounce_rate": "FLOAT"}),
    Endpoint("channels_daily", f"{STATS_PREFIX}/channel", "list", ("channel",), _share("channel")),
    _utm("source"), _utm("medium"), _utm("campaign"), _utm("content"), _utm("term"),
    Endpoint("countries_daily", f"{STATS_PREFIX}/country", "list", ("country_code",),
             _share("country_code"), aliases=(("country", "country_code"),)),
    Endpoint("regions_daily", f"{STATS_PREFIX}/region", "list", ("country_code", "region"),
             _share("country_code", "region")),
    Endpoint("cities_daily", f"{STATS_PREFIX}/city", "list", ("country_code", "region", "city"),
             _share("country_code", "region", "city")),
    Endpoint("languages_daily", f"{STATS_PREFIX}/language", "list", ("language",),
             _share("language")),
    Endpoint("os_daily", f"{STATS_PREFIX}/os", "list", ("os",), _share("os")),
    Endpoint("os_versions_daily", f"{STATS_PREFIX}/os/version", "list", ("os", "os_version"),
             _share("os", "os_version")),
    Endpoint("browsers_daily", f"{STATS_PREFIX}/browser", "list", ("browser",),
             _share("browser")),
    Endpoint("browser_versions_daily", f"{STATS_PREFIX}/browser/version", "list",
             ("browser", "browser_version"), _share("browser", "browser_version")),
    Endpoint("platforms_daily", f"{STATS_PREFIX}/platform", "object", (),
             {"platform_desktop": "INTEGER", "platform_mobile": "INTEGER",
              "platform_unknown": "INTEGER", "relative_platform_desktop": "FLOAT",
              "relative_platform_mobile": "FLOAT", "relative_platform_unknown": "FLOAT"}),
    Endpoint("screen_classes_daily", f"{STATS_PREFIX}/screen", "list", ("screen_class",),
             _share("screen_class")),
    Endpoint("events_daily", f"{STATS_PREFIX}/events", "list", ("name",),
             {"name": "STRING", "visitors": "INTEGER", "views": "INTEGER", "cr": "FLOAT",
              "average_duration_seconds": "SECONDS", "meta_keys": "JSON"}),
    Endpoint("event_metadata_daily", f"{STATS_PREFIX}/event/meta", "event_meta",
             ("name", "meta_key", "meta_value"),
             {"name": "STRING", "meta_key": "STRING", "meta_value": "STRING",
              "visitors": "INTEGER", "views": "INTEGER", "cr": "FLOAT",
              "average_duration_seconds": "SECONDS"}),
    Endpoint("conversion_goals_daily", f"{STATS_PREFIX}/goals", "goals", ("goal_id",),
             {"goal_id": "STRING", "visitors": "INTEGER", "views": "INTEGER", "cr": "FLOAT"}),
    Endpoint("visitors_by_hour_daily", f"{STATS_PREFIX}/hours", "hours", ("hour",),
             {"hour": "INTEGER", "visitors": "INTEGER", "views": "INTEGER", "sessions": "INTEGER",
              "bounces": "INTEGER", "bounce_rate": "FLOAT"}),
)
ENDPOINTS: Final[dict[str, Endpoint]] = {e.table: e for e in _ENDPOINTS}
PATH_EVENTS: Final = ENDPOINTS["events_daily"].path

# conversion goal definitions (``page_goal`` of /statistics/goals) for ``conversion_goals``
GOAL_COLUMNS: Final[dict[str, ValueType]] = {
    "id": "STRING", "domain_id": "STRING", "name": "STRING", "path_pattern": "STRING",
    "pattern": "STRING", "visitor_goal": "INTEGER", "cr_goal": "FLOAT",
    "delete_reached": "BOOL", "email_reached": "BOOL", "def_time": "TIMESTAMP",
    "mod_time": "TIMESTAMP",
}
# the ``domains`` table keeps these fields; the identification code (the tracking snippet's
# credential) and the linked Google account are not loaded
DOMAIN_COLUMNS: Final[dict[str, ValueType]] = {
    "id": "STRING", "hostname": "STRING", "subdomain": "STRING", "timezone": "STRING",
    "public": "BOOL", "group_by_title": "BOOL", "user_role": "STRING", "user_id": "STRING",
    "gsc_domain": "STRING", "def_time": "TIMESTAMP", "mod_time": "TIMESTAMP",
}

# --- the connector's table families ----------------------------------------------------
RANGE_TABLES: Final = tuple(t for t, e in ENDPOINTS.items() if e.shape == "series")
PER_DAY_TABLES: Final = tuple(t for t, e in ENDPOINTS.items() if e.shape != "series")
SNAPSHOT_TABLES: Final = ("domains", "conversion_goals")
ALL_RESOURCES: Final = (*RANGE_TABLES, *PER_DAY_TABLES, *SNAPSHOT_TABLES)
DEFAULT_RESOURCES: Final = ALL_RESOURCES  # no rate limit on statistics: load everything
DEFAULT_CONCURRENCY: Final = 4
MAX_CONCURRENCY: Final = 16
