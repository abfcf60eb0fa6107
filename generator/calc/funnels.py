"""Funnel-plot control limits around the pooled value: exact binomial limits for small
denominators, and Spiegelhalter's (2005) additive random-effects widening when the areas
vary more than chance allows (tested at 95%, z-scores winsorised).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from generator.calc.stats import NAN, Z95, Z998, quantile

MIN_FUNNEL_AREAS = 10  # a funnel around fewer areas says little about any of them
Z_ONE_SIDED_95 = 1.6448536269514722  # the dispersion test's 95% point
DISPERSION_LEVEL = "95%"
WINSOR = 0.10  # Spiegelhalter: winsorise z-scores at the 10th and 90th percentiles


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
