"""The hooks the CLI runner uses for Pirsch (see ``pipelines.registry.SourceSpec``)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from pipelines.registry import SourceSpec
from sources.common.config import strict_source_args
from sources.pirsch import make_client, pirsch_source
from sources.pirsch.config import PirschConfig, config_for
from sources.pirsch.planner import Plan, build_plan


def build(**runner_args: Any) -> Any:
    """The dlt source with every argument resolved strictly under ``sources.pirsch``.

    No key is required here: ``build_config`` names the missing credential, or refuses an
    access key given instead of a client.
    """
    args = strict_source_args(pirsch_source, "pirsch", runner_args, required=())
    return pirsch_source(**args)


def plan(cfg: PirschConfig, states: dict[str, Any]) -> Plan:
    return build_plan(cfg, states)


def check(cfg: PirschConfig) -> str:
    """The cheapest authenticated calls: a token and the domain list."""
    client = make_client(cfg)
    try:
        domains = client.domains()
    finally:
        client.close()
    names = ", ".join(f"{d.get('id')} ({d.get('hostname')})" for d in domains)
    return (f"Pirsch client OK: reads {len(domains)} domain(s): {names}; loading "
            f"{cfg.domain_id} in timezone {cfg.timezone}")


def learn_limits(cfg: PirschConfig) -> tuple[int | None, int | None, int | None]:
    """Pirsch documents no limit on statistics: only an explicit ``rpm`` paces them."""
    return cfg.rpm, None, None


def demo(stack: ExitStack) -> dict[str, str]:
    """Start the simulator for the demo and point the source at it."""
    from simulators.pirsch import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PirschSimulator

    sim = stack.enter_context(PirschSimulator())
    return {
        "SOURCES__PIRSCH__BASE_URL": sim.url,
        "SOURCES__PIRSCH__CLIENT_ID": DEFAULT_CLIENT_ID,
        "SOURCES__PIRSCH__CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
    }


SPEC = SourceSpec(name="pirsch", build=build, config=config_for, plan=plan, check=check,
                  learn_limits=learn_limits, demo=demo)
