"""The data quality table: each expected return received, missing or resubmitted."""

from __future__ import annotations

import pytest

from generator.catalogue.registry import load_registry


@pytest.fixture
def registry():
    return load_registry()


def test_data_quality_lists_received_missing_and_resubmitted(published):
    _, _, quality = published
    statuses = {q["status"] for q in quality}
    assert {"received", "resubmitted"} <= statuses
    resub = [q for q in quality if q["status"] == "resubmitted"]
    assert [(q["organisation_code"], q["section"], q["period"]) for q in resub] == [
        ("PS04-EMP", "E", "2025-26 Q2")
    ]


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
