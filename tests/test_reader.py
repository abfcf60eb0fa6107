"""The reader: good returns exactly as entered, hostile ones answered with a clear error."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.intake.problems import CODES
from generator.intake.reader import read_return, read_return_bytes
from generator.workbook.layout import build_layout

from .builders import rezip, valid_return
from .conftest import ROOT
from .hostile import CASES


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.mark.parametrize("letter", list("ABCDEFG"))
def test_a_complete_return_is_read_exactly_as_entered(catalogue, registry, letter):
    data = valid_return(catalogue, registry, letter)
    r = read_return_bytes(data, f"{letter}.xlsx", catalogue, registry)
    assert r.valid, [p.message for p in r.errors]
    assert r.section == letter and r.template_id == catalogue.section(letter).template_id
    lay = build_layout(catalogue.section(letter), catalogue)
    assert set(r.values) <= {c.key for c in lay.input_cells}
    assert r.identity["area_code"] == "PS04"


def test_values_are_normalised(catalogue, registry):
    r = read_return_bytes(valid_return(catalogue, registry, "C"), "c.xlsx", catalogue, registry)
    assert isinstance(r.values["C01_paid_employment_focus"], int)  # the scale point, not its wording
    assert isinstance(r.values["C09_service_start_date"], dt.date)
    assert r.values["C12_self_assessment"] in ("yes", "no")
    r = read_return_bytes(valid_return(catalogue, registry, "B"), "b.xlsx", catalogue, registry)
    assert isinstance(r.values["B01_new_referrals"], int)  # calamine reads 51.0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_its_error_code(catalogue, registry, case):
    data = case.build(catalogue, registry)
    r = read_return_bytes(data, case.filename, catalogue, registry, case.expected_section)
    codes = {p.code for p in r.errors}
    assert case.code in codes, f"{case.name}: got {codes} - {[p.message for p in r.errors]}"
    assert not r.valid
    for p in r.errors:
        assert p.message and p.file == case.filename
        assert p.code in CODES


def test_problems_name_the_cell_indicator_found_and_expected(catalogue, registry):
    data = valid_return(catalogue, registry, "B", {"B02_age.numerator:36_50": 2.5})
    (p,) = [
        p
        for p in read_return_bytes(data, "b.xlsx", catalogue, registry).errors
        if p.code == "not-a-whole-number"
    ]
    assert (p.sheet, p.item_id, p.found) == ("Return", "B02_age", "2.5")
    assert p.cell.startswith("E") and "whole number" in p.expected
    assert "age" in p.message.lower() and "36-50" in p.message


def test_bare_rating_is_accepted_with_a_warning(catalogue, registry):
    data = valid_return(catalogue, registry, "C", {"C03_rapid_job_search": 4})
    r = read_return_bytes(data, "c.xlsx", catalogue, registry)
    assert r.valid and r.values["C03_rapid_job_search"] == 4
    assert [p.code for p in r.warnings] == ["rating-without-wording"]


def test_formula_like_free_text_is_kept_as_text_with_a_warning(catalogue, registry):
    data = valid_return(catalogue, registry, "C", {"C15_model_processes": "=IPS, with weekly team meetings"})
    r = read_return_bytes(data, "c.xlsx", catalogue, registry)
    assert r.valid and r.values["C15_model_processes"].startswith("=IPS")
    assert [p.code for p in r.warnings] == ["formula-like-text"]


def test_gated_items_are_required_only_when_the_gate_is_yes(catalogue, registry):
    no = valid_return(
        catalogue, registry, "A", {"A18_primary_care_support": "No", "A19_pc_two_sessions": None}
    )
    assert read_return_bytes(no, "a.xlsx", catalogue, registry).valid
    yes = valid_return(
        catalogue, registry, "A", {"A18_primary_care_support": "Yes", "A19_pc_two_sessions": None}
    )
    codes = [p.code for p in read_return_bytes(yes, "a.xlsx", catalogue, registry).errors]
    assert codes == ["required-missing"]


def test_dates_after_the_period_are_refused(catalogue, registry):
    data = valid_return(catalogue, registry, "C", {"C09_service_start_date": dt.date(2030, 1, 1)})
    codes = [p.code for p in read_return_bytes(data, "c.xlsx", catalogue, registry).errors]
    # and the latest assessment (in the period) now comes before the start: a rule across items
    assert codes == ["date-outside-period", "cross-item-rule"]


def test_missing_file_is_a_problem_not_a_traceback(catalogue, registry, tmp_path):
    r = read_return(tmp_path / "nope.xlsx", catalogue, registry)
    assert [p.code for p in r.errors] == ["file-not-found"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "B01_new_referrals",
                "B02_age.numerator:36_50",
                "B03_gender.numerator:female",
                "B14_referral_source.numerator:other",
                "B05_nvq2.numerator:nvq2_plus",
            ]
        ),
        st.one_of(
            st.none(),
            st.integers(-(10**12), 10**12),
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(max_size=300),
            st.booleans(),
            st.dates(),
        ),
    )
)
def test_arbitrary_cell_contents_never_crash_the_reader(catalogue, registry, changes):
    data = valid_return(catalogue, registry, "B", changes)
    r = read_return_bytes(data, "b.xlsx", catalogue, registry)
    assert r.valid or r.errors  # a result, never an exception
    for p in r.problems:
        assert p.code in CODES


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_crash_the_reader(catalogue, data):
    r = read_return_bytes(data, "x.xlsx", catalogue, load_registry())
    assert not r.valid


def test_hostile_files_are_read_within_bounded_memory_and_time(tmp_path, catalogue, registry):
    """Read every hostile file in a fresh process; its peak memory and time must stay small.

    The peak is the process's own high-water mark (VmHWM), not ``ru_maxrss``: on Linux the latter
    survives fork and exec, so it reports the pytest process's size, not the reader's.
    """
    paths = []
    cases = [c for c in CASES if c.expected_section is None]  # the rest need --section
    for n, case in enumerate(cases):
        p = tmp_path / f"{n:02d}-{case.filename}"
        p.write_bytes(case.build(catalogue, registry))
        paths.append(str(p))
    probe = (
        "import sys\n"
        "from generator.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0].split()[1]\n"
        "print('peak-kb', hwm, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "validate",
            "--json",
            "--cache",
            str(tmp_path / "cache.sqlite"),
            *paths,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 1, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    results = json.loads(r.stdout)
    assert len(results) == len(cases) and not any(x["valid"] for x in results)
    peak_mb = int(r.stderr.split("peak-kb")[-1].split()[0]) / 1024
    assert peak_mb < 400, f"peak memory {peak_mb:.0f} MB"


def test_validate_cli_exit_codes_and_json(tmp_path, catalogue, registry, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(valid_return(catalogue, registry, "B"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(valid_return(catalogue, registry, "B", {"B01_new_referrals": "fifty"}))
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "not-a-number" in out and "Return!E5" in out
    assert main(["validate", "--json", str(bad)]) == 1
    (res,) = json.loads(capsys.readouterr().out)
    assert res["valid"] is False and res["problems"][0]["code"] == "not-a-number"
    assert set(res["problems"][0]) == {
        "code",
        "severity",
        "message",
        "file",
        "sheet",
        "cell",
        "item_id",
        "found",
        "expected",
    }
    assert main(["validate"]) == 2


def test_a_picture_with_a_doctype_does_not_make_a_return_unsafe(catalogue, registry):
    """Pictures are never parsed, and an SVG logo exported by a drawing program often starts
    with a DOCTYPE: the entity check is for the parts a reader parses."""
    svg = b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>'
    data = rezip(valid_return(catalogue, registry, "B"), add={"xl/media/image1.svg": svg})
    r = read_return_bytes(data, "logo.xlsx", catalogue, registry)
    assert r.valid, [p.message for p in r.errors]
    same_in_xml = rezip(valid_return(catalogue, registry, "B"), add={"xl/drawings/drawing9.xml": svg})
    assert "unsafe-xml" in {
        p.code for p in read_return_bytes(same_in_xml, "x.xlsx", catalogue, registry).errors
    }


def test_a_loosely_typed_period_is_stored_as_the_choice_itself(catalogue, registry):
    """'2025-26 q1' typed with extra spaces is the period '2025-26 Q1' (the store files returns
    in a folder named for it, and the calculations look periods up by name)."""
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("E"), catalogue)
    ref = next(f.ref for f in lay.details if f.key == "period")
    good = read_return_bytes(valid_return(catalogue, registry, "E"), "e.xlsx", catalogue, registry)
    period = good.identity["period"]

    def retype(wb):
        wb["Your details"][ref] = "  " + period.lower().replace(" ", "   ") + " "

    loose = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "E"), retype), "e.xlsx", catalogue, registry
    )
    assert loose.valid and loose.identity["period"] == period


def test_an_error_value_is_named_not_read_as_a_blank(catalogue, registry):
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("F"), catalogue)
    optional = next(c for c in lay.input_cells if not c.item.required and c.gate_row is None)

    def paste_error(wb):
        wb["Return"][optional.ref] = "#N/A"  # openpyxl writes it as an error value (t="e")

    r = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "F"), paste_error), "f.xlsx", catalogue, registry
    )
    found = [p for p in r.problems if p.cell == optional.ref]
    assert [p.code for p in found] == ["error-value"] and "#N/A" in found[0].message


def test_a_note_or_a_row_typed_outside_the_table_is_named_not_lost(catalogue, registry):
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("B"), catalogue)

    def scribble(wb):
        wb["Return"]["H6"] = "figures provisional: system migration"
        wb["Return"][f"E{lay.last_row + 2}"] = 17  # a row of data added below the table
        wb["Your details"]["F3"] = "call me"

    r = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "B"), scribble), "b.xlsx", catalogue, registry
    )
    outside = [(p.sheet, p.cell) for p in r.problems if p.code == "outside-answer-cells"]
    assert sorted(outside) == sorted(
        [("Return", "H6"), ("Return", f"E{lay.last_row + 2}"), ("Your details", "F3")]
    )
    assert r.valid  # warnings: the answers themselves are fine
    clean = read_return_bytes(valid_return(catalogue, registry, "B"), "b.xlsx", catalogue, registry)
    assert not [p for p in clean.problems if p.code == "outside-answer-cells"]


def test_a_relabelled_row_names_the_column_and_what_it_holds(catalogue, registry):
    from .builders import edit_with_openpyxl

    lay = build_layout(catalogue.section("B"), catalogue)
    cell = next(c for c in lay.input_cells if c.item.id == "B03_gender" and c.category == "female")

    def relabel(wb):
        wb["Return"][f"D{cell.row}"] = "Male"

    r = read_return_bytes(
        edit_with_openpyxl(valid_return(catalogue, registry, "B"), relabel), "b.xlsx", catalogue, registry
    )
    (p,) = [p for p in r.problems if p.code == "layout-changed"]
    assert p.cell == f"D{cell.row}" and p.found == "'Male'" and p.expected == f"'{cell.category_label}'"
    assert "column D" in p.message and p.found != p.expected
