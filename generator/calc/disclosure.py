"""Disclosure control: what is published below national level, and what each figure stands for.

The data describe people using mental health services, so no count of people below national
level may be narrowed, by any combination of published figures, to fewer than 3 possible values
(a published zero aside). The rule, stated once here and in words on the methods page:

1. **One granularity in time.** Below national level, a count that adds up over time (referrals,
   starters, job outcomes) is published for complete rolling 12-month windows only (every
   organisation that sent anything for the window sent all four quarters); annual sections for
   each year; a stock (a caseload at a quarter's end) for each quarter. Quarters, and windows
   short of a quarter, would give quarters away by differencing the windows; they are
   published for all areas together only.
2. **Counts of people** (:func:`treatment`: a catalogue item's ``disclosure``, counts and
   proportions by default): 0 is published as 0; 1 to 4 are *suppressed*; any other count is
   rounded to the nearest 5, so a published 5 stands for 5 to 7 and any other published count
   for 2 either side. The finest units are rounded: a provider, or an area with one provider
   (or only a commissioner). An area with several providers publishes the sum of its
   providers' published counts (a suppressed one counting as 2.5, the middle of 1-4) and
   stands for the sum of their ranges; a sum under 5 is withheld.
3. **Targeted withholding.** A total and its parts (the categories of a breakdown) are checked
   exactly, and so are a unit's overlapping rolling years: where their published figures
   would narrow a count below 3 values, the parts (or the years) are *withheld*.
4. **National figures** are exact, except that these are withheld: a national count to which
   a single unit contributes; one that, less the other units' published ranges, would narrow
   a unit's count below 3 values; a national quarter under 10 (a few people in a quarter,
   exactly, with the units' years around it, pins their quarters down); every rolling year
   holding a withheld quarter; and with any of them, the rest of its breakdown (a total
   withheld takes its parts). A national maximum (the largest caseload) is some area's figure,
   so it is rounded as one.
5. **Everything else is computed from the published counts** and the ranges they stand for
   (:class:`Count`): rates, their intervals (the union of the Wilson intervals of every pair of
   counts the published pair stands for), comparisons, funnel limits, quartiles, ranks, costs
   per outcome and ratios. So anyone can recompute them, and none narrows a count further.
6. **Minimums**: a value resting on fewer than :data:`MIN_SHOWN` people (by its published
   count) is not shown; below :data:`MIN_JUDGED` it is shown without a verdict, rank or quartile.
7. **Distributions** (the wellbeing scores, item by score) are not published below national
   level; their means are, from the exact scores, when at least :data:`MIN_SHOWN` people gave them.

Money, ratings, choices and answers given as percentages are not counts of people and are
published as they are (a total cost beside a cost per outcome divides out only to the published,
rounded, count). A catalogue indicator whose treatment cannot be determined stops the build.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from generator.catalogue.model import Derived, Item
from generator.catalogue.sections import Catalogue
from generator.workbook.layout import periods

if TYPE_CHECKING:
    from generator.calc.pooling import Bag

SMALL = 5  # counts 1 to SMALL-1 are suppressed
ROUND_TO = 5
HALF = 2  # a rounded count stands for HALF either side of it
MIN_SHOWN = 10  # a value resting on fewer published people is not shown
MIN_JUDGED = 30  # below this, no verdict, rank, quartile or funnel flag
MIN_VALUES = 3  # no count of people may be narrowed to fewer possible values than this
RATE_DP = 1
NATIONAL = "ALL"
INF = math.inf

EXACT, ROUNDED, SUPPRESSED, WITHHELD = "exact", "rounded", "suppressed", "withheld"
HIDDEN = (SUPPRESSED, WITHHELD)


class DisclosureError(ValueError):
    """An indicator whose disclosure treatment cannot be determined: nothing is published."""


class Count(NamedTuple):
    """A count as published, and the true values a reader can tell it stands for."""

    point: float | None  # the published figure; None where it is suppressed or withheld
    lo: float  # the smallest true value it can be
    hi: float  # the largest (INF: no upper bound can be read off it)
    state: str  # exact | rounded | suppressed | withheld

    @property
    def shown(self) -> bool:
        return self.state not in HIDDEN


def exact(v: float) -> Count:
    return Count(v, v, v, EXACT)


WITHHELD_COUNT = Count(None, 0.0, INF, WITHHELD)
SUPPRESSED_COUNT = Count(None, 1.0, SMALL - 1.0, SUPPRESSED)


def round5(n: float) -> int:
    """Round half up to the nearest 5 (2.5 -> 5, as published statistics do)."""
    return int(math.floor(n / ROUND_TO + 0.5) * ROUND_TO)


def published(v: float) -> Count:
    """One exact count as it is published below national level (rule 2). Something that is not a
    number (validation lets none through) is withheld rather than rounded."""
    if v != v:
        return WITHHELD_COUNT
    if v == 0:
        return exact(0.0)
    if v < SMALL:
        return SUPPRESSED_COUNT
    p = float(round5(v))
    return Count(p, max(p - HALF, SMALL), p + HALF, ROUNDED)


def stands_for(point: float | None, state: str) -> tuple[float, float]:
    """What a reader can tell of a published count from the count and its state (the public
    half of rule 2, what the attacker in the tests and anyone recomputing a figure use)."""
    if state == SUPPRESSED:
        return 1.0, SMALL - 1.0
    if state == WITHHELD or point is None:
        return 0.0, INF
    if state == EXACT:
        return point, point
    return max(point - HALF, SMALL), point + HALF


def values(c: Count) -> float:
    """How many true values ``c`` can stand for (INF when unbounded)."""
    return c.hi - c.lo + 1


# -- what each indicator is -------------------------------------------------------------------
PEOPLE, OTHER, DISTRIBUTION, NONE = "people", "other", "distribution", "none"
BY_VALUE_TYPE = {  # an item's treatment when it does not name one (rule 2 and the note below it)
    "count": PEOPLE,
    "proportion": PEOPLE,
    "percentage": OTHER,  # a rate given as it is (Section A's survey estimates)
    "rating": OTHER,
    "choice": OTHER,
    "yes_no": OTHER,
    "money": OTHER,
    "number": OTHER,  # staff in post, months, weeks
    "date": NONE,  # never published
    "text": NONE,
}
BY_METHOD = {  # a derived indicator: computed from published counts, or not about people
    "proportion": PEOPLE,
    "event_rate": PEOPLE,
    "ratio": PEOPLE,
    "cost_per_outcome": PEOPLE,
    "share_split": PEOPLE,
    "profile_vs_population": PEOPLE,
    "swemwbs_change": DISTRIBUTION,
    "rating_profile": OTHER,
}


def treatment(item: Item) -> str:
    """people | other | distribution | none; :class:`DisclosureError` if it cannot be told."""
    if item.disclosure is not None:
        return item.disclosure
    try:
        return BY_VALUE_TYPE[item.value_type]
    except KeyError:
        raise DisclosureError(
            f"{item.id}: no disclosure treatment for value type {item.value_type!r}; give the item "
            "a `disclosure:` (people, other or distribution) in the catalogue"
        ) from None


def derived_treatment(d: Derived) -> str:
    try:
        return BY_METHOD[d.method]
    except KeyError:
        raise DisclosureError(
            f"{d.id}: no disclosure treatment for the method {d.method!r}: add one to "
            "generator/calc/disclosure.py (BY_METHOD) before anything built on it is published"
        ) from None


def check(catalogue: Catalogue) -> None:
    """Every item and derived indicator has a treatment (the build stops, naming it, if not)."""
    for _, item in catalogue.items():
        treatment(item)
    for sec in catalogue.sections.values():
        for d in sec.derived:
            derived_treatment(d)


# -- the counts of a section and how they add up ----------------------------------------------
Cell = tuple[str, ...]  # the input keys a count adds up


@dataclass(frozen=True)
class Structure:
    """A section's counts of people, as the catalogue says they add up (pure, from the catalogue).

    ``cells``: every count that is published or used, each as the keys it adds up; ``groups``:
    a total and, for each exhaustive breakdown of it, its parts; ``stock``: counts that never add
    up over time; ``unpublished``: counts published at national level only (a distribution's
    categories); ``family``: for each key, every key whose published count can depend on it (the
    keys of its total and every breakdown of that total), so that a part of a section computes
    the same published counts as the whole."""

    cells: frozenset[Cell]
    groups: tuple[tuple[Cell, tuple[tuple[Cell, ...], ...]], ...]
    stock: frozenset[Cell]
    unpublished: frozenset[Cell]
    family: Mapping[str, frozenset[str]]
    largest: frozenset[Cell] = frozenset()  # the largest of the returns' values, not their sum

    def closure(self, keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for k in keys:
            out |= self.family.get(k, {k})
        return out


def _key(item: Item, part: str, category: str = "") -> str:
    k = item.id if part == "value" else f"{item.id}.{part}"
    return f"{k}:{category}" if category else k


def structure(catalogue: Catalogue, section: str) -> Structure:
    """The :class:`Structure` of one section's counts of people."""
    sec = catalogue.sections[section]
    cells: set[Cell] = set()
    groups: dict[Cell, list[tuple[Cell, ...]]] = defaultdict(list)
    stock: set[Cell] = set()
    unpublished: set[Cell] = set()
    largest: set[Cell] = set()
    for item in sec.items:
        kind = treatment(item)
        if kind not in (PEOPLE, DISTRIBUTION):
            continue
        cats = [
            c.code
            for c in (catalogue.breakdowns[item.breakdown].categories if item.breakdown else ())
            if c.code not in item.exclude_categories
        ]
        part = "numerator" if item.value_type == "proportion" else "value"
        if item.value_type == "proportion":
            if item.denominator is not None and item.denominator.label is not None:
                cells.add((_key(item, "denominator"),))
            total = _denominator_cell(item, catalogue)
        else:
            total = tuple(_key(item, part, c) for c in cats) if cats else (_key(item, part),)
            cells.add(total)
        parts = tuple((_key(item, part, c),) for c in cats) if cats else ((_key(item, part),),)
        cells.update(parts)
        if kind == DISTRIBUTION:
            unpublished.update(parts)
            continue
        if item.aggregate != "sum":
            stock.update(parts if total is None else (*parts, total))
        if item.aggregate == "max":
            largest.update(parts if total is None else (*parts, total))
        if cats and item.breakdown_exhaustive and total is not None:
            groups[total].append(parts)
    family: dict[str, set[str]] = {}
    for total, breakdowns in groups.items():
        keys = set(total) | {k for parts in breakdowns for cell in parts for k in cell}
        for k in keys:
            family.setdefault(k, set()).update(keys)
    return Structure(
        frozenset(cells),
        tuple((t, tuple(bs)) for t, bs in sorted(groups.items())),
        frozenset(stock),
        frozenset(unpublished),
        {k: frozenset(v) for k, v in family.items()},
        frozenset(largest),
    )


def _denominator_cell(item: Item, catalogue: Catalogue) -> Cell | None:
    """The count a proportion item's parts add up to: its own denominator, or the item it names."""
    if item.denominator is None:
        return None
    if item.denominator.label is not None:
        return (_key(item, "denominator"),)
    base, _, part = (item.denominator.item or "").partition(".")
    target = catalogue.item_index[base]
    return (_key(target, "numerator"),) if part else (_key(target, "value"),)


def people_keys(catalogue: Catalogue, section: str) -> frozenset[str]:
    """Every input key that is (part of) a count of people in the section."""
    return frozenset(k for cell in structure(catalogue, section).cells for k in cell)


# -- the published counts of each unit and period ---------------------------------------------
class Counts:
    """The published counts of one bag (a unit and a period), and those derived from them.

    A count not among the base cells is worked out from them: a whole breakdown is its total;
    anything else is the sum of its parts or, for some categories of a breakdown (the recorded
    ones), the total less the others, whichever says more. A derived count is published only
    where every count it is made of is (a suppressed or withheld part would make it a range).
    ``get`` gives None for keys that are not counts of people, or that no return answered."""

    def __init__(
        self,
        base: Mapping[Cell, Count],
        whole: Mapping[frozenset[str], Cell],
        people: frozenset[str],
        window: Callable[[Cell], Count | None] | None = None,
    ) -> None:
        self.base = base
        self.people = people
        self._whole = whole  # the keys of a whole breakdown -> its total's cell
        self._window = window  # a stock over a rolling year: the sum of its quarters
        self._derived: dict[Cell, Count | None] = {}

    def get(self, cell: Cell) -> Count | None:
        found = self.base.get(cell)
        if found is not None:
            return found
        if not cell or cell[0] not in self.people:
            return None
        try:
            return self._derived[cell]
        except KeyError:
            pass
        made = self._derive(cell)
        self._derived[cell] = made
        return made

    def _derive(self, cell: Cell) -> Count | None:
        if self._window is not None and (summed := self._window(cell)) is not None:
            return summed
        if len(cell) == 1:
            return None  # no return answered it
        keys = frozenset(cell)
        if keys in self._whole and self._whole[keys] != cell:
            return self.get(self._whole[keys])
        made = plus([self.get((k,)) for k in cell])
        for whole, total in self._whole.items():  # a breakdown less some of its categories
            if keys < whole and made is not None:
                other = minus(self.get(total), [self.get((k,)) for k in sorted(whole - keys)])
                if (
                    other is not None
                    and other.shown
                    and (not made.shown or other.hi - other.lo < made.hi - made.lo)
                ):
                    made = other
        return made


def middle(c: Count) -> float:
    """What a count contributes to a count derived from it: its published figure, or for a
    suppressed one the middle of its range (1 to 4: 2.5; the derived count's range allows for
    all of them)."""
    return c.point if c.point is not None else (c.lo + c.hi) / 2


def largest(parts: Sequence[Count | None]) -> Count | None:
    """The largest of published counts (an area's largest caseload from its providers')."""
    given = [p for p in parts if p is not None]
    if not given:
        return None
    if not all(p.shown for p in given):
        return WITHHELD_COUNT
    return Count(
        max(p.point or 0.0 for p in given), max(p.lo for p in given), max(p.hi for p in given), ROUNDED
    )


def plus(parts: Sequence[Count | None]) -> Count | None:
    """The sum of published counts, as published: not where any is withheld (nothing bounds
    it). A part no return answered counts as none; all of them unanswered, the sum is None."""
    given = [p for p in parts if p is not None]
    if not given:
        return None
    if any(p.state == WITHHELD for p in given):
        return WITHHELD_COUNT
    lo, hi = sum(p.lo for p in given), sum(p.hi for p in given)
    return _derived(sum(map(middle, given)), lo, hi)


def minus(total: Count | None, parts: Sequence[Count | None]) -> Count | None:
    """A total less some of its parts, as published: not where the total is hidden or any part
    is withheld."""
    if total is None:
        return None
    given = [p for p in parts if p is not None]
    if not total.shown or any(p.state == WITHHELD for p in given):
        return WITHHELD_COUNT
    lo = max(0.0, total.lo - sum(p.hi for p in given))
    hi = total.hi - sum(p.lo for p in given)
    point = middle(total) - sum(map(middle, given))
    return _derived(point, lo, hi)


def _derived(point: float, lo: float, hi: float) -> Count:
    """A count worked out from published ones: exact where its range is one value; withheld
    where it comes to under 5 (a small count is not shown; a reader can still work out its
    range from the counts it is made of, which is all that publishing it would have said)."""
    if lo == hi:
        return Count(point, lo, hi, EXACT)
    if point < SMALL:
        return Count(None, lo, hi, WITHHELD)
    return Count(point, lo, hi, ROUNDED)


# -- the exact check of a total and its parts (rule 3) ----------------------------------------
def narrowed(total: Count, breakdowns: Sequence[Sequence[Count]]) -> list[int]:
    """The breakdowns (by position) some count of which a reader could narrow to fewer than
    :data:`MIN_VALUES` values from the total and the breakdowns' published counts together.

    Exact for this structure (a total, and parts adding up to it in each breakdown): for a
    given total, each breakdown's parts range independently, so the total can be any value in
    the intersection of its own range and each breakdown's range of sums, and a part any value
    of its own range that leaves the rest of its breakdown able to make up that total."""
    lo, hi = total.lo, total.hi
    sums = [(sum(p.lo for p in parts), sum(p.hi for p in parts)) for parts in breakdowns]
    for s_lo, s_hi in sums:
        lo, hi = max(lo, s_lo), min(hi, s_hi)
    bad: list[int] = []
    total_narrowed = total.state != EXACT and hi - lo + 1 < MIN_VALUES and hi > 0
    for b, (parts, (s_lo, s_hi)) in enumerate(zip(breakdowns, sums, strict=True)):
        if total_narrowed and (s_lo, s_hi) != (-INF, INF) and (s_lo > total.lo or s_hi < total.hi):
            bad.append(b)  # this breakdown's sums narrow the total
            continue
        for p in parts:
            if p.state == EXACT:
                continue
            others_lo, others_hi = s_lo - p.lo, s_hi - p.hi
            p_lo, p_hi = max(p.lo, lo - others_hi), min(p.hi, hi - others_lo)
            if p_hi - p_lo + 1 < MIN_VALUES and p_hi > 0:
                bad.append(b)
                break
    return bad


def withhold_narrowed(total: Count, breakdowns: list[list[Count]]) -> set[int]:
    """Withhold (in place) every breakdown that lets a count be narrowed, until none does."""
    gone: set[int] = set()
    while True:
        bad = [b for b in narrowed(total, breakdowns) if b not in gone]
        if not bad:
            return gone
        for b in bad:
            breakdowns[b] = [WITHHELD_COUNT] * len(breakdowns[b])
            gone.add(b)


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
    kinds = {id(b): _granularity(b, quarterly) for b in bags}
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


def _granularity(b: Bag, quarterly: bool) -> str:
    """Rule 1: 'all' where every figure of the bag is published, 'stock' where only its stocks
    (and what involves no count of people) are, '' where nothing is."""
    if b.area_code == NATIONAL or not quarterly:
        return "all"
    if not b.rolling:
        return "stock"
    return "all" if b.complete else ""


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


def quarters_of(window: str) -> list[str]:
    """The four quarters of a rolling year ("12 months to 2025-26 Q1")."""
    quarters = periods("quarterly")
    end = quarters.index(window.removeprefix("12 months to "))
    return list(quarters[max(0, end - 3) : end + 1])


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


# -- what the rounding costs: the methods page's table ----------------------------------------
SHIFT_BANDS = (10, 20, 30, 50, 100, 200, 500, 1000)


def rounding_shift(n: int, at: float | None = None) -> float:
    """The most a rate (in percentage points) over a published denominator ``n`` can be from
    the rate over the true counts the published pair stands for (:func:`stands_for`), for any
    published numerator, or for the one nearest ``at`` (a share, 0-1) if given."""
    numerators = range(0, n + 1, ROUND_TO)
    if at is not None:
        numerators = range(round5(at * n), round5(at * n) + 1)
    n_lo, n_hi = stands_for(float(n), ROUNDED)
    worst = 0.0
    for x in numerators:
        x_lo, x_hi = stands_for(float(x), EXACT if x == 0 else ROUNDED)
        for tx in range(int(x_lo), int(x_hi) + 1):
            for tn in range(int(n_lo), int(n_hi) + 1):
                if tx <= tn:
                    worst = max(worst, abs(x / n - tx / tn))
    return 100 * worst
