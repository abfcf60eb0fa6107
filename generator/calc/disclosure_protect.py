"""The publication rule applied: every count below national level published, rounded or
suppressed, so that no combination of published figures narrows a count of people below the
rule's minimum; national figures exact unless they would reveal an area.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from generator.calc.disclosure import (
    INF,
    MIN_SHOWN,
    MIN_VALUES,
    NATIONAL,
    ROUNDED,
    WITHHELD,
    WITHHELD_COUNT,
    Count,
    exact,
    granularity,
    published,
    quarters_of,
)
from generator.calc.disclosure_arithmetic import Counts, largest, narrowed, plus, withhold_narrowed
from generator.calc.disclosure_structure import Cell, Structure, structure
from generator.catalogue.sections import Catalogue
from generator.workbook.layout import periods

if TYPE_CHECKING:
    from generator.calc.pooling import Bag


# -- the whole rule on a section's bags --------------------------------------------------------
def protect(
    bags: Sequence[Bag], catalogue: Catalogue, section: str, keys: Iterable[str], unprotected: bool = False
) -> None:
    """Rules 1 to 4 on a section's bags (every unit and period), in place: each bag gets its
    published :class:`Counts` and whether it is published below national level at all
    (:meth:`Bag.publish`: 'all', 'stock' for a quarter's stocks only, or '' for nothing).
    ``keys``: the input keys pooled; whole families of them (:meth:`Structure.closure`).

    ``unprotected``: rule 1 only, every count exact: the same table with the true counts, which
    the tests and the benchmark score the attacker against (never published)."""
    st = structure(catalogue, section)
    pooled = set(keys)
    cells = [c for c in sorted(st.cells) if set(c) <= pooled]
    people = frozenset(k for c in st.cells for k in c)
    stock_cells = [c for c in cells if c in st.stock]
    quarterly = catalogue.sections[section].frequency == "quarterly"
    whole = _wholes(st)
    by_unit_period = {(b.area_code, b.provider_code, b.period): b for b in bags}
    providers: dict[tuple[str, str], list[Bag]] = defaultdict(list)
    for b in bags:
        if b.provider_code:
            providers[(b.area_code, b.period)].append(b)
    kinds = {id(b): granularity(b, quarterly) for b in bags}
    if unprotected:
        for b in bags:
            b.set_base({cell: exact(v) for cell in cells if (v := _exact(b, cell, st)) is not None})
            b.publish(kinds[id(b)], Counts(b.base, whole, people))
        return
    # the finest units are rounded: an area with one provider (or a commissioner's area), else
    # each provider, and the area is then the sum of its providers' published counts (rule 2)
    finest: list[Bag] = []
    summed: list[tuple[Bag, list[Cell], list[Bag]]] = []  # areas that are their providers added up
    flows = [c for c in cells if c not in st.stock]

    def wanted_in(b: Bag) -> list[Cell]:
        # a rolling year's stocks are its quarters' published stocks added up (_stock_window),
        # not rounded on their own: a year rounded apart from its quarters would pin them down
        if kinds[id(b)] != "all":
            return stock_cells
        return flows if quarterly and b.rolling else cells

    for b in bags:
        if b.provider_code or b.area_code == NATIONAL:
            continue
        ps = providers.get((b.area_code, b.period), [])
        wanted = wanted_in(b)
        if len(ps) <= 1:
            b.set_base(_rounded(b, wanted, st))
            for p in ps:
                p.set_base(b.base)
            finest.append(b)
            continue
        for p in ps:
            p.set_base(_rounded(p, wanted_in(p), st))
            finest.append(p)
        summed.append((b, wanted, ps))
        b.set_parts(ps)  # its means, too, are made from its providers' published ones
    if quarterly:
        _audit_years(finest, [c for c in cells if c not in st.stock], st)
    for b, wanted, ps in summed:
        b.set_base(
            {
                cell: c
                for cell in wanted
                if (c := (largest if cell in st.largest else plus)([p.base.get(cell) for p in ps]))
                is not None
            }
        )
    _national(bags, finest, cells, st)
    for b in bags:
        window = None
        if quarterly and b.rolling and stock_cells and b.area_code != NATIONAL:
            window = _stock_window(b, by_unit_period, frozenset(stock_cells))
        b.publish(kinds[id(b)], Counts(b.base, whole, people, window))


def _audit_years(units: Sequence[Bag], cells: Sequence[Cell], st: Structure) -> None:
    """Rule 3 across time: a unit's rolling years overlap, so together they say more of each
    year, and of each quarter in them, than any one does (of three years in a row, the middle
    one is at most the other two added up: 4, 8 and 4 leave no room at all). For each unit and
    count, the years' published ranges, with quarters that are never negative and are none where
    no return came, are a system of differences between running totals: the shortest paths of
    its graph give exactly how far each year and each quarter can range (Floyd-Warshall, for
    every unit's series at once). A year that can be narrowed below 3 values is withheld, or,
    for a quarter, the narrowest year holding it, until nothing can be."""
    places = {q: i for i, q in enumerate(periods("quarterly"))}
    series: dict[tuple[str, str], dict[int, Bag]] = defaultdict(dict)
    sent: dict[tuple[str, str], set[int]] = defaultdict(set)
    for u in units:
        unit = (u.area_code, u.provider_code)
        if u.rolling:
            if u.complete and u.base:
                series[unit][places[u.period.removeprefix("12 months to ")]] = u
        elif u.period in places and u.returns:
            sent[unit].add(places[u.period])
    for unit, years in series.items():
        if not years:
            continue
        start, end = min(years) - 3, max(years)
        for cell in cells:
            if not any(cell in y.base for y in years.values()):
                continue
            for _ in range(len(years) + 1):
                bounds = {e: _effective(y.base, cell, st) for e, y in years.items()}
                worst = _narrowest(bounds, start, end, sent[unit], years, cell, st)
                if worst is None:
                    break
                years[worst].base[cell] = WITHHELD_COUNT


def _effective(base: Mapping[Cell, Count], cell: Cell, st: Structure) -> tuple[float, float]:
    """What a reader can tell of a count in one unit and period: its published range, or for a
    withheld one what its total less the rest of its breakdown leaves."""
    c = base.get(cell)
    if c is None:
        return 0.0, INF
    if c.state != WITHHELD:
        return c.lo, c.hi
    for total, breakdowns in st.groups:
        for parts in breakdowns:
            if cell in parts and total in base and base[total].state != WITHHELD:
                t = base[total]
                others = [base.get(p, exact(0.0)) for p in parts if p != cell]
                lo = max(0.0, t.lo - sum(o.hi for o in others))
                return lo, t.hi - sum(o.lo for o in others)
    return 0.0, INF


def _differences(
    bounds: Mapping[int, tuple[float, float]], start: int, end: int, sent: Collection[int]
) -> np.ndarray:
    """The tightest bounds on differences of running totals that a unit's years imply: entry
    [a, b] is the most that quarters a+1..b can add up to (so -[b, a] is the least), from the
    years' ranges (``bounds``, by the place of each year's last quarter), with no quarter
    negative and none in a quarter not in ``sent``. Shortest paths (Floyd-Warshall) of the
    difference constraints, which is exact for them."""
    n = end - start + 2  # running totals before the first quarter, then after each
    d = np.full((n, n), 1e18)
    np.fill_diagonal(d, 0.0)

    def edge(a: int, b: int, w: float) -> None:  # P[b] - P[a] <= w
        if w < d[a, b]:
            d[a, b] = w

    for q in range(start, end + 1):
        i = q - start + 1
        edge(i, i - 1, 0.0)  # no quarter is negative
        if q not in sent:
            edge(i - 1, i, 0.0)  # no return that quarter: none
    for e, (lo, hi) in bounds.items():
        a, b = e - 4 - start + 1, e - start + 1
        if hi < INF:
            edge(a, b, hi)
        edge(b, a, -lo)
    for k in range(n):
        d = np.minimum(d, d[:, k : k + 1] + d[k : k + 1, :])
    return d


def _narrowest(
    bounds: Mapping[int, tuple[float, float]],
    start: int,
    end: int,
    sent: Collection[int],
    years: Mapping[int, Bag],
    cell: Cell,
    st: Structure,
) -> int | None:
    """The year to withhold, or None if no year or quarter of the series can be narrowed below
    3 values (and has a count above 0 to give away)."""
    d = _differences(bounds, start, end, sent)
    narrow_years = []
    for e, y in years.items():
        c = y.base.get(cell)
        if c is None or c.state == WITHHELD or c.point == 0:
            continue
        a, b = e - 4 - start + 1, e - start + 1
        if d[a, b] + d[b, a] + 1 < MIN_VALUES and d[a, b] > 0:
            narrow_years.append(e)
    if narrow_years:  # the widest of them first: it says the most
        return max(narrow_years, key=lambda e: (bounds[e][1] - bounds[e][0], e))
    for q in range(start, end + 1):
        i = q - start + 1
        if d[i - 1, i] + d[i, i - 1] + 1 < MIN_VALUES and d[i - 1, i] > 0:
            holding = [
                e
                for e in years
                if e - 3 <= q <= e and years[e].base.get(cell, WITHHELD_COUNT).state != WITHHELD
            ]
            if holding:
                return min(holding, key=lambda e: (bounds[e][1] - bounds[e][0], e))
    return None


def _rounded(b: Bag, cells: Sequence[Cell], st: Structure) -> dict[Cell, Count]:
    """Rules 2 and 3 for one unit and period."""
    base = {cell: published(v) for cell in cells if (v := _exact(b, cell, st)) is not None}
    _audit(base, st)
    return base


def _exact(b: Bag, cell: Cell, st: Structure) -> float | None:
    """The true count: the sum of the returns' values (the largest, for a maximum)."""
    xs = [v for k in cell for v in b.values.get(k, ()) if isinstance(v, (int, float))]
    if not xs:
        return None
    return float(max(xs)) if cell in st.largest else float(sum(xs))


def _wholes(st: Structure) -> dict[frozenset[str], Cell]:
    out: dict[frozenset[str], Cell] = {}
    for total, breakdowns in st.groups:
        for parts in breakdowns:
            out[frozenset(k for cell in parts for k in cell)] = total
    return out


def _audit(base: dict[Cell, Count], st: Structure) -> None:
    """Rule 3 within one unit and period: each total against its breakdowns."""
    for total, breakdowns in st.groups:
        t = base.get(total)
        if t is None:
            continue
        counts = [[base.get(cell, exact(0.0)) for cell in parts] for parts in breakdowns]
        for b in withhold_narrowed(t, counts):
            for cell, c in zip(breakdowns[b], counts[b], strict=True):
                base[cell] = c


def _national(bags: Sequence[Bag], finest: Sequence[Bag], cells: Sequence[Cell], st: Structure) -> None:
    """Rule 4: national counts exact, but withheld where they would narrow the count of one of
    the units they add up (the finest published: a provider, or an area with one): where one
    unit makes up all of it, or where the national figure less the others' published ranges
    leaves a unit's count fewer than 3 values. Withheld with them is whatever would give them
    back, national figures being exact: the rest of their breakdown (the total less the others),
    the parts of a withheld total, and every rolling year holding a withheld quarter (the year
    less its other quarters)."""
    contributors: dict[tuple[str, Cell], list[Bag]] = defaultdict(list)  # the units with any
    windows: dict[tuple[str, str], dict[str, Bag]] = defaultdict(dict)  # unit -> its rolling years
    for b in finest:
        if b.rolling:
            windows[(b.area_code, b.provider_code)][b.period] = b
        for cell in cells:
            if _exact(b, cell, st):
                contributors[(b.period, cell)].append(b)
    nations = sorted((b for b in bags if b.area_code == NATIONAL), key=lambda b: b.rolling)  # quarters first
    zeros: dict[Cell, set[str]] = defaultdict(set)  # quarters nobody had any of: every unit's is 0
    for b in nations:
        for cell in cells:
            if not b.rolling and _exact(b, cell, st) == 0:
                zeros[cell].add(b.period)
    sent: dict[tuple[str, str], set[int]] = defaultdict(set)
    for b in finest:
        if not b.rolling and b.period in _QUARTER_PLACE and b.returns:
            sent[(b.area_code, b.provider_code)].add(_QUARTER_PLACE[b.period])
    ranges: dict[tuple[str, str, Cell], dict[int, tuple[float, float]]] = {}

    def quarter_range(u: Bag, cell: Cell, place: int) -> tuple[float, float]:
        unit = (u.area_code, u.provider_code)
        key = (*unit, cell)
        if key not in ranges:
            none = {_QUARTER_PLACE[q] for q in zeros[cell]}
            ranges[key] = _quarter_ranges(windows[unit], sent[unit] - none, cell, st)
        return ranges[key].get(place, (0.0, INF))

    withheld: dict[str, set[Cell]] = {}
    for b in nations:
        # a maximum is one area's figure: published as that area's is, not exactly
        base = {
            cell: published(v) if cell in st.largest else exact(v)
            for cell in cells
            if (v := _exact(b, cell, st)) is not None
        }
        gone = {cell for cell, c in base.items() if c.point and len(contributors[(b.period, cell)]) == 1}
        for cell, c in base.items():  # the national figure against the units' published ranges
            if cell in gone or cell in st.largest or not c.point:
                continue
            if not b.rolling and b.period in _QUARTER_PLACE and c.point < MIN_SHOWN:
                # a few people in a quarter, exactly, with the units' years around it, pins
                # their quarters down in ways no check one quarter at a time can see
                gone.add(cell)
                continue
            if b.rolling or b.period not in _QUARTER_PLACE:
                parts = [[u.base.get(cell, WITHHELD_COUNT) for u in contributors[(b.period, cell)]]]
            else:  # a quarter: each unit's share of it, as far as its rolling years tell
                place = _QUARTER_PLACE[b.period]
                theirs = contributors[(b.period, cell)]
                parts = [[Count(None, *quarter_range(u, cell, place), ROUNDED) for u in theirs]]
            if narrowed(c, parts):
                gone.add(cell)
        if b.rolling:
            for q in quarters_of(b.period):
                gone |= withheld.get(q, set()) & set(base)
        gone = _with_what_gives_them_back(gone, st, base)
        withheld[b.period] = gone
        for cell in gone:
            base[cell] = WITHHELD_COUNT
        b.set_base(base)


_QUARTER_PLACE = {q: i for i, q in enumerate(periods("quarterly"))}


def _quarter_ranges(
    years: Mapping[str, Bag], sent: Collection[int], cell: Cell, st: Structure
) -> dict[int, tuple[float, float]]:
    """What a unit's published rolling years say of its count in each quarter (which is not
    published below national level), by the quarter's place: exactly what a reader's
    differencing of the overlapping years can tell (:func:`_differences`), given the quarters
    the unit sent returns for (``sent``; for a count, also only those where the nation had
    any). A unit without years is bounded by nothing but its silence."""
    placed = {_QUARTER_PLACE[p.removeprefix("12 months to ")]: y for p, y in years.items()}
    bounds = {e: _effective(y.base, cell, st) for e, y in placed.items() if cell in y.base}
    quarters = set(sent) | {e - k for e in placed for k in range(4)}
    if not quarters:
        return {}
    start, end = min(quarters), max(quarters)
    d = _differences(bounds, start, end, sent)
    out = {}
    for q in range(start, end + 1):
        i = q - start + 1
        most = d[i - 1, i]
        out[q] = (max(0.0, -d[i, i - 1]), INF if most >= 1e17 else float(most))
    return out


def _with_what_gives_them_back(gone: set[Cell], st: Structure, base: Mapping[Cell, Count]) -> set[Cell]:
    """Exact counts withheld, and every exact count a reader could work them out from: a
    breakdown with any part withheld loses all its parts (withholding only the largest other
    part with it was tried: the exact pair, the exact rest and the units' ranges still pinned
    small units down), and a withheld total takes its parts with it."""
    gone = set(gone)
    while True:
        before = len(gone)
        for total, breakdowns in st.groups:
            for parts in breakdowns:
                present = [cell for cell in parts if cell in base]
                if total in gone or any(cell in gone for cell in present):
                    gone.update(present)
        if len(gone) == before:
            return gone


def _stock_window(
    b: Bag, by_unit_period: Mapping[tuple[str, str, str], Bag], stock: frozenset[Cell]
) -> Callable[[Cell], Count | None]:
    """A stock over a rolling year (quarter-end caseloads added up, for a ratio over the year):
    the sum of the four quarters' published stocks."""
    quarters = [by_unit_period.get((b.area_code, b.provider_code, q)) for q in quarters_of(b.period)]

    def summed(cell: Cell) -> Count | None:
        if cell not in stock:
            return None
        if len(quarters) < 4 or any(q is None for q in quarters):
            return WITHHELD_COUNT
        return plus([q.base.get(cell) for q in quarters if q is not None])

    return summed
