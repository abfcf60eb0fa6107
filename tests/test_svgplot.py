"""Charts written straight as SVG: well-formed whatever the labels say, every mark inside the
picture, deterministic, with no value that is not a number drawn and no colour lost."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from generator.calc.verdicts import Verdict as V
from generator.charts import drawing, marks, measure, spine
from generator.charts import plans as charts

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "Area <script>alert(\"x\")</script> & 'co'\x01"


def _all_kinds(label: str = "Area one") -> list[charts.Chart]:
    bars = [
        marks.Bar(label, 40.0, 35.0, 45.0, V.BETTER, highlight=True),
        marks.Bar("Area two", 20.0, 15.0, 26.0, V.WORSE),
        marks.Bar("Area three", None),
        marks.Bar("Area four", 30.0, 25.0, 35.0, V.SIMILAR),
    ]
    many = [
        marks.Bar(f"Area {i:03d}", 30.0 + i / 10, 25.0, 45.0, V.WORSE, highlight=i == 7) for i in range(150)
    ]
    return [
        charts.compare_areas("Job outcome rate", "percent", bars, 31.0, "2025-26"),
        charts.compare_areas("Job outcome rate", "percent", [*many[:-1], marks.Bar(label, 60.0)], 31.0, "Q1"),
        charts.compare_areas("Change in wellbeing", "score", [marks.Bar(label, -3.5, -6.0, -1.0)], 1.0, "Q1"),
        charts.trend_line(
            "Rate",
            "percent",
            ["Q1", "Q2", "Q3"],
            [33.0, None, 35.0],
            [30.0, 31.0, 29.0],
            label,
            "no change",
            [28.0, None, 30.0],
            [38.0, None, 41.0],
        ),
        charts.trend_line("Rate", "gbp", ["Q1"], [None], [None], "All areas", "too few periods"),
        charts.profile_bars(
            "age", ["18-35", label, "Over 65"], [20.0, None, 60.0], [40.0, 30.0, None], label
        ),
        charts.rating_profile(label, [label, "Second rating"], [4.5, None], [(1, 5), (0, 3)]),
        charts.category_bars("Outcomes by age", "percent", bars, "2025-26", "all areas"),
        charts.funnel_plot(
            "Job outcome rate",
            [(label, 200.0, 63.0), ("Area two", 20.0, 39.0), ("Area three", 150.0, 20.0)],
            36.7,
            [
                (n, 36.7 - 300 / n, 36.7 + 300 / n, math.nan if n < 30 else 36.7 - 450 / n, 36.7 + 450 / n)
                for n in range(16, 240, 8)
            ],
            "no overdispersion",
            "2025-26",
            highlight="Area three",
        ),
        spine.spine_chart(
            label,
            [
                marks.Spine(label, 20.0, 35.0, 15.0, 30.0, 40.0, 64.0, "lower_better", V.BETTER, "percent"),
                marks.Spine(
                    "Cost per job", None, 4000.0, 1500.0, 3000.0, 5000.0, 17000.0, "lower_better", None, "gbp"
                ),
                marks.Spine(
                    "Beyond the range",
                    90.0,
                    35.0,
                    15.0,
                    30.0,
                    40.0,
                    64.0,
                    "higher_better",
                    V.BETTER,
                    "percent",
                ),
            ],
        ),
    ]


def _path_points(d: str) -> list[tuple[float, float]]:
    """Every point a path visits (the commands svgplot writes: M L H V z, h v, and arcs a)."""
    x = y = 0.0
    points = []
    for cmd, args in re.findall(r"([MLHVZhvaz])([^MLHVZhvaz]*)", d):
        n = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if cmd in "ML":
            for i in range(0, len(n), 2):
                x, y = n[i], n[i + 1]
                points.append((x, y))
        elif cmd in "Hh":
            x = n[0] + (x if cmd == "h" else 0)
        elif cmd in "Vv":
            y = n[0] + (y if cmd == "v" else 0)
        elif cmd == "a":  # an arc to (x+dx, y+dy) of radius r reaches r either side
            r = n[0]
            points += [(x - r, y - r), (x + r, y + r)]
            x, y = x + n[5], y + n[6]
        points.append((x, y))
    return points


@pytest.mark.parametrize("chart", _all_kinds(HOSTILE), ids=lambda c: c.plot[0])
def test_any_label_gives_well_formed_svg_with_the_label_as_text(chart: charts.Chart) -> None:
    svg = chart.svg
    root = ET.fromstring(svg)  # well-formed XML: a stray '<' or '&' in a name would break it
    assert root.tag == f"{NS}svg"
    named = " ".join(measure._NOT_XML.sub("", chart.title).split())
    assert root.findtext(f"{NS}title") == named  # the headline names the picture opened alone
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert not any("<script>" in t and "\x01" in t for t in texts)
    labelled = "<script>" in chart.title or (
        len(chart.rows) <= marks.MANY_AREAS and "<script>" in repr(chart.rows)
    )
    if labelled:
        assert any('<script>alert("x")</script>' in t for t in texts)  # shown as text, not markup
    assert "<script" not in svg


@pytest.mark.parametrize("chart", _all_kinds(), ids=lambda c: c.plot[0])
def test_every_mark_lies_inside_the_picture(chart: charts.Chart) -> None:
    root = ET.fromstring(chart.svg)
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    tiles = {id(e) for pattern in root.iter(f"{NS}pattern") for e in pattern.iter()}  # own coordinates
    for el in root.iter():
        if id(el) in tiles:
            continue
        if el.tag == f"{NS}rect" and el.get("x") is not None:
            x, y, w, h = (float(el.get(k, "0")) for k in ("x", "y", "width", "height"))
            assert x >= 0 and x + w <= width + 0.01 and y >= 0 and y + h <= height + 0.01, el.attrib
            assert w >= 0 and h >= 0
        if el.tag == f"{NS}text" and el.get("x") is not None and "rotate" not in el.get("transform", ""):
            x, width_pt = (
                float(el.get("x", "0")),
                measure.text_width(el.text or "", float(el.get("font-size", "10"))) * 72,
            )
            start = {"start": x, "middle": x - width_pt / 2, "end": x - width_pt}[
                el.get("text-anchor", "start")
            ]
            assert start >= -0.5 and start + width_pt <= width + 0.5, (
                el.text,
                start,
                start + width_pt,
                width,
            )
        if el.tag == f"{NS}path":
            for px, py in _path_points(el.get("d", "")):
                assert -0.01 <= px <= width + 0.01 and -0.01 <= py <= height + 0.01, (
                    el.get("d"),
                    width,
                    height,
                )


def test_charts_skip_matplotlib_and_are_deterministic() -> None:
    kinds = _all_kinds()
    drawings = {f"{m.__name__}:{n}" for m in (drawing, spine) for n in dir(m) if n.startswith("draw_")}
    assert {c.plot[0] for c in kinds} == drawings  # every kind is tested here
    for c, again in zip(kinds, _all_kinds(), strict=True):  # plans made afresh draw the same bytes
        assert c.svg == again.svg
        assert "matplotlib" not in c.svg.lower()


def _with_nan(chart: charts.Chart) -> charts.Chart:
    """The same plan with every number that may be missing made NaN (what a blank cell read as a
    float gives): NaN must draw as missing, never crash or reach the picture as 'nan'."""
    nan = math.nan

    def swap(x: object) -> object:
        if isinstance(x, marks.Bar):
            return marks.Bar(x.label, nan, nan, nan, x.verdict, x.highlight)
        if isinstance(x, marks.Spine):
            return marks.Spine(x.label, nan, nan, x.low, x.q1, x.q3, x.high, x.polarity, x.verdict, x.unit)
        if isinstance(x, float):
            return nan
        if isinstance(x, tuple):
            return tuple(swap(y) for y in x)
        return x

    name, args = chart.plot
    return charts.Chart(
        (name, tuple(swap(a) if not isinstance(a, str) else a for a in args)),
        *[getattr(chart, f) for f in ("title", "alt", "header", "rows")],
    )


@pytest.mark.parametrize("chart", _all_kinds(), ids=lambda c: c.plot[0])
def test_values_that_are_not_numbers_draw_as_missing(chart: charts.Chart) -> None:
    svg = charts.draw(_with_nan(chart))
    ET.fromstring(svg)
    assert not re.search(r"\b(nan|inf)\b", svg, re.IGNORECASE)


def test_coloured_text_keeps_its_colour() -> None:
    """A style sheet rule beats an SVG fill attribute, so the sheet must not set text's fill:
    the all-areas label is brown and the notes grey, not black."""
    c = charts.compare_areas("Rate", "percent", [marks.Bar("Area one", 40.0)], 31.0, "2025-26")
    style = ET.fromstring(c.svg).find(f"{NS}style")
    assert style is not None and "fill" not in (style.text or "")
    assert 'fill="#8A3A0F"' in c.svg
