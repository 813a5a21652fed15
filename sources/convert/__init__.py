"""Convert Experiences source: projects, experiences, goals and their reports.

Usage (needs the real API, so it is not run as a test)::

        import dlt
        from sources.convert import convert_source
        pipeline = dlt.pipeline("convert", destination="duckdb", dataset_name="convert")
        pipeline.run(convert_source())
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.http import RetryPolicy
from sources.convert import settings
from sources.convert.client import ConvertClient, make_limiter
from sources.convert.config import ConvertConfig, build_config, remember
from sources.convert.resources import RunContext, build_resources

__all__ = ["convert_source", "make_client", "settings"]


@dlt.source(name="convert", max_table_nesting=1)
def convert_source(
    application_id: str = dlt.secrets.value,
    application_secret: str = dlt.secrets.value,
    account_id: str = dlt.secrets.value,
    base_url: str = settings.DEFAULT_BASE_URL,
    project_ids: Sequence[Any] | None = None,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: int = 2,
    timezone: str = "UTC",
    utc_offset: int | None = None,
    rpm: int | None = None,
    rpd: int | None = None,
    daily_budget: int | None = None,
    report_statuses: Sequence[str] | None = None,
    resources: Sequence[str] | None = None,
    results_per_page: int = settings.RESULTS_PER_PAGE_MAX,
    request_timeout: float = 30.0,
    max_retries: int = 5,
    throttle_wait_seconds: float = settings.THROTTLE_WAIT_SECONDS,
    signature_ttl_seconds: int = settings.DEFAULT_SIGNATURE_TTL_SECONDS,
    commit_every_seconds: float | None = None,
    backfill_start: Any = None,
    backfill_end: Any = None,
    run_id: str | None = None,
) -> list[DltResource]:
    """Convert Experiences tables for one account.

    Configuration lives under ``[sources.convert]`` (see docs/sources/convert.md); the
    secrets are ``application_id``, ``application_secret`` and ``account_id``.
    ``backfill_start``/``backfill_end`` and ``run_id`` are set by the CLI runner. Every
    Convert resource finishes its window in one step, so ``commit_every_seconds`` is
    accepted for the runner's interface and has nothing to split.
    """
    cfg = build_config(
        application_id=application_id, application_secret=application_secret,
        account_id=account_id, base_url=base_url, project_ids=project_ids,
        start_date=start_date, end_date=end_date, lookback_days=lookback_days,
        timezone=timezone, utc_offset=utc_offset, rpm=rpm, rpd=rpd, daily_budget=daily_budget,
        report_statuses=report_statuses, resources=resources,
        results_per_page=results_per_page, explicit_start=backfill_start,
        explicit_end=backfill_end, request_timeout=request_timeout, max_retries=max_retries,
        throttle_wait_seconds=throttle_wait_seconds, signature_ttl_seconds=signature_ttl_seconds,
    )
    run = run_id or uuid.uuid4().hex
    remember(run, cfg)
    return build_resources(RunContext(cfg=cfg, client=make_client(cfg), run_id=run))


def make_client(cfg: ConvertConfig) -> ConvertClient:
    """The configured client, sharing the key's limiter with every other client of the run."""
    limiter = make_limiter(cfg.application_id, rpm=cfg.rpm, rpd=cfg.rpd,
                           daily_budget=cfg.daily_budget)
    return ConvertClient(cfg.base_url, cfg.application_id, cfg.application_secret, limiter,
                         policy=RetryPolicy(max_retries=cfg.max_retries),
                         timeout=cfg.request_timeout,
                         signature_ttl_seconds=cfg.signature_ttl_seconds,
                         throttle_wait_seconds=cfg.throttle_wait_seconds)
