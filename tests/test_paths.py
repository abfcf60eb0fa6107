"""Where the commands write by default (generator.base.paths): folders relative to where the user
stands, and paths in messages shown from there."""

from __future__ import annotations

from pathlib import Path

from generator.base import paths
from generator.base.paths import from_here


def test_every_default_output_is_a_folder_relative_to_where_the_user_stands():
    """Run from another folder, a default beside the package once emptied the checkout's data/."""
    defaults = [
        paths.STORE,
        paths.DATASET,
        paths.SITE,
        paths.CACHE,
        paths.TEMPLATES,
        paths.PREFILLED,
        paths.DEMO,
    ]
    assert not [p for p in defaults if p.is_absolute()]


def test_a_path_is_shown_from_the_current_folder_when_it_lies_under_it_else_in_full(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert from_here(work / "build" / "dataset") == "build/dataset"
    assert from_here(Path("build/dataset")) == "build/dataset"  # relative: taken from here
    assert from_here(work) == "."
    elsewhere = tmp_path / "other" / "site"
    assert from_here(elsewhere) == str(elsewhere)  # not under the current folder: in full
