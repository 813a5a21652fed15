"""OpenPanel Export API source: raw events (with profiles and meta) and chart series.

Usage (needs the real API, so it is not run as a test)::

        import dlt
        from sources.openpanel import openpanel_source
        pipeline = dlt.pipeline("openpanel", destination="duckdb", dataset_name="openpanel")
        pipeline.run(openpanel_source())
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.http import RetryPolicy
from sources.openpanel import settings
from sources.openpanel.client import OpenPanelClient, make_limiter
from sources.openpanel.config import OpenPanelConfig, build_config, remember
from sources.openpanel.resources import RunContext, build_resources, deadline_after

__all__ = ["openpanel_source", "settings", "make_client"]


@dlt.source(name="openpanel", max_table_nesting=0)
def openpanel_source(
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    project_id: str = dlt.secrets.value,
    base_url: str = settings.DEFAULT_BASE_URL,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: int = 2,
    timezone: str = "UTC",
    plan: str = "auto",
    rpm: int | None = None,
    daily_budget: int | None = None,
    page_size: int = settings.PAGE_LIMIT_MAX,
    includes: Sequence[str] | None = None,
    event_names: Sequence[str] | None = None,
    charts: list[dict[str, Any]] | None = None,
    concurrency: int = settings.DEFAULT_CONCURRENCY,
    resources: Sequence[str] | None = None,
    request_timeout: float = 30.0,
    max_retries: int = 5,
    rate_window_seconds: float = settings.RATE_WINDOW_SECONDS,
    commit_every_seconds: float | None = None,
    backfill_start: Any = None,
    backfill_end: Any = None,
    run_id: str | None = None,
) -> list[DltResource]:
    """OpenPanel tables for one project.

    Configuration lives under ``[sources.openpanel]`` (see docs/sources/openpanel.md); the
    secrets are ``client_id``, ``client_secret`` and ``project_id``. ``backfill_start`` /
    ``backfill_end`` and ``run_id`` are set by the CLI runner.
    """
    cfg = build_config(
        client_id=client_id, client_secret=client_secret, project_id=project_id,
        base_url=base_url, start_date=start_date, end_date=end_date,
        lookback_days=lookback_days, timezone=timezone, plan=plan, rpm=rpm,
        daily_budget=daily_budget, page_size=page_size, includes=includes,
        event_names=event_names, charts=charts, resources=resources, concurrency=concurrency,
        explicit_start=backfill_start, explicit_end=backfill_end,
        request_timeout=request_timeout, max_retries=max_retries,
        rate_window_seconds=rate_window_seconds,
    )
    run = run_id or uuid.uuid4().hex
    remember(run, cfg)
    ctx = RunContext(cfg=cfg, client=make_client(cfg), run_id=run,
                     deadline=deadline_after(commit_every_seconds))
    return build_resources(ctx)


def make_client(cfg: OpenPanelConfig) -> OpenPanelClient:
    """The configured client, sharing the client id's limiter with every other of the run."""
    limiter = make_limiter(cfg.client_id, plan=cfg.plan, rpm=cfg.rpm,
                           daily_budget=cfg.daily_budget, window_seconds=cfg.rate_window_seconds)
    return OpenPanelClient(cfg.base_url, cfg.client_id, cfg.client_secret, cfg.project_id,
                           limiter, policy=RetryPolicy(max_retries=cfg.max_retries),
                           timeout=cfg.request_timeout)
