"""Write ``models/sources.yml`` from a loaded warehouse: every table, every column, units.

Run after a demo load (``make demo``) whenever a source adds tables or columns::

    .venv/bin/python sql/dbt/generate_sources.py analytics.duckdb

Descriptions come from ``TABLES`` (grain and meaning, from docs/sources/*.md) and
``COLUMNS`` (a glossary); the unit of every column follows the warehouse conventions
(CONTRACT §5) from its type and name: counts, fractions 0-1, seconds, DECIMAL money, days,
UTC instants. Keys get ``not_null`` and a ``unique_combination`` test.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import duckdb
import yaml

OUT = Path(__file__).parent / "models" / "sources.yml"
SOURCES = ("ptengine", "pirsch", "convert", "openpanel")
FRESHNESS = {
    "warn_after": {"count": 2, "period": "day"},
    "error_after": {"count": 7, "period": "day"},
}

# table -> (description, primary key); tables not listed are described by their name
TABLES: dict[str, dict[str, tuple[str, list[str]]]] = {
    "ptengine": {
        "site_metrics_daily": (
            "Site totals per profile, segment and reporting day (data-center "
            "metric curves, all 13 metrics).",
            ["profile_id", "segment", "date"],
        ),
        "traffic_by_country_daily": (
            "Traffic per country and day.",
            ["profile_id", "segment", "date", "country"],
        ),
        "traffic_by_source_type_daily": (
            "Traffic per source type and day.",
            ["profile_id", "segment", "date", "source_type"],
        ),
        "traffic_by_os_daily": (
            "Traffic per operating system and day.",
            ["profile_id", "segment", "date", "os"],
        ),
        "traffic_by_browser_daily": (
            "Traffic per browser and day.",
            ["profile_id", "segment", "date", "browser"],
        ),
        "traffic_by_combined_pages_daily": (
            "Traffic per page (URL) and day.",
            ["profile_id", "segment", "date", "url"],
        ),
        "traffic_by_entry_combined_pages_daily": (
            "Entrances per entry page (URL) and day.",
            ["profile_id", "segment", "date", "url"],
        ),
        "events_daily": (
            "Event counts per event name and day.",
            ["profile_id", "segment", "date", "event_name"],
        ),
        "conversion_goals": ("The profile's conversion goals.", ["profile_id", "id"]),
        "conversion_goals_daily": (
            "Completions per conversion goal and day (regular and negative goals).",
            ["profile_id", "segment", "date", "conversion_name"],
        ),
        "conversion_funnel_steps_daily": (
            "Funnel steps per goal (funnel_goals) and day.",
            ["profile_id", "segment", "date", "conversion_name", "step_id"],
        ),
        "page_metrics_daily": (
            "Heatmap page metrics per configured page, device type and day.",
            ["profile_id", "segment", "date", "url", "device_type"],
        ),
        "experiences": (
            "Experiences (popups, banners, A/B tests); goals and versions as child tables.",
            ["profile_id", "id"],
        ),
        "experience_metrics_daily": (
            "Experience key metrics per experience and day.",
            ["profile_id", "experience_id", "date"],
        ),
        "experience_abtest_daily": (
            "A/B results per experience, comparison, goal, version and day.",
            ["profile_id", "experience_id", "date", "compare_by", "goal_id", "version_id"],
        ),
        "experience_form_submissions": (
            "Form rows submitted through experiences.",
            ["profile_id", "experience_id", "version_id", "submission_key"],
        ),
        "metric_definitions": (
            "Labels and descriptions of every metric, once per language.",
            ["source", "family", "field", "lang"],
        ),
    },
    "pirsch": {
        "visitors_daily": (
            "Visitors, views, sessions and bounces per domain and day.",
            ["domain_id", "date"],
        ),
        "session_duration_daily": ("Average session duration per day.", ["domain_id", "date"]),
        "pages_daily": ("Statistics per page path and day.", ["domain_id", "date", "path"]),
        "referrers_daily": ("Visitors per referrer and day.", ["domain_id", "date", "referrer"]),
        "domains": ("The domain(s) the client reads, with their timezone.", ["id"]),
        "conversion_goals": ("The domain's conversion goals.", ["domain_id", "id"]),
    },
    "convert": {
        "projects": ("Projects of the account.", ["account_id", "id"]),
        "experiences": ("Experiences (A/B tests and personalisations).", ["project_id", "id"]),
        "experiences__variations": (
            "Variations of each experience.",
            ["project_id", "experience_id", "id"],
        ),
        "experiences__goals": (
            "Goals attached to each experience.",
            ["project_id", "experience_id", "goal_id"],
        ),
        "goals": ("Goals of each project.", ["project_id", "id"]),
        "experience_aggregated_reports": (
            "Cumulative results per experience, goal and variation at report_date.",
            ["project_id", "experience_id", "goal_id", "variation_id", "report_date"],
        ),
        "experience_daily_reports": (
            "Daily (non-cumulative) results per experience, goal and variation.",
            ["project_id", "experience_id", "goal_id", "variation_id", "date"],
        ),
        "experience_change_history": (
            "Changes made to each experience.",
            ["project_id", "experience_id", "id"],
        ),
    },
    "openpanel": {
        "events": (
            "Raw events with flattened properties; created_at is the UTC instant.",
            ["project_id", "id"],
        ),
        "profiles": ("Identified profiles included with events.", ["project_id", "id"]),
        "event_meta": ("Event definitions (description, conversion flag).", ["project_id", "name"]),
    },
}

COLUMNS: dict[str, str] = {
    "profile_id": "Ptengine site (profile) id: the account key",
    "domain_id": "Pirsch domain id: the account key",
    "project_id": "Project id: the account key",
    "account_id": "Convert account id",
    "segment": "Named filter set from configuration; 'all' when unfiltered",
    "date": "Reporting day of the account's timezone",
    "report_date": "Last day the cumulative report covers",
    "visits": "Visits (sessions)",
    "users": "Unique users",
    "visitors": "Unique visitors",
    "sessions": "Sessions",
    "views": "Page views",
    "page_view": "Page views",
    "pv": "Page views",
    "uv": "Unique visitors",
    "bounces": "Bounced sessions",
    "bounce_rate": "Share of sessions that bounced",
    "conversions": "Conversions (goal completions)",
    "conversion_rate": "Conversions per visit / visitor as the API defines it",
    "cr": "Conversion rate as Pirsch reports it",
    "conversion_value": "Value of conversions",
    "revenue": "Revenue",
    "loss": "Loss (negative goals)",
    "new_visits_rate": "Share of visits that were new",
    "return_visits_rate": "Share of visits that were returning",
    "avg_visit_duration": "Average visit duration",
    "avg_load_time": "Average page load time",
    "avg_visits": "Visits per user",
    "avg_page_view": "Page views per visit",
    "entrances": "Visits that entered on this page",
    "created_at": "When it was created (UTC instant)",
    "id": "Id from the API",
    "name": "Name",
    "url": "Page URL",
    "title": "Page title",
    "path": "Page path",
    "event_name": "Event name",
    "event_count": "Events",
    "experience_id": "Experience id",
    "goal_id": "Goal id",
    "variation_id": "Variation id",
    "version_id": "Experience version id",
    "viewed_users": "Users who saw the experience",
    "goal_reached_users": "Users who reached the goal after seeing it",
    "uplift": "Change of the rate against the baseline",
    "is_baseline": "True for the control / original",
    "confidence": "Statistical confidence",
    "chance_to_win": "Bayesian chance to beat the baseline",
    "change": "Change of the conversion rate against the baseline (metric_change)",
    "device_id": "OpenPanel device id (anonymous visitor)",
    "session_id": "Session id",
    "relative_visitors": "Share of the day's visitors",
    "average_time_spent_seconds": "Average time spent",
    "referrer": "Referrer URL; empty for direct traffic",
    "referrer_name": "Referrer's name",
}
RATE_WORDS = (
    "rate",
    "relative_",
    "confidence",
    "chance_to_win",
    "uplift",
    "change",
    "probability",
    "reach_rate",
    "cr_goal",
)
SECONDS_WORDS = ("duration", "seconds", "time_on_page", "load_time", "time_spent")


def unit(name: str, data_type: str) -> str:
    """The unit of a column from its type and name (CONTRACT §5)."""
    t = data_type.upper()
    if t.startswith("DECIMAL"):
        return "money, DECIMAL"
    if t == "DATE":
        return "day (DATE)"
    if t.startswith("TIMESTAMP"):
        return "instant (TIMESTAMPTZ, UTC)"
    if t == "BOOLEAN":
        return "true/false"
    if t in ("DOUBLE", "FLOAT"):
        if any(w in name for w in SECONDS_WORDS):
            return "seconds"
        if name == "cr" or any(w in name for w in RATE_WORDS):
            return "fraction 0-1"
        return "ratio / number"
    if t in ("BIGINT", "INTEGER", "HUGEINT"):
        return "id" if name.endswith("_id") else "count"
    if t == "JSON":
        return "JSON"
    return "text"


def describe(name: str, data_type: str) -> str:
    text = COLUMNS.get(name) or name.replace("__", " ").replace("_", " ").capitalize()
    return f"{text} ({unit(name, data_type)})."


def build(db: str) -> dict[str, Any]:
    con = duckdb.connect(db, read_only=True)
    sources = []
    for source in SOURCES:
        cols = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position",
            [source],
        ).fetchall()
        tables: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in cols:
            if not column.startswith("_dlt") and not table.startswith("_dlt"):
                tables.setdefault(table, []).append((column, data_type))
        entries: list[dict[str, Any]] = [
            {
                "name": "_dlt_loads",
                "description": "dlt's load log: one row per load; freshness is checked on it.",
                "loaded_at_field": "inserted_at",
                "freshness": FRESHNESS,
            }
        ]
        for table, columns in tables.items():
            description, key = TABLES.get(source, {}).get(
                table,
                (f"{table.replace('_', ' ').capitalize()} (see docs/sources/{source}.md).", []),
            )
            key = [k for k in key if k in dict(columns)]
            entry: dict[str, Any] = {"name": table, "description": description}
            if key:
                entry["data_tests"] = [{"unique_combination": {"arguments": {"columns": key}}}]
            entry["columns"] = [
                {
                    "name": c,
                    "description": describe(c, t),
                    **({"data_tests": ["not_null"]} if c in key else {}),
                }
                for c, t in columns
            ]
            entries.append(entry)
        sources.append(
            {
                "name": source,
                "schema": f"{{{{ var('{source}_dataset', '{source}') }}}}",
                "description": f"Loaded by `analytics-elt run {source}` "
                f"(docs/sources/{source}.md).",
                "tables": entries,
            }
        )
    return {"version": 2, "sources": sources}


def main(argv: list[str]) -> int:
    db = argv[0] if argv else "analytics.duckdb"

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    text = yaml.dump(build(db), Dumper=NoAliases, sort_keys=False, width=100, allow_unicode=True)
    OUT.write_text(
        "# generated by sql/dbt/generate_sources.py from a demo load; edit the "
        "glossary there\n" + text
    )
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
