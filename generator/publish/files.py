"""The dataset's files written together, each whole or not at all, and only when what they
are made from has changed.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import threading
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import xlsxwriter

from generator.base.cache import NO_CACHE, Cache, code_fingerprint, digest
from generator.calc.columns import COLUMNS
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.publish.dataset import Dataset, compute_store
from generator.publish.periods import latest_rows
from generator.publish.quality import QUALITY_COLUMNS, QUALITY_NUMERIC
from generator.publish.safe_csv import csv_block, write_csv
from generator.publish.workbook import latest_workbook
from generator.store.returns import Store


@dataclass(frozen=True)
class Published:
    returns: int
    count: int  # rows in the published table
    rows: list[dict[str, Any]]  # the rows the site shows (see :func:`generator.publish.dataset.shard_part`)
    quality: list[dict[str, Any]]
    files: list[Path]


def publish_store(
    store: Store,
    catalogue: Catalogue,
    registry: Registry,
    out: Path,
    cache: Cache = NO_CACHE,
    workers: int | None = None,
) -> Published:
    """Stored returns -> the published dataset files (the I/O shell around the pure steps)."""
    returns, data, quality = compute_store(store, catalogue, registry, cache, workers)
    files = write_published(data, quality, out, cache=cache)
    return Published(returns, data.count, data.rows, quality, files)


def write_dataset(
    rows: Sequence[dict[str, Any]], quality: Sequence[Mapping[str, Any]], out: Path
) -> list[Path]:
    """Write every published row and data quality (see :func:`write_published`)."""
    return write_published(Dataset(len(rows), [csv_block(rows)], list(rows)), quality, out)


def write_published(
    data: Dataset,
    quality: Sequence[Mapping[str, Any]],
    out: Path,
    workbook: bool = True,
    cache: Cache = NO_CACHE,
) -> list[Path]:
    """Write the CSVs and the workbook (only files whose bytes change are replaced)."""
    with publishing(data, quality, out, cache) as files:
        if workbook and (key := workbook_to_write(cache, data, quality, out)):
            write_workbook(data.rows, quality, out)
            remember_written(cache, key, files[3:])
    return files


def workbook_to_write(cache: Cache, data: Dataset, quality: Sequence[Mapping[str, Any]], out: Path) -> str:
    """The key to remember ``out``'s workbook under once it is written (:func:`remember_written`),
    or "" when the one there was written from this very content and is untouched."""
    key = files_key("workbook", data, quality, out)
    return "" if already_written(cache, key, [out / "dataset.xlsx"]) else key


@contextlib.contextmanager
def publishing(
    data: Dataset, quality: Sequence[Mapping[str, Any]], out: Path, cache: Cache = NO_CACHE
) -> Iterator[list[Path]]:
    """The dataset's CSV files written on a thread while the caller's block runs, and in place
    when it ends. A national table is half a gigabyte, streamed from its compressed blocks, and
    zipping it takes a while; zlib and file writes let go of the interpreter, so that time
    is spent beside the workbook, the pages and the charts rather than before them. Files the
    cache says were written from this very content, and are as they were left, are not written
    again. The workbook is the caller's to write (:func:`write_workbook`)."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / n for n in ("indicators.csv", "indicators.csv.zip", "data_quality.csv", "dataset.xlsx")]
    key = files_key("tables", data, quality, out)
    if already_written(cache, key, files[:3]):
        for stale in (".indicators.csv.tmp", ".indicators.csv.zip.tmp", ".data_quality.csv.tmp"):
            (out / stale).unlink(missing_ok=True)  # left by a run that was stopped
        yield files
        return
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as background:
        tables = background.submit(_write_tables, data, quality, out, stop)
        try:
            yield files
        except BaseException as e:  # the block failed: once the thread is done, say if it failed too
            if isinstance(e, KeyboardInterrupt):  # Ctrl-C: the thread stops within a chunk
                stop.set()
            if (also := tables.exception()) is not None and not isinstance(also, _Stopped):
                e.add_note(f"Writing the dataset files in {out} failed too: {also}")
            raise
        tables.result()
    remember_written(cache, key, files[:3])


# what the dataset files are made by: change it and every file is written again
_FILES_CODE = digest(
    code_fingerprint(__name__, "generator.publish.dataset", "generator.calc.indicators"),
    xlsxwriter.__version__,
)


def files_key(kind: str, data: Dataset, quality: Sequence[Mapping[str, Any]], out: Path) -> str:
    """A digest of what a kind of dataset file ("tables", "workbook") in folder ``out`` is
    written from: the table's compressed blocks (the workbook's rows are some of the table's)
    and data quality."""
    quality_json = orjson.dumps(list(quality), option=orjson.OPT_SORT_KEYS)
    return digest(_FILES_CODE, kind, str(out.resolve()), quality_json, *data.csv)


def _stat(paths: Sequence[Path]) -> bytes:
    """Each file's inode, size and times: what says it is still the file that was written (a
    tool that puts back a modification time cannot put back the change time)."""
    out: list[list[Any]] = []
    for p in paths:
        try:
            st = p.stat()
            out.append([p.name, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
        except OSError:
            out.append([p.name])
    return json.dumps(out).encode()


def already_written(cache: Cache, key: str, paths: Sequence[Path]) -> bool:
    """Were ``paths`` written from the content ``key`` names, and left as they were? A rebuild
    with nothing new (a guidance page edited, say) then rewrites no half-gigabyte table and no
    workbook. With no cache, or a file touched since, the answer is no and they are written."""
    known = cache.get_many("written", [key]).get(key)
    return known is not None and all(p.exists() for p in paths) and known == _stat(paths)


def remember_written(cache: Cache, key: str, paths: Sequence[Path]) -> None:
    cache.put_many("written", {key: _stat(paths)})


def written_sizes(cache: Cache, key: str, folder: Path) -> dict[str, int] | None:
    """The files in ``folder`` remembered under ``key`` (:func:`remember_written`), by name with
    their sizes, if every one is as it was left; None if any is not, or none are remembered."""
    known = cache.get_many("written", [key]).get(key)
    if known is None:
        return None
    now = _stat([folder / entry[0] for entry in json.loads(known)])
    return {name: size for name, _, size, *_ in json.loads(now)} if now == known else None


class _Stopped(Exception):
    """The dataset files were left as they were: the build was stopped (Ctrl-C)."""


def _write_tables(
    data: Dataset, quality: Sequence[Mapping[str, Any]], out: Path, stop: threading.Event
) -> None:
    """The table, its zip and data quality. The zip is made from the new table before the table
    is put in place, and whenever it does not hold that very table (its checksum and size say):
    a run stopped in between, or a zip damaged since, is mended by the next one. When ``stop``
    is set (Ctrl-C), it stops within a chunk and removes its temporary files, leaving the files
    in place as they were, rather than making Ctrl-C wait for a whole table to be written."""
    table, zipped = out / "indicators.csv", out / "indicators.csv.zip"
    tmp, tmp_zip = out / ".indicators.csv.tmp", out / ".indicators.csv.zip.tmp"
    crc, size = 0, 0
    try:
        with tmp.open("wb") as f:
            for chunk in ((",".join(COLUMNS) + "\n").encode("utf-8"), *map(zlib.decompress, data.csv)):
                if stop.is_set():
                    raise _Stopped
                f.write(chunk)
                crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        if not _zip_holds(zipped, table.name, crc, size):
            _zip_file(tmp, tmp_zip, table.name, stop)
            put_in_place(tmp_zip, zipped)
    except _Stopped:
        tmp.unlink(missing_ok=True)
        tmp_zip.unlink(missing_ok=True)
        raise
    put_in_place(tmp, table)
    write_csv(quality, QUALITY_COLUMNS, out / ".data_quality.csv.tmp", QUALITY_NUMERIC)
    put_in_place(out / ".data_quality.csv.tmp", out / "data_quality.csv")


def write_workbook(
    rows: Sequence[Mapping[str, Any]], quality: Sequence[Mapping[str, Any]], out: Path
) -> Path:
    """``dataset.xlsx`` from the rows the site shows (only :func:`latest_rows` of them are used,
    so those alone may be passed)."""
    book = out / "dataset.xlsx"
    latest_workbook(latest_rows(rows), quality, out / ".dataset.xlsx.tmp")
    put_in_place(out / ".dataset.xlsx.tmp", book)
    return book


def put_in_place(tmp: Path, path: Path) -> bool:
    """Replace ``path`` with ``tmp`` if their bytes differ (compared in chunks); True if replaced."""
    if path.exists() and filecmp.cmp(tmp, path, shallow=False):
        tmp.unlink()
        return False
    tmp.replace(path)
    return True


def _zip_holds(path: Path, name: str, crc: int, size: int) -> bool:
    """Is ``path`` a zip of exactly one file, ``name``, with this checksum and size?"""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (OSError, zipfile.BadZipFile):
        return False
    return len(infos) == 1 and infos[0].filename == name and (infos[0].CRC, infos[0].file_size) == (crc, size)


def _zip_file(src: Path, dest: Path, name: str, stop: threading.Event) -> None:
    """``src`` as the one file in a zip archive, called ``name``, byte for byte the same for the
    same data (a fixed date), streamed: the CSV compresses about twenty to one, and a national
    one is 500 MB. Raises :class:`_Stopped` between megabytes once ``stop`` is set."""
    with zipfile.ZipFile(dest, "w") as zf:
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = src.stat().st_size  # sizes known up front: no ZIP64 guesswork
        with src.open("rb") as f, zf.open(info, "w") as w:
            while block := f.read(1 << 20):
                if stop.is_set():
                    raise _Stopped
                w.write(block)
