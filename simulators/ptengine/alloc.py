"""Exact integer arithmetic the model is built on: rounding, allocation, caps.

Counts are plain ``dict[str, int]`` keyed by quantity name (``visits``, ``goal:<id>``,
``ev:<event>``, ...). Every split of a count is a largest-remainder allocation with
integer weights, so parts always sum exactly to the whole and two runs agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from random import Random

from ..machinery import largest_remainder

Counts = dict[str, int]

HALF = Fraction(1, 2)


def round_half_up(x: Fraction | int) -> int:
    """Round to the nearest integer, halves up (exact for fractions)."""
    return math.floor(x + HALF)


def ratio(num: int | Fraction, den: int | Fraction) -> Fraction:
    """``num / den`` as a fraction, 0 when the denominator is 0."""
    return Fraction(num) / Fraction(den) if den else Fraction(0)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Negative totals are split like their absolute value; all-zero weights split evenly.
    """
    n = len(weights)
    if n == 0 or total == 0:
        return [0] * n
    if total < 0:
        return [-x for x in allocate(-total, weights)]
    if sum(weights) <= 0:
        weights = [1] * n
    s = sum(weights)
    quotas = [total * w for w in weights]
    return largest_remainder(total, [q // s for q in quotas], [q % s for q in quotas])


def caps_of(quantity: str) -> tuple[str, ...]:
    """The quantity that bounds ``quantity`` row by row (bounces <= visits, ...).

    One bound each, so a clamp is always feasible (event sessions are bounded by the
    event's count, the bound an event row shows).
    """
    if quantity.startswith("evs:"):
        return ("ev:" + quantity[4:],)
    if quantity in ("users", "new_visits", "bounces", "conversions") or \
            quantity.startswith("goal:"):
        return ("visits",)
    return ()


def clamp(rows: Sequence[Counts], quantity: str, caps: Iterable[str]) -> None:
    """Move any excess of ``quantity`` over its caps to rows with headroom (sum kept)."""
    caps = tuple(caps)
    if not caps:
        return

    def cap(row: Counts) -> int:
        return min(row.get(k, 0) for k in caps)

    excess = 0
    for row in rows:
        over = row.get(quantity, 0) - cap(row)
        if over > 0:
            row[quantity] -= over
            excess += over
    if not excess:
        return
    order = sorted(range(len(rows)), key=lambda i: (rows[i][quantity] - cap(rows[i]), i))
    for i in order:
        room = cap(rows[i]) - rows[i][quantity]
        if room > 0:
            give = min(room, excess)
            rows[i][quantity] += give
            excess -= give
            if not excess:
                return
    rows[0][quantity] += excess  # nowhere to put it: keep the sum right


def split(counts: Counts, weights: Sequence[int], rng: Random,
          fixed: Mapping[str, Sequence[int]] | None = None) -> list[Counts]:
    """Split every quantity of ``counts`` over categories.

    Visits follow ``weights``; each other quantity follows the categories' visits times
    a fresh skew drawn from ``rng`` (so rates differ by category), money (``value:<id>``)
    follows its goal's completions exactly; quantities in ``fixed`` are given outright.
    Capped quantities are then clamped so no category has e.g. more bounces than visits.
    """
    fixed = fixed or {}
    n = len(weights)
    rows: list[Counts] = [{} for _ in range(n)]
    visits = list(fixed["visits"]) if "visits" in fixed else allocate(counts["visits"], weights)
    for i in range(n):
        rows[i]["visits"] = visits[i]
    for q, total in counts.items():
        if q == "visits":
            continue
        if q in fixed:
            parts = list(fixed[q])
        elif q.startswith("value:"):
            parts = allocate(total, [r.get("goal:" + q[6:], 0) for r in rows])
        else:
            skew = [rng.randint(85, 115) for _ in range(n)]
            parts = allocate(total, [visits[i] * skew[i] for i in range(n)])
        for i in range(n):
            rows[i][q] = parts[i]
        clamp(rows, q, caps_of(q))
    return rows


def add_into(target: Counts, other: Counts) -> Counts:
    """Add ``other`` into ``target`` key by key; returns ``target``."""
    for k, v in other.items():
        target[k] = target.get(k, 0) + v
    return target


def scale_rows(rows: dict[str, Counts], factor: Callable[[str], Fraction],
               capped: bool = True) -> dict[str, Counts]:
    """Scale every quantity of a row set by ``factor(quantity)``.

    Each quantity's new total is rounded once (halves up) and reallocated over the rows
    in proportion to their old values, so scaled rows still sum to the scaled total and
    one row set and its total agree. With ``capped``, totals and rows respect
    :func:`caps_of`.
    """
    if not rows:
        return {}
    names = list(rows)
    keys = list(dict.fromkeys(k for r in rows.values() for k in r))
    old = {q: [rows[n].get(q, 0) for n in names] for q in keys}
    factors = {q: factor(q) for q in keys}
    if all(f == 1 for f in factors.values()):
        return {n: dict(rows[n]) for n in names}
    targets: dict[str, int] = {}
    for q in keys:
        total = sum(old[q])
        targets[q] = total if factors[q] == 1 else round_half_up(total * factors[q])
        if capped:
            for k in caps_of(q):
                if k in targets:
                    targets[q] = min(targets[q], targets[k])
    out: list[Counts] = [{} for _ in names]
    for q in keys:
        parts = old[q] if targets[q] == sum(old[q]) else allocate(targets[q],
                                                                    [abs(v) for v in old[q]])
        for i, v in enumerate(parts):
            out[i][q] = v
        if capped:
            clamp(out, q, caps_of(q))
    return dict(zip(names, out, strict=True))
