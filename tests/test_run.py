"""The demo end to end (generator.demo.run): its folders checked before anything is written, so it
never puts synthetic figures in place of a real site or store."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

from .builders import tree


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
        before = tree(tmp_path)
        assert main(["demo"]) == 2
        assert "is a site built from other returns than the demo's" in capsys.readouterr().err
        assert tree(tmp_path) == before
    assert source_id(Path("/srv/kpi/returns")).startswith("sha256:") and "srv" not in source_id(
        Path("/srv/kpi/returns")
    )


def test_a_store_folder_the_demo_did_not_make_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    from generator.demo.run import DemoRefused, check_folders

    monkeypatch.chdir(tmp_path)
    demo = tmp_path / "build" / "demo"
    (demo / "store").mkdir(parents=True)
    (demo / "store" / "notes.txt").write_text("someone's files, no ledger")
    before = tree(tmp_path)
    with pytest.raises(DemoRefused, match="is not a returns store the demo made"):
        check_folders(demo, tmp_path / "site", {})
    assert tree(tmp_path) == before
