"""generator/calc/funnels.py: funnel limits, pinned against references computed independently.

Overdispersion recomputed here with plain arithmetic following Spiegelhalter (2005), Statistics
in Medicine 24:1185-1202; exact binomial limits as his interpolated quantiles.
"""

from __future__ import annotations

import math

import pytest

from generator.calc import funnels, stats


def _phi_by_hand(xs, ns):
    p0 = sum(xs) / sum(ns)
    z = sorted((x / n - p0) / math.sqrt(p0 * (1 - p0) / n) for x, n in zip(xs, ns, strict=True))
    k = len(z)

    def q(p):  # numpy 'linear' percentile
        pos = (k - 1) * p
        i = int(pos)
        return z[i] + (pos - i) * (z[min(i + 1, k - 1)] - z[i])

    lo, hi = q(0.1), q(0.9)
    zw = [min(max(v, lo), hi) for v in z]
    return p0, sum(v * v for v in zw) / k


def _arrays(n: float, p0: float, tau2: float) -> tuple[object, object, object]:
    """One denominator, centre and variance as the one-element arrays funnel_limits takes."""
    np = pytest.importorskip("numpy")
    return np.array([float(n)]), np.array([p0]), np.array([tau2])


def test_funnel_overdispersion_matches_a_hand_calculation():
    xs = [10, 40, 25, 60, 5, 33, 48, 12]
    ns = [100, 110, 90, 120, 80, 100, 105, 95]
    f = funnels.funnel(xs, ns)
    p0, phi = _phi_by_hand(xs, ns)
    assert f.p0 == pytest.approx(p0) and f.phi == pytest.approx(phi)
    assert f.adjusted and f.tau2 > 0
    w = [n / (p0 * (1 - p0)) for n in ns]
    tau2 = (len(ns) * phi - (len(ns) - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))
    assert f.tau2 == pytest.approx(tau2)
    lo, hi, _, _ = (float(c[0]) for c in funnels.funnel_limits(*_arrays(100, f.p0, f.tau2)))
    s = math.sqrt(p0 * (1 - p0) / 100 + tau2)
    assert (lo, hi) == pytest.approx((max(0.0, p0 - stats.Z95 * s), p0 + stats.Z95 * s))  # never below 0


def test_funnel_edge_cases():
    same = funnels.funnel([10, 20, 30, 40], [100, 200, 300, 400])  # all areas identical
    assert same.phi == 0 and not same.adjusted
    lo, hi, _, _ = (float(c[0]) for c in funnels.funnel_limits(*_arrays(100, same.p0, same.tau2)))
    assert lo < 0.1 < hi
    one = funnels.funnel([10], [50])  # one area only
    assert one.k == 1 and math.isnan(one.phi) and not one.adjusted
    empty = funnels.funnel([], [])
    assert empty.k == 0 and math.isnan(funnels.funnel_limits(*_arrays(10, empty.p0, empty.tau2))[0][0])


def test_the_dispersion_test_widens_a_funnel_only_beyond_chance():
    """Spiegelhalter (2005): k times phi against chi-squared on k - 1 df. The 95% points are
    those of the tables (16.919 on 9 df, 30.144 on 19, 124.342 on 100) to within 0.1%."""
    for df, table in ((9, 16.919), (19, 30.144), (100, 124.342)):
        assert funnels.chi2_upper(df) == pytest.approx(table, rel=1e-3)
    ns = [100] * 10
    within = funnels.funnel([40, 52, 45, 55, 38, 50, 47, 60, 42, 51], ns)  # k phi about 13.6 < 16.9
    assert within.phi > 1 and within.tau2 == 0 and not within.adjusted
    beyond = funnels.funnel([20, 70, 45, 55, 30, 80, 47, 60, 25, 65], ns)
    assert beyond.adjusted and beyond.tau2 > 0


def test_exact_binomial_funnel_limits_are_spiegelhalters_interpolated_quantiles():
    """Spiegelhalter (2005, appendix): for the tail probability q, r is the smallest count with
    P(R <= r) >= q and the limit (r - a) / n, a = (P(R <= r) - q) / (P(R <= r) - P(R <= r - 1));
    here against scipy's binomial distribution, and the normal limits they replace at small n."""
    binom = pytest.importorskip("scipy.stats").binom
    for n, p0 in ((20, 0.3), (50, 0.1), (8, 0.5), (30, 0.8)):
        want = []
        for q in funnels.FUNNEL_TAILS:
            r = binom.ppf(q, n, p0)
            at, below = binom.cdf(r, n, p0), binom.cdf(r - 1, n, p0)
            want.append(min(max((r - (at - q) / (at - below)) / n, 0.0), 1.0))
        assert funnels.binomial_limits(n, p0) == pytest.approx(want, abs=1e-12)
    # at n = 20 around 30% the normal 95% lower limit (9.9%) is nearly 2 points off the exact 8.1%
    lo95 = funnels.binomial_limits(20, 0.3)[0]
    normal = 0.3 - stats.Z95 * math.sqrt(0.3 * 0.7 / 20)
    assert abs(lo95 - normal) > 0.005
