"""The workbook's own checks as Excel formulas (generator.workbook.formulas): a check formula on
every row of the Return sheet, never an error value, saying "Problem" only where a row can
disagree."""

from __future__ import annotations

from generator.workbook.crosschecks import VALID_PREFIXES, on_row
from generator.workbook.formulas import CHECK_FAILED
from generator.workbook.layout import CHECK_COL, RETURN_SHEET, InputCell, build_layout


def test_check_column_has_a_formula_on_every_row(workbooks, catalogue):
    for letter, wb in workbooks.items():
        lay = build_layout(catalogue.sections[letter], catalogue)
        ws = wb[RETURN_SHEET]
        for r in lay.rows:
            f = ws[f"{CHECK_COL}{r.row}"].value
            assert isinstance(f, str) and f.startswith("=IFERROR("), (letter, r.row)  # never an error value
            can_disagree = (
                isinstance(r, InputCell)
                or r.total_row is not None
                or r.total_value is not None
                or bool(on_row(lay, r.row))  # a rule across items shown on the row
            )
            words = f.replace(CHECK_FAILED, "")
            for prefix in VALID_PREFIXES:  # read from other checks, not said by this one
                words = words.replace(f'="{prefix}"', "")
            assert ("Problem" in words) == can_disagree, (letter, r.row)
