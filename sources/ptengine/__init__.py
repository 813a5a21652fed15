"""Ptengine Open API source: data center, events, conversions, heatmap pages, experiences.

Usage (needs the real API, so it is not run as a test)::

        import dlt
        from sources.ptengine import ptengine_source
        pipeline = dlt.pipeline("ptengine", destination="duckdb", dataset_name="ptengine")
        pipeline.run(ptengine_source())
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.http import RetryPolicy
from sources.ptengine import settings
from sources.ptengine.client import PtengineClient, make_limiter
from sources.ptengine.config import PtengineConfig, build_config, remember
from sources.ptengine.resources import RunContext, build_resources, deadline_after

__all__ = ["ptengine_source", "settings", "config_from_args"]


def config_from_args(**kwargs: Any) -> PtengineConfig:
    """Validate the source's arguments (used by the source and by ``plan``/``check``)."""
    return build_config(**kwargs)


@dlt.source(name="ptengine", max_table_nesting=1)
def ptengine_source(
    api_key: str = dlt.secrets.value,
    profile_id: str = dlt.secrets.value,
    base_url: str = settings.DEFAULT_BASE_URL,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: int = 2,
    timezone: str = "UTC",
    plan: str = "auto",
    rpm: int | None = None,
    rpd: int | None = None,
    daily_budget: int | None = None,
    lang: str = "EN",
    dimensions: Sequence[str] | None = None,
    dimension_limit: int = settings.DIMENSION_TABLE_MAX_LIMIT,
    segments: dict[str, Any] | None = None,
    event_breakdowns: list[dict[str, Any]] | None = None,
    funnel_goals: Sequence[str] | None = None,
    hourly: bool = False,
    hourly_metrics: Sequence[str] | None = None,
    pages: Sequence[str] | None = None,
    device_types: Sequence[str] | None = None,
    page_insights: Sequence[str] | None = None,
    page_conversion_names: Sequence[str] | None = None,
    stay_time_filter: float = 5,
    range_type: str = "MERGE_URL",
    experience_ids: Sequence[str] | None = None,
    experience_statuses: Sequence[str] | None = None,
    experience_types: Sequence[str] | None = None,
    experience_dimensions: list[Any] | None = None,
    abtest_compare_by: Sequence[str] | None = None,
    abtest_dimensions: list[Any] | None = None,
    abtest_show_deleted_versions: bool = False,
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
    """Ptengine Insight, heatmap and Experience tables for one profile.

    Configuration lives under ``[sources.ptengine]`` (see docs/sources/ptengine.md); the
    secrets are ``api_key`` and ``profile_id``. ``backfill_start``/``backfill_end`` and
    ``run_id`` are set by the CLI runner: a backfill re-loads from that day regardless of
    the cursor; a run id lets several commit steps share one plan.
    """
    cfg = build_config(
        api_key=api_key, profile_id=profile_id, base_url=base_url, start_date=start_date,
        end_date=end_date, lookback_days=lookback_days, timezone=timezone, plan=plan, rpm=rpm,
        rpd=rpd, daily_budget=daily_budget, lang=lang, dimensions=dimensions,
        dimension_limit=dimension_limit, segments=segments, event_breakdowns=event_breakdowns,
        funnel_goals=funnel_goals, hourly=hourly, hourly_metrics=hourly_metrics,
        resources=resources, explicit_start=backfill_start, explicit_end=backfill_end,
        request_timeout=request_timeout, max_retries=max_retries,
        retry_backoff_seconds=retry_backoff_seconds,
        rate_window_seconds=rate_window_seconds,
        pages=pages, device_types=device_types, page_insights=page_insights,
        page_conversion_names=page_conversion_names, stay_time_filter=stay_time_filter,
        range_type=range_type, experience_ids=experience_ids,
        experience_statuses=experience_statuses, experience_types=experience_types,
        experience_dimensions=experience_dimensions, abtest_compare_by=abtest_compare_by,
        abtest_dimensions=abtest_dimensions,
        abtest_show_deleted_versions=abtest_show_deleted_versions,
    )
    run = run_id or uuid.uuid4().hex
    remember(run, cfg)
    client = make_client(cfg)
    ctx = RunContext(
        cfg=cfg,
        client=client,
        run_id=run,
        deadline=deadline_after(commit_every_seconds),
        emit_definitions="metric_definitions" in cfg.resources,
    )
    return build_resources(ctx)


def make_client(cfg: PtengineConfig) -> PtengineClient:
    """The configured client, sharing the key's limiter with every other client of the run."""
    limiter = make_limiter(cfg.api_key, plan=cfg.plan, rpm=cfg.rpm, rpd=cfg.rpd,
                           daily_budget=cfg.daily_budget, window_seconds=cfg.rate_window_seconds)
    policy = RetryPolicy(max_retries=cfg.max_retries, backoff_initial=cfg.retry_backoff_seconds,
                         backoff_max=max(30.0, cfg.retry_backoff_seconds))
    return PtengineClient(cfg.base_url, cfg.api_key, cfg.profile_id, limiter, policy=policy,
                          timeout=cfg.request_timeout)
