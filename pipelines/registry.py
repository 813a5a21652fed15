"""The sources the CLI knows, each described by the hooks the runner needs.

A new vendor registers one ``SourceSpec``: how to build its dlt source, how to read its
validated configuration back, how to plan, and which call is the cheapest check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
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
        plan: ``plan(config, cursors) -> Plan`` (the calls, per resource).
        check: ``check(config) -> str`` makes the cheapest authenticated call.
        learn_limits: ``learn_limits(config) -> (rpm, rpd, remaining_today)`` for ``plan``.
    """

    name: str
    build: Callable[..., DltSource]
    config: Callable[[str], Any]
    plan: Callable[[Any, dict[str, date | None]], Any]
    check: Callable[[Any], str]
    learn_limits: Callable[[Any], tuple[int | None, int | None, int | None]]


def _ptengine() -> SourceSpec:
    from sources.ptengine import runner_hooks

    return runner_hooks.SPEC


_FACTORIES: dict[str, Callable[[], SourceSpec]] = {"ptengine": _ptengine}


def source_names() -> list[str]:
    return list(_FACTORIES)


def get(name: str) -> SourceSpec:
    """The spec of ``name``; raises ``KeyError`` for an unknown source."""
    return _FACTORIES[name]()
