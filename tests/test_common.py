"""What the commands share (generator.cli.common): hints name the command as it was run, --received
is a past day, and a folder given stands for the returns under it."""

from __future__ import annotations

import datetime as dt

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.store.returns import Store

from .builders import ledger, valid_return


def test_ingest_refuses_a_received_date_that_is_not_a_past_day(tmp_path, catalogue, capsys):
    path = tmp_path / "e.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), "E"))
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for bad in ("30/07/2025", "2025-W30-1", "20250730", tomorrow):
        assert main(["ingest", "--store", str(tmp_path / "s"), "--received", bad, str(path)]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
    assert main(["ingest", "--store", str(tmp_path / "s"), "--received", "2025-08-02", str(path)]) == 0
    assert ledger(Store(tmp_path / "s"))[0]["late"] == "yes"


def test_hints_name_the_command_as_it_was_run(monkeypatch):
    """`kpi demo` run from another folder printed `.venv/bin/kpi validate ...`, which does not
    exist there: hints repeat the command the user ran."""
    import sys

    from generator.cli.common import command_name

    monkeypatch.setattr(sys, "argv", ["/opt/project/.venv/bin/kpi", "demo"])
    assert command_name() == "/opt/project/.venv/bin/kpi"
    monkeypatch.setattr(sys, "argv", ["/opt/project/generator/__main__.py", "demo"])
    assert command_name().endswith(" -m generator")


def test_a_folder_given_stands_for_the_returns_under_it_in_name_order(tmp_path):
    from generator.cli.common import expand

    inbox = tmp_path / "inbox"
    (inbox / "late").mkdir(parents=True)
    for name in ("b.xlsx", "a.xlsx", "notes.txt", "late/c.ODS"):
        (inbox / name).write_bytes(b"")
    (inbox / "folder.xlsx").mkdir()  # a folder, whatever its name
    given = tmp_path / "sent-alone.csv"  # a file named on its own is taken as it is
    assert expand([str(inbox), str(given)]) == [
        inbox / "a.xlsx",
        inbox / "b.xlsx",
        inbox / "late" / "c.ODS",
        given,
    ]
