"""Tables: a column name -> its values, every column as long as the others.

A national part of the published table is a quarter of a million rows. Kept as columns, an
indicator's rows are worked out together (numpy arrays where the arithmetic allows), rows are
named by their position, and lists cross between processes several times faster than a dict
per row; rows (dicts) are made only where something needs them.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Table = dict[str, list[Any]]


def from_rows(rows: Sequence[Mapping[str, Any]], columns: Iterable[str] = ()) -> Table:
    """Rows as a table: every key any row has, in order of first appearance, then ``columns``
    (a missing value is None)."""
    keys = dict.fromkeys(k for r in rows for k in r)
    keys.update(dict.fromkeys(columns))
    return {k: [r.get(k) for r in rows] for k in keys}


def to_rows(table: Table) -> list[dict[str, Any]]:
    """A table as rows (dicts in the table's column order)."""
    keys = tuple(table)
    return [dict(zip(keys, values, strict=True)) for values in zip(*table.values(), strict=True)]


def take(table: Table, rows: Sequence[int]) -> Table:
    """The table's rows at ``rows``, in that order."""
    if len(rows) == 1:
        return {k: [col[rows[0]]] for k, col in table.items()}
    if not rows:
        return {k: [] for k in table}
    pick = operator.itemgetter(*rows)
    return {k: list(pick(col)) for k, col in table.items()}
