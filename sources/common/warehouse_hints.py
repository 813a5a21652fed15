"""Destination-specific table hints, derived once from the resources' own hints.

BigQuery: daily fact tables are partitioned by their reporting day ``date`` and clustered
by the account key (``profile_id``, ``domain_id`` or ``project_id``), so a query for a few
days of one account scans only those partitions and blocks. Event tables without a
``date`` in their key (OpenPanel ``events``) are partitioned by the day of ``created_at``.
The rule is written once here, for every table family of every source: a resource
qualifies by its primary key, not by its name, so new tables of the same shape get the
same layout without a change here.

Example::

    source = ptengine_source(...)
    apply_bigquery_hints(source, "bigquery")   # no-op for "duckdb" / "postgres"
    pipeline.run(source)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ACCOUNT_KEYS: tuple[str, ...] = ("profile_id", "domain_id", "project_id")
# the reporting day of daily facts (and of Convert's aggregated report snapshots)
DAY_COLUMNS: tuple[str, ...] = ("date", "report_date")
# instants that stand in for the day on event tables (partitioned by their UTC day)
EVENT_TIME_COLUMNS: tuple[str, ...] = ("created_at", "submitted_at")


@dataclass(frozen=True)
class TableLayout:
    """How one table is laid out in BigQuery: a partition column and clustering columns."""

    partition: str
    cluster: tuple[str, ...]


def _as_list(value: Any) -> list[str]:
    if value is None or callable(value):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _resource_hints(resource: Any) -> tuple[list[str], dict[str, Any]]:
    """The primary key and the column hints a resource declares (static ones only)."""
    hints = getattr(resource, "_hints", None) or {}
    key = _as_list(hints.get("primary_key"))
    columns = resource.columns if isinstance(getattr(resource, "columns", None), dict) else {}
    key = key or [name for name, col in columns.items() if col.get("primary_key")]
    return key, dict(columns)


def layout_for(primary_key: Sequence[str], columns: dict[str, Any] | None = None
               ) -> TableLayout | None:
    """The BigQuery layout of a table with this primary key and column hints, or None.

    A daily fact has ``date`` (or ``report_date``) in its key: partition by it, cluster by
    the account key in its key. An event table has the account key in its key and an
    event time column (``created_at``, ``submitted_at``): partition by its day, cluster by
    the account key. Anything else (lists of goals, experiences) keeps BigQuery's defaults.

    Example:
        >>> layout_for(["profile_id", "segment", "date"])
        TableLayout(partition='date', cluster=('profile_id',))
    """
    columns = columns or {}
    account = tuple(k for k in ACCOUNT_KEYS if k in primary_key)[:1]
    for name in DAY_COLUMNS:
        if name in primary_key:
            return TableLayout(name, account)
    if not account:
        return None
    for name in EVENT_TIME_COLUMNS:
        if columns.get(name, {}).get("data_type") == "timestamp":
            return TableLayout(name, account)
    return None


def bigquery_layouts(resources: Iterable[Any]) -> dict[str, TableLayout]:
    """Resource name -> layout for every resource that gets one."""
    out = {}
    for resource in resources:
        key, columns = _resource_hints(resource)
        layout = layout_for(key, columns)
        if layout is not None:
            out[resource.name] = layout
    return out


def apply_bigquery_hints(source: Any, destination_name: str) -> dict[str, TableLayout]:
    """Partition and cluster the source's fact tables when loading into BigQuery.

    Args:
        source: a ``DltSource`` (its selected resources are hinted in place).
        destination_name: the run's destination; anything but ``bigquery`` is a no-op.

    Returns:
        Resource name -> the layout applied (empty when nothing was applied).
    """
    if destination_name != "bigquery":
        return {}
    from dlt.destinations.adapters import bigquery_adapter

    resources = list(source.selected_resources.values())
    layouts = bigquery_layouts(resources)
    for resource in resources:
        layout = layouts.get(resource.name)
        if layout is None:
            continue
        if layout.cluster:
            bigquery_adapter(resource, partition=layout.partition, cluster=list(layout.cluster))
        else:
            bigquery_adapter(resource, partition=layout.partition)
    return layouts
