"""The sources the CLI knows, each described by the hooks the runner needs.

A new vendor registers one ``SourceSpec``: how to build its dlt source, how to read its
validated configuration back, how to plan, and which call is the cheapest check.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlt.sources import DltSource

import sources


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
        load_each_step: the runner loads each committed step before it extracts the
            next one (a source whose steps bound its rows, so that no load holds more
            than one step); otherwise it loads all steps after the last one.
        end_run: ``end_run(run_id)``, called when a run ends however it ends: stops what
            the source keeps running across steps.
    """

    name: str
    build: Callable[..., DltSource]
    config: Callable[[str], Any]
    plan: Callable[[Any, dict[str, Any]], Any]
    check: Callable[[Any], str]
    learn_limits: Callable[[Any], tuple[int | None, int | None, int | None]]
    demo: Callable[[ExitStack], dict[str, str]]
    load_each_step: bool = False
    end_run: Callable[[str], None] = lambda run_id: None


# every vendor package provides ``sources/<name>/runner_hooks.py`` with a ``SPEC``
KNOWN_SOURCES = ("ptengine", "pirsch", "convert", "openpanel")


def source_names() -> list[str]:
    """The sources whose package is installed (in the contract's order)."""
    return [n for n in KNOWN_SOURCES if _installed(n)]


def _installed(name: str) -> bool:
    """Whether ``sources/<name>/runner_hooks.py`` exists, found without importing the package."""
    return any((Path(root) / name / "runner_hooks.py").is_file() for root in sources.__path__)


def get(name: str) -> SourceSpec:
    """The spec of ``name``; raises ``KeyError`` for an unknown source."""
    if name not in source_names():
        raise KeyError(name)
    spec: SourceSpec = importlib.import_module(f"sources.{name}.runner_hooks").SPEC
    return spec
