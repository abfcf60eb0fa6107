"""What the SVG surface plans with before it draws: text widths from matplotlib's metrics for
the font the charts name (so margins fit without a trial drawing), round-number ticks, linear
scales, marker shapes and legend keys, and text made safe for SVG.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

FIG_WIDTH = 7.5  # inches; every chart the same width, so they line up on a page
PAD = 0.12  # inches round the edge
TITLE_SIZE = 11.0
GREY = "#707070"
# the face we measure first; where it is missing (Windows, macOS), Arial or Helvetica, both set
# narrower than it, so that a label does not outgrow the room planned for it
FONT = "'DejaVu Sans', 'Bitstream Vera Sans', Arial, Helvetica, sans-serif"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- measuring text (matplotlib's metrics for the font the charts name first) --------------------
_RULER: Any = RendererAgg(1, 1, 72)  # type: ignore[no-untyped-call]  # at 72 dpi, pixels are points


@functools.cache
def _advance(char: str, weight: str) -> float:
    """Width in points of one character at 1 pt."""
    if _NOT_XML.match(char):  # dropped from the picture (see esc)
        return 0.0
    prop = FontProperties(family="sans-serif", size=100, weight=weight)
    if char == " ":  # a lone space measures zero: take it from between two letters
        a = _RULER.get_text_width_height_descent("a a", prop, ismath=False)[0]
        b = _RULER.get_text_width_height_descent("aa", prop, ismath=False)[0]
        return float(a - b) / 100
    return float(_RULER.get_text_width_height_descent(char, prop, ismath=False)[0]) / 100


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width of ``text`` in inches (its widest line), measured glyph by glyph with the chart's
    font (kerning ignored, which errs wide)."""
    return max(sum(_advance(c, weight) for c in line) * size / 72 for line in text.split("\n"))


def fit(text: str, width: float, size: float, weight: str = "normal") -> str:
    """``text`` wrapped at word breaks to lines no wider than ``width`` inches."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


# -- scales and ticks ------------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, most: int = 7) -> list[float]:
    """Round-number ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering lo..hi, at
    most ``most`` of them: the axis then runs from the first tick to the last."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-12:
        lo, hi = (lo - 1, hi + 1) if lo else (0.0, 1.0)
    power = 10.0 ** math.floor(math.log10((hi - lo) / most))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0):
        step = mult * power
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        if last - first <= most:
            return [round(i * step, 10) for i in range(first, last + 1)]
    raise AssertionError("a step of 20 powers of ten always fits")  # pragma: no cover


def padded(lo: float, hi: float, margin: float = 0.05) -> tuple[float, float, list[float]]:
    """An axis fitted to the data with a margin each side (for scatter plots, which need not
    start at zero) and the round-number ticks that fall inside it."""
    pad = (hi - lo) * margin or 1.0
    lo, hi = lo - pad, hi + pad
    return lo, hi, [t for t in nice_ticks(lo, hi) if lo <= t <= hi]


def tick_text(values: Sequence[float]) -> list[str]:
    """Tick labels with as many decimals as the step needs, thousands separated."""
    decimals = next((d for d in range(7) if all(abs(round(v, d) - v) < 1e-9 for v in values)), 6)
    return [f"{v:,.{decimals}f}" if abs(v) > 1e-12 else "0" for v in values]


@dataclass(frozen=True)
class Scale:
    """Data values lo..hi onto points a..b (b < a for an upward y axis)."""

    lo: float
    hi: float
    a: float
    b: float

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / ((self.hi - self.lo) or 1.0) * (self.b - self.a)


# -- the drawing -------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for SVG: escaped, with characters that XML cannot hold dropped."""
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


@dataclass(frozen=True)
class Key:
    """One legend entry: a line (``dash`` as SVG dash array, "" for solid), a marker, a patch, or
    a line with a marker on it."""

    label: str
    colour: str
    line: float = 0.0  # line width; 0: no line
    dash: str = ""
    marker: str = ""
    patch: str = ""  # fill of a patch swatch ("url(#hatch)" for the hatched one)
    opacity: float = 1.0


def legend_rows(keys: Sequence[Key], width: float = FIG_WIDTH) -> list[list[int]]:
    """The keys (by position) on each row of a legend in a picture ``width`` inches wide: in
    order, a new row when the next key does not fit. A drawing asks for room for the rows
    (LEGEND_ROW each after the first) before it draws."""
    size, gap, swatch = 8.0, 14.0, 20.0
    widths = [swatch + 5 + text_width(k.label, size) * 72 for k in keys]
    room = (width - 2 * PAD) * 72
    rows: list[list[int]] = [[]]
    for i, w in enumerate(widths):
        used = sum(widths[j] for j in rows[-1]) + gap * len(rows[-1])
        if rows[-1] and used + w > room:
            rows.append([])
        rows[-1].append(i)
    return rows
