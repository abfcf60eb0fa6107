"""Statistics for benchmarking: intervals, comparisons and quartiles (funnel limits are in
:mod:`generator.calc.funnels`, trends in :mod:`generator.calc.trends`).

Pure functions on numbers. The methods are those used in UK public-sector benchmarking
(Public Health England's Fingertips, NHS Digital):

* Wilson score intervals for proportions (95% and 99.8%), and Poisson limits (exact, then
  Byar's) for counts of events set against people, which can exceed 100%;
* comparison with a target or with the all-areas value decided by whether the interval
  excludes it, polarity-aware;
* quartiles of the areas' values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generator.calc.verdicts import Verdict

Z95 = 1.959963984540054  # two-sided 95%
Z998 = 3.090232306167813  # two-sided 99.8%
MIN_QUARTILE_AREAS = 4

Polarity = Literal["higher_better", "lower_better", "no_judgement"]
NAN = float("nan")


def isnan(x: float | None) -> bool:
    """None or NaN (NaN is the one number unequal to itself: no call into math, millions of times
    in a national build)."""
    return x is None or x != x


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for x successes out of n (as proportions 0-1); NaN when n is 0."""
    if n <= 0:
        return NAN, NAN
    p = x / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = (centre - half) / denom, (centre + half) / denom
    # exact at the ends: no rounding error below 0 or above 1
    return (0.0 if x == 0 else max(0.0, lo)), (1.0 if x == n else min(1.0, hi))


@dataclass(frozen=True)
class Interval:
    value: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


def proportion(x: float, n: float) -> Interval:
    """A proportion with its Wilson 95% and 99.8% intervals (all 0-1; NaN when n is 0)."""
    if n <= 0:
        return Interval(NAN, NAN, NAN, NAN, NAN)
    lo95, hi95 = wilson(x, n, Z95)
    lo998, hi998 = wilson(x, n, Z998)
    return Interval(x / n, lo95, hi95, lo998, hi998)


# -- rates of events ------------------------------------------------------------------------
EXACT_BELOW = 10  # PHE: Byar's method is within 0.2% of the exact limits from 10 events


def _poisson_cdf(k: int, lam: float) -> float:
    """P(X <= k) for X ~ Poisson(lam), k small (the exact limits below :data:`EXACT_BELOW`)."""
    term = total = math.exp(-lam)
    for j in range(1, k + 1):
        term *= lam / j
        total += term
    return total


@functools.cache
def _exact_poisson(x: int, z: float) -> tuple[float, float]:
    """Garwood's exact limits for an observed count x: the means at which x or more, and x or
    fewer, events have the two-sided tail probability of z (by bisection: the CDF falls as the
    mean rises)."""
    tail = 0.5 * math.erfc(z / math.sqrt(2))

    def solve(k: int, p: float) -> float:
        lo, hi = 0.0, 10.0 * (x + 10)
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _poisson_cdf(k, mid) > p else (lo, mid)
        return (lo + hi) / 2

    return (0.0 if x == 0 else solve(x - 1, 1 - tail)), solve(x, tail)


def byar(x: float, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson limits of an observed count x (x > 0)."""
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower, upper


def poisson_limits(x: float, z: float = Z95) -> tuple[float, float]:
    """Limits for the mean count behind an observed count x, as Fingertips gives them: exact
    below :data:`EXACT_BELOW` events, Byar's method from there."""
    if x < EXACT_BELOW:
        return _exact_poisson(int(x), z)
    return byar(x, z)


# -- comparisons ---------------------------------------------------------------------------
BETTER, WORSE, SAME = Verdict.BETTER, Verdict.WORSE, Verdict.SIMILAR
HIGHER, LOWER = Verdict.HIGHER, Verdict.LOWER


def direction(word: Verdict, polarity: Polarity) -> Verdict:
    """Higher or lower as better or worse where the indicator has a direction."""
    if polarity == "higher_better":
        return BETTER if word == HIGHER else WORSE
    if polarity == "lower_better":
        return BETTER if word == LOWER else WORSE
    return word


def compare_interval(lo: float, hi: float, value: float, polarity: Polarity) -> Verdict:
    """Is the interval [lo, hi] wholly above, wholly below, or around ``value``?

    Above when the lower limit is at or above the value (the issue's rule for targets: "better
    if the lower 95% limit is at or above the target"), below when the upper limit is below it.
    """
    if isnan(lo) or isnan(hi) or isnan(value):
        return Verdict.NOT_ASSESSED
    if polarity == "lower_better":  # the rule mirrored: at or below the target is good
        if hi <= value:
            return BETTER
        if lo > value:
            return WORSE
        return SAME
    if lo >= value:
        return direction(HIGHER, polarity)
    if hi < value:
        return direction(LOWER, polarity)
    return SAME


def compare_point(x: float, value: float, polarity: Polarity) -> Verdict:
    """For values with no sampling interval (money, ratios, ratings): a plain comparison."""
    if isnan(x) or isnan(value):
        return Verdict.NOT_ASSESSED
    if x == value:
        return Verdict.EQUAL
    return direction(HIGHER if x > value else LOWER, polarity)


def compare_to_benchmark(
    kind: str,
    lo: float,
    hi: float,
    point: float,
    polarity: Polarity,
    value: float | None = None,
    low: float | None = None,
    high: float | None = None,
) -> Verdict:
    """Judge an indicator against one benchmark from the documents.

    ``lo``/``hi`` are the 95% limits (equal to ``point`` for values without an interval).
    """
    V = Verdict
    if isnan(point):
        return V.NOT_ASSESSED
    if kind == "minimum":
        assert value is not None
        word = compare_interval(lo, hi, value, "higher_better")
        return V.MEETS_TARGET if word == BETTER else V.BELOW_TARGET if word == WORSE else V.NEAR_TARGET
    if kind == "maximum":
        assert value is not None
        word = compare_interval(lo, hi, value, "lower_better")
        return V.WITHIN_MAXIMUM if word == BETTER else V.ABOVE_MAXIMUM if word == WORSE else V.NEAR_MAXIMUM
    if kind == "look_at":
        # A prompt for a question, not a verdict: the document asks for a look at any value
        # outside the band, so the value itself decides; the interval says how sure that is.
        assert low is not None and high is not None
        if point < low:
            return V.LOOK_AT_BELOW if hi < low else V.LOOK_AT_BELOW_MAYBE_CHANCE
        if point > high:
            return V.LOOK_AT_ABOVE if lo > high else V.LOOK_AT_ABOVE_MAYBE_CHANCE
        return V.LOOK_AT_WITHIN if lo >= low and hi <= high else V.LOOK_AT_WITHIN_NEAR_EDGE
    if kind == "range":
        assert low is not None and high is not None
        if hi < low:
            return V.BELOW_RANGE
        if lo > high:
            return V.ABOVE_RANGE
        if lo >= low and hi <= high:
            return V.WITHIN_RANGE
        return V.NEAR_RANGE_EDGE
    if kind == "band":
        # "within or close to" the band is good, "significantly above" it is not (004): where
        # the whole interval lies above or below the band, it is significantly so; an interval
        # that reaches the band is within or close to it
        assert low is not None and high is not None
        if lo > high:
            return V.ABOVE_BAND
        if hi < low:
            return V.BELOW_BAND
        return V.WITHIN_BAND
    if kind == "reference":
        assert value is not None
        word = (
            compare_interval(lo, hi, value, "no_judgement")
            if lo != hi
            else compare_point(point, value, "no_judgement")
        )
        return {HIGHER: V.ABOVE_REFERENCE, LOWER: V.BELOW_REFERENCE, V.EQUAL: V.AT_REFERENCE}.get(
            word, V.SIMILAR_TO_REFERENCE
        )
    return V.CONTEXT_ONLY  # typical_range: never judged


LOOK_AT_EDGE = {  # which limit of a look-at band a verdict names
    Verdict.LOOK_AT_BELOW: "low",
    Verdict.LOOK_AT_BELOW_MAYBE_CHANCE: "low",
    Verdict.LOOK_AT_ABOVE: "high",
    Verdict.LOOK_AT_ABOVE_MAYBE_CHANCE: "high",
}


def fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default, 'type 7')."""
    if not sorted_values:
        return NAN
    pos = (len(sorted_values) - 1) * q
    i = math.floor(pos)
    frac = pos - i
    if i + 1 < len(sorted_values):
        return sorted_values[i] + frac * (sorted_values[i + 1] - sorted_values[i])
    return sorted_values[i]


Quartiles = tuple[float, float, float] | None


def quartiles(values: Sequence[float]) -> Quartiles:
    """The three cut points of ``values`` (NaN left out); None when there are too few areas or
    all are alike, so that quartiles would mean nothing. Worked out once per period and
    indicator, then looked up for each area (:func:`quartile_in`)."""
    clean = sorted(v for v in values if not isnan(v))
    if len(clean) < MIN_QUARTILE_AREAS or clean[0] == clean[-1]:
        return None
    return quantile(clean, 0.25), quantile(clean, 0.5), quantile(clean, 0.75)


def quartile_in(value: float, cuts: Quartiles) -> int | None:
    """Which quartile (1 lowest .. 4 highest) ``value`` falls in, given the cut points."""
    if cuts is None or isnan(value):
        return None
    q1, q2, q3 = cuts
    return 1 if value <= q1 else 2 if value <= q2 else 3 if value <= q3 else 4


def quartile_of(value: float, values: Sequence[float]) -> int | None:
    """Which quartile (1 lowest .. 4 highest) ``value`` falls in among ``values``; None below 4."""
    return quartile_in(value, quartiles(values))


def rounded(values: Sequence[float | None], digits: int) -> list[float | None]:
    """``round(x, digits)`` of each value (None stays None), the same double Python gives, at
    array speed: the scaled value is rounded to a whole number and scaled back, which is
    Python's answer whenever that whole number is right; it can only be wrong when the scaled
    value lies within a rounding error of a half, and those few go to Python's round()."""
    if not values:
        return []
    missing = [x is None for x in values]
    a = np.array([math.nan if x is None else x for x in values], dtype=float)
    scale = 10.0**digits
    with np.errstate(all="ignore"):
        y = a * scale
        out = np.rint(y) / scale
        near_half = np.abs(y - np.floor(y) - 0.5) < 1e-6
        risky = near_half | ~np.isfinite(y) | (np.abs(y) > 2.0**50)
    if risky.any():
        where = np.flatnonzero(risky)
        out[where] = [round(x, digits) for x in a[where].tolist()]
    result: list[float | None] = out.tolist()
    if any(missing):
        return [None if gone else x for x, gone in zip(result, missing, strict=True)]
    return result
