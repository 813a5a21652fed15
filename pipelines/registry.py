"""The sources the CLI knows, each described by the hooks the runner needs.

A new vendor registers one ``SourceSpec``: how to build its dlt source, how to read its
validated configuration back, how to plan, and which call is the cheapest check.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from dlt.sources import DltSource


@dataclass(frozen=True)
class SourceSpec:
    """Hooks of one source.

    Attributes:
        name: the CLI name and the default dataset.
        build: ``build(**runner_args) -> DltSource``; runner args are ``run_id``,
            ``backfill_start``, ``backfill_end``, ``resources`` (or None),
            ``commit_every_seconds``.
        config: ``config(run_id) -> validated config`` of the source built with that run id.
        plan: ``plan(config, resource_states) -> Plan`` (the calls, per resource); the
            states are the resources' dlt states (cursor, how far the last run got).
        check: ``check(config) -> str`` makes the cheapest authenticated call.
        learn_limits: ``learn_limits(config) -> (rpm, rpd, remaining_today)`` for ``plan``.
        demo: ``demo(stack) -> env`` starts the source's simulator inside ``stack`` (closed
            when the demo ends) and returns the environment variables that point the
            source at it (base URL and the simulator's demo credentials).
    """

    name: str
    build: Callable[..., DltSource]
    config: Callable[[str], Any]
    plan: Callable[[Any, dict[str, Any]], Any]
    check: Callable[[Any], str]
    learn_limits: Callable[[Any], tuple[int | None, int | None, int | None]]
    demo: Callable[[ExitStack], dict[str, str]]


# every vendor package provides ``sources/<name>/runner_hooks.py`` with a ``SPEC``
KNOWN_SOURCES = ("ptengine", "pirsch", "convert", "openpanel")


def source_names() -> list[str]:
    """The sources whose package is installed (in the contract's order)."""
    return [n for n in KNOWN_SOURCES if _installed(n)]


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(f"sources.{name}.runner_hooks") is not None
    except ModuleNotFoundError:
        return False


def get(name: str) -> SourceSpec:
    """The spec of ``name``; raises ``KeyError`` for an unknown source."""
    if name not in source_names():
        raise KeyError(name)
    spec: SourceSpec = importlib.import_module(f"sources.{name}.runner_hooks").SPEC
    return spec
