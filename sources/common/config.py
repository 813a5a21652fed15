"""Strict configuration lookup for the CLI: only ``sources.<name>.<key>``, never a bare key.

dlt resolves a source argument by walking its sections down to the top level, so an
unset ``sources.ptengine.lang`` silently takes the shell's ``LANG=C.UTF-8``, and an unset
``base_url`` or ``api_key`` would take any ``BASE_URL`` / ``API_KEY`` variable on the
machine — sending a credential to an unrelated host. The CLI therefore resolves every
argument itself, at exactly ``SOURCES__<NAME>__<KEY>`` or ``[sources.<name>]`` in
``.dlt/config.toml`` / ``.dlt/secrets.toml``, and passes all of them explicitly.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import dlt
from dlt.common.typing import ConfigValueSentinel

from sources.common.dates import parse_cli_date, validate_timezone, yesterday_in
from sources.common.errors import ConfigurationError
from sources.common.http import validate_base_url

_MISSING = object()


def lookup(section: str, key: str) -> Any:
    """The value of ``sources.<section>.<key>`` from dlt's providers, or ``None``.

    Environment variables win over ``.dlt/secrets.toml`` and ``.dlt/config.toml`` (the
    providers' own order). JSON text for a list or table (from an environment variable)
    is decoded.
    """
    for provider in dlt.config.config_providers:
        if not provider.supports_sections:
            continue
        value, _ = provider.get_value(key, Any, None, "sources", section)  # type: ignore[arg-type]
        if value is not None:
            return _decode(value)
    return None


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def strict_source_args(
    source: Callable[..., Any],
    section: str,
    explicit: dict[str, Any],
    required: Iterable[str],
) -> dict[str, Any]:
    """Every argument of ``source``: explicit values, else ``sources.<section>.<key>``, else
    the function's default.

    Raises:
        ConfigurationError: a required key (a secret) is missing, naming where to set it.
    """
    params = inspect.signature(source).parameters
    args: dict[str, Any] = {}
    for name, param in params.items():
        if name in explicit and explicit[name] is not None:
            args[name] = explicit[name]
            continue
        value = lookup(section, name)
        if value is None:
            default = param.default
            value = None if default is inspect.Parameter.empty or _is_dlt_marker(default) \
                else default
        args[name] = value
    for name in required:
        if args.get(name) in (None, ""):
            raise ConfigurationError(
                f"sources.{section}.{name}", "is missing",
                f"set SOURCES__{section.upper()}__{name.upper()} or {name} under "
                f"[sources.{section}] in .dlt/secrets.toml",
            )
    return args


def _is_dlt_marker(value: Any) -> bool:
    """``dlt.secrets.value`` / ``dlt.config.value`` placeholders (not real defaults)."""
    return isinstance(value, ConfigValueSentinel)


class KeyChecks:
    """Typed checks of raw configuration values; every failure names ``sources.<s>.<key>``.

    Values arrive as TOML types or, from environment variables, as strings; each check
    accepts both.

    Example:
        >>> checks = KeyChecks("ptengine")
        >>> checks.integer("3", "lookback_days", minimum=0)
        3
        >>> checks.items("a, b", "resources")
        ['a', 'b']
    """

    def __init__(self, section: str) -> None:
        self.section = section

    def key(self, name: str) -> str:
        """The full key of ``name``."""
        return f"sources.{self.section}.{name}"

    def secret(self, value: Any, name: str, what: str) -> str:
        """A non-empty credential; the fix says where to set it (never echoes the value)."""
        text = "" if value is None else str(value).strip()
        if not text:
            raise ConfigurationError(
                self.key(name), "is missing",
                f"set SOURCES__{self.section.upper()}__{name.upper()} or {name} under "
                f"[sources.{self.section}] in .dlt/secrets.toml ({what})")
        return text

    def integer(self, value: Any, name: str, *, minimum: int | None = None,
                maximum: int | None = None, what: str = "an integer") -> int:
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", text):
            raise ConfigurationError(self.key(name), f"'{value}' is not a whole number",
                                     f"give {what}")
        number = int(text)
        if (minimum is not None and number < minimum) or (maximum is not None
                                                           and number > maximum):
            bounds = (f"between {minimum} and {maximum}" if maximum is not None
                      else f">= {minimum}")
            raise ConfigurationError(self.key(name), f"{number} is out of range",
                                     f"use a value {bounds}")
        return number

    def optional_integer(self, value: Any, name: str, *, minimum: int | None = None,
                         maximum: int | None = None) -> int | None:
        if value in (None, ""):
            return None
        return self.integer(value, name, minimum=minimum, maximum=maximum)

    def number(self, value: Any, name: str, *, minimum: float) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigurationError(self.key(name), f"'{value}' is not a number",
                                     "give a number of seconds") from None
        if number < minimum:
            raise ConfigurationError(self.key(name), f"{number} is too small",
                                     f"use at least {minimum}")
        return number

    def boolean(self, value: Any, name: str) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off", "", "none"):
            return False
        raise ConfigurationError(self.key(name), f"'{value}' is not true or false",
                                 "use true or false")

    def items(self, value: Any, name: str) -> list[Any]:
        """A list: a TOML list, a JSON list, or comma-separated text."""
        if value is None or value == "":
            return []
        if isinstance(value, str):
            parts = (v.strip().strip("'\"") for v in value.strip().strip("[]").split(","))
            return [v for v in parts if v]
        if isinstance(value, list | tuple):
            return list(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
        raise ConfigurationError(self.key(name), f"expected a list, got {type(value).__name__}",
                                 'write a TOML list, e.g. ["a", "b"]')


@dataclass(frozen=True)
class RunDates:
    """The days of a run: the configured window and the CLI's explicit backfill bounds."""

    start_date: date
    end_date: date
    explicit_start: date | None
    explicit_end: date | None


def run_dates(checks: KeyChecks, *, last_complete: date, start_date: Any, end_date: Any,
              explicit_start: Any, explicit_end: Any, default_days: int = 30) -> RunDates:
    """Validate the run's dates (CONTRACT §3/§4): ``start_date`` defaults to ``default_days``
    days ending with ``last_complete``, ``end_date`` to ``last_complete``; reversed or
    malformed dates raise ``ConfigurationError`` naming the key or flag.
    """
    end = parse_cli_date(end_date, checks.key("end_date")) if end_date else last_complete
    start = (parse_cli_date(start_date, checks.key("start_date")) if start_date
             else last_complete - timedelta(days=default_days - 1))
    ex_start = parse_cli_date(explicit_start, "--start-date") if explicit_start else None
    ex_end = parse_cli_date(explicit_end, "--end-date") if explicit_end else None
    if start > end:
        raise ConfigurationError(checks.key("start_date"), f"{start} is after end_date {end}",
                                 "choose a start_date on or before end_date")
    if ex_start and ex_end and ex_start > ex_end:
        raise ConfigurationError("--start-date", f"{ex_start} is after --end-date {ex_end}",
                                 "swap the two dates")
    if ex_start and not ex_end and ex_start > end:
        raise ConfigurationError("--start-date", f"{ex_start} is after the end date {end}",
                                 "give --end-date too, or an earlier --start-date")
    return RunDates(start, end, ex_start, ex_end)


@dataclass(frozen=True)
class DatedBasics:
    """What sources with a fixed reporting timezone validate alike, in this order."""

    base_url: str
    timezone: str
    lookback_days: int
    dates: RunDates


def dated_basics(checks: KeyChecks, *, base_url: Any, default_base_url: str, timezone: Any,
                 lookback_days: Any, start_date: Any, end_date: Any, explicit_start: Any,
                 explicit_end: Any, today: date | None = None) -> DatedBasics:
    """The API root, the timezone (default UTC), ``lookback_days`` (0..90) and the run's
    dates, whose last complete day is yesterday in that timezone (or before ``today``).

    Example:
        >>> b = dated_basics(KeyChecks("demo"), base_url=None, default_base_url="https://x.io",
        ...                  timezone=None, lookback_days=2, start_date="2026-04-01",
        ...                  end_date=None, explicit_start=None, explicit_end=None,
        ...                  today=date(2026, 5, 1))
        >>> b.base_url, b.timezone, b.lookback_days, str(b.dates.end_date)
        ('https://x.io', 'UTC', 2, '2026-04-30')
    """
    url = validate_base_url(str(base_url or default_base_url), checks.key("base_url"))
    tz = validate_timezone(str(timezone or "UTC"), checks.key("timezone"))
    lookback = checks.integer(lookback_days, "lookback_days", minimum=0, maximum=90)
    last_complete = yesterday_in(tz) if today is None else today - timedelta(days=1)
    dates = run_dates(checks, last_complete=last_complete, start_date=start_date,
                      end_date=end_date, explicit_start=explicit_start, explicit_end=explicit_end)
    return DatedBasics(url, tz, lookback, dates)


class ConfigRegistry:
    """The validated configuration of each source instance, by run id.

    A source function validates its arguments and remembers the result under its run
    id; the CLI's ``plan`` and ``check`` read it back (the same values ``run`` uses).
    """

    def __init__(self) -> None:
        self._configs: dict[str, Any] = {}

    def remember(self, run_id: str, cfg: Any) -> None:
        self._configs[run_id] = cfg

    def config_for(self, run_id: str) -> Any:
        return self._configs[run_id]
