"""Validation rules: the Python check accepts and rejects what the spreadsheet rule does."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from generator.workbook.rules import MAX_COUNT, Rule, fmt, rule_for

WHOLE = Rule("whole", 0, MAX_COUNT, expected="a whole number, 0 or more")
PCT = Rule("decimal", 0, 100, expected="a percentage")


@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_whole_accepts_any_count_in_range(n):
    assert WHOLE.check(n) is None
    assert WHOLE.check(float(n)) is None  # calamine reads every number as a float


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False).filter(lambda x: not float(x).is_integer()))
def test_whole_rejects_fractions(x):
    assert "fraction" in WHOLE.check(x)


@given(st.integers(max_value=-1))
def test_whole_rejects_negatives(n):
    assert "below 0" in WHOLE.check(n)


@given(st.text())
def test_numbers_reject_any_text(s):
    assert "found text" in WHOLE.check(s)
    assert PCT.check(s) is not None


def test_booleans_are_not_numbers():
    """A TRUE pasted into a count cell is not 1."""
    assert WHOLE.check(True) is not None


def test_percentage_bounds():
    assert PCT.check(0) is None and PCT.check(100) is None and PCT.check(37.5) is None
    assert "above 100" in PCT.check(100.01)
    assert PCT.check(float("nan")) is not None


def test_list_forgives_typography_not_meaning():
    r = Rule("list", options=("Yes", "No"), list_name="list_yes_no", expected="Yes or No")
    assert r.check("Yes") is None and r.check(" No ") is None and r.check("yes") is None
    assert r.check("Y") is not None and r.check(1) is not None and r.check("Yes please") is not None
    s = Rule("list", options=("3 = The client's goals are met",), list_name="x", expected="")
    assert s.option_index("3 = the client\u2019s  goals are met ") == 0  # pasted from the document
    assert s.option_index("3 = The clients goals are met") is None  # a different text


def test_dates_and_datetimes():
    r = Rule("date", expected="a date")
    assert r.check(dt.date(2025, 6, 30)) is None
    assert r.check(dt.datetime(2025, 6, 30, 0, 0)) is None
    assert r.check("30/06/2025") is not None
    assert r.check(dt.date(1999, 12, 31)) is not None


def test_text_length():
    r = Rule("text", maximum=5, expected="text")
    assert r.check("abcde") is None
    assert "at most 5" in r.check("abcdef")


def test_rating_rule_lists_every_point_with_its_wording(catalogue):
    item = catalogue.item_index["C03_rapid_job_search"]
    rule = rule_for(item, catalogue.scales[item.scale])
    assert rule.kind == "list" and len(rule.options) == 5
    assert rule.options[4].startswith("5 = First face-to-face contact with an employer")


def test_fmt():
    assert fmt(100.0) == "100" and fmt(2.5) == "2.5"


def test_formula_for_lists_avoids_255_character_lookups():
    """MATCH/COUNTIF fail on text over 255 characters; some scale points are longer."""
    r = Rule("list", options=("a",), list_name="list_x", expected="x")
    f = r.valid_formula("E5")
    assert "SUMPRODUCT" in f and "MATCH" not in f and "COUNTIF" not in f


def test_input_message_titles_end_on_a_whole_word(catalogue):
    """Spreadsheets keep 32 characters of an input message's title: a title cut there may end
    mid-word, so it is cut after the last whole word."""
    from generator.workbook.layout import build_layout
    from generator.workbook.rules import TITLE_LIMIT, short_title

    for sec in catalogue.sections.values():
        for c in build_layout(sec, catalogue).input_cells:
            t = short_title(c.item.title)
            assert len(t) <= TITLE_LIMIT
            if t != c.item.title:
                kept = t.removesuffix("\u2026")
                assert c.item.title.startswith(kept) and c.item.title[len(kept)] in " ,;:-(", (
                    c.item.title,
                    t,
                )
    assert (
        short_title("Largest caseload held by one employment specialist")
        == "Largest caseload held by one\u2026"
    )
