"""The sheets that explain and describe (generator.workbook.guidance): the hidden Lists behind the
rating drop-downs and the Meta sheet that maps every input."""

from __future__ import annotations

from generator.workbook.layout import META_SHEET, RETURN_SHEET, build_layout

from .dv_eval import validation_for


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
