"""What the charts share: values in words, missing values kept missing, a value axis that reaches
every mark, bars grouped by the shape of their verdict, and labels wrapped to a width."""

from __future__ import annotations

import math

from generator.calc.verdicts import Verdict as V
from generator.charts import marks


def test_values_are_said_in_their_unit_and_a_missing_one_says_so():
    assert marks.fmt(31.04, "percent") == "31.0%"
    assert marks.fmt(2818.4, "gbp") == "£2,818"
    assert marks.fmt(3.5, "score") == "3.5"
    assert marks.fmt(None, "percent") == marks.fmt(math.nan, "gbp") == "suppressed or not available"
    assert marks.interval(marks.Bar("a", 40.0, 35.0, 45.0), "percent") == "35.0% to 45.0%"
    assert marks.interval(marks.Bar("a", 40.0, 35.0), "percent") == ""  # no upper limit: no interval


def test_a_value_that_is_not_a_number_is_drawn_as_missing():
    (bar,) = marks.clean([marks.Bar("a", math.nan, -math.inf, 26.0, V.BETTER)])
    assert (bar.value, bar.lower, bar.upper, bar.verdict) == (None, None, 26.0, V.BETTER)
    assert marks.num(0.0) == 0.0 and marks.num(math.inf) is None


def test_the_value_axis_starts_at_zero_and_reaches_every_end_and_line():
    ticks = marks.value_ticks([marks.Bar("a", 20.0, 15.0, 26.0), marks.Bar("b", None)], 43.0, None)
    assert ticks[0] == 0.0 and ticks[-1] >= 43.0  # the 43% reference line is on the axis
    below = marks.value_ticks([marks.Bar("a", -3.5, -6.0, -1.0)])
    assert below[0] <= -6.0 and below[-1] >= 0.0


def test_bars_are_grouped_by_the_shape_their_verdict_is_drawn_with():
    """Better, worse and similar each have a shape; any other verdict (or none) is drawn as a
    plain dot, with the bars that were not compared."""
    order = [
        marks.Bar("a", 1.0, verdict=V.WORSE),
        marks.Bar("b", 2.0, verdict=V.HIGHER),
        marks.Bar("c", 3.0, verdict=V.BETTER),
        marks.Bar("d", 4.0),
    ]
    groups = {v: (shape, [i for i, _ in members]) for v, shape, members in marks.by_verdict(order)}
    assert groups == {
        V.BETTER: ("^", [2]),
        V.WORSE: ("v", [0]),
        V.SIMILAR: ("o", []),
        None: ("o", [1, 3]),
    }


def test_a_point_is_outside_a_funnel_by_the_limits_nearest_its_size():
    # (people, lower 95%, upper 95%, lower 99.8%, upper 99.8%)
    limits = [(20.0, 10.0, 60.0, 5.0, 70.0), (200.0, 30.0, 40.0, 25.0, 45.0)]
    assert marks.outside_limits(limits, 190.0, 50.0)  # beyond 45 at about 200 people
    assert not marks.outside_limits(limits, 190.0, 42.0)  # beyond the 95% limit only: not outside
    assert not marks.outside_limits(limits, 25.0, 50.0)  # within 5-70 at about 20
    assert not marks.outside_limits([], 25.0, 50.0)  # no funnel drawn


def test_labels_wrap_at_word_boundaries_to_the_width():
    text = "Camden and Islington NHS Foundation Trust"
    lines = marks.wrap(text, 12).split("\n")
    assert " ".join(lines) == text and len(lines) > 1
    assert all(len(line) <= 12 for line in lines)
    assert marks.wrap("Supercalifragilistic area", 5).split("\n")[0] == "Supercalifragilistic"  # not cut
