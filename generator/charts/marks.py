"""What the charts' plans and drawings share: the accessible palette, dash patterns, a bar
with its interval and verdict, a spine row, how values are shown in words, and the shapes that
carry each verdict as well as its colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from generator.calc import verdicts
from generator.calc.verdicts import Verdict
from generator.charts import measure
from generator.charts.measure import nice_ticks

DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE = "#12436D", "#28A197", "#801650", "#F46A25"
GREY = measure.GREY
DASHED, DOTTED = "5.5 2.4", "1.4 2.3"  # dashes and dots as matplotlib draws them at 1.5 and 1.4 pt


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    verdict: Verdict | None = None  # the comparison with all areas (better, worse, similar)
    highlight: bool = False
    why: str = ""  # why there is no value ("suppressed", "no return" ...), said in the table


def num(x: float | None) -> float | None:
    """A value to draw: None for one that is missing or not a number (NaN, infinite), which the
    chart shows as missing, as its table says "suppressed or not available"."""
    return x if x is not None and math.isfinite(x) else None


def clean(bars: Sequence[Bar]) -> list[Bar]:
    return [replace(b, value=num(b.value), lower=num(b.lower), upper=num(b.upper)) for b in bars]


def number_labels(*values: float | None) -> tuple[str, ...]:
    """The widest tick label a numeric axis reaching these values might carry."""
    top = max((abs(v) for v in values if v is not None and math.isfinite(v)), default=100.0)
    return (f"{top * 1.1:,.1f}",)


def value_or_why(b: Bar, unit: str) -> str:
    """A bar's value as its chart's table gives it, or why it has none."""
    return f"no value: {b.why}" if b.value is None and b.why else fmt(b.value, unit)


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


def said(v: Verdict | None) -> str:
    return "" if v is None else verdicts.say(v)


def by_verdict(order: Sequence[Bar]) -> list[tuple[Verdict | None, str, list[tuple[int, Bar]]]]:
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


def value_ticks(bars: Sequence[Bar], *more: float | None) -> list[float]:
    """Ticks for a value axis that starts at zero (bars do) and reaches every value, interval end
    and reference line (``more``)."""
    ends = [x for b in bars for x in (b.value, b.lower, b.upper) if x is not None]
    ends += [x for x in more if x is not None]
    return nice_ticks(min([0.0, *ends]), max([0.0, *ends]))


def outside_limits(limits: Sequence[tuple[float, float, float, float, float]], n: float, v: float) -> bool:
    lim = min(limits, key=lambda x: abs(x[0] - n)) if limits else None
    return bool(lim and (v < lim[3] or v > lim[4]))


def interval(b: Bar, unit: str) -> str:
    if b.lower is None or b.upper is None:
        return ""
    return f"{fmt(b.lower, unit)} to {fmt(b.upper, unit)}"


def wrap(text: str, width: int) -> str:
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
