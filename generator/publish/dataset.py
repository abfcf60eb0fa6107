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
import csv
import dataclasses
import datetime as dt
import filecmp
import functools
import gc
import io
import itertools
import json
import os
import pickle
import threading
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import xlsxwriter

from generator.base.cache import NO_CACHE, Cache, code_fingerprint, digest
from generator.base.names import (
    cell_text,  # one list (names.FORMULA_START): refused on the way in, made literal on the way out
)
from generator.base.pools import process_pool
from generator.base.progress import Progress
from generator.base.tables import Table, take, to_rows
from generator.calc import disclosure, stats
from generator.calc.columns import COLUMNS
from generator.calc.indicators import calculate_table
from generator.calc.specs import specs
from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue, Section
from generator.intake import comments
from generator.store.returns import STORED_STATUSES, Store
from generator.workbook.layout import build_layout, due_date, periods

REQUIRED_COLUMNS = COLUMNS[: COLUMNS.index("method") + 1]

NUMERIC_COLUMNS = {
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "quartile",
    "all_areas_value",
    "funnel_lower_95",
    "funnel_upper_95",
    "funnel_lower_998",
    "funnel_upper_998",
    "funnel_p0",
    "funnel_tau2",
    "items_answered",
    "items_expected",
    "warnings",
    "returns_received",
}
QUALITY_COLUMNS = (
    "area_code",
    "area_name",
    "organisation_code",
    "organisation_name",
    "section",
    "period",
    "status",
    "items_answered",
    "items_expected",
    "warnings",
    "returns_received",
    "template_version",
    "not_collected",  # items the return says, or its template version shows, were not collected
    "due",  # when the return was due (the section's `due:` in the catalogue)
    "received",  # when it first arrived (the ledger: kpi ingest --received, or the day of the ingest)
    "late",  # yes | no; for a missing return, yes once its due date has passed
    "comment",  # the provider's caveat, once an analyst approved it (kpi comments)
)


def neutralise(value: Any) -> Any:
    """Make text safe to open in a spreadsheet: a leading formula character becomes literal,
    and hidden characters (controls, NUL, bidirectional overrides) are escaped."""
    return cell_text(value) if isinstance(value, str) else value


def _formula_like(value: Any) -> bool:
    """Text that :func:`neutralise` changes."""
    return isinstance(value, str) and cell_text(value) != value


def _period_end(row: Mapping[str, Any]) -> str:
    """The quarter or year a row's period ends in (a rolling year ends in its last quarter)."""
    return _ends_in(row.get("period", ""))


def _ends_in(period: Any) -> str:
    return str(period).removeprefix("12 months to ")


def _in_latest_period(rows: Sequence[Mapping[str, Any]]) -> list[bool]:
    """For each row: is it in its section's latest period (or the rolling year ending there)?"""
    latest: dict[str, str] = {}
    for r in rows:
        section = str(r.get("section", ""))
        latest[section] = max(latest.get(section, ""), _period_end(r))
    return [_period_end(r) == latest[str(r.get("section", ""))] for r in rows]


def flag_provisional(rows: list[dict[str, Any]], latest: Mapping[str, str]) -> None:
    """:func:`_flag_provisional_table` on rows, in place."""
    table = {k: [r[k] for r in rows] for k in ("period", "section", "flags")}
    _flag_provisional_table(table, latest)
    for r, flags in zip(rows, table["flags"], strict=True):
        r["flags"] = flags


def _flag_provisional_table(table: Table, latest: Mapping[str, str]) -> None:
    """The latest period of each section (``latest``, from :func:`latest_periods`) is
    provisional: returns for it may still be resubmitted."""
    flags = table["flags"]
    for i, (period, section) in enumerate(zip(table["period"], table["section"], strict=True)):
        if _ends_in(period) == latest.get(str(section)):
            flags[i] = _provisional(flags[i])


def _provisional(flags: Any) -> str:
    """A row's flags with "provisional" among them (sorted, each once)."""
    return _provisional_text(str(flags))


@functools.cache  # the same few strings, a million times
def _provisional_text(flags: str) -> str:
    return ";".join(sorted(set(filter(None, flags.split(";"))) | {"provisional"}))


def latest_periods(returns: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each section's latest period among its returns: the one still open to resubmission."""
    out: dict[str, str] = {}
    for r in returns:
        section, period = str(r["section"]), str(r["identity"]["period"])
        out[section] = max(out.get(section, ""), period)
    return out


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
    Sections B and E (69 and 130 specifications, three quarters of the work at national scale)
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
    intake comparisons need). tests/test_incremental.py checks the parts against the whole.
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
    return level != "provider" or _ends_in(period) == latest


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
    _flag_provisional_table(table, {letter: latest})
    ids = table["indicator_id"]
    if not ids:  # no indicator of the part has a value (no wellbeing counts sent, say)
        return []
    # calculated indicator by indicator, so each one's rows are together and in order
    starts = [0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]] + [len(ids)]
    level, period = table["level"], table["period"]
    blocks = []
    for s, e in itertools.pairwise(starts):
        keep = [i for i in range(s, e) if every_row or _shown(level[i], period[i], latest)]
        blocks.append(Block(str(ids[s]), e - s, _csv_block_of(table, s, e), take(table, keep)))
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


@dataclass(frozen=True)
class Published:
    returns: int
    count: int  # rows in the published table
    rows: list[dict[str, Any]]  # the rows the site shows (see :func:`shard_part`)
    quality: list[dict[str, Any]]
    files: list[Path]


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


def data_quality(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    ledger: Iterable[Mapping[str, str]] = (),
    approvals: Iterable[Mapping[str, str]] = (),
) -> list[dict[str, Any]]:
    """For every organisation, section and period seen: received or missing, how complete, on
    which template version, what was not collected, and the caveat its provider wrote (its
    text only once approved: free text may name someone)."""
    approved = comments.published(comments.comments(returns, catalogue, approvals))
    received = {
        (r["identity"]["organisation_code"], r["section"], r["identity"]["period"]): r for r in returns
    }
    stored_rows = [row for row in ledger if row.get("status") in STORED_STATUSES]
    attempts = Counter((row["organisation_code"], row["section"], row["period"]) for row in stored_rows)
    first_in: dict[tuple[str, str, str], str] = {}
    for row in sorted(stored_rows, key=lambda row: row.get("time") or ""):
        # blank when the ledger does not say (an earlier version's, a recovered row): the day of
        # the ingest is not the day it arrived, and would call every such return late
        first_in.setdefault(
            (row["organisation_code"], row["section"], row["period"]), row.get("received") or ""
        )
    today = dt.date.today().isoformat()
    seen_periods: dict[str, set[str]] = defaultdict(set)
    for r in returns:
        seen_periods[r["section"]].add(r["identity"]["period"])
    out = []
    for letter, sec in catalogue.sections.items():
        wanted = role_for(sec.completed_by)
        for period in sorted(seen_periods.get(letter, ()), key=periods(sec.frequency).index):
            for org in sorted(registry.organisations.values(), key=lambda o: o.code):
                if org.role != wanted:
                    continue
                got = received.get((org.code, letter, period))
                version = str(got.get("template_version", "")) if got else ""
                key = (org.code, letter, period)
                due = due_date(sec, period).isoformat()
                came = first_in.get(key, "") if got else ""
                answered, expected = _completeness(sec, got, catalogue)
                # a stored return was received at least once, whatever the ledger has kept
                n = max(attempts.get((org.code, letter, period), 0), int(got is not None))
                out.append(
                    {
                        "area_code": org.area_code,
                        "area_name": org.area_name,
                        "organisation_code": org.code,
                        "organisation_name": org.name,
                        "section": letter,
                        "period": period,
                        "status": "missing" if got is None else "resubmitted" if n > 1 else "received",
                        "items_answered": answered if got else 0,
                        "items_expected": expected,
                        # the template version has its own column: a return on an earlier
                        # version is not a problem with its figures
                        "warnings": sum(
                            w.get("code") != "old-template-version" for w in got.get("warnings", [])
                        )
                        if got
                        else 0,
                        "returns_received": n,
                        "template_version": version,
                        "due": due,
                        "received": came,
                        "late": _late(came, due, today) if came or not got else "",
                        "not_collected": " ".join(not_collected(sec, got)) if got else "",
                        "comment": approved.get(key, ""),
                    }
                )
    return out


def _late(received: str, due: str, today: str) -> str:
    """yes or no: a return that arrived after its due date, or is still missing after it."""
    return "yes" if (received or today) > due else "no"


def _completeness(
    section: Section, record: Mapping[str, Any] | None, catalogue: Catalogue
) -> tuple[int, int]:
    """(answered, expected): the answer cells a return was asked to fill (its own version's,
    less optional ones and those a gate turned off, such as SWEMWBS not collected), and how many
    of them it filled."""
    version = str(record.get("template_version", "")) if record else ""
    layout = build_layout(section.as_made(version), catalogue)
    values = record.get("values", {}) if record else {}
    asked = [
        c
        for c in layout.input_cells
        if c.item.required
        or (c.item.required_when_yes is not None and values.get(c.item.required_when_yes) == "yes")
    ]
    return sum(c.key in values for c in asked), len(asked)


def not_collected(section: Section, record: Mapping[str, Any]) -> list[str]:
    """:meth:`Section.not_collected` for a stored return."""
    return list(section.not_collected(str(record.get("template_version", "")), record.get("values", {})))


def _write_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(columns)
        _write_rows(rows, columns, f)


def csv_block(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Published ``rows`` as lines of indicators.csv (no header), zlib-compressed (level 1:
    quick, and a national table shrinks from half a gigabyte to a few tens of megabytes)."""
    return _compressed_lines([[r.get(c) for r in rows] for c in COLUMNS])


def _csv_block_of(table: Table, start: int, end: int) -> bytes:
    """:func:`csv_block` of the table's rows ``start`` to ``end``."""
    return _compressed_lines([table[c][start:end] for c in COLUMNS])


def _compressed_lines(values: Sequence[Sequence[Any]]) -> bytes:
    f = io.StringIO()
    _write_columns(COLUMNS, values, f)
    return zlib.compress(f.getvalue().encode("utf-8"), 1)


def _write_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], f: Any) -> None:
    _write_columns(columns, [[r.get(c) for r in rows] for c in columns], f)


def _write_columns(columns: Sequence[str], values: Sequence[Sequence[Any]], f: Any) -> None:
    """CSV lines from each column's values (``values[i]`` are column i's; csv.writer writes None
    as an empty field), text neutralised. Text values repeat (titles, methods, verdicts), so
    each text column's distinct values are checked, not its cells: when none starts like a
    formula, as always in practice, every row goes to the C writer untouched."""
    out = list(values)
    for i, c in enumerate(columns):
        if c not in NUMERIC_COLUMNS and any(map(_formula_like, set(out[i]))):
            out[i] = list(map(neutralise, out[i]))
    csv.writer(f, lineterminator="\n").writerows(zip(*out, strict=True))


NOTES = [
    (
        "About this dataset",
        "Key performance indicators for employment support for people with mental health "
        "problems, calculated from the returns providers and commissioners sent, area by area and "
        "provider by provider. This workbook holds each section's latest period for every area and "
        "for all areas; every period, and each provider's own figures, are in indicators.csv. "
        "Organisations marked synthetic in the registry (their names say so) are demonstration "
        "data, not real services.",
    ),
    (
        "Disclosure control",
        "No count of people below national level can be narrowed, by any combination of published "
        f"figures, to fewer than {disclosure.MIN_VALUES} values. Below national level, counts that add "
        "up over time are published for complete 12-month windows only (quarters for all areas only); "
        f"0 is published, 1 to {disclosure.SMALL - 1} are blank (flag 'suppressed'), other counts are "
        f"rounded to the nearest {disclosure.ROUND_TO} for each provider (a published {disclosure.ROUND_TO} "
        f"stands for {disclosure.ROUND_TO} to {disclosure.ROUND_TO + disclosure.HALF}), "
        "and an area with several providers shows the sum of theirs (a suppressed one counted as 2.5: "
        "two suppressed providers show as 5, standing for 2 to 8). Figures that would give a count "
        "away are withheld (flag 'withheld'); national counts are exact unless they would give one "
        "area or provider away. Every rate, interval, comparison, cost and ratio is worked out from "
        "the published counts, so it can be recomputed from this file. The methods page of the site "
        "has the rule in full.",
    ),
    (
        "Intervals",
        "95% and 99.8% Wilson score intervals for proportions, as the union of the intervals of "
        "every pair of counts the published pair stands for; Poisson limits (exact below "
        f"{stats.EXACT_BELOW} events, Byar's method above) for events set against people (job "
        "outcome and paid work entry rates, which can pass 100%) and, over them, for a cost per "
        "outcome; normal intervals for mean wellbeing scores. An interval shows how sure a value "
        "is: a small service has a wide interval.",
    ),
    (
        "Comparisons",
        "Against a target: better if the lower 95% limit is at or above it, worse if the upper "
        "limit is below it, otherwise 'not significantly different'; a count or a cost is judged "
        "over the range its rounded count stands for; a cost per job outcome is 'significantly "
        "above the band' only where its whole interval is above it. A figure a source gives for "
        "one service (a pilot site's average) is set only beside one provider's figure, and a "
        "figure for a whole breakdown not beside each category. A total of ratings is placed in "
        "the lower or upper half of its scale (no interval, no minimum number of people). A "
        "12-month window missing a quarter is flagged partial and not judged. Against all areas: "
        "higher or lower only where the whole interval is strictly beyond the all-areas value, "
        "at 99.8% where that holds, else at 95%. Below national level nothing resting on fewer "
        f"than {disclosure.MIN_SHOWN} people is shown (flag 'under {disclosure.MIN_SHOWN}'), and "
        f"nothing resting on fewer than {disclosure.MIN_JUDGED} is compared, ranked or given a "
        "quartile. Funnel limits around the "
        "share pooled from the areas' published counts (funnel_p0), drawn around at least "
        f"{stats.MIN_FUNNEL_AREAS} areas, widened (funnel_tau2) only where Spiegelhalter's dispersion "
        f"test is significant at {stats.DISPERSION_LEVEL}. Quartiles need at least 4 areas. "
        "Trends: the chi-squared test for linear trend "
        f"at {stats.TREND_LEVEL} on the latest {stats.MIN_TREND_PERIODS} periods that do not overlap, "
        "once per series (on its latest row), for percentages of people only. Every verdict is "
        "also given as a code in indicators.csv (the columns ending in _code; the site's data "
        "dictionary lists them).",
    ),
    (
        "Flags",
        "suppressed, withheld, under 10: see disclosure control ('denominator suppressed' and the "
        "like say it of the denominator). partial: some expected returns were missing from a rolling "
        "12-month window or an area. provisional: the latest period, which may still be revised. "
        "mean of returns: several returns gave a value and their mean is shown. median of areas: for all "
        "areas, a figure returned as a percentage (Section A) is the median of the areas' figures, "
        "not a national rate.",
    ),
    (
        "Columns",
        "The Indicators sheet has the required columns; indicators.csv also has: "
        + ", ".join(COLUMNS[COLUMNS.index("method") + 1 :])
        + ".",
    ),
    (
        "Formula safety",
        "Text beginning with =, +, -, @, a tab or a carriage return starts with an "
        "apostrophe so that spreadsheet programs treat it as text.",
    ),
]


def latest_rows(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Each section's latest period (and the rolling 12 months to it), for each area and all areas.

    The workbook is for browsing; the full history, and each provider's figures, are in
    indicators.csv (which would not fit in a spreadsheet at national scale, and whose latest
    period alone at every level is slow to write).
    """
    return [
        r
        for r, latest in zip(rows, _in_latest_period(rows), strict=True)
        if latest and r.get("level") != "provider"
    ]


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
    zipping it takes two seconds; zlib and file writes let go of the interpreter, so that time
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
    code_fingerprint("generator.publish.dataset", "generator.calc.indicators"), xlsxwriter.__version__
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
            _put_in_place(tmp_zip, zipped)
    except _Stopped:
        tmp.unlink(missing_ok=True)
        tmp_zip.unlink(missing_ok=True)
        raise
    _put_in_place(tmp, table)
    _write_csv(quality, QUALITY_COLUMNS, out / ".data_quality.csv.tmp")
    _put_in_place(out / ".data_quality.csv.tmp", out / "data_quality.csv")


def write_workbook(
    rows: Sequence[Mapping[str, Any]], quality: Sequence[Mapping[str, Any]], out: Path
) -> Path:
    """``dataset.xlsx`` from the rows the site shows (only :func:`latest_rows` of them are used,
    so those alone may be passed)."""
    book = out / "dataset.xlsx"
    _workbook(latest_rows(rows), quality, out / ".dataset.xlsx.tmp")
    _put_in_place(out / ".dataset.xlsx.tmp", book)
    return book


def _put_in_place(tmp: Path, path: Path) -> bool:
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


def _workbook(rows: Sequence[Mapping[str, Any]], quality: Sequence[Mapping[str, Any]], path: Path) -> None:
    """Streamed row by row (constant memory): the table can be large."""
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    wb.set_properties(
        {"title": "Employment support KPIs: published dataset", "created": dt.datetime(2026, 1, 1)}
    )
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    notes = wb.add_worksheet("Notes")
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 110)
    title = wb.add_format({"bold": True, "font_size": 14})
    notes.write_string(0, 0, "Employment support KPIs: published dataset", title)
    notes.write_string(2, 0, "Topic", bold)
    notes.write_string(2, 1, "Note", bold)
    for n, (topic, text) in enumerate(NOTES, start=3):
        notes.write_string(n, 0, topic, wrap)
        notes.write_string(n, 1, text, wrap)
    for name, table, columns in (
        ("Indicators", rows, REQUIRED_COLUMNS),
        ("Data quality", quality, QUALITY_COLUMNS),
    ):
        ws = wb.add_worksheet(name)
        ws.freeze_panes(1, 0)
        for c, col in enumerate(columns):
            ws.write_string(0, c, col, bold)
        for r, row in enumerate(table, start=1):
            for c, col in enumerate(columns):
                v = row.get(col)
                if v is None or v == "":
                    continue
                if isinstance(v, bool):
                    ws.write_string(r, c, "yes" if v else "no")
                elif isinstance(v, int | float):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(neutralise(v)))
    wb.close()
