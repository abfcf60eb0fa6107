"""The collection workbooks: reproducible, accessible, self-checking, and readable back."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from defusedxml import ElementTree

from generator.workbook.crosschecks import VALID_PREFIXES, on_row
from generator.workbook.formulas import CHECK_FAILED
from generator.workbook.identity import Identity, template_filename
from generator.workbook.layout import (
    ANSWER_COL,
    CHECK_COL,
    DETAILS_SHEET,
    HEADER_ROW,
    META_SHEET,
    RETURN_COLUMNS,
    RETURN_SHEET,
    InputCell,
    build_layout,
)
from generator.workbook.rules import MAX_TEXT
from generator.workbook.templates import render_template

from .conftest import ROOT
from .dv_eval import accepts, validation_for

SHEETS = ["Cover", "Your details", "Return", "Guidance", "Lists", "_meta"]


def test_rendering_is_byte_identical(catalogue, rendered):
    """Same catalogue -> same bytes, so committed templates only change when the catalogue does."""
    for letter, sec in catalogue.sections.items():
        assert render_template(sec, catalogue) == rendered[letter]


def test_committed_templates_are_up_to_date(catalogue, rendered):
    """templates_xlsx/ holds exactly what the catalogue generates (`kpi templates` to refresh)."""
    folder = ROOT / "templates_xlsx"
    expected = {template_filename(s): rendered[k] for k, s in catalogue.sections.items()}
    assert sorted(p.name for p in folder.glob("*.xlsx")) == sorted(expected)
    stale = [n for n, data in expected.items() if (folder / n).read_bytes() != data]
    assert not stale, f"stale templates (run `kpi templates`): {stale}"


def test_sheets_titles_and_no_merged_cells(workbooks):
    """Analysis Function guidance: meaningful sheet names, title in A1, no merged cells."""
    for letter, wb in workbooks.items():
        assert wb.sheetnames == SHEETS
        for ws in wb.worksheets:
            assert isinstance(ws["A1"].value, str) and len(ws["A1"].value) > 10, (letter, ws.title)
            assert not ws.merged_cells.ranges, (letter, ws.title)


def test_return_table_has_one_header_row_and_no_blank_rows(workbooks, catalogue):
    for letter, wb in workbooks.items():
        ws = wb[RETURN_SHEET]
        header = [c.value for c in ws[HEADER_ROW]][: len(RETURN_COLUMNS)]
        assert tuple(header) == RETURN_COLUMNS
        last = build_layout(catalogue.sections[letter], catalogue).last_row
        for r in range(HEADER_ROW + 1, last + 1):
            assert ws.cell(r, 1).value, f"{letter}: blank row {r} inside the table"
        assert ws.cell(last + 1, 1).value is None


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


def _valid_values(rule):
    if rule.kind == "whole":
        return [0, 7, int(rule.maximum)]
    if rule.kind == "decimal":
        return [0, 12.5, rule.maximum]
    if rule.kind == "list":
        return list(rule.options)
    if rule.kind == "date":
        return [dt.date(2025, 6, 30)]
    n = int(rule.maximum)
    return ["Referrals from the new GP practice were slower this quarter."[:n], "x" * n]


def _invalid_values(rule):
    if rule.kind == "whole":
        return [-1, 2.5, "seven", int(rule.maximum) + 1]
    if rule.kind == "decimal":
        return [-0.5, rule.maximum + 1, "ten"]
    if rule.kind == "list":
        return ["Maybe", rule.options[0] + " (edited)", 3]
    if rule.kind == "date":
        return [dt.date(1999, 12, 31), "next week", 45000]
    return ["x" * (int(rule.maximum) + 1)]


def _cells(wb, lay):
    for c in lay.input_cells:
        yield wb[RETURN_SHEET], c.ref, c.rule, c.key
    for f in lay.details:
        yield wb[DETAILS_SHEET], f.ref, f.rule, f"details.{f.key}"


def test_validations_accept_every_valid_value(workbooks, catalogue):
    """Every input cell of every template, filled with values its rule allows."""
    n = 0
    for letter, wb in workbooks.items():
        lay = build_layout(catalogue.sections[letter], catalogue)
        for ws, ref, rule, key in _cells(wb, lay):
            dv = validation_for(ws, ref)
            for v in _valid_values(rule):
                assert accepts(wb, dv, v), f"{letter} {key}: the spreadsheet rejects valid {v!r}"
                assert rule.check(v) is None, f"{letter} {key}: the reader's check rejects valid {v!r}"
                n += 1
    assert n > 500


def test_validations_reject_every_invalid_value(workbooks, catalogue):
    """... and with values it must stop: negative, fractional, text for numbers, off-list, too long."""
    for letter, wb in workbooks.items():
        lay = build_layout(catalogue.sections[letter], catalogue)
        for ws, ref, rule, key in _cells(wb, lay):
            dv = validation_for(ws, ref)
            for v in _invalid_values(rule):
                assert not accepts(wb, dv, v), f"{letter} {key}: the spreadsheet accepts invalid {v!r}"
                assert rule.check(v) is not None, f"{letter} {key}: the reader's check accepts {v!r}"


def test_percentages_are_0_to_100_and_counts_whole(workbooks, catalogue):
    wb = workbooks["A"]
    lay = build_layout(catalogue.section("A"), catalogue)
    cell = next(c for c in lay.input_cells if c.item.id == "A01_employment_rate")
    dv = validation_for(wb[RETURN_SHEET], cell.ref)
    assert (dv.type, float(dv.formula1), float(dv.formula2)) == ("decimal", 0, 100)
    wb = workbooks["B"]
    lay = build_layout(catalogue.section("B"), catalogue)
    cell = next(c for c in lay.input_cells if c.item.id == "B01_new_referrals")
    dv = validation_for(wb[RETURN_SHEET], cell.ref)
    assert (dv.type, float(dv.formula1)) == ("whole", 0)


def test_rating_dropdowns_show_the_scale_wording(workbooks, catalogue):
    """The drop-down for a rating lists each point with its full wording, from the Lists sheet."""
    wb = workbooks["C"]
    lay = build_layout(catalogue.section("C"), catalogue)
    cell = next(c for c in lay.input_cells if c.item.id == "C05_health_social_care_integration")
    dv = validation_for(wb[RETURN_SHEET], cell.ref)
    ((sheet, rng),) = list(wb.defined_names[dv.formula1].destinations)
    texts = [r[0].value for r in wb[sheet][rng.replace("$", "")]]
    scale = catalogue.scales["c_health_social_care_integration"]
    assert texts == [f"{p.value} = {p.label}" for p in scale.points]


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


def test_meta_sheet_is_plain_hidden_and_maps_every_input(workbooks, catalogue):
    for letter, wb in workbooks.items():
        sec = catalogue.sections[letter]
        ws = wb[META_SHEET]
        assert ws.sheet_state == "hidden"  # not veryHidden: LibreOffice would change that anyway
        pairs = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 8)}
        assert pairs["kpi_template_id"] == sec.template_id
        assert pairs["kpi_section"] == letter and pairs["kpi_template_version"] == sec.version
        lay = build_layout(sec, catalogue)
        mapped = {(ws.cell(r, 5).value, ws.cell(r, 6).value) for r in range(3, ws.max_row + 1)}
        for c in lay.input_cells:
            assert (c.ref, c.key) in mapped


def _custom_props(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = ElementTree.fromstring(z.read("docProps/custom.xml"))
    out = {}
    for prop in root:
        (value,) = list(prop)
        out[prop.get("name")] = value.text
    return out


def test_identity_is_in_custom_properties_not_keywords(rendered, catalogue):
    """The reader finds template id, section and version from the zip alone, as text."""
    for letter, data in rendered.items():
        sec = catalogue.sections[letter]
        props = _custom_props(data)
        assert props["kpi_template_id"] == sec.template_id
        assert props["kpi_section"] == letter
        assert props["kpi_template_version"] == sec.version
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = z.read("docProps/core.xml").decode()
        assert "keywords" not in core


def test_every_catalogue_item_is_in_exactly_one_template(rendered, catalogue):
    """The mapping the other way: from the workbooks' own maps back to the catalogue."""
    seen: dict[str, set[str]] = {}
    for letter, data in rendered.items():
        ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True)[META_SHEET]
        for row in ws.iter_rows(min_row=3, min_col=7, max_col=7, values_only=True):
            if row[0]:
                seen.setdefault(row[0], set()).add(letter)
    all_items = {i.id: s.section for s, i in catalogue.items()}
    assert set(seen) == set(all_items)
    for item_id, letters in seen.items():
        assert letters == {all_items[item_id]}, f"{item_id} appears in {letters}"


def test_prefill_writes_identity_into_details(catalogue):
    ident = Identity("PS04", "Leeds", "PS04-EMP", "Leeds employment service", "2025-26 Q1")
    data = render_template(catalogue.section("B"), catalogue, ident)
    ws = openpyxl.load_workbook(io.BytesIO(data))[DETAILS_SHEET]
    lay = build_layout(catalogue.section("B"), catalogue)
    got = {f.key: ws[f.ref].value for f in lay.details}
    assert got["area_code"] == "PS04" and got["organisation_name"] == "Leeds employment service"
    assert got["period"] == "2025-26 Q1" and got["contact_name"] is None


def test_text_inputs_are_capped(catalogue):
    lay = build_layout(catalogue.section("C"), catalogue)
    text = [c for c in lay.input_cells if c.item.value_type == "text"]
    assert text and all(c.rule.maximum == MAX_TEXT for c in text)


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


def test_the_workbook_structure_is_locked_without_a_password(rendered):
    """Issue 20 item 7: no sheet can be added, deleted, renamed or moved by accident (the reader
    never relies on it: a LibreOffice re-save drops it)."""
    import io

    import openpyxl

    for letter, data in rendered.items():
        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert wb.security is not None and wb.security.lockStructure, letter
        assert not wb.security.workbookPassword, letter
