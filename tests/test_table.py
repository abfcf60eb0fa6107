"""values.csv (generator.store.table): one line per accepted value, free text made literal."""

from __future__ import annotations

import csv


def test_values_table_has_one_row_per_item_and_breakdown(stored, catalogue, registry):
    store, f = stored
    from generator.intake.reader import read_return

    values = read_return(f, catalogue, registry).values
    with store.table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(values)
    age = [r for r in rows if r["item_id"] == "B02_age"]
    assert {r["category"] for r in age} == {"under_18", "18_35", "36_50", "51_65", "over_65", "not_recorded"}
    assert all(r["part"] == "numerator" and r["value_type"] == "proportion" for r in age)
    total = next(r for r in rows if r["item_id"] == "B01_new_referrals")
    assert int(total["value"]) == values["B01_new_referrals"]
    assert {r["organisation_code"] for r in rows} == {"PS04-EMP"}


def test_each_value_is_a_line_naming_its_item_part_and_category():
    """A key 'item.part:category' is split into its columns, a plain item's part is 'value', and
    free text that a spreadsheet would run as a formula is made literal."""
    import io

    from generator.store.table import VALUE_FIELDS, table_lines

    ret = {
        "identity": {"area_code": "PS04", "organisation_code": "PS04-EMP", "period": "2025-26 Q1"},
        "section": "B",
        "template_version": "1.1",
        "sha256": "f00",
        "values": {"B90_comments": "=1+1", "B02_age.numerator:36_50": 3, "B01_new_referrals": 12},
    }
    rows = list(csv.reader(io.StringIO(table_lines(ret, {"B02_age": "proportion"}).decode("utf-8"))))
    head = ["PS04", "PS04-EMP", "2025-26 Q1", "B", "1.1"]
    assert rows == [
        [*head, "B01_new_referrals", "value", "", "12", "", "f00"],
        [*head, "B02_age", "numerator", "36_50", "3", "proportion", "f00"],
        [*head, "B90_comments", "value", "", "'=1+1", "", "f00"],
    ]
    assert all(len(r) == len(VALUE_FIELDS) for r in rows)
