"""What every vendor's planner returns: the calls of a run, per resource, and their cost.

Each vendor defines its own ``Call`` (what a request carries differs); the containers
and the time / quota estimate are shared.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sources.common.dates import DayWindow


@dataclass
class ResourcePlan:
    """The work one resource owes in this run.

    Attributes:
        name: the resource (table) name.
        kind: how it fetches (``snapshot``, ``range``, ``per_day``, ``paged`` …).
        window: the days it covers, or ``None`` for undated resources.
        calls: the requests, in the order ``run`` makes them.
        open_ended: more calls follow from the answers (pages whose count only the
            first page tells); ``calls`` then holds the first ones.
    """

    name: str
    kind: str
    window: DayWindow | None
    calls: list[Any] = field(default_factory=list)
    open_ended: bool = False


@dataclass
class Plan:
    """The run's calls per resource.

    Example:
        >>> Plan({"a": ResourcePlan("a", "range", None, [1, 2, 3])}).estimate(2, 2)
        {'calls': 3, 'minutes': 2, 'days': 2, 'open_ended': False}
    """

    resources: dict[str, ResourcePlan]

    def drop_carried(self, carried: Collection[str]) -> int:
        """Remove the calls answered by answers carried over from a quota-stopped run
        (``sources.common.carry``); returns how many were removed."""
        if not carried:
            return 0
        from sources.common.carry import fingerprint

        dropped = 0
        for rp in self.resources.values():
            keep = [c for c in rp.calls
                    if fingerprint(c.method, c.path, c.body) not in carried]
            dropped += len(rp.calls) - len(keep)
            rp.calls = keep
        return dropped

    @property
    def total_calls(self) -> int:
        return sum(len(r.calls) for r in self.resources.values())

    def estimate(self, rpm: int | None, rpd: int | None,
                 remaining_today: int | None = None) -> dict[str, Any]:
        """Minutes at ``rpm`` and days under ``rpd`` (counting what is left today first)."""
        total = self.total_calls
        days: int | None = None
        if rpd:
            first = rpd if remaining_today is None else max(0, remaining_today)
            days = 1 if total <= first else 1 + math.ceil((total - first) / rpd)
        return {"calls": total, "minutes": math.ceil(total / rpm) if rpm else None,
                "days": days,
                "open_ended": any(r.open_ended for r in self.resources.values())}
