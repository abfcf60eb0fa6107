"""Methods evaluated over every unit at once: rates with their intervals at the edges (zero,
all, no denominator), the array arithmetic agreeing with the scalar formulas, and a ratio over
12 months as the mean of its quarter-ends."""

from __future__ import annotations

import math

import pytest

from generator.calc import funnels
from generator.calc.indicators import calculate

from .builders import QUARTERS, YEAR, calc_registry, find, ret, section_e, year_of


@pytest.fixture
def registry():
    return calc_registry()


def test_edge_cases_zero_all_and_no_denominator(catalogue, registry):
    rows = calculate(year_of("E", "A1-P1", "A1", section_e(20, 0)), catalogue, registry)
    zero = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert zero["value"] == 0 and zero["lower_95"] == 0 and zero["upper_95"] > 0  # a zero is exact
    rows = calculate([ret("E", "A2-P1", "A2", "2025-26 Q1", section_e(0, 0))], catalogue, registry)
    none = find(rows, "EX02_job_outcome_rate", "all areas", "2025-26 Q1", area="ALL")
    assert none["value"] is None and "no denominator" in none["flags"]
    rows = calculate(year_of("E", "A1-P1", "A1", section_e(20, 20, referrals=20)), catalogue, registry)
    full = find(rows, "EX01_access_rate", "area", YEAR)  # a share of people stops at 100%
    assert full["value"] == 100 and full["upper_95"] == 100
    events = find(rows, "EX02_job_outcome_rate", "area", YEAR)  # events among people need not
    assert events["value"] == 100 and events["upper_95"] > 100


def test_limits_where_a_count_is_not_a_number_are_those_of_the_scalar_formula():
    """The array arithmetic keeps Python's max() and min(): a limit that comes out NaN is held
    at 0 or 100, as stats.wilson gives it, not left blank."""
    import numpy as np

    from generator.calc import stats
    from generator.calc.evaluate import wilson_percent

    lo, hi = stats.wilson(math.nan, 10.0)
    (_, low, high, _, _) = wilson_percent(np.array([math.nan]), np.array([10.0]))
    assert (low[0], high[0]) == (100 * lo, 100 * hi) == (0.0, 100.0)
    lo95, hi95, _, _ = funnels.funnel_limits(np.array([10.0]), np.array([math.nan]), np.array([0.0]))
    assert math.isnan(lo95[0]) and math.isnan(hi95[0])  # no pooled share: no limits
    lo95, hi95, _, _ = funnels.funnel_limits(np.array([10.0]), np.array([0.5]), np.array([math.nan]))
    assert (lo95[0], hi95[0]) == (0.0, 1.0)  # a spread that is not a number: held at the ends


def test_impossible_counts_still_raise_as_the_scalar_formula_does(catalogue, registry):
    """More starters than referrals cannot be given a Wilson interval: the build stops there, as
    it did row by row, rather than publishing a blank. (More job outcomes than starters is an
    event rate above 100%, which it may be.)"""
    with pytest.raises(ValueError, match="math domain"):
        calculate(
            [
                ret("E", "A1-P1", "A1", "2025-26 Q1", section_e(15, 0, referrals=10)),
                ret("E", "A2-P1", "A2", "2025-26 Q1", section_e(15, 0, referrals=10)),
            ],
            catalogue,
            registry,
            indicators={"EX01_access_rate"},
        )


def test_caseload_per_specialist_is_averaged_over_four_quarter_ends_as_defined(catalogue, registry):
    """EX06's definition: "Active caseload at the end of the quarter divided by the full-time
    equivalent number of employment specialists, averaged over the last four quarter-ends";
    staff in post (FTE) are not people and are not rounded to 5."""
    ex06 = next(d for s in catalogue.sections.values() for d in s.derived if d.id.startswith("EX06"))
    assert "averaged over the last four quarter-ends" in ex06.definition
    staff = [(100, 10.0), (50, 2.5), (100, 10.0), (50, 2.5)]  # ratios 10, 20, 10, 20
    rows = calculate(
        [
            ret(
                "E",
                "A1-P1",
                "A1",
                q,
                {"E09_active_caseload": c, "E10_specialist_fte": f, "E01_support_model": "ips_smi"},
            )
            for q, (c, f) in zip(QUARTERS, staff, strict=True)
        ],
        catalogue,
        registry,
    )
    year = find(rows, "EX06_caseload_per_specialist", "area", YEAR)
    assert year["value"] == 15.0  # the ratio of the sums would be 300 / 25 = 12
    quarter = find(rows, "EX06_caseload_per_specialist", "area", QUARTERS[1])
    assert (quarter["numerator"], quarter["denominator"], quarter["value"]) == (50, 2.5, 20.0)
