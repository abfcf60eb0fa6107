"""Chart plans: the same inputs give the same picture, and each chart's headline states its
message, its alt text says what it shows and its table holds its data."""

from __future__ import annotations

import re

from generator.calc.verdicts import Verdict as V
from generator.charts import marks, measure
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
    # values of 30-35 on an axis from 0 (a cut axis would make a 2-point change look steep): its
    # lowest tick is 0, which an axis fitted to the values would not show
    ticks = [float(x) for x in re.findall(r">(\d+(?:\.\d+)?)</text>", t.svg)]
    assert 0.0 in ticks and max(ticks) >= 35.0
    p = charts.profile_bars("age", ["18-35", "36-50"], [20.0, 60.0], [40.0, 30.0], "Area one")
    assert "largest gap: 36-50 (+30 points)" in p.title  # 60% against 30%, not 18-35's 20% against 40%


def test_the_lower_half_of_a_rating_scale_is_below_its_middle():
    """As the dataset judges a total of ratings (the middle of the scale from scales.yaml): 2.8
    on a 1-5 scale is in the lower half (middle 3), 1.6 on a 0-3 scale is not (middle 1.5)."""
    c = charts.rating_profile("Area one", ["Focus", "Audit"], [2.8, 1.6], [(1, 5), (0, 3)])
    assert "1 rated in the lower half of the scale" in c.title
    assert c.rows == (("Focus", "2.8 on a scale of 1 to 5"), ("Audit", "1.6 on a scale of 0 to 3"))


def _svg_height_inches(svg: str) -> float:
    return float(svg.split('height="', 1)[1].split("pt", 1)[0]) / 72


def test_a_trend_draws_the_sources_targets_and_says_why_a_point_is_missing():
    """A break in an area's line must not read as a fall to zero, nor a target as an all-areas
    value: each period without a value is marked on the axis and named with its reason in the
    alt text and table, and each target is a dotted line with its own key, also at phone width,
    where the legend's rows are planned into the picture's height so no key is cut off."""
    targets = (("reference 38%: Average, all services", 38.0), ("reference 43%: Best practice sites", 43.0))
    args = (
        "job outcome rate",
        "percent",
        ["to Q1", "to Q2", "to Q3"],
        [40.0, None, 50.0],
        [36.0, 37.0, 37.0],
        "Dorset",
        "no change",
        None,
        None,
        targets,
        ["", "suppressed", ""],
    )
    t = charts.trend_line(*args)
    assert t.rows[1] == ("to Q2", "no value: suppressed", "37.0%")
    assert "No value for to Q2 (suppressed)" in t.alt and "reference 43%: Best practice sites" in t.alt
    plain = charts.trend_line(*args[:9])
    for chart in (t, t.narrow()):
        svg = chart.svg
        assert "reference 38%: Average, all services" in svg and "No value for Dorset" in svg
        assert svg.count('stroke-dasharray="1.4 2.3"') >= 4  # two target lines and their keys
    assert "No value for" not in plain.svg and "reference" not in plain.svg
    # every legend row fits its picture: the narrow one needs more rows, and more height
    from generator.charts import svgplot

    keys = [measure.Key(label, "#000") for label, _ in targets] + [measure.Key("Dorset", "#000")]
    rows = measure.legend_rows(keys, svgplot.NARROW)
    room = (svgplot.NARROW - 2 * measure.PAD) * 72
    for row in rows:
        used = sum(25 + measure.text_width(keys[i].label, 8.0) * 72 for i in row) + 14 * (len(row) - 1)
        assert used <= room or len(row) == 1
    assert len(rows) > len(measure.legend_rows(keys))
    assert _svg_height_inches(t.narrow().svg) > _svg_height_inches(plain.narrow().svg)


def test_an_area_without_a_value_says_why_in_the_chart_table():
    bars = [*_bars()[:2], marks.Bar("Area three", None, why="under 10"), marks.Bar("Area four", None)]
    c = charts.compare_areas("Job outcome rate", "percent", bars, 31.0, "2025-26")
    assert ("Area three", "no value: under 10", "", "") in c.rows
    assert ("Area four", "suppressed or not available", "", "") in c.rows  # no reason known


def test_a_profile_headline_names_only_a_gap_the_dataset_compared():
    """The review found "largest gap: 36-50 (+36 points)" resting on 10 of 15 referrals, which the
    dataset marks not assessed: a gap without enough people is in the table, not the headline."""
    cats, intake, pop = ["18-35", "36-50"], [30.0, 70.0], [35.0, 34.0]
    p = charts.profile_bars("age", cats, intake, pop, "Area one", [True, False])
    assert "largest gap: 18-35 (-5 points)" in p.title and "36-50 (+36" not in p.title + p.alt
    none = charts.profile_bars("age", cats, intake, pop, "Area one", [False, False])
    assert "no gap compared: too few people" in none.title
    assert ("36-50", "70.0%", "34.0%") in none.rows  # still in the table
