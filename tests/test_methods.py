"""The scalar methods of one bag: SWEMWBS means converted before averaging and shown only on
enough people, a cost per job outcome with its interval, and totals of ratings."""

from __future__ import annotations

import math

import pytest

from generator.calc import stats
from generator.calc.indicators import calculate
from generator.calc.specs import SWEMWBS_METRIC, specs

from .builders import YEAR, calc_registry, find, ret, section_e, year_of


@pytest.fixture
def registry():
    return calc_registry()


def test_swemwbs_scores_are_converted_before_averaging(catalogue, registry):
    e = {
        **section_e(10, 2),
        "E15_swemwbs_start:s07": 10,
        "E15_swemwbs_start:s35": 10,
        "E16_swemwbs_end:s20": 20,
    }
    rows = calculate(
        [ret("E", "A1-P1", "A1", "2025-26 Q1", e), ret("E", "A2-P1", "A2", "2025-26 Q1", e)],
        catalogue,
        registry,
    )
    nation = {"area": "ALL"}
    start = find(rows, "EX08_swemwbs_change", "all areas", "2025-26 Q1", **nation, breakdown_value="start")
    end = find(rows, "EX08_swemwbs_change", "all areas", "2025-26 Q1", **nation, breakdown_value="end")
    assert start["value"] == pytest.approx((SWEMWBS_METRIC[7] + SWEMWBS_METRIC[35]) / 2)
    assert end["value"] == pytest.approx(SWEMWBS_METRIC[20])
    change = find(rows, "EX08_swemwbs_change", "all areas", "2025-26 Q1", **nation, breakdown_value="change")
    assert change["value"] == pytest.approx(SWEMWBS_METRIC[20] - 21.0)


def test_a_mean_below_national_level_rests_on_ten_people_and_its_scores_stay_unpublished(catalogue, registry):
    """The distribution's counts are published for all areas only; a provider's mean is shown
    when at least 10 people (by the published count) gave their scores, from the exact scores."""
    few = {**section_e(10, 2), "E15_swemwbs_start:s07": 1, "E16_swemwbs_end:s20": 1}
    many = {
        **section_e(10, 2),
        "E15_swemwbs_start:s07": 2,
        "E15_swemwbs_start:s35": 1,
        "E16_swemwbs_end:s20": 3,
    }
    for values, shown in ((few, False), (many, True)):  # 4 people a year, then 12
        rows = calculate(year_of("E", "A1-P1", "A1", values), catalogue, registry)
        start = find(rows, "EX08_swemwbs_change", "provider", YEAR, provider="A1-P1", breakdown_value="start")
        assert (start["value"] is not None) == shown, start["flags"]
        assert not [r for r in rows if r["indicator_id"] == "E15_swemwbs_start" and r["level"] != "all areas"]
    assert start["value"] == round((2 * SWEMWBS_METRIC[7] + SWEMWBS_METRIC[35]) / 3, 2)
    assert start["denominator"] == 10  # 12 people, published rounded


def test_cost_per_job_outcome_against_the_ndti_band(catalogue, registry):
    """004: a cost "within or close to" £2,818-£4,024 is positive, one "significantly above" it
    negative; the interval is the money over the Poisson limits of the outcomes."""

    def judged(outcomes: int) -> dict:
        each = section_e(5 * outcomes, outcomes, referrals=10 * outcomes, cost=6_000.0 * outcomes)
        units = ("A1-P1", "A1-P2", "A2-P1")
        rows = calculate([ret("E", a, a[:2], "2025-26 Q1", each) for a in units], catalogue, registry)
        return find(rows, "EX04_cost_per_job_outcome", "all areas", "2025-26 Q1", area="ALL")

    cost = judged(70)  # £6,000 a job outcome from 210 outcomes: 95% interval about £5,200-£6,900
    assert cost["value"] == 6000 and cost["unit"] == "gbp"
    lo, hi = stats.poisson_limits(210)
    assert (cost["lower_95"], cost["upper_95"]) == (round(6000 * 210 / hi), round(6000 * 210 / lo))  # whole £
    assert "significantly above the band" in cost["comparison_target"]
    cost = judged(5)  # £6,000 from 15 outcomes: the interval (about £3,600-£10,900) reaches the band
    assert "within or close to the band" in cost["comparison_target"]
    rows = calculate(year_of("E", "A1-P1", "A1", section_e(50, 10, cost=60_000.0)), catalogue, registry)
    cost = find(rows, "EX04_cost_per_job_outcome", "provider", YEAR, provider="A1-P1")
    assert (cost["value"], cost["denominator"]) == (6000, 40)  # money over the published count


def test_rating_profile_totals(catalogue, registry):
    keys = [s for s in specs(catalogue) if s.indicator_id == "CX01_fidelity_rating_profile"]
    values = {k: 4 for s in keys for k in s.numerator}
    rows = calculate([ret("C", "A1-P1", "A1", "2025-26", values)], catalogue, registry)
    totals = {
        r["breakdown_value"]: r["value"]
        for r in rows
        if r["indicator_id"] == "CX01_fidelity_rating_profile" and r["level"] == "provider"
    }
    assert totals == {role: 4 * len(s.numerator) for s in keys for role in [s.breakdown_value]}
    assert not any(math.isnan(v) for v in totals.values())
