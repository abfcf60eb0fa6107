"""Template versions (issue 20, item 10) and what providers need to say (item 4), across modules:
a version the software does not know is refused; items a version did not collect are "not
collected", never zero, and a service that does not collect SWEMWBS says so; free text is never
published unless approved. (The version model, the reading of earlier versions, comments and
their approvals have their own files: test_sections.py, test_validation.py, test_comments.py,
test_approvals.py, test_collect.py, test_demo_returns.py.)"""

from __future__ import annotations

from generator.catalogue.registry import load_registry
from generator.intake import comments as cm

from .builders import member, read_bytes, rezip, versioned_workbook


def test_a_version_the_software_does_not_know_is_refused_with_the_versions_it_reads(catalogue):
    data = versioned_workbook(catalogue, "B", "1.1")
    props = member(data, "docProps/custom.xml").replace(
        b"<vt:lpwstr>1.1</vt:lpwstr>", b"<vt:lpwstr>2.0</vt:lpwstr>"
    )
    strings = member(data, "xl/sharedStrings.xml").replace(b"<t>1.1</t>", b"<t>2.0</t>")
    r = read_bytes(
        catalogue, rezip(data, replace={"docProps/custom.xml": props, "xl/sharedStrings.xml": strings})
    )
    assert not r.valid and [p.code for p in r.problems] == ["unknown-template-version"]
    assert "versions 1.0, 1.1" in r.problems[0].message and r.problems[0].found == "2.0"


# -- not collected --------------------------------------------------------------------------------
def _no_swemwbs(a):
    a["E15a_swemwbs_collected"] = "No"
    for k in [k for k in a if k.startswith(("E15_", "E16_"))]:
        del a[k]


def test_swemwbs_not_collected_is_valid_blank_and_shown_as_not_collected(catalogue):
    r = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.1", _no_swemwbs, "2025-26 Q1"))
    assert r.valid and r.problems == [], r.problems
    assert not any(k.startswith(("E15_", "E16_")) for k in r.values)  # nothing stored: not a zero
    record = {"section": "E", "template_version": r.version, "values": r.values, "identity": r.identity}
    from generator.publish.quality import not_collected

    assert not_collected(catalogue.section("E"), record) == ["E15_swemwbs_start", "E16_swemwbs_end"]


def test_swemwbs_counts_with_not_collected_are_refused_by_a_named_rule(catalogue):
    def said_no_but_counted(a):
        a["E15a_swemwbs_collected"] = "No"

    r = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.1", said_no_but_counted, "2025-26 Q1"))
    assert not r.valid
    assert {(p.code, p.item_id) for p in r.errors} == {("cross-item-rule", "E15_swemwbs_start")}


# -- comments: published only once approved ------------------------------------------------------


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


# -- review findings: completeness, partial windows -------------------------------------------------


def test_not_collected_cells_are_not_expected_and_windows_resting_on_them_are_partial(catalogue):
    from generator.calc.pooling import pool
    from generator.publish.quality import completeness

    registry = load_registry()
    e = catalogue.section("E")
    said_no = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.1", _no_swemwbs, "2025-26 Q1"))
    collected = read_bytes(catalogue, versioned_workbook(catalogue, "E", "1.1", None, "2025-26 Q2"))
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
