"""Pirsch configuration: typed, validated before any request.

Every check raises ``ConfigurationError`` naming the key (``sources.pirsch.<key>``) and the
fix, so a bad configuration exits 2 without spending a request. Two things can only be
known from the API: which domain the client reads (when ``domain_id`` is not set) and
that domain's timezone (when ``timezone`` is not set); :func:`resolve_domain` fills them
in from the domain list, and from the timezone the default ``start_date``/``end_date``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sources.common.config import ConfigRegistry, KeyChecks, run_dates
from sources.common.dates import validate_timezone, yesterday_in
from sources.common.errors import AuthenticationError, ConfigurationError
from sources.common.http import validate_base_url
from sources.pirsch import settings as S

CHECKS = KeyChecks("pirsch")
DEFAULT_DAYS = 30


def key(name: str) -> str:
    """The full configuration key of ``name``.

    Example:
        >>> key("client_id")
        'sources.pirsch.client_id'
    """
    return CHECKS.key(name)


@dataclass(frozen=True)
class PirschConfig:
    """The validated configuration of one Pirsch run.

    ``domain_id``, ``timezone``, ``start_date`` and ``end_date`` may be ``None`` until
    :func:`resolve_domain` has read the domain list; planning needs a resolved config.
    """

    client_id: str
    client_secret: str
    base_url: str
    domain_id: str | None
    timezone: str | None
    start_date: date | None
    end_date: date | None
    lookback_days: int
    rpm: int | None
    daily_budget: int | None
    concurrency: int
    resources: tuple[str, ...]
    explicit_start: date | None = None
    explicit_end: date | None = None
    request_timeout: float = 30.0
    max_retries: int = 5
    retry_backoff_seconds: float = 1.0
    rate_window_seconds: float = 60.0

    @property
    def resolved(self) -> bool:
        return None not in (self.domain_id, self.timezone, self.start_date, self.end_date)


# the resolved configuration of each source instance, by run id (the CLI's plan/check read it)
REGISTRY = ConfigRegistry()
remember = REGISTRY.remember
config_for = REGISTRY.config_for


def recalled(run_id: str | None) -> PirschConfig | None:
    """The config an earlier build of the same run resolved (commit steps share it)."""
    try:
        return REGISTRY.config_for(run_id) if run_id else None
    except KeyError:
        return None


def build_config(
    *,
    client_id: str | None,
    client_secret: str | None,
    access_key: str | None = None,
    base_url: str | None = None,
    domain_id: str | None = None,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: Any = 2,
    timezone: str | None = None,
    rpm: Any = None,
    daily_budget: Any = None,
    concurrency: Any = S.DEFAULT_CONCURRENCY,
    resources: Any = None,
    explicit_start: Any = None,
    explicit_end: Any = None,
    request_timeout: Any = 30.0,
    max_retries: Any = 5,
    retry_backoff_seconds: Any = 1.0,
    rate_window_seconds: Any = 60.0,
) -> PirschConfig:
    """Validate raw configuration values (no request is made).

    The dates are checked here against a provisional "yesterday" (UTC) and settled by
    :func:`resolve_domain` once the domain's timezone is known.

    Raises:
        ConfigurationError: the first problem found, naming its key and the fix.

    Example:
        >>> cfg = build_config(client_id="c" * 32, client_secret="s" * 64,
        ...                    domain_id="A5kgYzK14m", timezone="UTC")
        >>> cfg.concurrency, cfg.resources[0]
        (4, 'visitors_daily')
    """
    _refuse_access_keys(client_id, client_secret, access_key)
    cid = _credential(client_id, "client_id", S.CLIENT_ID_LENGTH)
    secret = _credential(client_secret, "client_secret", S.CLIENT_SECRET_LENGTH)
    url = validate_base_url(str(base_url or S.DEFAULT_BASE_URL), key("base_url"))
    tz = validate_timezone(str(timezone), key("timezone")) if timezone else None
    dates = run_dates(CHECKS, last_complete=yesterday_in(tz or "UTC"), start_date=start_date,
                      end_date=end_date, explicit_start=explicit_start,
                      explicit_end=explicit_end, default_days=DEFAULT_DAYS)
    return PirschConfig(
        client_id=cid,
        client_secret=secret,
        base_url=url,
        domain_id=str(domain_id).strip() if domain_id else None,
        timezone=tz,
        start_date=dates.start_date if start_date else None,
        end_date=dates.end_date if end_date else None,
        lookback_days=CHECKS.integer(lookback_days, "lookback_days", minimum=0, maximum=90),
        rpm=CHECKS.optional_integer(rpm, "rpm", minimum=1),
        daily_budget=CHECKS.optional_integer(daily_budget, "daily_budget", minimum=1),
        concurrency=CHECKS.integer(concurrency, "concurrency", minimum=1,
                                   maximum=S.MAX_CONCURRENCY),
        resources=_resources(resources),
        explicit_start=dates.explicit_start,
        explicit_end=dates.explicit_end,
        request_timeout=CHECKS.number(request_timeout, "request_timeout", minimum=0.1),
        max_retries=CHECKS.integer(max_retries, "max_retries", minimum=0, maximum=20),
        retry_backoff_seconds=CHECKS.number(retry_backoff_seconds, "retry_backoff_seconds",
                                            minimum=0.0),
        rate_window_seconds=CHECKS.number(rate_window_seconds, "rate_window_seconds",
                                          minimum=0.1),
    )


def resolve_domain(cfg: PirschConfig, domains: Sequence[dict[str, Any]],
                   today: date | None = None) -> PirschConfig:
    """Pick the domain from the client's domain list and fill in the timezone and dates.

    Raises:
        ConfigurationError: ``domain_id`` is not among the client's domains, or it is unset
            and the client reads several.
        AuthenticationError: the client may read no domain at all.

    Example:
        >>> cfg = build_config(client_id="c" * 32, client_secret="s" * 64)
        >>> cfg = resolve_domain(cfg, [{"id": "A5kgYzK14m", "timezone": "Europe/Berlin"}],
        ...                      today=date(2026, 5, 1))
        >>> cfg.domain_id, cfg.timezone, str(cfg.start_date), str(cfg.end_date)
        ('A5kgYzK14m', 'Europe/Berlin', '2026-04-01', '2026-04-30')
    """
    if not domains:
        raise AuthenticationError("the Pirsch client may read no domain (the domain list is "
                                  "empty)", key("client_id"))
    listing = ", ".join(f"{d.get('id')} ({d.get('hostname') or '?'})" for d in domains)
    if cfg.domain_id:
        chosen = next((d for d in domains if d.get("id") == cfg.domain_id), None)
        if chosen is None:
            raise ConfigurationError(key("domain_id"), f"'{cfg.domain_id}' is not a domain this "
                                     "client may read", f"use one of: {listing}")
    elif len(domains) == 1:
        chosen = domains[0]
    else:
        raise ConfigurationError(key("domain_id"), f"is not set and the client reads "
                                 f"{len(domains)} domains", f"set it to one of: {listing}")
    tz = cfg.timezone or _domain_timezone(chosen)
    last_complete = yesterday_in(tz) if today is None else today - timedelta(days=1)
    dates = run_dates(CHECKS, last_complete=last_complete, start_date=cfg.start_date,
                      end_date=cfg.end_date, explicit_start=cfg.explicit_start,
                      explicit_end=cfg.explicit_end, default_days=DEFAULT_DAYS)
    return dataclasses.replace(cfg, domain_id=str(chosen.get("id")), timezone=tz,
                               start_date=dates.start_date, end_date=dates.end_date)


def _domain_timezone(domain: dict[str, Any]) -> str:
    """The domain's own timezone when the API reports a valid one, else UTC (CONTRACT §4)."""
    name = domain.get("timezone")
    if isinstance(name, str) and name:
        try:
            return validate_timezone(name, key("timezone"))
        except ConfigurationError:
            pass
    return "UTC"


# --- helpers ------------------------------------------------------------------------------
def _refuse_access_keys(*values: Any) -> None:
    names = ("client_id", "client_secret", "access_key")
    for name, value in zip(names, values, strict=True):
        if value is None or (name != "access_key" and
                             not str(value).strip().startswith(S.ACCESS_KEY_PREFIX)):
            continue
        raise ConfigurationError(
            key(name),
            "an access key (pa_…) is set, but access keys are write-only: they send hits and "
            "events and cannot read statistics",
            "create an API client with statistics read access in the Pirsch dashboard "
            "(Settings → Developer) and set client_id and client_secret instead",
        )


def _credential(value: Any, name: str, length: int) -> str:
    text = str(value).strip() if value is not None else ""
    env = f"SOURCES__PIRSCH__{name.upper()}"
    if not text:
        raise ConfigurationError(key(name), "is missing",
                                 f"set {env} or {name} under [sources.pirsch] in "
                                 ".dlt/secrets.toml")
    if len(text) != length:
        raise ConfigurationError(key(name), f"has {len(text)} characters; a Pirsch {name} has "
                                 f"{length}", "copy it again from the Pirsch dashboard "
                                 "(Settings → Developer)")
    return text


def _resources(value: Any) -> tuple[str, ...]:
    wanted = [str(v).strip() for v in CHECKS.items(value, "resources")]
    if not wanted:
        return S.DEFAULT_RESOURCES
    for name in wanted:
        if name not in S.ALL_RESOURCES:
            raise ConfigurationError(key("resources"), f"'{name}' is not a resource",
                                     f"use any of {', '.join(S.ALL_RESOURCES)}")
    return tuple(dict.fromkeys(wanted))
