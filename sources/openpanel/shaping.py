"""OpenPanel responses → typed rows. Pure functions: no HTTP, no dlt resources, no clock.

Event pages become pyarrow tables, column by column, so dlt loads them without its
per-row JSON normalizer (the fast path). The page body itself is parsed by arrow's JSON
reader straight into columns (C++, without holding the GIL, so the fetch threads
overlap); a body arrow cannot read is parsed with orjson instead. Columns follow dlt's
conventions exactly: names through dlt's snake_case naming, nested ``properties``
flattened with ``__`` (``properties.__query.utm_source`` →
``properties__query__utm_source``), lists kept as JSON. ``createdAt`` becomes a UTC
``TIMESTAMPTZ``; numbers in properties are doubles. Chart series become plain dict rows
(they are small).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.json as pa_json
from dlt.common.normalizers.naming.snake_case import NamingConvention

from sources.common.values import parse_date, parse_float, parse_timestamp, to_snake
from sources.openpanel import settings as S

TIMESTAMP = pa.timestamp("us", tz="UTC")
_ARROW = {"text": pa.string(), "double": pa.float64(), "bool": pa.bool_(),
          "timestamp": TIMESTAMP, "json": pa.string()}
_NAMING = NamingConvention()


@dataclass
class RawPage:
    """One ``/export/events`` answer: its ``meta`` and its ``data`` (arrow when possible)."""

    meta: dict[str, Any]
    data: pa.StructArray | list[Any]


def read_events_page(body: bytes) -> RawPage | None:
    """Parse an events page with arrow's JSON reader; ``None`` when arrow cannot.

    Arrow gives the same columns as ``pa.array`` of the orjson-parsed objects, except
    that it reads ISO date(-time) strings without fractions as timestamps: such fields
    are read again as text (events' own instants are typed later, as on every path).
    ``None`` (the caller parses with orjson) when the body is not one JSON object with a
    ``data`` list, or when arrow cannot unify a field's values (a property that is a
    number in one event and text in another): the by-row path handles those.

    Example:
        >>> page = read_events_page(b'{"meta": {"count": 1}, "data": [{"id": "e1",'
        ...                         b' "createdAt": "2024-04-15", "n": 1}]}')
        >>> page.meta, page.data.type
        ({'count': 1}, StructType(struct<id: string, createdAt: string, n: int64>))
    """
    try:
        table = _read_json(body, None)
        field = table.schema.field("data") if "data" in table.column_names else None
        if table.num_rows != 1 or field is None or not (
                pa.types.is_list(field.type) or pa.types.is_large_list(field.type)):
            return None
        if _has_timestamp(field.type):
            table = _read_json(body, pa.schema([pa.field("data", _as_text(field.type))]))
        meta = table.column("meta")[0].as_py() if "meta" in table.column_names else None
        data = table.column("data").combine_chunks().flatten()
    except (pa.ArrowException, KeyError):
        return None
    if pa.types.is_null(data.type) and not len(data):  # "data": []
        return RawPage(meta if isinstance(meta, dict) else {}, [])
    if not pa.types.is_struct(data.type) or data.null_count:
        return None  # not a list of objects: leave it to the Python path
    return RawPage(meta if isinstance(meta, dict) else {}, data)


def _read_json(body: bytes, schema: pa.Schema | None) -> pa.Table:
    parse = pa_json.ParseOptions(newlines_in_values=True, explicit_schema=schema,
                                 unexpected_field_behavior="infer")
    return pa_json.read_json(pa.BufferReader(body), parse_options=parse,
                             read_options=pa_json.ReadOptions(use_threads=False,
                                                              block_size=len(body) + 64))


def _has_timestamp(t: pa.DataType) -> bool:
    if pa.types.is_timestamp(t):
        return True
    if pa.types.is_struct(t):
        return any(_has_timestamp(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _has_timestamp(t.value_type)
    return False


def _as_text(t: pa.DataType) -> pa.DataType:
    """``t`` with every timestamp replaced by text (the string as the API sent it)."""
    if pa.types.is_timestamp(t):
        return pa.string()
    if pa.types.is_struct(t):
        return pa.struct([t.field(i).with_type(_as_text(t.field(i).type))
                          for i in range(t.num_fields)])
    if pa.types.is_list(t):
        return pa.list_(t.value_field.with_type(_as_text(t.value_type)))
    if pa.types.is_large_list(t):
        return pa.large_list(t.value_field.with_type(_as_text(t.value_type)))
    return t


@dataclass
class EventPage:
    """One page of events as arrow tables (``None`` where the page has no such rows)."""

    events: pa.Table | None
    profiles: pa.Table | None
    meta: pa.Table | None


def page_tables(data: Sequence[Mapping[str, Any]] | pa.StructArray, *,
                seen_profiles: set[str] | None = None,
                seen_meta: set[str] | None = None) -> EventPage:
    """Turn ``data`` of an events page into the events, profiles and meta tables.

    Arrow infers the page as one struct array in C++ (the fast path; ``read_events_page``
    already gives one); a page whose values arrow cannot unify (a property that is a
    number in one event and text in another) is built column by column in Python instead.

    Args:
        data: the page's ``data`` list, as the API sent it, or as ``read_events_page``
            read it.
        seen_profiles: profile ids already emitted (updated); their rows are left out.
        seen_meta: event names whose meta was already emitted (updated).

    Example:
        >>> page = page_tables([{"id": "e1", "name": "screen_view", "projectId": "p",
        ...     "createdAt": "2024-04-15T10:30:00.000Z", "properties": {"path": "/"}}])
        >>> page.events.column_names
        ['id', 'name', 'project_id', 'created_at', 'properties__path']
    """
    if not len(data):
        return EventPage(None, None, None)
    try:
        array = data if isinstance(data, pa.Array) else pa.array(data)
        table = pa.Table.from_struct_array(array)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        assert not isinstance(data, pa.Array)
        return _page_tables_by_row(data, seen_profiles, seen_meta)
    project = table.column("projectId") if "projectId" in table.column_names else None
    events = _typed(table.drop_columns([c for c in ("profile", "meta")
                                        if c in table.column_names]), S.EVENT_FIELD_TYPES)
    return EventPage(events, _nested(table, project, "profile", "id", seen_profiles,
                                     S.PROFILE_FIELD_TYPES),
                     _nested(table, project, "meta", "name", seen_meta, S.META_FIELD_TYPES))


def _nested(table: pa.Table, project: pa.ChunkedArray | None, field: str, key_field: str,
            seen: set[str] | None, known: Mapping[str, str]) -> pa.Table | None:
    """The distinct ``profile`` / ``meta`` structs of a page, each with ``project_id``."""
    if field not in table.column_names or not pa.types.is_struct(table.schema.field(field).type):
        return None
    column = table.column(field).combine_chunks()
    if column.type.get_field_index(key_field) < 0:
        return None
    keys = column.field(key_field).to_pylist()
    valid = column.is_valid().to_pylist()
    picked: dict[Any, int] = {}
    for i, (k, ok) in enumerate(zip(keys, valid, strict=True)):
        if ok and k is not None and k not in picked and (seen is None or k not in seen):
            picked[k] = i
    if seen is not None:
        seen.update(picked)
    if not picked:
        return None
    indices = pa.array(list(picked.values()), pa.int64())
    nested = pa.Table.from_struct_array(column.take(indices))
    if project is not None:
        nested = nested.append_column("projectId", project.take(indices))
    return _typed(nested, known)


def _typed(table: pa.Table, known: Mapping[str, str]) -> pa.Table:
    """Flatten structs with dlt's ``__`` and names, type known fields, lists as JSON."""
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    columns: dict[str, pa.Array] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = known.get(name)
        col = column_name(*name.split("."))
        if kind == "json" or pa.types.is_list(column.type) or pa.types.is_large_list(
                column.type):
            columns[col] = pa.array([None if v is None else orjson.dumps(v).decode()
                                     for v in column.to_pylist()], pa.string())
        elif kind is not None and column.type != _ARROW[kind]:
            try:
                columns[col] = column.cast(_ARROW[kind])
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                columns[col] = _typed_array(column.to_pylist(), kind, col)
        elif pa.types.is_integer(column.type):
            columns[col] = column.cast(pa.float64())  # numbers in properties are doubles
        elif pa.types.is_null(column.type):
            continue  # nothing known about it yet: a later page that has values adds it
        else:
            columns[col] = column
    return pa.table(columns)


def _page_tables_by_row(data: Sequence[Mapping[str, Any]], seen_profiles: set[str] | None,
                        seen_meta: set[str] | None) -> EventPage:
    """The slow path: column by column in Python, mixed types become text."""
    project = [e.get("projectId") for e in data]
    events = _table(data, S.EVENT_FIELD_TYPES, skip=("profile", "meta"))
    profiles = _nested_rows(data, project, "profile", "id", seen_profiles)
    metas = _nested_rows(data, project, "meta", "name", seen_meta)
    return EventPage(events,
                     _table(profiles, S.PROFILE_FIELD_TYPES, skip=()) if profiles else None,
                     _table(metas, S.META_FIELD_TYPES, skip=()) if metas else None)


def _nested_rows(data: Sequence[Mapping[str, Any]], project: list[Any], field: str,
                 key_field: str, seen: set[str] | None) -> list[dict[str, Any]]:
    """The distinct ``profile`` / ``meta`` objects of a page, each with ``projectId``."""
    out: dict[Any, dict[str, Any]] = {}
    for event, project_id in zip(data, project, strict=True):
        obj = event.get(field)
        if not isinstance(obj, Mapping):
            continue
        ident = obj.get(key_field)
        if ident is None or ident in out or (seen is not None and ident in seen):
            continue
        out[ident] = {"projectId": project_id, **obj}
    if seen is not None:
        seen.update(out)
    return list(out.values())


def _table(rows: Sequence[Mapping[str, Any]], known: Mapping[str, str],
           skip: Iterable[str]) -> pa.Table:
    """Build an arrow table column by column from API objects.

    Known fields get their declared type; ``properties`` (and any other object) is
    flattened; other values are typed from what they hold.
    """
    n = len(rows)
    skipped = set(skip)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns: dict[str, pa.Array] = {}
    for name in names:
        if name in skipped:
            continue
        values = [row.get(name) for row in rows]
        if name == "properties" or any(isinstance(v, Mapping) for v in values):
            flat: dict[str, list[Any]] = {}
            for i, value in enumerate(values):
                if isinstance(value, Mapping):
                    _flatten(value, (name,), flat, i, n)
            for col, col_values in flat.items():
                columns[col] = _infer_array(col_values, col)
            continue
        kind = known.get(name)
        col = to_snake(name)
        columns[col] = _typed_array(values, kind, col) if kind else _infer_array(values, col)
    return pa.table(columns)


def _flatten(obj: Mapping[str, Any], path: tuple[str, ...], out: dict[str, list[Any]],
             i: int, n: int) -> None:
    for k, v in obj.items():
        sub = (*path, str(k))
        if isinstance(v, Mapping):
            _flatten(v, sub, out, i, n)
            continue
        name = column_name(*sub)
        col = out.get(name)
        if col is None:
            col = out[name] = [None] * n
        col[i] = v


@lru_cache(maxsize=8192)
def column_name(*path: str) -> str:
    """dlt's name for a (nested) API field: the path joined and normalised as dlt does.

    Example:
        >>> column_name("properties", "__query", "utm_source"), column_name("deviceId")
        ('properties__query__utm_source', 'device_id')
    """
    return _NAMING.normalize_path(_NAMING.make_path(*path))


def _typed_array(values: list[Any], kind: str, column: str) -> pa.Array:
    if kind == "timestamp":
        return timestamps(values, column)
    if kind == "json":
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in values],
                        pa.string())
    if kind == "double":
        try:
            return pa.array(values, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([parse_float(v, field=column) for v in values], pa.float64())
    try:
        return pa.array(values, _ARROW[kind])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _infer_array(values, column)


def _infer_array(values: list[Any], column: str) -> pa.Array:
    """A column typed from its values: all bool, all numbers (double) or else text/JSON."""
    present = [v for v in values if v is not None]
    if not present:
        return pa.nulls(len(values), pa.string())
    if all(isinstance(v, bool) for v in present):
        return pa.array(values, pa.bool_())
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.array(values, pa.float64())
    if all(isinstance(v, str) for v in present):
        return pa.array(values, pa.string())
    return pa.array([v if v is None or isinstance(v, str) else orjson.dumps(v).decode()
                     for v in values], pa.string())


def timestamps(values: list[Any], column: str) -> pa.Array:
    """ISO instants → UTC timestamps; vectorised, per value only when one is unusual.

    Example:
        >>> timestamps(["2024-04-15T10:30:00.000Z", None], "created_at").to_pylist()[0].hour
        10
    """
    try:
        return pa.array(values, pa.string()).cast(TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array([parse_timestamp(v, field=column) for v in values], TIMESTAMP)


# --- charts -----------------------------------------------------------------------------------
def chart_rows(project_id: str, chart: str, breakdowns: Sequence[str],
               body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per series and day of an ``/export/charts`` answer (interval ``day``).

    ``names`` is ``[event, breakdown values…]``; each breakdown value lands in a column
    named after its breakdown. A point's ``previous`` is ``{value, diff, state}``
    (NOTES.md) or ``{value, change}`` (the doc); both are kept.

    Example:
        >>> rows = chart_rows("p", "views", ["country"], {"series": [{"id": "s",
        ...     "names": ["screen_view", "Sweden"], "event": {"name": "screen_view"},
        ...     "data": [{"date": "2024-04-01T00:00:00.000Z", "count": 3}]}]})
        >>> rows[0]["country"], rows[0]["date"], rows[0]["count"]
        ('Sweden', datetime.date(2024, 4, 1), 3.0)
    """
    rows: list[dict[str, Any]] = []
    for series in body.get("series") or []:
        names = list(series.get("names") or [])
        event = series.get("event") or {}
        base: dict[str, Any] = {
            "project_id": project_id, "chart": chart, "series_id": series.get("id"),
            "event_name": event.get("name") or (names[0] if names else None),
            "event_id": event.get("id"),
        }
        for i, breakdown in enumerate(breakdowns):
            base[to_snake(breakdown)] = names[i + 1] if i + 1 < len(names) else None
        for point in series.get("data") or []:
            day = _day(point.get("date"))
            if day is None:
                continue
            previous = point.get("previous") if isinstance(point.get("previous"), Mapping) \
                else {}
            rows.append({
                **base, "date": day, "count": parse_float(point.get("count"), field="count"),
                "previous_value": parse_float(previous.get("value"), field="previous.value"),
                "previous_diff": parse_float(previous.get("diff", previous.get("change")),
                                             field="previous.diff"),
                "previous_state": previous.get("state"),
            })
    return rows


def _day(value: Any) -> date | None:
    text = str(value or "")
    return parse_date(text[:10]) if len(text) >= 10 else None
