"""The spine chart: each key indicator of an area against all areas, better always to the right.

A kind of chart in one module, its plan (title, alt text, data table) and its drawing together,
as CONTRIBUTING.md describes: the plan names its drawing as ``module:function``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from generator.calc.verdicts import Verdict
from generator.charts import measure, svgplot
from generator.charts.marks import COLOURS, DARK_BLUE, DASHED, GREY, MARKERS, ORANGE, Spine, fmt, num, said
from generator.charts.measure import Key
from generator.charts.plans import Chart


def spine_chart(area: str, spines: Sequence[Spine]) -> Chart:
    """Each key indicator against all areas: the range (light), the middle half (darker), the
    all-areas value (centre line) and the area's value (shape shows the comparison).

    Every row is scaled around the all-areas value and turned so that better is to the right,
    whatever the indicator's direction.
    """
    better = sum(s.verdict == Verdict.BETTER for s in spines)
    worse = sum(s.verdict == Verdict.WORSE for s in spines)
    # "significantly" would overstate it: money has no interval and is compared as a plain value
    title = f"{area}: {better} of {len(spines)} key indicators better than all areas, {worse} worse"
    alt = (
        f"Spine chart for {area}: for each of {len(spines)} key indicators, where the area's value lies "
        "within the range of all areas (light band), the middle half of areas (dark band) and the all-areas "
        f"value (centre line), with better always to the right. {better} better, {worse} worse. The table "
        "below gives every value."
    )
    rows = tuple(
        (
            s.label,
            fmt(s.value, s.unit),
            fmt(s.national, s.unit),
            f"{fmt(s.low, s.unit)} to {fmt(s.high, s.unit)}",
            said(s.verdict),
        )
        for s in spines
    )
    return Chart(
        (f"{__name__}:draw_spine_chart", (tuple(spines), title)),
        title,
        alt,
        ("Indicator", area, "All areas", "Range of areas", "Compared with all areas"),
        rows,
    )


def draw_spine_chart(spines: Sequence[Spine], title: str, width: float = measure.FIG_WIDTH) -> str:
    n = len(spines)
    # each row's value is written in a column at the right, as wide as the widest of them
    texts = [fmt(num(s.value), s.unit) for s in spines]
    if width < measure.FIG_WIDTH:  # on a phone the labels need the room; the table says why
        texts = [t if num(s.value) is not None else "n/a" for s, t in zip(spines, texts, strict=True)]
    column = max((measure.text_width(t, 8) for t in texts), default=0.0) + measure.PAD + 0.12
    fig = svgplot.Figure(
        title,
        0.55 * max(n, 3) + 0.2,
        ylabels=[s.label for s in spines],
        ylabel_size=9,
        right=column,
        below=0.3 + svgplot.LEGEND_ROW * (2 if width < measure.FIG_WIDTH else 1),
        width=width,
    )
    fig.scales((-0.05, 1.05), (-0.6, max(n, 3) - 0.4))
    for y, (s, text) in enumerate(zip(reversed(spines), reversed(texts), strict=True)):
        fig.label(fig.width - measure.PAD * 72, fig.y(y), text, size=8, anchor="end")
        if not all(math.isfinite(v) for v in (s.national, s.low, s.q1, s.q3, s.high)):
            continue  # no spread of areas to place it in
        half = max(abs(s.high - s.national), abs(s.national - s.low), 1e-9)
        flip = -1.0 if s.polarity == "lower_better" else 1.0

        def pos(v: float, s: Spine = s, half: float = half, flip: float = flip) -> float:
            # an area beyond the range (its own value was left out of it) stays on the chart
            return min(1.04, max(-0.04, 0.5 + flip * (v - s.national) / (2 * half)))

        fig.hbar(y, pos(s.low), pos(s.high), 0.5, "#D9E2EC")  # (the rectangle sorts its ends)
        fig.hbar(y, pos(s.q1), pos(s.q3), 0.5, "#8FA9C4")
        value = num(s.value)
        if value is not None:
            fig.markers([(pos(value), y)], _shape(s.verdict), 9, _colour(s.verdict))
    fig.vline(0.5, ORANGE, 1.5, DASHED)
    fig.axes(
        xticks=[0.0, 0.5, 1.0],
        xlabels=["worse", "all areas", "better"],
        yticks=range(n),
        ylabels=[s.label for s in reversed(spines)],
        ytick_size=9,
    )
    keys = [
        Key("Worst to best area", DARK_BLUE, patch="#D9E2EC"),
        Key("25th to 75th percentile", DARK_BLUE, patch="#8FA9C4"),
        Key("All areas", ORANGE, line=1.5, dash=DASHED),
    ]
    shown = dict.fromkeys(s.verdict for s in spines if num(s.value) is not None)
    for v in shown:  # the shapes on the chart, each said once
        keys.append(Key(said(v).capitalize() or "Not compared", _colour(v), marker=_shape(v)))
    fig.legend(keys)
    return fig.svg()


def _shape(v: Verdict | None) -> str:
    """A compared value's shape (up, down, circle); one not compared (too few people, no
    comparison) a grey diamond, never the circle of "not significantly different"."""
    return MARKERS.get(v, "D") if v else "D"


def _colour(v: Verdict | None) -> str:
    return COLOURS.get(v, GREY) if v else GREY
