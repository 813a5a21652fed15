"""Destinations: which the runner loads into, and how it opens and loads DuckDB.

``destination_for`` builds the dlt destination; DuckDB's loads get the connector's
defaults (``DUCKDB_SESSION_DEFAULTS``, ``DUCKDB_GLOBAL_DEFAULTS``,
``DUCKDB_LOAD_WORKERS``), each under the user's own configuration, key by key.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import dlt

from sources.common.errors import ConfigurationError

DESTINATIONS = ("duckdb", "postgres", "bigquery")
DEFAULT_DUCKDB_FILE = "analytics.duckdb"

# DuckDB settings of the sessions that load (not of the file): rows loaded by one
# INSERT … SELECT need not keep their order, which a table never promises anyway; the
# copy of 200,000 OpenPanel events takes ~0.25 s less
DUCKDB_SESSION_DEFAULTS: dict[str, Any] = {"preserve_insertion_order": False}
# DuckDB settings of the database the loads open (global, not of the file):
# - no vacuum tasks at the checkpoint that closes a load. A load appended to a table
#   that already holds rows otherwise has the checkpoint merge the table's partial row
#   groups, which fills the buffer pool and takes ~0.5 s: the fifth 200,000-event
#   OpenPanel step peaked ~55 MB above the first. Measured without them (1,000,000
#   events, then 8 merges that delete and re-insert 10 % of the rows): 11 row groups
#   instead of 9, no growth of the file; deleted rows are reclaimed either way;
# - one thread: a load is one INSERT … SELECT per table from one parquet file, as fast
#   on one thread (0.4 s for 200,000 events on 2 cores), and each thread buffers row
#   groups of its own: two threads peak ~25 MB higher, and more cores, more memory.
DUCKDB_GLOBAL_DEFAULTS: dict[str, Any] = {"max_vacuum_tasks": 0, "threads": 1}
# Load jobs at a time into DuckDB (dlt's ``load.workers``, 20 by default): one DuckDB
# process writes one table at a time anyway, and jobs run side by side hold their
# buffers at once. One worker runs the jobs in turn on the main thread: a 200,000-event
# OpenPanel run peaked ~8 MB lower (278 -> 270 MB), a 1,000,000-event run ~9 MB lower,
# at the same speed (benchmarks/openpanel_events.py); a 365-day Ptengine backfill, whose
# load has many small tables, ~55 MB lower (292-297 -> 240 MB) for ~0.6 s more of 9 s
# (benchmarks/ptengine_memory.py). ``LOAD__WORKERS`` / ``[load]
# workers`` of the user's configuration wins.
DUCKDB_LOAD_WORKERS = 1

LOADER_FILE_FORMATS = {"duckdb": "parquet"}  # others: the destination's preferred format

def duckdb_path() -> str:
    """The DuckDB file: ``DESTINATION__DUCKDB__CREDENTIALS`` / config, else ``analytics.duckdb``."""
    creds = os.environ.get("DESTINATION__DUCKDB__CREDENTIALS")
    if not creds:
        try:
            creds = dlt.config.get("destination.duckdb.credentials", str)
        except Exception:
            creds = None
    return creds or DEFAULT_DUCKDB_FILE


def duckdb_credentials() -> Any:
    """The DuckDB file; its loads with ``DUCKDB_SESSION_DEFAULTS`` and
    ``DUCKDB_GLOBAL_DEFAULTS`` under the user's own settings.

    ``destination.duckdb.credentials.local_config`` / ``.global_config`` (e.g.
    ``DESTINATION__DUCKDB__CREDENTIALS__LOCAL_CONFIG='{"preserve_insertion_order": true}'``,
    ``…__GLOBAL_CONFIG='{"memory_limit": "1GB", "max_vacuum_tasks": 100}'``) win key by
    key; every other DuckDB setting is dlt's as configured.
    """
    from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

    return DuckDbCredentials(
        duckdb_path(),
        local_config={**DUCKDB_SESSION_DEFAULTS, **_own_duckdb_config("local_config")},
        global_config={**DUCKDB_GLOBAL_DEFAULTS, **_own_duckdb_config("global_config")})


def _own_duckdb_config(name: str) -> dict[str, Any]:
    try:
        own = dlt.config.get(f"destination.duckdb.credentials.{name}", dict)
    except Exception:
        own = None
    return dict(own or {})


def destination_for(name: str) -> Any:
    """The dlt destination object; DuckDB defaults to ``./analytics.duckdb``."""
    if name not in DESTINATIONS:
        raise ConfigurationError("--destination", f"'{name}' is not supported",
                                 f"use one of {', '.join(DESTINATIONS)}")
    if name == "duckdb":
        return dlt.destinations.duckdb(credentials=duckdb_credentials())
    if name == "postgres":
        return dlt.destinations.postgres()
    return dlt.destinations.bigquery()


def destination_location(name: str) -> str:
    """Where the warehouse is, without secrets: the DuckDB file, the Postgres host/database,
    the BigQuery project."""
    if name == "duckdb":
        return os.path.abspath(duckdb_path())
    key = f"destination.{name}.credentials"
    try:
        creds = dlt.secrets.get(key)
    except Exception:
        creds = None
    if isinstance(creds, str):
        parsed = urlsplit(creds)
        return f"{parsed.hostname}:{parsed.port}{parsed.path}"
    if isinstance(creds, dict):
        return ":".join(str(creds.get(k, "")) for k in ("host", "port", "database", "project_id"))
    return ""


def load_options(pipeline: dlt.Pipeline) -> dict[str, Any]:
    """``pipeline.load`` arguments: DuckDB's ``DUCKDB_LOAD_WORKERS`` unless configured."""
    if pipeline.destination is None or pipeline.destination.destination_name != "duckdb":
        return {}
    try:
        own = dlt.config.get("load.workers", int)
    except Exception:  # noqa: BLE001 - a value that does not parse is dlt's to report
        own = 0
    return {} if own else {"workers": DUCKDB_LOAD_WORKERS}
