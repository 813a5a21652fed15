"""Configuration of the heatmap pages (§2.2) and the Experience reports (§3).

Checked before any request, like the rest of ``config``: a device type the API refuses
for blocks or elements, a dimension combination it answers ``4015`` for, or a
``compareBy`` it answers ``4017`` for exits 2 naming the key and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sources.common.config import KeyChecks
from sources.common.errors import ConfigurationError
from sources.ptengine import settings as S

CHECKS = KeyChecks("ptengine")
key = CHECKS.key

HEATMAP_TABLES = ("page_metrics_daily", "page_insights_daily", "page_blocks_daily",
                  "page_elements_daily")
HEATMAP_QUERY = {"page_metrics_daily": "page_metrics", "page_insights_daily": "page_insight",
                 "page_blocks_daily": "block_metrics", "page_elements_daily": "element_metrics"}
EXPERIENCE_TABLES = ("experiences", "user_properties", "experience_overview",
                     "experience_metrics_daily", "experience_insights_daily",
                     "experience_abtest_daily", "experience_abtest_insights_daily",
                     "experience_form_submissions")
DEFAULT_EXPERIENCE_TABLES = ("experiences", "experience_metrics_daily",
                             "experience_form_submissions")


@dataclass(frozen=True)
class HeatmapConfig:
    """Which pages and devices the heatmap tables cover, and how they are queried."""

    pages: tuple[str, ...] = ()
    device_types: tuple[str, ...] = ("ALL",)
    insights: tuple[str, ...] = ()
    conversion_names: tuple[str, ...] = ()
    stay_time_filter: float = 5
    range_type: str = "MERGE_URL"


@dataclass(frozen=True)
class ExperienceDimension:
    """One segment-details breakdown: a dimension, an optional sub-dimension or property."""

    dimension: str
    sub_dimension: str | None = None
    property: str | None = None

    def describe(self) -> str:
        extra = self.sub_dimension or self.property
        return f"{self.dimension}/{extra}" if extra else self.dimension


@dataclass(frozen=True)
class ExperienceConfig:
    """Which experiences and which Experience reports a run loads."""

    ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = S.DEFAULT_EXPERIENCE_STATUSES
    types: tuple[str, ...] = S.EXPERIENCE_TYPES
    dimensions: tuple[ExperienceDimension, ...] = ()
    compare_by: tuple[str, ...] = ()
    abtest_dimensions: tuple[ExperienceDimension, ...] = ()
    show_deleted_versions: bool = False
    user_property_names: tuple[str, ...] = field(default=())


def heatmap_config(*, pages: Any, device_types: Any, page_insights: Any,
                   page_conversion_names: Any, stay_time_filter: Any,
                   range_type: Any) -> HeatmapConfig:
    urls = tuple(str(p).strip() for p in CHECKS.items(pages, "pages"))
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(key("pages"), f"'{url}' is not a page URL",
                                     'give full URLs, e.g. ["https://example.com/pricing"]')
    if len(set(urls)) != len(urls):
        raise ConfigurationError(key("pages"), "lists a page twice", "remove duplicates")
    devices = tuple(str(d).upper() for d in CHECKS.items(device_types, "device_types")) \
        or ("ALL",)
    _one_of(devices, S.HEATMAP_DEVICE_TYPES, "device_types")
    funs = tuple(str(f) for f in CHECKS.items(page_insights, "page_insights"))
    _one_of(funs, S.HEATMAP_FUN_NAMES, "page_insights")
    stay = CHECKS.number(5 if stay_time_filter in (None, "") else stay_time_filter,
                         "stay_time_filter", minimum=0)
    rtype = str(range_type or "MERGE_URL").upper()
    _one_of((rtype,), S.HEATMAP_RANGE_TYPES, "range_type")
    return HeatmapConfig(urls, tuple(dict.fromkeys(devices)), tuple(dict.fromkeys(funs)),
                         tuple(str(n) for n in CHECKS.items(page_conversion_names,
                                                            "page_conversion_names")),
                         int(stay) if float(stay).is_integer() else stay, rtype)


def experience_config(*, experience_ids: Any, experience_statuses: Any, experience_types: Any,
                      experience_dimensions: Any, abtest_compare_by: Any,
                      abtest_dimensions: Any, abtest_show_deleted_versions: Any
                      ) -> ExperienceConfig:
    statuses = tuple(str(s).upper() for s in CHECKS.items(experience_statuses,
                                                          "experience_statuses"))
    _one_of(statuses, S.EXPERIENCE_STATUSES, "experience_statuses")
    types = tuple(str(t).upper() for t in CHECKS.items(experience_types, "experience_types"))
    _one_of(types, S.EXPERIENCE_TYPES, "experience_types")
    compare = tuple(str(c) for c in CHECKS.items(abtest_compare_by, "abtest_compare_by"))
    _one_of(compare, S.ABTEST_COMPARE_BY, "abtest_compare_by")
    dims = _dimensions(experience_dimensions, "experience_dimensions")
    ab_dims = _dimensions(abtest_dimensions, "abtest_dimensions")
    props = tuple(dict.fromkeys(d.property for d in (*dims, *ab_dims) if d.property))
    return ExperienceConfig(
        ids=tuple(dict.fromkeys(str(i) for i in CHECKS.items(experience_ids, "experience_ids"))),
        statuses=statuses or S.DEFAULT_EXPERIENCE_STATUSES,
        types=types or S.EXPERIENCE_TYPES, dimensions=dims, compare_by=compare,
        abtest_dimensions=ab_dims,
        show_deleted_versions=CHECKS.boolean(abtest_show_deleted_versions or False,
                                             "abtest_show_deleted_versions"),
        user_property_names=props,
    )


def default_tables(heatmap: HeatmapConfig, exp: ExperienceConfig) -> list[str]:
    """Heatmap tables when pages are configured; the experience defaults (CONTRACT §5)."""
    names: list[str] = []
    if heatmap.pages:
        names.append("page_metrics_daily")
        if heatmap.insights:
            names.append("page_insights_daily")
        if "ALL" not in heatmap.device_types:
            names += ["page_blocks_daily", "page_elements_daily"]
    names += DEFAULT_EXPERIENCE_TABLES
    if exp.dimensions:
        names.append("experience_insights_daily")
    if exp.compare_by:
        names.append("experience_abtest_daily")
        if exp.abtest_dimensions:
            names.append("experience_abtest_insights_daily")
    return names


def check_selection(selected: tuple[str, ...], heatmap: HeatmapConfig,
                    exp: ExperienceConfig) -> None:
    """Rules that need the selection: pages present, no ``ALL`` for blocks / elements."""
    chosen = [t for t in HEATMAP_TABLES if t in selected]
    if chosen and not heatmap.pages:
        raise ConfigurationError(key("pages"), f"is empty but {chosen[0]} is selected",
                                 'list the pages, e.g. pages = ["https://example.com/"]')
    for table in ("page_blocks_daily", "page_elements_daily"):
        if table in selected and "ALL" in heatmap.device_types:
            query = HEATMAP_QUERY[table]
            raise ConfigurationError(
                key("device_types"),
                f"'ALL' is not allowed for {query} ({table}); the API refuses it "
                f"({S.HEATMAP_DEVICE_ERROR[query]})",
                'list concrete device types, e.g. device_types = ["PC", "MOBILE"], or '
                f"leave {table} out of resources")
    needs = {"page_insights_daily": (heatmap.insights, "page_insights",
                                     'page_insights = ["terminalType", "sourceType"]'),
             "experience_insights_daily": (exp.dimensions, "experience_dimensions",
                                           'experience_dimensions = ["terminalType"]'),
             "experience_abtest_daily": (exp.compare_by, "abtest_compare_by",
                                         'abtest_compare_by = ["goalReached"]'),
             "experience_abtest_insights_daily": (
                 exp.compare_by and exp.abtest_dimensions, "abtest_dimensions",
                 'abtest_compare_by = ["goalReached"] and abtest_dimensions = '
                 '["terminalType"]')}
    for table, (value, name, example) in needs.items():
        if table in selected and not value:
            raise ConfigurationError(key(name), f"is empty but {table} is selected",
                                     f"set e.g. {example}")


def _one_of(values: tuple[str, ...], allowed: tuple[str, ...], name: str) -> None:
    for v in values:
        if v not in allowed:
            raise ConfigurationError(key(name), f"'{v}' is not allowed",
                                     f"use any of {', '.join(allowed)}")


def _dimensions(value: Any, name: str) -> tuple[ExperienceDimension, ...]:
    """``"terminalType"``, ``{dimension = "terminalType", sub_dimension = "visitType"}``
    or ``{dimension = "userProperty", property = "plan_name"}``; the API's 4015 rules."""
    out = []
    for i, item in enumerate(CHECKS.items(value, name)):
        where = key(f"{name}[{i}]")
        if isinstance(item, str):
            item = {"dimension": item}
        if not isinstance(item, dict):
            raise ConfigurationError(where, f"{item!r} is not a dimension",
                                     '"terminalType" or {dimension = "terminalType", '
                                     'sub_dimension = "visitType"}')
        dim = str(item.get("dimension") or "")
        sub = item.get("sub_dimension") or item.get("subDimension") or None
        prop = item.get("property") or None
        allowed = S.EXPERIENCE_DIMENSIONS
        if dim not in allowed:
            raise ConfigurationError(where, f"'{dim}' is not an experience dimension",
                                     f"use one of {', '.join(allowed)}")
        if sub is not None:
            if dim in S.EXPERIENCE_NO_SUB_DIMENSION:
                raise ConfigurationError(where, f"'{dim}' takes no sub_dimension (API 4015)",
                                         "remove sub_dimension")
            if sub not in allowed or sub in S.EXPERIENCE_NO_SUB_DIMENSION or sub == dim or \
                    {dim, sub} == S.EXPERIENCE_EXCLUSIVE_DIMENSIONS:
                raise ConfigurationError(where, f"sub_dimension '{sub}' cannot go with '{dim}' "
                                         "(API 4015; country and region never combine)",
                                         "pick another sub_dimension")
        if dim == "userProperty" and not prop:
            raise ConfigurationError(where, "userProperty needs a property",
                                     '{dimension = "userProperty", property = "plan_name"}')
        if dim != "userProperty" and prop:
            raise ConfigurationError(where, "property is only for userProperty",
                                     "remove property")
        out.append(ExperienceDimension(dim, None if sub is None else str(sub),
                                       None if prop is None else str(prop)))
    if len(set(out)) != len(out):
        raise ConfigurationError(key(name), "lists a dimension twice", "remove duplicates")
    return tuple(out)
