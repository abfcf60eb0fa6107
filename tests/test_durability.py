"""Writes that last (generator.store.durability): a round written under temporary names, made
durable by a syncfs opened before its writes (or an fsync per file where syncfs cannot serve),
then renamed into place; the file system's type read from the mount table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.store import durability
from generator.store.returns import Store

from .builders import valid_return


def _log_syncs(monkeypatch, log, fail_at=None, err=None):
    """Record the store's durability calls (syncfs on which folder, fsync of which path, each
    temporary file written, each descriptor opened) in ``log``; the ``fail_at``-th syncfs fails
    with errno ``err``."""
    import ctypes

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
