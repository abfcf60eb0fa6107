"""Which period is the latest, and which published figures are provisional: a 12-month
window or year still holding quarters to come.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from generator.base.tables import Table


def _period_end(row: Mapping[str, Any]) -> str:
    """The quarter or year a row's period ends in (a rolling year ends in its last quarter)."""
    return ends_in(row.get("period", ""))


def ends_in(period: Any) -> str:
    return str(period).removeprefix("12 months to ")


def _in_latest_period(rows: Sequence[Mapping[str, Any]]) -> list[bool]:
    """For each row: is it in its section's latest period (or the rolling year ending there)?"""
    latest: dict[str, str] = {}
    for r in rows:
        section = str(r.get("section", ""))
        latest[section] = max(latest.get(section, ""), _period_end(r))
    return [_period_end(r) == latest[str(r.get("section", ""))] for r in rows]


def flag_provisional(rows: list[dict[str, Any]], latest: Mapping[str, str]) -> None:
    """:func:`flag_provisional_table` on rows, in place."""
    table = {k: [r[k] for r in rows] for k in ("period", "section", "flags")}
    flag_provisional_table(table, latest)
    for r, flags in zip(rows, table["flags"], strict=True):
        r["flags"] = flags


def flag_provisional_table(table: Table, latest: Mapping[str, str]) -> None:
    """The latest period of each section (``latest``, from :func:`latest_periods`) is
    provisional: returns for it may still be resubmitted."""
    flags = table["flags"]
    for i, (period, section) in enumerate(zip(table["period"], table["section"], strict=True)):
        if ends_in(period) == latest.get(str(section)):
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
