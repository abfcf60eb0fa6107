"""dataset.xlsx: the latest period for each area and for all areas (each provider's figures are
in the CSV)."""

from __future__ import annotations

from python_calamine import CalamineWorkbook


def test_the_workbook_holds_the_latest_period_for_areas_and_all_areas(published):
    files, rows, _ = published
    wb = CalamineWorkbook.from_path(str(files["dataset.xlsx"]))
    table = wb.get_sheet_by_name("Indicators").to_python()
    provider, area = table[0].index("provider_code"), table[0].index("area_code")
    assert not any(line[provider] for line in table[1:])  # each provider's figures are in the CSV
    assert any(line[area] == "ALL" for line in table[1:]) and any(line[area] != "ALL" for line in table[1:])
    assert any(r["level"] == "provider" for r in rows)
