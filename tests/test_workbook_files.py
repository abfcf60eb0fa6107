"""Templates as files (generator.workbook.files): only changed bytes rewritten, and stale or stray
templates found by `kpi templates --check`."""

from __future__ import annotations

import shutil

from generator.cli import main

from .conftest import ROOT


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
