"""Disclosure control: nothing published below national level may identify anyone.

The rule follows NHS Digital's for mental health statistics, applied to every row below
national level before anything is written for publication:

* counts of people from 1 to 4 are suppressed, other counts are rounded to the nearest 5;
* a rate is suppressed when its numerator or denominator is below 5 (rates are computed
  from the unrounded counts, then published or not);
* secondary suppression: where one suppressed cell could be recovered from a published
  total and the other cells of the same breakdown (or from an area total and its other
  providers), the next smallest cell is suppressed too;
* ratings and money are not counts of people and are published as they are.

Functions here take and return plain rows (dicts), so the rule can be tested on its own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

SMALL = 5  # counts 1..SMALL-1 are suppressed; rates need numerator and denominator >= SMALL
ROUND_TO = 5
NATIONAL = "ALL"
PEOPLE_UNITS = {"count", "percent"}  # indicators whose numbers are counts of people
Row = dict[str, Any]


def round5(n: float) -> int:
    """Round half up to the nearest 5 (2.5 -> 5, as published statistics do)."""
    return int(math.floor(n / ROUND_TO + 0.5) * ROUND_TO)


def is_small(n: float | None) -> bool:
    return n is not None and not (isinstance(n, float) and math.isnan(n)) and 0 < n < SMALL


def _blank(row: Row, fields: Iterable[str]) -> None:
    for f in fields:
        row[f] = None


RATE_FIELDS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")


def suppress_row(row: Row) -> Row:
    """Primary suppression and rounding for one row (a copy), below national level only."""
    out = dict(row)
    if out.get("area_code") == NATIONAL or out.get("unit") not in PEOPLE_UNITS:
        return out
    flags = set(filter(None, str(out.get("flags") or "").split(";")))
    num, den = out.get("numerator"), out.get("denominator")
    if out["unit"] == "percent" and den is not None and ((num is not None and num < SMALL) or den < SMALL):
        _blank(out, RATE_FIELDS)
        flags.add("suppressed")
    if out["unit"] == "count" and is_small(out.get("value")):
        out["value"] = None
        flags.add("suppressed")
    elif out["unit"] == "count" and out.get("value") is not None:
        out["value"] = round5(out["value"])
    for f in ("numerator", "denominator"):
        v = out.get(f)
        if is_small(v):
            out[f] = None
            flags.add("suppressed")
        elif v is not None:
            out[f] = round5(v)
    out["flags"] = ";".join(sorted(flags))
    return out


def _group_key(row: Row) -> tuple[Any, ...]:
    return (row.get("area_code"), row.get("provider_code"), row.get("period"), row.get("indicator_id"))


def secondary_suppress(rows: list[Row], max_rounds: int = 20) -> list[Row]:
    """Suppress more cells wherever one suppressed cell could be recovered by subtraction.

    Three kinds of sum are protected: the categories of one breakdown (whose total is published
    as the denominator of each category), an area and its providers (the area's pooled count is
    their sum), and all areas with their national total. Protecting one sum can expose another
    (a cell hidden to protect the national total leaves that area's breakdown with a single
    hidden cell), so the passes repeat until nothing changes.
    """
    out = [dict(r) for r in rows]
    sums = _sum_groups(out)
    twins = _twin_groups(out)
    for _ in range(max_rounds):
        changed = False
        for total, parts in sums:
            field = "numerator" if parts[0].get("unit") == "percent" else "value"
            changed |= _protect(total, parts, field)
        for group in twins:
            changed |= _hide_together(group)
        if not changed:
            break
    return out


def _twin_groups(rows: list[Row]) -> list[list[Row]]:
    """Rows of different indicators built from the same counts (an intake breakdown and its
    comparison with the local population): what one hides, the other must hide too."""
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in rows:
        if r.get("_counts") and r.get("unit") in PEOPLE_UNITS and r.get("area_code") != NATIONAL:
            groups[(r.get("area_code"), r.get("provider_code"), r.get("period"), r["_counts"])].append(r)
    return [g for g in groups.values() if len(g) > 1]


def _hide_together(group: list[Row]) -> bool:
    def field(r: Row) -> str:
        return "numerator" if r.get("unit") == "percent" else "value"

    if not any(_suppressed(r, field(r)) for r in group):
        return False
    changed = False
    for r in group:
        if r.get(field(r)) is not None:
            r[field(r)] = None
            if field(r) == "numerator":
                _blank(r, RATE_FIELDS)
            flags = set(filter(None, str(r.get("flags") or "").split(";")))
            r["flags"] = ";".join(sorted(flags | {"suppressed", "secondary"}))
            changed = True
    return changed


def _sum_groups(rows: list[Row]) -> list[tuple[Row | None, list[Row]]]:
    """(total row or None, part rows) for every sum a reader could subtract within."""
    people = [r for r in rows if r.get("unit") in PEOPLE_UNITS]
    out: list[tuple[Row | None, list[Row]]] = []
    breakdowns: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in people:
        if r.get("area_code") != NATIONAL and r.get("breakdown") and r.get("breakdown_value") != "total":
            breakdowns[_group_key(r)].append(r)
    out.extend((None, parts) for parts in breakdowns.values())
    cell: dict[tuple[Any, ...], dict[tuple[Any, Any], Row]] = defaultdict(dict)  # (period, ind, cat)
    for r in people:
        key = (r.get("period"), r.get("indicator_id"), r.get("breakdown_value"))
        cell[key][(r.get("area_code"), r.get("provider_code") or "")] = r
    for units in cell.values():
        areas = {a for a, p in units if a != NATIONAL}
        for area in areas:
            providers = [row for (a, p), row in units.items() if a == area and p]
            if providers:
                out.append((units.get((area, "")), providers))
        area_rows = [row for (a, p), row in units.items() if a != NATIONAL and not p]
        if area_rows:
            out.append((units.get((NATIONAL, "")), area_rows))
    return out


def _suppressed(r: Row, field: str) -> bool:
    return r.get(field) is None and "suppressed" in str(r.get("flags") or "")


def _protect(total: Row | None, parts: list[Row], field: str) -> bool:
    """If exactly one cell of the sum (total or part) is hidden, hide the smallest shown part."""
    cells = parts + ([total] if total is not None and total.get("area_code") != NATIONAL else [])
    hidden = [r for r in cells if _suppressed(r, field)]
    if len(hidden) != 1:
        return False  # none to protect, or two or more already (no single cell can be recovered)
    shown = [r for r in parts if r.get(field) is not None]
    if not shown:
        return False
    victim = min(shown, key=lambda r: r[field])
    victim[field] = None
    if field == "numerator":
        _blank(victim, RATE_FIELDS)
    flags = set(filter(None, str(victim.get("flags") or "").split(";")))
    victim["flags"] = ";".join(sorted(flags | {"suppressed", "secondary"}))
    return True


def apply(rows: list[Row]) -> list[Row]:
    """The whole rule, in order: primary suppression and rounding, then secondary suppression."""
    return secondary_suppress([suppress_row(r) for r in rows])
