"""Charts for the site: SVG, deterministic, accessible.

Each chart function takes plain values and returns a :class:`Chart`: the SVG text, a headline
title that states the message, alt text, and the data table the chart shows (the site puts the
table next to the image, so nothing is only in the picture). The same inputs give the same
bytes, and text stays text (selectable, readable by tools).

The pictures are written straight as SVG by :mod:`generator.charts.svgplot`: a hundred times quicker
than through matplotlib, which made drawing a third of a national build, and a quarter of the
size. Margins are still planned from matplotlib's metrics for the font the charts name.

Colours are the Analysis Function's accessible categorical palette; shapes and labels carry the
meaning as well, never colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import matplotlib

from generator.base.cache import code_fingerprint, digest
from generator.calc import verdicts
from generator.calc.verdicts import Verdict
from generator.charts import svgplot
from generator.charts.svgplot import Key, nice_ticks

DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE = "#12436D", "#28A197", "#801650", "#F46A25"
GREY = svgplot.GREY
DASHED, DOTTED = "5.5 2.4", "1.4 2.3"  # dashes and dots as matplotlib draws them at 1.5 and 1.4 pt


@dataclass(frozen=True)
class Chart:
    """What a page needs to show a chart: the words (title, alt text, data table) at once, and
    the plan for the picture (a drawing function's name and its plain arguments).

    The picture is drawn later, by :func:`draw` (or many at once by :mod:`generator.charts.render`,
    through the cache): the plan is what the cache key is made of.
    """

    plot: tuple[str, tuple[Any, ...]]
    title: str
    alt: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def svg(self) -> str:
        return draw(self)

    @property
    def key(self) -> str:
        """A digest of everything the picture depends on: the plan and the drawing code."""
        return digest(FINGERPRINT, repr(self.plot))


def draw(chart: Chart) -> str:
    name, args = chart.plot
    return _DRAW[name](*args)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    verdict: Verdict | None = None  # the comparison with all areas (better, worse, similar)
    highlight: bool = False


def _num(x: float | None) -> float | None:
    """A value to draw: None for one that is missing or not a number (NaN, infinite), which the
    chart shows as missing, as its table says "suppressed or not available"."""
    return x if x is not None and math.isfinite(x) else None


def _clean(bars: Sequence[Bar]) -> list[Bar]:
    return [replace(b, value=_num(b.value), lower=_num(b.lower), upper=_num(b.upper)) for b in bars]


def _number_labels(*values: float | None) -> tuple[str, ...]:
    """The widest tick label a numeric axis reaching these values might carry."""
    top = max((abs(v) for v in values if v is not None and math.isfinite(v)), default=100.0)
    return (f"{top * 1.1:,.1f}",)


def fmt(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "suppressed or not available"
    if unit == "percent":
        return f"{v:.1f}%"
    if unit == "gbp":
        return f"£{v:,.0f}"
    return f"{v:g}"


MARKERS = {Verdict.BETTER: "^", Verdict.WORSE: "v", Verdict.SIMILAR: "o"}
COLOURS = {Verdict.BETTER: TURQUOISE, Verdict.WORSE: DARK_PINK, Verdict.SIMILAR: DARK_BLUE}


def _said(v: Verdict | None) -> str:
    return "" if v is None else verdicts.say(v)


def compare_areas(
    indicator: str, unit: str, bars: Sequence[Bar], national: float | None, period: str
) -> Chart:
    """Horizontal bars (areas) with 95% interval whiskers and the all-areas value as a line.

    The marker at the end of each bar shows the comparison with all areas by shape as well as
    colour: triangle up = better, triangle down = worse, circle = not significantly different.
    """
    shown = [b for b in bars if b.value is not None]
    worse = sum(b.verdict == Verdict.WORSE for b in shown)
    better = sum(b.verdict == Verdict.BETTER for b in shown)
    # values with no interval (money, ratios, ratings) are compared as plain values, not tested
    tested = any(b.lower is not None for b in shown)
    sig = "significantly " if tested else ""
    title = (
        f"{indicator}: {better} of {len(shown)} areas {sig}better than all areas, "
        f"{worse} {sig}worse ({period}{'' if tested else ', no interval'})"
    )
    alt = (
        f"Bar chart of {indicator} for {len(shown)} areas in {period}, lowest to highest, "
        + ("with 95% intervals " if tested else "")
        + f"and the all-areas value of {fmt(national, unit)}. {better} areas are {sig}better and "
        f"{worse} {sig}worse than all areas"
        + ("" if tested else " (plain values: no interval, so not tested for chance)")
        + ". The table below gives every value."
    )
    rows = tuple((b.label, fmt(b.value, unit), _interval(b, unit), _said(b.verdict)) for b in bars)
    plan = ("compare_areas", (unit, tuple(shown), national, title))
    return Chart(plan, title, alt, ("Area", "Value", "95% interval", "Compared with all areas"), rows)


def _by_verdict(order: Sequence[Bar]) -> list[tuple[Verdict | None, str, list[tuple[int, Bar]]]]:
    """(verdict, marker shape, [(position, bar)]) for each comparison: one artist per kind (None:
    not compared, or a comparison without a shape, such as higher or lower)."""
    kinds: list[tuple[Verdict | None, str]] = [*MARKERS.items(), (None, "o")]
    return [
        (
            v,
            marker,
            [(i, b) for i, b in enumerate(order) if (b.verdict if b.verdict in MARKERS else None) == v],
        )
        for v, marker in kinds
    ]


MANY_AREAS = 40  # more than this and the areas are ranked along the bottom, unnamed


def _draw_compare_areas(unit: str, shown: Sequence[Bar], national: float | None, title: str) -> str:
    order = sorted((b for b in _clean(shown) if b.value is not None), key=lambda b: b.value or 0)
    national = _num(national)
    if len(order) > MANY_AREAS:
        return _draw_ranked_areas(unit, order, national, title)
    n = len(order)
    names = [_wrap(b.label, 36) for b in order]
    fig = svgplot.Figure(title, 0.32 * max(n, 3) + 0.2, ylabels=names)
    ticks = _value_ticks(order, national)
    fig.scales((ticks[0], ticks[-1]), (-0.6, max(n, 3) - 0.4 + 0.5))
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
    for verdict_, marker, pts in _by_verdict(order):
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
    fig.axes(
        xticks=ticks,
        yticks=range(n),
        ylabels=names,
        xlabel={"percent": "Per cent (bars: value; lines: 95% interval)", "gbp": "Pounds"}.get(unit, unit),
    )
    return fig.svg()


def _value_ticks(bars: Sequence[Bar], *more: float | None) -> list[float]:
    """Ticks for a value axis that starts at zero (bars do) and reaches every value, interval end
    and reference line (``more``)."""
    ends = [x for b in bars for x in (b.value, b.lower, b.upper) if x is not None]
    ends += [x for x in more if x is not None]
    return nice_ticks(min([0.0, *ends]), max([0.0, *ends]))


def _draw_ranked_areas(unit: str, order: Sequence[Bar], national: float | None, title: str) -> str:
    """Many areas: ranked left to right, lowest first, with intervals and the comparison's shape.

    A national chart has 150 areas; named one per row it would be fifty inches tall, unreadable
    as a picture and slow to draw. The names are in the table that goes with every chart.
    """
    fig = svgplot.Figure(
        title,
        3.6,
        ylabels=_number_labels(*(x for b in order for x in (b.value, b.lower, b.upper)), national),
        axis_title_left=True,
        below=0.3,
    )
    ticks = _value_ticks(order, national)
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
    for verdict_, marker, pts in _by_verdict(order):
        if pts:
            colour = COLOURS.get(verdict_, DARK_BLUE) if verdict_ else DARK_BLUE
            fig.markers([(i, b.value or 0.0) for i, b in pts if not b.highlight], marker, 4, colour)
            fig.markers(
                [(i, b.value or 0.0) for i, b in pts if b.highlight], marker, 6, colour, edge="#FFFFFF"
            )
            keys.append(Key(_said(verdict_).capitalize() or "Not compared", colour, marker=marker))
    for i, b in enumerate(order):
        if b.highlight:  # the name above its bar, kept inside the picture at either end
            where = "start" if i < len(order) / 4 else "end" if i > 3 * len(order) / 4 else "middle"
            fig.text(i, max(b.value or 0.0, b.upper or 0.0), b.label, anchor=where, va="baseline", dy=-6)
    if national is not None:
        fig.hline(national, ORANGE, 1.5, DASHED)
        keys.append(Key(f"All areas {fmt(national, unit)}", ORANGE, line=1.5, dash=DASHED))
    fig.axes(
        yticks=ticks,
        xlabel=f"{len(order)} areas, lowest to highest (the table names each one)",
        ylabel={"percent": "Per cent (lines: 95% interval)", "gbp": "Pounds"}.get(unit, unit),
    )
    fig.legend(keys)
    return fig.svg()


def funnel_plot(
    indicator: str,
    points: Sequence[tuple[str, float, float]],
    p0: float | None,
    limits: Sequence[tuple[float, float, float, float, float]],
    phi_text: str,
    period: str,
    highlight: str = "",
    outside: int | None = None,
) -> Chart:
    """Funnel plot: each area's value (percent) against its denominator, with 95% and 99.8% limits.

    ``limits`` are (n, lower95, upper95, lower998, upper998) in percent along a grid of n;
    ``outside``, the areas outside the 99.8% limits as the dataset judges them (else counted
    against the grid).
    """
    if outside is None:
        outside = sum(_outside(limits, n, v) for _, n, v in points)
    title = f"{indicator}: {outside} of {len(points)} areas outside the 99.8% limits ({period})"
    alt = (
        f"Funnel plot of {indicator} in {period}: each area's value against its number of people, with "
        f"95% and 99.8% control limits around the share pooled from the areas ({phi_text}). {outside} "
        "areas lie outside the 99.8% limits. The table below gives every value."
    )
    rows = tuple((label, f"{n:g}", f"{v:.1f}%") for label, n, v in points)
    plan = ("funnel_plot", (tuple(points), p0, tuple(limits), title, highlight))
    return Chart(plan, title, alt, ("Area", "Denominator", "Value"), rows)


def _outside(limits: Sequence[tuple[float, float, float, float, float]], n: float, v: float) -> bool:
    lim = min(limits, key=lambda x: abs(x[0] - n)) if limits else None
    return bool(lim and (v < lim[3] or v > lim[4]))


def _draw_funnel_plot(
    points: Sequence[tuple[str, float, float]],
    p0: float | None,
    limits: Sequence[tuple[float, float, float, float, float]],
    title: str,
    highlight: str,
) -> str:
    points = [(label, n, v) for label, n, v in points if math.isfinite(n) and math.isfinite(v)]
    p0 = _num(p0)
    fig = svgplot.Figure(
        title,
        3.0,
        ylabels=_number_labels(*(v for _, _, v in points), p0),
        axis_title_left=True,
        below=0.3,
    )
    xs = [n for _, n, _ in points] + [x[0] for x in limits]
    ys = [v for _, _, v in points] + [y for x in limits for y in x[1:]] + ([p0] if p0 is not None else [])
    xs, ys = [x for x in xs if math.isfinite(x)], [y for y in ys if math.isfinite(y)]
    # fitted to the points and limits, as a scatter plot is: a funnel need not start at zero
    x0, x1, xticks = svgplot.padded(min(xs, default=0.0), max(xs, default=1.0))
    y0, y1, yticks = svgplot.padded(min(ys, default=0.0), max(ys, default=100.0))
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
        out = _outside(limits, n, v)
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


def trend_line(
    indicator: str,
    unit: str,
    periods: Sequence[str],
    values: Sequence[float | None],
    national: Sequence[float | None],
    area: str,
    trend: str,
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
) -> Chart:
    """The area's value over time against all areas, with a 95% band where there is one."""
    title = f"{area}, {indicator}: {trend}"
    alt = (
        f"Line chart of {indicator} for {area} over {len(periods)} periods, with the all-areas value. "
        f"Trend: {trend}. The table below gives every value."
    )
    if area == "All areas":  # the all-areas series itself: one column, not the same one twice
        alt = alt.replace(", with the all-areas value", "")
        header: tuple[str, ...] = ("Period", area)
        rows: tuple[tuple[str, ...], ...] = tuple(
            (p, fmt(v, unit)) for p, v in zip(periods, values, strict=True)
        )
    else:
        header = ("Period", area, "All areas")
        rows = tuple(
            (p, fmt(v, unit), fmt(n, unit)) for p, v, n in zip(periods, values, national, strict=True)
        )
    plan = (
        "trend_line",
        (
            unit,
            tuple(periods),
            tuple(values),
            tuple(national),
            area,
            title,
            tuple(lower) if lower else None,
            tuple(upper) if upper else None,
        ),
    )
    return Chart(plan, title, alt, header, rows)


def _draw_trend_line(
    unit: str,
    periods: Sequence[str],
    values: Sequence[float | None],
    national: Sequence[float | None],
    area: str,
    title: str,
    lower: Sequence[float | None] | None,
    upper: Sequence[float | None] | None,
) -> str:
    values, national = [_num(v) for v in values], [_num(v) for v in national]
    lower = [_num(v) for v in lower] if lower else None
    upper = [_num(v) for v in upper] if upper else None
    fig = svgplot.Figure(
        title,
        2.2,
        ylabels=_number_labels(*values, *national, *(upper or ())),
        axis_title_left=True,
        xlabels_rotated=periods,
        below=0.3,
    )
    xs = list(range(len(periods)))
    pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
    nat = [(x, v) for x, v in zip(xs, national, strict=True) if v is not None and area != "All areas"]
    band = [
        (x, lo, hi)
        for x, lo, hi in zip(xs, lower or [None] * len(xs), upper or [None] * len(xs), strict=True)
        if lo is not None and hi is not None
    ]
    ends = [v for _, v in pts + nat] + [b for _, lo, hi in band for b in (lo, hi)]
    # from 0 (a truncated axis would exaggerate change), with headroom so that the highest
    # point and its band clear the top of the chart
    ticks = nice_ticks(min(0.0, *ends), max(0.0, *ends) * 1.08) if ends else nice_ticks(0, 100)
    fig.scales((-0.35, max(len(xs) - 1, 0) + 0.35), (ticks[0], ticks[-1]))
    keys = []
    if band:
        fig.band([b[0] for b in band], [b[1] for b in band], [b[2] for b in band], DARK_BLUE, 0.12)
        keys.append(Key("95% interval", DARK_BLUE, patch=DARK_BLUE, opacity=0.12))
    if pts:
        fig.polyline(pts, DARK_BLUE, 2)
        fig.markers(pts, "o", 6, DARK_BLUE)
        keys.append(Key(area, DARK_BLUE, line=2, marker="o"))
    if nat:
        fig.polyline(nat, ORANGE, 1.5, DASHED)
        fig.markers(nat, "s", 6, ORANGE)
        keys.append(Key("All areas", ORANGE, line=1.5, dash=DASHED, marker="s"))
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


def profile_bars(
    title_subject: str,
    categories: Sequence[str],
    intake: Sequence[float | None],
    population: Sequence[float | None],
    area: str,
) -> Chart:
    """Intake shares next to the local population's shares, category by category."""
    gaps = [
        (c, (i or 0) - (p or 0))
        for c, i, p in zip(categories, intake, population, strict=True)
        if i is not None and p is not None
    ]
    big = max(gaps, key=lambda g: abs(g[1]), default=None)
    msg = f"largest gap: {big[0]} ({big[1]:+.0f} points)" if big else "no comparison available"
    title = f"{area}: who is referred compared with the local population, {title_subject} ({msg})"
    alt = (
        f"Paired bar chart for {area} comparing the {title_subject} of new referrals with the local "
        f"population; {msg}. The table below gives every value."
    )
    rows = tuple(
        (c, fmt(i, "percent"), fmt(p, "percent"))
        for c, i, p in zip(categories, intake, population, strict=True)
    )
    plan = ("profile_bars", (tuple(categories), tuple(intake), tuple(population), title))
    return Chart(plan, title, alt, ("Category", "New referrals", "Local population"), rows)


def _draw_profile_bars(
    categories: Sequence[str], intake: Sequence[float | None], population: Sequence[float | None], title: str
) -> str:
    intake, population = [_num(v) for v in intake], [_num(v) for v in population]
    categories = [_wrap(c, 36) for c in categories]
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


def rating_profile(
    area: str, labels: Sequence[str], values: Sequence[float | None], scales: Sequence[tuple[float, float]]
) -> Chart:
    """Each quality rating on its scale (lowest and highest point), with the rating written on
    the bar; the lower half of a scale is below its middle, as the dataset judges a total."""
    low = [
        lbl
        for lbl, v, (bottom, top) in zip(labels, values, scales, strict=True)
        if v is not None and v < (bottom + top) / 2
    ]
    msg = (
        f"{len(low)} rated in the lower half of the scale"
        if low
        else "no rating in the lower half of the scale"
    )
    title = f"{area}: quality ratings, {msg}"
    alt = f"Bar chart of {len(labels)} quality ratings for {area}; {msg}. The table below gives every rating."
    rows = tuple(
        (lbl, "not given" if _num(v) is None else f"{v:g} on a scale of {bottom:g} to {top:g}")
        for lbl, v, (bottom, top) in zip(labels, values, scales, strict=True)
    )
    plan = ("rating_profile", (tuple(labels), tuple(values), tuple(scales), title))
    return Chart(plan, title, alt, ("Rating", "Score"), rows)


def _draw_rating_profile(
    labels: Sequence[str], values: Sequence[float | None], scales: Sequence[tuple[float, float]], title: str
) -> str:
    wrapped = [_wrap(lbl, 38) for lbl in labels]
    values = [_num(v) for v in values]
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


def category_bars(indicator: str, unit: str, bars: Sequence[Bar], period: str, where: str) -> Chart:
    """One bar per category of a breakdown (for example age band), in the catalogue's order, with
    95% interval whiskers where there are any: how the whole of ``where`` divides up."""
    shown = [b for b in bars if b.value is not None]
    top = max(shown, key=lambda b: b.value or 0.0, default=None)
    msg = f"largest: {top.label} ({fmt(top.value, unit)})" if top else "no category published"
    title = f"{indicator}, {where}: {msg} ({period})"
    alt = (
        f"Bar chart of {indicator} for {where} in {period}, one bar per category ({len(bars)}); "
        f"{msg}. The table below gives every value."
    )
    rows = tuple((b.label, fmt(b.value, unit), _interval(b, unit)) for b in bars)
    plan = ("category_bars", (unit, tuple(bars), title))
    return Chart(plan, title, alt, ("Category", "Value", "95% interval"), rows)


def _draw_category_bars(unit: str, bars: Sequence[Bar], title: str) -> str:
    bars = _clean(bars)
    wrapped = [_wrap(b.label, 30) for b in bars]
    n = len(bars)
    fig = svgplot.Figure(title, 0.4 * max(n, 3) + 0.2, ylabels=wrapped, ylabel_size=8)
    ticks = _value_ticks(bars)
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


def _interval(b: Bar, unit: str) -> str:
    if b.lower is None or b.upper is None:
        return ""
    return f"{fmt(b.lower, unit)} to {fmt(b.upper, unit)}"


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class Spine:
    label: str
    value: float | None
    national: float
    low: float  # lowest area
    q1: float
    q3: float
    high: float  # highest area
    polarity: str
    verdict: Verdict | None
    unit: str


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
            _said(s.verdict),
        )
        for s in spines
    )
    return Chart(
        ("spine_chart", (tuple(spines), title)),
        title,
        alt,
        ("Indicator", area, "All areas", "Range of areas", "Compared with all areas"),
        rows,
    )


def _draw_spine_chart(spines: Sequence[Spine], title: str) -> str:
    n = len(spines)
    # each row's value is written in a column at the right, as wide as the widest of them
    texts = [fmt(_num(s.value), s.unit) for s in spines]
    column = max((svgplot.text_width(t, 8) for t in texts), default=0.0) + svgplot.PAD + 0.12
    fig = svgplot.Figure(
        title, 0.55 * max(n, 3) + 0.2, ylabels=[s.label for s in spines], ylabel_size=9, right=column
    )
    fig.scales((-0.05, 1.05), (-0.6, max(n, 3) - 0.4))
    for y, (s, text) in enumerate(zip(reversed(spines), reversed(texts), strict=True)):
        fig.label(fig.width - svgplot.PAD * 72, fig.y(y), text, size=8, anchor="end")
        if not all(math.isfinite(v) for v in (s.national, s.low, s.q1, s.q3, s.high)):
            continue  # no spread of areas to place it in
        half = max(abs(s.high - s.national), abs(s.national - s.low), 1e-9)
        flip = -1.0 if s.polarity == "lower_better" else 1.0

        def pos(v: float, s: Spine = s, half: float = half, flip: float = flip) -> float:
            # an area beyond the range (its own value was left out of it) stays on the chart
            return min(1.04, max(-0.04, 0.5 + flip * (v - s.national) / (2 * half)))

        fig.hbar(y, pos(s.low), pos(s.high), 0.5, "#D9E2EC")  # (the rectangle sorts its ends)
        fig.hbar(y, pos(s.q1), pos(s.q3), 0.5, "#8FA9C4")
        value = _num(s.value)
        if value is not None:
            fig.markers(
                [(pos(value), y)],
                MARKERS.get(s.verdict, "o") if s.verdict else "o",
                9,
                COLOURS.get(s.verdict, DARK_BLUE) if s.verdict else DARK_BLUE,
            )
    fig.vline(0.5, ORANGE, 1.5, DASHED)
    fig.axes(
        xticks=[0.0, 0.5, 1.0],
        xlabels=["worse", "all areas", "better"],
        yticks=range(n),
        ylabels=[s.label for s in reversed(spines)],
        ytick_size=9,
    )
    return fig.svg()


_DRAW: dict[str, Callable[..., str]] = {
    "compare_areas": _draw_compare_areas,
    "funnel_plot": _draw_funnel_plot,
    "trend_line": _draw_trend_line,
    "profile_bars": _draw_profile_bars,
    "rating_profile": _draw_rating_profile,
    "category_bars": _draw_category_bars,
    "spine_chart": _draw_spine_chart,
}
# the drawing code and the font metrics it plans with: either changing makes every cached picture stale
FINGERPRINT = digest(
    code_fingerprint("generator.charts.plans"), matplotlib.__version__
)  # charts and all it imports
