"""The hooks the CLI runner uses for Ptengine (see ``pipelines.registry.SourceSpec``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sources.ptengine import make_client, ptengine_source
from sources.ptengine.config import PtengineConfig, config_for
from sources.ptengine.planner import Plan, build_plan
from sources.ptengine import settings as S

def build(**runner_args: Any) -> Any:
    """The dlt source, with the runner's arguments (config comes from dlt's providers)."""
    args = {k: v for k, v in runner_args.items() if v is not None}
    return ptengine_source(**args)


def plan(cfg: PtengineConfig, cursors: dict[str, date | None]) -> Plan:
    return build_plan(cfg, cursors)


def check(cfg: PtengineConfig) -> str:
    """The cheapest authenticated call: the conversion goals list."""
    client = make_client(cfg)
    try:
        data = client.post(S.PATH_CONVERSION_GOALS, {})
    finally:
        client.close()
    goals = len((data or {}).get("conversions") or [])
    info = client.http.limiter.stats.last_info
    quota = ""
    if info.remaining_day is not None:
        quota = f"; tier {info.tier or '?'}, {info.remaining_day}/{info.limit_day} requests left today"
    return f"Ptengine profile {cfg.profile_id}: credentials OK, {goals} conversion goals{quota}"


def learn_limits(cfg: PtengineConfig) -> tuple[int | None, int | None, int | None]:
    """The rate plan for ``plan``: explicit settings, the preset, or one cheap call (auto)."""
    preset = S.PLANS.get(cfg.plan)
    rpm = cfg.rpm or (preset.rpm if preset else None)
    rpd = cfg.rpd or (preset.rpd if preset else None)
    if rpm is not None and rpd is not None:
        return rpm, rpd, None
    client = make_client(cfg)
    try:
        client.post(S.PATH_CONVERSION_GOALS, {})
    finally:
        client.close()
    info = client.http.limiter.stats.last_info
    return rpm or info.limit_minute, rpd or info.limit_day, info.remaining_day


SPEC: Any = None


def _spec() -> Any:
    from pipelines.registry import SourceSpec

    return SourceSpec(name="ptengine", build=build, config=config_for, plan=plan, check=check,
                      learn_limits=learn_limits)


SPEC = _spec()
