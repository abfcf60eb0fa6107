"""Indicators calculated from stored returns: what the steps give together (one area, ranks
with a scale's wording, stocks and maxima over a year)."""

from __future__ import annotations

import pytest

from generator.calc.indicators import calculate
from generator.catalogue.registry import Organisation, Registry

from .builders import YEAR, calc_registry, find, ret, section_e, year_of


@pytest.fixture
def registry():
    return calc_registry()


def test_one_area_only_and_identical_areas(catalogue, registry):
    """With one area, the figure for all areas would be that area's exact count: it is withheld,
    and nothing is compared with it. Identical areas are like all areas."""
    rows = calculate(year_of("E", "A1-P1", "A1", section_e(50, 20)), catalogue, registry)
    a = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert a["value"] == 40.0 and a["comparison_all_areas"] == "" and a["all_areas_value"] is None
    nation = find(rows, "EX02_job_outcome_rate", "all areas", YEAR, area="ALL")
    assert nation["value"] is None and "withheld" in nation["flags"]
    both = year_of("E", "A1-P1", "A1", section_e(50, 20)) + year_of("E", "A2-P1", "A2", section_e(50, 20))
    rows = calculate(both, catalogue, registry)
    # A1's second provider sent nothing: A1's value is flagged partial, and judged (a whole year)
    a1 = find(rows, "EX02_job_outcome_rate", "area", YEAR, area="A1")
    assert "partial" in a1["flags"] and a1["comparison_all_areas"] == "not significantly different"
    rows = calculate(both + year_of("E", "A1-P2", "A1", section_e(0, 0, referrals=0)), catalogue, registry)
    for area in ("A1", "A2"):
        r = find(rows, "EX02_job_outcome_rate", "area", YEAR, area=area)
        assert r["comparison_all_areas"] == "not significantly different"
        r = find(rows, "EX01_access_rate", "area", YEAR, area=area)  # no funnel around 2 areas
        assert r["comparison_funnel"] == "" and r["funnel_p0"] is None and r["funnel_lower_95"] is None


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
        r
        for i in range(1, 6)
        for r in year_of("E", f"A{i}-P", f"A{i}", {**section_e(100, 10 * i), **split_values})
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


def test_stocks_and_maxima_are_not_added_up_over_a_year(catalogue, registry):
    """A caseload is a level, the largest caseload a maximum: never summed over quarters (review)."""
    qs = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    rets = [
        ret(
            "E",
            "A1-P1",
            "A1",
            q,
            {**section_e(10, 4), "E11_largest_caseload": 20, "E09_active_caseload": 100},
        )
        for q in qs
    ]
    rets.append(
        ret(
            "E",
            "A1-P2",
            "A1",
            "2025-26 Q4",
            {**section_e(10, 4), "E11_largest_caseload": 23, "E09_active_caseload": 50},
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
