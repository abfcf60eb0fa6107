"""The store's files (generator.store.files): values.csv rebuilt from the records (through the
cache), leftovers of a killed ingest removed, and no symbolic link, special file or hard link
followed."""

from __future__ import annotations

import json
import os

import pytest

from generator.cli import main
from generator.store.returns import Store

from .builders import valid_return


def test_values_table_from_cached_lines_is_the_table_made_afresh(small_demo, catalogue, tmp_path):
    """values.csv is rebuilt after every ingest from every return's lines; with the cache only a
    changed return's lines are made again, and the table is byte-identical to one made afresh."""
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
