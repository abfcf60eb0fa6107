"""The published files written: the zip is the CSV byte for byte, unchanged files are left in
place, and a build that fails or is stopped leaves each file whole or as it was."""

from __future__ import annotations

import pytest

from generator.publish.files import write_dataset


def test_the_zipped_table_is_the_csv_byte_for_byte_and_the_same_every_time(published, tmp_path):
    import zipfile

    files, rows, quality = published
    with zipfile.ZipFile(files["indicators.csv.zip"]) as zf:
        assert zf.namelist() == ["indicators.csv"]
        assert zf.read("indicators.csv") == files["indicators.csv"].read_bytes()
    again = {p.name: p for p in write_dataset(rows, quality, tmp_path)}
    assert again["indicators.csv.zip"].read_bytes() == files["indicators.csv.zip"].read_bytes()
    assert files["indicators.csv.zip"].stat().st_size * 5 < files["indicators.csv"].stat().st_size


def test_writing_the_same_dataset_again_replaces_no_file(published, tmp_path):
    """Unchanged files keep their inode and time, so the site build and browsers see them as
    unchanged; a changed table replaces the CSV and its zip."""
    _, rows, quality = published
    first = {p.name: p.stat() for p in write_dataset(rows, quality, tmp_path)}
    again = {p.name: p.stat() for p in write_dataset(rows, quality, tmp_path)}
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in first.items()} == {
        n: (s.st_ino, s.st_mtime_ns) for n, s in again.items()
    }
    assert not list(tmp_path.glob(".*tmp"))
    changed = {p.name: p.stat() for p in write_dataset(rows[1:], quality, tmp_path)}
    assert changed["indicators.csv"].st_ino != first["indicators.csv"].st_ino
    assert changed["indicators.csv.zip"].st_ino != first["indicators.csv.zip"].st_ino
    assert changed["data_quality.csv"].st_ino == first["data_quality.csv"].st_ino


def test_the_tables_written_beside_a_failing_step_are_whole(published, tmp_path):
    """`kpi build` writes the CSVs on a thread while it makes the workbook, pages and charts.
    Should that step fail, the error is the build's, and the thread has finished first: each
    file is complete and in place (or not there at all), never half-written."""
    from generator.publish.dataset import Dataset
    from generator.publish.files import publishing
    from generator.publish.safe_csv import csv_block

    files, rows, quality = published
    data = Dataset(len(rows), [csv_block(rows)], list(rows))
    with pytest.raises(ValueError, match="a page failed"), publishing(data, quality, tmp_path):
        raise ValueError("a page failed")
    assert (tmp_path / "indicators.csv").read_bytes() == files["indicators.csv"].read_bytes()
    assert (tmp_path / "indicators.csv.zip").read_bytes() == files["indicators.csv.zip"].read_bytes()
    assert not list(tmp_path.glob(".*tmp"))
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / ".indicators.csv.tmp").mkdir()  # the thread cannot write its file: the build fails
    with pytest.raises(IsADirectoryError), publishing(data, quality, blocked):
        pass
    with pytest.raises(ValueError) as both, publishing(data, quality, blocked):  # both fail: both said
        raise ValueError("a page failed")
    assert any("dataset files" in n and "Is a directory" in n for n in getattr(both.value, "__notes__", []))


def test_ctrl_c_stops_the_tables_within_a_chunk_and_leaves_the_files_as_they_were(
    published, tmp_path, monkeypatch
):
    """Ctrl-C during a build: the thread writing the (half-gigabyte, at national scale) table and
    its zip stops at its next chunk instead of finishing, and removes its temporary files; what
    was in place stays as it was."""
    import threading
    import types

    from generator.publish import files as publish
    from generator.publish.dataset import Dataset
    from generator.publish.safe_csv import csv_block

    _, rows, quality = published
    data = Dataset(len(rows), [csv_block(rows)], list(rows))
    made, entered = [], threading.Event()

    class Event(threading.Event):
        def __init__(self):
            super().__init__()
            made.append(self)

    def zip_holds_waiting_for_stop(*args):  # the thread is between the table and its zip
        entered.set()
        made[-1].wait(10)
        return False

    monkeypatch.setattr(publish, "threading", types.SimpleNamespace(Event=Event))
    monkeypatch.setattr(publish, "_zip_holds", zip_holds_waiting_for_stop)
    (tmp_path / "indicators.csv").write_text("the previous table\n")
    with pytest.raises(KeyboardInterrupt) as stopped, publish.publishing(data, quality, tmp_path):
        assert entered.wait(10)
        raise KeyboardInterrupt
    assert made[-1].is_set() and not getattr(stopped.value, "__notes__", [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv"]
    assert (tmp_path / "indicators.csv").read_text() == "the previous table\n"
    stop = Event()
    stop.set()
    (tmp_path / "x").mkdir()
    with pytest.raises(publish._Stopped):  # set before it starts: nothing is written at all
        publish._write_tables(data, quality, tmp_path / "x", stop)
    assert not list((tmp_path / "x").iterdir())


def test_a_zip_left_behind_by_a_stopped_run_or_damaged_since_is_made_again(published, tmp_path, monkeypatch):
    """The zip is what a national site offers: after any run that ends well it holds the very
    table beside it, whatever an earlier run left (stopped while zipping) or a program did."""
    import zipfile

    from generator.base.cache import Cache
    from generator.publish import files as publish
    from generator.publish.dataset import Dataset
    from generator.publish.safe_csv import csv_block

    _, rows, quality = published
    cache, out = Cache(tmp_path / "cache.sqlite"), tmp_path / "dataset"
    old = Dataset(len(rows) - 1, [csv_block(rows[1:])], list(rows[1:]))
    new = Dataset(len(rows), [csv_block(rows)], list(rows))
    publish.write_published(old, quality, out, workbook=False, cache=cache)
    real = publish._zip_file

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_zip_file", disk_full)
    with pytest.raises(OSError):
        publish.write_published(new, quality, out, workbook=False, cache=cache)
    monkeypatch.setattr(publish, "_zip_file", real)

    def zip_holds_table() -> bool:
        with zipfile.ZipFile(out / "indicators.csv.zip") as zf:
            return zf.read("indicators.csv") == (out / "indicators.csv").read_bytes()

    publish.write_published(new, quality, out, workbook=False, cache=cache)  # the retry
    assert zip_holds_table() and (out / "indicators.csv").read_bytes().count(b"\n") == len(rows) + 1
    (out / "indicators.csv.zip").write_bytes(b"not a zip")  # damaged by something else
    publish.write_published(new, quality, out, workbook=False, cache=cache)
    assert zip_holds_table()
