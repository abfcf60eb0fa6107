"""The commands of collection (generator.cli.collect): `kpi templates`, `validate`, `ingest`, `verify`
and `comments`: what they print, list and leave out, and their exit codes."""

from __future__ import annotations

import io
import json

import openpyxl

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.intake import comments as cm
from generator.publish.quality import data_quality
from generator.store import durability
from generator.store.returns import Store
from generator.workbook.layout import DETAILS_SHEET

from .builders import store_with_comment, valid_return


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


def test_validate_cli_exit_codes_and_json(tmp_path, catalogue, registry, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(valid_return(catalogue, registry, "B"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(valid_return(catalogue, registry, "B", {"B01_new_referrals": "fifty"}))
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "not-a-number" in out and "Return!E5" in out
    assert main(["validate", "--json", str(bad)]) == 1
    (res,) = json.loads(capsys.readouterr().out)
    assert res["valid"] is False and res["problems"][0]["code"] == "not-a-number"
    assert set(res["problems"][0]) == {
        "code",
        "severity",
        "message",
        "file",
        "sheet",
        "cell",
        "item_id",
        "found",
        "expected",
    }
    assert main(["validate"]) == 2


def test_ingest_cli(tmp_path, catalogue, registry, capsys):
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    store = str(tmp_path / "s")
    assert main(["ingest", "--store", store, str(f)]) == 0
    assert main(["ingest", "--store", store, str(f), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "UNCHANGED" in out and "REJECTED" in out and "not-a-spreadsheet" in out


def test_a_large_batch_lists_only_the_files_that_need_a_look(
    tmp_path, catalogue, registry, capsys, monkeypatch
):
    """At national scale a line per clean file would bury the few that matter: past
    LIST_EVERY_FILE_UP_TO files, validate and ingest list only files with problems (ingest also
    refused and replaced ones) and count the rest; --verbose lists every file."""
    from generator.cli import common as cli

    monkeypatch.setattr(cli, "LIST_EVERY_FILE_UP_TO", 2)
    good = tmp_path / "b.xlsx"
    good.write_bytes(valid_return(catalogue, registry, "B"))
    other = tmp_path / "c.xlsx"
    other.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 1}))
    again = tmp_path / "c-again.xlsx"
    again.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 2}))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    files = [str(p) for p in (good, other, again, bad)]

    assert main(["validate", *files]) == 1
    out, err = capsys.readouterr()
    assert "bad.xlsx: NOT VALID" in out and "b.xlsx:" not in out and "c.xlsx:" not in out
    assert "3 valid file(s) with no warnings or comments not listed" in err
    assert main(["validate", "--verbose", *files]) == 1
    out, err = capsys.readouterr()
    assert all(f"{p}:" in out for p in files) and "not listed" not in err

    store = str(tmp_path / "store")
    assert main(["ingest", "--store", store, *files]) == 1
    out, err = capsys.readouterr()
    assert "c-again.xlsx: REFUSED-DUPLICATE" in out and "bad.xlsx: REJECTED" in out
    assert "b.xlsx: ACCEPTED" not in out and "c.xlsx: ACCEPTED" not in out
    assert "2 file(s) accepted or unchanged with no warnings not listed" in err
    assert "outcomes: 2 accepted, 1 refused-duplicate, 1 rejected" in err
    assert len(Store(store).ledger_rows()) == 4  # every attempt is in the ledger all the same


def test_a_file_system_error_while_storing_is_reported_not_a_traceback(
    tmp_path, catalogue, registry, capsys, monkeypatch
):

    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))

    def disk_full(path, data, **kw):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(durability, "write_tmp", disk_full)
    store = tmp_path / "store"
    assert main(["ingest", "--store", str(store), str(f)]) == 1
    err = capsys.readouterr().err
    assert "stopped by a file system error" in err and "No space left on device" in err
    assert "Traceback" not in err
    assert not [
        p for p in store.rglob("*") if p.is_file() and p.name not in (".lock", ".digests", ".gitignore")
    ]
    monkeypatch.undo()
    assert main(["ingest", "--store", str(store), str(f)]) == 0  # and the same command then works


def test_a_comment_is_shown_by_validate_and_published_only_after_approval(tmp_path, catalogue, capsys):
    text = "Synthetic: the service closed for a fortnight."
    store, path = store_with_comment(tmp_path, catalogue, text)
    assert main(["validate", str(path)]) == 0
    assert text in capsys.readouterr().out

    def quality() -> dict:
        rows = data_quality(store.current_returns(), catalogue, load_registry(), [], store.approval_rows())
        (row,) = [q for q in rows if q["status"] != "missing"]
        return row

    assert quality()["comment"] == "" and "comment_status" not in quality()  # pending: not said
    assert main(["comments", "--store", str(store.root)]) == 0
    out = capsys.readouterr().out
    key = out.split()[0]
    assert key.endswith(":E90_comments") and "[awaiting approval]" in out and text in out
    assert main(["comments", "--store", str(store.root), "--approve", key]) == 2  # who approves?
    assert (
        main(["comments", "--store", str(store.root), "--approve", "0000000000:E90_comments", "--by", "A"])
        == 1
    )
    assert quality()["comment"] == ""
    assert main(["comments", "--store", str(store.root), "--approve", key, "--by", "A. Analyst"]) == 0
    assert quality()["comment"] == text
    (row,) = store.approval_rows()
    assert row["by"] == "A. Analyst" and row["item_id"] == "E90_comments" and row["action"] == "approved"
    assert main(["comments", "--store", str(store.root), "--withdraw", key, "--by", "A. Analyst"]) == 0
    assert quality()["comment"] == ""
    capsys.readouterr()
    assert main(["comments", "--store", str(store.root)]) == 0
    assert "[withdrawn]" in capsys.readouterr().out


def test_who_decides_is_recorded_as_text_never_a_formula(tmp_path, catalogue):
    store, _ = store_with_comment(tmp_path, catalogue, "Synthetic: a caveat.")
    key = cm.comments(store.current_returns(), catalogue, [])[0].key
    assert main(["comments", "--store", str(store.root), "--approve", key, "--by", "=cmd|' /C calc'!A0"]) == 0
    (row,) = store.approval_rows()
    assert not row["by"].startswith("=") and row["by"].endswith("cmd|' /C calc'!A0")


def test_a_received_date_before_the_period_ended_is_questioned(tmp_path, catalogue, capsys):
    path = tmp_path / "e.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), "E"))
    assert main(["ingest", "--store", str(tmp_path / "s"), "--received", "2015-07-01", str(path)]) == 0
    assert "before its period ended (2025-06-30)" in capsys.readouterr().err
