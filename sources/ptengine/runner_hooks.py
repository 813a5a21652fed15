"""The hooks the CLI runner uses for Ptengine (see ``pipelines.registry.SourceSpec``)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from pipelines.registry import SourceSpec
from sources.common.config import strict_source_args
from sources.ptengine import make_client, ptengine_source
from sources.ptengine import settings as S
from sources.ptengine.config import PtengineConfig, config_for
from sources.ptengine.planner import Plan, build_plan


def build(**runner_args: Any) -> Any:
    """The dlt source with every argument resolved strictly under ``sources.ptengine``."""
    args = strict_source_args(ptengine_source, "ptengine", runner_args,
                              required=("api_key", "profile_id"))
    return ptengine_source(**args)


def plan(cfg: PtengineConfig, states: dict[str, Any]) -> Plan:
    """The run's calls; experience tables need the experience list (one catalog call, the
    same one ``run`` makes first) to count experiences × days × report families."""
    from sources.ptengine import experience_plan as xp
    from sources.ptengine.experience_resources import known_listing

    listing = known_listing(cfg)  # after a run: the catalog that run fetched, no new call
    if listing is None and (xp.needs_list(cfg) or xp.needs_properties(cfg)):
        client = make_client(cfg)
        try:
            listed = client.post(S.PATH_EXPERIENCE_LIST, {}) if xp.needs_list(cfg) else []
            props = (client.post(S.PATH_EXPERIENCE_USER_PROPERTIES, {})
                     if xp.needs_properties(cfg) else None)
        finally:
            client.close()
        listing = xp.Listing(list(listed or []), None if props is None else list(props))
    return build_plan(cfg, states, listing)


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
        quota = (f"; tier {info.tier or '?'}, {info.remaining_day}/{info.limit_day} "
                 "requests left today")
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


def demo(stack: ExitStack) -> dict[str, str]:
    """Start the simulator for the demo (a generous plan so it is quick; headers still sent).

    Two heatmap pages on PC and mobile (the pricing page has no scanned elements: the
    run warns and goes on), page insights by device and source, segment details by
    device and A/B results by goal, so the demo loads every heatmap and experience table.
    """
    import json

    from simulators.ptengine import DEFAULT_API_KEY, DEFAULT_PROFILE_ID, PtengineSimulator

    sim = stack.enter_context(PtengineSimulator(plan="growth", rpm=6000, rpd=100_000))
    return {
        "SOURCES__PTENGINE__BASE_URL": sim.url,
        "SOURCES__PTENGINE__API_KEY": DEFAULT_API_KEY,
        "SOURCES__PTENGINE__PROFILE_ID": DEFAULT_PROFILE_ID,
        "SOURCES__PTENGINE__PAGES": json.dumps(["https://example.com/",
                                                "https://example.com/pricing"]),
        "SOURCES__PTENGINE__DEVICE_TYPES": json.dumps(["PC", "MOBILE"]),
        "SOURCES__PTENGINE__PAGE_INSIGHTS": json.dumps(["terminalType", "sourceType"]),
        "SOURCES__PTENGINE__PAGE_CONVERSION_NAMES": json.dumps(["Purchase complete"]),
        "SOURCES__PTENGINE__EXPERIENCE_DIMENSIONS": json.dumps(
            ["terminalType", {"dimension": "userProperty", "property": "plan_name"}]),
        "SOURCES__PTENGINE__ABTEST_COMPARE_BY": json.dumps(["goalReached", "clickedUsers"]),
        "SOURCES__PTENGINE__ABTEST_DIMENSIONS": json.dumps(["terminalType"]),
    }


SPEC = SourceSpec(name="ptengine", build=build, config=config_for, plan=plan, check=check,
                  learn_limits=learn_limits, demo=demo)
