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

The rule runs on a table (column -> values, as :func:`generator.indicators.calculate_table`
gives it), rows named by their position: a national part holds a quarter of a million rows,
and looking each value up in a dict of its row was most of the rule's time. :func:`apply` and
:func:`suppress_row` take and give plain rows (dicts), so the rule can be tested on its own.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import stats
from .layout import periods
from .tables import Table, from_rows, to_rows

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
# the columns the rule reads or writes; a table without some of them has them as blanks
NEEDED = (
    "area_code",
    "provider_code",
    "period",
    "indicator_id",
    "breakdown",
    "breakdown_value",
    "unit",
    "numerator",
    "denominator",
    *RATE_FIELDS,
    "flags",
    *DERIVED_FIELDS,
    "_counts",
    SECONDARY,
)
FIELDS_OF = {"percent": ("numerator", "denominator"), "count": ("value",)}


def round5(n: float) -> int:
    """Round half up to the nearest 5 (2.5 -> 5, as published statistics do)."""
    return int(math.floor(n / ROUND_TO + 0.5) * ROUND_TO)


def is_small(n: float | None) -> bool:
    return n is not None and not (isinstance(n, float) and math.isnan(n)) and 0 < n < SMALL


def _with_suppressed(flags: Any) -> str:
    """A row's flags with "suppressed" among them (sorted, each once)."""
    return _suppressed_text(str(flags or ""))


@functools.cache  # the same few strings, millions of times
def _suppressed_text(flags: str) -> str:
    return ";".join(sorted(set(filter(None, flags.split(";"))) | {"suppressed"}))


def suppress_row(row: Row) -> Row:
    """Primary suppression and rounding for one row (a copy)."""
    t = from_rows([row], NEEDED)
    _primary(t)
    return to_rows(t)[0]


def apply(rows: Sequence[Row]) -> list[Row]:
    """The whole rule (:func:`apply_table`) on copies of ``rows``."""
    t = from_rows(rows, NEEDED)
    apply_table(t)
    return to_rows(t)


def apply_table(t: Table) -> None:
    """The whole rule, in order, in place: primary, secondary (to a fixed point), then derived
    columns. Columns the rule needs and the table lacks are added, blank."""
    n = len(next(iter(t.values()), []))
    for k in NEEDED:
        t.setdefault(k, [None] * n)
    _primary(t)
    _Secondary(t).run()
    _blank_derived(t)


# -- primary suppression and rounding ---------------------------------------------------------
def _primary(t: Table) -> None:
    """Rates to one decimal place (national ones too); below national level, small counts and
    the rates and values built on them suppressed, other counts rounded to 5."""
    unit, area = t["unit"], t["area_code"]
    n = len(unit)
    percent = [i for i in range(n) if unit[i] == "percent"]
    for f in RATE_FIELDS:
        col = t[f]
        floats = [i for i in percent if type(col[i]) is float]
        for i, v in zip(floats, stats.rounded([col[i] for i in floats], RATE_DP), strict=True):
            col[i] = v
        # a float of another kind (numpy's, say) keeps its kind, as round() does; looked for by
        # the kinds of value in the column, not row by row, as a table from calculate() has none
        if any(issubclass(kind, float) and kind is not float for kind in set(map(type, col))):
            for i in percent:
                if isinstance(col[i], float) and type(col[i]) is not float:
                    col[i] = round(col[i], RATE_DP)
    num_c, den_c, val_c, flags = t["numerator"], t["denominator"], t["value"], t["flags"]
    rates = [t[f] for f in RATE_FIELDS]
    for i in range(n):
        u = unit[i]
        if area[i] == NATIONAL or (u not in PEOPLE_UNITS and u not in BASED_ON_PEOPLE):
            continue
        num, den = num_c[i], den_c[i]
        hide = False
        if u == "percent":
            if den is not None and ((num is not None and num < SMALL) or den < SMALL):
                for col in rates:
                    col[i] = None
                hide = True
        elif u == "count":
            v = val_c[i]
            if is_small(v):
                val_c[i] = None
                hide = True
            elif v is not None:
                val_c[i] = round5(v)
        elif (num is not None and num < SMALL) or (den is not None and den < SMALL):
            for col in rates:  # e.g. a cost per job outcome for 1 to 4 outcomes
                col[i] = None
            hide = True
        if is_small(num):
            num_c[i] = None
            hide = True
        elif num is not None:
            num_c[i] = round5(num)
        if is_small(den):
            den_c[i] = None
            hide = True
        elif den is not None:
            den_c[i] = round5(den)
        if hide:
            flags[i] = _with_suppressed(flags[i])


# -- secondary suppression ----------------------------------------------------------------------
class _Secondary:
    """Suppress more cells wherever one suppressed cell could be recovered by subtraction.

    The checks are the sums a reader could subtract within (a total row or none, its part
    rows, the field they add up in) and the twin groups (rows of different indicators built
    from the same counts, which hide together), numbered in a fixed order. Round after round,
    the checks are run in that order until a round changes nothing. A check whose cells have
    not changed since it last ran cannot change anything, so only checks holding a newly hidden
    cell are run: later in the same round if they come after the change, in the next round
    otherwise. That is exactly what re-running every check would do, in a fraction of the time
    at national scale. Hiding only ever adds hidden cells, so the first round need only run the
    checks that can act now: a sum with exactly one hidden cell, twins with any.
    """

    def __init__(self, t: Table) -> None:
        self.t = t
        n = len(t["unit"])
        self.unit = t["unit"]
        self.national = [a == NATIONAL for a in t["area_code"]]
        self.suppressed = ["suppressed" in str(f or "") for f in t["flags"]]
        self.totals: list[int] = []  # -1: no total row
        self.parts: list[list[int]] = []
        self.fields: list[str] = []
        self._sum_groups()
        self.n_sums = len(self.parts)
        self.twins = self._twin_groups()
        # which checks hold each row (as a part, a total or a twin), by row: every check's rows
        # laid end to end beside the check's number, then sorted by row (numpy: millions of cells)
        groups = [*self.parts, *self.twins]
        rows = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64)
        owner = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
        with_total = np.array([g for g, total in enumerate(self.totals) if total >= 0], dtype=np.int64)
        rows = np.concatenate([rows, np.array(self.totals, dtype=np.int64)[with_total]])
        owner = np.concatenate([owner, with_total])
        order = np.argsort(rows, kind="stable")
        self._owner = owner[order]
        self._start = np.searchsorted(rows[order], np.arange(n + 1)).tolist()

    def _field(self, r: int) -> str:
        return "numerator" if self.unit[r] == "percent" else "value"

    def _hidden(self, r: int, field: str) -> bool:
        return self.suppressed[r] and self.t[field][r] is None

    def _add(self, total: int | None, parts: list[int], field: str) -> None:
        self.totals.append(-1 if total is None else total)
        self.parts.append(parts)
        self.fields.append(field)

    def _sum_groups(self) -> None:
        """Every sum a reader could subtract within, in a fixed order: the categories of each
        breakdown, then per period, indicator and category the providers of each area and the
        areas of the nation, then each rolling 12 months and its quarters."""
        t, unit, national = self.t, self.unit, self.national
        area, prov, period = t["area_code"], t["provider_code"], t["period"]
        ind, bd, bv = t["indicator_id"], t["breakdown"], t["breakdown_value"]
        people = [i for i in range(len(unit)) if unit[i] in PEOPLE_UNITS and bv[i] != "total"]
        breakdowns: dict[tuple[Any, ...], list[int]] = {}
        for i in people:
            if not national[i] and bd[i]:
                breakdowns.setdefault((area[i], prov[i], period[i], ind[i]), []).append(i)
        for parts in breakdowns.values():
            self._add(None, parts, self._field(parts[0]))
        cells: dict[tuple[Any, ...], dict[tuple[Any, Any], int]] = {}  # (period, ind, cat) -> units
        for i in people:
            cells.setdefault((period[i], ind[i], bv[i]), {})[(area[i], prov[i] or "")] = i
        for units in cells.values():
            fields = FIELDS_OF[str(unit[next(iter(units.values()))])]
            providers_of: dict[Any, list[int]] = {}  # one pass: areas x units was quadratic
            for (a, p), r in units.items():
                if a != NATIONAL and p:
                    providers_of.setdefault(a, []).append(r)
            for a, providers in providers_of.items():
                for f in fields:
                    self._add(units.get((a, "")), providers, f)
            area_rows = [r for (a, p), r in units.items() if a != NATIONAL and not p]
            if area_rows:
                for f in fields:
                    self._add(units.get((NATIONAL, "")), area_rows, f)
        # a rolling 12 months is the sum of its four quarters
        quarters = periods("quarterly")
        series: dict[tuple[Any, ...], dict[str, int]] = {}
        for i in people:
            if not national[i]:
                series.setdefault((area[i], prov[i], ind[i], bv[i]), {})[str(period[i])] = i
        for by_period in series.values():
            for p, total in by_period.items():
                if not p.startswith(ROLLING):
                    continue
                end = quarters.index(p.removeprefix(ROLLING))
                parts = [by_period[q] for q in quarters[max(0, end - 3) : end + 1] if q in by_period]
                if parts:
                    for f in FIELDS_OF[str(unit[total])]:
                        self._add(total, parts, f)

    def _twin_groups(self) -> list[list[int]]:
        """Rows of different indicators built from the same counts (an intake breakdown and its
        comparison with the local population): what one hides, the other must hide too."""
        t = self.t
        area, prov, period, counts = t["area_code"], t["provider_code"], t["period"], t["_counts"]
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, u in enumerate(self.unit):
            if counts[i] and u in PEOPLE_UNITS and not self.national[i]:
                groups.setdefault((area[i], prov[i], period[i], counts[i]), []).append(i)
        return [g for g in groups.values() if len(g) > 1]

    def members(self, r: int) -> list[int]:
        """The checks that hold row ``r``."""
        owners: list[int] = self._owner[self._start[r] : self._start[r + 1]].tolist()
        return owners

    def _hidden_count(self, g: int) -> int:
        """How many of a sum's cells are hidden: its parts, and its total unless that is
        national (published exactly). Written out: it runs for every check that might act."""
        col, suppressed = self.t[self.fields[g]], self.suppressed
        n = 0
        for r in self.parts[g]:
            if col[r] is None and suppressed[r]:
                n += 1
        total = self.totals[g]
        if total >= 0 and not self.national[total] and col[total] is None and suppressed[total]:
            n += 1
        return n

    def _hide(self, r: int, field: str, log: list[int]) -> None:
        log.append(r)
        t = self.t
        t[field][r] = None
        if field in ("numerator", "denominator"):
            for f in RATE_FIELDS:
                t[f][r] = None
        t[SECONDARY][r] = True
        t["flags"][r] = _with_suppressed(t["flags"][r])
        self.suppressed[r] = True

    def _protect(self, g: int, log: list[int]) -> None:
        """A sum with exactly one hidden cell (:meth:`_can_act`): hide the smallest other part of
        at least 5.

        A hidden zero protects nothing (a reader knows a second cell is 0 or at least 5), so the
        second cell is never a zero; with no such part, the total itself is hidden.
        """
        field, parts, total = self.fields[g], self.parts[g], self.totals[g]
        col = self.t[field]
        candidates = [r for r in parts if col[r] is not None and col[r] >= SMALL]
        if candidates:
            self._hide(min(candidates, key=col.__getitem__), field, log)
            return
        if total < 0 and field == "numerator":
            # a breakdown's total is its denominator, shown on every category: hide it everywhere
            den = self.t["denominator"]
            for r in [r for r in parts if den[r] is not None]:
                self._hide(r, "denominator", log)
            return
        if total >= 0 and col[total] is not None:
            # no part to hide: hide the total, even a national one (every other area is zero, so the
            # exact national figure would give the hidden area away)
            self._hide(total, field, log)

    def _hide_together(self, group: list[int], log: list[int]) -> None:
        """Twins one of which is hidden (:meth:`_can_act`): hide the others too."""
        for r in group:
            field = self._field(r)
            if self.t[field][r] is not None:
                self._hide(r, field, log)

    def _can_act(self, g: int) -> bool:
        """Can the check act: a sum with exactly one hidden cell, twins with any."""
        if g < self.n_sums:
            return self._hidden_count(g) == 1
        return any(self._hidden(r, self._field(r)) for r in self.twins[g - self.n_sums])

    def run(self, max_rounds: int = 30) -> None:
        # the checks that can act now hold a hidden cell, and a hidden cell is a suppressed row's
        first = {g for r, hidden in enumerate(self.suppressed) if hidden for g in self.members(r)}
        pending = {g for g in first if self._can_act(g)}
        for _ in range(max_rounds):
            heap = sorted(pending)  # a sorted list is a valid heap
            queued, pending = set(heap), set()
            while heap:
                i = heapq.heappop(heap)
                if not self._can_act(i):
                    continue
                log: list[int] = []
                if i < self.n_sums:
                    self._protect(i, log)
                else:
                    self._hide_together(self.twins[i - self.n_sums], log)
                for j in {j for r in log for j in self.members(r)}:
                    if j > i and j not in queued:
                        heapq.heappush(heap, j)
                        queued.add(j)
                    elif j <= i:
                        pending.add(j)
            if not pending:
                break


def _blank_derived(t: Table) -> None:
    """A suppressed value takes its comparisons, rank, quartile, funnel and trend with it."""
    area, flags, value = t["area_code"], t["flags"], t["value"]
    gone = [
        i
        for i in range(len(value))
        if value[i] is None and area[i] != NATIONAL and "suppressed" in str(flags[i] or "")
    ]
    for f in DERIVED_FIELDS:
        col = t[f]
        for i in gone:
            col[i] = None
