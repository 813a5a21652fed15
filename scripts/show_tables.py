"""Print every table of a DuckDB file with its row count (used by `make demo`)."""

import sys

import duckdb


def main(path: str) -> None:
    con = duckdb.connect(path, read_only=True)
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('information_schema', 'pg_catalog') "
        "and table_schema not like '%\\_staging' escape '\\' "
        "and table_name not like '\\_dlt%' escape '\\' order by 1, 2"
    ).fetchall()
    print(f"\n{path}: {len(rows)} tables")
    for schema, table in rows:
        count = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        print(f"  {schema}.{table:<45} {count:>8} rows")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "analytics.duckdb")
