"""Pirsch source: every statistics endpoint as a daily table, keyed by domain and date.

Usage (needs the real API, so it is not run as a test)::

        import dlt
        from sources.pirsch import pirsch_source
        pipeline = dlt.pipeline("pirsch", destination="duckdb", dataset_name="pirsch")
        pipeline.run(pirsch_source())
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.http import RetryPolicy
from sources.pirsch import settings
from sources.pirsch.client import PirschClient, make_limiters
from sources.pirsch.config import (
    CHECKS,
    PirschConfig,
    build_config,
    recalled,
    remember,
    resolve_domain,
)
from sources.pirsch.resources import RunContext, build_resources, deadline_after

__all__ = ["pirsch_source", "settings", "make_client", "resolved_config"]


@dlt.source(name="pirsch", max_table_nesting=0)
def pirsch_source(
    client_id: str | None = dlt.secrets.value,
    client_secret: str | None = dlt.secrets.value,
    access_key: str | None = dlt.secrets.value,
    domain_id: str | None = dlt.config.value,
    base_url: str = settings.DEFAULT_BASE_URL,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: int = 2,
    timezone: str | None = None,
    rpm: int | None = None,
    daily_budget: int | None = None,
    concurrency: int = settings.DEFAULT_CONCURRENCY,
    resources: Sequence[str] | None = None,
    request_timeout: float = 30.0,
    max_retries: int = 5,
    retry_backoff_seconds: float = 1.0,
    rate_window_seconds: float = 60.0,
    commit_every_seconds: float | None = None,
    backfill_start: Any = None,
    backfill_end: Any = None,
    run_id: str | None = None,
) -> list[DltResource]:
    """Pirsch statistics tables for one domain.

    Configuration lives under ``[sources.pirsch]`` (see docs/sources/pirsch.md); the
    secrets are ``client_id`` and ``client_secret`` (an ``access_key`` is refused: it is
    write-only). Without ``domain_id`` the client's only domain is used; without
    ``timezone`` the domain's own. ``backfill_start``/``backfill_end`` and ``run_id`` are
    set by the CLI runner.
    """
    cfg = build_config(
        client_id=client_id, client_secret=client_secret, access_key=access_key,
        base_url=base_url, domain_id=domain_id, start_date=start_date, end_date=end_date,
        lookback_days=lookback_days, timezone=timezone, rpm=rpm, daily_budget=daily_budget,
        concurrency=concurrency, resources=resources, explicit_start=backfill_start,
        explicit_end=backfill_end, request_timeout=request_timeout, max_retries=max_retries,
        retry_backoff_seconds=retry_backoff_seconds, rate_window_seconds=rate_window_seconds,
    )
    run = run_id or uuid.uuid4().hex
    client = make_client(cfg)
    cfg = resolved_config(cfg, client, run)
    remember(run, cfg)
    step = (None if commit_every_seconds in (None, "") else
            CHECKS.number(commit_every_seconds, "commit_every_seconds", minimum=0))
    ctx = RunContext(cfg=cfg, client=client, run_id=run, deadline=deadline_after(step))
    return build_resources(ctx)


def resolved_config(cfg: PirschConfig, client: PirschClient, run_id: str) -> PirschConfig:
    """Domain, timezone and default dates: from an earlier step of this run, or one call."""
    earlier = recalled(run_id)
    if earlier is not None and earlier.resolved:
        return dataclasses.replace(cfg, domain_id=earlier.domain_id, timezone=earlier.timezone,
                                   start_date=earlier.start_date, end_date=earlier.end_date)
    return resolve_domain(cfg, client.domains())


def make_client(cfg: PirschConfig) -> PirschClient:
    """The configured client, sharing the credential's limiters with every other client."""
    limiters = make_limiters(cfg.client_id, rpm=cfg.rpm, daily_budget=cfg.daily_budget,
                             window_seconds=cfg.rate_window_seconds)
    policy = RetryPolicy(max_retries=cfg.max_retries, backoff_initial=cfg.retry_backoff_seconds,
                         backoff_max=max(30.0, cfg.retry_backoff_seconds))
    return PirschClient(cfg.base_url, cfg.client_id, cfg.client_secret, limiters,
                        policy=policy, timeout=cfg.request_timeout)
