"""The store checked and repaired (generator.store.audit): an ingest stopped part-way is completed by
the next, a ledger cut short or without its header is mended, and an edited record, table or
workbook is found by ingest, compute and `kpi verify`, and repaired from the workbook recorded; an
ingest killed at any step, or stopped by a file size limit, is made whole by running it again."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.base.names import original
from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.publish.quality import data_quality
from generator.store.files import LEDGER_FIELDS, STORED_STATUSES
from generator.store.returns import Store

from .builders import inbox_with_a_name_that_is_not_utf8, ingested, ledger, valid_return


def test_an_ingest_stopped_between_a_file_and_its_values_is_repaired_by_the_next(
    tmp_path, catalogue, registry, monkeypatch
):
    """The workbook reached its place, its values did not (the disk filled between the two
    renames): nothing temporary is left, and the same file ingested again is repaired without
    --replace and without a history copy, values.csv included."""
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    real = Path.replace

    def full_at_json(self, target):
        if str(target).endswith(".json"):
            raise OSError(28, "No space left on device", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", full_at_json)
    with pytest.raises(OSError):
        store.ingest(f, catalogue, registry)
    monkeypatch.setattr(Path, "replace", real)
    assert list(store.root.glob("*/*/*/B.xlsx")) and not list(store.root.glob("*/*/*/B.json"))
    assert not list(store.root.rglob(".*.tmp-*"))
    again = store.ingest(f, catalogue, registry)  # the stopped ingest is completed first
    assert again.status == "unchanged" and any("its record is written now" in r for r in store.repairs)
    assert [r["status"] for r in ledger(store)] == ["recovered", "unchanged"]
    assert list(store.root.glob("*/*/*/B.json")) and not list(store.root.rglob("history/*"))
    assert any(",B," in line for line in store.table.read_text(encoding="utf-8").splitlines()[1:])
    assert store.ingest(f, catalogue, registry).status == "unchanged"


def test_a_store_left_by_the_unicode_crash_is_repaired_by_the_next_ingest(
    tmp_path, catalogue, registry, capsys
):
    """The state the crash left: every return in place, the ledger without the rows from the
    bad name on, the values' JSON holding the name as it was, the stale mark, no values.csv.
    The next ingest (of another return) records the returns the ledger lacks, and the data
    quality table counts every stored return as received."""
    _inbox, paths = inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry)
    store = Store(tmp_path / "store")
    store.ingest_many(paths, catalogue, registry)
    header, first, *_ = store.ledger.read_bytes().splitlines(keepends=True)
    store.ledger.write_bytes(header + first)
    (bad_json,) = list(store.root.glob("*/*/*/C.json"))
    doc = json.loads(bad_json.read_bytes())
    doc["file"] = os.fsdecode(b"b-R\xe9sum\xe9 PS04.xlsx")  # how json wrote it when orjson could not
    bad_json.write_text(json.dumps(doc, indent=1, sort_keys=True))
    for record in store.root.glob("*/*/*/*.json"):  # the earlier version recorded no digests
        d = json.loads(record.read_bytes())
        d.pop("record_sha256", None)
        record.write_text(json.dumps(d, indent=1, sort_keys=True))
    (store.root / ".digests").unlink()
    (store.root / ".values.csv.stale").touch()
    store.table.unlink()

    g = tmp_path / "g.xlsx"
    g.write_bytes(valid_return(catalogue, registry, "G"))
    assert main(["ingest", "--store", str(store.root), str(g)]) == 0
    assert "recorded 2 return(s) found in the store without a row" in capsys.readouterr().err
    rows = ledger(store)
    assert [(r["status"], r["section"]) for r in rows] == [
        ("accepted", "B"),
        ("recovered", "C"),
        ("recovered", "E"),
        ("accepted", "G"),
    ]
    assert original(rows[1]["file"]) == b"b-R\xe9sum\xe9 PS04.xlsx"
    stored = {str(p.relative_to(store.root)) for p in store.root.glob("*/*/*/*.xlsx")}
    assert {r["stored_as"] for r in rows} == stored
    assert {line.split(",")[3] for line in store.table.read_text().splitlines()[1:]} == set("BCEG")
    out = tmp_path / "dataset"
    assert main(["compute", "--store", str(store.root), "--out", str(out), "--no-cache"]) == 0
    with (out / "data_quality.csv").open(newline="") as f:
        received = [r for r in csv.DictReader(f) if r["status"] != "missing"]
    assert sorted((r["section"], r["returns_received"]) for r in received) == [
        ("B", "1"),
        ("C", "1"),
        ("E", "1"),
        ("G", "1"),
    ]
    assert main(["ingest", "--store", str(store.root), str(g)]) == 0  # and then nothing more to record
    assert len(ledger(store)) == 5


def test_a_ledger_row_cut_short_is_removed_and_its_return_recorded(stored, catalogue, registry, tmp_path):
    """A full disk, a size limit or a kill can leave the ledger's last row cut short. It read as
    a row of its own (a cut after 'accepted' made the return look stored twice: 'resubmitted'
    in data_quality.csv); the next ingest removes it, says so, and records the return it was
    for as recovered, once."""
    store, _f = stored
    data = store.ledger.read_bytes()
    cut = data.index(b",accepted,") + len(b",accepted,") + 2  # mid-row, after its status
    store.ledger.write_bytes(data[:cut])
    other = tmp_path / "c.xlsx"
    other.write_bytes(valid_return(catalogue, registry, "C"))
    assert store.ingest(other, catalogue, registry).status == "accepted"
    assert len(store.repairs) == 1 and store.repairs[0].startswith("removed a last row cut short")
    rows = ledger(store)
    assert [(r["status"], r["section"]) for r in rows] == [("recovered", "B"), ("accepted", "C")]
    store.ingest(other, catalogue, registry)
    assert store.repairs == [] and [r["status"] for r in ledger(store)][-1] == "unchanged"


def test_a_ledger_without_its_header_gets_it_back(stored, catalogue, registry, tmp_path, capsys):
    """A deleted header made the first row the header (its record lost, with no warning)."""
    store, f = stored
    lines = store.ledger.read_bytes().splitlines(keepends=True)
    store.ledger.write_bytes(b"".join(lines[1:]))
    assert main(["ingest", "--store", str(store.root), str(f)]) == 0
    assert "put back the header row, which was missing" in capsys.readouterr().err
    assert [r["status"] for r in ledger(store)] == ["accepted", "unchanged"]


def test_returns_in_place_without_a_stored_row_are_recorded_even_with_no_stale_mark(
    tmp_path, catalogue, registry
):
    """After the crash, re-running the old version without the badly named file cleared the
    stale mark and gave the stored returns only 'unchanged' rows. The next ingest (the first of
    this version in that store) still records each of them once, and then no more."""
    _inbox, paths = inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry)
    store = Store(tmp_path / "store")
    store.ingest_many(paths, catalogue, registry)
    store.ingest_many(paths, catalogue, registry)  # three 'unchanged' rows
    lines = store.ledger.read_bytes().splitlines(keepends=True)
    store.ledger.write_bytes(lines[0] + b"".join(lines[4:]))  # the 'accepted' rows lost
    (store.root / ".ledger-checked").unlink()  # a store the earlier version kept has no such mark
    assert not (store.root / ".values.csv.stale").exists()
    g = tmp_path / "g.xlsx"
    g.write_bytes(valid_return(catalogue, registry, "G"))
    store.ingest(g, catalogue, registry)
    assert [r["status"] for r in ledger(store)] == ["unchanged"] * 3 + ["recovered"] * 3 + ["accepted"]
    store.ingest(g, catalogue, registry)
    assert [r["status"] for r in ledger(store)][-1] == "unchanged" and len(ledger(store)) == 8


def test_a_recovered_row_names_the_file_as_it_was_recorded_not_escaped_twice(tmp_path, catalogue, registry):
    """The values' JSON holds the printable name already; recording it again must not escape
    its backslashes again, or the bytes that come back are wrong."""
    store = Store(tmp_path / "store")
    name = b"line\nbreak \x1b[2J R\xe9sum\xe9 back\\slash.xlsx"
    f = tmp_path / os.fsdecode(name)
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store.ingest(f, catalogue, registry)
    store.ledger.write_bytes(store.ledger.read_bytes().splitlines(keepends=True)[0])  # a kill before the row
    (store.root / ".values.csv.stale").touch()
    g = tmp_path / "g.xlsx"
    g.write_bytes(valid_return(catalogue, registry, "G"))
    store.ingest(g, catalogue, registry)
    (recovered,) = [r for r in ledger(store) if r["status"] == "recovered"]
    assert original(recovered["file"]) == name
    assert [r["file"] for r in store.current_returns() if r["section"] == "B"] == [recovered["file"]]


@pytest.mark.parametrize("damage", ["edited value", "truncated values", "truncated table", "no values"])
def test_a_store_that_does_not_match_its_record_is_refused_then_repaired(
    stored, catalogue, registry, tmp_path, capsys, damage
):
    """Issue 19: a hand edit of a stored value (49 -> 987654) was published; a half-truncated
    values.csv stayed half-empty ('unchanged'); a truncated values file stopped compute with a
    traceback. Each is now found by ingest, compute and `kpi verify`, one line naming the file,
    and `kpi verify --repair` rebuilds it from the stored workbook."""
    store, f = stored
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    values_file = slot / "B.json"
    original_values = values_file.read_bytes()
    original_table = store.table.read_bytes()
    if damage == "edited value":
        ret = json.loads(original_values)
        key = next(k for k, v in ret["values"].items() if isinstance(v, int) and not isinstance(v, bool))
        ret["values"][key] = 987654
        values_file.write_text(json.dumps(ret), encoding="utf-8")
    elif damage == "truncated values":
        values_file.write_bytes(original_values[: len(original_values) // 2])
    elif damage == "truncated table":
        store.table.write_bytes(original_table[: len(original_table) // 2])
    else:
        values_file.unlink()
    s = ["--store", str(store.root)]
    assert main(["compute", *s, "--out", str(tmp_path / "ds"), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kpi compute: the returns store") and "Traceback" not in err
    assert ("values.csv" if damage == "truncated table" else "B.") in err
    assert not (tmp_path / "ds").exists()
    assert main(["ingest", *s, str(f)]) == 1
    assert "does not match what it recorded" in capsys.readouterr().err
    assert main(["verify", *s]) == 1
    assert "problem:" in capsys.readouterr().err
    assert main(["verify", *s, "--repair"]) == 0
    assert "repaired:" in capsys.readouterr().err
    assert json.loads(values_file.read_bytes())["values"] == json.loads(original_values)["values"]
    assert store.table.read_bytes() == original_table
    assert main(["verify", *s]) == 0


def test_a_replaced_workbook_is_found_and_not_repaired_from(stored, capsys):
    """A stored workbook that is not the one recorded cannot be the source of a repair."""
    store, _f = stored
    book = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.xlsx"
    book.write_bytes(book.read_bytes() + b"\0")
    assert main(["verify", "--store", str(store.root), "--repair"]) == 1
    err = capsys.readouterr().err
    assert "B.xlsx: not the workbook the ledger last recorded storing here" in err


def test_compute_after_an_ingest_stopped_between_a_workbook_and_its_values_says_to_rerun_it(
    stored, tmp_path, capsys
):
    """A kill between putting a workbook in place and its values left compute publishing the
    return as missing from data_quality.csv while it was stored; compute now refuses, and the
    rerun of the ingest completes it."""
    store, f = stored
    (store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.json").unlink()
    (store.root / ".values.csv.stale").touch()
    out = ["--store", str(store.root), "--out", str(tmp_path / "ds"), "--no-cache"]
    assert main(["compute", *out]) == 1
    err = capsys.readouterr().err
    assert "B.xlsx has no record beside it" in err and "run `kpi ingest` again with the same files" in err
    assert main(["ingest", "--store", str(store.root), str(f)]) == 0
    assert main(["compute", *out]) == 0


def test_an_ingest_of_other_files_completes_one_that_stopped(stored, catalogue, registry, tmp_path):
    """A kill between a workbook and its record, then an ingest of other files: that ingest
    cleared the stale mark and left a store every command refused. It now completes the
    stopped one first (the workbook was validated before it was put in place)."""
    store, _f = stored
    (store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.json").unlink()
    (store.root / ".values.csv.stale").touch()
    other = tmp_path / "c.xlsx"
    other.write_bytes(valid_return(catalogue, registry, "C"))
    assert store.ingest(other, catalogue, registry).status == "accepted"
    assert any("B.xlsx: put in place by an ingest that stopped" in r for r in store.repairs)
    assert store.verify() == [] and len(store.current_returns()) == 2


@pytest.mark.parametrize("edit", ["digest removed", "identity", "file"])
def test_any_edit_of_a_record_is_found(stored, edit):
    """The digest covers the whole record: a value edited with the digest deleted, or the
    identity changed (which filed the return under another organisation and showed its own as
    missing), is found."""
    store, _f = stored
    rec = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.json"
    doc = json.loads(rec.read_bytes())
    if edit == "digest removed":
        key = next(k for k, v in doc["values"].items() if isinstance(v, int) and not isinstance(v, bool))
        doc["values"][key] += 1
        del doc["record_sha256"]
    elif edit == "identity":
        doc["identity"]["organisation_code"] = "PS05-EMP"
    else:
        doc["file"] = "someone-else.xlsx"
    rec.write_text(json.dumps(doc), encoding="utf-8")
    problems = store.verify()
    assert problems and all("B.json" in p for p in problems), problems


def test_repair_takes_no_refused_or_replaced_workbook(stored, catalogue, registry, tmp_path, capsys):
    """`kpi verify --repair` trusts only the workbook the ledger last recorded storing in a
    place: a refused duplicate copied there (its row names the place, with its own digest) is
    not made the current return."""
    store, _f = stored
    import zipfile

    dup = tmp_path / "b2.xlsx"
    dup.write_bytes(valid_return(catalogue, registry, "B"))
    with zipfile.ZipFile(dup, "a") as z:  # the same return in other bytes: a duplicate
        z.comment = b"sent again"
    assert store.ingest(dup, catalogue, registry).status == "refused-duplicate"
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    (slot / "B.xlsx").write_bytes(dup.read_bytes())
    (slot / "B.json").unlink()
    assert main(["verify", "--store", str(store.root), "--repair"]) == 1
    assert "not the workbook the ledger last recorded storing here" in capsys.readouterr().err


def test_a_ledger_an_earlier_version_wrote_gains_the_new_columns(tmp_path, catalogue):
    store = ingested(tmp_path, catalogue, "E", dt.date(2025, 7, 1))
    old_fields = LEDGER_FIELDS[: LEDGER_FIELDS.index("received")]
    rows = ledger(store)
    with store.ledger.open("w", newline="") as f:  # as the previous version wrote it
        w = csv.DictWriter(f, fieldnames=old_fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    path = tmp_path / "b.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), "B"))
    assert store.ingest(path, catalogue, load_registry(), received=dt.date(2025, 7, 2)).ok
    assert any("received, due and late" in note for note in store.repairs)
    old, new = ledger(store)
    assert tuple(new) == LEDGER_FIELDS and old["sha256"] == rows[0]["sha256"] and not old["received"]
    assert (new["section"], new["late"]) == ("B", "no")
    # the earlier row does not say when its return arrived: not guessed from the day of the ingest
    quality = data_quality(store.current_returns(), catalogue, load_registry(), ledger(store))
    (e,) = [q for q in quality if q["section"] == "E" and q["status"] != "missing"]
    assert (e["received"], e["late"]) == ("", "")


# -- `kill -9` at each step of an ingest (issue 19): every rename that puts a file in place, and the
# ledger's append. The same ingest run again leaves the ledger, the records, values.csv and the
# workbooks in agreement, with nothing temporary left and every return recorded once.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import generator.store.returns as store_mod
    from generator.cli import main

    at, point = int(sys.argv[1]), sys.argv[2]
    seen = 0
    def step():
        global seen
        seen += 1
        if seen == at:
            os.kill(os.getpid(), signal.SIGKILL)
    if point == "rename":
        real = Path.replace
        def replace(self, target):
            step()
            return real(self, target)
        Path.replace = replace
    else:
        real_rows = store_mod.Store._append_rows
        def append(self, rows):
            step()
            return real_rows(self, rows)
        store_mod.Store._append_rows = append
    sys.exit(main(sys.argv[3:]))
    """
)


def _run(args: list[str], kill_at: int = 0, point: str = "rename") -> int:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cmd = [sys.executable, "-c", KILLER, str(kill_at), point, *args]
    return subprocess.run(cmd, env=env, capture_output=True, check=False).returncode


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, catalogue):
    registry = load_registry()
    d = tmp_path_factory.mktemp("inbox")
    for letter in ("B", "C", "E"):
        (d / f"{letter}.xlsx").write_bytes(valid_return(catalogue, registry, letter))
    return d


# an ingest of three returns renames 6 files into place, then values.csv and its digest
@pytest.mark.parametrize(("point", "at"), [*(("rename", k) for k in range(1, 9)), ("ledger", 1)])
def test_a_kill_at_any_step_is_made_whole_by_running_the_ingest_again(inbox, tmp_path, catalogue, point, at):
    store = tmp_path / "store"
    args = ["ingest", "--store", str(store), "--no-cache", str(inbox)]
    assert _run(args, at, point) == -signal.SIGKILL
    assert _run(args) == 0
    s = Store(store)
    assert s.verify() == []
    assert not list(store.rglob(".*.tmp-*"))
    stored = {rel for rel, _ in s._stored_files()}
    with s.ledger.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    recorded = [r["stored_as"] for r in rows if r["status"] in STORED_STATUSES]
    assert sorted(recorded) == sorted(stored) and len(stored) == 3  # each return recorded once
    table = s.table.read_bytes()
    assert table == Store(store).rebuild_table(catalogue).read_bytes()  # as a fresh rebuild makes it


# the three returns' files: records 1-5 KB, workbooks 25-36 KB, values.csv 26 KB, ledger 1 KB
@pytest.mark.parametrize(("case", "limit"), [("records", 2_000), ("a workbook", 30_000), ("ledger", 1_000)])
def test_a_per_file_size_limit_is_made_whole_by_running_the_ingest_again(
    inbox, tmp_path, catalogue, case, limit
):
    """Under a per-file size limit (`ulimit -f`) a write stops part-way ('File too large'): the
    ledger had ended mid-row, and that row read as a return stored twice. The ingest fails with
    one line; the same ingest without the limit leaves the store whole, each return recorded
    once and no row torn."""
    import resource

    store = tmp_path / "store"
    args = ["ingest", "--store", str(store), "--no-cache", str(inbox)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    if case == "ledger":  # stored already: the next ingest only appends three rows to the ledger
        assert _run(args) == 0

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cmd = [sys.executable, "-m", "generator", *args]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, preexec_fn=limited, check=False)
    assert first.returncode == 1 and "File too large" in first.stderr and "Traceback" not in first.stderr
    assert _run(args) == 0
    s = Store(store)
    assert s.verify() == [] and not list(store.rglob(".*.tmp-*"))
    with s.ledger.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["status"] in (*STORED_STATUSES, "unchanged") and r["replaced"] is not None for r in rows)
    recorded = sorted(r["stored_as"] for r in rows if r["status"] in STORED_STATUSES)
    assert recorded == sorted(rel for rel, _ in s._stored_files())
    assert s.table.read_bytes() == Store(store).rebuild_table(catalogue).read_bytes()
