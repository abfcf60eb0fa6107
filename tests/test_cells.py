"""What a workbook's XML says about its cells (generator.intake.cells): error values named rather
than read as blanks, and anything typed outside the answer cells named rather than lost."""

from __future__ import annotations

from generator.intake.reader import read_return_bytes
from generator.workbook.layout import build_layout

from .builders import valid_return


def test_an_error_value_is_named_not_read_as_a_blank(catalogue, registry):
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("F"), catalogue)
    optional = next(c for c in lay.input_cells if not c.item.required and c.gate_row is None)

    def paste_error(wb):
        wb["Return"][optional.ref] = "#N/A"  # openpyxl writes it as an error value (t="e")

    r = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "F"), paste_error), "f.xlsx", catalogue, registry
    )
    found = [p for p in r.problems if p.cell == optional.ref]
    assert [p.code for p in found] == ["error-value"] and "#N/A" in found[0].message


def test_a_note_or_a_row_typed_outside_the_table_is_named_not_lost(catalogue, registry):
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("B"), catalogue)

    def scribble(wb):
        wb["Return"]["H6"] = "figures provisional: system migration"
        wb["Return"][f"E{lay.last_row + 2}"] = 17  # a row of data added below the table
        wb["Your details"]["F3"] = "call me"

    r = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "B"), scribble), "b.xlsx", catalogue, registry
    )
    outside = [(p.sheet, p.cell) for p in r.problems if p.code == "outside-answer-cells"]
    assert sorted(outside) == sorted(
        [("Return", "H6"), ("Return", f"E{lay.last_row + 2}"), ("Your details", "F3")]
    )
    assert r.valid  # warnings: the answers themselves are fine
    clean = read_return_bytes(valid_return(catalogue, registry, "B"), "b.xlsx", catalogue, registry)
    assert not [p for p in clean.problems if p.code == "outside-answer-cells"]
