"""The methods of one bag, scalar: means, given values, ratios, costs, rating totals and the
SWEMWBS means and change, each a pure function; :data:`generator.calc.evaluate.METHODS` names
each with its wording.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.calc import disclosure, stats
from generator.calc.pooling import NATIONAL, NUMBER, Bag, below_minimum, count_of, hidden_count, sum_of
from generator.calc.specs import SWEMWBS_METRIC, Spec


# -- the method registry -----------------------------------------------------------------
@dataclass
class Value:
    numerator: float | None = None
    denominator: float | None = None
    value: Any = None
    lower_95: float | None = None
    upper_95: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None
    target_value: float | None = None  # profile: the local population's share
    flags: set[str] = field(default_factory=set)
    # below national level: the published count of people the value rests on (the minimums of
    # generator.calc.disclosure apply to it), and the range the value can be in given the published
    # counts, where it has no interval of its own (a cost per outcome, a ratio)
    rests_on: float | None = None
    range_lo: float | None = None
    range_hi: float | None = None


def m_mean(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    return Value(value=round(statistics.fmean(xs), 2) if xs else None)


MEDIAN_OF_AREAS = "median of areas"


def m_given(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """A figure as returned. Several returns' figures (a unit that sent two) are averaged and
    flagged; for all areas, where a survey estimate comes without the counts to pool it, the
    figure is the median of the areas', flagged so that it never passes for a national rate."""
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    if not xs:
        return Value()
    if bag.area_code == NATIONAL and len(xs) > 1:
        return Value(value=round(statistics.median(xs), 1), flags={MEDIAN_OF_AREAS})
    return Value(
        value=xs[0] if len(xs) == 1 else round(statistics.fmean(xs), 1),
        flags=set() if len(xs) == 1 else {"mean of returns"},
    )


def m_same(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    xs = {str(v) for k in spec.numerator for v in bag.values.get(k, [])}
    if not xs:
        return Value()
    return Value(value=xs.pop() if len(xs) == 1 else "mixed")


def m_max(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    c = count_of(bag, spec.numerator)
    if c is not None:  # the largest caseload: a count of people, published as one
        lo, hi = (c.lo, c.hi) if below_minimum(bag) else (None, None)
        return Value(value=c.point, flags=hidden_count(bag, c, minimum=False), range_lo=lo, range_hi=hi)
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    return Value(value=float(max(xs)) if xs else None)


def m_ratio(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """A ratio of sums (a caseload per specialist): the people above the line as published."""
    num, den = sum_of(bag, spec.numerator), sum_of(bag, spec.denominator)
    den = None if den is None else round(den, 2)  # staff in post (FTE): not people, not rounded to 5
    c = count_of(bag, spec.numerator)
    hidden = hidden_count(bag, c)
    if hidden:
        return Value(num, den, flags=hidden)
    if num is None or den is None or den == 0:
        return Value(num, den)
    lo, hi = (c.lo, c.hi) if c is not None else (num, num)
    return Value(
        num,
        den,
        round(num / den, 2),
        rests_on=c.point if c is not None and below_minimum(bag) else None,
        range_lo=lo / den,
        range_hi=hi / den,
    )


def m_cost(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """Money over the published count of people it bought outcomes for: its range is the money
    over the highest and the lowest count the published one stands for, and its interval the
    money over the Poisson limits of those counts (the outcomes vary by chance; the money does
    not)."""
    num, den = sum_of(bag, spec.numerator), sum_of(bag, spec.denominator)
    c = count_of(bag, spec.denominator)
    hidden = hidden_count(bag, c, column="denominator")
    if hidden:
        return Value(None, den, flags=hidden)
    if num is None or den is None or den == 0:
        return Value(None, den)  # money is published, but never as a numerator beside people
    lo, hi = (c.lo, c.hi) if c is not None else (den, den)
    limits = []  # the money over the Poisson limits of every count the published one stands for
    for z in (stats.Z95, stats.Z998):
        fewest, most = stats.poisson_limits(lo, z)[0], stats.poisson_limits(hi, z)[1]
        limits += [num / most, num / fewest if fewest else None]
    return Value(
        None,
        den,
        round(num / den),
        limits[0],
        limits[1],
        limits[2],
        limits[3],
        rests_on=c.point if c is not None and below_minimum(bag) else None,
        range_lo=num / hi,
        range_hi=num / lo if lo else math.inf,
    )


def _swemwbs(bag: Bag, keys: tuple[str, ...]) -> tuple[float, float, float] | None:
    """(n, mean, variance) of metric scores from counts of raw totals; once per bag and keys
    (the start, end and change indicators all need them)."""
    try:
        return bag.moments[keys]
    except KeyError:
        result = bag.moments[keys] = _moments(bag, keys)
        return result


def _moments(bag: Bag, keys: Sequence[str]) -> tuple[float, float, float] | None:
    n, s, s2 = 0.0, 0.0, 0.0
    for k in keys:
        raw = int(k.rsplit(":s", 1)[-1])
        c = sum(v for v in bag.values.get(k, []) if isinstance(v, NUMBER))
        m = SWEMWBS_METRIC[raw]
        n, s, s2 = n + c, s + c * m, s2 + c * m * m
    if n < 2:
        return None
    mean = s / n
    return n, mean, max(0.0, (s2 - n * mean * mean) / (n - 1))


def _mean_value(bag: Bag, keys: tuple[str, ...]) -> Value:
    got = _estimate(bag, keys)
    if isinstance(got, Hidden):
        return Value(None, got.people, flags=got.flags)
    if got is None:
        return Value()
    return _normal(*got, below_minimum(bag))


@dataclass(frozen=True)
class Hidden:
    """A value not shown, why, and the published count of people it would rest on."""

    flags: set[str]
    people: float | None = None


def _estimate(bag: Bag, keys: tuple[str, ...]) -> tuple[float | None, float, float] | Hidden | None:
    """(people as published, mean, standard error) of the scores under ``keys``; None where no
    one was scored. An area with several providers is their published means weighted by their
    published counts (its own mean, from every score, beside theirs would tie the counts
    down); not shown where any of theirs is not."""
    c = count_of(bag, keys)
    if hidden := hidden_count(bag, c, column="denominator"):
        return Hidden(hidden, c.point if c is not None else None)
    if bag.parts:
        theirs = [_estimate(p, keys) for p in bag.parts]
        if any(isinstance(t, Hidden) for t in theirs):
            return Hidden({disclosure.WITHHELD}, c.point if c is not None else None)
        given = [t for t in theirs if isinstance(t, tuple) and t[0]]
        weight = sum(t[0] or 0.0 for t in given)
        if not weight:
            return None
        mean = sum((t[0] or 0.0) * round(t[1], 2) for t in given) / weight
        # each one's standard error as its published 95% interval gives it
        ses = [
            (round(t[1] + stats.Z95 * t[2], 2) - round(t[1] - stats.Z95 * t[2], 2)) / (2 * stats.Z95)
            for t in given
        ]
        se = math.sqrt(sum(((t[0] or 0.0) * e) ** 2 for t, e in zip(given, ses, strict=True))) / weight
        return (c.point if c is not None else weight), mean, se
    res = _swemwbs(bag, keys)
    if res is None:
        return None
    n, mean, var = res
    return _people(n, c), mean, math.sqrt(var / n)


def _people(n: float, c: disclosure.Count | None) -> float | None:
    """How many people a mean rests on, as published (rounded below national level)."""
    return n if c is None else c.point


def _normal(n: float | None, centre: float, se: float, below: bool) -> Value:
    """A mean (or difference of means) with normal-theory 95% and 99.8% intervals; below
    national level it rests on its published count of people (the minimum for a verdict)."""
    return Value(
        None,
        n,
        round(centre, 2),
        round(centre - stats.Z95 * se, 2),
        round(centre + stats.Z95 * se, 2),
        round(centre - stats.Z998 * se, 2),
        round(centre + stats.Z998 * se, 2),
        rests_on=n if below else None,
    )


def m_swemwbs_start(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _mean_value(bag, spec.numerator)


def m_swemwbs_end(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _mean_value(bag, spec.denominator)


def m_swemwbs_change(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """End less start, their intervals as independent samples (conservative: the template
    collects distributions, not pairs), resting on the fewer people."""
    a, b = _estimate(bag, spec.numerator), _estimate(bag, spec.denominator)
    if isinstance(a, Hidden) or isinstance(b, Hidden):
        flags = (a.flags if isinstance(a, Hidden) else set()) | (b.flags if isinstance(b, Hidden) else set())
        people = [x.people if isinstance(x, Hidden) else x[0] if x else None for x in (a, b)]
        known = [p for p in people if p is not None]
        return Value(None, min(known) if known else None, flags=flags)
    if a is None or b is None:
        return Value()
    fewer = min(x for x in (a[0], b[0]) if x is not None) if a[0] is not None or b[0] is not None else None
    return _normal(fewer, b[1] - a[1], math.sqrt(a[2] ** 2 + b[2] ** 2), below_minimum(bag))


def m_rating_total(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    per_key = [[v for v in bag.values.get(k, []) if isinstance(v, NUMBER)] for k in spec.numerator]
    if not all(per_key):
        return Value(flags={"partial"} if any(per_key) else set())
    return Value(value=round(sum(statistics.fmean(xs) for xs in per_key), 2))
