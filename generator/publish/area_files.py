"""Each area's own downloads: the area's rows and its providers' rows of the published table,
every period and every column, as CSV (its lines of indicators.csv, byte for byte) and as a
workbook (notes, the same rows with filters on, the area's data quality).

Made from the published table's compressed CSV blocks, so they hold exactly what indicators.csv
holds after disclosure control, and written only when their bytes change. At national scale
they are the whole table again, split 150 ways: :func:`area_files` writes them beside other
work (an executor's) and not at all when the cache says the folder holds what this very table
makes.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from generator.base.cache import NO_CACHE, Cache, code_fingerprint, digest
from generator.base.names import slug
from generator.calc.columns import COLUMNS, NUMERIC_COLUMNS
from generator.catalogue.registry import Registry
from generator.publish.files import put_in_place, remember_written, written_sizes
from generator.publish.quality import QUALITY_COLUMNS
from generator.publish.workbook import FORMULA_SAFETY, RULES, SYNTHETIC, cell
from generator.publish.xlsx import BOLD, TITLE, WRAP, Sheet, workbook_bytes

FOLDER = "areas"  # the files' folder, under the site's downloads
HEADER = (",".join(COLUMNS) + "\n").encode("utf-8")  # indicators.csv's first line
# the columns an area's workbook holds as numbers (the rank and quartile too, counted as text in
# the CSV's formula check only because they cannot start like a formula)
_NUMBERS = frozenset(i for i, c in enumerate(COLUMNS) if c in NUMERIC_COLUMNS | {"rank"})


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    providers: tuple[str, ...]  # "Name (code)", in the registry's order


def areas_of(registry: Registry) -> list[Area]:
    """Every area in the registry, by code."""
    return [
        Area(
            code,
            name,
            tuple(f"{o.name} ({o.code})" for o in registry.in_area(code) if o.role == "provider"),
        )
        for code, name in sorted(registry.areas.items())
    ]


def file_names(area: str) -> tuple[str, str]:
    """The area's CSV and workbook, in :data:`FOLDER`."""
    return f"{slug(area)}.csv", f"{slug(area)}.xlsx"


def area_files(
    blocks: Sequence[bytes],
    quality: Sequence[Mapping[str, Any]],
    areas: Sequence[Area],
    folder: Path,
    cache: Cache = NO_CACHE,
    executor: Executor | None = None,
) -> Callable[[], dict[str, int]]:
    """:func:`write_area_files` on ``executor`` (here and now if None), unless ``cache``
    remembers ``folder``'s files as written from this very content and they are as they were
    left. Returns what waits for them: their sizes by name, once they are written."""
    key = digest(
        _code(),
        str(folder.resolve()),
        orjson.dumps([[a.code, a.name, *a.providers] for a in areas]),
        orjson.dumps(list(quality), option=orjson.OPT_SORT_KEYS),
        *blocks,
    )
    known = written_sizes(cache, key, folder)
    if known is not None:
        return lambda: known
    job: Future[dict[str, int]]
    if executor is None:
        job = Future()
        job.set_result(write_area_files(blocks, quality, areas, folder))
    else:
        job = executor.submit(write_area_files, blocks, quality, areas, folder)

    @functools.cache
    def written() -> dict[str, int]:
        sizes = job.result()
        remember_written(cache, key, [folder / n for n in sizes])
        return sizes

    return written


@functools.cache
def _code() -> str:
    """What the files are made by (the workbook's notes included): worked out where the cache is
    asked, not in every process that imports this module to write the files."""
    return code_fingerprint(__name__)


def write_area_files(
    blocks: Sequence[bytes], quality: Sequence[Mapping[str, Any]], areas: Sequence[Area], folder: Path
) -> dict[str, int]:
    """Both files of every area with rows in ``blocks`` (the published table's compressed CSV
    lines), each replaced only if its bytes change; any other file in ``folder`` is removed.
    Returns each file's size, by name. Each area's lines go to its own file as the blocks are
    read, so the whole table is never held at once."""
    named = Counter(file_names(a.code)[0] for a in areas)
    if twice := sorted(n for n, k in named.items() if k > 1):
        raise ValueError(f"two areas' files would be {', '.join(twice)}")  # as their pages would
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".*.tmp"):  # left by a run that was stopped
        stale.unlink()
    tmp = {a.code: folder / f".{file_names(a.code)[0]}.tmp" for a in areas}
    with contextlib.ExitStack() as stack:
        out = {a: stack.enter_context(p.open("wb")) for a, p in tmp.items()}
        found = _split(blocks, out)
    sizes: dict[str, int] = {}
    for a in areas:
        if a.code not in found:
            tmp[a.code].unlink()
            continue
        table, book = file_names(a.code)
        text = tmp[a.code].read_text(encoding="utf-8")
        xlsx = area_workbook(a, text, [q for q in quality if q["area_code"] == a.code])
        put_in_place(tmp[a.code], folder / table)
        _write_if_changed(folder / book, xlsx)
        sizes[table], sizes[book] = (folder / table).stat().st_size, len(xlsx)
    for other in folder.iterdir():
        if other.name not in sizes:
            other.unlink()
    return sizes


def _split(blocks: Sequence[bytes], out: Mapping[str, IO[bytes]]) -> set[str]:
    """Each block's records, whole (a quoted field may hold a line break), appended to the file
    of their area (the first field); returns the areas that had any."""
    found: set[str] = set()
    for each in out.values():
        each.write(HEADER)
    files = {a.encode("utf-8"): f for a, f in out.items()}
    for block in blocks:
        for record in _records(zlib.decompress(block)):
            if record.startswith(b'"'):  # a quoted first field: read as CSV
                area = next(csv.reader([record.decode("utf-8")]))[0].encode("utf-8")
            else:
                area = record[: record.find(b",")]
            if (f := files.get(area)) is not None:
                f.write(record)
                found.add(area.decode("utf-8"))
    return found


def _records(lines: bytes) -> Iterator[bytes]:
    """CSV records with their line ends: a line with an odd number of quotes opens a field
    that goes on to the next one."""
    pending = b""
    for line in lines.splitlines(keepends=True):
        pending += line
        if pending.count(b'"') % 2 == 0:
            yield pending
            pending = b""
    if pending:
        yield pending


def area_workbook(area: Area, table: str, quality: Sequence[Mapping[str, Any]]) -> bytes:
    """The area's workbook from its CSV text (``table``, header first) and data quality rows."""
    rows = list(csv.reader(io.StringIO(table, newline="")))
    title = f"Employment support KPIs: {area.name} ({area.code})"
    notes = [
        [title],
        [],
        ["Topic", "Note"],
        ["About this file", _about(area)],
        *RULES,
        (
            "Columns",
            "The Indicators sheet has every column of indicators.csv, in its order (the site's data "
            "dictionary says what each holds): numbers as numbers, everything else as the CSV "
            "writes it (headline is True or False).",
        ),
        FORMULA_SAFETY,
    ]
    return workbook_bytes(
        title,
        [
            Sheet("Notes", notes, widths=(24, 110), styles={0: TITLE, 2: BOLD}, body=WRAP),
            Sheet("Indicators", rows, styles={0: BOLD}, table=True, numbers=_NUMBERS),
            Sheet(
                "Data quality",
                [list(QUALITY_COLUMNS), *([_cell(q.get(c)) for c in QUALITY_COLUMNS] for q in quality)],
                styles={0: BOLD},
                table=True,
            ),
        ],
    )


def _cell(v: Any) -> str | float | None:
    """:func:`~generator.publish.workbook.cell`, each text once: the same names, periods and
    statuses fill every area's data quality."""
    return _text_cell(v) if isinstance(v, str) else cell(v)


@functools.lru_cache(maxsize=1 << 16)
def _text_cell(v: str) -> str | float | None:
    return cell(v)


def _about(area: Area) -> str:
    providers = "; ".join(area.providers) or "none in the registry"
    return (
        f"Key performance indicators for employment support for people with mental health problems "
        f"in {area.name} ({area.code}): the area's own figures and each of its providers' "
        f"({providers}), in every period published. The Indicators sheet holds the area's rows of "
        f"indicators.csv, the published dataset, as they are there (the same rows as "
        f"{file_names(area.code)[0]}); other areas and all areas together are in that file, and "
        "each row's all_areas_value is the all-areas figure its comparison used. The Data quality "
        "sheet says which of the area's returns arrived. " + SYNTHETIC
    )


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
