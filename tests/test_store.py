"""The returns store: byte-for-byte, atomic, all-or-nothing, with a ledger and a tidy table."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest

from generator.base.names import original
from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.store import durability
from generator.store.files import LEDGER_FIELDS
from generator.store.returns import Store

from .builders import valid_return
from .hostile import CASES

ROOT_DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _tree(root):
    """Every stored file and its hash, except the ledger (which records every attempt)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("ledger.csv", ".lock")
    }


def _ledger(store):
    with store.ledger.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def stored(tmp_path, catalogue, registry):
    """A store holding one accepted Section B return."""
    store = Store(tmp_path / "store")
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    assert store.ingest(f, catalogue, registry).status == "accepted"
    return store, f


def test_accepted_return_is_kept_byte_for_byte_under_a_predictable_name(stored, catalogue):
    store, f = stored
    kept = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.xlsx"
    assert kept.read_bytes() == f.read_bytes()
    (row,) = _ledger(store)
    assert tuple(row) == LEDGER_FIELDS
    assert (row["status"], row["section"], row["area_code"], row["period"]) == (
        "accepted",
        "B",
        "PS04",
        "2025-26 Q1",
    )
    assert row["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert (
        row["template_id"] == "kpi-b-client-intake"
        and row["template_version"] == catalogue.section("B").version
    )


def test_values_table_has_one_row_per_item_and_breakdown(stored, catalogue, registry):
    store, f = stored
    from generator.intake.reader import read_return

    values = read_return(f, catalogue, registry).values
    with store.table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(values)
    age = [r for r in rows if r["item_id"] == "B02_age"]
    assert {r["category"] for r in age} == {"under_18", "18_35", "36_50", "51_65", "over_65", "not_recorded"}
    assert all(r["part"] == "numerator" and r["value_type"] == "proportion" for r in age)
    total = next(r for r in rows if r["item_id"] == "B01_new_referrals")
    assert int(total["value"]) == values["B01_new_referrals"]
    assert {r["organisation_code"] for r in rows} == {"PS04-EMP"}


def test_identical_file_again_is_a_no_op(stored, catalogue, registry):
    store, f = stored
    before = _tree(store.root)
    o = store.ingest(f, catalogue, registry)
    assert o.status == "unchanged" and o.ok
    assert _tree(store.root) == before


def test_second_return_for_the_slot_is_refused_without_replace(stored, catalogue, registry, tmp_path):
    store, f = stored
    g = tmp_path / "b2.xlsx"
    g.write_bytes(
        valid_return(
            catalogue, registry, "B", {"B01_new_referrals": 0, **dict.fromkeys(_all_numerators(catalogue), 0)}
        )
    )
    before = _tree(store.root)
    o = store.ingest(g, catalogue, registry)
    assert o.status == "refused-duplicate" and not o.ok and "--replace" in o.message
    assert _tree(store.root) == before
    o = store.ingest(g, catalogue, registry, replace=True)
    assert o.status == "replaced"
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    assert (slot / "B.xlsx").read_bytes() == g.read_bytes()
    (old,) = list((slot / "history").iterdir())
    assert old.read_bytes() == f.read_bytes()  # the replaced return stays in the history
    assert [r["status"] for r in _ledger(store)] == ["accepted", "refused-duplicate", "replaced"]
    assert _ledger(store)[-1]["replaced"] == f"2025-26-Q1/PS04/PS04-EMP/history/{old.name}"


def _all_numerators(catalogue):
    from generator.workbook.layout import build_layout

    return [
        c.key for c in build_layout(catalogue.section("B"), catalogue).input_cells if c.part == "numerator"
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_rejected_return_changes_nothing_stored(stored, catalogue, registry, tmp_path, case):
    store, _ = stored
    before = _tree(store.root)
    bad = tmp_path / case.filename
    bad.write_bytes(case.build(catalogue, registry))
    o = store.ingest(bad, catalogue, registry, replace=True, expected_section=case.expected_section)
    assert o.status == "rejected"
    assert _tree(store.root) == before
    assert _ledger(store)[-1]["status"] == "rejected"
    assert int(_ledger(store)[-1]["errors"]) >= 1


def test_a_failed_write_leaves_the_previous_return_in_place(
    stored, catalogue, registry, tmp_path, monkeypatch
):
    """A crash between writes never half-loads: the old return and its values stay consistent."""
    store, _ = stored
    before = _tree(store.root)
    g = tmp_path / "b2.xlsx"
    g.write_bytes(
        valid_return(
            catalogue, registry, "B", {"B01_new_referrals": 0, **dict.fromkeys(_all_numerators(catalogue), 0)}
        )
    )

    real = durability.write_tmp

    def flaky(path, data, **kw):
        if path.suffix == ".xlsx" and path.parent.name != "history":
            raise OSError("disk full")
        return real(path, data, **kw)

    monkeypatch.setattr(durability, "write_tmp", flaky)
    with pytest.raises(OSError):
        store.ingest(g, catalogue, registry, replace=True)
    monkeypatch.setattr(durability, "write_tmp", real)
    after = _tree(store.root)
    assert {k: v for k, v in after.items() if "/history/" not in k} == before
    assert not list(store.root.rglob(".*.tmp-*"))
    assert store.ingest(g, catalogue, registry, replace=True).status == "replaced"


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


@pytest.mark.parametrize("round_size", [1, 256])
def test_a_batch_stores_in_order_whatever_the_round_size(
    tmp_path, catalogue, registry, monkeypatch, round_size
):
    """Files are put in place in rounds; a later file for the same slot must still see the
    earlier one, and the outcome must not depend on where the rounds fall."""

    monkeypatch.setattr(durability, "ROUND", round_size)
    first = tmp_path / "first.xlsx"
    first.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 1}))
    again = tmp_path / "again.xlsx"
    again.write_bytes(first.read_bytes())
    second = tmp_path / "second.xlsx"
    second.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 2}))
    third = tmp_path / "third.xlsx"
    third.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 3}))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    other = tmp_path / "b.xlsx"
    other.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    paths = [first, bad, again, second, third, other]
    outcomes = store.ingest_many(
        paths, catalogue, registry, replace=[False, False, False, False, True, False]
    )
    assert [o.status for o in outcomes] == [
        "accepted",
        "rejected",
        "unchanged",
        "refused-duplicate",
        "replaced",
        "accepted",
    ]
    assert [r["status"] for r in _ledger(store)] == [o.status for o in outcomes]
    assert [r["file"] for r in _ledger(store)] == [str(p) for p in paths]
    (slot,) = {p.parent for p in store.root.rglob("C.xlsx")}
    assert (slot / "C.xlsx").read_bytes() == third.read_bytes()
    (hist,) = (slot / "history").iterdir()
    assert hist.read_bytes() == first.read_bytes()
    assert not list(store.root.rglob(".*.tmp-*"))
    with store.table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["section"] for r in rows} == {"B", "C"}
    assert {r["value"] for r in rows if r["item_id"] == "C15_model_processes"} == {"3"}
    # the lines made as each return was stored (the replaced one's dropped) are the table's
    made_as_stored = store.table.read_bytes()
    assert store.rebuild_table(catalogue).read_bytes() == made_as_stored


def test_values_table_from_cached_lines_is_the_table_made_afresh(small_demo, catalogue, tmp_path):
    """values.csv is rebuilt after every ingest from every return's lines; with the cache only a
    changed return's lines are made again, and the table is byte-identical to one made afresh."""
    import json
    import shutil

    from generator.base.cache import NO_CACHE, Cache

    store = Store(tmp_path / "store")
    shutil.copytree(small_demo.root, store.root)
    files = sorted(store.root.glob("*/*/*/*.json"))
    fresh = store.rebuild_table(catalogue, NO_CACHE).read_bytes()
    cache = Cache(tmp_path / "cache.sqlite")
    assert store.rebuild_table(catalogue, cache).read_bytes() == fresh
    assert cache.misses_by_kind["values"] == len(files) > 100
    ret = json.loads(files[7].read_text(encoding="utf-8"))  # one return changes ...
    key = sorted(ret["values"])[0]
    ret["values"][key] = "changed, with a comma"
    files[7].write_text(json.dumps(ret), encoding="utf-8")
    files[3].unlink()  # ... and one goes
    again = Cache(tmp_path / "cache.sqlite")
    table = store.rebuild_table(catalogue, again).read_bytes()
    assert again.misses_by_kind["values"] == 1
    assert table == store.rebuild_table(catalogue, NO_CACHE).read_bytes() != fresh
    assert b'"changed, with a comma"' in table


def test_stored_json_keeps_every_value_whichever_encoder_writes_it():
    """The JSON beside each return is written by orjson (quick) unless a value is one only json
    keeps (orjson writes infinity as null): either way it reads back as the same values."""
    import json
    import math

    from generator.store.records import dump_json

    plain = {"sha256": "x", "values": {"B01": 12, "B02.numerator:a": 3.5, "C01": "ips", "D": "2025-04-01"}}
    assert json.loads(dump_json(plain)) == plain
    odd = {"values": {"E02_total_cost": math.inf}}
    assert json.loads(dump_json(odd))["values"]["E02_total_cost"] == math.inf
    assert json.loads(dump_json({"values": {"x": 10**30}}))["values"]["x"] == 10**30


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


def test_values_csv_catches_up_after_an_ingest_stopped_before_rebuilding_it(
    tmp_path, catalogue, registry, monkeypatch
):
    """Returns put in place by an ingest that then failed (here: writing values.csv on a full
    disk) are in the table after the next ingest, even though every file is then unchanged."""
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    real = Store.rebuild_table

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "rebuild_table", full_disk)
    with pytest.raises(OSError):
        store.ingest(f, catalogue, registry)
    monkeypatch.setattr(Store, "rebuild_table", real)
    assert not store.table.exists() and len(store.ledger_rows()) == 1
    assert store.ingest(f, catalogue, registry).status == "unchanged"
    rows = store.table.read_text(encoding="utf-8").splitlines()
    assert len(rows) > 1 and all(",B," in r for r in rows[1:])
    assert not list(store.root.glob(".*tmp*")) and not list(store.root.glob(".values.csv.stale"))
    assert store.ingest(f, catalogue, registry).status == "unchanged"  # and then nothing to catch up


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
    assert [r["status"] for r in _ledger(store)] == ["recovered", "unchanged"]
    assert list(store.root.glob("*/*/*/B.json")) and not list(store.root.rglob("history/*"))
    assert any(",B," in line for line in store.table.read_text(encoding="utf-8").splitlines()[1:])
    assert store.ingest(f, catalogue, registry).status == "unchanged"


def _log_syncs(monkeypatch, log, fail_at=None, err=None):
    """Record the store's durability calls (syncfs on which folder, fsync of which path, each
    temporary file written, each descriptor opened) in ``log``; the ``fail_at``-th syncfs fails
    with errno ``err``."""
    import ctypes
    import os

    def where(fd):
        return Path(f"/proc/self/fd/{fd}").readlink()

    real_open, real_fsync, real_write = os.open, os.fsync, durability.write_tmp

    def opened(path, flags, *a):
        fd = real_open(path, flags, *a)
        log.append(("open", Path(path), fd))
        return fd

    def syncfs(fd):
        log.append(("syncfs", where(fd), fd))
        if sum(e[0] == "syncfs" for e in log) == fail_at:
            ctypes.set_errno(err)
            return -1
        return 0

    def fsync(fd):
        log.append(("fsync", where(fd), fd))
        real_fsync(fd)

    def write(path, data, fsync):
        log.append(("write", path, fsync))
        return real_write(path, data, fsync=fsync)

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(durability, "write_tmp", write)
    monkeypatch.setattr(durability, "SYNCFS", syncfs)
    monkeypatch.setattr(durability, "_syncfs_refused", False)


def test_a_round_is_durable_before_it_is_put_in_place_by_a_syncfs_opened_before_its_writes(
    tmp_path, catalogue, registry, monkeypatch
):
    """The order that makes a crash harmless: files written under temporary names and made
    durable, then renamed into place, then their folders made durable (the renames). Each
    syncfs is on a descriptor opened before the writes it is to make durable (syncfs tells
    of a failed write-back only to descriptors open when it failed)."""
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    log = []
    _log_syncs(monkeypatch, log)
    monkeypatch.setattr("generator.store.durability.fs_type", lambda device: "ext4")
    assert store.ingest(f, catalogue, registry).status == "accepted"
    # the round's writes (values.csv's digest is written, and fsynced, with the table after it)
    writes = [i for i, e in enumerate(log) if e[0] == "write" and e[1].name != ".values.csv.sha256"]
    syncs = [i for i, e in enumerate(log) if e[0] == "syncfs"]
    assert [log[i][1].name for i in writes] == ["B.xlsx", "B.json"]
    assert not any(log[i][2] for i in writes)  # no fsync a file: the round's syncfs does it
    assert not [e for e in log if e[0] == "fsync" and e[1].name.startswith((".B.xlsx.", ".B.json."))]
    after_writes = [i for i in syncs if i > writes[-1]]
    assert len(after_writes) == 2  # the files, then (after the renames) the folders
    for i in after_writes:
        # the descriptor's latest opening before the syncfs (numbers are reused once closed)
        opened = max(j for j, e in enumerate(log[:i]) if e[0] == "open" and e[2] == log[i][2])
        assert opened < writes[0] and log[opened][1] == slot
    assert (slot / "B.xlsx").read_bytes() == f.read_bytes()


@pytest.mark.parametrize("fail_at", [1, 2, 3], ids=["stale-marker", "temporary-files", "folders"])
def test_a_failed_syncfs_is_an_error_and_before_the_renames_stores_nothing(
    tmp_path, catalogue, registry, monkeypatch, fail_at
):
    import errno

    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    log = []
    _log_syncs(monkeypatch, log, fail_at=fail_at, err=errno.EIO)
    monkeypatch.setattr("generator.store.durability.fs_type", lambda device: "ext4")
    with pytest.raises(OSError) as e:
        store.ingest(f, catalogue, registry)
    assert e.value.errno == errno.EIO
    monkeypatch.undo()
    marks = (".lock", ".digests", ".gitignore")  # the lock, the digests mark, the git ignore
    left = sorted(p.name for p in store.root.rglob("*") if p.is_file() and p.name not in marks)
    if fail_at < 3:  # nothing of the round reached its place
        assert left == []
    else:  # in place, but not known to be durable: the marker stays, and the next ingest repairs
        assert left == [".values.csv.stale", "B.json", "B.xlsx"]
        assert store.ingest(f, catalogue, registry).status == "unchanged"
        assert not store._stale.exists()
        assert store.table.read_bytes() == Store(store.root).rebuild_table(catalogue).read_bytes()


@pytest.mark.parametrize("how", ["no-syncfs", "not-a-local-disk", "syncfs-refused"], ids=lambda h: h)
def test_without_syncfs_each_file_is_fsynced_as_written_and_each_folder_after(
    tmp_path, catalogue, registry, monkeypatch, how
):
    """Other systems, Linux before 5.8, a file system syncfs may not serve (FUSE, NFS) or a
    sandbox that refuses syncfs (here at its first use, the stale marker's, after which it is
    not asked again): an fsync per file, on the descriptor that wrote it, and per folder."""
    import errno

    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    log = []
    _log_syncs(monkeypatch, log, fail_at=1 if how == "syncfs-refused" else None, err=errno.ENOSYS)
    monkeypatch.setattr(
        durability, "fs_type", lambda device: "fuse.sshfs" if how == "not-a-local-disk" else "ext4"
    )
    if how == "no-syncfs":
        monkeypatch.setattr(durability, "SYNCFS", None)
    store = Store(tmp_path / "store")
    assert store.ingest(f, catalogue, registry).status == "accepted"
    fsynced = {e[1].name.split(".tmp-")[0] for e in log if e[0] == "fsync"}
    assert {".B.xlsx", ".B.json", "PS04-EMP", ".values.csv.stale"} <= fsynced
    assert sum(e[0] == "syncfs" for e in log) == (how == "syncfs-refused")
    assert (store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.json").exists()


def test_the_file_system_type_is_read_from_the_mount_table(tmp_path):
    import shutil
    import subprocess

    from generator.store.durability import fs_type

    findmnt = shutil.which("findmnt")
    if findmnt is None:
        pytest.skip("findmnt (util-linux) is not installed")
    want = subprocess.run(
        [findmnt, "-n", "-o", "FSTYPE", "--target", str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert fs_type(tmp_path.stat().st_dev) == want != ""
    assert fs_type(2**40) == ""  # no such device


def _inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry):
    """Three returns; the middle one named as a Windows zip unpacked on Linux names it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [b"a-intake.xlsx", b"b-R\xe9sum\xe9 PS04.xlsx", b"c-outcomes.xlsx"]
    paths = []
    for name, letter in zip(names, "BCE", strict=True):
        p = inbox / os.fsdecode(name)
        p.write_bytes(valid_return(catalogue, registry, letter))
        paths.append(p)
    return inbox, paths


def test_a_file_name_that_is_not_utf8_is_stored_recorded_and_recoverable(
    tmp_path, catalogue, registry, capsys
):
    """It stopped the ingest with a UnicodeEncodeError in the ledger writer, after the returns
    were in place, and every later ingest the same way. Now it is stored and recorded by a
    printable name from which the exact bytes come back."""
    inbox, paths = _inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry)
    store = Store(tmp_path / "store")
    assert main(["ingest", "--store", str(store.root), str(inbox)]) == 0
    assert "b-R\\xe9sum\\xe9 PS04.xlsx: ACCEPTED" in capsys.readouterr().out
    rows = _ledger(store)
    assert [r["status"] for r in rows] == ["accepted"] * 3
    assert [original(r["file"]) for r in rows] == [os.fsencode(p) for p in paths]
    assert len(store.current_returns()) == 3
    assert main(["validate", "--json", str(paths[1])]) == 0
    assert json.loads(capsys.readouterr().out)[0]["file"].endswith("b-R\\xe9sum\\xe9 PS04.xlsx")


def test_a_store_left_by_the_unicode_crash_is_repaired_by_the_next_ingest(
    tmp_path, catalogue, registry, capsys
):
    """The state the crash left: every return in place, the ledger without the rows from the
    bad name on, the values' JSON holding the name as it was, the stale mark, no values.csv.
    The next ingest (of another return) records the returns the ledger lacks, and the data
    quality table counts every stored return as received."""
    _inbox, paths = _inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry)
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
    rows = _ledger(store)
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
    assert len(_ledger(store)) == 5


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
    rows = _ledger(store)
    assert [(r["status"], r["section"]) for r in rows] == [("recovered", "B"), ("accepted", "C")]
    store.ingest(other, catalogue, registry)
    assert store.repairs == [] and [r["status"] for r in _ledger(store)][-1] == "unchanged"


def test_a_ledger_without_its_header_gets_it_back(stored, catalogue, registry, tmp_path, capsys):
    """A deleted header made the first row the header (its record lost, with no warning)."""
    store, f = stored
    lines = store.ledger.read_bytes().splitlines(keepends=True)
    store.ledger.write_bytes(b"".join(lines[1:]))
    assert main(["ingest", "--store", str(store.root), str(f)]) == 0
    assert "put back the header row, which was missing" in capsys.readouterr().err
    assert [r["status"] for r in _ledger(store)] == ["accepted", "unchanged"]


def test_temporary_files_of_a_killed_ingest_are_removed(stored, catalogue, registry):
    store, f = stored
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    left = [slot / ".B.xlsx.tmp-99999", slot / ".B.json.tmp-99999", store.root / ".values.csv.tmp-99999"]
    for p in left:
        p.write_bytes(b"half written")
    store.ingest(f, catalogue, registry)
    assert not any(p.exists() for p in left)


@pytest.mark.parametrize("where", ["lock", "ledger", "slot folder", "period folder", "stored return"])
def test_the_store_follows_no_symbolic_link(stored, catalogue, registry, tmp_path, where, capsys):
    """A link in the store made it truncate a file outside (.lock), append to one (ledger.csv),
    or write and then publish returns outside itself (a linked folder). Every ingest and every
    compute now refuses a store holding a link, naming it; nothing outside changes."""
    store, _f = stored
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "precious.txt"
    victim.write_text("keep me", encoding="utf-8")
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    if where == "lock":
        (store.root / ".lock").unlink(missing_ok=True)
        (store.root / ".lock").symlink_to(victim)
    elif where == "ledger":
        store.ledger.unlink()
        store.ledger.symlink_to(victim)
    elif where == "stored return":
        (slot / "B.json").rename(outside / "B.json")
        (slot / "B.json").symlink_to(outside / "B.json")
    else:
        moved = slot if where == "slot folder" else store.root / "2025-26-Q1"
        moved.rename(outside / moved.name)
        moved.symlink_to(outside / moved.name)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    other = tmp_path / "c.xlsx"
    other.write_bytes(valid_return(catalogue, registry, "C"))
    assert main(["ingest", "--store", str(store.root), str(other)]) == 1
    err = capsys.readouterr().err
    assert "symbolic links" in err and "Traceback" not in err
    assert main(["compute", "--store", str(store.root), "--out", str(tmp_path / "ds"), "--no-cache"]) == 1
    assert "symbolic links" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


def test_returns_in_place_without_a_stored_row_are_recorded_even_with_no_stale_mark(
    tmp_path, catalogue, registry
):
    """After the crash, re-running the old version without the badly named file cleared the
    stale mark and gave the stored returns only 'unchanged' rows. The next ingest (the first of
    this version in that store) still records each of them once, and then no more."""
    _inbox, paths = _inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry)
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
    assert [r["status"] for r in _ledger(store)] == ["unchanged"] * 3 + ["recovered"] * 3 + ["accepted"]
    store.ingest(g, catalogue, registry)
    assert [r["status"] for r in _ledger(store)][-1] == "unchanged" and len(_ledger(store)) == 8


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
    (recovered,) = [r for r in _ledger(store) if r["status"] == "recovered"]
    assert original(recovered["file"]) == name
    assert [r["file"] for r in store.current_returns() if r["section"] == "B"] == [recovered["file"]]


HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example","x")',
    "\uff1dSUM(1,2)",
    "+1+1",
    "@SUM(1)",
    "-2+3",
    "a\x00b",
    "clear\x1b[2Jscreen",
    "\u202etxt.exe",
    "\tTabbed",
    "\rall files valid",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=repr)
def test_hostile_text_never_reaches_a_csv_or_the_terminal_raw(
    tmp_path, catalogue, registry, capsys, monkeypatch, text
):
    """Issue 19: a free-text answer reached values.csv as it was typed ('=HYPERLINK(...)' ran as a
    formula when the analyst opened it; NUL and escape sequences came through), a formula-like
    file name reached ledger.csv, and an organisation code holding an escape sequence was
    printed raw by validate and ingest. Each now arrives made literal or escaped, and the
    stored JSON keeps what was typed."""
    from dataclasses import replace

    from generator.base.names import FORMULA_START, original

    from .builders import identity_for

    answer = "E06_rejection_reasons"  # a free-text answer
    store = Store(tmp_path / "store")
    name = tmp_path / f"{text.replace('/', '_').replace(chr(0), '0')[:20]}.xlsx"  # a name holds no NUL
    name.write_bytes(valid_return(catalogue, registry, "E", {answer: text}))
    monkeypatch.chdir(tmp_path)  # the ledger records the name as given: here, the file's own
    assert main(["ingest", "--store", str(store.root), "--", name.name]) == 0
    out = capsys.readouterr()
    table = store.table.read_text(encoding="utf-8")
    cells = [row["value"] for row in csv.DictReader(table.splitlines()) if row["item_id"] == answer]
    assert len(cells) == 1 and not cells[0].lstrip().startswith(FORMULA_START)
    assert not any(c in table for c in "\x00\x1b\u202e")
    (row,) = _ledger(store)
    assert not row["file"].startswith(FORMULA_START) and original(row["file"]) == os.fsencode(name.name)
    stored = json.loads(next(store.root.glob("*/*/*/E.json")).read_text(encoding="utf-8"))
    assert stored["values"][answer] in (text, text.strip())  # the truth, as typed
    # an organisation code holding the text: rejected, and printed escaped
    bad = tmp_path / "bad.xlsx"
    ident = replace(identity_for(catalogue, registry, "E"), organisation_code="PS04" + text)
    bad.write_bytes(valid_return(catalogue, registry, "E", identity=ident))
    main(["validate", str(bad)])
    main(["ingest", "--store", str(store.root), str(bad)])
    printed = capsys.readouterr()
    for stream in (out.out, out.err, printed.out, printed.err):
        assert not any(c in stream for c in "\x00\x1b\u202e\r"), stream
    assert not any(r["organisation_code"].startswith(FORMULA_START) for r in _ledger(store))


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


@pytest.mark.parametrize("kind", ["fifo", "hard-linked ledger"])
def test_special_files_and_hard_links_are_refused_not_waited_on(stored, catalogue, registry, tmp_path, kind):
    store, f = stored
    if kind == "fifo":
        os.mkfifo(store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "notes")
        with pytest.raises(OSError, match="not plain files or folders"):
            store.ingest(f, catalogue, registry)
        assert store.verify() and "special file" in store.verify()[0]
    else:
        os.link(store.ledger, tmp_path / "elsewhere.csv")
        other = tmp_path / "c.xlsx"
        other.write_bytes(valid_return(catalogue, registry, "C"))
        before = (tmp_path / "elsewhere.csv").read_bytes()
        with pytest.raises(OSError):
            store.ingest(other, catalogue, registry)
        assert (tmp_path / "elsewhere.csv").read_bytes() == before


def test_a_return_from_a_sender_the_registry_does_not_list_is_quarantined(
    tmp_path, catalogue, registry, capsys
):
    """Issue 19: a return claiming another provider's code was filed, and sent first it turned
    the genuine one into a refused duplicate. With senders in the registry and `--from`, it is
    kept in quarantine/, never filed: the genuine return is accepted after it."""
    reg = tmp_path / "organisations.csv"
    text = (ROOT_DATA / "organisations.csv").read_text(encoding="utf-8").splitlines()
    head, rows = text[0] + ",senders", [line + "," for line in text[1:]]
    rows = [
        r[:-1] + ",employment@ps04.example.org" if r.startswith("PS04,") and ",provider," in r else r
        for r in rows
    ]
    reg.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = tmp_path / "store"
    common = ["ingest", "--registry", str(reg), "--store", str(store)]
    assert main([*common, "--from", "someone@elsewhere.example", str(f)]) == 1
    out = capsys.readouterr().out
    assert "QUARANTINED" in out and "not filed" in out
    assert list((store / "quarantine").iterdir()) and not list(store.glob("*/*/*/B.xlsx"))
    assert main([*common, "--from", "Employment@PS04.example.org", str(f)]) == 0
    assert list(store.glob("*/*/*/B.xlsx"))
    assert [r["status"] for r in _ledger(Store(store))] == ["quarantined", "accepted"]


def test_sender_addresses_as_pasted_and_a_long_name_in_quarantine(tmp_path, catalogue, registry):
    """A From header pasted with its display name is understood; a bare domain is no address;
    a spoofer's very long file name cannot stop the batch (the quarantined copy's name is
    shortened); a senders column that is not addresses or domains stops the registry loading."""
    from generator.catalogue.registry import Organisation, RegistryError, load_registry

    org = Organisation("PS04-EMP", "x", "PS04", "a", "provider", False, ("employment@ps04.example.org",))
    assert org.may_send("Employment <Employment@PS04.example.org>")
    assert org.may_send("mailto:employment@ps04.example.org")
    assert not org.may_send("ps04.example.org") and not org.may_send("@ps04.example.org")
    head = "area_code,area_name,organisation_code,organisation_name,role,synthetic,senders\n"
    reg = tmp_path / "organisations.csv"
    reg.write_text(head + 'PS04,Area,PS04-EMP,Service,provider,yes,"a@b.org,c@d.org"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="are not addresses or domains"):
        load_registry(reg)
    reg.write_text(
        head + "PS04,Area,PS04-EMP,Service,provider,yes,employment@ps04.example.org\n", encoding="utf-8"
    )
    long_name = tmp_path / ("a" * 240 + ".xlsx")
    long_name.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    (out,) = store.ingest_many([long_name], catalogue, load_registry(reg), sender="evil@evil.example")
    assert out.status == "quarantined" and len(Path(out.stored_as).name) < 120
