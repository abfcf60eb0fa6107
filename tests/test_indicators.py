"""Indicators: specs from the catalogue, pooling, the method registry and the published rows."""

from __future__ import annotations

import math

import pytest

from generator.calc import funnels, stats
from generator.calc.evaluate import METHODS
from generator.calc.indicators import calculate
from generator.calc.row import Row
from generator.calc.specs import SWEMWBS_METRIC, resolve, specs
from generator.catalogue.registry import Organisation, Registry
from generator.site.questions import QUESTIONS_YAML
from generator.site.questions import parse as parse_questions

from .conftest import ROOT


@pytest.fixture
def registry():
    orgs = [
        Organisation("A1-COM", "A1 commissioners", "A1", "Area one", "commissioner", True),
        Organisation("A1-P1", "A1 first provider", "A1", "Area one", "provider", True),
        Organisation("A1-P2", "A1 second provider", "A1", "Area one", "provider", True),
        Organisation("A2-P1", "A2 provider", "A2", "Area two", "provider", True),
    ]
    return Registry({o.code: o for o in orgs})


def ret(section, org, area, period, values):
    return {
        "section": section,
        "identity": {"organisation_code": org, "area_code": area, "period": period},
        "values": values,
        "sha256": "x",
        "template_version": "1.0",
        "warnings": [],
    }


def find(rows, indicator, level, period, area="A1", provider="", breakdown_value=""):
    (r,) = [
        x
        for x in rows
        if x["indicator_id"] == indicator
        and x["level"] == level
        and x["period"] == period
        and x["area_code"] == area
        and x["provider_code"] == provider
        and x["breakdown_value"] == breakdown_value
    ]
    return r


def test_every_item_and_derived_indicator_has_specs(catalogue):
    """One source of truth: each catalogue item (except dates and free text) and derived indicator."""
    ids = {s.indicator_id for s in specs(catalogue)}
    for _, item in catalogue.items():
        assert (item.id in ids) == (item.value_type not in ("date", "text")), item.id
    for sec in catalogue.sections.values():
        for d in sec.derived:
            assert d.id in ids
    assert {s.method for s in specs(catalogue)} <= set(METHODS)


def test_resolve_references(catalogue):
    assert resolve("E05a_outcome_type:gained", catalogue) == ("E05a_outcome_type.numerator:gained",)
    assert resolve("E04_starters", catalogue) == ("E04_starters",)
    assert len(resolve("D01_placements", catalogue)) == 4  # every hours band


def _e(starters, outcomes, referrals=100, cost=50_000.0):
    return {
        "E03_referrals": referrals,
        "E04_starters": starters,
        "E05_job_outcomes": outcomes,
        "E02_total_cost": cost,
        "E01_support_model": "ips_smi",
    }


QUARTERS = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
YEAR = "12 months to 2025-26 Q4"


def year_of(section, org, area, values):
    """The same return for each quarter of a year: a complete rolling year below national level,
    where quarters are not published (generator.calc.disclosure, rule 1)."""
    return [ret(section, org, area, q, values) for q in QUARTERS]


def test_areas_pool_numerators_and_denominators_never_average_percentages(catalogue, registry):
    rows = calculate(
        [
            ret("E", "A1-P1", "A1", "2025-26 Q1", _e(10, 9)),
            ret("E", "A1-P2", "A1", "2025-26 Q1", _e(90, 9)),
            ret("E", "A2-P1", "A2", "2025-26 Q1", _e(100, 18)),
        ],
        catalogue,
        registry,
    )
    nation = find(rows, "EX02_job_outcome_rate", "all areas", "2025-26 Q1", area="ALL")
    assert (nation["numerator"], nation["denominator"]) == (36, 200)  # exact for all areas
    assert nation["value"] == pytest.approx(18.0)  # not the mean of 90%, 10% and 18%
    # job outcomes are events set against starters (they can be more): Poisson limits on the 36
    lo, hi = stats.poisson_limits(36)
    assert (nation["lower_95"], nation["upper_95"]) == (round(100 * lo / 200, 1), round(100 * hi / 200, 1))
    share = find(rows, "EX01_access_rate", "all areas", "2025-26 Q1", area="ALL")
    if share["value"] is not None:  # a share of people keeps its Wilson interval
        lo, hi = stats.wilson(share["numerator"], share["denominator"])
        assert (share["lower_95"], share["upper_95"]) == (round(100 * lo, 1), round(100 * hi, 1))
    rows = calculate(
        year_of("E", "A1-P1", "A1", _e(10, 9)) + year_of("E", "A1-P2", "A1", _e(90, 9)), catalogue, registry
    )
    area = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert (area["numerator"], area["denominator"]) == (70, 400)  # 72 and 400, rounded to 5
    assert area["value"] == 17.5


def test_edge_cases_zero_all_and_no_denominator(catalogue, registry):
    rows = calculate(year_of("E", "A1-P1", "A1", _e(20, 0)), catalogue, registry)
    zero = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert zero["value"] == 0 and zero["lower_95"] == 0 and zero["upper_95"] > 0  # a zero is exact
    rows = calculate([ret("E", "A2-P1", "A2", "2025-26 Q1", _e(0, 0))], catalogue, registry)
    none = find(rows, "EX02_job_outcome_rate", "all areas", "2025-26 Q1", area="ALL")
    assert none["value"] is None and "no denominator" in none["flags"]
    rows = calculate(year_of("E", "A1-P1", "A1", _e(20, 20, referrals=20)), catalogue, registry)
    full = find(rows, "EX01_access_rate", "area", YEAR)  # a share of people stops at 100%
    assert full["value"] == 100 and full["upper_95"] == 100
    events = find(rows, "EX02_job_outcome_rate", "area", YEAR)  # events among people need not
    assert events["value"] == 100 and events["upper_95"] > 100


def test_one_area_only_and_identical_areas(catalogue, registry):
    """With one area, the figure for all areas would be that area's exact count: it is withheld,
    and nothing is compared with it. Identical areas are like all areas."""
    rows = calculate(year_of("E", "A1-P1", "A1", _e(50, 20)), catalogue, registry)
    a = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert a["value"] == 40.0 and a["comparison_all_areas"] == "" and a["all_areas_value"] is None
    nation = find(rows, "EX02_job_outcome_rate", "all areas", YEAR, area="ALL")
    assert nation["value"] is None and "withheld" in nation["flags"]
    both = year_of("E", "A1-P1", "A1", _e(50, 20)) + year_of("E", "A2-P1", "A2", _e(50, 20))
    rows = calculate(both, catalogue, registry)
    # A1's second provider sent nothing: A1's value is flagged partial, and judged (a whole year)
    a1 = find(rows, "EX02_job_outcome_rate", "area", YEAR, area="A1")
    assert "partial" in a1["flags"] and a1["comparison_all_areas"] == "not significantly different"
    rows = calculate(both + year_of("E", "A1-P2", "A1", _e(0, 0, referrals=0)), catalogue, registry)
    for area in ("A1", "A2"):
        r = find(rows, "EX02_job_outcome_rate", "area", YEAR, area=area)
        assert r["comparison_all_areas"] == "not significantly different"
        r = find(rows, "EX01_access_rate", "area", YEAR, area=area)  # no funnel around 2 areas
        assert r["comparison_funnel"] == "" and r["funnel_p0"] is None and r["funnel_lower_95"] is None


def test_rolling_twelve_months_and_missing_periods(catalogue, registry):
    """A rolling year is published below national level only when every quarter's return is in
    (one short, it and its neighbour would give a quarter away); for all areas it is published
    and flagged partial (with three areas: had one area alone sent the missing quarter, the
    national quarter would be its exact count, and the year is withheld with it)."""
    full = year_of("E", "A1-P1", "A1", _e(30, 12))  # national quarters of 10 or more: published
    other = year_of("E", "A2-P1", "A2", _e(30, 12)) + year_of("E", "A3-P1", "A3", _e(30, 12))
    rows = calculate(full, catalogue, registry)
    year = find(rows, "EX02_job_outcome_rate", "provider", YEAR, provider="A1-P1")
    assert (year["numerator"], year["denominator"]) == (50, 120) and "partial" not in year["flags"]
    assert not [
        r
        for r in rows
        if r["level"] != "all areas"
        and not r["period"].startswith("12 months")
        and r["indicator_id"] == "EX02_job_outcome_rate"
    ]  # no quarters below national level
    gap = calculate([full[0], full[1], full[3], *other], catalogue, registry)  # A1's Q3 never arrived
    assert not [r for r in gap if r["period"] == YEAR and r["area_code"] == "A1"]
    nation = find(gap, "EX02_job_outcome_rate", "all areas", YEAR, area="ALL")
    assert (nation["numerator"], nation["denominator"]) == (132, 330) and "partial" in nation["flags"]
    q4 = find(gap, "EX02_job_outcome_rate", "all areas", "2025-26 Q4", area="ALL")
    assert q4["trend"].startswith("not enough periods")


def test_targets_follow_the_support_model(catalogue, registry):
    """003's IPS-beyond-SMI targets apply only where the provider says that is its model."""
    e = {**_e(50, 20, referrals=100), "E12_job_entries": 10, "E01_support_model": "ips_beyond_smi"}
    rows = calculate(year_of("E", "A1-P1", "A1", e), catalogue, registry)
    access = find(rows, "EX01_access_rate", "provider", YEAR, provider="A1-P1")
    assert "at least 70%" in access["target"] and "below the target" in access["comparison_target"]
    entry = find(rows, "EX09_paid_work_entry_rate", "provider", YEAR, provider="A1-P1")
    assert "at least 40%" in entry["target"]
    e["E01_support_model"] = "ips_smi"
    rows = calculate(year_of("E", "A1-P1", "A1", e), catalogue, registry)
    entry = find(rows, "EX09_paid_work_entry_rate", "provider", YEAR, provider="A1-P1")
    assert "at least 40%" not in entry["target"]


def test_swemwbs_scores_are_converted_before_averaging(catalogue, registry):
    e = {**_e(10, 2), "E15_swemwbs_start:s07": 10, "E15_swemwbs_start:s35": 10, "E16_swemwbs_end:s20": 20}
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
    few = {**_e(10, 2), "E15_swemwbs_start:s07": 1, "E16_swemwbs_end:s20": 1}
    many = {**_e(10, 2), "E15_swemwbs_start:s07": 2, "E15_swemwbs_start:s35": 1, "E16_swemwbs_end:s20": 3}
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
        each = _e(5 * outcomes, outcomes, referrals=10 * outcomes, cost=6_000.0 * outcomes)
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
    rows = calculate(year_of("E", "A1-P1", "A1", _e(50, 10, cost=60_000.0)), catalogue, registry)
    cost = find(rows, "EX04_cost_per_job_outcome", "provider", YEAR, provider="A1-P1")
    assert (cost["value"], cost["denominator"]) == (6000, 40)  # money over the published count


def test_intake_compared_with_the_local_population(catalogue, registry):
    a = {
        "A08_population_gender:female": 50.0,
        "A08_population_gender:male": 49.5,
        "A08_population_gender:another": 0.5,
    }
    b = {
        "B01_new_referrals": 200,
        "B03_gender.numerator:female": 40,
        "B03_gender.numerator:male": 140,
        "B03_gender.numerator:another": 10,
        "B03_gender.numerator:not_recorded": 10,
    }
    rows = calculate(
        [
            ret("A", "A1-COM", "A1", "2025-26", a),
            ret("A", "A2-COM", "A2", "2025-26", a),
            *year_of("B", "A1-P1", "A1", b),
            *year_of("B", "A2-P1", "A2", b),
        ],
        catalogue,
        registry,
    )
    women = find(rows, "BX02_intake_gender_vs_population", "area", YEAR, breakdown_value="female")
    assert women["value"] == pytest.approx(100 * 160 / 760, abs=0.05)  # of those whose gender is recorded
    assert "under-represented" in women["comparison_target"] and "local population 50.0%" in women["target"]
    # each verdict with what it compared with, for the site to show beside it (issue 22)
    assert (women["comparison_target_against"], women["comparison_target_values"]) == (
        "local_population",
        "50.0%",
    )
    # for all areas there is no population share to set the intake against: populations are not
    # collected, so the areas' shares cannot be weighted, and their mean or median is no national share
    nation = find(
        rows, "BX02_intake_gender_vs_population", "all areas", YEAR, area="ALL", breakdown_value="female"
    )
    assert nation["value"] == pytest.approx(100 * 320 / 1520, abs=0.05)
    assert nation["target"] == "" and nation["comparison_target"] == ""
    # a survey estimate for all areas is the median of the areas', flagged as such
    employed = {"A01_employment_rate": 70.0}
    rows = calculate(
        [
            ret("A", f"A{i}-COM", f"A{i}", "2025-26", {"A01_employment_rate": v})
            for i, v in ((1, 60.0), (2, 75.0))
        ]
        + [ret("A", "A1-COM", "A1", "2024-25", employed)],
        catalogue,
        registry,
    )
    rate = find(rows, "A01_employment_rate", "all areas", "2025-26", area="ALL")
    assert rate["value"] == 67.5 and "median of areas" in rate["flags"]


def test_rating_profile_totals(catalogue, registry):
    c = {f"C0{i}_x": 0 for i in range(0)}
    keys = [s for s in specs(catalogue) if s.indicator_id == "CX01_fidelity_rating_profile"]
    values = {k: 4 for s in keys for k in s.numerator}
    rows = calculate([ret("C", "A1-P1", "A1", "2025-26", {**c, **values})], catalogue, registry)
    totals = {
        r["breakdown_value"]: r["value"]
        for r in rows
        if r["indicator_id"] == "CX01_fidelity_rating_profile" and r["level"] == "provider"
    }
    assert totals == {role: 4 * len(s.numerator) for s in keys for role in [s.breakdown_value]}
    assert not any(math.isnan(v) for v in totals.values())


def test_ratings_carry_their_scale_wording_and_areas_are_ranked_only_with_a_direction(catalogue, registry):
    rows = calculate([ret("C", "A1-P1", "A1", "2025-26", {"C03_rapid_job_search": 5})], catalogue, registry)
    r = find(rows, "C03_rapid_job_search", "provider", "2025-26", provider="A1-P1")
    assert r["value"] == 5 and r["value_label"].startswith("First face-to-face contact with an employer")
    regs = Registry(
        {f"A{i}-P": Organisation(f"A{i}-P", "p", f"A{i}", f"Area {i}", "provider", True) for i in range(1, 6)}
    )
    split_values = {
        "E05a_outcome_type.numerator:gained": 6,
        "E05a_outcome_type.numerator:retained": 3,
        "E05a_outcome_type.numerator:self_employed": 1,
    }
    rets = [
        r for i in range(1, 6) for r in year_of("E", f"A{i}-P", f"A{i}", {**_e(100, 10 * i), **split_values})
    ]
    rows = calculate(rets, catalogue, regs)
    ranks = {
        r["area_code"]: r["rank"]
        for r in rows
        if r["indicator_id"] == "EX02_job_outcome_rate" and r["level"] == "area" and r["period"] == YEAR
    }
    assert ranks == {"A1": 5, "A2": 4, "A3": 3, "A4": 2, "A5": 1}  # higher job outcome rate ranks first
    split = [r for r in rows if r["indicator_id"] == "EX03_job_outcome_split" and r["level"] == "area"]
    assert split and all(r["rank"] is None for r in split)  # no direction, no rank


def test_totals_are_not_compared_or_ranked_across_areas(catalogue, registry):
    """A count of people depends on an area's size: no comparison with the national total (review)."""
    regs = Registry(
        {f"A{i}-P": Organisation(f"A{i}-P", "p", f"A{i}", f"Area {i}", "provider", True) for i in range(1, 6)}
    )
    rows = calculate(
        [r for i in range(1, 6) for r in year_of("E", f"A{i}-P", f"A{i}", _e(100, 10 * i))], catalogue, regs
    )
    count = [r for r in rows if r["indicator_id"] == "E05_job_outcomes" and r["level"] == "area"]
    assert count and all(
        r["comparison_all_areas"] == "" and r["quartile"] is None and r["rank"] is None for r in count
    )


def test_a_zero_lower_limit_is_a_limit_not_missing(catalogue, registry):
    rets = year_of("E", "A1-P1", "A1", _e(20, 0)) + year_of("E", "A2-P1", "A2", _e(20, 15))
    rows = calculate(rets, catalogue, registry)
    r = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert r["lower_998"] == 0 and "not assessed" not in r["comparison_all_areas"]


def test_stocks_and_maxima_are_not_added_up_over_a_year(catalogue, registry):
    """A caseload is a level, the largest caseload a maximum: never summed over quarters (review)."""
    qs = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    rets = [
        ret("E", "A1-P1", "A1", q, {**_e(10, 4), "E11_largest_caseload": 20, "E09_active_caseload": 100})
        for q in qs
    ]
    rets.append(
        ret(
            "E",
            "A1-P2",
            "A1",
            "2025-26 Q4",
            {**_e(10, 4), "E11_largest_caseload": 23, "E09_active_caseload": 50},
        )
    )
    rows = calculate(rets, catalogue, registry)
    assert not [
        r for r in rows if r["indicator_id"] == "E11_largest_caseload" and r["period"].startswith("12")
    ]
    largest = find(rows, "E11_largest_caseload", "area", "2025-26 Q4")  # the larger of 20 and 23, rounded
    assert largest["value"] == 25 and "above the maximum" not in largest["comparison_target"]
    caseload = find(rows, "E09_active_caseload", "area", "2025-26 Q4")
    assert caseload["value"] == 150  # summed over providers in one quarter


def test_missing_returns_make_an_area_partial(catalogue, registry):
    """A1 has two providers in the registry; a year of returns from one of them makes the area's
    value partial (published: the one provider sent every quarter), not the provider's."""
    rows = calculate(year_of("E", "A1-P1", "A1", _e(20, 8)), catalogue, registry)
    assert "partial" in find(rows, "EX02_job_outcome_rate", "area", YEAR)["flags"]
    assert "partial" not in find(rows, "EX02_job_outcome_rate", "provider", YEAR, provider="A1-P1")["flags"]


def test_sums_take_numbers_only_in_order_whatever_else_a_value_list_holds():
    """The quick path (a plain sum) and the careful one (numbers only) agree: same total, same
    order of adding (it matters for money), None when nothing is a number."""
    from generator.calc.pooling import Bag, sum_of

    def bag(values):
        return Bag("E", "A1", "", "2025-26 Q1", values, 1, 1)

    money = {"a": [0.1, 0.2, 0.3], "b": [1e16, 1.0, -1e16]}
    assert sum_of(bag(money), ("a", "b")) == float(sum([0.1, 0.2, 0.3, 1e16, 1.0, -1e16]))
    assert sum_of(bag({"a": [3, None, "n/a", 4, True]}), ("a",)) == 8.0  # a yes counts as 1
    assert sum_of(bag({"a": [None, "n/a"]}), ("a",)) is None
    assert sum_of(bag({"a": []}), ("a", "missing")) is None and sum_of(bag({}), ()) is None
    b = bag({"a": [2, 3]})
    assert sum_of(b, ("a",)) == 5.0 and b.sums[("a",)] == 5.0  # remembered for the next spec


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
                ret("E", "A1-P1", "A1", "2025-26 Q1", _e(15, 0, referrals=10)),
                ret("E", "A2-P1", "A2", "2025-26 Q1", _e(15, 0, referrals=10)),
            ],
            catalogue,
            registry,
            indicators={"EX01_access_rate"},
        )


def test_a_count_is_judged_over_the_range_it_stands_for_and_only_against_its_own_period(catalogue, registry):
    """Judgements the review of issue 17 found wrong: a largest caseload published as 25
    (standing for 23-27) is not "within the maximum" of 25; a count of referrals over 12 months
    is not judged against "about 51 a quarter" (001's monthly figure times three)."""
    e = {**_e(30, 12), "E01_support_model": "ips_beyond_smi", "E11_largest_caseload": 26}
    rows = calculate(year_of("E", "A1-P1", "A1", e), catalogue, registry)
    big = find(rows, "E11_largest_caseload", "provider", "2025-26 Q4", provider="A1-P1")
    assert big["value"] == 25 and "at most 25" in big["target"]
    assert "within the maximum" not in big["comparison_target"], big["comparison_target"]
    assert "not significantly different from the maximum" in big["comparison_target"]
    b = {"B01_new_referrals": 200}
    rows = calculate(year_of("B", "A1-P1", "A1", b), catalogue, registry)
    year = find(rows, "B01_new_referrals", "provider", YEAR, provider="A1-P1")
    assert year["value"] == 800 and "51" not in year["target"] and year["comparison_target"] == ""


def test_a_categorys_count_is_not_judged_against_the_whole_counts_benchmark(catalogue):
    """D01's "about 60 a year" is a figure for all placements: the total is judged against it,
    a category (placements of under 5 hours) is not."""
    from generator.calc.specs import specs

    d01 = {s.breakdown_value: s for s in specs(catalogue) if s.indicator_id.startswith("D01_")}
    assert d01["total"].benchmarks and all(b.category is None for b in d01["total"].benchmarks)
    assert not [v for v, s in d01.items() if v != "total" and any(b.category is None for b in s.benchmarks)]


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


# -- each question on an area page fires on what the calculation says --------------------------
def _question_cases() -> dict[str, tuple[list[dict], str]]:
    """For each question in data/questions.yaml: returns that should raise it, and the indicator
    row (level) to look at. Figures are chosen far enough from the line that the verdict is sure."""
    ips = {"E01_support_model": "ips_beyond_smi"}

    def e(**values: float) -> list[dict]:
        return year_of("E", "A1-P1", "A1", {**ips, **values})

    nvq = {"B01_new_referrals": 200, "B05_nvq2.numerator:nvq2_plus": 180, "B05_nvq2.numerator:below_nvq2": 20}
    women = {
        "B01_new_referrals": 200,
        "B03_gender.numerator:female": 40,
        "B03_gender.numerator:male": 160,
    }
    context = {
        "A04_nvq2_rate": 50.0,
        "A08_population_gender:female": 50.0,
        "A08_population_gender:male": 50.0,
    }
    return {
        "job_outcomes_low": (e(E04_starters=100, E05_job_outcomes=10), "EX02_job_outcome_rate"),
        "job_outcomes_high": (e(E04_starters=100, E05_job_outcomes=80), "EX02_job_outcome_rate"),
        "cost_high": (
            e(E04_starters=200, E05_job_outcomes=100, E02_total_cost=800_000.0),  # £8,000 per outcome
            "EX04_cost_per_job_outcome",
        ),
        "access_low": (e(E03_referrals=100, E04_starters=30), "EX01_access_rate"),
        "work_entry_low": (e(E04_starters=100, E12_job_entries=10), "EX09_paid_work_entry_rate"),
        "caseload_high": (e(E09_active_caseload=200, E10_specialist_fte=4.0), "EX06_caseload_per_specialist"),
        "intake_unlike_population": (
            [ret("A", "A1-COM", "A1", "2025-26", context), *year_of("B", "A1-P1", "A1", women)],
            "BX02_intake_gender_vs_population",
        ),
        "intake_more_qualified": (
            [ret("A", "A1-COM", "A1", "2025-26", context), *year_of("B", "A1-P1", "A1", nvq)],
            "BX04_intake_nvq2_vs_population",
        ),
        "care_plans_low": (
            [
                ret(
                    "D",
                    "A1-P1",
                    "A1",
                    "2025-26",
                    {"D02_audited_caseload": 400, "D06_care_plan_employment.numerator": 20},
                )
            ],
            "D06_care_plan_employment",
        ),
    }


def test_every_question_fires_on_what_the_calculation_says(catalogue, registry):
    """data/questions.yaml triggers on verdict codes of the published comparison: each question
    fires on the rows of returns made to raise it."""
    questions = {  # raised by verdicts (the others by a missing return: tests/test_site_build.py)
        q.id: q for q in parse_questions((ROOT / QUESTIONS_YAML).read_text(encoding="utf-8")) if not q.on
    }
    cases = _question_cases()
    ratings = {
        k: 1
        for s in specs(catalogue)
        if s.indicator_id == "CX01_fidelity_rating_profile"
        for k in s.numerator
    }
    cases["fidelity_low"] = ([ret("C", "A1-P1", "A1", "2025-26", ratings)], "CX01_fidelity_rating_profile")
    assert set(cases) == set(questions), "a question without a case here, or a case without its question"
    for qid, (returns, indicator) in cases.items():
        q = questions[qid]
        assert q.about(indicator), qid
        rows = [r for r in calculate(returns, catalogue, registry) if r["indicator_id"] == indicator]
        areas = [r for r in rows if r["level"] != "all areas"]
        said = sorted({str(r["comparison_target_code"]) for r in areas})
        assert any(q.fires(Row.of(r)) for r in areas), f"{qid}: {sorted(q.when)} not in {said[:6]}"
