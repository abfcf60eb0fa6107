"""The workbook's own checks as Excel formulas (generator.workbook.formulas): a check formula on
every row of the Return sheet, never an error value, saying "Problem" only where a row can
disagree; the Cover's due date, recalculated by LibreOffice, is the catalogue's."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from generator.catalogue.registry import load_registry
from generator.workbook.crosschecks import VALID_PREFIXES, on_row
from generator.workbook.formulas import CHECK_FAILED
from generator.workbook.layout import CHECK_COL, RETURN_SHEET, InputCell, build_layout, period_bounds

from .builders import valid_return
from .conftest import soffice_convert

PERIOD = "2025-26 Q1"  # the builders' period (of a quarterly section)


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


def test_the_cover_shows_the_due_date_once_the_period_is_chosen(catalogue, tmp_path):
    """Recalculated by LibreOffice: the Cover's formula gives the date the catalogue gives."""
    registry = load_registry()
    filled = tmp_path / "e.xlsx"
    filled.write_bytes(valid_return(catalogue, registry, "E"))
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(
        (Path(__file__).resolve().parent.parent / "templates_xlsx" / "kpi-e-job-outcomes.xlsx").read_bytes()
    )
    out = soffice_convert([filled, blank], tmp_path / "out", tmp_path / "profile")
    due = catalogue.section("E").due.date(period_bounds(PERIOD)[1], PERIOD)
    said = {}
    for path in out:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Cover").to_python()
        said[path.stem] = next(str(r[0]) for r in rows if str(r[0]).startswith("Due by"))
    assert said["e"].startswith(f"Due by: {due:%d/%m/%Y} (within 30 days")
    assert "choose the period" in said["blank"]
