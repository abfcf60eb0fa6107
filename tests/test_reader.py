"""The reader: good returns exactly as entered, hostile ones answered with a clear error."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalogue.registry import load_registry
from generator.intake.problems import CODES
from generator.intake.reader import read_return, read_return_bytes
from generator.workbook.layout import build_layout

from .builders import valid_return
from .conftest import ROOT
from .hostile import CASES


@pytest.mark.parametrize("letter", list("ABCDEFG"))
def test_a_complete_return_is_read_exactly_as_entered(catalogue, registry, letter):
    data = valid_return(catalogue, registry, letter)
    r = read_return_bytes(data, f"{letter}.xlsx", catalogue, registry)
    assert r.valid, [p.message for p in r.errors]
    assert r.section == letter and r.template_id == catalogue.section(letter).template_id
    lay = build_layout(catalogue.section(letter), catalogue)
    assert set(r.values) <= {c.key for c in lay.input_cells}
    assert r.identity["area_code"] == "PS04"


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
