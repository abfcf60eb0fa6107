"""Markdown and HTML for the generated pages: escaping, tables, numbers and verdicts as
shown, and the page value every builder returns.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.calc import verdicts
from generator.calc.row import Row
from generator.calc.verdicts import Basis, Verdict
from generator.charts import marks

GENERATED = "generated"
# Tables that become one card per row on a phone (CSS in assets/extra.css; labels from extra.js).
STACK_OPEN, STACK_CLOSE = '<div class="kpi-stack" markdown>', "</div>"
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


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], *, stack: bool = False) -> list[str]:
    """A data table as one raw HTML block: Markdown passes it through rather than parsing each
    cell (a national indicator page has thousands), and it is left out of the search index
    (``data-search-exclude``), where every area's name on every indicator page would drown the
    pages about that area. ``stack``: one card per row on a phone (see extra.css)."""
    cls = ' class="kpi-stack"' if stack else ""
    return ["", f"<div{cls} data-search-exclude>{escaped_table(header, rows)}</div>", ""]


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
    cls = verdicts.CSS_CLASS.get(code) if code is not None else None
    return f'<span class="kpi-v {cls}">{escape(shown)}</span>' if cls and shown else str(escape(shown))


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
