"""Statistical methods, pinned against references computed independently.

References: Wilson intervals from statsmodels 0.14 `proportion_confint(method="wilson")` (run
outside this project) and from Newcombe (1998), Statistics in Medicine 17:857-872, Table I;
the trend z from statsmodels' `Table.test_ordinal_association`, which uses an N-1 variance
(so ours equals it times sqrt(N/(N-1))); funnel overdispersion recomputed here with plain
arithmetic following Spiegelhalter (2005), Statistics in Medicine 24:1185-1202.
"""

from __future__ import annotations

import math

import pytest

from generator.calc import funnels, stats, trends, verdicts
from generator.calc.verdicts import Verdict as V


@pytest.mark.parametrize(
    ("x", "n", "lo95", "hi95", "lo998", "hi998"),
    [
        (10, 50, 0.1124, 0.3304, 0.0809, 0.4154),  # TOOLING.md reference; statsmodels
        (81, 263, 0.2553, 0.3662, 0.2280, 0.4014),  # Newcombe 1998 Table I; statsmodels
        (15, 148, 0.0624, 0.1605, 0.0474, 0.2036),  # Newcombe 1998; statsmodels
        (0, 20, 0.0, 0.1611, 0.0, 0.3232),  # zero numerator: Newcombe 1998
        (1, 29, 0.0061, 0.1718, 0.0030, 0.2966),  # Newcombe 1998
        (29, 29, 0.8830, 1.0, 0.7523, 1.0),  # numerator equals denominator
        (5, 5, 0.5655, 1.0, 0.3437, 1.0),
    ],
)
def test_wilson_matches_published_and_independent_values(x, n, lo95, hi95, lo998, hi998):
    assert stats.wilson(x, n) == pytest.approx((lo95, hi95), abs=5e-5)
    assert stats.wilson(x, n, stats.Z998) == pytest.approx((lo998, hi998), abs=5e-5)


def test_wilson_with_no_denominator_is_undefined_not_zero():
    lo, hi = stats.wilson(0, 0)
    assert math.isnan(lo) and math.isnan(hi)
    assert math.isnan(stats.proportion(0, 0).value)


def test_interval_rule_against_a_target():
    """Better if the lower 95% limit is at or above the target, worse if the upper is below."""
    assert stats.compare_interval(0.70, 0.80, 0.70, "higher_better") == V.BETTER
    assert stats.compare_interval(0.50, 0.69, 0.70, "higher_better") == V.WORSE
    assert stats.compare_interval(0.60, 0.75, 0.70, "higher_better") == V.SIMILAR
    assert stats.compare_interval(0.50, 0.69, 0.70, "lower_better") == V.BETTER  # polarity-aware
    assert stats.compare_interval(0.50, 0.69, 0.70, "no_judgement") == V.LOWER


def test_benchmark_kinds_in_words():
    c = stats.compare_to_benchmark
    assert c("minimum", 72, 80, 76, "higher_better", value=70) == V.MEETS_TARGET
    assert c("minimum", 50, 69, 60, "higher_better", value=70) == V.BELOW_TARGET
    assert c("minimum", 60, 75, 68, "higher_better", value=70) == V.NEAR_TARGET
    assert c("maximum", 4500, 4500, 4500, "lower_better", value=4024) == V.ABOVE_MAXIMUM
    assert c("maximum", 3000, 3000, 3000, "lower_better", value=4024) == V.WITHIN_MAXIMUM
    assert c("look_at", 15, 28, 21, "higher_better", low=30, high=61) == V.LOOK_AT_BELOW
    assert c("look_at", 62, 70, 66, "higher_better", low=30, high=61) == V.LOOK_AT_ABOVE
    # a look-at band is a prompt: the value decides, the interval says whether it may be chance
    assert c("look_at", 57, 70, 64, "higher_better", low=30, high=61) == V.LOOK_AT_ABOVE_MAYBE_CHANCE
    assert c("look_at", 20, 33, 27, "higher_better", low=30, high=61) == V.LOOK_AT_BELOW_MAYBE_CHANCE
    # the words name the limit
    assert verdicts.say(V.LOOK_AT_BELOW_MAYBE_CHANCE, edge="30%") == (
        "look at: below 30% (the 95% interval reaches 30%: may be chance)"
    )
    assert c("look_at", 28, 40, 34, "higher_better", low=30, high=61) == V.LOOK_AT_WITHIN_NEAR_EDGE
    assert c("look_at", 32, 50, 41, "higher_better", low=30, high=61) == V.LOOK_AT_WITHIN
    assert c("range", 28, 40, 34, "higher_better", low=30, high=56) == V.NEAR_RANGE_EDGE
    assert c("range", 32, 50, 41, "higher_better", low=30, high=56) == V.WITHIN_RANGE
    assert c("typical_range", 1, 2, 1.5, "no_judgement", low=13, high=63) == V.CONTEXT_ONLY
    assert c("reference", 40, 50, 45, "no_judgement", value=38) == V.ABOVE_REFERENCE


def test_trend_z_matches_statsmodels_linear_by_linear_association():
    xs, ns = [10, 12, 15, 18, 22], [100] * 5
    z = trends.trend_z(xs, ns)
    n_total = sum(ns)
    assert z == pytest.approx(2.625675086549573 * math.sqrt(n_total / (n_total - 1)), rel=1e-9)
    # z = 2.63 is significant at 95% but not at the 99.8% Fingertips tests recent trends at
    assert trends.trend(xs, ns, "higher_better") == V.NO_CHANGE
    assert trends.trend([10, 14, 19, 25, 32], ns, "higher_better") == V.IMPROVING
    assert trends.trend([10, 14, 19, 25, 32], ns, "lower_better") == V.GETTING_WORSE
    assert trends.trend([20, 19, 22, 18, 21], ns, "higher_better") == V.NO_CHANGE


def test_trend_chi2_is_rs_documented_example_and_fingertips_threshold():
    """R's prop.trend.test help page: smokers 83, 90, 129, 70 of 86, 93, 136, 82 patients give
    X-squared = 8.2249 on 1 df (p = 0.004132); Fingertips' threshold for a recent trend is the
    99.8% point of chi-squared on 1 df, 9.5495."""
    assert trends.trend_chi2([83, 90, 129, 70], [86, 93, 136, 82]) == pytest.approx(8.2249, abs=5e-5)
    threshold = trends.TREND_Z**2
    assert threshold == pytest.approx(9.5495, abs=5e-5)


def test_trend_needs_five_periods_and_says_so():
    assert trends.trend([1, 2, 3, 4], [10] * 4, "higher_better") == V.TOO_FEW_PERIODS
    # a missing period (no denominator) does not count
    assert trends.trend([1, 2, 0, 4, 5], [10, 10, 0, 10, 10], "higher_better") == V.TOO_FEW_PERIODS
    assert verdicts.say(V.TOO_FEW_PERIODS, have=4, need=trends.MIN_TREND_PERIODS) == (
        "not enough periods that do not overlap (4 of the 5 needed)"
    )


def test_a_trend_on_rounded_counts_must_hold_over_their_ranges():
    """Published 40, 45, 50, 55, 60 of 100 rise at 99.8% (z = 3.16), but counts of 42, 47, 50,
    53, 58 (each within 2 of its published figure) do not: the verdict is withheld."""
    np = pytest.importorskip("numpy")
    xs, ns = np.array([[40.0, 45, 50, 55, 60]]), np.array([[100.0] * 5])
    assert trends.trends(xs, ns, "higher_better") == [V.IMPROVING]
    assert trends.trend([42, 47, 50, 53, 58], [100] * 5, "higher_better") == V.NO_CHANGE
    assert trends.trends(xs, ns, "higher_better", x_lo=xs - 2, x_hi=xs + 2) == [V.NO_CHANGE]
    wide = np.array([[10.0, 30, 50, 70, 90]])
    assert trends.trends(wide, ns, "lower_better", x_lo=wide - 2, x_hi=wide + 2) == [V.GETTING_WORSE]
    down = wide[:, ::-1].copy()
    assert trends.trends(down, ns, "higher_better", x_lo=down - 2, x_hi=down + 2) == [V.GETTING_WORSE]
    # 55, 20, 65, 80, 95 of 235, 65, 220, 235, 245 rise at 99.8% (chi-squared
    # 13.6), but 57, 22, 67, 78, 93 of 233, 63, 218, 237, 247 (each within 2) give 8.6: withheld
    x, n = np.array([[55.0, 20, 65, 80, 95]]), np.array([[235.0, 65, 220, 235, 245]])
    assert trends.trends(x, n, "higher_better") == [V.IMPROVING]
    assert trends.trend_chi2([57, 22, 67, 78, 93], [233, 63, 218, 237, 247]) < trends.TREND_Z**2
    ranges = {"x_lo": x - 2, "x_hi": x + 2, "n_lo": n - 2, "n_hi": n + 2}
    assert trends.trends(x, n, "higher_better", **ranges) == [V.NO_CHANGE]


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


def test_quartiles_need_four_areas():
    assert stats.quartile_of(5, [1, 5, 9]) is None
    values = [1, 2, 3, 4, 5, 6, 7, 8]
    assert [stats.quartile_of(v, values) for v in values] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert stats.quartile_of(float("nan"), values) is None


def test_lower_is_better_mirrors_the_rule():
    """At or below a maximum is good: a caseload of exactly 25 meets 'at most 25' (review finding)."""
    assert stats.compare_to_benchmark("maximum", 25, 25, 25, "lower_better", value=25) == V.WITHIN_MAXIMUM
    assert stats.compare_interval(20, 25, 25, "lower_better") == V.BETTER
    assert stats.compare_interval(25, 30, 25, "lower_better") == V.SIMILAR
    assert stats.compare_interval(26, 30, 25, "lower_better") == V.WORSE


def test_quartiles_say_nothing_when_all_areas_are_alike():
    assert stats.quartile_of(5, [5, 5, 5, 5]) is None


# -- the array versions give the scalar versions' answers, to the last bit ---------------------
def _series(seed: int) -> list[tuple[object, object, str]]:
    """Random counts and values with gaps, one length per batch, every polarity."""
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(seed)
    out = []
    for trial in range(60):
        k, rows = int(rng.integers(1, 10)), 50
        ns = rng.integers(0, 60, size=(rows, k)).astype(float)
        ns[rng.random((rows, k)) < 0.15] = 0  # a period with no denominator: a gap in place
        xs = np.round(ns * rng.random((rows, k)) ** (0.3 + trial % 3))
        pol = ("higher_better", "lower_better", "no_judgement")[trial % 3]
        out.append((xs, ns, pol))
    return out


def test_trends_of_many_series_are_the_scalar_trends():
    for xs, ns, pol in _series(1):
        want = [trends.trend(x, n, pol) for x, n in zip(xs.tolist(), ns.tolist(), strict=True)]
        assert trends.trends(xs, ns, pol) == want
    # every answer occurs, so the comparison above covers each branch
    seen = {w for xs, ns, pol in _series(1) for w in trends.trends(xs, ns, pol)}
    assert {V.NO_CHANGE, V.INCREASING, V.IMPROVING, V.GETTING_WORSE, V.TOO_FEW_PERIODS} <= seen


def test_rounded_is_pythons_round_to_the_last_bit():
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(3)
    for digits in (1, 2):
        values = (rng.random(20_000) * 1000).tolist()
        values += [(k + 0.5) / 10**digits for k in range(-2000, 2000)]  # halves: ties both ways
        values += [(k + 0.5) / 10**digits + e for k in range(500) for e in (1e-13, -1e-13)]
        values += [100 * k / 7 for k in range(500)] + [0.0, -0.0, -0.004, math.inf, 1e300]
        values += [None]
        got = stats.rounded(values, digits)
        want = [None if x is None else round(x, digits) for x in values]
        assert [repr(x) for x in got] == [repr(x) for x in want]
    assert stats.rounded([], 2) == []
    assert repr(stats.rounded([math.nan], 2)[0]) == "nan"


def test_poisson_limits_are_the_published_exact_and_byar_values():
    """Exact (Garwood) 95% limits, as tabulated: 0 events 0 to 3.689, 5 events 1.6235 to 11.668,
    10 events 4.7954 to 18.390. Byar's method, as the byar gem documents it for 100 events at
    z = 1.96: upper 121.628347271806, lower 0.9040199067337297 of an expected 90."""
    assert stats.poisson_limits(0) == pytest.approx((0.0, 3.6889), abs=5e-5)
    assert stats.poisson_limits(5) == pytest.approx((1.6235, 11.6683), abs=5e-5)
    assert stats._exact_poisson(10, stats.Z95) == pytest.approx((4.7954, 18.3904), abs=5e-5)
    lower, upper = stats.byar(100, 1.96)
    assert upper == pytest.approx(121.628347271806, rel=1e-12)
    assert lower / 90 == pytest.approx(0.9040199067337297, rel=1e-12)
    # from 10 events Byar's is used, within 0.2% of the exact limits (PHE technical guide)
    for x in (10, 25, 100):
        exact, byar = stats._exact_poisson(x, stats.Z95), stats.poisson_limits(x)
        assert byar == pytest.approx(exact, rel=2e-3)


def test_a_cost_is_judged_as_004_words_it():
    """004, Question 2: "A cost within or close to this suggests a positive answer" and "A cost
    significantly above that indicated above suggests a negative answer": above only when the
    whole interval is above the band."""
    c = stats.compare_to_benchmark
    band = {"low": 2818, "high": 4024}
    assert c("band", 3900, 4300, 4100, "lower_better", **band) == V.WITHIN_BAND
    assert c("band", 4100, 5200, 4600, "lower_better", **band) == V.ABOVE_BAND
    assert c("band", 2000, 2700, 2300, "lower_better", **band) == V.BELOW_BAND


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
