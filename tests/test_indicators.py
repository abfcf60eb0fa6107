"""Indicators: specs from the catalogue, pooling, the method registry and the published rows."""

from __future__ import annotations

import math

import pytest

from generator.indicators import METHODS, SWEMWBS_METRIC, calculate, resolve, specs
from generator.registry import Organisation, Registry


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


def test_areas_pool_numerators_and_denominators_never_average_percentages(catalogue, registry):
    rows = calculate(
        [ret("E", "A1-P1", "A1", "2025-26 Q1", _e(10, 9)), ret("E", "A1-P2", "A1", "2025-26 Q1", _e(90, 9))],
        catalogue,
        registry,
    )
    area = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1")
    assert (area["numerator"], area["denominator"]) == (18, 100)
    assert area["value"] == pytest.approx(18.0)  # not (90% + 10%) / 2 = 50%
    p1 = find(rows, "EX02_job_outcome_rate", "provider", "2025-26 Q1", provider="A1-P1")
    assert p1["value"] == pytest.approx(90.0)
    assert p1["lower_95"] == pytest.approx(59.58, abs=0.01) and p1["upper_95"] == pytest.approx(
        98.21, abs=0.01
    )


def test_edge_cases_zero_all_and_no_denominator(catalogue, registry):
    rows = calculate(
        [ret("E", "A1-P1", "A1", "2025-26 Q1", _e(20, 0)), ret("E", "A2-P1", "A2", "2025-26 Q1", _e(0, 0))],
        catalogue,
        registry,
    )
    zero = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1")
    assert zero["value"] == 0 and zero["lower_95"] == 0 and zero["upper_95"] > 0
    none = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1", area="A2")
    assert none["value"] is None and "no denominator" in none["flags"]
    assert none["quartile"] is None  # fewer than four areas
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", _e(20, 20))], catalogue, registry)
    full = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1")
    assert full["value"] == 100 and full["upper_95"] == 100


def test_one_area_only_and_identical_areas(catalogue, registry):
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", _e(50, 20))], catalogue, registry)
    a = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1")
    assert a["comparison_all_areas"] == "not significantly different"  # it is all areas
    assert "phi" not in a["method"] or "binomial" in a["method"]
    rows = calculate(
        [
            ret("E", "A1-P1", "A1", "2025-26 Q1", _e(50, 20)),
            ret("E", "A2-P1", "A2", "2025-26 Q1", _e(50, 20)),
        ],
        catalogue,
        registry,
    )
    for area in ("A1", "A2"):
        r = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1", area=area)
        assert r["comparison_all_areas"] == "not significantly different"
        assert r["comparison_funnel"] == "within the limits"


def test_rolling_twelve_months_and_missing_periods(catalogue, registry):
    quarters = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    full = [ret("E", "A1-P1", "A1", q, _e(10, 4)) for q in quarters]
    rows = calculate(full, catalogue, registry)
    year = find(rows, "EX02_job_outcome_rate", "provider", "12 months to 2025-26 Q4", provider="A1-P1")
    assert (year["numerator"], year["denominator"]) == (16, 40) and "partial" not in year["flags"]
    gap = calculate([full[0], full[1], full[3]], catalogue, registry)  # Q3 never arrived
    year = find(gap, "EX02_job_outcome_rate", "provider", "12 months to 2025-26 Q4", provider="A1-P1")
    assert (year["numerator"], year["denominator"]) == (12, 30) and "partial" in year["flags"]
    q4 = find(gap, "EX02_job_outcome_rate", "provider", "2025-26 Q4", provider="A1-P1")
    assert q4["trend"].startswith("not enough periods")


def test_targets_follow_the_support_model(catalogue, registry):
    """003's IPS-beyond-SMI targets apply only where the provider says that is its model."""
    e = {**_e(50, 20, referrals=100), "E12_job_entries": 10, "E01_support_model": "ips_beyond_smi"}
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", e)], catalogue, registry)
    access = find(rows, "EX01_access_rate", "provider", "2025-26 Q1", provider="A1-P1")
    assert "at least 70%" in access["target"] and "below the target" in access["comparison_target"]
    entry = find(rows, "EX09_paid_work_entry_rate", "provider", "2025-26 Q1", provider="A1-P1")
    assert "at least 40%" in entry["target"]
    e["E01_support_model"] = "ips_smi"
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", e)], catalogue, registry)
    entry = find(rows, "EX09_paid_work_entry_rate", "provider", "2025-26 Q1", provider="A1-P1")
    assert "at least 40%" not in entry["target"]


def test_swemwbs_scores_are_converted_before_averaging(catalogue, registry):
    e = {**_e(10, 2), "E15_swemwbs_start:s07": 2, "E15_swemwbs_start:s35": 2, "E16_swemwbs_end:s20": 4}
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", e)], catalogue, registry)
    start = find(
        rows, "EX08_swemwbs_change", "provider", "2025-26 Q1", provider="A1-P1", breakdown_value="start"
    )
    end = find(rows, "EX08_swemwbs_change", "provider", "2025-26 Q1", provider="A1-P1", breakdown_value="end")
    assert start["value"] == pytest.approx((SWEMWBS_METRIC[7] + SWEMWBS_METRIC[35]) / 2)
    assert end["value"] == pytest.approx(SWEMWBS_METRIC[20])
    change = find(
        rows, "EX08_swemwbs_change", "provider", "2025-26 Q1", provider="A1-P1", breakdown_value="change"
    )
    assert change["value"] == pytest.approx(SWEMWBS_METRIC[20] - 21.0)


def test_cost_per_job_outcome_against_the_ndti_band(catalogue, registry):
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", _e(50, 10, cost=60_000.0))], catalogue, registry)
    cost = find(rows, "EX04_cost_per_job_outcome", "provider", "2025-26 Q1", provider="A1-P1")
    assert cost["value"] == 6000 and cost["unit"] == "gbp"
    assert "above the maximum" in cost["comparison_target"]


def test_intake_compared_with_the_local_population(catalogue, registry):
    a = {
        "A08_population_gender:female": 50.0,
        "A08_population_gender:male": 49.5,
        "A08_population_gender:another": 0.5,
    }
    b = {
        "B01_new_referrals": 200,
        "B03_gender.numerator:female": 40,
        "B03_gender.numerator:male": 158,
        "B03_gender.numerator:another": 1,
        "B03_gender.numerator:not_recorded": 1,
    }
    rows = calculate(
        [ret("A", "A1-COM", "A1", "2025-26", a), ret("B", "A1-P1", "A1", "2025-26 Q1", b)],
        catalogue,
        registry,
    )
    women = find(rows, "BX02_intake_gender_vs_population", "area", "2025-26 Q1", breakdown_value="female")
    assert women["value"] == pytest.approx(100 * 40 / 199, abs=0.005)  # of those whose gender is recorded
    assert "under-represented" in women["comparison_target"] and "50%" in women["target"]


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
        ret("E", f"A{i}-P", f"A{i}", "2025-26 Q1", {**_e(100, 10 * i), **split_values}) for i in range(1, 6)
    ]
    rows = calculate(rets, catalogue, regs)
    ranks = {
        r["area_code"]: r["rank"]
        for r in rows
        if r["indicator_id"] == "EX02_job_outcome_rate"
        and r["level"] == "area"
        and r["period"] == "2025-26 Q1"
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
        [ret("E", f"A{i}-P", f"A{i}", "2025-26 Q1", _e(100, 10 * i)) for i in range(1, 6)], catalogue, regs
    )
    count = [r for r in rows if r["indicator_id"] == "E05_job_outcomes" and r["level"] == "area"]
    assert count and all(
        r["comparison_all_areas"] == "" and r["quartile"] is None and r["rank"] is None for r in count
    )


def test_a_zero_lower_limit_is_a_limit_not_missing(catalogue, registry):
    rets = [
        ret("E", "A1-P1", "A1", "2025-26 Q1", _e(20, 0)),
        ret("E", "A2-P1", "A2", "2025-26 Q1", _e(20, 15)),
    ]
    rows = calculate(rets, catalogue, registry)
    r = find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1")
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
    largest = find(rows, "E11_largest_caseload", "area", "2025-26 Q4")
    assert largest["value"] == 23 and "above the maximum" not in largest["comparison_target"]
    caseload = find(rows, "E09_active_caseload", "area", "2025-26 Q4")
    assert caseload["value"] == 150  # summed over providers in one quarter


def test_missing_returns_make_an_area_partial(catalogue, registry):
    """A1 has two providers in the registry; one return makes the area's value partial."""
    rows = calculate([ret("E", "A1-P1", "A1", "2025-26 Q1", _e(20, 8))], catalogue, registry)
    assert "partial" in find(rows, "EX02_job_outcome_rate", "area", "2025-26 Q1")["flags"]
    assert (
        "partial"
        not in find(rows, "EX02_job_outcome_rate", "provider", "2025-26 Q1", provider="A1-P1")["flags"]
    )


def test_sums_take_numbers_only_in_order_whatever_else_a_value_list_holds():
    """The quick path (a plain sum) and the careful one (numbers only) agree: same total, same
    order of adding (it matters for money), None when nothing is a number."""
    from generator.indicators import Bag, _sum

    def bag(values):
        return Bag("E", "A1", "", "2025-26 Q1", values, 1, 1)

    money = {"a": [0.1, 0.2, 0.3], "b": [1e16, 1.0, -1e16]}
    assert _sum(bag(money), ("a", "b")) == float(sum([0.1, 0.2, 0.3, 1e16, 1.0, -1e16]))
    assert _sum(bag({"a": [3, None, "n/a", 4, True]}), ("a",)) == 8.0  # a yes counts as 1
    assert _sum(bag({"a": [None, "n/a"]}), ("a",)) is None
    assert _sum(bag({"a": []}), ("a", "missing")) is None and _sum(bag({}), ()) is None
    b = bag({"a": [2, 3]})
    assert _sum(b, ("a",)) == 5.0 and b.sums[("a",)] == 5.0  # remembered for the next spec


def test_limits_where_a_count_is_not_a_number_are_those_of_the_scalar_formula(catalogue, registry):
    """The array arithmetic keeps Python's max() and min(): a limit that comes out NaN is held
    at 0 or 100, as stats.wilson and Funnel.limits give it, not left blank."""
    from generator import stats

    ex02 = {"EX02_job_outcome_rate"}
    rows = calculate(
        [ret("E", "A1-P1", "A1", "2025-26 Q1", _e(10, math.nan))], catalogue, registry, indicators=ex02
    )
    lo, hi = stats.wilson(math.nan, 10.0)
    r = find(rows, "EX02_job_outcome_rate", "provider", "2025-26 Q1", provider="A1-P1")
    assert (r["lower_95"], r["upper_95"]) == (100 * lo, 100 * hi) == (0.0, 100.0)
    two = [
        ret("E", "A1-P1", "A1", "2025-26 Q1", _e(10, 5)),
        ret("E", "A2-P1", "A2", "2025-26 Q1", _e(math.nan, 5)),
    ]
    a2 = find(
        calculate(two, catalogue, registry, indicators=ex02),
        "EX02_job_outcome_rate",
        "area",
        "2025-26 Q1",
        area="A2",
    )
    assert (a2["funnel_lower_95"], a2["funnel_upper_95"]) == (0.0, 100.0)


def test_impossible_counts_still_raise_as_the_scalar_formula_does(catalogue, registry):
    """More job outcomes than starters cannot be given an interval: the build stops there, as it
    did row by row, rather than publishing a blank."""
    with pytest.raises(ValueError, match="math domain"):
        calculate(
            [ret("E", "A1-P1", "A1", "2025-26 Q1", _e(1, 1.5))],
            catalogue,
            registry,
            indicators={"EX02_job_outcome_rate"},
        )
