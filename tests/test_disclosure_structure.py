"""A section's counts of people as the catalogue says they add up: breakdowns to their totals,
the families of counts that must be protected together, and the stocks, maxima and
distributions that are treated apart."""

from __future__ import annotations

from generator.calc.disclosure_structure import people_keys, structure


def test_a_breakdown_adds_up_to_its_total_and_its_counts_are_one_family(catalogue):
    """B03 (new referrals by gender) is a proportion of B01: its categories are a breakdown of
    B01's count, and a part of the section holding one of them must hold them all and B01."""
    st = structure(catalogue, "B")
    b03 = catalogue.item_index["B03_gender"]
    cats = [
        c.code for c in catalogue.breakdowns[b03.breakdown].categories if c.code not in b03.exclude_categories
    ]
    parts = tuple((f"B03_gender.numerator:{c}",) for c in cats)
    total = ("B01_new_referrals",)
    assert len(cats) > 1 and parts in dict(st.groups)[total]
    assert {total, *parts} <= st.cells
    family = st.closure(["B03_gender.numerator:female"])
    assert {"B01_new_referrals", *(k for (k,) in parts)} <= family
    assert st.closure(["not_a_count"]) == {"not_a_count"}  # a key in no family is its own


def test_stocks_maxima_and_distributions_are_told_apart(catalogue):
    st = structure(catalogue, "E")
    caseload, largest, starters = ("E09_active_caseload",), ("E11_largest_caseload",), ("E04_starters",)
    assert caseload in st.stock and caseload not in st.largest  # a level at the quarter's end
    assert largest in st.stock and largest in st.largest  # the largest of the returns', never a sum
    assert starters in st.cells and starters not in st.stock  # adds up over time
    scores = {c for c in st.cells if len(c) == 1 and c[0].startswith("E15_swemwbs_start:")}
    assert scores and scores <= st.unpublished  # people by score: for all areas only
    everyone = {k for (k,) in scores}  # how many were scored, which a mean rests on, is published
    assert any(set(c) == everyone for c in st.cells - st.unpublished)
    assert not scores & st.stock


def test_only_counts_of_people_are_people_keys(catalogue):
    keys = people_keys(catalogue, "E")
    assert {"E04_starters", "E05_job_outcomes", "E09_active_caseload"} <= keys
    assert not {"E02_total_cost", "E10_specialist_fte", "E01_support_model"} & keys  # money, staff, a choice
