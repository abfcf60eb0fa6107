"""Charts for the site: SVG, deterministic, accessible.

Each chart function takes plain values and returns a :class:`Chart`: the plan of its picture
(drawn to SVG text by :mod:`generator.charts.drawing` when asked), a headline title that states
the message, alt text, and the data table the chart shows (the site puts the
table next to the image, so nothing is only in the picture). The same inputs give the same
bytes, and text stays text (selectable, readable by tools).

The pictures are written straight as SVG by :mod:`generator.charts.svgplot`, much quicker and
smaller than through matplotlib (the figures are in CHANGELOG.md). Margins are still planned
from matplotlib's metrics for the font the charts name.

Colours are the Analysis Function's accessible categorical palette; shapes and labels carry the
meaning as well, never colour alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

from generator.base.cache import code_fingerprint, digest
from generator.calc.verdicts import Verdict
from generator.charts import drawing, svgplot
from generator.charts.marks import Bar, fmt, interval, num, outside_limits, said, value_or_why


@dataclass(frozen=True)
class Chart:
    """What a page needs to show a chart: the words (title, alt text, data table) at once, and
    the plan for the picture (its drawing function as ``module:function`` and its plain arguments).

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

    def narrow(self) -> Chart:
        """The same chart drawn for a phone's width (its drawing takes a ``width``): the page
        offers it to narrow screens, so the chart fits without scrolling sideways."""
        name, args = self.plot
        return replace(self, plot=(name, (*args, svgplot.NARROW)))

    @property
    def key(self) -> str:
        """A digest of everything the picture depends on: the plan and the drawing code."""
        return digest(drawing_code(self.plot[0].partition(":")[0]), repr(self.plot))


DRAWING = drawing.__name__  # the module the pictures below are drawn by


def draw(chart: Chart) -> str:
    """The picture: the plan names its drawing function as ``module:function``, so a new kind
    of chart is a module of its own (its plan and its drawing) with no registry to edit."""
    name, args = chart.plot
    module, _, function = name.partition(":")
    draw_it: Callable[..., str] = getattr(importlib.import_module(module), function)
    return draw_it(*args)


@cache
def drawing_code(module: str) -> str:
    """A digest of a drawing module's code, every module of the package it imports and the
    matplotlib whose font metrics it plans with: any of them changing makes its cached pictures
    stale."""
    file = importlib.import_module(module).__file__
    own = Path(file).read_bytes() if file else b""
    return digest(code_fingerprint(module), own, matplotlib.__version__)


def compare_areas(
    indicator: str,
    unit: str,
    bars: Sequence[Bar],
    national: float | None,
    period: str,
    targets: Sequence[tuple[str, float]] = (),
) -> Chart:
    """Horizontal bars (areas) with 95% interval whiskers and the all-areas value as a line;
    ``targets``: the sources' targets and references as dotted lines, each named ("reference 38%").

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
        + (
            f". Dotted lines mark the sources' {'; '.join(label for label, _ in targets if label)}"
            if targets
            else ""
        )
        + ". The table below gives every value."
    )
    rows = tuple((b.label, value_or_why(b, unit), interval(b, unit), said(b.verdict)) for b in bars)
    plan = (f"{DRAWING}:draw_compare_areas", (unit, tuple(shown), national, title, tuple(targets)))
    return Chart(plan, title, alt, ("Area", "Value", "95% interval", "Compared with all areas"), rows)


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
        outside = sum(outside_limits(limits, n, v) for _, n, v in points)
    title = f"{indicator}: {outside} of {len(points)} areas outside the 99.8% limits ({period})"
    alt = (
        f"Funnel plot of {indicator} in {period}: each area's value against its number of people, with "
        f"95% and 99.8% control limits around the share pooled from the areas ({phi_text}). {outside} "
        "areas lie outside the 99.8% limits. The table below gives every value."
    )
    rows = tuple((label, f"{n:g}", f"{v:.1f}%") for label, n, v in points)
    plan = (f"{DRAWING}:draw_funnel_plot", (tuple(points), p0, tuple(limits), title, highlight))
    return Chart(plan, title, alt, ("Area", "Denominator", "Value"), rows)


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
    targets: Sequence[tuple[str, float]] = (),
    gaps: Sequence[str] = (),
) -> Chart:
    """The area's value over time against all areas, with a 95% band where there is one, the
    sources' targets (``targets``, as :func:`areas_chart` takes them) and, for each period
    without a value, why (``gaps``: "suppressed", "no return" ...; "" where there is a value)."""
    title = f"{area}, {indicator}: {trend}"
    named = [label for label, _ in targets if label]
    missing = [(p, why) for p, why in zip(periods, gaps, strict=False) if why]
    alt = (
        f"Line chart of {indicator} for {area} over {len(periods)} periods, with the all-areas value"
        + (f" and {'; '.join(named)}" if named else "")
        + f". Trend: {trend}. "
        + ("No value for " + "; ".join(f"{p} ({why})" for p, why in missing) + ". " if missing else "")
        + "The table below gives every value."
    )

    def cell(v: float | None, k: int) -> str:
        why = gaps[k] if k < len(gaps) else ""
        return f"no value: {why}" if v is None and why else fmt(v, unit)

    if area == "All areas":  # the all-areas series itself: one column, not the same one twice
        alt = alt.replace(", with the all-areas value", "")
        header: tuple[str, ...] = ("Period", area)
        rows: tuple[tuple[str, ...], ...] = tuple(
            (p, cell(v, k)) for k, (p, v) in enumerate(zip(periods, values, strict=True))
        )
    else:
        header = ("Period", area, "All areas")
        rows = tuple(
            (p, cell(v, k), fmt(n, unit))
            for k, (p, v, n) in enumerate(zip(periods, values, national, strict=True))
        )
    plan = (
        f"{DRAWING}:draw_trend_line",
        (
            unit,
            tuple(periods),
            tuple(values),
            tuple(national),
            area,
            title,
            tuple(lower) if lower else None,
            tuple(upper) if upper else None,
            tuple(targets),
            tuple(gaps),
        ),
    )
    return Chart(plan, title, alt, header, rows)


def profile_bars(
    title_subject: str,
    categories: Sequence[str],
    intake: Sequence[float | None],
    population: Sequence[float | None],
    area: str,
    judged: Sequence[bool] | None = None,
) -> Chart:
    """Intake shares next to the local population's shares, category by category. ``judged``:
    which categories the dataset compared with the population (enough people); the headline
    names the largest gap among those alone, never one resting on a handful of people."""
    ok = list(judged) if judged is not None else [True] * len(categories)
    pairs = [
        (c, i, p, j)
        for c, i, p, j in zip(categories, intake, population, ok, strict=True)
        if i is not None and p is not None
    ]
    gaps = [(c, i - p) for c, i, p, j in pairs if j]
    big = max(gaps, key=lambda g: abs(g[1]), default=None)
    msg = (
        f"largest gap: {big[0]} ({big[1]:+.0f} points)"
        if big
        else "no gap compared: too few people"
        if pairs
        else "no comparison available"
    )
    title = f"{area}: who is referred compared with the local population, {title_subject} ({msg})"
    alt = (
        f"Paired bar chart for {area} comparing the {title_subject} of new referrals with the local "
        f"population; {msg}. The table below gives every value."
    )
    rows = tuple(
        (c, fmt(i, "percent"), fmt(p, "percent"))
        for c, i, p in zip(categories, intake, population, strict=True)
    )
    plan = (f"{DRAWING}:draw_profile_bars", (tuple(categories), tuple(intake), tuple(population), title))
    return Chart(plan, title, alt, ("Category", "New referrals", "Local population"), rows)


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
        (lbl, "not given" if num(v) is None else f"{v:g} on a scale of {bottom:g} to {top:g}")
        for lbl, v, (bottom, top) in zip(labels, values, scales, strict=True)
    )
    plan = (f"{DRAWING}:draw_rating_profile", (tuple(labels), tuple(values), tuple(scales), title))
    return Chart(plan, title, alt, ("Rating", "Score"), rows)


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
    rows = tuple((b.label, value_or_why(b, unit), interval(b, unit)) for b in bars)
    plan = (f"{DRAWING}:draw_category_bars", (unit, tuple(bars), title))
    return Chart(plan, title, alt, ("Category", "Value", "95% interval"), rows)
