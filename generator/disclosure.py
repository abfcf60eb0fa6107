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


def secondary_suppress(rows: list[Row]) -> list[Row]:
    """Suppress a second cell wherever one suppressed cell could be recovered by subtraction.

    Three kinds of sum are protected: the categories of one breakdown (whose total is published
    as the denominator of each category), the providers of one area (whose pooled counts are
    published on the area row), and the areas of the country (whose pooled counts are published
    on the national row).
    """
    out = [dict(r) for r in rows]
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in out:
        if r.get("area_code") != NATIONAL and r.get("unit") in PEOPLE_UNITS and r.get("breakdown"):
            groups[_group_key(r)].append(r)
    for members in groups.values():
        _protect(members, "numerator" if members[0].get("unit") == "percent" else "value")
    by_area: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in out:
        if r.get("area_code") != NATIONAL and r.get("provider_code") and r.get("unit") in PEOPLE_UNITS:
            by_area[
                (r.get("area_code"), r.get("period"), r.get("indicator_id"), r.get("breakdown_value"))
            ].append(r)
    nation: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in out:
        if r.get("area_code") != NATIONAL and not r.get("provider_code") and r.get("unit") in PEOPLE_UNITS:
            nation[(r.get("period"), r.get("indicator_id"), r.get("breakdown_value"))].append(r)
    for members in [*by_area.values(), *nation.values()]:
        if len(members) > 1:
            _protect(members, "numerator" if members[0].get("unit") == "percent" else "value")
    return out


def _suppressed(r: Row, field: str) -> bool:
    return "suppressed" in str(r.get("flags") or "") and r.get(field) is None


def _protect(members: list[Row], field: str) -> None:
    hidden = [r for r in members if _suppressed(r, field)]
    if len(hidden) != 1:
        return  # none to protect, or already two or more (no single cell can be recovered)
    shown = [r for r in members if not _suppressed(r, field) and r.get(field) is not None]
    if not shown:
        return
    victim = min(shown, key=lambda r: r[field])
    victim[field] = None
    if field == "numerator":
        _blank(victim, RATE_FIELDS)
    flags = set(filter(None, str(victim.get("flags") or "").split(";")))
    victim["flags"] = ";".join(sorted(flags | {"suppressed", "secondary"}))


def apply(rows: list[Row]) -> list[Row]:
    """The whole rule, in order: primary suppression and rounding, then secondary suppression."""
    return secondary_suppress([suppress_row(r) for r in rows])
