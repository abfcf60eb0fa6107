"""The publication rule applied to a section's bags: national counts are exact unless one area
makes them up, and then they are withheld with their breakdown."""

from __future__ import annotations

import pytest

from generator.calc.indicators import calculate

from .builders import find, ret, two_area_registry


@pytest.fixture
def registry():
    return two_area_registry()


def test_a_national_count_one_area_makes_up_is_withheld_with_its_breakdown(catalogue, registry):
    b = {
        "B01_new_referrals": 40,
        "B03_gender.numerator:female": 20,
        "B03_gender.numerator:male": 17,
        "B03_gender.numerator:another": 3,
        "B03_gender.numerator:not_recorded": 0,
    }
    b2 = {**b, "B03_gender.numerator:another": 0, "B03_gender.numerator:male": 20}
    rows = calculate(
        [ret("B", "A1-P1", "A1", "2025-26 Q1", b), ret("B", "A2-P1", "A2", "2025-26 Q1", b2)],
        catalogue,
        registry,
        indicators={"B01_new_referrals", "B03_gender"},
    )
    nation = {
        r["breakdown_value"]: r
        for r in rows
        if r["indicator_id"] == "B03_gender" and r["level"] == "all areas" and r["period"] == "2025-26 Q1"
    }
    assert "withheld" in nation["another"]["flags"] and nation["another"]["numerator"] is None
    assert all(nation[c]["numerator"] is None for c in ("female", "male", "not_recorded"))  # with it
    total = find(rows, "B01_new_referrals", "all areas", "2025-26 Q1", area="ALL")
    assert total["value"] == 80


def test_a_national_count_one_area_makes_up_is_withheld_even_when_it_is_large(catalogue, registry):
    """Rule 4 on its own: 15 people in one category, all of them in area A1 (A2 has none). The
    national 15 would be A1's exact count, which A1's own rows publish rounded; it is withheld in
    the quarter and in the rolling year alike, however large (here above the minimum shown, so no
    other rule withholds it: a review found the first test's 3 was withheld by that one)."""
    b = {
        "B01_new_referrals": 60,
        "B03_gender.numerator:female": 25,
        "B03_gender.numerator:male": 20,
        "B03_gender.numerator:another": 15,
        "B03_gender.numerator:not_recorded": 0,
    }
    b2 = {**b, "B03_gender.numerator:another": 0, "B03_gender.numerator:male": 35}
    rows = calculate(
        [ret("B", "A1-P1", "A1", "2025-26 Q1", b), ret("B", "A2-P1", "A2", "2025-26 Q1", b2)],
        catalogue,
        registry,
        indicators={"B01_new_referrals", "B03_gender"},
    )
    national = [
        r
        for r in rows
        if r["indicator_id"] == "B03_gender"
        and r["level"] == "all areas"
        and r["breakdown_value"] == "another"
    ]
    assert national, "no all-areas row for the category"
    for r in national:
        assert r["numerator"] is None and "withheld" in r["flags"], (r["period"], r["numerator"], r["flags"])
