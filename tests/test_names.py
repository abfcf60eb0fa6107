"""File names of any bytes: shown and recorded as printable text, and given back exactly."""

from __future__ import annotations

import os
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from generator.base.names import as_recorded, original, printable


def unprintable(text: str) -> bool:
    """Holds a character that does not show as itself: a control, format (zero-width, bidi,
    byte-order mark, tags), separator or private-use character, a lone surrogate, or a space
    other than the plain one."""
    hidden = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Zs"}
    return any(c != " " and unicodedata.category(c) in hidden for c in text)


@given(st.binary(max_size=60))
def test_any_bytes_round_trip_through_printable_text(name):
    text = printable(os.fsdecode(name))
    text.encode("utf-8")  # no surrogate left: a UTF-8 file or terminal takes it
    assert not unprintable(text)
    assert original(text) == name
    assert as_recorded(text) == text  # read back, it is not escaped again


@given(st.text(max_size=40))
def test_any_text_round_trips_and_ordinary_names_are_unchanged(name):
    text = printable(name)
    assert original(text) == name.encode("utf-8", "surrogatepass")
    assert as_recorded(text) == text
    if not unprintable(name) and "\\" not in name:
        assert text == name


def test_the_cases_an_analyst_meets():
    """A Windows zip unpacked on Linux, a name with a newline or a right-to-left override
    (which would show 'xlsx.exe' as 'exe.xlsx'), and a backslash that is really there."""
    assert printable(os.fsdecode(b"R\xe9sum\xe9 PS04.xlsx")) == "R\\xe9sum\\xe9 PS04.xlsx"
    assert printable("a\nb.xlsx") == "a\\x0ab.xlsx"
    assert printable("return\u202exslx.exe") == "return\\u202exslx.exe"
    assert printable("C:\\x41") == "C:\\\\x41" and original("C:\\\\x41") == b"C:\\x41"
    assert printable("Gloucester – Q1 ’25.xlsx") == "Gloucester – Q1 ’25.xlsx"
    # look-alikes: a zero-width space, a non-breaking space, a byte-order mark, a tag character
    assert printable("good\u200b.xlsx") == "good\\u200b.xlsx" and printable("a\u00a0b") == "a\\u00a0b"
    assert printable("\ufeffx\U000e0041") == "\\ufeffx\\U000e0041"
    assert original("\\ufeffx\\U000e0041") == "\ufeffx\U000e0041".encode()


def test_a_name_an_earlier_version_stored_raw_is_made_printable_once():
    raw = os.fsdecode(b"R\xe9sum\xe9\n.xlsx")
    assert as_recorded(raw) == "R\\xe9sum\\xe9\\x0a.xlsx"
    assert as_recorded(as_recorded(raw)) == as_recorded(raw)
