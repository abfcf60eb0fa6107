"""Layout: where each answer goes is a pure function of the catalogue."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from generator.workbook.layout import HEADER_ROW, InputCell, SumCheck, build_layout, period_bounds, periods


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2025-26", dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
        ("2025-26 Q1", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        ("2025-26 Q3", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("2025-26 Q4", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2027-28 Q4", dt.date(2028, 1, 1), dt.date(2028, 3, 31)),  # leap year does not matter here
    ],
)
def test_period_bounds_follow_the_uk_financial_year(period, start, end):
    assert period_bounds(period) == (start, end)


def test_periods_are_contiguous_quarters():
    qs = periods("quarterly")
    assert qs[0] == "2023-24 Q1" and len(qs) % 4 == 0
    for a, b in itertools.pairwise(qs):
        assert period_bounds(b)[0] == period_bounds(a)[1] + dt.timedelta(days=1)
    assert periods("annual")[:2] == ("2023-24", "2024-25")


def test_rows_are_contiguous_from_below_the_header(catalogue):
    """No blank rows inside the Return table."""
    for sec in catalogue.sections.values():
        rows = [r.row for r in build_layout(sec, catalogue).rows]
        assert rows == list(range(HEADER_ROW + 1, HEADER_ROW + 1 + len(rows)))


def test_every_item_has_at_least_one_input_and_keys_are_unique(catalogue):
    for sec in catalogue.sections.values():
        lay = build_layout(sec, catalogue)
        keys = [c.key for c in lay.input_cells]
        assert len(keys) == len(set(keys))
        assert {c.item.id for c in lay.input_cells} == {i.id for i in sec.items}


def test_numerators_point_at_their_denominator(catalogue):
    """A numerator's check compares with the row holding its denominator's count."""
    for sec in catalogue.sections.values():
        lay = build_layout(sec, catalogue)
        by_row = {c.row: c for c in lay.input_cells}
        for c in lay.input_cells:
            if c.part != "numerator":
                assert c.relation_row is None
                continue
            den = by_row[c.relation_row]
            ref = c.item.denominator.item
            if ref is None:
                assert (den.item.id, den.part) == (c.item.id, "denominator")
            elif ref.endswith(".numerator"):
                assert (den.item.id, den.part) == (ref.split(".")[0], "numerator")
            else:
                assert (den.item.id, den.part) == (ref, "value")
            assert den.row < c.row  # the total is asked before its parts


def test_breakdowns_end_with_a_sum_check_over_their_rows(catalogue):
    lay = build_layout(catalogue.section("B"), catalogue)
    checks = [r for r in lay.rows if isinstance(r, SumCheck)]
    assert checks, "section B has breakdowns"
    for sc in checks:
        covered = [r for r in lay.rows if isinstance(r, InputCell) and sc.first_row <= r.row <= sc.last_row]
        assert {r.item.id for r in covered} == {sc.item.id}
        assert len(covered) == sc.last_row - sc.first_row + 1
        assert sc.row == sc.last_row + 1


def test_gated_items_point_at_their_yes_no_gate(catalogue):
    lay = build_layout(catalogue.section("A"), catalogue)
    gated = [c for c in lay.input_cells if c.item.required_when_yes]
    assert len(gated) == 6
    gate_rows = {c.row for c in lay.input_cells if c.item.id == "A18_primary_care_support"}
    assert {c.gate_row for c in gated} == gate_rows


def test_percentage_population_shares_leave_out_not_recorded(catalogue):
    lay = build_layout(catalogue.section("A"), catalogue)
    cats = [c.category for c in lay.input_cells if c.item.id == "A07_population_age"]
    assert "not_recorded" not in cats and "under_18" in cats
