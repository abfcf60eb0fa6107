"""`kpi validate --store` (generator.intake.history; issue 20, items 3 and 8): a value far from the
organisation's earlier returns is a warning, with the thresholds the catalogue declares
(`history:` on an item), and so is a count at odds with its return of another section for the
same period."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.demo.sites import LATE_RESUBMISSION
from generator.intake.history import across_returns_warnings, history_warnings
from generator.intake.reader import ReadResult, read_return, read_return_bytes

from .builders import ingested, valid_return


def _late_pair(store_root: Path) -> tuple[Path, Path]:
    """The demo's late return: its first, wrong version (job outcomes all left out) and the
    resubmission that replaced it."""
    area, section, period = LATE_RESUBMISSION
    folder = store_root.parent / "returns" / period.replace(" ", "-")
    (resub,) = folder.glob(f"*{section.lower()}*{area}*_resubmission.xlsx") or folder.glob(
        f"*_{area}_*_resubmission.xlsx"
    )
    first = resub.with_name(resub.name.replace("_resubmission", ""))
    return first, resub


def test_the_demo_late_returns_missing_outcomes_are_caught_by_history(small_demo, catalogue):
    registry = load_registry()
    first, resub = _late_pair(small_demo.root)
    stored = small_demo.current_returns()
    results = [read_return(first, catalogue, registry), read_return(resub, catalogue, registry)]
    assert all(r.valid for r in results)
    history_warnings(results, stored, catalogue)
    far = [[p.item_id for p in r.problems if p.code == "far-from-earlier-returns"] for r in results]
    assert far == [["E05_job_outcomes"], []]  # the zero where 18 or so is usual; the corrected one passes


def test_no_warning_without_enough_history_or_below_the_gap(catalogue):
    item = catalogue.item_index["E05_job_outcomes"]
    assert item.history is not None and item.history.factor == 3 and item.history.at_least == 10
    res = ReadResult("x.xlsx", section="E", identity={"organisation_code": "O", "period": "2025-26 Q3"})

    def run(value: int, past: dict[str, int]) -> list[str]:
        r = dataclasses.replace(res, values={"E05_job_outcomes": value}, problems=[])
        stored = [
            {
                "identity": {"organisation_code": "O", "period": p},
                "section": "E",
                "values": {"E05_job_outcomes": v},
            }
            for p, v in past.items()
        ]
        history_warnings([r], stored, catalogue)
        return [p.code for p in r.problems]

    assert run(100, {"2025-26 Q2": 10}) == []  # one earlier period: too little to judge
    assert run(100, {"2025-26 Q1": 10, "2025-26 Q2": 12}) == ["far-from-earlier-returns"]
    assert run(12, {"2025-26 Q1": 3, "2025-26 Q2": 3}) == []  # 4 times, but only 9 more
    assert run(100, {"2025-26 Q4": 10, "2026-27 Q1": 12}) == []  # later periods are not history
    assert run(0, {"2024-25 Q4": 30, "2025-26 Q1": 30, "2025-26 Q2": 30}) == ["far-from-earlier-returns"]


def test_validate_says_when_it_had_no_store(small_demo, capsys, tmp_path):
    first, _ = _late_pair(small_demo.root)
    assert main(["validate", str(first)]) == 0
    assert "no --store given" in capsys.readouterr().err
    assert main(["validate", "--store", str(small_demo.root), str(first)]) == 0
    out, err = capsys.readouterr()
    assert "far-from-earlier-returns" in out and "no --store given" not in err
    assert main(["validate", "--store", str(tmp_path / "none"), str(first)]) == 2


def test_a_period_held_twice_counts_once_and_a_folder_of_returns_is_not_a_store(
    catalogue, small_demo, tmp_path
):
    """Two records for one period (an organisation that moved area keeps its old slot) must not
    outweigh the others; and --store at a folder that is not a store is refused, not compared
    with nothing."""
    res = ReadResult("x.xlsx", section="E", identity={"organisation_code": "O", "period": "2025-26 Q3"})
    r = dataclasses.replace(res, values={"E05_job_outcomes": 50}, problems=[])
    stored = [
        {
            "identity": {"organisation_code": "O", "period": p},
            "section": "E",
            "values": {"E05_job_outcomes": v},
        }
        for p, v in [("2024-25 Q4", 10), ("2025-26 Q1", 10), ("2025-26 Q1", 100), ("2025-26 Q2", 10)]
    ]
    history_warnings([r], stored, catalogue)
    (p,) = r.problems
    assert "over 3 periods, 2024-25 Q4 to 2025-26 Q2" in p.message and "median is 10" in p.message
    first, _ = _late_pair(small_demo.root)
    assert main(["validate", "--store", str(small_demo.root.parent / "returns"), str(first)]) == 2


def test_a_store_that_fails_its_audit_still_validates_the_returns_and_says_no_history(
    small_demo, tmp_path, capsys
):
    import json
    import shutil

    store = tmp_path / "store"
    shutil.copytree(small_demo.root, store)
    record = next(store.glob("*/*/*/E.json"))
    data = json.loads(record.read_text())
    data["values"]["E03_referrals"] = 987654  # a hand edit the store's digests catch
    record.write_text(json.dumps(data))
    _, resub = _late_pair(small_demo.root)
    assert main(["validate", "--store", str(store), str(resub)]) == 0  # the return itself is valid
    out, err = capsys.readouterr()
    assert "valid" in out and "NOT compared with earlier returns" in err and "kpi verify" in err


# -- across returns (issue 20, item 8): a count at odds with the same organisation's return of
# another section for the same period is a warning with --store
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
