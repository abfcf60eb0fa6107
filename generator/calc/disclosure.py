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
from typing import TYPE_CHECKING, NamedTuple

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


def granularity(b: Bag, quarterly: bool) -> str:
    """Rule 1: 'all' where every figure of the bag is published, 'stock' where only its stocks
    (and what involves no count of people) are, '' where nothing is."""
    if b.area_code == NATIONAL or not quarterly:
        return "all"
    if not b.rolling:
        return "stock"
    return "all" if b.complete else ""


def quarters_of(window: str) -> list[str]:
    """The four quarters of a rolling year ("12 months to 2025-26 Q1")."""
    quarters = periods("quarterly")
    end = quarters.index(window.removeprefix("12 months to "))
    return list(quarters[max(0, end - 3) : end + 1])
