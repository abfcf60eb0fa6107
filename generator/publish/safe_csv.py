"""Published rows as CSV text, safe to open in a spreadsheet program: text that a
spreadsheet would run as a formula is made literal.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.base.names import (
    cell_text,  # one list (names.FORMULA_START): refused on the way in, made literal on the way out
)
from generator.base.tables import Table
from generator.calc.columns import COLUMNS, NUMERIC_COLUMNS


def neutralise(value: Any) -> Any:
    """Make text safe to open in a spreadsheet: a leading formula character becomes literal,
    and hidden characters (controls, NUL, bidirectional overrides) are escaped."""
    return cell_text(value) if isinstance(value, str) else value


def _formula_like(value: Any) -> bool:
    """Text that :func:`neutralise` changes."""
    return isinstance(value, str) and cell_text(value) != value


def write_csv(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], path: Path, numeric: frozenset[str]
) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(columns)
        _write_rows(rows, columns, f, numeric)


def csv_block(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Published ``rows`` as lines of indicators.csv (no header), zlib-compressed (level 1:
    quick, and a national table shrinks from half a gigabyte to a few tens of megabytes)."""
    return _compressed_lines([[r.get(c) for r in rows] for c in COLUMNS])


def csv_block_of(table: Table, start: int, end: int) -> bytes:
    """:func:`csv_block` of the table's rows ``start`` to ``end``."""
    return _compressed_lines([table[c][start:end] for c in COLUMNS])


def _compressed_lines(values: Sequence[Sequence[Any]]) -> bytes:
    f = io.StringIO()
    _write_columns(COLUMNS, values, f, NUMERIC_COLUMNS)
    return zlib.compress(f.getvalue().encode("utf-8"), 1)


def _write_rows(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], f: Any, numeric: frozenset[str]
) -> None:
    _write_columns(columns, [[r.get(c) for r in rows] for c in columns], f, numeric)


def _write_columns(
    columns: Sequence[str], values: Sequence[Sequence[Any]], f: Any, numeric: frozenset[str]
) -> None:
    """CSV lines from each column's values (``values[i]`` are column i's; csv.writer writes None
    as an empty field), text neutralised. Text values repeat (titles, methods, verdicts), so
    each text column's distinct values are checked, not its cells: when none starts like a
    formula, as always in practice, every row goes to the C writer untouched."""
    out = list(values)
    for i, c in enumerate(columns):
        if c not in numeric and any(map(_formula_like, set(out[i]))):
            out[i] = list(map(neutralise, out[i]))
    csv.writer(f, lineterminator="\n").writerows(zip(*out, strict=True))
