"""Experience answers (§3) → typed rows. Pure functions: no HTTP, no dlt, no clock.

Metrics arrive as ``{value, label, description}``: counts as JSON numbers (``100``),
rates ``"41.67%"``, durations ``"06:33"``, decimals ``"2.50"``; the A/B uplift is
``"Baseline"`` or ``"+60.00%"`` and the probability to win may be ``null``. Values
become typed columns, labels become ``metric_definitions`` rows.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from sources.common.values import is_baseline, parse_date, parse_timestamp, parse_value, to_snake
from sources.ptengine import settings as S

KNOWN = {**S.EXPERIENCE_METRICS, **S.ABTEST_EXTRA_METRICS}


def _value(cell: Any) -> Any:
    return cell.get("value") if isinstance(cell, Mapping) else cell


def metric_columns(item: Mapping[str, Any], skip: tuple[str, ...] = ()
                   ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Typed columns of every metric cell in ``item`` and the definitions they carried.

    Text cells of the overview (``goalStatus``, ``createdTime`` …) stay text.
    """
    row: dict[str, Any] = {}
    defs = []
    for field, cell in item.items():
        if field in skip or not isinstance(cell, Mapping) or "value" not in cell:
            continue
        value_type = KNOWN.get(field, "STRING")
        raw = _value(cell)
        row[to_snake(field)] = (None if raw is None else str(raw)) if value_type == "STRING" \
            else parse_value(raw, value_type, field=field)
        if cell.get("label"):
            defs.append({"field": field, "label": cell.get("label"),
                         "description": cell.get("description"), "data_type": value_type})
    return row, defs


def goal_rows(goals: Any, experience: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``goals[]`` of a metrics item → child rows; ``goal_id`` from the list by name."""
    ids = {g.get("name"): str(g.get("id")) for g in experience.get("goals") or []}
    out = []
    for goal in goals or []:
        row: dict[str, Any] = {"name": goal.get("name"), "goal_id": ids.get(goal.get("name"))}
        for field, value_type in S.EXPERIENCE_GOAL_METRICS.items():
            row[to_snake(field)] = parse_value(_value(goal.get(field)), value_type, field=field)
        out.append(row)
    return out


def experience_rows(profile_id: str, listed: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The list endpoint's experiences; goals and versions stay nested (child tables)."""
    return [{"profile_id": profile_id, "id": str(e.get("id")), "name": e.get("name"),
             "status": e.get("status"), "type": e.get("type"),
             "goals": [{"id": str(g.get("id")), "name": g.get("name")} for g in
                       e.get("goals") or []],
             "versions": [{"id": str(v.get("id")), "name": v.get("name")} for v in
                          e.get("versions") or []]} for e in listed]


def user_property_rows(profile_id: str, data: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"profile_id": profile_id, "name": p.get("name"),
             "display_name": p.get("displayName"), "source": list(p.get("source") or []),
             "type": p.get("type")} for p in data or []]


def overview_rows(profile_id: str, sent: list[Mapping[str, Any]], data: list[Mapping[str, Any]],
                  as_of: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per experience; answers carry only ``name``, so ids come from the request
    (same order when the counts agree, else by unique name)."""
    by_name = Counter(str(e.get("name")) for e in sent)
    ids = {str(e.get("name")): str(e["id"]) for e in sent if by_name[str(e.get("name"))] == 1}
    rows, defs = [], []
    for i, item in enumerate(data or []):
        name = str(item.get("name"))
        exp_id = str(sent[i]["id"]) if len(data) == len(sent) else ids.get(name)
        if exp_id is None:
            continue
        cols, d = metric_columns(item)
        rows.append({"profile_id": profile_id, "experience_id": exp_id, "experience_name": name,
                     "as_of": as_of, **cols})
        defs += d
    return rows, defs


def _head(profile_id: str, experience: Mapping[str, Any], day: date,
          data: Mapping[str, Any]) -> dict[str, Any]:
    return {"profile_id": profile_id, "experience_id": str(experience["id"]), "date": day,
            "experience_name": data.get("experienceName") or experience.get("name")}


def metrics_rows(profile_id: str, experience: Mapping[str, Any], day: date,
                 data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Key metrics (§3.4) of one day: one row (the first item), goals as a child list."""
    items = data.get("items") or []
    if not items:
        return [], []
    cols, defs = metric_columns(items[0], skip=("goals",))
    row = {**_head(profile_id, experience, day, data), **cols,
           "goals": goal_rows(items[0].get("goals"), experience)}
    return [row], defs


def _dimension_key(body: Mapping[str, Any]) -> dict[str, str]:
    prop = body.get("property") or {}
    return {"dimension": str(body.get("dimension")),
            "sub_dimension": str(body.get("subDimension") or ""),
            "property": str(prop.get("name") or "") if isinstance(prop, Mapping) else ""}


def insight_rows(profile_id: str, experience: Mapping[str, Any], day: date,
                 body: Mapping[str, Any], data: Mapping[str, Any]
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Segment details (§3.5): one row per (name, subName)."""
    rows, defs = [], []
    head = {**_head(profile_id, experience, day, data), **_dimension_key(body)}
    for item in data.get("items") or []:
        cols, d = metric_columns(item, skip=("goals",))
        rows.append({**head, "name": str(item.get("name")),
                     "sub_name": str(item.get("subName") or ""), **cols,
                     "goals": goal_rows(item.get("goals"), experience)})
        defs += d
    return rows, defs


def version_columns(entry: Mapping[str, Any], experience: Mapping[str, Any]
                    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One version of an A/B answer: metrics, uplift as a fraction with ``is_baseline``,
    probability to be best as a fraction or NULL."""
    cols, defs = metric_columns(entry)
    uplift = _value(entry.get("uplift"))
    cols["is_baseline"] = is_baseline(uplift)
    cols["uplift"] = None if cols["is_baseline"] else cols.get("uplift")
    cols.setdefault("probability_to_be_best", None)
    ids = {v.get("name"): str(v.get("id")) for v in experience.get("versions") or []}
    name = str(entry.get("name"))
    return {"version_name": name, "version_id": ids.get(name), **cols}, defs


def _compare_key(body: Mapping[str, Any]) -> dict[str, str]:
    return {"compare_by": str(body.get("compareBy")), "goal_id": str(body.get("goalId") or "")}


def abtest_rows(profile_id: str, experience: Mapping[str, Any], day: date,
                body: Mapping[str, Any], data: Mapping[str, Any]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A/B results (§3.6): one row per version and comparison."""
    head = {**_head(profile_id, experience, day, data), **_compare_key(body)}
    rows, defs = [], []
    for entry in data.get("items") or []:
        cols, d = version_columns(entry, experience)
        rows.append({**head, **cols})
        defs += d
    return rows, defs


def abtest_insight_rows(profile_id: str, experience: Mapping[str, Any], day: date,
                        body: Mapping[str, Any], data: Mapping[str, Any]
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A/B segment details (§3.7): one row per segment value, version and comparison."""
    head = {**_head(profile_id, experience, day, data), **_compare_key(body),
            **_dimension_key(body)}
    rows, defs = [], []
    for item in data.get("items") or []:
        seg = {"name": str(item.get("name")), "sub_name": str(item.get("subName") or "")}
        for entry in item.get("versions") or []:
            cols, d = version_columns(entry, experience)
            rows.append({**head, **seg, **cols})
            defs += d
    return rows, defs


def form_rows(profile_id: str, experience_id: str, version_id: str, data: Mapping[str, Any],
              timezone: str) -> list[dict[str, Any]]:
    """Form submissions (§3.8): ``submitted_at`` read in the profile's ``timezone``; the
    dynamic form fields in one JSON column ``fields`` (field name → text, in the
    answer's column order); ``submission_key`` a hash of the submission, with an ordinal
    for identical submissions, so re-fetching a day never duplicates a row."""
    columns = [c for c in data.get("columns") or [] if c != S.FORM_SUBMITTED_AT]
    seen: Counter[str] = Counter()
    rows = []
    for raw in data.get("rows") or []:
        stamp = raw.get(S.FORM_SUBMITTED_AT)
        names = columns + [k for k in raw if k not in columns and k != S.FORM_SUBMITTED_AT]
        fields = {k: "" if raw.get(k) is None else str(raw.get(k)) for k in names}
        identity = json.dumps([experience_id, version_id, stamp, sorted(fields.items())],
                              ensure_ascii=False)
        seen[identity] += 1
        digest = hashlib.sha256(f"{identity}#{seen[identity]}".encode()).hexdigest()[:32]
        rows.append({
            "profile_id": profile_id, "experience_id": experience_id, "version_id": version_id,
            "submission_key": digest,
            "submitted_at": parse_timestamp(stamp, timezone, field=S.FORM_SUBMITTED_AT),
            "submitted_date": parse_date(stamp, field=S.FORM_SUBMITTED_AT),
            "fields": fields,
        })
    return rows
