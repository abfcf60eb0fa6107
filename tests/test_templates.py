"""The collection workbooks: reproducible, accessible, self-checking, and readable back."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
from defusedxml import ElementTree

from generator.workbook.identity import template_filename
from generator.workbook.layout import DETAILS_SHEET, META_SHEET, RETURN_SHEET, build_layout
from generator.workbook.rules import MAX_TEXT
from generator.workbook.templates import render_template

from .builders import SHEETS
from .conftest import ROOT
from .dv_eval import accepts, validation_for


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


def test_text_inputs_are_capped(catalogue):
    lay = build_layout(catalogue.section("C"), catalogue)
    text = [c for c in lay.input_cells if c.item.value_type == "text"]
    assert text and all(c.rule.maximum == MAX_TEXT for c in text)


def test_the_workbook_structure_is_locked_without_a_password(rendered):
    """Issue 20 item 7: no sheet can be added, deleted, renamed or moved by accident (the reader
    never relies on it: a LibreOffice re-save drops it)."""
    import io

    import openpyxl

    for letter, data in rendered.items():
        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert wb.security is not None and wb.security.lockStructure, letter
        assert not wb.security.workbookPassword, letter
