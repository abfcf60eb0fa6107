"""The small xlsx writer: what it writes reads back the same in openpyxl, calamine and
LibreOffice, with its styles, widths, frozen header and filters, the same bytes every time."""

from __future__ import annotations

import io
import math
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from generator.publish.xlsx import BOLD, TITLE, WRAP, Sheet, column_letter, workbook_bytes

from .conftest import soffice_convert

TABLE = [
    ["code", "name", "value", "rank"],
    ["PS01", 'North, "East" & <West>\nline two', "43.2", "1"],
    ["PS02", " spaces kept ", "", None],
    ["PS03", "=1+1", "2025-26", "3"],  # formula-like text stays text; a date in a number column too
    ["PS04", "tab\there", "1e-05", ""],
    ["PS05", "", "-7", "12"],
]


def _book() -> bytes:
    return workbook_bytes(
        "A & B",
        [
            Sheet(
                "Notes",
                [["Title"], [], ["Topic", "Note"], ["About", "long text"]],
                widths=(24, 110),
                styles={0: TITLE, 2: BOLD},
                body=WRAP,
            ),
            Sheet("Indicators", TABLE, styles={0: BOLD}, table=True, numbers=frozenset({2, 3})),
            Sheet("Data quality", [["a", "b"], [1, 2.5], ["x", None]], table=True),
        ],
    )


# what a reader gives back: blanks as None, the number columns' numbers as numbers
EXPECTED = [
    ["code", "name", "value", "rank"],
    ["PS01", 'North, "East" & <West>\nline two', 43.2, 1],
    ["PS02", " spaces kept ", None, None],
    ["PS03", "=1+1", "2025-26", 3],
    ["PS04", "tab\there", 1e-05, None],
    ["PS05", None, -7, 12],
]


def test_openpyxl_reads_back_every_value_style_width_the_frozen_header_and_the_filters():
    wb = openpyxl.load_workbook(io.BytesIO(_book()))
    assert wb.sheetnames == ["Notes", "Indicators", "Data quality"]
    ind = wb["Indicators"]
    got = [list(r) for r in ind.iter_rows(values_only=True)]
    assert got == EXPECTED
    assert ind.auto_filter.ref == "A1:D6" and ind.freeze_panes == "A2"
    assert ind["A1"].font.b and not ind["A2"].font.b
    quality = wb["Data quality"]
    assert [list(r) for r in quality.iter_rows(values_only=True)] == [["a", "b"], [1, 2.5], ["x", None]]
    assert quality.auto_filter.ref == "A1:B3"
    notes = wb["Notes"]
    assert notes.auto_filter.ref is None and notes.freeze_panes is None
    assert notes["A1"].font.b and notes["A1"].font.sz == 14
    assert notes["A3"].font.b and notes["B4"].alignment.wrap_text
    assert notes.column_dimensions["A"].width == 24 and notes.column_dimensions["B"].width == 110
    assert wb.properties.title == "A & B"


def test_calamine_reads_back_the_same_cells():
    wb = CalamineWorkbook.from_filelike(io.BytesIO(_book()))
    rows = wb.get_sheet_by_name("Indicators").to_python()
    assert [[None if g == "" else g for g in row] for row in rows] == EXPECTED


def test_libreoffice_opens_it_and_keeps_every_value_and_the_filters(tmp_path):
    src = tmp_path / "book.xlsx"
    src.write_bytes(_book())
    (out,) = soffice_convert([src], tmp_path / "out", tmp_path / "profile")
    wb = openpyxl.load_workbook(out)
    got = [list(r) for r in wb["Indicators"].iter_rows(values_only=True)]
    assert got == EXPECTED
    assert wb["Indicators"].auto_filter.ref == "A1:D6"


def test_the_same_content_gives_the_same_bytes():
    assert _book() == _book()


def test_characters_xml_cannot_hold_are_written_as_excel_writes_them():
    book = workbook_bytes("t", [Sheet("S", [["bell\x07", "ok"]])])
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    assert "bell_x0007_" in strings and "\x07" not in strings
    assert openpyxl.load_workbook(io.BytesIO(book))["S"]["B1"].value == "ok"


@pytest.mark.parametrize("bad", [True, math.nan, math.inf])
def test_a_value_that_is_not_a_cell_is_refused(bad):
    with pytest.raises(TypeError, match="not a cell value"):
        workbook_bytes("t", [Sheet("S", [["a", bad]])])


def test_column_letters():
    assert [column_letter(c) for c in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
