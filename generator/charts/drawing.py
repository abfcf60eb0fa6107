"""Each chart's picture drawn from its plan: plain arguments in, SVG text out (through
:mod:`generator.charts.svgplot`), the same bytes for the same plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from generator.charts import measure, svgplot
from generator.charts.marks import (
    COLOURS,
    DARK_BLUE,
    DARK_PINK,
    DASHED,
    DOTTED,
    GREY,
    MANY_AREAS,
    ORANGE,
    TURQUOISE,
    Bar,
    by_verdict,
    clean,
    fmt,
    num,
    number_labels,
    outside_limits,
    said,
    value_ticks,
    wrap,
)
from generator.charts.measure import Key, nice_ticks


def draw_compare_areas(
    unit: str,
    shown: Sequence[Bar],
    national: float | None,
    title: str,
    targets: Sequence[tuple[str, float]] = (),
) -> str:
    order = sorted((b for b in clean(shown) if b.value is not None), key=lambda b: b.value or 0)
    national = num(national)
    if len(order) > MANY_AREAS:
        return _draw_ranked_areas(unit, order, national, title, targets)
    n = len(order)
    names = [wrap(b.label, 36) for b in order]
    fig = svgplot.Figure(title, 0.32 * max(n, 3) + 0.2, ylabels=names)
    ticks = value_ticks(order, national, *(v for _, v in targets))
    named = [t for t in targets if t[0]]
    # below the lowest bar, a row for each target's name, so that none lies on a bar or another
    fig.scales((ticks[0], ticks[-1]), (-0.6 - 0.45 * len(named), max(n, 3) - 0.4 + 0.5))
    colours = [COLOURS.get(b.verdict, DARK_BLUE) if b.verdict else DARK_BLUE for b in order]
    for i, (b, c) in enumerate(zip(order, colours, strict=True)):
        if b.highlight:
            fig.hbar(i, 0.0, b.value or 0.0, 0.6, c, stroke=c, width=1.2)
        else:
            fig.hbar(i, 0.0, b.value or 0.0, 0.6, "#BFD0E0")
    for highlight, colour in ((False, "#222222"), (True, "#FFFFFF")):
        fig.segments(
            [
                ((b.lower, i), (b.upper, i))
                for i, b in enumerate(order)
                if b.lower is not None and b.upper is not None and b.highlight == highlight
            ],
            colour,
            1.2,
        )
    for verdict_, marker, pts in by_verdict(order):
        for lit in (False, True):  # on a bar of its own colour, a marker is outlined in white
            fig.markers(
                [(b.value or 0.0, i) for i, b in pts if b.highlight == lit],
                marker,
                6,
                COLOURS.get(verdict_, DARK_BLUE) if verdict_ else DARK_BLUE,
                edge="#FFFFFF" if lit else "",
            )
    if national is not None:
        fig.vline(national, ORANGE, 1.5, DASHED)
        near_right = national > ticks[0] + 0.6 * (ticks[-1] - ticks[0])  # written inwards, not off the edge
        fig.text(
            national,
            max(n, 3) - 0.15,
            f"All areas {fmt(national, unit)}",
            size=9,
            colour="#8A3A0F",
            anchor="end" if near_right else "start",
            dx=-4 if near_right else 4,
        )
    for _, value in targets:
        fig.vline(value, GREY, 1.2, DOTTED)
    for k, (label, value) in enumerate(named):  # named at the foot, one row each, kept inside
        # written towards the side with room for the whole name (a long one runs left of its line)
        room_right = fig.right - fig.x(value)
        right = measure.text_width(label, 8) * 72 + 6 > room_right and fig.x(value) - fig.left > room_right
        fig.text(
            value,
            -0.62 - 0.45 * k,
            label,
            size=8,
            colour="#3d3d3d",
            anchor="end" if right else "start",
            dx=-3 if right else 3,
        )
    fig.axes(
        xticks=ticks,
        yticks=range(n),
        ylabels=names,
        xlabel={"percent": "Per cent (bars: value; lines: 95% interval)", "gbp": "Pounds"}.get(unit, unit),
    )
    return fig.svg()


def _draw_ranked_areas(
    unit: str, order: Sequence[Bar], national: float | None, title: str, targets: Sequence[tuple[str, float]]
) -> str:
    """Many areas: ranked left to right, lowest first, with intervals and the comparison's shape.

    A national chart has 150 areas; named one per row it would be fifty inches tall, unreadable
    as a picture and slow to draw. The names are in the table that goes with every chart.
    """
    fig = svgplot.Figure(
        title,
        3.6,
        ylabels=number_labels(*(x for b in order for x in (b.value, b.lower, b.upper)), national),
        axis_title_left=True,
        below=0.3,
    )
    ticks = value_ticks(order, national, *(v for _, v in targets))
    fig.scales((-1, len(order)), (ticks[0], ticks[-1]))
    fig.rects([(i - 0.4, 0.0, i + 0.4, b.value or 0.0) for i, b in enumerate(order)], "#BFD0E0")
    for i, b in enumerate(order):  # under its interval and marker, which keep their shape
        if b.highlight:
            fig.vbar(
                i, 0.0, b.value or 0.0, 0.8, COLOURS.get(b.verdict, DARK_BLUE) if b.verdict else DARK_BLUE
            )
    fig.segments(
        [
            ((i, b.lower), (i, b.upper))
            for i, b in enumerate(order)
            if b.lower is not None and b.upper is not None
        ],
        "#222222",
        0.8,
    )
    keys = []
    for verdict_, marker, pts in by_verdict(order):
        if pts:
            colour = COLOURS.get(verdict_, DARK_BLUE) if verdict_ else DARK_BLUE
            fig.markers([(i, b.value or 0.0) for i, b in pts if not b.highlight], marker, 4, colour)
            fig.markers(
                [(i, b.value or 0.0) for i, b in pts if b.highlight], marker, 6, colour, edge="#FFFFFF"
            )
            keys.append(Key(said(verdict_).capitalize() or "Not compared", colour, marker=marker))
    for i, b in enumerate(order):
        if b.highlight:  # the name above its bar, kept inside the picture at either end
            where = "start" if i < len(order) / 4 else "end" if i > 3 * len(order) / 4 else "middle"
            fig.text(i, max(b.value or 0.0, b.upper or 0.0), b.label, anchor=where, va="baseline", dy=-6)
    if national is not None:
        fig.hline(national, ORANGE, 1.5, DASHED)
        keys.append(Key(f"All areas {fmt(national, unit)}", ORANGE, line=1.5, dash=DASHED))
    for _, value in targets:
        fig.hline(value, GREY, 1.2, DOTTED)
    if targets:
        keys.append(Key("; ".join(label for label, _ in targets if label), GREY, line=1.2, dash=DOTTED))
    fig.axes(
        yticks=ticks,
        xlabel=f"{len(order)} areas, lowest to highest (the table names each one)",
        ylabel={"percent": "Per cent (lines: 95% interval)", "gbp": "Pounds"}.get(unit, unit),
    )
    fig.legend(keys)
    return fig.svg()


def draw_funnel_plot(
    points: Sequence[tuple[str, float, float]],
    p0: float | None,
    limits: Sequence[tuple[float, float, float, float, float]],
    title: str,
    highlight: str,
) -> str:
    points = [(label, n, v) for label, n, v in points if math.isfinite(n) and math.isfinite(v)]
    p0 = num(p0)
    fig = svgplot.Figure(
        title,
        3.0,
        ylabels=number_labels(*(v for _, _, v in points), p0),
        axis_title_left=True,
        below=0.3,
    )
    xs = [n for _, n, _ in points] + [x[0] for x in limits]
    ys = [v for _, _, v in points] + [y for x in limits for y in x[1:]] + ([p0] if p0 is not None else [])
    xs, ys = [x for x in xs if math.isfinite(x)], [y for y in ys if math.isfinite(y)]
    # fitted to the points and limits, as a scatter plot is: a funnel need not start at zero
    x0, x1, xticks = measure.padded(min(xs, default=0.0), max(xs, default=1.0))
    y0, y1, yticks = measure.padded(min(ys, default=0.0), max(ys, default=100.0))
    fig.scales((x0, x1), (y0, y1))
    keys = []
    if limits:
        for i, colour, width, dash in ((1, DARK_BLUE, 1.0, "3.7 1.6"), (3, DARK_PINK, 1.4, DOTTED)):
            fig.polyline([(x[0], x[i]) for x in limits], colour, width, dash)
            fig.polyline([(x[0], x[i + 1]) for x in limits], colour, width, dash)
        keys += [
            Key("95% limits", DARK_BLUE, line=1.0, dash="3.7 1.6"),
            Key("99.8% limits", DARK_PINK, line=1.4, dash=DOTTED),
        ]
    if p0 is not None:
        fig.hline(p0, ORANGE, 1.2)
        keys.append(Key(f"Centre: areas pooled {p0:.1f}%", ORANGE, line=1.2))
    labelled: list[tuple[str, float, float]] = []
    styles: dict[tuple[str, float, str], list[tuple[float, float]]] = {}  # one path per style
    for label, n, v in points:
        out = outside_limits(limits, n, v)
        mine = label == highlight
        style = (
            "D" if mine else "o",
            7 if mine else 5,
            DARK_PINK if out else TURQUOISE if mine else DARK_BLUE,
        )
        styles.setdefault(style, []).append((n, v))
        if out or mine:
            labelled.append((label, n, v))
    for (marker, size, colour), pts in sorted(styles.items(), key=lambda s: s[0][1]):  # highlight last
        fig.markers(pts, marker, size, colour)
    right_edge = max([n for _, n, _ in points] + [x[0] for x in limits], default=0.0) * 0.7
    for label, n, v in labelled:  # labels near the right edge are written leftwards
        inwards = n > right_edge
        fig.text(n, v, label, size=8, anchor="end" if inwards else "start", dx=-4 if inwards else 4, dy=-7)
    fig.axes(xticks=xticks, yticks=yticks, xlabel="Denominator (number of people)", ylabel="Per cent")
    # below the plot: with many areas, no corner inside it is free of points and limit lines
    fig.legend(keys)
    return fig.svg()


def draw_trend_line(
    unit: str,
    periods: Sequence[str],
    values: Sequence[float | None],
    national: Sequence[float | None],
    area: str,
    title: str,
    lower: Sequence[float | None] | None,
    upper: Sequence[float | None] | None,
    targets: Sequence[tuple[str, float]] = (),
    gaps: Sequence[str] = (),
    width: float = measure.FIG_WIDTH,
) -> str:
    """``targets``: the sources' figures, as dotted lines; ``gaps``: why each period has no value
    ("" where it has one), marked on the axis so that a break in the line is not read as a fall."""
    values, national = [num(v) for v in values], [num(v) for v in national]
    lower = [num(v) for v in lower] if lower else None
    upper = [num(v) for v in upper] if upper else None
    xs = list(range(len(periods)))
    pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
    nat = [(x, v) for x, v in zip(xs, national, strict=True) if v is not None and area != "All areas"]
    band = [
        (x, lo, hi)
        for x, lo, hi in zip(xs, lower or [None] * len(xs), upper or [None] * len(xs), strict=True)
        if lo is not None and hi is not None
    ]
    missing = [x for x, why in zip(xs, gaps, strict=False) if why]
    keys = [  # known before drawing: the legend's rows are planned into the picture's height
        *([Key("95% interval", DARK_BLUE, patch=DARK_BLUE, opacity=0.12)] if band else []),
        *([Key(area, DARK_BLUE, line=2, marker="o")] if pts else []),
        *([Key("All areas", ORANGE, line=1.5, dash=DASHED, marker="s")] if nat else []),
        *(Key(label, GREY, line=1.2, dash=DOTTED) for label, _ in targets if label),
        *([Key(f"No value for {area} (the table says why)", GREY, marker="D")] if missing else []),
    ]
    fig = svgplot.Figure(
        title,
        2.2,
        ylabels=number_labels(*values, *national, *(upper or ()), *(v for _, v in targets)),
        axis_title_left=True,
        xlabels_rotated=periods,
        below=0.3 + svgplot.LEGEND_ROW * (len(measure.legend_rows(keys, width)) - 1),
        width=width,
    )
    ends = [v for _, v in pts + nat] + [b for _, lo, hi in band for b in (lo, hi)] + [v for _, v in targets]
    # from 0 (a truncated axis would exaggerate change), with headroom so that the highest
    # point and its band clear the top of the chart
    ticks = nice_ticks(min(0.0, *ends), max(0.0, *ends) * 1.08) if ends else nice_ticks(0, 100)
    fig.scales((-0.35, max(len(xs) - 1, 0) + 0.35), (ticks[0], ticks[-1]))
    if band:
        fig.band([b[0] for b in band], [b[1] for b in band], [b[2] for b in band], DARK_BLUE, 0.12)
    if pts:
        fig.polyline(pts, DARK_BLUE, 2)
        fig.markers(pts, "o", 6, DARK_BLUE)
    if nat:
        fig.polyline(nat, ORANGE, 1.5, DASHED)
        fig.markers(nat, "s", 6, ORANGE)
    for _, value in targets:
        fig.hline(value, GREY, 1.2, DOTTED)
    fig.markers([(x, ticks[0]) for x in missing], "D", 7, GREY)
    fig.axes(
        xticks=xs,
        xlabels=list(periods),
        xtick_size=8,
        rotate_x=True,
        yticks=ticks,
        ylabel={"percent": "Per cent", "gbp": "Pounds"}.get(unit, unit),
    )
    fig.legend(keys)
    return fig.svg()


def draw_profile_bars(
    categories: Sequence[str], intake: Sequence[float | None], population: Sequence[float | None], title: str
) -> str:
    intake, population = [num(v) for v in intake], [num(v) for v in population]
    categories = [wrap(c, 36) for c in categories]
    n = len(categories)
    fig = svgplot.Figure(title, 0.45 * max(n, 3), ylabels=categories, below=0.3)
    ticks = nice_ticks(0.0, max([1.0, *(v for v in (*intake, *population) if v is not None)]))
    fig.scales((ticks[0], ticks[-1]), (-0.6, max(n, 3) - 0.4))
    ys = [n - 1 - r for r in range(n)]  # first category at the top, as in the table
    hatched = fig.hatch(TURQUOISE)
    for y, i, p in zip(ys, intake, population, strict=True):
        if i is None:  # a missing bar would read as 0%: say why it is missing
            fig.text(0, y + 0.2, "suppressed or not recorded", size=7, colour="#3d3d3d", dx=3)
        else:
            fig.hbar(y + 0.2, 0.0, i, 0.38, DARK_BLUE)
        if p is not None:
            fig.hbar(y - 0.2, 0.0, p, 0.38, hatched)
    fig.axes(xticks=ticks, yticks=ys, ylabels=list(categories), xlabel="Per cent")
    fig.legend(
        [
            Key("New referrals (recorded)", DARK_BLUE, patch=DARK_BLUE),
            Key("Local population", TURQUOISE, patch=hatched),
        ]
    )
    return fig.svg()


def draw_rating_profile(
    labels: Sequence[str], values: Sequence[float | None], scales: Sequence[tuple[float, float]], title: str
) -> str:
    wrapped = [wrap(lbl, 38) for lbl in labels]
    values = [num(v) for v in values]
    n = len(labels)
    fig = svgplot.Figure(title, 0.45 * max(n, 3), ylabels=wrapped, ylabel_size=8, below=0.3)
    top_all = max([1.0, *(t for _, t in scales)])
    ticks = nice_ticks(0.0, top_all)
    fig.scales((ticks[0], ticks[-1] + 0.05 * top_all), (-0.6, max(n, 3) - 0.4))
    ys = [n - 1 - r for r in range(n)]  # first rating at the top, as in the table
    for y, v, (bottom, top) in zip(ys, values, scales, strict=True):
        fig.hbar(y, 0.0, top, 0.6, "#E8EEF4")
        if v is not None:
            up = (v - bottom) / (top - bottom) if top > bottom else 1.0  # how far up its scale
            colour = DARK_BLUE if up >= 0.75 else ORANGE if up >= 0.5 else DARK_PINK
            fig.hbar(y, 0.0, v, 0.6, colour)
            fig.text(v, y, f"{v:g} of {top:g}", size=8, dx=3)
        else:
            fig.text(0, y, "not given", size=8, colour="#3d3d3d", dx=3)
    fig.axes(
        xticks=ticks,
        yticks=ys,
        ylabels=wrapped,
        ytick_size=8,
        xlabel="Rating (grey bar: the scale's maximum)",
    )
    fig.legend(
        [
            Key("three-quarters of the way up the scale or more", DARK_BLUE, patch=DARK_BLUE),
            Key("upper half, below three-quarters", ORANGE, patch=ORANGE),
            Key("lower half of the scale", DARK_PINK, patch=DARK_PINK),
        ]
    )
    return fig.svg()


def draw_category_bars(unit: str, bars: Sequence[Bar], title: str) -> str:
    bars = clean(bars)
    wrapped = [wrap(b.label, 30) for b in bars]
    n = len(bars)
    fig = svgplot.Figure(title, 0.4 * max(n, 3) + 0.2, ylabels=wrapped, ylabel_size=8)
    ticks = value_ticks(bars)
    # room on the right for the value written after the longest bar
    fig.scales((ticks[0], ticks[-1] * 1.12 if ticks[-1] > 0 else 1.0), (-0.6, max(n, 3) - 0.4))
    ys = [n - 1 - r for r in range(n)]  # first category at the top
    for y, b in zip(ys, bars, strict=True):
        if b.value is None:
            fig.text(0, y, "suppressed or not available", size=8, colour=GREY, dx=3)
            continue
        fig.hbar(y, 0.0, b.value, 0.6, DARK_BLUE)
        if b.lower is not None and b.upper is not None:
            fig.segments([((b.lower, y), (b.upper, y))], ORANGE, 1.6)
        fig.text(max(b.value, b.upper or 0.0), y, fmt(b.value, unit), size=8, dx=4)
    fig.axes(
        xticks=ticks,
        yticks=ys,
        ylabels=wrapped,
        ytick_size=8,
        xlabel={"percent": "Per cent (lines: 95% interval)", "count": "Number"}.get(unit, unit),
    )
    return fig.svg()
