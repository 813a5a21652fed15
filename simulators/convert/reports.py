"""The simulated stats engine: aggregated and daily experience reports (NOTES.md shapes)."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .model import Experience, Model, day_label, local_day


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def srm_p_value(visitors: list[int], shares: list[float]) -> float | None:
    """Chi-square p-value of the observed split against the planned traffic shares."""
    total = sum(visitors)
    if total == 0:
        return None
    x = sum((n - total * s / 100) ** 2 / (total * s / 100) for n, s in zip(visitors, shares,
                                                                            strict=True) if s)
    df = len(visitors) - 1
    if df == 1:
        p = math.erfc(math.sqrt(x / 2))
    elif df == 2:
        p = math.exp(-x / 2)
    else:
        p = math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    return round(min(1.0, p), 6)


def _conversion_metric(n: int, c: int, n0: int, c0: int, baseline: bool,
                       methodology: str) -> dict[str, Any]:
    rate = c / n if n else 0.0
    rate0 = c0 / n0 if n0 else 0.0
    metric: dict[str, Any] = {"metric_type": "conversion_rate", "metric_total": c,
                              "metric_value": round(rate, 6)}
    if baseline or rate0 == 0 or n == 0:
        metric.update({"metric_change": None, "metric_interval": None})
        if methodology == "bayesian":
            metric.update({"chance_to_win": None, "expected": None, "risk": None})
        else:
            metric.update({"confidence": None, "statistically_significant": False})
        return metric
    se = math.sqrt(rate0 * (1 - rate0) / n0 + rate * (1 - rate) / n) or 1e-9
    z = (rate - rate0) / se
    change = (rate - rate0) / rate0
    metric["metric_change"] = round(change, 6)
    metric["metric_interval"] = [round((rate - rate0 - 1.96 * se) / rate0, 6),
                                 round((rate - rate0 + 1.96 * se) / rate0, 6)]
    score = round(100 * _phi(z), 2)
    if methodology == "bayesian":
        loss = se * math.exp(-z * z / 2) / math.sqrt(2 * math.pi) - (rate - rate0) * (1 - _phi(z))
        metric.update({"chance_to_win": score, "expected": round(change, 6),
                       "risk": round(max(loss, 0.0) / rate0, 6)})
    else:
        metric.update({"confidence": score, "statistically_significant": score >= 95})
    return metric


def _value_metric(kind: str, n: int, total: Decimal | int, n0: int, total0: Decimal | int,
                  baseline: bool) -> dict[str, Any]:
    value = float(total) / n if n else 0.0
    value0 = float(total0) / n0 if n0 else 0.0
    change = None if baseline or not value0 else round((value - value0) / value0, 6)
    return {"metric_type": kind,
            "metric_total": float(total) if isinstance(total, Decimal) else total,
            "metric_value": round(value, 6), "metric_change": change}


def aggregated(model: Model, exp: Experience, goals: list[int], metrics: list[str],
               methodology: str, t0: int, t1: int) -> dict[str, Any]:
    """``data`` of an aggregated report over ``[t0, t1)``."""
    vars_ = exp.variations
    visitors = [model.count(exp, k, None, t0, t1) for k in range(len(vars_))]
    report = []
    for goal_id in goals:
        goal = model.goal(goal_id)
        conv = [model.count(exp, k, goal_id, t0, t1) for k in range(len(vars_))]
        rows = []
        for k, var in enumerate(vars_):
            entries = []
            if "conversion_rate" in metrics:
                entries.append(_conversion_metric(visitors[k], conv[k], visitors[0], conv[0],
                                                  k == 0, methodology))
            if goal is not None and goal.type == "revenue":
                aov, items = model.order_value(exp, goal_id), model.items_per_order(exp, goal_id)
                if "avg_revenue_visitor" in metrics:
                    entries.append(_value_metric("avg_revenue_visitor", visitors[k],
                                                 conv[k] * aov, visitors[0], conv[0] * aov,
                                                 k == 0))
                if "avg_products_ordered_visitor" in metrics:
                    entries.append(_value_metric("avg_products_ordered_visitor", visitors[k],
                                                 conv[k] * items, visitors[0], conv[0] * items,
                                                 k == 0))
            rows.append({"id": var.id, "visitors": visitors[k], "metrics": entries})
        report.append({"goal_id": goal_id,
                       "srm": srm_p_value(visitors, [v.traffic_distribution for v in vars_]),
                       "variations": rows})
    return {"reportData": report,
            "variations_data": [v.as_json() for v in vars_],
            "stats_methodology": methodology}


def daily(model: Model, exp: Experience, goal_id: int, metric: str, cumulative: bool,
          utc_offset: int, t0: int, t1: int) -> dict[str, Any]:
    """``data`` of a daily report over ``[t0, t1)``: one stat per local day and variation."""
    first, last = local_day(t0, utc_offset), local_day(t1 - 1, utc_offset)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    per_unit: Decimal | int = 1
    if metric == "avg_revenue_per_visitor":
        per_unit = model.order_value(exp, goal_id)
    elif metric == "avg_products_ordered_per_visitor":
        per_unit = model.items_per_order(exp, goal_id)
    variations = []
    for k, var in enumerate(exp.variations):
        stats, run_n, run_total = [], 0, 0
        for day in days:
            start = max(t0, day_label(day) - utc_offset)
            end = min(t1, day_label(day) - utc_offset + 86400)
            n = model.count(exp, k, None, start, end)
            total = model.count(exp, k, goal_id, start, end) * per_unit
            if cumulative:
                run_n, run_total = run_n + n, run_total + total
                n, total = run_n, run_total
            stats.append({"timestamp": day_label(day),
                          "value": round(float(total) / n, 6) if n else 0,
                          "totals": float(total) if isinstance(total, Decimal) else total,
                          "visitors": n})
        variations.append({"id": var.id, "name": var.name, "stats": stats})
    return {"reportData": {"goal_id": goal_id, "metric": metric,
                           "report_type": "cumulative" if cumulative else "non_cumulative",
                           "variations": variations}}
