"""The 'Your details' sheet checked (generator.intake.details): who the return is from and for
which period, however the period was typed."""

from __future__ import annotations

from generator.intake.reader import read_return_bytes
from generator.workbook.layout import build_layout

from .builders import valid_return


def test_a_loosely_typed_period_is_stored_as_the_choice_itself(catalogue, registry):
    """'2025-26 q1' typed with extra spaces is the period '2025-26 Q1' (the store files returns
    in a folder named for it, and the calculations look periods up by name)."""
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("E"), catalogue)
    ref = next(f.ref for f in lay.details if f.key == "period")
    good = read_return_bytes(valid_return(catalogue, registry, "E"), "e.xlsx", catalogue, registry)
    period = good.identity["period"]

    def retype(wb):
        wb["Your details"][ref] = "  " + period.lower().replace(" ", "   ") + " "

    loose = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "E"), retype), "e.xlsx", catalogue, registry
    )
    assert loose.valid and loose.identity["period"] == period
