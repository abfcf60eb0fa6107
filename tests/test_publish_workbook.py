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


def test_the_workbook_has_filters_on_over_every_row_of_its_tables(published):
    """Indicators and Data quality: filters on the header row over the whole used range (read
    back as Excel reads it), and the header frozen."""
    import openpyxl

    files, _, quality = published
    wb = openpyxl.load_workbook(files["dataset.xlsx"], read_only=False)
    for name in ("Indicators", "Data quality"):
        ws = wb[name]
        assert ws.max_row > 1, name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", name
        assert ws.freeze_panes == "A2", name
    assert wb["Data quality"].max_row == len(quality) + 1
    assert wb["Notes"].auto_filter.ref is None
