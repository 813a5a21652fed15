"""The hooks the CLI runner uses for Convert (see ``pipelines.registry.SourceSpec``)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from pipelines.registry import SourceSpec
from sources.common.config import strict_source_args
from sources.common.progress import saved_cursor
from sources.convert import convert_source, make_client
from sources.convert import settings as S
from sources.convert.config import ConvertConfig, config_for
from sources.convert.planner import Plan, build_plan
from sources.convert.resources import fetch_catalog


def build(**runner_args: Any) -> Any:
    """The dlt source with every argument resolved strictly under ``sources.convert``."""
    args = strict_source_args(convert_source, "convert", runner_args,
                              required=("application_id", "application_secret", "account_id"))
    return convert_source(**args)


def plan(cfg: ConvertConfig, states: dict[str, Any]) -> Plan:
    """List projects and experiences (no report data), then plan the report calls."""
    client = make_client(cfg)
    try:
        catalog = fetch_catalog(cfg, client)
    finally:
        client.close()
    cursors = {name: saved_cursor(st or {}) for name, st in states.items()}
    return build_plan(cfg, cursors, catalog)


def check(cfg: ConvertConfig) -> str:
    """The cheapest signed call: the accounts list (the key sees exactly one account)."""
    client = make_client(cfg)
    try:
        accounts = client.get(S.PATH_ACCOUNTS).get("data") or []
    finally:
        client.close()
    ids = [a.get("id") for a in accounts if isinstance(a, dict)]
    if cfg.account_id not in ids:
        return (f"Convert: signature OK, but account {cfg.account_id} is not among this key's "
                f"accounts {ids} — check sources.convert.account_id")
    return f"Convert account {cfg.account_id}: signature OK; pacing {cfg.rpm} requests/minute"


def learn_limits(cfg: ConvertConfig) -> tuple[int | None, int | None, int | None]:
    """Convert sends no rate-limit headers: the configured pace is the plan."""
    return cfg.rpm, cfg.rpd, None


def demo(stack: ExitStack) -> dict[str, str]:
    """Start the simulator for the demo (fast pacing: the simulator has no limit)."""
    from simulators.convert import (
        DEFAULT_ACCOUNT_ID,
        DEFAULT_APPLICATION_ID,
        DEFAULT_APPLICATION_SECRET,
        ConvertSimulator,
    )

    sim = stack.enter_context(ConvertSimulator())
    return {
        "SOURCES__CONVERT__BASE_URL": sim.api_url,
        "SOURCES__CONVERT__APPLICATION_ID": DEFAULT_APPLICATION_ID,
        "SOURCES__CONVERT__APPLICATION_SECRET": DEFAULT_APPLICATION_SECRET,
        "SOURCES__CONVERT__ACCOUNT_ID": str(DEFAULT_ACCOUNT_ID),
        "SOURCES__CONVERT__RPM": "6000",
    }


SPEC = SourceSpec(name="convert", build=build, config=config_for, plan=plan, check=check,
                  learn_limits=learn_limits, demo=demo)
