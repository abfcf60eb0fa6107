"""The collection calendar and checks across returns (issue 20, item 8): each section's due date
is catalogue data, shown on the Cover, recorded in the ledger against the day a return arrived
and shown on the data-quality table; a count at odds with the same organisation's return of
another section for the same period is a warning with --store."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.intake.history import across_returns_warnings
from generator.intake.reader import read_return_bytes
from generator.publish.quality import data_quality
from generator.store.files import LEDGER_FIELDS
from generator.store.returns import Store
from generator.workbook.layout import period_bounds

from .builders import valid_return
from .conftest import soffice_convert

PERIOD = "2025-26 Q1"  # the builders' period


def _ledger(store: Store) -> list[dict[str, str]]:
    with store.ledger.open(newline="") as f:
        return list(csv.DictReader(f))


def test_every_section_is_due_some_days_after_its_period(catalogue):
    for sec in catalogue.sections.values():
        days = sec.due.days_after_period
        assert days == (30 if sec.frequency == "quarterly" else 60)
    e = catalogue.section("E")
    assert e.due.date(period_bounds(PERIOD)[1], PERIOD) == dt.date(2025, 7, 30)
    moved = e.due.model_copy(update={"dates": {PERIOD: "2025-08-04"}})
    assert moved.date(period_bounds(PERIOD)[1], PERIOD) == dt.date(2025, 8, 4)
    assert moved.date(period_bounds("2025-26 Q2")[1], "2025-26 Q2") == dt.date(2025, 10, 30)


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


def _ingest(tmp_path: Path, catalogue, letter: str, received: dt.date | None, values=None) -> Store:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{letter}.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), letter, values or {}))
    store = Store(tmp_path / "store")
    assert store.ingest(path, catalogue, load_registry(), received=received).ok
    return store


def test_the_ledger_records_when_a_return_arrived_and_whether_it_was_late(tmp_path, catalogue):
    store = _ingest(tmp_path, catalogue, "E", dt.date(2025, 7, 30))
    (row,) = _ledger(store)
    assert (row["received"], row["due"], row["late"]) == ("2025-07-30", "2025-07-30", "no")
    store2 = _ingest(tmp_path / "b", catalogue, "E", dt.date(2025, 7, 31))
    (row,) = _ledger(store2)
    assert row["late"] == "yes"
    (q,) = [
        x
        for x in data_quality(store2.current_returns(), catalogue, load_registry(), _ledger(store2))
        if x["status"] != "missing"
    ]
    assert (q["due"], q["received"], q["late"]) == ("2025-07-30", "2025-07-31", "yes")
    missing = [
        x
        for x in data_quality(store2.current_returns(), catalogue, load_registry(), [])
        if x["status"] == "missing"
    ]
    assert missing and all(x["late"] == "yes" and x["received"] == "" for x in missing)  # long overdue


def test_ingest_refuses_a_received_date_that_is_not_a_past_day(tmp_path, catalogue, capsys):
    path = tmp_path / "e.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), "E"))
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for bad in ("30/07/2025", "2025-W30-1", "20250730", tomorrow):
        assert main(["ingest", "--store", str(tmp_path / "s"), "--received", bad, str(path)]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
    assert main(["ingest", "--store", str(tmp_path / "s"), "--received", "2025-08-02", str(path)]) == 0
    assert _ledger(Store(tmp_path / "s"))[0]["late"] == "yes"


def test_a_ledger_an_earlier_version_wrote_gains_the_new_columns(tmp_path, catalogue):
    store = _ingest(tmp_path, catalogue, "E", dt.date(2025, 7, 1))
    old_fields = LEDGER_FIELDS[: LEDGER_FIELDS.index("received")]
    rows = _ledger(store)
    with store.ledger.open("w", newline="") as f:  # as the previous version wrote it
        w = csv.DictWriter(f, fieldnames=old_fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    path = tmp_path / "b.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), "B"))
    assert store.ingest(path, catalogue, load_registry(), received=dt.date(2025, 7, 2)).ok
    assert any("received, due and late" in note for note in store.repairs)
    old, new = _ledger(store)
    assert tuple(new) == LEDGER_FIELDS and old["sha256"] == rows[0]["sha256"] and not old["received"]
    assert (new["section"], new["late"]) == ("B", "no")
    # the earlier row does not say when its return arrived: not guessed from the day of the ingest
    quality = data_quality(store.current_returns(), catalogue, load_registry(), _ledger(store))
    (e,) = [q for q in quality if q["section"] == "E" and q["status"] != "missing"]
    assert (e["received"], e["late"]) == ("", "")


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
    store = _ingest(tmp_path, catalogue, "B", dt.date(2025, 7, 2))
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


def test_due_dates_for_periods_that_do_not_exist_are_refused(tmp_path):
    import shutil

    import yaml

    from generator.catalogue.load import load_catalogue
    from generator.catalogue.model import CatalogueError

    cat = tmp_path / "catalogue"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "catalogue", cat)
    path = cat / "sections" / "E_job_outcomes.yaml"
    data = yaml.safe_load(path.read_text())
    data["due"]["dates"] = {"2025/26 Q1": "2025-08-01", "2099-00 Q9": "2025-08-01", "2025-26": "2025-08-01"}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(CatalogueError) as e:
        load_catalogue(cat)
    assert sum("not a quarterly reporting period" in p for p in e.value.problems) == 3
