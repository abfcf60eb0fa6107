"""Arithmetic on published counts: what a total and its breakdowns leave possible, counts
worked out from published ones, and what is withheld when they would pin a count down."""

from __future__ import annotations

from generator.calc import disclosure, disclosure_arithmetic
from generator.calc.disclosure import WITHHELD, published
from generator.calc.disclosure_arithmetic import Counts, withhold_narrowed


def test_four_categories_of_seven_and_their_total_would_all_be_exact_so_they_are_withheld():
    """The review's example: 7, 7, 7, 7 published as 5, 5, 5, 5 (each at most 7) and 28 as 30
    (at least 28) leaves one possibility for all five."""
    total = published(28)
    parts = [[published(7)] * 4]
    assert disclosure_arithmetic.narrowed(total, parts) == [0]
    assert withhold_narrowed(total, parts) == {0}
    assert parts == [[disclosure.WITHHELD_COUNT] * 4]
    # 8, 7, 7, 6 (28) publish as 10, 5, 5, 5: the parts can still move
    assert disclosure_arithmetic.narrowed(total, [[published(v) for v in (8, 7, 7, 6)]]) == []


def test_breakdowns_of_one_total_are_checked_together():
    """Two breakdowns of the same total narrow it between them even where neither does alone."""
    total = published(40)  # 38 to 42
    low = [published(v) for v in (12, 12, 12)]  # 10, 10, 10: at most 36 together... with 2 each
    assert disclosure_arithmetic.narrowed(total, [low]) == [0]  # 36 < 38: already inconsistent alone
    a = [published(v) for v in (20, 20)]  # 18-22 each: 36 to 44
    b = [published(v) for v in (13, 13, 14)]  # 15, 15, 15: 39 to 51
    assert disclosure_arithmetic.narrowed(total, [a, b]) == []


def test_derived_counts_are_worked_out_from_published_ones():
    """A recorded subtotal is the total less 'not recorded'; a suppressed count enters it as the
    middle of 1 to 4 and its range allows for all four; a withheld one leaves nothing to work out."""
    base = {("T",): published(60), ("a",): published(31), ("b",): published(27), ("nr",): published(2)}
    counts = Counts(base, {frozenset({"a", "b", "nr"}): ("T",)}, frozenset({"T", "a", "b", "nr"}))
    recorded = counts.get(("a", "b"))
    assert recorded is not None and recorded.point == 60 - 2.5
    assert (recorded.lo, recorded.hi) == (58 - 4, 62 - 1)  # tighter than 30 + 25 with 4 either side
    assert counts.get(("a", "b", "nr")) == base[("T",)]
    base[("nr",)] = disclosure.WITHHELD_COUNT
    counts = Counts(base, {frozenset({"a", "b", "nr"}): ("T",)}, frozenset({"T", "a", "b", "nr"}))
    summed = counts.get(("a", "b"))  # the sum of the parts, 30 + 25, is still a count
    assert summed is not None and (summed.point, summed.lo, summed.hi) == (55, 51, 59)
    assert counts.get(("x",)) is None  # not a count of people


def test_a_count_worked_out_to_under_five_is_not_shown():
    c = disclosure_arithmetic.minus(published(6), [published(3)])  # 5 less a suppressed count
    assert c is not None and c.state == WITHHELD and c.point is None and (c.lo, c.hi) == (1, 6)
