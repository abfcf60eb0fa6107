"""Inputs come from where the user stands (issue 21, item 6): the current folder's data/ and
mkdocs.yml when it has them, else the copy inside the package; nothing is written beside the
package, and every command says which catalogue it read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.base import inputs

from .conftest import ROOT


def test_the_current_folder_comes_first_then_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert inputs.find("data/catalogue") == ROOT / "data" / "catalogue"
    assert not inputs.packaged(inputs.find("data/catalogue"))
    monkeypatch.chdir(tmp_path)
    packaged = inputs.find("data/catalogue")
    assert inputs.packaged(packaged) and (packaged / "sections").is_dir()
    assert inputs.shown(packaged) == "data/catalogue (the copy in the package)"
    # however it is spelt: through a parent folder and back (a review found it missed so)
    roundabout = inputs.PACKAGED / "data" / ".." / "data" / "catalogue"
    assert inputs.packaged(roundabout) and inputs.shown(roundabout) == inputs.shown(packaged)
    assert not inputs.packaged(inputs.PACKAGED / ".." / "site")  # beside it, not in it
    (tmp_path / "data" / "catalogue").mkdir(parents=True)
    assert inputs.find("data/catalogue") == tmp_path / "data" / "catalogue"  # an analyst's own


def test_the_packaged_copy_is_the_repositorys_own_files():
    """generator/project/ links to data/, site_src/ and mkdocs.yml: one source, which the wheel
    copies (pyproject.toml's package-data)."""
    for rel in ("data/catalogue/sections/E_job_outcomes.yaml", "data/organisations.csv", "mkdocs.yml"):
        assert (inputs.PACKAGED / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


def test_a_site_from_the_packaged_sources_is_made_in_the_current_folder(tmp_path):
    before = sorted(p.name for p in (inputs.PACKAGED / "site_src").iterdir())
    config = inputs.site_project(inputs.PACKAGED / "mkdocs.yml", tmp_path / "project")
    assert config == tmp_path / "project" / "mkdocs.yml"
    text = config.read_text()
    assert f"{ROOT / 'generator' / 'site' / 'hooks.py'}" in text  # the package's code, by full path
    assert (tmp_path / "project" / "site_src" / "methods.md").is_file()
    assert not (tmp_path / "project" / "site_src" / "generated").exists()
    assert sorted(p.name for p in (inputs.PACKAGED / "site_src").iterdir()) == before
    stale = tmp_path / "project" / "site_src" / "guidance" / "old-removed.md"
    stale.write_text("a page a later version of the package dropped")
    generated = tmp_path / "project" / "site_src" / "generated" / "areas" / "ps01.md"
    generated.parent.mkdir(parents=True)
    generated.write_text("a page the build wrote")
    inputs.site_project(inputs.PACKAGED / "mkdocs.yml", tmp_path / "project")
    assert not stale.exists() and generated.exists()  # never published; the build's own kept
    own = tmp_path / "mine" / "mkdocs.yml"
    assert inputs.site_project(own) == own  # the user's own configuration is used as it is


def test_a_command_run_in_an_empty_folder_reads_the_package_and_writes_there(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "generator", "templates", "--section", "B"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "catalogue read: data/catalogue (the copy in the package)" in r.stderr
    assert (tmp_path / "templates_xlsx" / "kpi-b-client-intake.xlsx").read_bytes() == (
        ROOT / "templates_xlsx" / "kpi-b-client-intake.xlsx"
    ).read_bytes()
    assert sorted(Path(tmp_path).iterdir()) == [tmp_path / "templates_xlsx"]
