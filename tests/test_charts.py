"""Charts: deterministic SVG, a headline that states the message, alt text and data."""

from __future__ import annotations

import importlib
import re
import sys

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
    p = charts.profile_bars("age", ["18-35", "36-50"], [20.0, 60.0], [40.0, 30.0], "Area one")
    assert "largest gap: 18-35 (-20 points)" in p.title or "largest gap: 36-50 (+30 points)" in p.title


def test_measured_text_width_matches_the_font_and_titles_wrap_to_the_figure():
    """Margins are planned from measured label widths (no trial drawing), so the measure must
    agree with matplotlib's own layout of the same text, erring wide, never narrow."""
    from matplotlib.font_manager import FontProperties

    for text in ["Camden & Islington", "Area 150 (synthetic)", "Public services (health, care)"]:
        exact = measure._RULER.get_text_width_height_descent(
            text, FontProperties(family="sans-serif", size=10), ismath=False
        )[0]
        ours = measure.text_width(text, 10) * 72
        assert exact <= ours <= exact * 1.06, (text, exact, ours)
    long = "Job outcome rate: 12 of 150 areas significantly better than all areas, 40 significantly worse"
    lines = measure.fit(long, 3.0, 11, "bold").split("\n")
    assert len(lines) > 1 and " ".join(lines) == long
    assert all(measure.text_width(line, 11, "bold") <= 3.0 for line in lines)


def _svg_height_inches(svg: str) -> float:
    return float(svg.split('height="', 1)[1].split("pt", 1)[0]) / 72


def test_many_areas_are_ranked_in_a_chart_of_fixed_height_with_the_names_in_the_table():
    few = [marks.Bar(f"Area {i:03d}", 30.0 + i, 25.0 + i, 35.0 + i, V.BETTER) for i in range(10)]
    many = [marks.Bar(f"Area {i:03d}", 30.0 + i / 10, 25.0, 45.0, V.WORSE) for i in range(150)]
    a = charts.compare_areas("Rate", "percent", few, 31.0, "2025-26")
    b = charts.compare_areas("Rate", "percent", many, 31.0, "2025-26")
    assert "Area 003" in a.svg  # few areas: named on the chart
    assert "Area 003" not in b.svg and "150 areas, lowest to highest" in b.svg
    assert len(b.rows) == 150 and b.rows[3][0] == "Area 003"  # ...and always in its table
    assert (
        _svg_height_inches(b.svg)
        < 6
        < _svg_height_inches(charts.compare_areas("Rate", "percent", many[:40], 31.0, "2025-26").svg)
    )


def test_the_lower_half_of_a_rating_scale_is_below_its_middle():
    """As the dataset judges a total of ratings (the middle of the scale from scales.yaml): 2.8
    on a 1-5 scale is in the lower half (middle 3), 1.6 on a 0-3 scale is not (middle 1.5)."""
    c = charts.rating_profile("Area one", ["Focus", "Audit"], [2.8, 1.6], [(1, 5), (0, 3)])
    assert "1 rated in the lower half of the scale" in c.title
    assert c.rows == (("Focus", "2.8 on a scale of 1 to 5"), ("Audit", "1.6 on a scale of 0 to 3"))


NEW_CHART = '''
"""A new kind of chart: its plan (words, data table) and its drawing, in one module."""
from generator.charts.plans import Chart


def dot_chart(label: str, value: float) -> Chart:
    title = f"{label}: {value:g}"
    return Chart((f"{__name__}:draw_dot", (value, title)), title, f"One dot at {value:g}.",
                 ("Label", "Value"), ((label, f"{value:g}"),))


def draw_dot(value: float, title: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg"><title>{title}</title><circle r="{value:g}"/></svg>'
'''


def test_a_new_kind_of_chart_is_one_module_with_no_registry_to_edit(tmp_path, monkeypatch):
    """CONTRIBUTING's walk: a chart module of its own (plan and drawing) plus the page that calls
    it; rendering, caching and the cache key need nothing else. The key follows the new module's
    code, so editing its drawing redraws its pictures."""
    from generator.base.cache import Cache
    from generator.charts.render import render

    (tmp_path / "dot_chart_kind.py").write_text(NEW_CHART, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import dot_chart_kind

    chart = dot_chart_kind.dot_chart("Area one", 3.0)
    cache = Cache(tmp_path / "cache.sqlite")
    svg = render({"dot": chart}, cache)["dot"]
    assert '<circle r="3"/>' in svg and "<title>Area one: 3</title>" in svg
    assert render({"dot": chart}, cache)["dot"] == svg and cache.hits >= 1
    before = chart.key
    (tmp_path / "dot_chart_kind.py").write_text(NEW_CHART.replace('r="', 'cx="1" r="'), encoding="utf-8")
    importlib.reload(dot_chart_kind)  # as a new process would load it
    charts.drawing_code.cache_clear()
    assert chart.key != before
    assert '<circle cx="1" r="3"/>' in render({"dot": chart}, cache)["dot"]
    monkeypatch.delitem(sys.modules, "dot_chart_kind")
    charts.drawing_code.cache_clear()


def test_the_areas_chart_draws_the_sources_targets_as_named_dotted_lines():
    """Issue 22: the ranked chart shows the targets beside the all-areas line (a reader need not
    work out that 38% and 43% are NDTi's references), for a few areas named at the foot, for many
    in the legend; a target beyond every value stretches the axis to reach it."""
    few = [marks.Bar(f"Area {i}", 20.0 + i, 15.0 + i, 25.0 + i, V.SIMILAR) for i in range(5)]
    targets = (("reference 38%", 38.0), ("reference 43%", 43.0), ("at least 70%", 70.0))
    c = charts.compare_areas("Job outcome rate", "percent", few, 22.0, "2025-26", targets)
    assert all(f">{label}<" in c.svg for label, _ in targets)
    assert "Dotted lines mark the sources' reference 38%; reference 43%; at least 70%" in c.alt
    assert ">70<" in c.svg  # the axis reaches the 70% target (the values stop at 29)
    many = [marks.Bar(f"Area {i}", 1.0 + i % 40, None, None, V.SIMILAR) for i in range(60)]
    ranked = charts.compare_areas("Job outcome rate", "percent", many, 20.0, "2025-26", targets[:2]).svg
    assert ">reference 38%; reference 43%<" in ranked
    plain = charts.compare_areas("Job outcome rate", "percent", few, 22.0, "2025-26")
    assert "reference" not in plain.svg and "Dotted" not in plain.alt


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
