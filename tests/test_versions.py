"""Template versions (issue 20, item 10) and what providers need to say (item 4): returns made
on an earlier version are read by that version's items and rules, a rule added later is a
warning for them (in `kpi validate` and `kpi verify`), items a version did not collect are "not
collected", never zero; the comments box is never published until an analyst approves it; a
service that does not collect SWEMWBS says so."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from generator.catalogue.load import load_catalogue
from generator.catalogue.model import CatalogueError
from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.demo.returns import approve_demo_comments, demo_version
from generator.demo.sites import NAMES_A_CLIENT, Site
from generator.demo.synthetic import answers_for
from generator.intake import comments as cm
from generator.intake.reader import read_return_bytes
from generator.publish.quality import data_quality
from generator.store.returns import Store
from generator.workbook.identity import Identity
from generator.workbook.templates import render_template

from .builders import member, rezip

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "data" / "catalogue"
SITE = Site("PS04", "Area PS04", "PS04-COM", "Commissioner", "PS04-EMP", "Provider", 17.0, 1.0)
PERIOD = "2024-25 Q1"


def _workbook(catalogue, letter: str, version: str, change=None, period: str = PERIOD) -> bytes:
    registry = load_registry()
    org = registry.organisations["PS04-EMP"]
    sec = catalogue.section(letter).at(version)
    answers = answers_for(sec, catalogue, SITE, period, 2009)
    if change:
        change(answers)
    ident = Identity(org.area_code, org.area_name, org.code, org.name, period)
    return render_template(sec, catalogue, ident, answers, {"completed_date": None})


def _read(catalogue, data: bytes, name: str = "r.xlsx"):
    return read_return_bytes(data, name, catalogue, load_registry())


def _codes(result) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in result.problems]


# -- the version model ---------------------------------------------------------------------------
def test_every_section_lists_its_versions_and_the_first_lacks_what_came_later(catalogue):
    for sec in catalogue.sections.values():
        assert sec.version_names == ("1.0", "1.1") and sec.version == "1.1"
        first = sec.at("1.0")
        assert first.version == "1.0" and sec.at("1.0") is first  # one object per version
        later = {i.id for i in sec.items} - {i.id for i in first.items}
        assert f"{sec.section}90_comments" in later
        assert all(not c.since for i in first.items for c in i.checks)
    e10 = catalogue.section("E").at("1.0").items
    by_id = {i.id: i for i in e10}
    assert "E15a_swemwbs_collected" not in by_id
    assert by_id["E15_swemwbs_start"].required and by_id["E15_swemwbs_start"].required_when_yes is None
    current = catalogue.item_index["E15_swemwbs_start"]
    assert not current.required and current.required_when_yes == "E15a_swemwbs_collected"
    assert {"C16_corroboration", "C17_corroboration_details"} <= {i.id for i in catalogue.section("C").items}


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda d: d["groups"][0]["items"][0].update(since="1.5"), "since '1.5' is not one of its versions"),
        (lambda d: d.update(versions=list(reversed(d["versions"]))), "oldest first"),
        (lambda d: d.update(version="1.0"), "must be the last of versions"),
        # a rule of the first version reading an item added in 1.1
        (
            lambda d: d["groups"][0]["items"][0].update(
                checks=[
                    {"id": "reads-later", "op": "<=", "right": ["B90_comments"], "says": "a rule on text"}
                ]
            ),
            "reads B90_comments, added after the rule",
        ),
    ],
)
def test_the_catalogue_refuses_versions_that_do_not_hold_together(tmp_path, change, says):
    cat = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, cat)
    path = cat / "sections" / "B_client_intake.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(CatalogueError) as e:
        load_catalogue(cat)
    assert any(says in p for p in e.value.problems), e.value.problems


# -- reading earlier versions ---------------------------------------------------------------------
def test_a_return_on_the_first_version_is_read_by_its_own_items_and_rules(catalogue):
    def too_many_by_sector(a):
        a["E07_jobs_by_sector:retail"] = int(a["E07_jobs_by_sector:retail"]) + 5

    old = _read(catalogue, _workbook(catalogue, "E", "1.0"))
    assert old.valid and old.version == "1.0"
    assert _codes(old) == [("old-template-version", "warning")]
    assert "E15_swemwbs_start:s20" in old.values and "E90_comments" not in old.values
    # a rule version 1.1 added: a warning on 1.0, an error on 1.1, with the same words
    broken_old = _read(catalogue, _workbook(catalogue, "E", "1.0", too_many_by_sector))
    broken_new = _read(catalogue, _workbook(catalogue, "E", "1.1", too_many_by_sector))
    assert broken_old.valid and ("later-rule", "warning") in _codes(broken_old)
    assert not broken_new.valid and _codes(broken_new) == [("cross-item-rule", "error")]
    (w,) = [p for p in broken_old.problems if p.code == "later-rule"]
    (e,) = broken_new.problems
    assert w.cell == e.cell and w.item_id == e.item_id == "E07_jobs_by_sector" and w.found == e.found
    assert "version 1.1" in w.message and "not refused" in w.message


def test_a_version_the_software_does_not_know_is_refused_with_the_versions_it_reads(catalogue):
    data = _workbook(catalogue, "B", "1.1")
    props = member(data, "docProps/custom.xml").replace(
        b"<vt:lpwstr>1.1</vt:lpwstr>", b"<vt:lpwstr>2.0</vt:lpwstr>"
    )
    strings = member(data, "xl/sharedStrings.xml").replace(b"<t>1.1</t>", b"<t>2.0</t>")
    r = _read(catalogue, rezip(data, replace={"docProps/custom.xml": props, "xl/sharedStrings.xml": strings}))
    assert not r.valid and [p.code for p in r.problems] == ["unknown-template-version"]
    assert "versions 1.0, 1.1" in r.problems[0].message and r.problems[0].found == "2.0"


# -- not collected --------------------------------------------------------------------------------
def _no_swemwbs(a):
    a["E15a_swemwbs_collected"] = "No"
    for k in [k for k in a if k.startswith(("E15_", "E16_"))]:
        del a[k]


def test_swemwbs_not_collected_is_valid_blank_and_shown_as_not_collected(catalogue):
    r = _read(catalogue, _workbook(catalogue, "E", "1.1", _no_swemwbs, "2025-26 Q1"))
    assert r.valid and r.problems == [], r.problems
    assert not any(k.startswith(("E15_", "E16_")) for k in r.values)  # nothing stored: not a zero
    record = {"section": "E", "template_version": r.version, "values": r.values, "identity": r.identity}
    from generator.publish.quality import not_collected

    assert not_collected(catalogue.section("E"), record) == ["E15_swemwbs_start", "E16_swemwbs_end"]


def test_swemwbs_counts_with_not_collected_are_refused_by_a_named_rule(catalogue):
    def said_no_but_counted(a):
        a["E15a_swemwbs_collected"] = "No"

    r = _read(catalogue, _workbook(catalogue, "E", "1.1", said_no_but_counted, "2025-26 Q1"))
    assert not r.valid
    assert {(p.code, p.item_id) for p in r.errors} == {("cross-item-rule", "E15_swemwbs_start")}


# -- comments: shown to the analyst, published only once approved ---------------------------------
def _store_with_comment(tmp_path: Path, catalogue, text: str) -> tuple[Store, Path]:
    def caveat(a):
        a["E90_comments"] = text

    path = tmp_path / "e.xlsx"
    path.write_bytes(_workbook(catalogue, "E", "1.1", caveat, "2025-26 Q1"))
    store = Store(tmp_path / "store")
    assert store.ingest(path, catalogue, load_registry()).ok
    return store, path


def test_a_comment_is_shown_by_validate_and_published_only_after_approval(tmp_path, catalogue, capsys):
    text = "Synthetic: the service closed for a fortnight."
    store, path = _store_with_comment(tmp_path, catalogue, text)
    assert main(["validate", str(path)]) == 0
    assert text in capsys.readouterr().out

    def quality() -> dict:
        rows = data_quality(store.current_returns(), catalogue, load_registry(), [], store.approval_rows())
        (row,) = [q for q in rows if q["status"] != "missing"]
        return row

    assert quality()["comment"] == "" and "comment_status" not in quality()  # pending: not said
    assert main(["comments", "--store", str(store.root)]) == 0
    out = capsys.readouterr().out
    key = out.split()[0]
    assert key.endswith(":E90_comments") and "[awaiting approval]" in out and text in out
    assert main(["comments", "--store", str(store.root), "--approve", key]) == 2  # who approves?
    assert (
        main(["comments", "--store", str(store.root), "--approve", "0000000000:E90_comments", "--by", "A"])
        == 1
    )
    assert quality()["comment"] == ""
    assert main(["comments", "--store", str(store.root), "--approve", key, "--by", "A. Analyst"]) == 0
    assert quality()["comment"] == text
    (row,) = store.approval_rows()
    assert row["by"] == "A. Analyst" and row["item_id"] == "E90_comments" and row["action"] == "approved"
    assert main(["comments", "--store", str(store.root), "--withdraw", key, "--by", "A. Analyst"]) == 0
    assert quality()["comment"] == ""
    capsys.readouterr()
    assert main(["comments", "--store", str(store.root)]) == 0
    assert "[withdrawn]" in capsys.readouterr().out


def test_an_approval_is_for_that_text_on_that_return_only(tmp_path, catalogue):
    store, _ = _store_with_comment(tmp_path, catalogue, "Synthetic: first wording.")
    (c,) = cm.comments(store.current_returns(), catalogue, [])
    store.record_approvals([cm.approval_row(c, cm.APPROVED, "A")])
    assert [x.status for x in cm.comments(store.current_returns(), catalogue, store.approval_rows())] == [
        cm.APPROVED
    ]

    def reworded(a):
        a["E90_comments"] = "Synthetic: second wording, naming nobody."

    path = tmp_path / "e2.xlsx"
    path.write_bytes(_workbook(catalogue, "E", "1.1", reworded, "2025-26 Q1"))
    assert store.ingest(path, catalogue, load_registry(), replace=True).ok
    (again,) = cm.comments(store.current_returns(), catalogue, store.approval_rows())
    assert again.status == cm.AWAITING  # a resubmission is read afresh


def test_free_text_other_than_an_approved_comment_is_never_published(small_demo, catalogue, tmp_path):
    """The published tables never hold a text answer (C15, C17) nor a comment awaiting approval."""
    from generator.publish.files import publish_store

    out = tmp_path / "dataset"
    publish_store(small_demo, catalogue, load_registry(), out)
    published = (out / "indicators.csv").read_text() + (out / "data_quality.csv").read_text()
    returns = small_demo.current_returns()
    texts = {
        v
        for r in returns
        for k, v in r["values"].items()
        if isinstance(v, str) and catalogue.item_index[k.split(":")[0]].value_type == "text"
    }
    assert texts, "the small demo has free text"
    approved = {
        c.text for c in cm.comments(returns, catalogue, small_demo.approval_rows()) if c.status == cm.APPROVED
    }
    for t in texts - approved:
        assert t not in published


# -- kpi verify: stored returns that break a later rule ---------------------------------------------
def test_verify_lists_stored_first_version_returns_that_break_a_later_rule(tmp_path, catalogue, capsys):
    def too_many_by_sector(a):
        a["E07_jobs_by_sector:retail"] = int(a["E07_jobs_by_sector:retail"]) + 5

    path = tmp_path / "old.xlsx"
    path.write_bytes(_workbook(catalogue, "E", "1.0", too_many_by_sector))
    store = Store(tmp_path / "store")
    assert store.ingest(path, catalogue, load_registry()).ok  # kept: its own version's rules pass
    capsys.readouterr()
    assert main(["verify", "--store", str(store.root)]) == 0
    captured = capsys.readouterr()
    assert "later-rule" in captured.out and "E" in captured.out and "1 warning(s)" in captured.err
    assert len(store.current_returns()) == 1


# -- the demo mixes versions -------------------------------------------------------------------------
def test_the_demo_makes_earlier_periods_on_the_first_version(catalogue):
    e = catalogue.section("E")
    assert demo_version(e, "2024-25 Q4").version == "1.0" and demo_version(e, "2025-26 Q1") is e
    assert demo_version(catalogue.section("C"), "2024-25").version == "1.0"


def test_the_demo_store_mixes_versions(small_demo):
    with small_demo.ledger.open(newline="") as f:
        versions = {row["template_version"] for row in csv.DictReader(f)}
    assert versions == {"1.0", "1.1"}


def test_the_demos_analyst_leaves_the_comment_that_names_a_client_unapproved(tmp_path, catalogue):
    store, _ = _store_with_comment(tmp_path, catalogue, NAMES_A_CLIENT)
    assert approve_demo_comments(store, catalogue) == (0, 1)
    rows = data_quality(store.current_returns(), catalogue, load_registry(), [], store.approval_rows())
    assert all(NAMES_A_CLIENT not in str(q["comment"]) for q in rows)


def test_the_workbook_and_the_reader_agree_on_swemwbs_not_collected(catalogue, tmp_path):
    """Recalculated in LibreOffice: "No" with the counts blank is fine on both sides (the
    totals say "OK (not needed)", not "Waiting for every row above"); "No" with counts, and
    "Yes" with blanks, are problems on both."""
    from generator.workbook.layout import SumCheck, build_layout

    from .test_live_checks import _agree

    lay = build_layout(catalogue.section("E"), catalogue)
    gate = next(c.ref for c in lay.input_cells if c.item.id == "E15a_swemwbs_collected")
    counts = [c.ref for c in lay.input_cells if c.item.id in ("E15_swemwbs_start", "E16_swemwbs_end")]
    totals = [r.row for r in lay.rows if isinstance(r, SumCheck) and r.item.id.startswith(("E15_", "E16_"))]
    plan = {
        ("E", 0): {gate: "No", **dict.fromkeys(counts, "blank")},
        ("E", 1): {gate: "No"},
        ("E", 2): {gate: "Yes", **dict.fromkeys(counts, "blank")},
        ("E", 3): {gate: "No", **dict.fromkeys(counts, "blank"), counts[5]: "n/a"},  # not blank either
    }
    _, seen = _agree(catalogue, load_registry(), tmp_path, plan)
    checks, problems = seen[("E", 0)]
    assert [checks[r] for r in totals] == ["OK (not needed)"] * 2 and not problems
    checks, problems = seen[("E", 1)]
    assert checks[totals[0]].startswith("Problem across items")
    assert [p.code for p in problems if p.severity == "error"] == ["cross-item-rule"]
    checks, problems = seen[("E", 3)]
    assert checks[totals[0]].startswith("Problem across items")
    assert {p.code for p in problems if p.severity == "error"} == {"cross-item-rule", "not-a-number"}
    checks, problems = seen[("E", 2)]
    assert checks[totals[0]] == "Waiting for every row above"
    assert {p.code for p in problems if p.severity == "error"} == {"required-missing"}


# -- review findings: approvals kept honest, completeness, partial windows ---------------------------
def test_a_hand_typed_approval_is_found_and_publishes_nothing(tmp_path, catalogue, capsys):
    """approvals.csv decides what free text is published: a row not written by kpi comments
    breaks its chain of digests, and verify, comments and compute say so in one line."""
    store, _ = _store_with_comment(tmp_path, catalogue, NAMES_A_CLIENT)
    (c,) = cm.comments(store.current_returns(), catalogue, [])
    with store.approvals.open("a", newline="") as f:  # as someone might, with the right digests
        csv.writer(f).writerows(
            [
                ["time", "action", "sha256", "item_id", "text_sha256", "by", "chain"],
                ["2026-12-03T10:00:00+00:00", "approved", c.sha256, c.item_id, c.text_sha256, "nobody", ""],
            ]
        )
    capsys.readouterr()
    assert main(["verify", "--store", str(store.root)]) == 1
    assert "approvals.csv line 2 is not as kpi comments recorded it" in capsys.readouterr().err
    assert main(["comments", "--store", str(store.root)]) == 1
    assert main(["compute", "--store", str(store.root), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "data_quality.csv").exists()


def test_an_approvals_file_that_is_not_utf8_is_one_line_not_a_traceback(tmp_path, catalogue, capsys):
    store, _ = _store_with_comment(tmp_path, catalogue, "Synthetic: a caveat.")
    key = cm.comments(store.current_returns(), catalogue, [])[0].key
    assert main(["comments", "--store", str(store.root), "--approve", key, "--by", "José"]) == 0
    store.approvals.write_bytes(
        store.approvals.read_bytes().replace("José".encode(), "José".encode("cp1252"))
    )
    capsys.readouterr()
    assert main(["comments", "--store", str(store.root)]) == 1
    err = capsys.readouterr().err
    assert "approvals.csv is not UTF-8 text (line 2)" in err and "Traceback" not in err


def test_who_decides_is_recorded_as_text_never_a_formula(tmp_path, catalogue):
    store, _ = _store_with_comment(tmp_path, catalogue, "Synthetic: a caveat.")
    key = cm.comments(store.current_returns(), catalogue, [])[0].key
    assert main(["comments", "--store", str(store.root), "--approve", key, "--by", "=cmd|' /C calc'!A0"]) == 0
    (row,) = store.approval_rows()
    assert not row["by"].startswith("=") and row["by"].endswith("cmd|' /C calc'!A0")


def test_not_collected_cells_are_not_expected_and_windows_resting_on_them_are_partial(catalogue):
    from generator.calc.pooling import pool
    from generator.publish.quality import completeness

    registry = load_registry()
    e = catalogue.section("E")
    said_no = _read(catalogue, _workbook(catalogue, "E", "1.1", _no_swemwbs, "2025-26 Q1"))
    collected = _read(catalogue, _workbook(catalogue, "E", "1.1", None, "2025-26 Q2"))
    records = [
        {"section": "E", "template_version": r.version, "values": r.values, "identity": r.identity}
        for r in (said_no, collected)
    ]
    answered, expected = completeness(e, records[0], catalogue)
    assert answered == expected and expected < completeness(e, records[1], catalogue)[1]
    window = next(
        b
        for b in pool(records, catalogue, registry)
        if b.period == "12 months to 2025-26 Q2" and b.provider_code
    )
    assert {"E15_swemwbs_start", "E16_swemwbs_end"} <= window.uncollected
