"""Disclosure control: nothing published below national level may identify anyone.

The rule follows NHS Digital's for mental health statistics, applied to every row below
national level before anything is written for publication:

* counts of people from 1 to 4 are suppressed, other counts are rounded to the nearest 5;
* a rate is suppressed when its numerator or denominator is below 5 (rates are computed from
  the unrounded counts) and published to one decimal place, intervals too;
* a value built on a number of people (a cost per job outcome, a mean wellbeing score, a
  caseload ratio) is suppressed when that number is below 5, and the number is rounded;
* wherever a suppressed cell could be recovered by subtraction, another cell of at least 5 is
  suppressed too. The sums protected: the categories of a breakdown, an area and its
  providers, the areas and the national total, a rolling 12 months and its four quarters, and
  rows of different indicators built from the same counts. Passes repeat until nothing changes;
* a suppressed row shows no comparison, rank, quartile, funnel limit or trend either: those are
  calculated from the value and would give it back;
* ratings and money totals are not counts of people and are published as they are. National
  figures are published exactly, unless every other area is zero, when the national figure would
  give the one suppressed area away and is suppressed too.

Functions here take and return plain rows (dicts), so the rule can be tested on its own.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .layout import periods

SMALL = 5  # counts 1..SMALL-1 are suppressed; rates need numerator and denominator >= SMALL
ROUND_TO = 5
RATE_DP = 1
NATIONAL = "ALL"
PEOPLE_UNITS = {"count", "percent"}  # indicators whose numerator and denominator count people
BASED_ON_PEOPLE = {"gbp", "ratio", "score"}  # values that may rest on a number of people
Row = dict[str, Any]
ROLLING = "12 months to "

RATE_FIELDS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")
DERIVED_FIELDS = (  # calculated from the value: blank whenever the value is suppressed
    "comparison_target",
    "comparison_all_areas",
    "quartile",
    "rank",
    "trend",
    "funnel_lower_95",
    "funnel_upper_95",
    "funnel_lower_998",
    "funnel_upper_998",
    "comparison_funnel",
    "value_label",
)
SECONDARY = "_secondary"  # internal marker (tests); the public flag is just "suppressed"
INTERNAL = ("_counts", SECONDARY)  # working columns, dropped before anything is published


def round5(n: float) -> int:
    """Round half up to the nearest 5 (2.5 -> 5, as published statistics do)."""
    return int(math.floor(n / ROUND_TO + 0.5) * ROUND_TO)


def is_small(n: float | None) -> bool:
    return n is not None and not (isinstance(n, float) and math.isnan(n)) and 0 < n < SMALL


def _blank(row: Row, fields: Iterable[str]) -> None:
    for f in fields:
        row[f] = None


def _flag(row: Row, *flags: str) -> None:
    have = set(filter(None, str(row.get("flags") or "").split(";")))
    row["flags"] = ";".join(sorted(have | set(flags)))


def _round_rate(row: Row) -> None:
    for f in RATE_FIELDS:
        v = row.get(f)
        if isinstance(v, float):
            row[f] = round(v, RATE_DP)


def suppress_row(row: Row) -> Row:
    """Primary suppression and rounding for one row (a copy)."""
    out = dict(row)
    _suppress(out)
    return out


def _suppress(out: Row) -> None:
    """Primary suppression and rounding, in place."""
    unit = out.get("unit")
    if unit == "percent":
        _round_rate(out)
    if out.get("area_code") == NATIONAL:
        return
    num, den = out.get("numerator"), out.get("denominator")
    if unit == "percent" and den is not None and ((num is not None and num < SMALL) or den < SMALL):
        _blank(out, RATE_FIELDS)
        _flag(out, "suppressed")
    elif unit == "count" and is_small(out.get("value")):
        out["value"] = None
        _flag(out, "suppressed")
    elif unit == "count" and out.get("value") is not None:
        out["value"] = round5(out["value"])
    elif unit in BASED_ON_PEOPLE and any(v is not None and v < SMALL for v in (num, den)):
        _blank(out, RATE_FIELDS)  # e.g. a cost per job outcome for 1 to 4 outcomes
        _flag(out, "suppressed")
    if unit in PEOPLE_UNITS or unit in BASED_ON_PEOPLE:
        for f in ("numerator", "denominator"):
            v = out.get(f)
            if is_small(v):
                out[f] = None
                _flag(out, "suppressed")
            elif v is not None:
                out[f] = round5(v)


def secondary_suppress(rows: list[Row], max_rounds: int = 30) -> list[Row]:
    """Suppress more cells wherever one suppressed cell could be recovered by subtraction (copies)."""
    out = [dict(r) for r in rows]
    _secondary(out, max_rounds)
    return out


def _secondary(out: list[Row], max_rounds: int = 30) -> None:
    """:func:`secondary_suppress`, in place."""
    sums = _sum_groups(out)
    twins = _twin_groups(out)
    # Round after round, every sum and every twin group is checked in a fixed order until a
    # round changes nothing. A check whose cells have not changed since it last ran cannot change
    # anything, so only checks holding a newly hidden cell are run: later in the same round if
    # they come after the change, in the next round otherwise. That is exactly what re-running
    # every check would do, in a fraction of the time at national scale. Hiding only ever adds
    # hidden cells, so the first round need only run the checks that can act now: a sum with
    # exactly one hidden cell, twins with any; the others run once a cell of theirs is hidden.
    members: dict[int, list[int]] = defaultdict(list)
    for i, (total, parts, _name) in enumerate(sums):
        for r in [*parts, *([total] if total is not None else [])]:
            members[id(r)].append(i)
    for j, group in enumerate(twins, start=len(sums)):
        for r in group:
            members[id(r)].append(j)
    pending = {i for i, (total, parts, field) in enumerate(sums) if _hidden_count(total, parts, field) == 1}
    pending.update(
        j for j, group in enumerate(twins, start=len(sums)) if any(_hidden(r, _field(r)) for r in group)
    )
    for _ in range(max_rounds):
        heap = sorted(pending)  # a sorted list is a valid heap
        queued, pending = set(heap), set()
        while heap:
            i = heapq.heappop(heap)
            log: list[Row] = []
            if i < len(sums):
                total, parts, field = sums[i]
                _protect(total, parts, field, log)
            else:
                _hide_together(twins[i - len(sums)], log)
            for j in {j for r in log for j in members[id(r)]}:
                if j > i and j not in queued:
                    heapq.heappush(heap, j)
                    queued.add(j)
                elif j <= i:
                    pending.add(j)
        if not pending:
            break


def _field(r: Row) -> str:
    return "numerator" if r.get("unit") == "percent" else "value"


def _sum_groups(rows: list[Row]) -> list[tuple[Row | None, list[Row], str]]:
    """(total row or None, part rows, field) for every sum a reader could subtract within."""
    people = [r for r in rows if r.get("unit") in PEOPLE_UNITS and r.get("breakdown_value") != "total"]
    out: list[tuple[Row | None, list[Row], str]] = []
    breakdowns: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in people:
        if r.get("area_code") != NATIONAL and r.get("breakdown"):
            breakdowns[
                (r.get("area_code"), r.get("provider_code"), r.get("period"), r.get("indicator_id"))
            ].append(r)
    out.extend((None, parts, _field(parts[0])) for parts in breakdowns.values())
    cell: dict[tuple[Any, ...], dict[tuple[Any, Any], Row]] = defaultdict(dict)  # (period, ind, cat) -> units
    for r in people:
        cell[(r.get("period"), r.get("indicator_id"), r.get("breakdown_value"))][
            (r.get("area_code"), r.get("provider_code") or "")
        ] = r
    fields_of = {"percent": ("numerator", "denominator"), "count": ("value",)}
    for units in cell.values():
        sample = next(iter(units.values()))
        fields = fields_of[str(sample.get("unit"))]
        providers_of: dict[Any, list[Row]] = defaultdict(list)  # one pass: areas x units was quadratic
        for (a, p), row in units.items():
            if a != NATIONAL and p:
                providers_of[a].append(row)
        for area, providers in providers_of.items():
            out.extend((units.get((area, "")), providers, f) for f in fields)
        area_rows = [row for (a, p), row in units.items() if a != NATIONAL and not p]
        if area_rows:
            out.extend((units.get((NATIONAL, "")), area_rows, f) for f in fields)
    out.extend(_rolling_groups(people, fields_of))
    return out


def _rolling_groups(
    people: list[Row], fields_of: dict[str, tuple[str, ...]]
) -> list[tuple[Row | None, list[Row], str]]:
    """A rolling 12 months is the sum of its four quarters."""
    quarters = periods("quarterly")
    series: dict[tuple[Any, ...], dict[str, Row]] = defaultdict(dict)
    for r in people:
        if r.get("area_code") != NATIONAL:
            series[
                (r.get("area_code"), r.get("provider_code"), r.get("indicator_id"), r.get("breakdown_value"))
            ][str(r.get("period"))] = r
    out: list[tuple[Row | None, list[Row], str]] = []
    for by_period in series.values():
        for period, total in by_period.items():
            if not period.startswith(ROLLING):
                continue
            end = quarters.index(period.removeprefix(ROLLING))
            parts = [by_period[q] for q in quarters[max(0, end - 3) : end + 1] if q in by_period]
            if parts:
                out.extend((total, parts, f) for f in fields_of[str(total.get("unit"))])
    return out


def _twin_groups(rows: list[Row]) -> list[list[Row]]:
    """Rows of different indicators built from the same counts (an intake breakdown and its
    comparison with the local population): what one hides, the other must hide too."""
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in rows:
        if r.get("_counts") and r.get("unit") in PEOPLE_UNITS and r.get("area_code") != NATIONAL:
            groups[(r.get("area_code"), r.get("provider_code"), r.get("period"), r["_counts"])].append(r)
    return [g for g in groups.values() if len(g) > 1]


def _hidden(r: Row, field: str) -> bool:
    return r.get(field) is None and "suppressed" in str(r.get("flags") or "")


def _hide(r: Row, field: str, log: list[Row] | None = None) -> None:
    if log is not None:
        log.append(r)
    r[field] = None
    if field in ("numerator", "denominator"):
        _blank(r, RATE_FIELDS)
    r[SECONDARY] = True
    _flag(r, "suppressed")


def _hide_together(group: list[Row], log: list[Row] | None = None) -> bool:
    if not any(_hidden(r, _field(r)) for r in group):
        return False
    changed = False
    for r in group:
        if r.get(_field(r)) is not None:
            _hide(r, _field(r), log)
            changed = True
    return changed


def _cells(total: Row | None, parts: list[Row]) -> list[Row]:
    """A sum's cells that could be hidden (a national total is published exactly)."""
    return parts + ([total] if total is not None and total.get("area_code") != NATIONAL else [])


def _hidden_count(total: Row | None, parts: list[Row], field: str) -> int:
    return sum(1 for r in _cells(total, parts) if _hidden(r, field))


def _protect(total: Row | None, parts: list[Row], field: str, log: list[Row] | None = None) -> bool:
    """If exactly one cell of the sum is hidden, hide the smallest other part of at least 5.

    A hidden zero protects nothing (a reader knows a second cell is 0 or at least 5), so the
    second cell is never a zero; with no such part, the total itself is hidden.
    """
    if _hidden_count(total, parts, field) != 1:
        return False
    candidates = [r for r in parts if r.get(field) is not None and r[field] >= SMALL]
    if candidates:
        _hide(min(candidates, key=lambda r: r[field]), field, log)
        return True
    if total is None and field == "numerator":
        # a breakdown's total is its denominator, shown on every category: hide it everywhere
        shown = [r for r in parts if r.get("denominator") is not None]
        for r in shown:
            _hide(r, "denominator", log)
        return bool(shown)
    if total is not None and total.get(field) is not None:
        # no part to hide: hide the total, even a national one (every other area is zero, so the
        # exact national figure would give the hidden area away)
        _hide(total, field, log)
        return True
    return False


def blank_derived(rows: list[Row]) -> list[Row]:
    """A suppressed value takes its comparisons, rank, quartile, funnel and trend with it."""
    for r in rows:
        if (
            r.get("area_code") != NATIONAL
            and "suppressed" in str(r.get("flags") or "")
            and r.get("value") is None
        ):
            _blank(r, DERIVED_FIELDS)
    return rows


def apply(rows: list[Row], *, in_place: bool = False) -> list[Row]:
    """The whole rule, in order: primary, secondary (to a fixed point), then derived columns.

    On copies of ``rows``, unless ``in_place`` (rows just calculated, which nothing else holds:
    copying a national section's rows twice took a tenth of its compute)."""
    out = rows if in_place else [dict(r) for r in rows]
    for r in out:
        _suppress(r)
    _secondary(out)
    return blank_derived(out)
