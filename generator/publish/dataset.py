"""The published dataset: indicators after disclosure control, data quality, and notes.

``kpi compute`` writes, under its output folder:

* ``indicators.csv``  the long table (one row per area or provider x period x indicator x
  breakdown), after disclosure control; ``indicators.csv.zip`` the same, zipped (the site
  offers this one when the table is large);
* ``data_quality.csv`` which returns arrived for each area, section and period, how complete
  they were and how many warnings they carried;
* ``dataset.xlsx``    the latest period for each area and all areas, and data quality, with a
  Notes sheet, for people who open spreadsheets.

Text cells are protected against formula injection: a text value beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, in text columns only, so a
spreadsheet program shows it as text and never runs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import json
import os
import pickle
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import orjson

from generator.base.cache import NO_CACHE, Cache, code_fingerprint, digest
from generator.base.pools import process_pool
from generator.base.progress import Progress
from generator.base.tables import Table, take, to_rows
from generator.calc.indicators import calculate_table
from generator.calc.specs import specs
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.publish.periods import ends_in, flag_provisional_table, latest_periods
from generator.publish.quality import data_quality
from generator.publish.safe_csv import csv_block_of
from generator.store.returns import Store

# a section with more indicator specifications than this is computed in parts: at national scale
# 40 left one core idle while the other finished Section E's last part; below 20 each part's
# fixed cost (pooling the section's returns) outweighs the better balance
SHARD_SPECS = 20


def shards(letter: str, catalogue: Catalogue) -> list[frozenset[str]]:
    """A section's indicators in parts that disclosure control never spans (pure).

    Every sum a reader could subtract within lies inside one indicator (its breakdown, an area's
    providers, all areas, a rolling year's quarters); the only checks across indicators join
    those built from the same counts. So indicators joined by shared counts stay together, and
    the groups are packed, largest first, into parts of about ``SHARD_SPECS`` specifications:
    Sections B and E (69 and 130 specifications, most of the work at national scale)
    then spread over the cores instead of each holding one, and one new return recomputes a
    few parts at a time on every core.
    """
    section_specs = [s for s in specs(catalogue) if s.section == letter]
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    first_with: dict[tuple[str, ...], str] = {}
    for s in section_specs:
        other = first_with.setdefault(tuple(s.numerator), s.indicator_id)
        parent[root(s.indicator_id)] = root(other)
    groups: dict[str, list[str]] = defaultdict(list)
    for s in section_specs:
        groups[root(s.indicator_id)].append(s.indicator_id)
    n = max(1, round(len(section_specs) / SHARD_SPECS))
    bins: list[list[str]] = [[] for _ in range(n)]
    for ids in sorted(groups.values(), key=lambda g: (-len(g), g[0])):
        min(bins, key=len).extend(ids)
    return [frozenset(b) for b in bins if b]


def shard_table(
    letter: str,
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    indicators: frozenset[str] | None = None,
) -> Table:
    """Part of a section's published table (``indicators``; all if None): calculated, then
    disclosure-controlled (pure), column by column. The provisional flag is added by
    :func:`shard_part`.

    ``returns`` must hold the section's returns and Section A's (the local population, which the
    intake comparisons need). tests/test_dataset.py checks the parts against the whole.
    """
    return calculate_table(returns, catalogue, registry, sections={letter}, indicators=indicators)


@dataclass(frozen=True)
class Block:
    """One indicator's published rows, as computed in a worker: the CSV lines (compressed: a
    national table is half a gigabyte of text) and the rows the site shows."""

    indicator_id: str
    count: int  # rows in the published table
    csv: bytes  # zlib-compressed CSV lines, no header
    # every row, or only those the site shows (see :func:`shard_part`), as columns: they cross to
    # the main process and into the cache several times faster than a dict per row, and the main
    # process, which unpickles them while the workers compute, is the one that holds everyone up
    shown: Table


def shown(row: Mapping[str, Any], latest: str) -> bool:
    """Does the site show this row? Areas and all areas in every period (the trends), providers
    only in their section's latest period (an indicator page's table). The other provider rows,
    more than half the table at national scale, are in the published CSV only."""
    return _shown(row["level"], row["period"], latest)


def _shown(level: str, period: str, latest: str) -> bool:
    return level != "provider" or ends_in(period) == latest


def shard_part(
    letter: str,
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    indicators: frozenset[str] | None,
    latest: str,
    every_row: bool = False,
) -> list[Block]:
    """Part of a section (:func:`shard_table`), flagged provisional in ``latest``, as one block
    per indicator in the catalogue's order (pure). The CSV is rendered here, in the worker, so
    that the main process never holds the whole table; rows are made only for what the site
    shows."""
    table = shard_table(letter, returns, catalogue, registry, indicators)
    flag_provisional_table(table, {letter: latest})
    ids = table["indicator_id"]
    if not ids:  # no indicator of the part has a value (no wellbeing counts sent, say)
        return []
    # calculated indicator by indicator, so each one's rows are together and in order
    starts = [0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]] + [len(ids)]
    level, period = table["level"], table["period"]
    blocks = []
    for s, e in itertools.pairwise(starts):
        keep = [i for i in range(s, e) if every_row or _shown(level[i], period[i], latest)]
        blocks.append(Block(str(ids[s]), e - s, csv_block_of(table, s, e), take(table, keep)))
    return blocks


@dataclass(frozen=True)
class Dataset:
    """The published table as the build needs it: compressed CSV blocks in the table's order,
    and the rows the site shows (all rows when asked for)."""

    count: int
    csv: list[bytes]
    rows: list[dict[str, Any]]


# what a section's rows depend on besides its returns: the code that makes them
_DATASET_CODE = code_fingerprint(__name__, "generator.calc.indicators")


def compute_dataset(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    cache: Cache = NO_CACHE,
    workers: int | None = 1,
    every_row: bool = False,
) -> Dataset:
    """Indicators for publication, section by section, in the catalogue's order.

    Sections are independent given their returns and Section A's, and a large section splits
    into parts that disclosure control never spans (:func:`shards`), so the parts are computed in
    parallel, and a part whose inputs are unchanged comes from the cache: after one new return,
    only its section (or every section, if it is a Section A return) is recomputed.
    """
    by_section: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in returns:
        by_section[str(r["section"])].append(r)
    latest = latest_periods(returns)
    reg = json.dumps(sorted(dataclasses.astuple(o) for o in registry.organisations.values()))
    jobs: dict[str, tuple[str, list[Mapping[str, Any]], frozenset[str]]] = {}
    for letter in catalogue.sections:
        if letter not in by_section:
            continue
        inputs = by_section[letter] + (by_section.get("A", []) if letter != "A" else [])
        section_key = digest(
            _DATASET_CODE,
            catalogue.digest,
            reg,
            letter,
            "every row" if every_row else "rows shown",
            *sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS, default=str) for r in inputs),
        )
        for part in shards(letter, catalogue):
            jobs[digest(section_key, *sorted(part))] = (letter, inputs, part)
    cached = cache.get_many("dataset", jobs)
    # largest first, so the long parts start at once and the short ones fill in around them
    todo = sorted((k for k in jobs if k not in cached), key=lambda k: -len(jobs[k][2]) * len(jobs[k][1]))
    workers = min(workers or os.cpu_count() or 1, len(todo))

    def args(k: str) -> tuple[Any, ...]:
        letter, inputs, part = jobs[k]
        return letter, inputs, catalogue, registry, part, latest[letter], every_row

    with Progress("Computing indicators", len(todo)) as bar, ExitStack() as stack:
        if workers <= 1:
            done: Iterable[tuple[str, bytes]] = ((k, packed_part(*args(k))) for k in todo)
        else:
            pool = stack.enter_context(process_pool(workers))
            # on Ctrl-C or an error, the parts not yet started are dropped, not all computed first
            stack.callback(pool.shutdown, wait=False, cancel_futures=True)
            futures = {k: pool.submit(packed_part, *args(k)) for k in todo}
            done = ((k, f.result()) for k, f in futures.items())
        # the parts found in the cache are loaded while the workers compute the others (after
        # one new return, most of the table: some seconds of the main process's time)
        found = {k: pickle.loads(cached.pop(k)) for k in list(cached)}  # each part's bytes freed once read
        for k, packed in done:
            cache.put_many("dataset", {k: packed}, compressed=True)
            found[k] = pickle.loads(zlib.decompress(packed))
            bar.advance()
    with _no_cycle_collector():  # half a million row dicts, none in a cycle
        return _assemble(jobs, found, catalogue)


def _assemble(
    jobs: Mapping[str, tuple[str, Any, Any]], found: Mapping[str, list[Block]], catalogue: Catalogue
) -> Dataset:
    """Blocks in the table's order: section by section, indicator by indicator."""
    position = {s.indicator_id: i for i, s in reversed(list(enumerate(specs(catalogue))))}
    count, csv_blocks = 0, []
    rows: list[dict[str, Any]] = []
    for letter in catalogue.sections:
        blocks = [b for k, job in jobs.items() if job[0] == letter for b in found[k]]
        for b in sorted(blocks, key=lambda b: position.get(b.indicator_id, -1)):
            count += b.count
            csv_blocks.append(b.csv)
            rows.extend(to_rows(b.shown))
            b.shown.clear()  # its columns freed as its rows are made: the two never all at once
    return Dataset(count, csv_blocks, rows)


def packed_part(*args: Any) -> bytes:
    """:func:`shard_part`, pickled and compressed in the worker: the bytes that cross to the
    main process are the bytes the cache keeps (compressed there, they would hold up the main
    process). Pickle rather than JSON because it keeps the rows' shared strings shared (every
    row of an indicator holds the same title, method and target text), which a warm build
    loads faster and in less memory. The
    cache is the build's own file, written by this code and keyed on a digest of it (see
    cache.py)."""
    with _no_cycle_collector():
        return zlib.compress(pickle.dumps(shard_part(*args), protocol=pickle.HIGHEST_PROTOCOL), 1)


@contextlib.contextmanager
def _no_cycle_collector() -> Iterator[None]:
    """Pause Python's cycle collector while a part is computed. A part makes some hundred
    thousand row dicts, none in a reference cycle (reference counting frees them all), yet each
    full collection walks every live one, again and again as they are made."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_dataset(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    cache: Cache = NO_CACHE,
    workers: int | None = 1,
) -> list[dict[str, Any]]:
    """Every published row (what :func:`compute_dataset` gives with ``every_row``): for tests
    and small datasets; a national build keeps only the rows its site shows."""
    return compute_dataset(returns, catalogue, registry, cache, workers, every_row=True).rows


class NoReturns(Exception):
    """The store holds no accepted returns: there is nothing to publish."""


def compute_store(
    store: Store,
    catalogue: Catalogue,
    registry: Registry,
    cache: Cache = NO_CACHE,
    workers: int | None = None,
) -> tuple[int, Dataset, list[dict[str, Any]]]:
    """Stored returns -> (how many, the published table, data quality), nothing written."""
    returns = store.current_returns()
    if not returns:
        raise NoReturns(f"no returns stored in {store.root}: run `kpi ingest` first")
    data = compute_dataset(returns, catalogue, registry, cache, workers)
    quality = data_quality(returns, catalogue, registry, store.ledger_rows(), store.approval_rows())
    return len(returns), data, quality
