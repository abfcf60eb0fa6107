"""Markdown and HTML for the generated pages: escaping, tables, numbers and verdicts as
shown, and the page value every builder returns.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.calc import stats, verdicts
from generator.calc.row import Row
from generator.calc.verdicts import Basis, Verdict
from generator.charts import marks

GENERATED = "generated"
# Tables that become one card per row on a phone (CSS in assets/extra.css; labels from extra.js).
STACK_OPEN, STACK_CLOSE = '<div class="kpi-stack" markdown>', "</div>"
# the same for a table of figures, kept out of the search index: every area's numbers in it
# would bury the pages a reader searches for (and make the index a download of its own)
FIGURES_OPEN = '<div class="kpi-stack" data-search-exclude markdown>'


def unindexed(*lines: str) -> list[str]:
    """Markdown kept out of the search index (words every page of a kind repeats, lists of
    figures), still on the page."""
    return ["<div data-search-exclude markdown>", "", *lines, "", "</div>"]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def esc(text: Any, quote: bool = True) -> str:
    """Text from data made safe for Markdown and HTML: shown literally, never interpreted.
    ``quote=False`` for a heading, which is never inside an attribute: MkDocs puts a heading's
    text in the table of contents escaped once more (an apostrophe showed as ``&#x27;``)."""
    s = html.escape(str(text), quote=quote)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("{{", "{\u200b{").replace("{%", "{\u200b%").replace("\n", " ")


def hesc(text: Any) -> str:
    """Text from data made safe for raw HTML (which Markdown passes through untouched)."""
    s = html.escape(str(text), quote=True)
    return s.replace("{{", "{\u200b{").replace("{%", "{\u200b%").replace("\n", " ")


def html_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, stack: bool = False, html_cells: bool = False
) -> list[str]:
    """A data table as one raw HTML block: Markdown passes it through rather than parsing each
    cell (a national indicator page has thousands), and it is left out of the search index
    (``data-search-exclude``), where every area's name on every indicator page would drown the
    pages about that area. ``stack``: one card per row on a phone (see extra.css);
    ``html_cells``: the cells are HTML already (escaped by the caller)."""
    cls = ' class="kpi-stack"' if stack else ""
    table = cells_table(header, rows) if html_cells else escaped_table(header, rows)
    return ["", f"<div{cls} data-search-exclude>{table}</div>", ""]


def escaped_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """``<table>`` markup, every cell escaped."""
    return cells_table(header, [[hesc(x) for x in row] for row in rows])


def cells_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``<table>`` markup around cells that are already HTML (escaped by the caller)."""
    head = "".join(f"<th>{hesc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{x}</td>" for x in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# From a generated page's Markdown file (generated/<kind>/<name>.md) to generated/: raw HTML's
# addresses are written from the .md file, as Markdown links are (see generator/site/hooks.py)
TO_GENERATED = "../"


def plain_title(text: Any) -> str:
    """A title for front matter with no markup characters at all: the theme puts it in <title>
    and the navigation unescaped. Quoted for YAML."""
    t = re.sub(r'[<>{}\[\]`\\"]', "", str(text)).replace("\n", " ").strip()
    return '"' + (t or "Untitled") + '"'


def front(title: Any) -> str:
    return f"---\ntitle: {plain_title(title)}\n---\n\n"


def file_size(n: int) -> str:
    """A file's size as a download link shows it: whole kilobytes (at least 1) below 1,000 KB,
    else megabytes to one decimal place; a kilobyte is 1,024 bytes."""
    kb = max(1, round(n / 1024))
    return f"{kb} KB" if kb < 1000 else f"{n / 1024**2:.1f} MB"


def num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def show(v: Any, unit: str) -> str:
    """A value as Markdown text."""
    return esc(show_text(v, unit))


def show_text(v: Any, unit: str) -> str:
    """A value as plain text (for raw HTML tables, escaped there)."""
    x = num(v)
    if x is None:
        return "suppressed" if v in (None, "") else str(v)
    return marks.fmt(x, unit)


def verdict(r: Row | None, short: bool = False) -> str:
    """A row's comparison with all areas as Markdown: shape and word, on a tint (colour is never
    the only signal). ``short`` (narrow tables): "(no interval)" becomes a dagger, which the
    table's note explains."""
    return _verdict(r, esc, short)


def verdict_html(r: Row | None) -> str:
    """:func:`verdict` for raw HTML."""
    return _verdict(r, hesc, False)


def all_areas_code(r: Row | None) -> Verdict | None:
    """The code of a row's comparison with all areas (None where it was not compared)."""
    code = r.comparison_all_areas_code if r else ""
    return Verdict(code) if code else None


def _verdict(r: Row | None, escape: Any, short: bool) -> str:
    shown = verdict_text(r)
    if short:
        shown = shown.replace(" (no interval)", "\u2020")
    code = all_areas_code(r)
    if code is None or not shown or r is None:
        return str(escape(shown))
    cls = f"kpi-v {verdicts.CSS_CLASS[code]}" if code in verdicts.CSS_CLASS else "kpi-v"
    against = "" if code in verdicts.UNJUDGED else all_areas_figure(r)  # "not assessed" compares nothing
    return f'<span class="{cls}"{_marked(code, against)}>{escape(shown)}</span>'


def verdict_beside(r: Row) -> str:
    """:func:`verdict_html` with the all-areas value it compares with, for a table that has no
    column of its own for that value."""
    shown, nat = verdict_html(r), all_areas_figure(r)
    return f"{shown} <small>(all areas {hesc(nat)})</small>" if shown and nat else shown


def all_areas_figure(r: Row) -> str:
    """The all-areas value a row was compared with, as shown ("37.6%"); none for an answer (a
    category's code, "mixed"), which is not compared."""
    return show_text(r.all_areas_value, r.unit) if num(r.all_areas_value) is not None else ""


def _marked(code: Verdict | None, against: str) -> str:
    """A verdict's code and the figure it compares with, as attributes a machine can read
    (``data-verdict``, ``data-against``) beside the words a reader sees."""
    attrs = f' data-verdict="{html.escape(code or "")}"'
    return attrs + (f' data-against="{html.escape(against)}"' if against else "")


@dataclass(frozen=True)
class TargetVerdict:
    """One verdict of a row against a target, benchmark, the local population or a scale's
    middle, with what it compared with: the published codes, ids and figures, in order."""

    code: Verdict
    against: str  # a benchmark's id, local_population or scale_middle
    figure: str  # "43%", "£2,818 to £4,024"
    label: str  # the benchmark's ("Best practice sites: overall job outcome rate"); "" where the words say it

    def labelled(self, escape: Callable[[Any], str] = esc) -> str:
        """ "Label: verdict (figure)", or the verdict alone where it has no label; ``escape``:
        the label's, for Markdown (:func:`esc`) or a raw HTML cell (:func:`hesc`)."""
        return f"{escape(self.label)}: {self.html()}" if self.label else self.html()

    def html(self) -> str:
        """The verdict with its figure in the same words, marked up: "below the reference (43%)"."""
        low, _, high = self.figure.partition(" to ")
        edge = {"low": low, "high": high}.get(stats.LOOK_AT_EDGE.get(self.code, ""), self.figure)
        said = verdicts.say(self.code, edge=edge)
        words = html.escape(
            f"{self.figure}: {said}" if self.code in verdicts.UNJUDGED else f"{said} ({self.figure})"
        )
        return f'<span class="kpi-t"{_marked(self.code, self.figure)}>{words}</span>'


def target_verdicts(r: Row, labels: Mapping[str, str]) -> list[TargetVerdict]:
    """A row's verdicts against targets, each with its figure and label (``labels``: benchmark id
    -> label, from the catalogue)."""
    codes = verdicts.parse(r.comparison_target_code)
    against = r.comparison_target_against.split(";") if r.comparison_target_against else []
    figures = r.comparison_target_values.split(";") if r.comparison_target_values else []
    if not (len(codes) == len(against) == len(figures)):
        raise ValueError(
            f"{r.indicator_id} {r.area_code} {r.period}: target codes, ids and figures differ in number"
        )
    fixed = {"local_population", "scale_middle"}  # the verdict's own words name them
    return [
        TargetVerdict(c, a, f, "" if a in fixed else labels.get(a, a))
        for c, a, f in zip(codes, against, figures, strict=True)
    ]


def verdict_text(r: Row | None) -> str:
    """A better comparison tested by interval -> ``▲ better``; a comparison of values with no
    interval says so, because it is a plain comparison, not a test that the difference is
    unlikely to be chance. Other verdicts keep their published words."""
    code = all_areas_code(r)
    if code is None:
        return ""
    if code not in verdicts.SHAPES:
        return (r.comparison_all_areas if r else "") or verdicts.say(code)
    shown = verdicts.SHAPES[code]
    basis = r.comparison_all_areas_basis if r else ""
    return f"{shown} (no interval)" if basis == Basis.NO_INTERVAL else shown


@dataclass(frozen=True)
class Page:
    path: str  # relative to site_src
    text: str
