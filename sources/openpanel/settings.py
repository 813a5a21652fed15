"""OpenPanel Export API rules, written once as data.

Transcribed from ``shared/api-docs/openpanel-export-api.md`` and the OpenPanel part of
``shared/api-docs/NOTES.md`` (which wins where the two disagree: ``start``/``end`` on
events, newest-first OFFSET paging, the page-1 quirk, no ``duration``, the rate-limit
headers). The client, the planner, the configuration checks and the simulator read
these tables, so a rule lives in exactly one place.
"""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.openpanel.dev"
PATH_EVENTS: Final = "/export/events"
PATH_CHARTS: Final = "/export/charts"

# --- authentication ------------------------------------------------------------------
HEADER_CLIENT_ID: Final = "openpanel-client-id"
HEADER_CLIENT_SECRET: Final = "openpanel-client-secret"
EXPORT_MODES: Final = ("read", "root")  # client modes allowed to export
CLIENT_MODES: Final = ("write", "read", "root")

# --- events paging (NOTES.md) ----------------------------------------------------------
PAGE_LIMIT_MIN: Final = 1
PAGE_LIMIT_MAX: Final = 1000
PAGE_LIMIT_DEFAULT: Final = 50
# with page 1 and no complete start/end pair the server looks back only this far
UNFILTERED_FIRST_PAGE_HOURS: Final = 12

# fields every event carries; ``duration`` is never returned
ALWAYS_FIELDS: Final = ("id", "name", "deviceId", "profileId", "projectId", "sessionId",
                        "createdAt", "path", "city", "country", "os", "browser", "groups")
# what ``includes`` may add (NOTES.md)
INCLUDE_OBJECTS: Final = ("properties", "profile", "meta")
INCLUDE_FIELDS: Final = ("region", "longitude", "latitude", "osVersion", "browserVersion",
                         "device", "brand", "model", "origin", "referrer", "referrerName",
                         "referrerType", "revenue", "importedAt", "sdkName", "sdkVersion")
INCLUDES: Final = INCLUDE_OBJECTS + INCLUDE_FIELDS
DEFAULT_INCLUDES: Final = ("profile", "meta")

# column types of the event fields (dlt data types); properties are typed from values
EVENT_FIELD_TYPES: Final[dict[str, str]] = {
    "id": "text", "name": "text", "deviceId": "text", "profileId": "text",
    "projectId": "text", "sessionId": "text", "createdAt": "timestamp", "path": "text",
    "city": "text", "country": "text", "os": "text", "browser": "text", "groups": "json",
    "region": "text", "longitude": "double", "latitude": "double", "osVersion": "text",
    "browserVersion": "text", "device": "text", "brand": "text", "model": "text",
    "origin": "text", "referrer": "text", "referrerName": "text", "referrerType": "text",
    "revenue": "double", "importedAt": "timestamp", "sdkName": "text", "sdkVersion": "text",
}
PROFILE_FIELD_TYPES: Final[dict[str, str]] = {
    "id": "text", "email": "text", "firstName": "text", "lastName": "text",
    "isExternal": "bool", "createdAt": "timestamp", "avatar": "text",
}
META_FIELD_TYPES: Final[dict[str, str]] = {
    "name": "text", "description": "text", "conversion": "bool", "color": "text",
    "icon": "text",
}

# --- charts --------------------------------------------------------------------------
CHART_SEGMENTS: Final = ("event", "user", "session", "user_average", "one_event_per_user",
                         "property_sum", "property_average", "property_min", "property_max")
PROPERTY_SEGMENTS: Final = ("property_sum", "property_average", "property_min", "property_max")
FILTER_OPERATORS: Final = ("is", "isNot", "contains", "doesNotContain", "startsWith",
                           "endsWith", "regex", "isNull", "isNotNull")
INTERVALS: Final = ("minute", "hour", "day", "week", "month")
RANGES: Final = ("30min", "lastHour", "today", "yesterday", "7d", "30d", "6m", "12m",
                 "monthToDate", "lastMonth", "yearToDate", "lastYear")
CHART_DEFAULT_INTERVAL: Final = "day"
CHART_DEFAULT_RANGE: Final = "30d"
BREAKDOWN_DIMENSIONS: Final = ("country", "region", "city", "device", "browser", "os",
                               "referrer", "path")

# --- rate limit (NOTES.md) -------------------------------------------------------------
RATE_LIMIT: Final = 100            # requests per window per client id
RATE_WINDOW_SECONDS: Final = 10.0  # fixed window
RATE_HEADERS: Final = {
    "limit": "x-ratelimit-limit",
    "remaining": "x-ratelimit-remaining",
    "reset": "x-ratelimit-reset",  # seconds until the window resets, not a timestamp
}
RETRY_AFTER: Final = "retry-after"

# --- fetching ------------------------------------------------------------------------
DEFAULT_CONCURRENCY: Final = 4  # pages in flight per resource (inside the rate limit)
MAX_CONCURRENCY: Final = 16
