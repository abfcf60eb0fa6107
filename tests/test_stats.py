"""generator/calc/stats.py: intervals, comparisons, quartiles and the benchmark rules, pinned
against references computed independently.

References: Wilson intervals from statsmodels 0.14 `proportion_confint(method="wilson")` (run
outside this project) and from Newcombe (1998), Statistics in Medicine 17:857-872, Table I;
Poisson limits from the published exact table and Byar's approximation.
"""

from __future__ import annotations

import math

import pytest

from generator.calc import stats, verdicts
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
