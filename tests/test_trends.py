"""generator/calc/trends.py: the tests for trend, pinned against references computed
independently.

The trend z from statsmodels' `Table.test_ordinal_association`, which uses an N-1 variance (so
ours equals it times sqrt(N/(N-1))); the chi-squared test for trend from R's documented example
of `prop.trend.test`.
"""

from __future__ import annotations

import math

import pytest

from generator.calc import trends, verdicts
from generator.calc.verdicts import Verdict as V


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


def test_trends_of_many_series_are_the_scalar_trends():
    for xs, ns, pol in _series(1):
        want = [trends.trend(x, n, pol) for x, n in zip(xs.tolist(), ns.tolist(), strict=True)]
        assert trends.trends(xs, ns, pol) == want
    # every answer occurs, so the comparison above covers each branch
    seen = {w for xs, ns, pol in _series(1) for w in trends.trends(xs, ns, pol)}
    assert {V.NO_CHANGE, V.INCREASING, V.IMPROVING, V.GETTING_WORSE, V.TOO_FEW_PERIODS} <= seen
