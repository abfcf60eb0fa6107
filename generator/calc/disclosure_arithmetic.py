"""Arithmetic on counts as published: a sum or difference of published counts is a range,
and a count narrowed below the rule's minimum number of possible values is withheld.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from generator.calc.disclosure import EXACT, INF, MIN_VALUES, ROUNDED, SMALL, WITHHELD, WITHHELD_COUNT, Count
from generator.calc.disclosure_structure import Cell


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
