"""Statistics for benchmarking: intervals, comparisons, funnel limits, quartiles and trends.

Pure functions on numbers. The methods are those used in UK public-sector benchmarking
(Public Health England's Fingertips, NHS Digital):

* Wilson score intervals for proportions (95% and 99.8%), and Poisson limits (exact, then
  Byar's) for counts of events set against people, which can exceed 100%;
* comparison with a target or with the all-areas value decided by whether the interval
  excludes it, polarity-aware;
* funnel-plot control limits around the pooled value, with Spiegelhalter's (2005)
  additive random-effects adjustment when the data are overdispersed;
* the chi-squared test for linear trend in proportions (Cochran-Armitage) on the latest five
  periods that do not overlap, at 99.8%, as Fingertips tests recent trends.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from generator.calc.verdicts import Verdict

Z95 = 1.959963984540054  # two-sided 95%
Z998 = 3.090232306167813  # two-sided 99.8%
MIN_TREND_PERIODS = 5
MIN_QUARTILE_AREAS = 4
MIN_FUNNEL_AREAS = 10  # a funnel around fewer areas says little about any of them
Z_ONE_SIDED_95 = 1.6448536269514722  # the dispersion test's 95% point
DISPERSION_LEVEL = "95%"
WINSOR = 0.10  # Spiegelhalter: winsorise z-scores at the 10th and 90th percentiles

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


# -- funnel plots --------------------------------------------------------------------------
@dataclass(frozen=True)
class Funnel:
    """Control limits around a pooled proportion, and how overdispersed the units are."""

    p0: float
    phi: float  # overdispersion factor (1 = as expected by chance)
    tau2: float  # additive between-unit variance (0 when not overdispersed)
    adjusted: bool
    k: int

    @property
    def short(self) -> str:
        if math.isnan(self.phi):
            return "funnel (binomial)"
        return f"funnel phi={self.phi:.2f}" + (" (Spiegelhalter-adjusted)" if self.adjusted else "")


EXACT_FUNNEL_BELOW = 10.0  # n p0 (1 - p0) under this: the normal approximation is poor
FUNNEL_TAILS = (0.025, 0.975, 0.001, 0.999)  # lower and upper 95%, lower and upper 99.8%


@functools.cache
def binomial_limits(n: int, p0: float) -> tuple[float, float, float, float]:
    """Exact binomial funnel limits (0-1) at a denominator n around p0, for the tails of
    :data:`FUNNEL_TAILS`, interpolated between whole counts as Spiegelhalter (2005, appendix)
    gives it: for the tail probability q, r is the smallest count with P(R <= r) >= q and the
    limit is (r - a) / n, where a = (P(R <= r) - q) / (P(R <= r) - P(R <= r - 1))."""
    k = np.arange(n + 1, dtype=float)
    with np.errstate(divide="ignore"):
        steps = np.log(n - k[:-1]) - np.log(k[1:]) + math.log(p0) - math.log1p(-p0)
    log_pmf = np.concatenate(([n * math.log1p(-p0)], n * math.log1p(-p0) + np.cumsum(steps)))
    cdf = np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)
    out = []
    for q in FUNNEL_TAILS:
        r = min(int(np.searchsorted(cdf, q, side="left")), n)
        at, below = float(cdf[r]), float(cdf[r - 1]) if r > 0 else 0.0
        a = (at - q) / (at - below) if at > below else 0.0
        out.append(min(max((r - a) / n, 0.0), 1.0))
    return out[0], out[1], out[2], out[3]


def funnel_limits(
    n: npt.NDArray[np.float64], p: npt.NDArray[np.float64], t2: npt.NDArray[np.float64]
) -> list[npt.NDArray[np.float64]]:
    """Funnel limits (0-1) at denominators ``n``: lower and upper 95%, lower and upper 99.8%;
    NaN where there are none (a denominator of 0, no pooled share). Normal limits (widened by
    tau² where the areas are overdispersed); where they are not widened, n is a whole number and
    n p (1 - p) is under :data:`EXACT_FUNNEL_BELOW`, exact binomial ones
    (:func:`binomial_limits`).
    Python's max() and min() as np.where, NaN and all."""
    cols = _normal_funnel_limits(n, p, t2)
    with np.errstate(invalid="ignore"):
        small = (n > 0) & (p > 0) & (p < 1) & (t2 == 0) & (n * p * (1 - p) < EXACT_FUNNEL_BELOW)
        small &= n == np.floor(n)  # a whole number of people (not a sum with a suppressed 2.5)
    for i in np.flatnonzero(small).tolist():
        for col, limit in zip(cols, binomial_limits(int(n[i]), float(p[i])), strict=True):
            col[i] = limit
    return cols


def _normal_funnel_limits(
    n: npt.NDArray[np.float64], p: npt.NDArray[np.float64], t2: npt.NDArray[np.float64]
) -> list[npt.NDArray[np.float64]]:
    bad = (n <= 0) | np.isnan(p)  # no limits
    with np.errstate(all="ignore"):
        radicand = p * (1 - p) / n + t2
        if (~bad & (radicand < 0)).any():  # a pooled share above 1: math.sqrt raises, as ever
            math.sqrt(float(radicand[~bad & (radicand < 0)][0]))
        spread = np.sqrt(radicand)
        cols = []
        for z in (Z95, Z998):
            lo, hi = p - z * spread, p + z * spread
            cols += [
                np.where(bad, math.nan, np.where(lo > 0.0, lo, 0.0)),
                np.where(bad, math.nan, np.where(hi < 1.0, hi, 1.0)),
            ]
    return cols


def chi2_upper(df: int, z: float = Z_ONE_SIDED_95) -> float:
    """The upper point of chi-squared on ``df`` degrees of freedom at the one-sided normal
    point ``z``, by Wilson and Hilferty's cube-root approximation (within 0.1% from 2 df)."""
    c = 2 / (9 * df)
    return df * (1 - c + z * math.sqrt(c)) ** 3


def funnel(xs: Sequence[float], ns: Sequence[float]) -> Funnel:
    """Pooled proportion and Spiegelhalter's overdispersion estimate for units with x of n. The
    limits are widened only where the dispersion test is significant: k times phi (the mean of
    the squared, winsorised z-scores) above the 95% point of chi-squared on k - 1 df."""
    pairs = [(x, n) for x, n in zip(xs, ns, strict=True) if n > 0]
    k = len(pairs)
    total_n = sum(n for _, n in pairs)
    if k == 0 or total_n == 0:
        return Funnel(NAN, NAN, 0.0, False, 0)
    p0 = sum(x for x, _ in pairs) / total_n
    if p0 in (0.0, 1.0) or k < 2:
        return Funnel(p0, NAN, 0.0, False, k)
    var = [p0 * (1 - p0) / n for _, n in pairs]
    z = [(x / n - p0) / math.sqrt(v) for (x, n), v in zip(pairs, var, strict=True)]
    zw = winsorise(z, WINSOR)
    phi = sum(v * v for v in zw) / k
    tau2 = 0.0
    if phi * k > chi2_upper(k - 1):  # Spiegelhalter: overdispersed beyond chance
        w = [1 / v for v in var]
        tau2 = max(0.0, (k * phi - (k - 1)) / (sum(w) - sum(wi * wi for wi in w) / sum(w)))
    return Funnel(p0, phi, tau2, tau2 > 0, k)


def winsorise(values: Sequence[float], q: float) -> list[float]:
    """Pull values below the q-th and above the (1-q)-th quantile in to those quantiles."""
    if not values:
        return []
    s = sorted(values)
    lo, hi = quantile(s, q), quantile(s, 1 - q)
    return [min(max(v, lo), hi) for v in values]


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


# -- trends --------------------------------------------------------------------------------
# Fingertips' recent-trend method: the chi-squared test for linear trend in proportions
# (Cochran-Armitage, as R's prop.trend.test) on the latest five periods that do not overlap, at
# 99.8% (9.5495 on 1 degree of freedom), once for each series.
TREND_Z = Z998
TREND_LEVEL = "99.8%"
NO_TREND = Verdict.NO_CHANGE
NOT_TESTED = Verdict.NOT_TESTED  # counts, money, ratios, scores


def trend_chi2(xs: Sequence[float], ns: Sequence[float]) -> float:
    """The chi-squared statistic (1 df) for a linear trend in x of n over equally spaced periods,
    with no minimum number of periods; 0 where the pooled share is 0 or 1."""
    z = _trend_z([(i, x, n) for i, (x, n) in enumerate(zip(xs, ns, strict=True)) if n > 0 and not isnan(x)])
    return z * z


def _trend_z(pts: Sequence[tuple[int, float, float]]) -> float:
    total_n = sum(n for _, _, n in pts)
    p = sum(x for _, x, _ in pts) / total_n
    if p in (0.0, 1.0):
        return 0.0
    t_bar = sum(n * t for t, _, n in pts) / total_n
    stat = sum(x * (t - t_bar) for t, x, _ in pts)
    var = p * (1 - p) * sum(n * (t - t_bar) ** 2 for t, _, n in pts)
    return stat / math.sqrt(var) if var > 0 else 0.0


def trend_z(xs: Sequence[float], ns: Sequence[float]) -> float | None:
    """Cochran-Armitage z for a linear trend in proportions over equally spaced periods.

    Periods with no denominator are left out but keep their place (scores are the period's
    position), so a missing period does not distort the spacing. None below five periods.
    """
    pts = [(i, x, n) for i, (x, n) in enumerate(zip(xs, ns, strict=True)) if n > 0 and not isnan(x)]
    if len(pts) < MIN_TREND_PERIODS:
        return None
    return _trend_z(pts)


TREND_WORDS = {
    HIGHER: Verdict.INCREASING,
    LOWER: Verdict.DECREASING,
    BETTER: Verdict.IMPROVING,
    WORSE: Verdict.GETTING_WORSE,
}


def trend(xs: Sequence[float], ns: Sequence[float], polarity: Polarity) -> Verdict:
    """The trend: at least five periods, chi-squared test for linear trend at 99.8%
    (:data:`Verdict.TOO_FEW_PERIODS` below five)."""
    z = trend_z(xs, ns)
    if z is None:
        return Verdict.TOO_FEW_PERIODS
    if abs(z) < TREND_Z:
        return NO_TREND
    verdict = direction(HIGHER if z > 0 else LOWER, polarity)
    return TREND_WORDS[verdict]


# -- trends of many series at once -------------------------------------------------------------
# The same test as trend(), on rows of a matrix (one series per row, all of one length), for a
# national table's tens of thousands of series. Sums run period by period, leaving out what the
# scalar version leaves out, so every figure is the same double it would get; squares are taken
# by Python's ``**`` (the C library's pow, which is not always x * x to the last bit, and numpy
# squares by multiplying).
def _squares(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.array([x**2 for x in a.ravel().tolist()], dtype=float).reshape(a.shape)


def _running(terms: npt.NDArray[np.float64], keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Row sums of ``terms`` where ``keep``, added left to right as Python's sum() would."""
    total = np.zeros(terms.shape[0])
    for j in range(terms.shape[1]):
        total = total + np.where(keep[:, j], terms[:, j], 0.0)
    return total


def _trend_codes(up: npt.NDArray[np.bool_], polarity: Polarity) -> npt.NDArray[np.object_]:
    out = np.full(len(up), TREND_WORDS[direction(LOWER, polarity)], dtype=object)
    out[up] = TREND_WORDS[direction(HIGHER, polarity)]
    return out


def _zs(
    x: npt.NDArray[np.float64], n: npt.NDArray[np.float64], k: npt.NDArray[np.bool_], events: bool = False
) -> npt.NDArray[np.float64]:
    """Each row's z; for events among people (Poisson counts, a rate that may pass 1) the same
    score test with the Poisson variance: the binomial one without its (1 - p)."""
    t = np.broadcast_to(np.arange(x.shape[1], dtype=float), x.shape)
    total_n = _running(n, k)
    p = _running(x, k) / total_n
    t_bar = _running(n * t, k) / total_n
    d = t - t_bar[:, None]
    stat = _running(x * d, k)
    var = (p if events else p * (1 - p)) * _running(n * _squares(d), k)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, stat / np.sqrt(var), 0.0)
    return np.where((p == 0.0) | ((p == 1.0) & (not events)), 0.0, z)


def _holds_at_every_corner(
    x: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    n: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    keep: npt.NDArray[np.bool_],
    rising: bool,
    events: bool,
) -> bool:
    """Whether a series' significant rise (or fall) stays significant, the same way, at every
    corner of its counts' ranges: each period's numerator and denominator at either end of its
    range (4 ** periods corners at most, 1,024 for five)."""
    width = len(keep)
    corners = np.array(np.meshgrid(*([[0, 1]] * (2 * width)), indexing="ij")).reshape(2 * width, -1).T
    xs = np.where(corners[:, :width] == 1, x[1], x[0])
    ns = np.where(corners[:, width:] == 1, n[1], n[0])
    if not events:  # a share's numerator is never above its denominator
        ok = ((xs <= ns) | ~keep).all(axis=1)
        xs, ns = xs[ok], ns[ok]
    if not len(xs):
        return False
    z = _zs(xs, ns, np.broadcast_to(keep, xs.shape), events)
    return bool((z >= TREND_Z).all() if rising else (z <= -TREND_Z).all())


def trends(
    xs: npt.NDArray[np.float64],
    ns: npt.NDArray[np.float64],
    polarity: Polarity,
    *,
    x_lo: npt.NDArray[np.float64] | None = None,
    x_hi: npt.NDArray[np.float64] | None = None,
    events: bool = False,
    n_lo: npt.NDArray[np.float64] | None = None,
    n_hi: npt.NDArray[np.float64] | None = None,
) -> list[Verdict]:
    """:func:`trend` of each row of ``xs`` out of ``ns``. Where each count is known only to lie
    in a range (``x_lo``..``x_hi``, ``n_lo``..``n_hi``: rounded counts), a rise or fall is said
    only if it holds at every corner of those ranges (each numerator and denominator at either
    end, a numerator never above its denominator for a share)."""
    keep = (ns > 0) & ~np.isnan(xs)
    have = keep.sum(axis=1)
    out = np.full(len(have), Verdict.TOO_FEW_PERIODS, dtype=object)
    enough = have >= MIN_TREND_PERIODS
    if enough.any():
        x, n, k = xs[enough], ns[enough], keep[enough]
        z = _zs(x, n, k, events)
        significant = np.abs(z) >= TREND_Z
        if x_lo is not None and x_hi is not None and significant.any():
            lo, hi = x_lo[enough], x_hi[enough]
            nlo = n if n_lo is None else n_lo[enough]
            nhi = n if n_hi is None else n_hi[enough]
            for r in np.flatnonzero(significant).tolist():
                significant[r] = _holds_at_every_corner(
                    (lo[r], hi[r]), (nlo[r], nhi[r]), k[r], bool(z[r] > 0), events
                )
        found = _trend_codes(z > 0, polarity)
        found[~significant] = NO_TREND
        out[enough] = found
    codes: list[Verdict] = out.tolist()
    return codes


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
