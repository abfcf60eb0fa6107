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
   for 2 either side. Areas and their providers are rounded alike.
3. **Targeted withholding.** A total and its parts (the categories of a breakdown; an area's
   providers) are checked exactly: where their published figures would narrow a count below
   3 values, the parts are *withheld*, so that only the total is known of them.
4. **National figures** are exact, except that a national count to which a single area
   contributes is withheld, with its breakdown, since it would give that area's count away; and
   a national maximum (the largest caseload) is some area's figure, so it is rounded as one.
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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from .catalogue import Catalogue, Derived, Item
from .layout import periods

if TYPE_CHECKING:
    from .indicators import Bag

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
            "generator/disclosure.py (BY_METHOD) before anything built on it is published"
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
    """A count worked out from published ones: exact where its range is one value; not shown
    (as a small count is not) where it comes to under 5, though its range stays known."""
    if lo == hi:
        return Count(point, lo, hi, EXACT)
    if point < SMALL:
        return Count(None, lo, hi, SUPPRESSED)
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
def protect(bags: Sequence[Bag], catalogue: Catalogue, section: str, keys: Iterable[str]) -> None:
    """Rules 1 to 4 on a section's bags (every unit and period), in place: each bag gets its
    published :class:`Counts` and whether it is published below national level at all
    (:meth:`Bag.publish`: 'all', 'stock' for a quarter's stocks only, or '' for nothing).
    ``keys``: the input keys pooled; whole families of them (:meth:`Structure.closure`)."""
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
    # areas first: a single provider's counts are its area's
    for b in bags:
        if b.provider_code or b.area_code == NATIONAL:
            continue
        b.set_base(_rounded(b, cells if kinds[id(b)] == "all" else stock_cells, st))
    for (area, period), ps in providers.items():
        a = by_unit_period.get((area, "", period))
        if len(ps) == 1 and a is not None:
            ps[0].set_base(a.base)
            continue
        for p in ps:
            p.set_base(_rounded(p, cells if kinds[id(p)] == "all" else stock_cells, st))
        if a is not None:
            _audit_providers(a.base, [p.base for p in ps], st)
    _national(bags, cells, st)
    for b in bags:
        window = None
        if quarterly and b.rolling and stock_cells and b.area_code != NATIONAL:
            window = _stock_window(b, by_unit_period, frozenset(stock_cells))
        b.publish(kinds[id(b)], Counts(b.base, whole, people, window))


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


def _audit_providers(area: Mapping[Cell, Count], provs: list[dict[Cell, Count]], st: Structure) -> None:
    """Rule 3 across an area's providers: the area's count is the total, its providers' the
    parts (a maximum is not their sum). Withheld providers' counts tell nothing beyond the area's."""
    for cell, total in area.items():
        if cell in st.largest:
            continue
        parts = [[p.get(cell, exact(0.0)) for p in provs]]
        if withhold_narrowed(total, parts):
            for p in provs:
                p[cell] = WITHHELD_COUNT


def _national(bags: Sequence[Bag], cells: Sequence[Cell], st: Structure) -> None:
    """Rule 4: national counts exact, but withheld (with their breakdown) where one area makes
    up all of it, since that area's count would follow."""
    contributors: dict[tuple[str, Cell], int] = defaultdict(int)
    for b in bags:
        if b.area_code == NATIONAL or b.provider_code:
            continue
        for cell in cells:
            if _exact(b, cell, st):
                contributors[(b.period, cell)] += 1
    for b in bags:
        if b.area_code != NATIONAL:
            continue
        # a maximum is one area's figure: published as that area's is, not exactly
        base = {
            cell: published(v) if cell in st.largest else exact(v)
            for cell in cells
            if (v := _exact(b, cell, st)) is not None
        }
        lone = {cell for cell, c in base.items() if c.point and contributors[(b.period, cell)] == 1}
        for _, breakdowns in st.groups:
            for parts in breakdowns:
                if any(cell in lone for cell in parts):
                    lone.update(cell for cell in parts if cell in base)
        for cell in lone:
            base[cell] = WITHHELD_COUNT
        b.set_base(base)


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
