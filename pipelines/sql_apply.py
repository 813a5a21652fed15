"""``analytics-elt sql apply``: create or replace the analyst views in an ``analytics`` schema.

The views live in ``sql/views/<source>/<view>.sql`` (``cross/`` for the cross-source ones),
one ``SELECT`` per file, written once in portable SQL: it runs on DuckDB and Postgres and
parses in BigQuery's dialect. Each file is parsed with sqlglot, its tables are rewritten to
the datasets actually used (``--dataset`` overrides, the target schema) and it is generated
in the destination's dialect. A view whose tables are not loaded yet is skipped with a
note; it is created by the next ``sql apply`` after those tables land.

Example::

    $ analytics-elt sql apply
    analytics.ptengine_daily_traffic      created
    analytics.pirsch_daily_traffic        skipped: pirsch.visitors_daily is not loaded yet
    ...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

SQL_DIR = Path(__file__).resolve().parents[1] / "sql" / "views"
VIEW_SCHEMA = "analytics"
# per-source views first, the cross-source views (which read them) last
FOLDERS = ("ptengine", "pirsch", "openpanel", "convert", "cross")
# the dialect the view files are written in (parsed as), and per destination the dialect
# the statements are generated in
SOURCE_DIALECT = "postgres"
DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "bigquery": "bigquery"}


@dataclass(frozen=True)
class View:
    """One analyst view: its name, folder, SQL text and the tables it reads."""

    name: str
    folder: str
    sql: str
    requires: tuple[tuple[str, str], ...]

    @property
    def description(self) -> str:
        """The leading ``--`` comment block, as one paragraph."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:].strip())
        return " ".join(lines)


@dataclass
class ApplyResult:
    """What ``apply_views`` did: created views, skipped ones (with why) and failures."""

    created: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def parse(sql: str) -> exp.Expression:
    """Parse one view's ``SELECT`` in the dialect the files are written in."""
    return sqlglot.parse_one(sql, read=SOURCE_DIALECT)


def tables_read(tree: exp.Expression) -> tuple[tuple[str, str], ...]:
    """The ``(schema, table)`` pairs a query reads, CTE names excluded."""
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    found = {(t.db, t.name) for t in tree.find_all(exp.Table)
             if t.name and not (not t.db and t.name in ctes)}
    return tuple(sorted(found))


def load_views(root: Path = SQL_DIR) -> list[View]:
    """Every view under ``root``, per-source folders first, then ``cross``."""
    views = []
    for folder in FOLDERS:
        for path in sorted((root / folder).glob("*.sql")):
            text = path.read_text()
            views.append(View(path.stem, folder, text, tables_read(parse(text))))
    return views


def render(view: View, destination: str, schema: str = VIEW_SCHEMA,
           datasets: Mapping[str, str] | None = None, project: str | None = None) -> str:
    """The view's ``SELECT`` for ``destination``, reading the given datasets.

    Args:
        view: the view.
        destination: ``duckdb``, ``postgres`` or ``bigquery`` (the SQL dialect).
        schema: where the views are created (``analytics.x`` references are rewritten to it).
        datasets: source name -> dataset, for sources loaded with ``--dataset``.
        project: the catalog to qualify every table with (the BigQuery project, the DuckDB
            database).
    """
    mapping = {VIEW_SCHEMA: schema, **(datasets or {})}
    tree = _inline_views(parse(view.sql))
    for table in tree.find_all(exp.Table):
        if table.db:
            table.set("db", exp.to_identifier(mapping.get(table.db, table.db)))
            if project:
                table.set("catalog", exp.to_identifier(project))
    return tree.sql(dialect=DIALECTS[destination], pretty=True)


def _inline_views(tree: exp.Expression) -> exp.Expression:
    """Replace references to other analyst views (``analytics.<view>``) by their SELECT.

    A view reading another view breaks in DuckDB when the database file is named like the
    views' schema (the default ``analytics.duckdb`` with schema ``analytics``): DuckDB
    re-binds the inner view by an ambiguous two-part name. Inlining removes the
    dependency on every destination.
    """
    bodies = {v.name: v.sql for v in load_views()}
    for table in list(tree.find_all(exp.Table)):
        if table.db == VIEW_SCHEMA and table.name in bodies:
            inner = _inline_views(parse(bodies[table.name]))
            alias = table.alias or table.name
            table.replace(exp.Subquery(this=inner, alias=exp.TableAlias(
                this=exp.to_identifier(alias))))
    return tree


def create_statements(view: View, destination: str, schema: str = VIEW_SCHEMA,
                      datasets: Mapping[str, str] | None = None,
                      project: str | None = None) -> list[str]:
    """The statements that (re)create ``view`` in ``schema`` on ``destination``.

    Postgres cannot ``CREATE OR REPLACE`` a view whose columns changed, so it drops first.
    """
    body = render(view, destination, schema, datasets, project)
    if destination == "bigquery":
        target = f"`{project}.{schema}.{view.name}`" if project else f"`{schema}.{view.name}`"
        return [f"CREATE OR REPLACE VIEW {target} AS\n{body}"]
    target = _qualified(schema, view.name, project)
    if destination == "postgres":
        return [f"DROP VIEW IF EXISTS {target} CASCADE", f"CREATE VIEW {target} AS\n{body}"]
    return [f"CREATE OR REPLACE VIEW {target} AS\n{body}"]


def _qualified(schema: str, name: str, catalog: str | None) -> str:
    return f'"{catalog}"."{schema}"."{name}"' if catalog else f'"{schema}"."{name}"'


def missing_tables(view: View, existing: set[tuple[str, str]], schema: str = VIEW_SCHEMA,
                   datasets: Mapping[str, str] | None = None) -> list[str]:
    """``dataset.table`` names the view reads that are not in ``existing``."""
    mapping = {VIEW_SCHEMA: schema, **(datasets or {})}
    wanted = [(mapping.get(db, db), name) for db, name in view.requires]
    return [f"{db}.{name}" for db, name in wanted if (db, name) not in existing]


def _existing(client: Any, destination: str, schemas: Iterable[str]) -> set[tuple[str, str]]:
    """Tables and views that exist in ``schemas``, as ``(schema, name)``."""
    schemas = sorted(set(schemas))
    if destination == "bigquery":
        from google.api_core.exceptions import NotFound

        found: set[tuple[str, str]] = set()
        for ds in schemas:
            try:
                tables = client.native_connection.list_tables(f"{client.project_id}.{ds}")
                found.update((ds, t.table_id) for t in tables)
            except NotFound:
                continue
        return found
    marks = ", ".join(f"'{s}'" for s in schemas)
    rows = client.execute_sql("SELECT table_schema, table_name FROM information_schema.tables "
                              f"WHERE table_schema IN ({marks})")
    return {(str(s), str(t)) for s, t in rows or []}


def _sql_client(destination: str, schema: str) -> Any:
    import dlt

    from pipelines.destinations import destination_for

    pipeline = dlt.pipeline(pipeline_name=f"analytics_elt_sql_{destination}",
                            destination=destination_for(destination),
                            dataset_name=schema)
    return pipeline.sql_client()


def apply_views(destination: str = "duckdb", schema: str = VIEW_SCHEMA,
                datasets: Mapping[str, str] | None = None, views: list[View] | None = None,
                out: Any = None, show: str | None = None, show_rows: int = 7) -> ApplyResult:
    """Create or replace every view in ``schema``; skip those whose tables are missing.

    Args:
        destination: ``duckdb`` (the ``DESTINATION__DUCKDB__CREDENTIALS`` file), ``postgres``
            or ``bigquery`` (credentials from dlt's secrets, as for ``run``).
        schema: the schema (BigQuery: dataset) the views go into.
        datasets: source name -> dataset for sources loaded with ``--dataset``.
        views: the views (default: every file under ``sql/views``).
        out: where the per-view lines go (default stdout).
        show: a view to print afterwards (its latest ``show_rows`` rows by first column).
        show_rows: how many rows ``show`` prints.

    Returns:
        The created, skipped and failed views.
    """
    out = out or sys.stdout
    views = load_views() if views is None else views
    result = ApplyResult()
    with _sql_client(destination, schema) as client:
        # DuckDB names its catalog after the file: with the default analytics.duckdb the
        # catalog "analytics" and the schema "analytics" collide, so DuckDB references are
        # fully qualified with the catalog, as BigQuery's are with the project
        project = getattr(client, "project_id", None) if destination == "bigquery" else None
        if destination == "duckdb":
            project = client.execute_sql("SELECT current_database()")[0][0]
        if destination == "bigquery":
            if not client.has_dataset():
                client.create_dataset()
        else:
            prefix = f'"{project}".' if project else ""
            client.execute_sql(f'CREATE SCHEMA IF NOT EXISTS {prefix}"{schema}"')
        mapping = {VIEW_SCHEMA: schema, **(datasets or {})}
        existing = _existing(client, destination,
                             [mapping.get(db, db) for v in views for db, _ in v.requires])
        width = max((len(v.name) for v in views), default=0) + len(schema) + 1
        for view in views:
            label = f"{schema}.{view.name}".ljust(width)
            missing = missing_tables(view, existing, schema, datasets)
            if missing:
                result.skipped[view.name] = f"{', '.join(missing)} not loaded yet"
                print(f"{label}  skipped: {result.skipped[view.name]}", file=out)
                continue
            try:
                for statement in create_statements(view, destination, schema, datasets,
                                                   project):
                    client.execute_sql(statement)
            except Exception as exc:  # one line per view; the others still get created
                result.failed[view.name] = " ".join(str(exc).split())[:300]
                print(f"{label}  FAILED: {result.failed[view.name]}", file=out)
                continue
            existing.add((schema, view.name))
            result.created.append(view.name)
            print(f"{label}  created", file=out)
        print(f"{len(result.created)} views created, {len(result.skipped)} skipped, "
              f"{len(result.failed)} failed", file=out)
        if show and show in result.created:
            _show(client, destination, schema, show, show_rows, project, out)
        elif show:
            print(f"{schema}.{show} was not created: nothing to show", file=out)
    return result


def _show(client: Any, destination: str, schema: str, view: str, limit: int,
          project: str | None, out: Any) -> None:
    """Print the latest rows of a view as an aligned table."""
    target = (f"`{project}.{schema}.{view}`" if destination == "bigquery" and project
              else _qualified(schema, view, project))
    with client.execute_query(f"SELECT * FROM {target} ORDER BY 1 DESC LIMIT {int(limit)}"
                              ) as cursor:
        names = [d[0] for d in cursor.description]
        rows = [["" if v is None else str(v) for v in r] for r in cursor.fetchall()]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    print(f"\n{schema}.{view} (latest {limit} rows):", file=out)
    print("  " + "  ".join(n.rjust(w) for n, w in zip(names, widths, strict=True)), file=out)
    for r in rows:
        print("  " + "  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)), file=out)


def _dataset_map(pairs: list[str] | None) -> dict[str, str]:
    from sources.common.errors import ConfigurationError

    mapping = {}
    for pair in pairs or []:
        source, sep, dataset = pair.partition("=")
        if not sep or not source or not dataset:
            raise ConfigurationError("--dataset", f"'{pair}' is not SOURCE=DATASET",
                                     "write e.g. --dataset ptengine=ptengine_prod")
        mapping[source.strip()] = dataset.strip()
    return mapping


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``analytics-elt sql apply``."""
    parser.add_argument("--destination", default="duckdb",
                        help="duckdb (default), postgres, bigquery")
    parser.add_argument("--schema", default=VIEW_SCHEMA,
                        help="schema (BigQuery: dataset) for the views; default analytics")
    parser.add_argument("--dataset", action="append", metavar="SOURCE=DATASET",
                        help="a source loaded into another dataset, e.g. ptengine=pt_prod "
                             "(repeatable)")
    parser.add_argument("--show", metavar="VIEW",
                        help="print the latest rows of this view afterwards, e.g. daily_visitors")


def run_apply(args: argparse.Namespace, out: Any = None) -> int:
    """Run ``sql apply`` from parsed arguments; returns the exit code."""
    from pipelines.destinations import destination_for

    destination_for(args.destination)  # validates the name (exit 2)
    datasets = _dataset_map(args.dataset)
    return apply_views(args.destination, args.schema, datasets, out=out,
                       show=args.show).exit_code


def main(argv: list[str] | None = None, out: Any = None) -> int:
    """``sql apply`` on its own (``python -m pipelines.sql_apply``), as the CLI runs it."""
    parser = argparse.ArgumentParser(prog="analytics-elt sql apply",
                                     description="create or replace the analyst views")
    add_arguments(parser)
    return run_apply(parser.parse_args(argv), out=out)


if __name__ == "__main__":
    raise SystemExit(main())
