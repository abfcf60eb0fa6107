"""The kpi command: help with examples, exit codes, pre-fill, staleness check."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import openpyxl
import pytest

from generator.cli import COMMANDS, main
from generator.layout import DETAILS_SHEET

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
