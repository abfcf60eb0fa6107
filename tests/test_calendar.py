"""The collection calendar and checks across returns (issue 20, item 8): each section's due date
is catalogue data, shown on the Cover, recorded in the ledger against the day a return arrived
and shown on the data-quality table (the due dates themselves: test_sections.py and
test_checks.py); a count at odds with the same organisation's return of
another section for the same period is a warning with --store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.intake.history import across_returns_warnings
from generator.intake.reader import read_return_bytes
from generator.publish.quality import data_quality
from generator.workbook.layout import period_bounds

from .builders import ingested, ledger, valid_return
from .conftest import soffice_convert

PERIOD = "2025-26 Q1"  # the builders' period


def test_the_cover_shows_the_due_date_once_the_period_is_chosen(catalogue, tmp_path):
    """Recalculated by LibreOffice: the Cover's formula gives the date the catalogue gives."""
    registry = load_registry()
    filled = tmp_path / "e.xlsx"
    filled.write_bytes(valid_return(catalogue, registry, "E"))
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(
        (Path(__file__).resolve().parent.parent / "templates_xlsx" / "kpi-e-job-outcomes.xlsx").read_bytes()
    )
    out = soffice_convert([filled, blank], tmp_path / "out", tmp_path / "profile")
    due = catalogue.section("E").due.date(period_bounds(PERIOD)[1], PERIOD)
    said = {}
    for path in out:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Cover").to_python()
        said[path.stem] = next(str(r[0]) for r in rows if str(r[0]).startswith("Due by"))
    assert said["e"].startswith(f"Due by: {due:%d/%m/%Y} (within 30 days")
    assert "choose the period" in said["blank"]


def test_the_ledger_records_when_a_return_arrived_and_whether_it_was_late(tmp_path, catalogue):
    store = ingested(tmp_path, catalogue, "E", dt.date(2025, 7, 30))
    (row,) = ledger(store)
    assert (row["received"], row["due"], row["late"]) == ("2025-07-30", "2025-07-30", "no")
    store2 = ingested(tmp_path / "b", catalogue, "E", dt.date(2025, 7, 31))
    (row,) = ledger(store2)
    assert row["late"] == "yes"
    (q,) = [
        x
        for x in data_quality(store2.current_returns(), catalogue, load_registry(), ledger(store2))
        if x["status"] != "missing"
    ]
    assert (q["due"], q["received"], q["late"]) == ("2025-07-30", "2025-07-31", "yes")
    missing = [
        x
        for x in data_quality(store2.current_returns(), catalogue, load_registry(), [])
        if x["status"] == "missing"
    ]
    assert missing and all(x["late"] == "yes" and x["received"] == "" for x in missing)  # long overdue


# -- across returns ---------------------------------------------------------------------------------
def _read(catalogue, letter: str, values=None):
    data = valid_return(catalogue, load_registry(), letter, values or {})
    return read_return_bytes(data, f"{letter}.xlsx", catalogue, load_registry())


def _referrals(result) -> int:
    return int(result.values["E03_referrals" if result.section == "E" else "B01_new_referrals"])


@pytest.mark.parametrize("shift, warned", [(0, False), (5, False), (30, True)])
def test_referrals_in_e_against_section_b_for_the_same_quarter(catalogue, shift, warned):
    b = _read(catalogue, "B")
    e = _read(catalogue, "E", {"E03_referrals": _referrals(b) + shift})
    stored = [{"identity": b.identity, "section": "B", "values": b.values}]
    across_returns_warnings([e], stored, catalogue)
    found = [p for p in e.problems if p.code == "across-returns"]
    assert bool(found) == warned
    if warned:
        (p,) = found
        assert p.item_id == "E03_referrals" and p.severity == "warning" and "item B01" in p.message
        assert p.cell == next(c.ref for c in _layout_cells(catalogue, "E") if c.key == "E03_referrals")


def _layout_cells(catalogue, letter):
    from generator.workbook.layout import build_layout

    return build_layout(catalogue.section(letter), catalogue).input_cells


def test_the_check_runs_from_either_side_and_within_one_batch(catalogue):
    b = _read(catalogue, "B")
    e = _read(catalogue, "E", {"E03_referrals": _referrals(b) + 40})
    across_returns_warnings([b, e], [], catalogue)  # both in one validate, nothing stored
    assert [p.item_id for p in b.problems if p.code == "across-returns"] == ["B01_new_referrals"]
    assert [p.item_id for p in e.problems if p.code == "across-returns"] == ["E03_referrals"]


def test_validate_with_a_store_compares_with_the_other_section(tmp_path, catalogue, capsys):
    store = ingested(tmp_path, catalogue, "B", dt.date(2025, 7, 2))
    b = store.current_returns()[0]
    e_path = tmp_path / "e.xlsx"
    e_path.write_bytes(
        valid_return(
            catalogue, load_registry(), "E", {"E03_referrals": int(b["values"]["B01_new_referrals"]) + 40}
        )
    )
    capsys.readouterr()
    main(["validate", "--store", str(store.root), str(e_path)])
    assert "across-returns" in capsys.readouterr().out


def test_a_received_date_before_the_period_ended_is_questioned(tmp_path, catalogue, capsys):
    path = tmp_path / "e.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), "E"))
    assert main(["ingest", "--store", str(tmp_path / "s"), "--received", "2015-07-01", str(path)]) == 0
    assert "before its period ended (2025-06-30)" in capsys.readouterr().err
