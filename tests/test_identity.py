"""Who and when a workbook is for (generator.workbook.identity), and the file name that says so."""

from __future__ import annotations

from pathlib import Path

from generator.workbook.identity import Identity, template_filename


def test_a_blank_template_is_named_by_its_template_id(catalogue):
    for sec in catalogue.sections.values():
        assert template_filename(sec) == f"{sec.template_id}.xlsx"


def test_a_prefilled_workbook_is_named_by_its_period_area_and_organisation(catalogue):
    ident = Identity("PS04", "Leeds", "PS04-EMP", "Leeds employment service", "2025-26 Q1")
    assert (
        template_filename(catalogue.section("B"), ident)
        == "kpi-b-client-intake_2025-26-Q1_PS04_PS04-EMP.xlsx"
    )
    assert Identity(**ident.as_dict()) == ident


def test_a_code_that_is_no_file_name_cannot_take_the_workbook_elsewhere(catalogue):
    """Only letters, digits and dashes reach the name: no folder separator, no dot of '..'."""
    ident = Identity("../PS04", "Leeds", "PS04/EMP", "Leeds", "2025-26 Q1")
    name = template_filename(catalogue.section("B"), ident)
    assert Path(name).name == name and ".." not in name
    assert name == "kpi-b-client-intake_2025-26-Q1_---PS04_PS04-EMP.xlsx"
