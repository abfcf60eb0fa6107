"""Validation problems as values (generator.intake.problems): every code documented, where a
problem is, and found values shown as a provider would recognise them."""

from __future__ import annotations

import pytest

from generator.intake.problems import CODES, Problem, error, shown, warning


def test_a_problem_with_an_undocumented_code_cannot_be_made():
    with pytest.raises(ValueError, match="undocumented problem code 'no-such-code'"):
        Problem("no-such-code", "error", "a message")
    assert "empty-file" in CODES and all(CODES.values())


def test_errors_and_warnings_say_which_they_are_and_where():
    e = error("not-a-number", "B01: not a number.", sheet="Return", cell="E5", item_id="B01_new_referrals")
    assert (e.severity, e.where, e.as_dict()["item_id"]) == ("error", "Return!E5", "B01_new_referrals")
    w = warning("formula-like-text", "C15: starts like a formula.", sheet="Return")
    assert (w.severity, w.where) == ("warning", "Return")  # a sheet without a cell
    assert error("empty-file", "The file is empty.").where == ""  # the file as a whole


def test_a_found_value_is_shown_as_typed_and_cut_short():
    assert shown(51.0) == "51"  # a whole number read as a float, as the provider typed it
    assert shown(2.5) == "2.5"
    assert shown("x" * 60) == "x" * 60
    long = shown("y" * 61)
    assert len(long) == 60 and long.endswith("...")
