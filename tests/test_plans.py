"""Chart plans: the same inputs give the same picture, and each chart's headline states its
message, its alt text says what it shows and its table holds its data."""

from __future__ import annotations

import re

from generator.calc.verdicts import Verdict as V
from generator.charts import marks
from generator.charts import plans as charts


def _bars():
    return [
        marks.Bar("Area one", 40.0, 35.0, 45.0, V.BETTER),
        marks.Bar("Area two", 20.0, 15.0, 26.0, V.WORSE),
        marks.Bar("Area three", None),
        marks.Bar("Area four", 30.0, 25.0, 35.0, V.SIMILAR),
    ]


def test_same_inputs_give_the_same_bytes():
    a = charts.compare_areas("Job outcome rate", "percent", _bars(), 31.0, "2025-26")
    b = charts.compare_areas("Job outcome rate", "percent", _bars(), 31.0, "2025-26")
    assert a.svg == b.svg and "<svg" in a.svg
    # no time of drawing in the picture (a date would change the bytes, and the cache key, daily)
    assert "dc:date" not in a.svg and not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", a.svg)


def test_headline_alt_text_and_table():
    c = charts.compare_areas("Job outcome rate", "percent", _bars(), 31.0, "2025-26")
    assert c.title.startswith("Job outcome rate: 1 of 3 areas significantly better")
    assert "1 significantly worse" in c.title and "31.0%" in c.alt
    assert ("Area three", "suppressed or not available", "", "") in c.rows  # suppressed shown in the table
    assert len(c.rows) == 4


def test_values_without_intervals_are_not_called_significant():
    """Money and ratios have no interval: their comparison is of plain values, and the chart's
    title and alt text must not claim a test (or intervals) that was never made."""
    bars = [
        marks.Bar("Area one", 2000.0, None, None, V.BETTER),
        marks.Bar("Area two", 9000.0, None, None, V.WORSE),
    ]
    c = charts.compare_areas("Cost per job outcome", "gbp", bars, 4000.0, "2025-26")
    assert "significantly" not in c.title + c.alt and "95% interval" not in c.alt
    assert (
        c.title == "Cost per job outcome: 1 of 2 areas better than all areas, 1 worse (2025-26, no interval)"
    )


def test_text_stays_text_and_uses_the_analysis_function_palette():
    c = charts.compare_areas("Job outcome rate", "percent", _bars(), 31.0, "2025-26")
    assert "Area one" in c.svg  # svg.fonttype none: labels are text, readable and selectable
    assert marks.TURQUOISE.lower() in c.svg.lower() and marks.DARK_PINK.lower() in c.svg.lower()


def test_trend_axis_starts_at_zero_and_profile_reports_the_biggest_gap():
    t = charts.trend_line(
        "Rate", "percent", ["Q1", "Q2"], [33.0, 35.0], [30.0, 31.0], "Area one", "no change"
    )
    assert t.rows == (("Q1", "33.0%", "30.0%"), ("Q2", "35.0%", "31.0%"))
    p = charts.profile_bars("age", ["18-35", "36-50"], [20.0, 60.0], [40.0, 30.0], "Area one")
    assert "largest gap: 36-50 (+30 points)" in p.title  # 60% against 30%, not 18-35's 20% against 40%


def test_the_lower_half_of_a_rating_scale_is_below_its_middle():
    """As the dataset judges a total of ratings (the middle of the scale from scales.yaml): 2.8
    on a 1-5 scale is in the lower half (middle 3), 1.6 on a 0-3 scale is not (middle 1.5)."""
    c = charts.rating_profile("Area one", ["Focus", "Audit"], [2.8, 1.6], [(1, 5), (0, 3)])
    assert "1 rated in the lower half of the scale" in c.title
    assert c.rows == (("Focus", "2.8 on a scale of 1 to 5"), ("Audit", "1.6 on a scale of 0 to 3"))
