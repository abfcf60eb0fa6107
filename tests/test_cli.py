"""The kpi command itself (generator/cli/__init__.py): help with examples, `python -m generator`,
exit codes for usage errors and file system errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator.cli import COMMANDS, main

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


def test_a_file_system_error_is_one_line_not_a_traceback(capsys):
    assert main(["templates", "--section", "B", "--out", "/proc/not-writable/templates"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kpi templates: stopped by a file system error:") and "/proc/not-writable" in err
    assert "Traceback" not in err
