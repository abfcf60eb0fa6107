"""The method registry, evaluated an indicator at a time over every unit: proportions with
Wilson intervals, rates, sums and ratios as numpy columns, by the same floating-point steps
as the scalar functions of :mod:`generator.calc.stats`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.base.tables import take
from generator.calc import disclosure, stats
from generator.calc.methods import (
    Value,
    m_cost,
    m_given,
    m_max,
    m_mean,
    m_rating_total,
    m_ratio,
    m_same,
    m_swemwbs_change,
    m_swemwbs_end,
    m_swemwbs_start,
)
from generator.calc.pooling import NATIONAL, NUMBER, Bag, below_minimum, count_of, hidden_count, sum_of
from generator.calc.specs import Spec


@dataclass(frozen=True)
class Unit:
    """A bag with what every indicator's row for it needs besides its value."""

    bag: Bag
    context: Bag | None  # Section A for its area and year: the local population
    area_name: str
    provider_name: str


@dataclass
class Found:
    """One indicator's values for the units that have one, column by column."""

    units: list[Unit]
    numerator: list[float | None]
    denominator: list[float | None]
    value: list[Any]
    lower_95: list[float | None]
    upper_95: list[float | None]
    lower_998: list[float | None]
    upper_998: list[float | None]
    target_value: list[float | None]
    flags: list[frozenset[str]]
    rests_on: list[float | None]  # see Value
    range_lo: list[float | None]
    range_hi: list[float | None]

    def take(self, order: Sequence[int]) -> Found:
        """The rows in ``order``."""
        return Found(**take(vars(self), order))


NO_FLAGS: frozenset[str] = frozenset()
NO_DENOMINATOR = frozenset({"no denominator"})


def _sums(spec: Spec, units: list[Unit]) -> Found:
    """Counts and money: the numerator's sum for every unit that has any (two rows in five); a
    count of people as published, a suppressed or withheld one blank with its flag."""
    counts = [count_of(u.bag, spec.numerator) for u in units]
    sums = [
        sum_of(u.bag, spec.numerator) if c is None else c.point for u, c in zip(units, counts, strict=True)
    ]
    keep = [
        i for i, (total, c) in enumerate(zip(sums, counts, strict=True)) if total is not None or c is not None
    ]
    none: list[float | None] = [None] * len(keep)  # one list for every blank column: read only
    spans = [
        (c.lo, c.hi) if (c := counts[i]) is not None and below_minimum(units[i].bag) else (None, None)
        for i in keep
    ]
    return Found(
        [units[i] for i in keep],
        numerator=none,
        denominator=none,
        value=[sums[i] for i in keep],
        lower_95=none,
        upper_95=none,
        lower_998=none,
        upper_998=none,
        target_value=none,
        flags=[_state_flags(counts[i]) for i in keep],
        # a count of people is judged against a target over the range its published figure
        # stands for (money and other sums are exact)
        rests_on=none,
        range_lo=[r[0] for r in spans],
        range_hi=[r[1] for r in spans],
    )


def _state_flags(c: disclosure.Count | None) -> frozenset[str]:
    return NO_FLAGS if c is None or c.shown else _FLAG[c.state]


_FLAG = {s: frozenset({s}) for s in disclosure.HIDDEN}


def _each(method: Scalar) -> Evaluate:
    """A method that works on one bag at a time, for every unit."""

    def evaluate(spec: Spec, units: list[Unit]) -> Found:
        kept, values = [], []
        for unit in units:
            v = method(spec, unit.bag, unit.context)
            if v.value is None and v.numerator is None and v.denominator is None and not v.flags:
                continue
            kept.append(unit)
            values.append(v)
        return Found(
            kept,
            [v.numerator for v in values],
            [v.denominator for v in values],
            [v.value for v in values],
            [v.lower_95 for v in values],
            [v.upper_95 for v in values],
            [v.lower_998 for v in values],
            [v.upper_998 for v in values],
            [v.target_value for v in values],
            [frozenset(v.flags) for v in values],
            [v.rests_on for v in values],
            [v.range_lo for v in values],
            [v.range_hi for v in values],
        )

    return evaluate


def _ratios(spec: Spec, units: list[Unit]) -> Found:
    """A caseload per specialist: at each quarter-end, the unit's published caseload over its
    staff (an area's providers' caseloads and staff added up first); over 12 months, as the
    definition says, the mean of the four quarter-ends' ratios (not the ratio of the sums), its
    range the mean of theirs, resting on the smallest quarter-end caseload. Its numerator and
    denominator are left blank: summed over the four quarter-ends they would not divide into
    it (the quarters' rows show theirs). A window that is not shown for some quarter is not
    shown either, with that quarter's flags."""
    found = _each(m_ratio)(spec, units)
    at = {(u.bag.area_code, u.bag.provider_code, u.bag.period): j for j, u in enumerate(found.units)}
    for j, u in enumerate(found.units):
        b = u.bag
        if not b.rolling:
            continue
        found.numerator[j] = found.denominator[j] = None
        qs = [at.get((b.area_code, b.provider_code, q)) for q in disclosure.quarters_of(b.period)]
        rows = [i for i in qs if i is not None]
        hidden = [i for i in rows if not isinstance(found.value[i], NUMBER)]
        if hidden or not rows:
            found.value[j] = found.range_lo[j] = found.range_hi[j] = None
            found.flags[j] = frozenset().union(*(found.flags[i] for i in hidden))
            continue
        ratios = [(found.numerator[i] or 0.0) / (found.denominator[i] or 1.0) for i in rows]
        found.value[j] = round(statistics.fmean(ratios), 2)
        los, his = [found.range_lo[i] for i in rows], [found.range_hi[i] for i in rows]
        if all(x is not None for x in (*los, *his)):
            found.range_lo[j] = statistics.fmean(x for x in los if x is not None)
            found.range_hi[j] = statistics.fmean(x for x in his if x is not None)
        rests = [r for i in rows if (r := found.rests_on[i]) is not None]
        found.rests_on[j] = min(rests) if rests else None
    return found


def _proportions(spec: Spec, units: list[Unit]) -> Found:
    """Rates with Wilson intervals for every unit that has a numerator or a denominator, on
    arrays, by the same floating-point steps as :func:`stats.wilson`; for a profile, each area's
    local population share beside it.

    Below national level the rate is the published numerator over the published denominator,
    and its interval the union of the Wilson intervals of every pair of counts the published
    pair stands for (:mod:`generator.calc.disclosure`): from the lowest numerator over the highest
    denominator to the highest over the lowest. National counts are exact, and so is all this.
    Events set against people (an event rate, which can pass 100%) have Poisson limits on the
    events instead (:func:`stats.poisson_limits`), over the people, the same way round."""
    events = spec.method == "event_rate"
    counts = [(count_of(u.bag, spec.numerator), count_of(u.bag, spec.denominator)) for u in units]
    keep = [i for i, (x, n) in enumerate(counts) if x is not None or n is not None]
    kept = [units[i] for i in keep]
    m = len(kept)
    none: list[float | None] = [None] * m
    num, den = none[:], none[:]
    value, lo95, hi95, lo998, hi998 = none[:], none[:], none[:], none[:], none[:]
    rests_on = none[:]
    flags: list[frozenset[str]] = [NO_FLAGS] * m
    rated, box = [], []
    for j, i in enumerate(keep):
        x, n = counts[i]
        bag = kept[j].bag
        num[j] = x.point if x is not None else None
        den[j] = n.point if n is not None else None
        if below_minimum(bag) and n is not None:
            rests_on[j] = n.point
        hidden = hidden_count(bag, x, minimum=False) | hidden_count(
            bag, n, minimum=False, column="denominator"
        )
        if not hidden:
            hidden = hidden_count(bag, n)
        if hidden:
            flags[j] = frozenset(hidden)
            continue
        if den[j] == 0 and num[j] is not None:
            flags[j] = NO_DENOMINATOR
            continue
        if x is None or n is None or x.point is None or n.point is None or n.point <= 0:
            continue
        xhi = x.hi if events else min(x.hi, n.hi)
        rated.append(j)
        box.append((x.point, n.point, x.lo, n.hi, xhi, n.lo if events else max(n.lo, xhi)))
    if rated:
        cols = np.array(box, dtype=float).T
        limits = _poisson_percent if events else wilson_percent
        point = limits(cols[0], cols[1])
        low = limits(cols[2], cols[3])
        high = limits(cols[4], cols[5])
        for target, col in zip(
            (value, lo95, hi95, lo998, hi998), (point[0], low[1], high[2], low[3], high[4]), strict=True
        ):
            for j, c in zip(rated, col, strict=True):
                target[j] = c
    target_value: list[float | None] = none[:]
    if spec.method == "profile":  # not for all areas: populations are not collected to weight
        for j, unit in enumerate(kept):  # the areas' shares by, and their mean is no national share
            if unit.context is not None and unit.bag.area_code != NATIONAL:
                ref = [
                    x for k in spec.reference for x in unit.context.values.get(k, []) if isinstance(x, NUMBER)
                ]
                if ref:
                    target_value[j] = float(ref[0]) if len(ref) == 1 else statistics.fmean(ref)
    return Found(kept, num, den, value, lo95, hi95, lo998, hi998, target_value, flags, rests_on, none, none)


def wilson_percent(x: np.ndarray, n: np.ndarray) -> list[list[float | None]]:
    """Value and Wilson 95% and 99.8% limits, as percentages, for x of n (n > 0): the steps of
    :func:`stats.wilson` in its order, so every figure is the same double; Python's max() and
    min() as np.where (they keep 0 and 1 where the limit is NaN, as np.maximum would not). Where
    Python's arithmetic would raise (a numerator above its denominator; a denominator so small
    that 4n² is nothing), the scalar function is run to raise just as it always has."""
    with np.errstate(all="ignore"):
        p = x / n
        out = [100 * p]
        for z in (stats.Z95, stats.Z998):
            zz = z * z
            radicand = p * (1 - p) / n + zz / (4 * n * n)
            if (radicand < 0).any() or (4 * n * n == 0).any():
                for xi, ni in zip(x.tolist(), n.tolist(), strict=True):
                    stats.wilson(xi, ni, z)
            denom = 1 + zz / n
            centre = p + zz / (2 * n)
            half = z * np.sqrt(radicand)
            lo, hi = (centre - half) / denom, (centre + half) / denom
            lo = np.where(x == 0, 0.0, np.where(lo > 0.0, lo, 0.0))
            hi = np.where(x == n, 1.0, np.where(hi < 1.0, hi, 1.0))
            out += [100 * lo, 100 * hi]
    return [[None if c != c else c for c in col.tolist()] for col in out]


def _poisson_percent(x: np.ndarray, n: np.ndarray) -> list[list[float | None]]:
    """Value and Poisson 95% and 99.8% limits, as percentages, for x events among n people."""
    out: list[list[float | None]] = [(100 * x / n).tolist()]
    for z in (stats.Z95, stats.Z998):
        pairs = [stats.poisson_limits(xi, z) for xi in x.tolist()]
        out += [[100 * lo / ni for (lo, _), ni in zip(pairs, n.tolist(), strict=True)]]
        out += [[100 * hi / ni for (_, hi), ni in zip(pairs, n.tolist(), strict=True)]]
    return out


Scalar = Callable[[Spec, Bag, "Bag | None"], Value]  # one bag (and its local population)
Evaluate = Callable[[Spec, list[Unit]], Found]  # every unit at once


@dataclass(frozen=True)
class Method:
    """A derived indicator's method: how it is worked out and how it is described, together, so
    that what the site and the data dictionary say is what the code does. ``short``: the
    published rows' ``method`` column (the Notes sheet and the data dictionary explain it in
    full); ``words``: the same in a sentence, on the methods page and each indicator's page."""

    evaluate: Evaluate
    short: str
    words: str


METHODS: dict[str, Method] = {
    "proportion": Method(
        _proportions,
        "Wilson score interval",
        "numerator divided by denominator, as a percentage",
    ),
    "event_rate": Method(
        _proportions,
        "Poisson interval (events per person)",
        "events (which can be more than the people) divided by people, as a percentage",
    ),
    "sum": Method(
        _sums,
        "sum of returns",
        "the total of the providers' returns (over four quarters, for a 12-month value)",
    ),
    "mean": Method(
        _each(m_mean),
        "mean of returns",
        "the mean of the returns",
    ),
    "given": Method(
        _each(m_given),
        "as returned",
        "as returned",
    ),
    "same": Method(
        _each(m_same),
        "as returned, or 'mixed'",
        "as returned; where returns differ, 'mixed'",
    ),
    "ratio": Method(
        _ratios,
        "ratio of sums at each quarter-end; over 12 months their mean",
        "one total divided by the other at each quarter-end; over 12 months, the mean of the four",
    ),
    "max": Method(
        _each(m_max),
        "largest of the returns' values",
        "the largest returned value",
    ),
    "cost_per_outcome": Method(
        _each(m_cost),
        "cost incl. overheads / outcomes; Poisson interval on the outcomes",
        "total cost, including overheads, divided by the number of job outcomes",
    ),
    "profile": Method(
        _proportions,
        "Wilson score interval; vs local population",
        "each group's share of new referrals, next to its share of the local population",
    ),
    "swemwbs_start": Method(
        _each(m_swemwbs_start),
        "SWEMWBS metric mean (Rasch-converted)",
        "mean SWEMWBS metric score, each raw total converted with the Rasch table",
    ),
    "swemwbs_end": Method(
        _each(m_swemwbs_end),
        "SWEMWBS metric mean (Rasch-converted)",
        "mean SWEMWBS metric score, each raw total converted with the Rasch table",
    ),
    "swemwbs_change": Method(
        _each(m_swemwbs_change),
        "difference of SWEMWBS metric means",
        "difference between the mean SWEMWBS metric scores at the end and the start",
    ),
    "rating_total": Method(
        _each(m_rating_total),
        "sum of ratings",
        "the total of the ratings",
    ),
}
