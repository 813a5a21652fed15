"""Convert configuration: typed, validated before any request.

Every check raises ``ConfigurationError`` naming the key (``sources.convert.<key>``) and
the fix, so a bad configuration exits 2 without spending a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sources.common.config import ConfigRegistry, KeyChecks, run_dates
from sources.common.dates import validate_timezone
from sources.common.errors import ConfigurationError
from sources.common.http import validate_base_url
from sources.convert import settings as S

SECTION = "sources.convert"
RESOURCES: tuple[str, ...] = (
    "projects",
    "experiences",
    "goals",
    "experience_aggregated_reports",
    "experience_daily_reports",
    "experience_change_history",
)
REPORT_RESOURCES: tuple[str, ...] = (
    "experience_aggregated_reports",
    "experience_daily_reports",
    "experience_change_history",
)


CHECKS = KeyChecks("convert")
key = CHECKS.key


@dataclass(frozen=True)
class ConvertConfig:
    """The validated configuration of one Convert run.

    ``utc_offset`` is the reporting day's offset in seconds that every report request
    sends; ``end_date`` defaults to the last complete day at that offset.
    """

    application_id: str
    application_secret: str
    account_id: int
    base_url: str
    project_ids: tuple[int, ...]
    start_date: date
    end_date: date
    lookback_days: int
    timezone: str
    utc_offset: int
    rpm: int
    rpd: int | None
    daily_budget: int | None
    report_statuses: tuple[str, ...]
    resources: tuple[str, ...]
    results_per_page: int = S.RESULTS_PER_PAGE_MAX
    explicit_start: date | None = None
    explicit_end: date | None = None
    request_timeout: float = 30.0
    max_retries: int = 5
    throttle_wait_seconds: float = S.THROTTLE_WAIT_SECONDS
    signature_ttl_seconds: int = S.DEFAULT_SIGNATURE_TTL_SECONDS
    commit_every_seconds: float = 15.0


CONFIGS = ConfigRegistry()
remember = CONFIGS.remember
config_for = CONFIGS.config_for


def offset_of(timezone: str, day: date) -> int:
    """The UTC offset in seconds of ``timezone`` at noon of ``day``.

    Example:
        >>> offset_of("Europe/Berlin", date(2026, 7, 1)), offset_of("UTC", date(2026, 1, 1))
        (7200, 0)
    """
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(timezone))
    delta = noon.utcoffset() or timedelta(0)
    return int(delta.total_seconds())


def build_config(
    *,
    application_id: str | None,
    application_secret: str | None,
    account_id: Any,
    base_url: str | None = None,
    project_ids: Any = None,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: Any = 2,
    timezone: str | None = "UTC",
    utc_offset: Any = None,
    rpm: Any = None,
    rpd: Any = None,
    daily_budget: Any = None,
    report_statuses: Any = None,
    resources: Any = None,
    results_per_page: Any = S.RESULTS_PER_PAGE_MAX,
    explicit_start: Any = None,
    explicit_end: Any = None,
    request_timeout: Any = 30.0,
    max_retries: Any = 5,
    throttle_wait_seconds: Any = S.THROTTLE_WAIT_SECONDS,
    signature_ttl_seconds: Any = S.DEFAULT_SIGNATURE_TTL_SECONDS,
    commit_every_seconds: Any = 15.0,
    now: datetime | None = None,
) -> ConvertConfig:
    """Validate raw configuration values and return a ``ConvertConfig``.

    Raises:
        ConfigurationError: the first problem found, naming its key and the fix.

    Example:
        >>> cfg = build_config(application_id="app", application_secret="s", account_id=1,
        ...                    now=datetime(2026, 5, 1, 8, tzinfo=UTC))
        >>> cfg.end_date, cfg.start_date, cfg.utc_offset
        (datetime.date(2026, 4, 30), datetime.date(2026, 4, 1), 0)
    """
    app_id = CHECKS.secret(application_id, "application_id", "the Application ID of your API key")
    secret = CHECKS.secret(application_secret, "application_secret", "the API key's secret")
    account = CHECKS.integer(account_id, "account_id", minimum=1, what="a numeric account id "
                   "(Convert app → Account settings)")
    url = validate_base_url(str(base_url or S.DEFAULT_BASE_URL), key("base_url"))
    tz = validate_timezone(str(timezone or "UTC"), key("timezone"))
    instant = now or datetime.now(UTC)
    if utc_offset not in (None, ""):
        offset = CHECKS.integer(utc_offset, "utc_offset", minimum=S.UTC_OFFSET_MIN,
                      maximum=S.UTC_OFFSET_MAX, what="seconds east of UTC, e.g. 3600")
        last_complete = (instant + timedelta(seconds=offset)).date() - timedelta(days=1)
    else:
        last_complete = instant.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)
        offset = None
    dates = run_dates(CHECKS, last_complete=last_complete, start_date=start_date,
                      end_date=end_date, explicit_start=explicit_start, explicit_end=explicit_end)
    start, end = dates.start_date, dates.end_date
    ex_start, ex_end = dates.explicit_start, dates.explicit_end
    if offset is None:
        offset = offset_of(tz, ex_end or end)
    return ConvertConfig(
        application_id=app_id,
        application_secret=secret,
        account_id=account,
        base_url=url.rstrip("/"),
        project_ids=_project_ids(project_ids),
        start_date=start,
        end_date=end,
        lookback_days=CHECKS.integer(lookback_days, "lookback_days", minimum=0, maximum=90),
        timezone=tz,
        utc_offset=offset,
        rpm=CHECKS.integer(rpm, "rpm", minimum=1) if rpm not in (None, "") else S.DEFAULT_RPM,
        rpd=CHECKS.integer(rpd, "rpd", minimum=1) if rpd not in (None, "") else None,
        daily_budget=(CHECKS.integer(daily_budget, "daily_budget", minimum=1)
                      if daily_budget not in (None, "") else None),
        report_statuses=_choices(report_statuses, "report_statuses", S.REPORTABLE_STATUSES,
                                 S.REPORTABLE_STATUSES),
        resources=_choices(resources, "resources", RESOURCES, RESOURCES),
        results_per_page=CHECKS.integer(results_per_page, "results_per_page", minimum=1,
                              maximum=S.RESULTS_PER_PAGE_MAX),
        explicit_start=ex_start,
        explicit_end=ex_end,
        request_timeout=CHECKS.number(request_timeout, "request_timeout", minimum=0.1),
        max_retries=CHECKS.integer(max_retries, "max_retries", minimum=0, maximum=20),
        throttle_wait_seconds=CHECKS.number(throttle_wait_seconds, "throttle_wait_seconds",
                                     minimum=0.5),
        signature_ttl_seconds=CHECKS.integer(signature_ttl_seconds, "signature_ttl_seconds",
                                             minimum=5,
                                   maximum=3600),
        commit_every_seconds=CHECKS.number(commit_every_seconds, "commit_every_seconds", minimum=0),
    )


# --- helpers ------------------------------------------------------------------------------
def _choices(value: Any, name: str, valid: tuple[str, ...], default: tuple[str, ...]
             ) -> tuple[str, ...]:
    wanted = [str(v).strip().strip("'\"") for v in CHECKS.items(value, name)]
    for item in wanted:
        if item not in valid:
            raise ConfigurationError(key(name), f"'{item}' is not allowed",
                                     f"use any of {', '.join(valid)}")
    return tuple(dict.fromkeys(wanted)) or default


def _project_ids(value: Any) -> tuple[int, ...]:
    ids = [CHECKS.integer(str(v).strip().strip("'\""), "project_ids", minimum=1,
                          what="numeric project "
                "ids, e.g. [10012345]") for v in CHECKS.items(value, "project_ids")]
    return tuple(dict.fromkeys(ids))
