"""The Return sheet's values checked (generator.intake.values): each problem names the cell, the
indicator, what was found and what was expected; bare ratings, formula-like text, gated items
and dates."""

from __future__ import annotations

import datetime as dt

from generator.intake.reader import read_return_bytes

from .builders import valid_return


def test_problems_name_the_cell_indicator_found_and_expected(catalogue, registry):
    data = valid_return(catalogue, registry, "B", {"B02_age.numerator:36_50": 2.5})
    (p,) = [
        p
        for p in read_return_bytes(data, "b.xlsx", catalogue, registry).errors
        if p.code == "not-a-whole-number"
    ]
    assert (p.sheet, p.item_id, p.found) == ("Return", "B02_age", "2.5")
    assert p.cell.startswith("E") and "whole number" in p.expected
    assert "age" in p.message.lower() and "36-50" in p.message


def test_bare_rating_is_accepted_with_a_warning(catalogue, registry):
    data = valid_return(catalogue, registry, "C", {"C03_rapid_job_search": 4})
    r = read_return_bytes(data, "c.xlsx", catalogue, registry)
    assert r.valid and r.values["C03_rapid_job_search"] == 4
    assert [p.code for p in r.warnings] == ["rating-without-wording"]


def test_formula_like_free_text_is_kept_as_text_with_a_warning(catalogue, registry):
    data = valid_return(catalogue, registry, "C", {"C15_model_processes": "=IPS, with weekly team meetings"})
    r = read_return_bytes(data, "c.xlsx", catalogue, registry)
    assert r.valid and r.values["C15_model_processes"].startswith("=IPS")
    assert [p.code for p in r.warnings] == ["formula-like-text"]


def test_gated_items_are_required_only_when_the_gate_is_yes(catalogue, registry):
    no = valid_return(
        catalogue, registry, "A", {"A18_primary_care_support": "No", "A19_pc_two_sessions": None}
    )
    assert read_return_bytes(no, "a.xlsx", catalogue, registry).valid
    yes = valid_return(
        catalogue, registry, "A", {"A18_primary_care_support": "Yes", "A19_pc_two_sessions": None}
    )
    codes = [p.code for p in read_return_bytes(yes, "a.xlsx", catalogue, registry).errors]
    assert codes == ["required-missing"]


def test_dates_after_the_period_are_refused(catalogue, registry):
    data = valid_return(catalogue, registry, "C", {"C09_service_start_date": dt.date(2030, 1, 1)})
    codes = [p.code for p in read_return_bytes(data, "c.xlsx", catalogue, registry).errors]
    # and the latest assessment (in the period) now comes before the start: a rule across items
    assert codes == ["date-outside-period", "cross-item-rule"]
