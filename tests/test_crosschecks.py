"""Rules across items (issue 20, item 1): each false accept a provider review found is refused
by a named rule of the catalogue, by the reader and by the workbook's live check alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pytest

from generator.catalogue.registry import Registry, load_registry
from generator.intake.reader import read_return_bytes
from generator.workbook.crosschecks import ACROSS, ACROSS_WARNING, bind
from generator.workbook.layout import build_layout

from .builders import catalogue_with_checks, input_ref, valid_return
from .test_live_checks import _agree

Values = Mapping[str, object]


def _first(values: Values, prefix: str) -> str:
    return next(k for k in values if k.startswith(prefix))


def _plus(prefix: str, n: int) -> Callable[[Values], dict[str, object]]:
    def change(v: Values) -> dict[str, object]:
        k = _first(v, prefix)
        return {k: int(v[k]) + n}  # type: ignore[call-overload]

    return change


def _largest(v: Values) -> dict[str, object]:
    return {"E11_largest_caseload": int(v["E09_active_caseload"]) + 1}  # type: ignore[call-overload]


def _employed_and_seeking(v: Values) -> dict[str, object]:
    whole = int(v["D02_audited_caseload"])  # type: ignore[call-overload]
    return {"D03_employed_psa16.numerator": whole, "D04_seeking_work.numerator": 1}


def _destinations(v: Values) -> dict[str, object]:
    whole = int(v["D02_audited_caseload"])  # type: ignore[call-overload]
    first, second = [k for k in v if k.startswith("D05_other_destinations.numerator:")][:2]
    return {first: whole, second: 1}


def _not_assessed_with_a_date(v: Values) -> dict[str, object]:
    start = v["C09_service_start_date"]
    assert isinstance(start, dt.date)
    return {"C11_accreditation": "Not yet externally assessed", "C10_last_external_assessment": start}


def _assessed_before_start(v: Values) -> dict[str, object]:
    start = v["C09_service_start_date"]
    assert isinstance(start, dt.date)
    return {"C11_accreditation": "Good", "C10_last_external_assessment": start - dt.timedelta(days=30)}


# the false accepts of issue 20, each with the rule that now refuses it and a way to make it
FALSE_ACCEPTS: dict[str, tuple[str, str, Callable[[Values], dict[str, object]]]] = {
    "new jobs by sector add to more than the new jobs gained": (
        "E",
        "sectors-add-up-to-new-jobs",
        _plus("E07", 5),
    ),
    "jobs by pay add to more than the jobs gained or retained": (
        "E",
        "wages-add-up-to-jobs",
        _plus("E08", 3),
    ),
    "SWEMWBS start total against a smaller end total": ("E", "same-leavers-start-and-end", _plus("E15_", 4)),
    # issue 20 item 4: SWEMWBS may be "not collected", and then its counts are left blank
    "SWEMWBS counts entered though said not collected": (
        "E",
        "blank-when-not-collected",
        lambda v: {"E15a_swemwbs_collected": "No"},
    ),
    "largest single caseload over the active caseload": ("E", "largest-within-caseload", _largest),
    "D employed + seeking work over the caseload": (
        "D",
        "employed-and-seeking-within-caseload",
        _employed_and_seeking,
    ),
    "D destinations adding to more than the caseload": ("D", "destinations-within-caseload", _destinations),
    "C not yet externally assessed, with an assessment date": (
        "C",
        "no-date-when-not-assessed",
        _not_assessed_with_a_date,
    ),
    "C assessment dated before the service started": ("C", "assessed-after-start", _assessed_before_start),
    '"74.7%" typed in a Section A rate (stored as 0.747)': (
        "A",
        "typed-as-a-fraction",
        lambda v: {"A01_employment_rate": 0.747},
    ),
}


def _bound(catalogue, letter: str, rule_id: str):
    """The rule on its first item (one rule may be declared on several: the case breaks the first)."""
    return next(b for b in bind(build_layout(catalogue.section(letter), catalogue)) if b.rule.id == rule_id)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _values(catalogue, registry, letter: str) -> Values:
    r = read_return_bytes(valid_return(catalogue, registry, letter), "x.xlsx", catalogue, registry)
    assert r.valid and not [p for p in r.problems if p.code == "cross-item-rule"]
    return r.values


def _broken(catalogue, registry, letter: str, change) -> tuple[dict[str, object], list]:
    changes = change(_values(catalogue, registry, letter))
    data = valid_return(catalogue, registry, letter, changes)
    return changes, read_return_bytes(data, "x.xlsx", catalogue, registry).problems


def test_every_rule_of_the_catalogue_is_tried_here(catalogue):
    rules = {c.id for s in catalogue.sections.values() for i in s.items for c in i.checks}
    assert rules == {rule for _, rule, _ in FALSE_ACCEPTS.values()}


@pytest.mark.parametrize("case", list(FALSE_ACCEPTS))
def test_each_false_accept_is_refused_by_its_rule(catalogue, registry, case):
    letter, rule_id, change = FALSE_ACCEPTS[case]
    _, problems = _broken(catalogue, registry, letter, change)
    b = _bound(catalogue, letter, rule_id)
    found = [p for p in problems if p.code == "cross-item-rule"]
    assert [p.item_id for p in found] == [b.subject.id], found
    assert found[0].severity == b.rule.severity and b.rule.says.rstrip(".") in found[0].message
    assert found[0].cell == b.cell


def test_rules_wait_for_valid_answers(catalogue, registry):
    """A rule reading a cell that holds no valid answer says nothing: the cell's own problem
    is the one to fix first."""
    values = _values(catalogue, registry, "E")
    gained = _first(values, "E05a_outcome_type.numerator:gained")
    problems = read_return_bytes(
        valid_return(catalogue, registry, "E", {gained: "about 12"}), "x.xlsx", catalogue, registry
    ).problems
    ref = input_ref(catalogue, "E", gained)
    assert [p.code for p in problems if p.cell == ref] == ["not-a-number"]
    assert not [p for p in problems if p.code == "cross-item-rule"]  # E07 and E08 read it: they wait


def test_the_workbook_check_and_the_reader_flag_each_broken_rule_alike(catalogue, registry, tmp_path):
    """Broken in a filled workbook and recalculated in LibreOffice: the subject's check row
    says the rule in words, and every check agrees with kpi validate on the same file."""
    plan: dict[tuple[str, int], dict[str, object]] = {}
    changes: dict[tuple[str, int], dict[str, object]] = {}
    for n, (letter, _, change) in enumerate(FALSE_ACCEPTS.values()):
        changes[(letter, n)] = change(_values(catalogue, registry, letter))
        plan[(letter, n)] = {}
    _, seen = _agree(catalogue, registry, tmp_path, plan, changes)
    for n, (case, (letter, rule_id, _)) in enumerate(FALSE_ACCEPTS.items()):
        b = _bound(catalogue, letter, rule_id)
        checks, problems = seen[(letter, n)]
        start = ACROSS if b.rule.severity == "error" else ACROSS_WARNING
        assert checks[b.row].startswith(f"{start}: {b.rule.says.rstrip('.')}"), (case, checks[b.row])
        assert [p.item_id for p in problems if p.code == "cross-item-rule"] == [b.subject.id], case


def test_a_rule_is_data_a_new_one_needs_no_code(catalogue, registry, tmp_path):
    """Adding a rule is a change to the catalogue: here E12 (people who started paid work) may
    not exceed the people who started on the service, added to a copy of the YAML, and a
    return that breaks it is refused."""
    rule = {
        "id": "entries-within-starters",
        "op": "<=",
        "right": ["E04_starters"],
        "says": "Job entries cannot be more than the starters, in this test",
    }
    extended = catalogue_with_checks(tmp_path, "E12_job_entries", [rule])
    starters = _values(catalogue, registry, "E")["E04_starters"]
    data = valid_return(extended, registry, "E", {"E12_job_entries": int(starters) + 1})  # type: ignore[call-overload]
    problems = read_return_bytes(data, "x.xlsx", extended, registry).problems
    assert [p.item_id for p in problems if p.code == "cross-item-rule"] == ["E12_job_entries"]


def test_rules_agree_where_their_own_cell_is_blank_late_or_timed(catalogue, registry, tmp_path):
    """The review's cases: C10 left blank (the answer for a service never assessed) once C09 is
    given; a Section A rate left blank; spaces in a rule's own cell; C09 after the period (a
    valid date, too late, that C10's rule still reads); and dates with a time of day, which the
    reader reads as their day. Workbook and reader agree on each (every check compared)."""
    lay = build_layout(catalogue.section("C"), catalogue)
    c09 = next(c.ref for c in lay.input_cells if c.item.id == "C09_service_start_date")
    e11 = next(
        c.ref
        for c in build_layout(catalogue.section("E"), catalogue).input_cells
        if c.item.id == "E11_largest_caseload"
    )
    c = _values(catalogue, registry, "C")
    start = c["C09_service_start_date"]
    assert isinstance(start, dt.date)
    plan: dict[tuple[str, int], dict[str, object]] = {
        ("C", 0): {},
        ("A", 1): {},
        ("E", 2): {e11: "spaces"},
        ("C", 3): {c09: dt.date(2026, 5, 1)},  # after the 2025-26 period of the return
        ("C", 4): {c09: dt.datetime.combine(start, dt.time(12))},
    }
    changes = {
        ("C", 0): {"C11_accreditation": "Not yet externally assessed", "C10_last_external_assessment": None},
        ("A", 1): {"A01_employment_rate": None},
        ("C", 4): {"C10_last_external_assessment": start, "C11_accreditation": "Good"},
    }
    _, seen = _agree(catalogue, registry, tmp_path, plan, changes)
    assert not [p for p in seen[("C", 0)][1] if p.severity == "error"]
    assert [p.code for p in seen[("A", 1)][1] if p.severity == "error"] == ["required-missing"]
    assert not [p for p in seen[("C", 4)][1] if p.code == "cross-item-rule"]


def test_no_check_reads_itself_through_the_rules(catalogue):
    """A rule reads the Check cells of the rows it adds up (to wait for valid answers); a rule
    whose terms led back to its own row, directly or through other rules, would be a circular
    reference, which a spreadsheet shows as an error."""
    for sec in catalogue.sections.values():
        lay = build_layout(sec, catalogue)
        reads: dict[int, set[int]] = {}
        for b in bind(lay):
            rows = {c.row for t in (*b.left, *b.right) for c in t.cells} - {b.row}
            reads.setdefault(b.row, set()).update(rows)

        for row in reads:
            _no_cycle(reads, (row,), sec.section)


def _no_cycle(reads: dict[int, set[int]], path: tuple[int, ...], section: str) -> None:
    for nxt in reads.get(path[-1], ()):
        assert nxt not in path, f"section {section}: check rows {(*path, nxt)} read each other"
        _no_cycle(reads, (*path, nxt), section)
