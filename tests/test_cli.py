"""The kpi command: help with examples, exit codes, pre-fill, staleness check."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from generator.cli import COMMANDS, main
from generator.workbook.layout import DETAILS_SHEET

from .conftest import ROOT


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example" in out and f"kpi {name}" in out


def test_python_dash_m_works():
    r = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert r.returncode == 0 and r.stdout.startswith("kpi ")


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["templates", "--area", "PS04"]) == 2
    assert "needs all three" in capsys.readouterr().err
    assert main(["templates", "--section", "Z"]) == 2


def test_unknown_organisation_exits_1_and_says_why(capsys, tmp_path):
    assert (
        main(
            [
                "templates",
                "--out",
                str(tmp_path),
                "--area",
                "PS04",
                "--provider",
                "NOPE",
                "--period",
                "2025-26 Q1",
                "--section",
                "B",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "unknown organisation code 'NOPE'" in err and "PS01-COM" in err


def test_wrong_role_and_wrong_period_exit_1(capsys, tmp_path):
    base = ["templates", "--out", str(tmp_path), "--area", "PS04"]
    assert main([*base, "--provider", "PS04-EMP", "--period", "2025-26", "--section", "A"]) == 1
    assert "completed by a commissioner" in capsys.readouterr().err
    assert main([*base, "--provider", "PS04-EMP", "--period", "2025-26", "--section", "B"]) == 1
    assert "expected a period like '2025-26 Q1'" in capsys.readouterr().err
    assert main([*base, "--provider", "PS05-EMP", "--period", "2025-26 Q1", "--section", "B"]) == 1
    assert "belongs to area PS05" in capsys.readouterr().err


def test_prefill_writes_named_files_with_identity(tmp_path, capsys):
    code = main(
        [
            "templates",
            "--out",
            str(tmp_path),
            "--area",
            "PS04",
            "--provider",
            "PS04-EMP",
            "--period",
            "2025-26 Q1",
            "--section",
            "B",
            "--section",
            "E",
        ]
    )
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "kpi-b-client-intake_2025-26-Q1_PS04_PS04-EMP.xlsx",
        "kpi-e-job-outcomes_2025-26-Q1_PS04_PS04-EMP.xlsx",
    ]
    ws = openpyxl.load_workbook(io.BytesIO((tmp_path / names[0]).read_bytes()))[DETAILS_SHEET]
    assert [ws[f"C{r}"].value for r in range(5, 10)] == [
        "PS04",
        "Leeds",
        "PS04-EMP",
        "Leeds employment service (synthetic)",
        "2025-26 Q1",
    ]


def test_check_flags_stale_and_stray_templates(tmp_path, capsys):
    out = tmp_path / "t"
    shutil.copytree(ROOT / "templates_xlsx", out)
    assert main(["templates", "--check", "--out", str(out)]) == 0
    (out / "kpi-c-quality.xlsx").write_bytes(b"not a workbook")
    (out / "old-template.xlsx").write_bytes(b"")
    assert main(["templates", "--check", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stale or missing" in err and "kpi-c-quality.xlsx" in err and "old-template.xlsx" in err


def test_regenerating_leaves_unchanged_files_untouched(tmp_path):
    """Only files whose bytes change are rewritten, so timestamps mean something."""
    assert main(["templates", "--out", str(tmp_path)]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert main(["templates", "--out", str(tmp_path)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def _write_registry(path, areas=2, providers=3):
    lines = ["area_code,area_name,organisation_code,organisation_name,role,synthetic"]
    for a in range(1, areas + 1):
        lines.append(f"TA{a},Test area {a},TA{a}-COM,Test area {a} commissioners,commissioner,yes")
        lines += [
            f"TA{a},Test area {a},TA{a}-P{p},Test area {a} provider {p},provider,yes"
            for p in range(1, providers + 1)
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("period", ["2025-26 Q1", "2025-26"])
def test_every_organisation_gets_the_sections_it_completes(tmp_path, catalogue, capsys, period):
    """One command pre-fills a round for the whole registry: each organisation gets, in its own
    folder, exactly the workbooks for the sections its role completes in that kind of period,
    each the same bytes as pre-filling that organisation alone."""
    from generator.catalogue.registry import load_registry, role_for
    from generator.workbook.identity import Identity, template_filename
    from generator.workbook.templates import render_template

    reg_csv, out = tmp_path / "orgs.csv", tmp_path / "out"
    _write_registry(reg_csv)
    registry = load_registry(reg_csv)
    args = [
        "templates",
        "--every-organisation",
        "--period",
        period,
        "--registry",
        str(reg_csv),
        "--out",
        str(out),
    ]
    assert main([*args, "--jobs", "2"]) == 0
    frequency = "quarterly" if " Q" in period else "annual"
    expected = {
        out
        / o.area_code
        / o.code
        / template_filename(s, Identity(o.area_code, o.area_name, o.code, o.name, period)): (
            s,
            Identity(o.area_code, o.area_name, o.code, o.name, period),
        )
        for o in registry.organisations.values()
        for s in catalogue.sections.values()
        if s.frequency == frequency and o.role == role_for(s.completed_by)
    }
    assert expected and set(out.rglob("*.xlsx")) == set(expected)
    roles = {role_for(s.completed_by) for s in catalogue.sections.values() if s.frequency == frequency}
    assert {p.parent.name for p in expected} == {
        o.code for o in registry.organisations.values() if o.role in roles
    }
    for path, (section, ident) in expected.items():
        assert path.read_bytes() == render_template(section, catalogue, ident), path
    assert f"wrote {len(expected)} workbook(s) for" in capsys.readouterr().err
    # a second run rewrites nothing (the files' bytes are unchanged)
    stamps = {p: p.stat().st_mtime_ns for p in expected}
    assert main([*args, "--jobs", "1"]) == 0
    assert {p: p.stat().st_mtime_ns for p in expected} == stamps


def test_every_organisation_needs_a_fitting_period(tmp_path, capsys):
    reg_csv = tmp_path / "orgs.csv"
    _write_registry(reg_csv)
    base = ["templates", "--every-organisation", "--registry", str(reg_csv), "--out", str(tmp_path / "out")]
    assert main(base) == 2
    assert "needs --period" in capsys.readouterr().err
    assert main([*base, "--period", "2025-26", "--section", "B"]) == 1
    assert "expected a period like '2025-26 Q1'" in capsys.readouterr().err
    assert main([*base, "--period", "2025-26 Q1", "--area", "TA1"]) == 2
    assert not (tmp_path / "out").exists()


def test_a_quarter_for_an_annual_section_says_what_to_type(tmp_path, capsys):
    args = ["templates", "--out", str(tmp_path), "--area", "PS04", "--provider", "PS04-COM"]
    assert main([*args, "--period", "2025-26 Q1", "--section", "A"]) == 1
    assert "expected a period like '2025-26'" in capsys.readouterr().err


def test_a_file_system_error_is_one_line_not_a_traceback(capsys):
    assert main(["templates", "--section", "B", "--out", "/proc/not-writable/templates"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kpi templates: stopped by a file system error:") and "/proc/not-writable" in err
    assert "Traceback" not in err


def _tree(root):
    """Every path under ``root`` and the hash of each file: what 'changes nothing' compares."""
    import hashlib

    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def analyst(tmp_path, catalogue, monkeypatch):
    """A project (its mkdocs.yml, pages, catalogue and registry) in one folder, and an analyst's
    working folder elsewhere holding a returns store under data/returns, as the current folder.
    Returns the arguments that point ``kpi build`` at the project."""
    from generator.base.inputs import config_elsewhere
    from generator.catalogue.registry import load_registry
    from generator.store.returns import Store

    from .builders import valid_return

    project = tmp_path / "project"
    shutil.copytree(ROOT / "site_src", project / "site_src", ignore=shutil.ignore_patterns("generated"))
    (project / "mkdocs.yml").write_text(config_elsewhere((ROOT / "mkdocs.yml").read_text()))
    shutil.copytree(ROOT / "data" / "catalogue", project / "data" / "catalogue")
    shutil.copy(ROOT / "data" / "organisations.csv", project / "data" / "organisations.csv")
    work = tmp_path / "work"
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, load_registry(), "B"))
    assert Store(work / "data" / "returns").ingest(f, catalogue, load_registry()).ok
    monkeypatch.chdir(work)
    return project, [
        "--catalogue",
        str(project / "data" / "catalogue"),
        "build",
        "--registry",
        str(project / "data" / "organisations.csv"),
        "--config",
        str(project / "mkdocs.yml"),
        "--no-cache",
    ]


def test_build_into_a_folder_holding_the_returns_store_changes_nothing_and_exits_2(analyst, tmp_path, capsys):
    """`kpi build --site data` from an analyst's folder whose data/ holds the returns store. It
    once emptied data/ under the project instead (MkDocs ran there with a relative -d) and said
    it had built the site where the user asked."""
    _project, build = analyst
    before = _tree(tmp_path)
    assert main([*build, "--store", "data/returns", "--site", "data"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "kpi build: the site folder data would hold the returns store (data/returns); a build replaces "
        "its site folder's pages: choose a new or empty folder, such as site"
    )
    assert _tree(tmp_path) == before


def test_build_into_an_existing_folder_it_did_not_make_changes_nothing_and_exits_2(analyst, tmp_path, capsys):
    project, build = analyst
    (tmp_path / "work" / "notes").mkdir()
    (tmp_path / "work" / "notes" / "minutes.txt").write_text("the only copy")
    (project / "notes").mkdir()  # the folder of that name where MkDocs runs: not to be touched either
    (project / "notes" / "plan.txt").write_text("also the only copy")
    before = _tree(tmp_path)
    assert main([*build, "--store", "data/returns", "--site", "notes"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "kpi build: the site folder notes holds files that kpi build did not make (minutes.txt;"
    )
    assert _tree(tmp_path) == before


def test_build_from_the_project_folder_into_its_data_folder_is_refused(
    analyst, tmp_path, capsys, monkeypatch
):
    project, build = analyst
    monkeypatch.chdir(project)
    before = _tree(tmp_path)
    assert main([*build, "--store", str(tmp_path / "work" / "data" / "returns"), "--site", "data"]) == 2
    assert "would hold the catalogue (data/catalogue)" in capsys.readouterr().err
    assert _tree(tmp_path) == before


def test_the_demo_will_not_put_synthetic_figures_in_place_of_a_real_site(tmp_path, monkeypatch, capsys):
    """A site built from real returns (its marker says from which store) is refused by
    `kpi demo`, before anything is written."""
    from generator.site.folder import MARKER, source_id

    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("the real site")
    # the marker names its store by a digest (it is published); one written before, by its path
    for made_from in (source_id(Path("/srv/kpi/returns")), "/srv/kpi/returns"):
        (tmp_path / "site" / MARKER).write_text(f"built by kpi build\nfrom: {made_from}\n")
        before = _tree(tmp_path)
        assert main(["demo"]) == 2
        assert "is a site built from other returns than the demo's" in capsys.readouterr().err
        assert _tree(tmp_path) == before
    assert source_id(Path("/srv/kpi/returns")).startswith("sha256:") and "srv" not in source_id(
        Path("/srv/kpi/returns")
    )


def test_a_demo_whose_build_fails_still_says_what_it_made(tmp_path, monkeypatch, capsys):
    """The report of templates, returns and store is printed before the build, so a build that
    fails late (after a minute of work) leaves the user knowing what was written and where."""
    import functools

    from generator.demo import run as demo_run
    from generator.site.build import BuildError

    def failing_build(*args: Any, **kwargs: Any) -> Any:
        raise BuildError("the site could not be built: planted for the test")

    few = functools.partial(demo_run.write_demo_returns, areas={"PS01"}, quarters=["2025-26 Q1"])
    monkeypatch.setattr(demo_run, "write_demo_returns", few)
    monkeypatch.setattr(demo_run, "build_site", failing_build)
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert "Returns store: build/demo/store" in err and "Demo returns:" in err
    assert err.index("Returns store") < err.index("planted for the test")
    assert (tmp_path / "build" / "demo" / "store" / "ledger.csv").is_file()


def test_hints_name_the_command_as_it_was_run(monkeypatch):
    """`kpi demo` run from another folder printed `.venv/bin/kpi validate ...`, which does not
    exist there: hints repeat the command the user ran."""
    import sys

    from generator.cli.common import command_name

    monkeypatch.setattr(sys, "argv", ["/opt/project/.venv/bin/kpi", "demo"])
    assert command_name() == "/opt/project/.venv/bin/kpi"
    monkeypatch.setattr(sys, "argv", ["/opt/project/generator/__main__.py", "demo"])
    assert command_name().endswith(" -m generator")


def test_kpi_build_into_an_unwritable_folder_is_one_line(small_demo, tmp_path, capsys, monkeypatch):
    """Issue 19: an output folder that cannot be written (the site's or the dataset's) stops
    `kpi build` with one line naming it, not an engine's traceback."""
    monkeypatch.chdir(tmp_path)
    store = ["build", "--store", str(small_demo.root), "--no-cache"]
    for option in ("--site", "--dataset"):
        assert main([*store, option, "/proc/not-writable/out"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("kpi build: stopped by a file system error:"), err
        assert "/proc/not-writable" in err and "Traceback" not in err
