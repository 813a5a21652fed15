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
from collections.abc import Callable, Iterable
from typing import Any

import dlt
from dlt.common.typing import ConfigValueSentinel

from sources.common.errors import ConfigurationError

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
