"""Display strings exactly as the Ptengine doc shows them."""

from __future__ import annotations

from fractions import Fraction

Number = int | Fraction


def integer(n: Number) -> str:
    """``15234`` -> ``"15,234"`` (negative: ``"-21,100"``)."""
    return f"{round(n):,}"


def rate(x: Number) -> str:
    """``0.4523`` -> ``"45.23%"``."""
    return f"{float(x) * 100:.2f}%"


def decimal(x: Number) -> str:
    """``2.5612`` -> ``"2.56"``."""
    return f"{float(x):.2f}"


def hms(seconds: Number) -> str:
    """``169`` -> ``"00:02:49"`` (data-center visit duration)."""
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def short_duration(seconds: Number) -> str:
    """``90`` -> ``"1m 30s"``, ``5`` -> ``"5s"``, ``3725`` -> ``"1h 2m 5s"``."""
    s = round(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    if h:
        return f"{h}h {m}m {sec}s"
    return f"{m}m {sec}s" if m else f"{sec}s"


def load_time(seconds: Number) -> str:
    """``2.4512`` -> ``"2.45s"`` (data-center tables and curves)."""
    return f"{float(seconds):.2f}s"


def compact_seconds(seconds: Number) -> str:
    """``4.0`` -> ``"4s"``, ``2.45`` -> ``"2.45s"`` (overview load time)."""
    return f"{float(seconds):.2f}".rstrip("0").rstrip(".") + "s"


def site_value(metric: str, value: Number) -> str:
    """A data-center metric as ``dimension_table`` / ``metric_curve`` show it."""
    if metric in ("avgVisitDuration", "avgTimeOnPage"):
        return hms(value)
    if metric == "avgLoadTime":
        return load_time(value)
    if metric.endswith("Rate"):
        return rate(value)
    if metric in ("avgVisits", "avgPageView", "avgPageVisits"):
        return decimal(value)
    return integer(value)


def overview_value(metric: str, value: Number) -> str:
    """A data-center metric as the ``overview`` ``metrics`` topic shows it."""
    if metric == "avgVisitDuration":
        return short_duration(value)
    if metric == "avgLoadTime":
        return compact_seconds(value)
    return site_value(metric, value)


def heatmap_value(value_type: str, value: Number) -> str:
    """A heatmap metric by its settings type (INTEGER, RATE, TIME, DECIMAL)."""
    if value_type == "RATE":
        return rate(value)
    if value_type == "TIME":
        return short_duration(value)
    if value_type == "DECIMAL":
        return decimal(value)
    return integer(value)


def column_type(value_type: str) -> str:
    """The ``dataType`` a table column declares (the doc says NUMBER for decimals)."""
    return "NUMBER" if value_type in ("DECIMAL", "MONEY") else value_type
