"""Templates opened and re-saved by a real spreadsheet program (LibreOffice headless)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from generator.workbook.layout import CHECK_COL, META_SHEET, RETURN_SHEET, InputCell, SumCheck, build_layout
from generator.workbook.templates import render_template

from .conftest import ROOT, soffice_convert

pytestmark = pytest.mark.libreoffice


def _summary(wb: openpyxl.Workbook) -> dict:
    out = {}
    for ws in wb.worksheets:
        unlocked = sorted(c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False)
        dvs = sorted(
            (str(dv.sqref), dv.type, dv.operator or "between", dv.formula1, bool(dv.showErrorMessage))
            for dv in ws.data_validations.dataValidation
        )
        out[ws.title] = {
            "state": ws.sheet_state,
            "protected": bool(ws.protection.sheet),
            "unlocked": unlocked,
            "validations": dvs,
        }
    return out


def _norm_dvs(dvs):
    # LibreOffice writes numbers back as it likes ("0" vs "0.0", dates as serials): compare values
    def num(x):
        try:
            return float(x)
        except (TypeError, ValueError):
            return x

    return [(sq, t, op, num(f1), err) for sq, t, op, f1, err in dvs]


def test_resave_keeps_validations_protection_and_meta(libreoffice_resaved, rendered):
    """No loss of validations, protection, unlocked cells or the hidden _meta sheet."""
    for letter, path in libreoffice_resaved.items():
        before = _summary(openpyxl.load_workbook(io.BytesIO(rendered[letter])))
        after = _summary(openpyxl.load_workbook(path))
        assert list(after) == list(before), letter
        for sheet, b in before.items():
            a = after[sheet]
            assert a["state"] == b["state"], (letter, sheet)
            assert a["protected"] and b["protected"], (letter, sheet)
            assert a["unlocked"] == b["unlocked"], (letter, sheet)
            assert _norm_dvs(a["validations"]) == _norm_dvs(b["validations"]), (letter, sheet)
        assert after[META_SHEET]["state"] == "hidden"


def test_resave_keeps_defined_names_and_custom_properties(libreoffice_resaved, rendered, catalogue):
    for letter, path in libreoffice_resaved.items():
        wb_before = openpyxl.load_workbook(io.BytesIO(rendered[letter]))
        wb_after = openpyxl.load_workbook(path)
        assert set(wb_after.defined_names) >= set(wb_before.defined_names)
        for name in wb_before.defined_names:
            assert list(wb_after.defined_names[name].destinations) == list(
                wb_before.defined_names[name].destinations
            )
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("docProps/custom.xml"))
        props = {p.get("name"): next(iter(p)).text for p in root}
        sec = catalogue.sections[letter]
        assert props["kpi_template_id"] == sec.template_id
        assert props["kpi_template_version"] == sec.version  # still text, not a float


def test_meta_sheet_readable_with_calamine_after_resave(libreoffice_resaved, catalogue):
    """The reader's fast path (calamine, values only) still finds the template identity."""
    for letter, path in libreoffice_resaved.items():
        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name(META_SHEET).to_python()
        pairs = {r[0]: r[1] for r in rows[2:7]}
        assert pairs["kpi_template_id"] == catalogue.sections[letter].template_id
        assert pairs["kpi_template_version"] == catalogue.sections[letter].version


def test_live_checks_say_what_is_wrong(catalogue, tmp_path):
    """Filled in and recalculated by LibreOffice, the Check column names each problem in words."""
    sec = catalogue.section("B")
    lay = build_layout(sec, catalogue)
    answers: dict[str, object] = {"B01_new_referrals": 50}
    for c in lay.input_cells:
        if c.item.id == "B02_age":
            answers[c.key] = 10  # six bands x 10 = 60, but the total is 50
        elif c.item.id == "B03_gender":
            answers[c.key] = {"female": 20, "male": 25, "another": 1, "not_recorded": 4}[c.category]
        elif c.key == "B05_nvq2.numerator:nvq2_plus":
            answers[c.key] = 70  # more than the 50 referrals
        elif c.key == "B07_specialist_mh_contact.numerator:in_contact":
            answers[c.key] = 2.5  # pasted fraction
    src = tmp_path / "filled.xlsx"
    src.write_bytes(render_template(sec, catalogue, answers=answers))
    (out,) = soffice_convert([src], tmp_path / "out", tmp_path / "profile")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(RETURN_SHEET).to_python()
    check = {r.row: rows[r.row - 1][5] for r in lay.rows}

    def sumcheck(item_id):
        return next(check[r.row] for r in lay.rows if isinstance(r, SumCheck) and r.item.id == item_id)

    def inputs(item_id):
        return [check[r.row] for r in lay.rows if isinstance(r, InputCell) and r.item.id == item_id]

    assert sumcheck("B02_age") == "Problem: these add up to 60 but the total in row 5 is 50"
    assert sumcheck("B03_gender") == "Adds up to the total"
    assert inputs("B05_nvq2")[0] == "Problem: more than the total in row 5 (50)"
    assert inputs("B07_specialist_mh_contact")[0] == "Problem: expected a whole number, 0 or more"
    assert set(inputs("B05_nvq2")[1:]) == {"To do"}
    assert set(inputs("B04_ethnicity")) == {"To do"}
    assert inputs("B01_new_referrals") == ["OK"]
    cover = [r[0] for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Cover").to_python()]
    n_problems = sum(str(v).startswith("Problem") for v in check.values())
    assert n_problems == 3  # B02's sum, B05 over its total, B07's fraction
    # as the reader does, a total waits for every row above (the empty ones are "To do")
    assert sumcheck("B05_nvq2") == sumcheck("B07_specialist_mh_contact") == "Waiting for every row above"
    assert f"Problems to fix: {n_problems}" in cover
    assert CHECK_COL == "F"


def test_printed_the_cover_is_one_page_and_every_page_says_whose_return_it_is(catalogue, tmp_path):
    """LibreOffice to PDF: the Cover fits one page; a return made for an organisation carries
    its name and period on every page, and a blank template's Return repeats its title row
    (which shows them once typed) on every page, with the template version in each footer."""
    import shutil
    import subprocess

    from generator.catalogue.registry import load_registry

    from .builders import valid_return

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (make system-deps)")
    registry = load_registry()
    filled = tmp_path / "e-filled.xlsx"
    filled.write_bytes(valid_return(catalogue, registry, "E"))
    blank = ROOT / "templates_xlsx" / f"{catalogue.section('E').template_id}.xlsx"
    outs = soffice_convert([filled, blank], tmp_path / "pdf", tmp_path / "profile", fmt="pdf")
    for pdf in outs:
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        pages = text.split("\f")[:-1]
        assert sum("Employment support KPIs - Section E" in p for p in pages) == 1
        assert "What this return is" in pages[0] and "Sources" in pages[0]  # the whole Cover
        returns = [p for p in pages if "Return - Section E" in p]
        assert len(returns) >= 3  # the Return runs to several pages, each with its title row
        version = catalogue.section("E").version
        assert all(f"v{version}" in p and "Page" in p for p in pages)
        assert _guidance_text_height(pdftotext, pdf) >= 9 * LINE_PER_POINT, "Guidance printed below 9 pt"
        if pdf.stem == "e-filled":
            assert all("PS04-EMP" in p and "2025-26" in p for p in pages), "organisation or period missing"


LINE_PER_POINT = 1.117  # a word's box in pdftotext -bbox: the font's ascent and descent, 1.117 em in Arial


def _guidance_text_height(pdftotext: str, pdf: Path) -> float:
    """The median height of the words on the printed Guidance pages (issue 20: once fitted to
    one page wide, they printed at about 4 pt)."""
    import re
    import statistics
    import subprocess

    boxes = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    heights = []
    for page in boxes.split("<page ")[1:]:
        words = [
            (float(y1), float(y2), w)
            for y1, y2, w in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
        ]
        if not words:
            continue
        bottom = max(y1 for y1, _, _ in words)  # the footer's line names the sheet
        if "Guidance" in [w for y1, _, w in words if y1 > bottom - 2]:
            heights += [y2 - y1 for y1, y2, _ in words]
    assert heights, "no Guidance page found in the PDF"
    return statistics.median(heights)
