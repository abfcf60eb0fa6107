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
