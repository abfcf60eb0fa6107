"""The sheets a provider fills in (generator.workbook.sheets): the Cover explains the return, 'Your
details' carries the identity, and the Return has one header row, no blank rows and a stop
validation with a prompt on every input."""

from __future__ import annotations

import io

import openpyxl
import pytest

from generator.workbook.identity import Identity
from generator.workbook.layout import DETAILS_SHEET, HEADER_ROW, RETURN_COLUMNS, RETURN_SHEET, build_layout
from generator.workbook.templates import render_template

from .dv_eval import validation_for


def test_return_table_has_one_header_row_and_no_blank_rows(workbooks, catalogue):
    for letter, wb in workbooks.items():
        ws = wb[RETURN_SHEET]
        header = [c.value for c in ws[HEADER_ROW]][: len(RETURN_COLUMNS)]
        assert tuple(header) == RETURN_COLUMNS
        last = build_layout(catalogue.sections[letter], catalogue).last_row
        for r in range(HEADER_ROW + 1, last + 1):
            assert ws.cell(r, 1).value, f"{letter}: blank row {r} inside the table"
        assert ws.cell(last + 1, 1).value is None


def test_every_input_has_a_stop_validation_with_a_prompt(workbooks, catalogue):
    for letter, wb in workbooks.items():
        lay = build_layout(catalogue.sections[letter], catalogue)
        ws = wb[RETURN_SHEET]
        for c in lay.input_cells:
            dv = validation_for(ws, c.ref)
            assert dv is not None, (letter, c.key)
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), (letter, c.key)
            assert dv.showInputMessage and dv.prompt, (letter, c.key)
            assert len(dv.prompt) <= 255 and len(dv.promptTitle or "") <= 32
            if dv.type == "list":
                assert not dv.formula1.startswith('"'), "lists come from named ranges, not inline"


def test_prefill_writes_identity_into_details(catalogue):
    ident = Identity("PS04", "Leeds", "PS04-EMP", "Leeds employment service", "2025-26 Q1")
    data = render_template(catalogue.section("B"), catalogue, ident)
    ws = openpyxl.load_workbook(io.BytesIO(data))[DETAILS_SHEET]
    lay = build_layout(catalogue.section("B"), catalogue)
    got = {f.key: ws[f.ref].value for f in lay.details}
    assert got["area_code"] == "PS04" and got["organisation_name"] == "Leeds employment service"
    assert got["period"] == "2025-26 Q1" and got["contact_name"] is None


@pytest.mark.parametrize("letter", list("ABCDEFG"))
def test_cover_explains_who_when_and_how(workbooks, catalogue, letter):
    """The workbook explains itself: purpose, who completes it, period, how to submit, template id."""
    sec = catalogue.sections[letter]
    text = "\n".join(str(r[0]) for r in workbooks[letter]["Cover"].iter_rows(values_only=True) if r[0])
    for needed in (
        "What this return is",
        "Who completes it",
        "Reporting period",
        "How to submit",
        sec.template_id,
        f"version {sec.version}",
        "identify a person",
    ):
        assert needed in text, (letter, needed)
