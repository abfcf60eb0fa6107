"""generator/charts/spine.py: the spine chart, its plan and its drawing."""

from __future__ import annotations

from generator.calc.verdicts import Verdict as V
from generator.charts import marks
from generator.charts.spine import spine_chart


def job_outcomes_spread(label: str, value: float | None, verdict: V | None) -> marks.Spine:
    """A percentage among areas spread from 15% to 64% (middle half 30-40%, all areas 35%)."""
    return marks.Spine(label, value, 35.0, 15.0, 30.0, 40.0, 64.0, "higher_better", verdict, "percent")


def test_spine_chart_puts_better_to_the_right_whatever_the_direction():
    s = [
        job_outcomes_spread("Job outcomes", 20.0, V.WORSE),
        marks.Spine(
            "Cost per job", 9967.0, 4000.0, 1500.0, 3000.0, 5000.0, 17000.0, "lower_better", V.WORSE, "gbp"
        ),
    ]
    c = spine_chart("Humber", s)
    assert c.title == "Humber: 0 of 2 key indicators better than all areas, 2 worse"
    assert "better always to the right" in c.alt
    assert c.rows[1] == ("Cost per job", "£9,967", "£4,000", "£1,500 to £17,000", "worse")


def test_the_spine_chart_has_a_legend_of_what_its_bands_line_and_shapes_mean():
    """Issue 22: a reader needs no other page to read it: the bands are the range of areas and
    their middle half, the line all areas, each shape on it said once."""
    s = [
        job_outcomes_spread("Job outcomes", 20.0, V.WORSE),
        marks.Spine("Access", 70.0, 70.0, 50.0, 60.0, 80.0, 90.0, "higher_better", V.SIMILAR, "percent"),
        marks.Spine("Starters", 71.0, 70.0, 50.0, 60.0, 80.0, 90.0, "higher_better", V.SIMILAR, "percent"),
    ]
    svg = spine_chart("Humber", s).svg
    for words in (
        "Worst to best area",
        "25th to 75th percentile",
        "All areas",
        "Worse",
        "Not significantly different",
    ):
        assert svg.count(f">{words}<") == 1, words
    assert ">Better<" not in svg  # no shape on the chart means it


def test_on_a_phone_every_label_keeps_its_room_even_beside_a_missing_value():
    """Review: the narrow picture's value column said "suppressed or not available" and pushed
    the labels off its left edge; it says "n/a" there (the data table says why), and every label
    starts inside the picture."""
    import re

    from generator.charts import measure, svgplot

    s = [
        job_outcomes_spread("Care plans with work actions", None, None),
        job_outcomes_spread("In paid employment (PSA 16)", 20.0, V.WORSE),
    ]
    narrow = spine_chart("Kent & Medway", s).narrow().svg
    assert ">n/a<" in narrow and "suppressed or not available" not in narrow
    assert "suppressed or not available" in spine_chart("Kent & Medway", s).svg  # the wide one has room
    for label in ("Care plans with work actions", "In paid employment (PSA 16)"):
        x = float(
            re.search(rf'<text x="([\d.]+)"[^>]*text-anchor="end"[^>]*>{re.escape(label)}<', narrow).group(1)
        )
        assert x - measure.text_width(label, 9) * 72 >= 0, label
    assert 'width="' + f"{svgplot.NARROW * 72:g}pt" + '"' in narrow


def test_a_value_not_compared_has_its_own_shape_not_the_circle_of_similar():
    """The review read Dorset's 100.0% (too few people, not assessed) as "similar": both were a
    dark-blue circle. A value not compared is a grey diamond, in the chart and in its legend."""
    from generator.charts import measure
    from generator.charts.svgplot import marker_path

    s = [
        job_outcomes_spread("Job outcomes", 36.0, V.SIMILAR),
        job_outcomes_spread("Access", 60.0, V.TOO_FEW_PEOPLE),
    ]
    svg = spine_chart("Dorset", s).svg
    circles = [p for p in svg.split("<path ") if f'fill="{marks.DARK_BLUE}"' in p and "a4.5 4.5" in p]
    diamonds = [
        p
        for p in svg.split("<path ")
        if f'fill="{measure.GREY}"' in p and "L" in p and "a" not in p.split('"')[1]
    ]
    assert circles and diamonds
    assert marker_path("D", 0, 0, 9).startswith("M0 -4.5L4.5 0")  # the diamond drawn above
