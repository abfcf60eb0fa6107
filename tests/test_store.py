"""What is left of the store's topic file: a stored return the ledger lost is still counted as
received (a test of ``generator.publish.quality``, to move to its mirror file)."""

from __future__ import annotations


def test_data_quality_counts_a_stored_return_as_received_once_when_the_ledger_lost_it(catalogue, registry):
    """Whatever the ledger has kept, a stored return was received: returns_received is the
    number 1 (not True, which is what reached the CSV and the workbook)."""
    from generator.publish.quality import data_quality

    ret = {
        "identity": {"organisation_code": "PS04-EMP", "period": "2025-26 Q1", "area_code": "PS04"},
        "section": "B",
        "values": {},
        "warnings": [],
    }
    (row,) = [q for q in data_quality([ret], catalogue, registry, []) if q["status"] != "missing"]
    assert row["returns_received"] == 1 and type(row["returns_received"]) is int
