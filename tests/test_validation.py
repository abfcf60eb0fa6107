"""Every answer validated again (generator.intake.validation): a return on an earlier template
version is read by its own rules, and a rule a later version added is a warning for it, in `kpi
validate` and `kpi verify`."""

from __future__ import annotations

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.store.returns import Store

from .builders import read_bytes, versioned_workbook


def _codes(result) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in result.problems]


def test_a_return_on_the_first_version_is_read_by_its_own_items_and_rules(catalogue):
    def too_many_by_sector(a):
        a["E07_jobs_by_sector:retail"] = int(a["E07_jobs_by_sector:retail"]) + 5

    old = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.0"))
    assert old.valid and old.version == "1.0"
    assert _codes(old) == [("old-template-version", "warning")]
    assert "E15_swemwbs_start:s20" in old.values and "E90_comments" not in old.values
    # a rule version 1.1 added: a warning on 1.0, an error on 1.1, with the same words
    broken_old = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.0", too_many_by_sector))
    broken_new = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.1", too_many_by_sector))
    assert broken_old.valid and ("later-rule", "warning") in _codes(broken_old)
    assert not broken_new.valid and _codes(broken_new) == [("cross-item-rule", "error")]
    (w,) = [p for p in broken_old.problems if p.code == "later-rule"]
    (e,) = broken_new.problems
    assert w.cell == e.cell and w.item_id == e.item_id == "E07_jobs_by_sector" and w.found == e.found
    assert "version 1.1" in w.message and "not refused" in w.message


def test_verify_lists_stored_first_version_returns_that_break_a_later_rule(tmp_path, catalogue, capsys):
    def too_many_by_sector(a):
        a["E07_jobs_by_sector:retail"] = int(a["E07_jobs_by_sector:retail"]) + 5

    path = tmp_path / "old.xlsx"
    path.write_bytes(versioned_workbook(catalogue, "E", "1.0", too_many_by_sector))
    store = Store(tmp_path / "store")
    assert store.ingest(path, catalogue, load_registry()).ok  # kept: its own version's rules pass
    capsys.readouterr()
    assert main(["verify", "--store", str(store.root)]) == 0
    captured = capsys.readouterr()
    assert "later-rule" in captured.out and "E" in captured.out and "1 warning(s)" in captured.err
    assert len(store.current_returns()) == 1
