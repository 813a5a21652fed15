"""The hooks the CLI runner uses for OpenPanel (see ``pipelines.registry.SourceSpec``)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from pipelines.registry import SourceSpec
from sources.common.progress import saved_cursor
from sources.openpanel import make_client, openpanel_source
from sources.openpanel import settings as S
from sources.openpanel.config import OpenPanelConfig, config_for
from sources.openpanel.planner import Plan, build_plan, events_params
from sources.openpanel.resources import end_run


def build(**runner_args: Any) -> Any:
    """The dlt source, with the runner's arguments (config comes from dlt's providers)."""
    return openpanel_source(**{k: v for k, v in runner_args.items() if v is not None})


def plan(cfg: OpenPanelConfig, states: dict[str, Any]) -> Plan:
    cursors = {name: saved_cursor(st or {}) for name, st in states.items()}
    return build_plan(cfg, cursors)


def check(cfg: OpenPanelConfig) -> str:
    """The cheapest authenticated call: one event of the last closed day."""
    client = make_client(cfg)
    day = cfg.events_end
    try:
        body = client.events({**events_params(cfg, day, 1), "limit": "1", "includes": "meta"})
    finally:
        client.close()
    total = (body.get("meta") or {}).get("totalCount")
    info = client.http.limiter.stats.last_info
    rate = f"; rate limit {info.limit_minute} per {S.RATE_WINDOW_SECONDS:.0f} s" \
        if info.limit_minute else ""
    return (f"OpenPanel project {cfg.project_id}: credentials OK, {total} events on {day}"
            f"{rate}")


def learn_limits(cfg: OpenPanelConfig) -> tuple[int | None, int | None, int | None]:
    """Requests per minute for ``plan``: the documented 100 per 10 s unless overridden."""
    per_window = cfg.rpm or S.RATE_LIMIT
    return int(per_window * 60 / cfg.rate_window_seconds), None, None


def demo(stack: ExitStack) -> dict[str, str]:
    """Start the simulator for the demo (100,000 events over 30 days; real rate headers)."""
    from simulators.openpanel import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_PROJECT_ID,
        OpenPanelSimulator,
    )

    sim = stack.enter_context(OpenPanelSimulator(events=100_000, rate_limit=100_000))
    return {
        "SOURCES__OPENPANEL__BASE_URL": sim.url,
        "SOURCES__OPENPANEL__CLIENT_ID": DEFAULT_CLIENT_ID,
        "SOURCES__OPENPANEL__CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "SOURCES__OPENPANEL__PROJECT_ID": DEFAULT_PROJECT_ID,
    }


SPEC = SourceSpec(name="openpanel", build=build, config=config_for, plan=plan, check=check,
                  learn_limits=learn_limits, demo=demo, load_each_step=True, end_run=end_run)
