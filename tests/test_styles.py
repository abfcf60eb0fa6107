"""How the workbook looks and prints (generator.workbook.styles): inputs unlocked and marked,
everything else locked; rows tall enough for their text; print headers and footers that say what
a page is."""

from __future__ import annotations

from generator.workbook.layout import ANSWER_COL, HEADER_ROW, RETURN_SHEET, build_layout

from .builders import SHEETS


def test_every_input_is_unlocked_marked_and_everything_else_locked(workbooks, catalogue):
    """Input cells: unlocked, filled yellow, under a header that says 'enter here'; sheets protected."""
    for letter, wb in workbooks.items():
        lay = build_layout(catalogue.sections[letter], catalogue)
        inputs = {c.ref for c in lay.input_cells}
        ws = wb[RETURN_SHEET]
        assert ws.protection.sheet
        for row in ws.iter_rows(min_row=1, max_row=lay.last_row + 2, max_col=8):
            for cell in row:
                unlocked = cell.protection.locked is False
                assert unlocked == (cell.coordinate in inputs), (letter, cell.coordinate)
        for ref in inputs:
            assert ws[ref].fill.fgColor.rgb.endswith("FFF2CC")
        assert "enter here" in ws[f"{ANSWER_COL}{HEADER_ROW}"].value
        for name in SHEETS:
            assert wb[name].protection.sheet, (letter, name)
