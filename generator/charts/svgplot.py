"""A small SVG plotting surface for the site's charts: one plotting area with linear scales,
round-number ticks, bars, lines, bands, markers, text and a legend, written straight out as SVG
text.

Why not matplotlib: a national site has over a thousand charts. matplotlib spends 20-30 ms on
each (its artists, tick machinery and text layout, none of them one hot spot), which made
drawing a third of a full build; this writes the same picture in well under a millisecond, and
the files are a quarter of the size. matplotlib's font metrics still measure our labels, so
margins are planned without a trial drawing.

Everything is in points (1/72 inch): the figure is ``FIG_WIDTH`` inches wide, like every chart
on the site, and the same inputs give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from generator.charts.measure import (
    FIG_WIDTH,
    FONT,
    GREY,
    PAD,
    TITLE_SIZE,
    Key,
    Scale,
    esc,
    fit,
    legend_rows,
    text_width,
    tick_text,
)

LEGEND_ROW = 0.2  # inches from one row of a legend to the next
NARROW = 3.9  # inches: a chart drawn for a phone's width (390 px), its text still 8 points


def _n(x: float) -> str:
    if not math.isfinite(x):  # the charts drop values that are not numbers before drawing
        raise ValueError(f"cannot place {x} in a picture")
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def marker_path(shape: str, x: float, y: float, size: float) -> str:
    """Path data for a marker ``size`` points across, centred on (x, y): "o" circle, "^" and
    "v" triangles, "s" square, "D" diamond (the shapes matplotlib names so)."""
    r = size / 2
    if shape == "o":
        return (
            f"M{_n(x - r)} {_n(y)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0z"
        )
    if shape in "^v":
        d = 1 if shape == "v" else -1
        return f"M{_n(x)} {_n(y + d * r)}L{_n(x - r)} {_n(y - d * r)}L{_n(x + r)} {_n(y - d * r)}z"
    if shape == "D":
        return f"M{_n(x)} {_n(y - r)}L{_n(x + r)} {_n(y)}L{_n(x)} {_n(y + r)}L{_n(x - r)} {_n(y)}z"
    return f"M{_n(x - r)} {_n(y - r)}h{_n(2 * r)}v{_n(2 * r)}h{_n(-2 * r)}z"  # "s"


class Figure:
    """A chart of ``FIG_WIDTH`` inches with one plotting area ``body`` inches tall and margins
    planned from the labels that will sit round it (see :meth:`__init__`). Draw with the methods
    below in data coordinates once :meth:`scales` has been called, then take :meth:`svg`."""

    def __init__(
        self,
        title: str,
        body: float,
        *,
        ylabels: Sequence[str] = ("00000",),
        ylabel_size: float = 10.0,
        axis_title_left: bool = False,
        xlabels_rotated: Sequence[str] = (),
        right: float = 0.25,
        below: float = 0.0,
        width: float = FIG_WIDTH,
    ) -> None:
        """Room for the headline title above (wrapped to the width, left-aligned), the y tick
        labels (``ylabels``: the widest that can occur) and an axis title on the left, the x tick
        labels and axis title below (``xlabels_rotated``: tick labels turned 30 degrees, which
        need more depth), and ``below`` inches more at the foot (for a legend there); ``width``:
        a narrower picture for a phone (NARROW), text the same size."""
        self.title = fit(title, width - 2 * PAD, TITLE_SIZE, "bold")
        line = TITLE_SIZE * 1.25 / 72
        top = PAD + line * (self.title.count("\n") + 1) + 0.12
        left = PAD + max((text_width(t, ylabel_size) for t in ylabels), default=0.0) + 0.12
        left += 0.3 if axis_title_left else 0.0
        ticks = max((text_width(t, 8) for t in xlabels_rotated), default=0.0) * 0.5 + 0.15
        # a label turned 30 degrees and aligned right of the first tick reaches 0.87 of its width left
        left = max(left, PAD + max((text_width(t, 8) for t in xlabels_rotated[:1]), default=0.0) * 0.87)
        # a very long label is cut, not the plot reversed; a narrow chart gives labels more of its
        # width, keeping an inch and a bit for the plot
        left = min(left, width / 2 - right if width >= FIG_WIDTH else width - right - 1.2)
        bottom = PAD + 0.28 + (ticks if xlabels_rotated else 0.22) + below
        self.width, self.height = width * 72, (body + top + bottom) * 72
        self.left, self.right = left * 72, (width - right) * 72
        self.top, self.bottom = top * 72, (top + body) * 72
        self.below = below * 72
        self.x = Scale(0, 1, self.left, self.right)
        self.y = Scale(0, 1, self.bottom, self.top)
        self._defs: list[str] = []
        self._body: list[str] = []

    def scales(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        """Data ranges shown along each axis."""
        self.x = Scale(x[0], x[1], self.left, self.right)
        self.y = Scale(y[0], y[1], self.bottom, self.top)

    # primitives, in data coordinates -----------------------------------------------------------
    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: str,
        stroke: str = "",
        width: float = 0.0,
    ) -> None:
        a, b = sorted((self.x(x0), self.x(x1)))
        c, d = sorted((self.y(y0), self.y(y1)))
        edge = f' stroke="{stroke}" stroke-width="{_n(width)}"' if stroke and width else ""
        self._body.append(
            f'<rect x="{_n(a)}" y="{_n(c)}" width="{_n(b - a)}" height="{_n(d - c)}" fill="{fill}"{edge}/>'
        )

    def hbar(self, y: float, start: float, end: float, thick: float, fill: str, **kw: Any) -> None:
        """A horizontal bar ``thick`` y-units deep, centred on ``y``."""
        self.rect(start, y - thick / 2, end, y + thick / 2, fill, **kw)

    def vbar(self, x: float, start: float, end: float, thick: float, fill: str, **kw: Any) -> None:
        self.rect(x - thick / 2, start, x + thick / 2, end, fill, **kw)

    def rects(self, corners: Sequence[tuple[float, float, float, float]], fill: str) -> None:
        """Many rectangles (x0, y0, x1, y1) of one colour, as one path."""
        d = []
        for x0, y0, x1, y1 in corners:
            a, b, c, e = self.x(x0), self.x(x1), self.y(y0), self.y(y1)
            d.append(f"M{_n(a)} {_n(c)}H{_n(b)}V{_n(e)}H{_n(a)}z")
        if d:
            self._body.append(f'<path d="{"".join(d)}" fill="{fill}"/>')

    def polyline(
        self, points: Sequence[tuple[float, float]], colour: str, width: float, dash: str = ""
    ) -> None:
        """A line through the points; a point that is not a number (a limit that cannot be
        worked out) breaks it, as matplotlib's lines break."""
        runs: list[list[tuple[float, float]]] = [[]]
        for px, py in points:
            if math.isfinite(px) and math.isfinite(py):
                runs[-1].append((px, py))
            elif runs[-1]:
                runs.append([])
        d = "".join(
            "M" + "L".join(f"{_n(self.x(px))} {_n(self.y(py))}" for px, py in run)
            for run in runs
            if len(run) > 1
        )
        if d:
            self._body.append(self._stroke(d, colour, width, dash))

    def segments(
        self, pairs: Sequence[tuple[tuple[float, float], tuple[float, float]]], colour: str, width: float
    ) -> None:
        """Many separate straight lines in one path (whiskers)."""
        if not pairs:
            return
        d = "".join(
            f"M{_n(self.x(a[0]))} {_n(self.y(a[1]))}L{_n(self.x(b[0]))} {_n(self.y(b[1]))}" for a, b in pairs
        )
        self._body.append(self._stroke(d, colour, width, ""))

    @staticmethod
    def _stroke(d: str, colour: str, width: float, dash: str) -> str:
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_n(width)}"{dashes}/>'

    def band(
        self, xs: Sequence[float], lower: Sequence[float], upper: Sequence[float], colour: str, opacity: float
    ) -> None:
        """The area between two lines (an interval band)."""
        if not xs:
            return
        pts = [*zip(xs, upper, strict=True), *reversed(list(zip(xs, lower, strict=True)))]
        d = "M" + "L".join(f"{_n(self.x(a))} {_n(self.y(b))}" for a, b in pts) + "z"
        self._body.append(f'<path d="{d}" fill="{colour}" fill-opacity="{_n(opacity)}"/>')

    def markers(
        self, points: Sequence[tuple[float, float]], shape: str, size: float, colour: str, edge: str = ""
    ) -> None:
        """Markers of one shape and colour; ``edge``: an outline, so that one on a bar of its own
        colour keeps its shape."""
        if points:
            d = "".join(marker_path(shape, self.x(px), self.y(py), size) for px, py in points)
            outline = f' stroke="{edge}" stroke-width="1"' if edge else ""
            self._body.append(f'<path d="{d}" fill="{colour}"{outline}/>')

    def vline(self, x: float, colour: str, width: float, dash: str = "") -> None:
        self._body.append(
            self._stroke(f"M{_n(self.x(x))} {_n(self.top)}V{_n(self.bottom)}", colour, width, dash)
        )

    def hline(self, y: float, colour: str, width: float, dash: str = "") -> None:
        self._body.append(
            self._stroke(f"M{_n(self.left)} {_n(self.y(y))}H{_n(self.right)}", colour, width, dash)
        )

    def text(self, x: float, y: float, s: str, **kw: Any) -> None:
        """Text at data coordinates (see :meth:`label` for the keywords)."""
        self.label(self.x(x), self.y(y), s, **kw)

    def label(
        self,
        px: float,
        py: float,
        s: str,
        *,
        size: float = 10.0,
        anchor: str = "start",
        va: str = "center",
        colour: str = "",
        weight: str = "",
        rotate: float = 0.0,
        dx: float = 0.0,
        dy: float = 0.0,
        leading: float = 1.2,
    ) -> None:
        """Text at point coordinates; several lines for ``\\n``. ``va`` places the block's
        middle ("center"), top or bottom ("baseline": the last line's baseline) at ``py``."""
        self._body.append(self._text(px, py, s, size, anchor, va, colour, weight, rotate, dx, dy, leading))

    @staticmethod
    def _text(
        px: float,
        py: float,
        s: str,
        size: float,
        anchor: str,
        va: str,
        colour: str,
        weight: str,
        rotate: float,
        dx: float,
        dy: float,
        leading: float,
    ) -> str:
        lines = s.split("\n")
        step = size * leading
        first = {
            "center": py - (len(lines) - 1) * step / 2 + size * 0.36,
            "top": py + size * 0.8,
            "baseline": py - (len(lines) - 1) * step,
        }[va]
        px, first = px + dx, first + dy
        attrs = f' font-size="{_n(size)}"'
        attrs += f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' fill="{colour}"' if colour else ""
        attrs += ' font-weight="bold"' if weight == "bold" else ""
        if rotate:
            attrs += f' transform="rotate({_n(rotate)} {_n(px)} {_n(py + dy)})"'
        if len(lines) == 1:
            return f'<text x="{_n(px)}" y="{_n(first)}"{attrs}>{esc(s)}</text>'
        spans = "".join(
            f'<tspan x="{_n(px)}" {"dy" if i else "y"}="{_n(step if i else first)}">{esc(t)}</tspan>'
            for i, t in enumerate(lines)
        )
        return f"<text{attrs}>{spans}</text>"

    def hatch(self, colour: str) -> str:
        """A fill of white diagonal lines over ``colour`` (for a second series, so that it is
        told apart by more than its colour); returns the fill to use."""
        self._defs.append(
            '<pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6">'
            f'<rect width="6" height="6" fill="{colour}"/>'
            '<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#ffffff" stroke-width="1"/></pattern>'
        )
        return "url(#hatch)"

    # axes --------------------------------------------------------------------------------------
    def axes(
        self,
        *,
        xticks: Sequence[float] = (),
        xlabels: Sequence[str] | None = None,
        yticks: Sequence[float] = (),
        ylabels: Sequence[str] | None = None,
        xlabel: str = "",
        ylabel: str = "",
        xtick_size: float = 10.0,
        ytick_size: float = 10.0,
        rotate_x: bool = False,
    ) -> None:
        """The left and bottom axis lines, their ticks and labels, and the axis titles."""
        out = self._body
        tick = 3.5
        out.append(
            f'<path d="M{_n(self.left)} {_n(self.top)}V{_n(self.bottom)}H{_n(self.right)}" '
            f'fill="none" stroke="{GREY}" stroke-width="0.8"/>'
        )
        marks = "".join(f"M{_n(self.x(v))} {_n(self.bottom)}v{tick}" for v in xticks)
        marks += "".join(f"M{_n(self.left)} {_n(self.y(v))}h{-tick}" for v in yticks)
        if marks:
            out.append(f'<path d="{marks}" stroke="{GREY}" stroke-width="0.8"/>')
        xl = list(xlabels) if xlabels is not None else tick_text(xticks) if xticks else []
        for v, t in zip(xticks, xl, strict=True):
            half = text_width(t, xtick_size) * 36
            if not rotate_x and self.x(v) + half > self.width - 2:  # the last label, at the edge
                self.label(self.width - 2, self.bottom + tick + 2, t, size=xtick_size, anchor="end", va="top")
            elif rotate_x:
                self.label(
                    self.x(v) + 2,
                    self.bottom + tick + 4,
                    t,
                    size=xtick_size,
                    anchor="end",
                    va="top",
                    rotate=-30,
                )
            else:
                self.label(self.x(v), self.bottom + tick + 2, t, size=xtick_size, anchor="middle", va="top")
        yl = list(ylabels) if ylabels is not None else tick_text(yticks) if yticks else []
        for v, t in zip(yticks, yl, strict=True):
            self.label(self.left - tick - 3.5, self.y(v), t, size=ytick_size, anchor="end")
        if xlabel:
            # below the tick labels: a label turned 30 degrees is half its width deep
            if rotate_x:
                depth = tick + 4 + max((text_width(t, xtick_size) * 36 for t in xl), default=0.0)
            else:
                depth = tick + 2 + xtick_size if xl else 0.0
            self.label(
                (self.left + self.right) / 2,
                self.bottom + depth + 4,
                xlabel,
                anchor="middle",
                va="top",
            )
        if ylabel:
            self.label(PAD * 72 + 8, (self.top + self.bottom) / 2, ylabel, anchor="middle", rotate=-90)

    def legend(self, keys: Sequence[Key]) -> None:
        """The keys in a row, centred in the room left at the foot (``below``); keys that do not
        fit the width go on a second row below (ask for room for it: LEGEND_ROW more)."""
        widths = [20.0 + 5 + text_width(k.label, 8.0) * 72 for k in keys]
        rows = legend_rows(keys, self.width / 72)
        step = LEGEND_ROW * 72
        top = self.height - PAD * 72 - self.below / 2 - step * (len(rows) - 1) / 2
        for r, row in enumerate(rows):
            self._legend_row([keys[i] for i in row], [widths[i] for i in row], top + r * step)

    def _legend_row(self, keys: Sequence[Key], widths: Sequence[float], y: float) -> None:
        gap, swatch, size = 14.0, 20.0, 8.0
        x = (self.width - sum(widths) - gap * (len(keys) - 1)) / 2
        for k, w in zip(keys, widths, strict=True):
            if k.patch:
                self._body.append(
                    f'<rect x="{_n(x)}" y="{_n(y - 4)}" width="{_n(swatch)}" height="8" fill="{k.patch}"'
                    + (f' fill-opacity="{_n(k.opacity)}"' if k.opacity < 1 else "")
                    + "/>"
                )
            if k.line:
                self._body.append(self._stroke(f"M{_n(x)} {_n(y)}h{_n(swatch)}", k.colour, k.line, k.dash))
            if k.marker:
                self._body.append(
                    f'<path d="{marker_path(k.marker, x + swatch / 2, y, 6)}" fill="{k.colour}"/>'
                )
            self.label(x + swatch + 5, y, k.label, size=size)
            x += w + gap

    def svg(self) -> str:
        """The finished picture: title, then everything drawn, in drawing order."""
        w, h = _n(self.width), _n(self.height)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}" '
            'role="img">'
            # the headline as the picture's name, for a chart opened on its own (on a page, the
            # <img> carries the alt text)
            f"<title>{esc(' '.join(self.title.split()))}</title>"
            f"<style>text{{font-family:{FONT}}}</style>"  # no fill here: it would beat fill="..."
        )
        defs = f"<defs>{''.join(self._defs)}</defs>" if self._defs else ""
        edge = PAD * 72
        title = self._text(edge, edge, self.title, TITLE_SIZE, "start", "top", "", "bold", 0, 0, 0, 1.25)
        return "\n".join(
            [head + defs, '<rect width="100%" height="100%" fill="#fff"/>', title, *self._body, "</svg>\n"]
        )
