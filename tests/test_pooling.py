"""Returns pooled into bags: areas from their providers' counts (never by averaging
percentages), rolling years only where every quarter came in, partial where returns are missing,
and sums of numbers only."""

from __future__ import annotations

import pytest

from generator.calc import stats
from generator.calc.indicators import calculate

from .builders import YEAR, calc_registry, find, ret, section_e, year_of


@pytest.fixture
def registry():
    return calc_registry()


def test_areas_pool_numerators_and_denominators_never_average_percentages(catalogue, registry):
    rows = calculate(
        [
            ret("E", "A1-P1", "A1", "2025-26 Q1", section_e(10, 9)),
            ret("E", "A1-P2", "A1", "2025-26 Q1", section_e(90, 9)),
            ret("E", "A2-P1", "A2", "2025-26 Q1", section_e(100, 18)),
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
        year_of("E", "A1-P1", "A1", section_e(10, 9)) + year_of("E", "A1-P2", "A1", section_e(90, 9)),
        catalogue,
        registry,
    )
    area = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert (area["numerator"], area["denominator"]) == (70, 400)  # 72 and 400, rounded to 5
    assert area["value"] == 17.5


def test_rolling_twelve_months_and_missing_periods(catalogue, registry):
    """A rolling year is published below national level only when every quarter's return is in
    (one short, it and its neighbour would give a quarter away); for all areas it is published
    and flagged partial (with three areas: had one area alone sent the missing quarter, the
    national quarter would be its exact count, and the year is withheld with it)."""
    full = year_of("E", "A1-P1", "A1", section_e(30, 12))  # national quarters of 10 or more: published
    other = year_of("E", "A2-P1", "A2", section_e(30, 12)) + year_of("E", "A3-P1", "A3", section_e(30, 12))
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


def test_missing_returns_make_an_area_partial(catalogue, registry):
    """A1 has two providers in the registry; a year of returns from one of them makes the area's
    value partial (published: the one provider sent every quarter), not the provider's."""
    rows = calculate(year_of("E", "A1-P1", "A1", section_e(20, 8)), catalogue, registry)
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
