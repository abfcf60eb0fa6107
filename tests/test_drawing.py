"""Chart drawings: many areas ranked in a chart of fixed height, the sources' targets drawn as
named lines, and rows that read top down in their table's order."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.calc.verdicts import Verdict as V
from generator.charts import marks
from generator.charts import plans as charts

NS = "{http://www.w3.org/2000/svg}"


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


def _row_labels(svg: str, wanted: list[str]) -> list[str]:
    """The wanted labels in the order they appear from the top of the picture down."""
    root = ET.fromstring(svg)
    found = []
    for t in root.iter(f"{NS}text"):
        text = " ".join("".join(t.itertext()).split())
        y = t.get("y") or next(t.iter(f"{NS}tspan")).get("y")
        if text in wanted:
            found.append((float(y or 0), text))
    return [text for _, text in sorted(found)]


def test_rows_read_top_down_in_the_tables_order() -> None:
    """A chart and its table list categories in the same order, first at the top."""
    cats = ["Under 18", "18-35", "36-50", "Over 65"]
    p = charts.profile_bars("age", cats, [1.0, 30.0, 50.0, 2.0], [5.0, 40.0, 30.0, 25.0], "Area one")
    assert _row_labels(p.svg, cats) == cats == [r[0] for r in p.rows]
    labels = ["Focus on finding paid employment", "Speed of contact", "Benefits advice"]
    r = charts.rating_profile("Area one", labels, [3.0, 4.5, 2.0], [(1, 5), (1, 5), (0, 3)])
    assert _row_labels(r.svg, labels) == labels == [row[0] for row in r.rows]


def test_a_long_target_name_stays_inside_the_picture_on_its_own_row():
    """The review found "reference 38%: Average, all LA/NHS-commissioned services" running off the
    right edge and over the 43% label: each name is written towards the side with room for it,
    on a row of its own below the bars."""
    from generator.charts import measure

    bars = [marks.Bar(f"Area {i}", 30.0 + 5 * i, 25.0 + 5 * i, 36.0 + 5 * i, V.SIMILAR) for i in range(8)]
    names = ("reference 38%: Average, all LA/NHS-commissioned services", "reference 43%: Best practice sites")
    c = charts.compare_areas(
        "Job outcome rate", "percent", bars, 37.6, "2025-26", ((names[0], 38.0), (names[1], 43.0))
    )
    root = ET.fromstring(c.svg)
    width = float(root.get("viewBox").split()[2])
    ys = []
    for t in root.iter(f"{NS}text"):
        if t.text in names:
            x, size = float(t.get("x")), float(t.get("font-size", "8"))
            span = measure.text_width(t.text, size) * 72
            left = x - span if t.get("text-anchor") == "end" else x
            assert left >= 0 and left + span <= width, (t.text, left, span, width)
            ys.append(float(t.get("y")))
    assert len(ys) == 2 and abs(ys[0] - ys[1]) >= 8  # a row each, not one over the other
