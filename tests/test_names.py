"""File names of any bytes: shown and recorded as printable text, and given back exactly."""

from __future__ import annotations

import os
import re

from hypothesis import given
from hypothesis import strategies as st

from generator.names import original, printable

# what printable text may not hold: control characters, bidi controls, lone surrogates
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@given(st.binary(max_size=60))
def test_any_bytes_round_trip_through_printable_text(name):
    text = printable(os.fsdecode(name))
    text.encode("utf-8")  # no surrogate left: a UTF-8 file or terminal takes it
    assert not UNPRINTABLE.search(text)
    assert original(text) == name


@given(st.text(max_size=40))
def test_any_text_round_trips_and_ordinary_names_are_unchanged(name):
    text = printable(name)
    assert original(text) == name.encode("utf-8", "surrogatepass")
    if not UNPRINTABLE.search(name) and "\\" not in name:
        assert text == name


def test_the_cases_an_analyst_meets():
    """A Windows zip unpacked on Linux, a name with a newline or a right-to-left override
    (which would show 'xlsx.exe' as 'exe.xlsx'), and a backslash that is really there."""
    assert printable(os.fsdecode(b"R\xe9sum\xe9 PS04.xlsx")) == "R\\xe9sum\\xe9 PS04.xlsx"
    assert printable("a\nb.xlsx") == "a\\x0ab.xlsx"
    assert printable("return\u202exslx.exe") == "return\\u202exslx.exe"
    assert printable("C:\\x41") == "C:\\\\x41" and original("C:\\\\x41") == b"C:\\x41"
    assert printable("Gloucester – Q1 ’25.xlsx") == "Gloucester – Q1 ’25.xlsx"
