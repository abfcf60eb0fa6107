"""Published text is safe to open in a spreadsheet: a leading formula character is made literal
and hidden characters are escaped, in every text column and nowhere else."""

from __future__ import annotations

import pytest

from generator.publish.files import write_dataset
from generator.publish.safe_csv import neutralise


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\uff1dSUM(1)", " =1"])
def test_formula_injection_is_neutralised_in_text(text):
    assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain" and neutralise(-2) == -2


@pytest.mark.parametrize("text", ["\tx", "\rx", "a\x00b", "\x1b[2J", "\u202eexe.txt"])
def test_hidden_characters_in_published_text_are_escaped(text):
    """A tab or carriage return (which some programs take as the start of a formula), NUL, an
    escape sequence or a bidirectional override is written as a visible escape."""
    out = neutralise(text)
    assert out.isprintable() and ("\\x" in out or "\\u" in out)


def test_text_columns_are_safe_in_the_csv(tmp_path):
    row = {"area_code": "PS01", "area_name": "=cmd|' /C calc'!A0", "value": -3.5, "indicator_title": "@x"}
    write_dataset([row], [], tmp_path)
    text = (tmp_path / "indicators.csv").read_text()
    assert "'=cmd" in text and ",-3.5," in text and "'@x" in text


def test_the_columns_spared_the_formula_check_are_numeric_columns_that_exist():
    """The CSV writer skips the formula check only for columns named numeric beside the column
    lists themselves; a name that is not a column (a typo, a renamed column) would spare nothing
    and hide that the list is out of step."""
    from generator.calc.columns import COLUMNS, NUMERIC_COLUMNS
    from generator.publish.quality import QUALITY_COLUMNS, QUALITY_NUMERIC

    assert set(COLUMNS) >= NUMERIC_COLUMNS
    assert set(QUALITY_COLUMNS) >= QUALITY_NUMERIC
    text = {"indicator_title", "flags", "method", "comment", "area_name"}
    assert not text & (NUMERIC_COLUMNS | QUALITY_NUMERIC)
