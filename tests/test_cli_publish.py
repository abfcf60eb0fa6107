"""The commands of publication (generator.cli.publish): `kpi build` refuses a site folder that
would hold or replace what it did not make, and says so in one line; `kpi demo` reports what it
made before a failing build."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from generator.cli import main

from .builders import tree
from .conftest import ROOT


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
    before = tree(tmp_path)
    assert main([*build, "--store", "data/returns", "--site", "data"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "kpi build: the site folder data would hold the returns store (data/returns); a build replaces "
        "its site folder's pages: choose a new or empty folder, such as site"
    )
    assert tree(tmp_path) == before


def test_build_into_an_existing_folder_it_did_not_make_changes_nothing_and_exits_2(analyst, tmp_path, capsys):
    project, build = analyst
    (tmp_path / "work" / "notes").mkdir()
    (tmp_path / "work" / "notes" / "minutes.txt").write_text("the only copy")
    (project / "notes").mkdir()  # the folder of that name where MkDocs runs: not to be touched either
    (project / "notes" / "plan.txt").write_text("also the only copy")
    before = tree(tmp_path)
    assert main([*build, "--store", "data/returns", "--site", "notes"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(
        "kpi build: the site folder notes holds files that kpi build did not make (minutes.txt;"
    )
    assert tree(tmp_path) == before


def test_build_from_the_project_folder_into_its_data_folder_is_refused(
    analyst, tmp_path, capsys, monkeypatch
):
    project, build = analyst
    monkeypatch.chdir(project)
    before = tree(tmp_path)
    assert main([*build, "--store", str(tmp_path / "work" / "data" / "returns"), "--site", "data"]) == 2
    assert "would hold the catalogue (data/catalogue)" in capsys.readouterr().err
    assert tree(tmp_path) == before


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
