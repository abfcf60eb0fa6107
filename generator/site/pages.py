"""The benchmarking site's generated pages: plain Python output, deterministic, escaped.

``build_pages`` turns the published (disclosure-controlled) rows, the catalogue and the registry
into Markdown pages and charts; ``write_pages`` writes only what changed. No text from a return
or the registry ever passes through Jinja: generated pages are not rendered by mkdocs-macros
(``render_by_default: false``) and every value is escaped for Markdown and HTML.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from generator.calc import disclosure, stats, verdicts
from generator.calc.indicators import (
    COLUMN_TEXT,
    COLUMNS,
    METHOD_WORDS,
    Spec,
    scale_range,
    specs,
    target_text,
)
from generator.calc.verdicts import Basis, Verdict
from generator.catalogue.model import Catalogue
from generator.catalogue.registry import Registry
from generator.charts import plans as charts
from generator.publish.dataset import neutralise
from generator.site.hooks import FRAGMENTS, marker
from generator.site.presentation import Presentation
from generator.site.presentation import load as load_presentation
from generator.site.questions import Question
from generator.site.questions import load as load_questions

GENERATED = "generated"
# The overview's key indicators (presentation only: every indicator has its own page).
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
    return ["", f"<div{cls} data-search-exclude>{_table(header, rows)}</div>", ""]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """``<table>`` markup, every cell escaped."""
    return _html_table(header, [[hesc(x) for x in row] for row in rows])


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``<table>`` markup around cells that are already HTML (escaped by the caller)."""
    head = "".join(f"<th>{hesc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{x}</td>" for x in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# From a generated page (generated/<kind>/<name>/, a directory address) to generated/: for raw
# HTML, which MkDocs does not rewrite (Markdown links are written relative to the .md file).
PAGE_TO_PAGE = "../../"


def plain_title(text: Any) -> str:
    """A title for front matter with no markup characters at all: the theme puts it in <title>
    and the navigation unescaped. Quoted for YAML."""
    t = re.sub(r'[<>{}\[\]`\\"]', "", str(text)).replace("\n", " ").strip()
    return '"' + (t or "Untitled") + '"'


def front(title: Any) -> str:
    return f"---\ntitle: {plain_title(title)}\n---\n\n"


def slug(code: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", code.lower()).strip("-") or "x"


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
    return charts.fmt(x, unit)


def verdict(r: Mapping[str, Any] | None, short: bool = False) -> str:
    """A row's comparison with all areas as Markdown: shape and word, on a tint (colour is never
    the only signal). ``short`` (narrow tables): "(no interval)" becomes a dagger, which the
    table's note explains."""
    return _verdict(r, esc, short)


def verdict_html(r: Mapping[str, Any] | None) -> str:
    """:func:`verdict` for raw HTML."""
    return _verdict(r, hesc, False)


def all_areas_code(r: Mapping[str, Any] | None) -> Verdict | None:
    """The code of a row's comparison with all areas (None where it was not compared)."""
    code = str((r or {}).get("comparison_all_areas_code") or "")
    return Verdict(code) if code else None


def _verdict(r: Mapping[str, Any] | None, escape: Any, short: bool) -> str:
    shown = verdict_text(r)
    if short:
        shown = shown.replace(" (no interval)", "\u2020")
    code = all_areas_code(r)
    cls = verdicts.CSS_CLASS.get(code) if code is not None else None
    return f'<span class="kpi-v {cls}">{escape(shown)}</span>' if cls and shown else str(escape(shown))


def verdict_text(r: Mapping[str, Any] | None) -> str:
    """A better comparison tested by interval -> ``▲ better``; a comparison of values with no
    interval says so, because it is a plain comparison, not a test that the difference is
    unlikely to be chance. Other verdicts keep their published words."""
    code = all_areas_code(r)
    if code is None:
        return ""
    if code not in verdicts.SHAPES:
        return str((r or {}).get("comparison_all_areas") or verdicts.say(code))
    shown = verdicts.SHAPES[code]
    basis = str((r or {}).get("comparison_all_areas_basis") or "")
    return f"{shown} (no interval)" if basis == Basis.NO_INTERVAL else shown


@dataclass(frozen=True)
class Page:
    path: str  # relative to site_src
    text: str
    # (name, HTML): tables put into the built page by generator/site/hooks.py, never parsed as Markdown
    fragments: tuple[tuple[str, str], ...] = ()


def fragment(name: str, lines: Sequence[str]) -> tuple[list[str], tuple[str, str]]:
    """A marker for the page and the HTML it stands for (see generator/site/hooks.py)."""
    return ["", marker(name), ""], (name, "\n".join(lines))


@dataclass(frozen=True)
class Context:
    rows: Sequence[Mapping[str, Any]]
    quality: Sequence[Mapping[str, Any]]
    catalogue: Catalogue
    registry: Registry
    data_as_at: str  # the latest period in the data
    published: int = 0  # rows in the published table (``rows`` may hold only those shown)
    presentation_file: Path | None = None  # data/presentation.yaml unless given

    @property
    def table_rows(self) -> int:
        return self.published or len(self.rows)

    @cached_property
    def specs(self) -> list[Spec]:
        return specs(self.catalogue)

    @cached_property
    def presentation(self) -> Presentation:
        """data/presentation.yaml: the key indicators, the trend, the profiles."""
        return load_presentation(self.specs, self.presentation_file)

    @property
    def key_indicators(self) -> list[tuple[str, str, str]]:
        """(indicator, breakdown value, short label), in the presentation's order."""
        return [(k.indicator, k.breakdown_value, k.short) for k in self.presentation.key_indicators]

    @cached_property
    def by_indicator(self) -> dict[str, list[Mapping[str, Any]]]:
        out: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for r in self.rows:
            out[str(r["indicator_id"])].append(r)
        return out

    @cached_property
    def by_area(self) -> dict[str, list[Mapping[str, Any]]]:
        """Area-level rows (not providers, not all areas), by area."""
        out: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for r in self.rows:
            if r["level"] == "area":
                out[str(r["area_code"])].append(r)
        return out

    @cached_property
    def _latest(self) -> dict[str, str]:
        periods: dict[str, set[str]] = defaultdict(set)
        for r in self.rows:
            periods[str(r["section"])].add(str(r["period"]))
        out = {}
        for section, ps in periods.items():
            rolling = sorted(p for p in ps if p.startswith("12 months"))
            quarterly = self.catalogue.sections[section].frequency == "quarterly"
            out[section] = rolling[-1] if quarterly and rolling else max(ps)
        return out

    def latest(self, section: str) -> str:
        return self._latest.get(section, "")

    @cached_property
    def area_latest(self) -> dict[str, dict[str, list[Mapping[str, Any]]]]:
        """Each area's rows in their section's latest period, by indicator (in table order).
        An area page reads only these; scanning all of an area's rows for each question and
        section was half the time of a national page build."""
        out: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for area, rows in self.by_area.items():
            for r in rows:
                if r["period"] == self.latest(str(r["section"])):
                    out[area][str(r["indicator_id"])].append(r)
        return out

    def area_values(self, ind: str, bv: str, period: str) -> list[float]:
        """Every area's published value of one indicator in one period, sorted (once: each
        area's spine chart places the area among them)."""
        key = (ind, bv, period)
        if key not in self._area_values:
            self._area_values[key] = sorted(
                v
                for r in self.by_indicator[ind]
                if r["level"] == "area"
                and r["period"] == period
                and r["breakdown_value"] == bv
                and (v := num(r["value"])) is not None
            )
        return self._area_values[key]

    @cached_property
    def _area_values(self) -> dict[tuple[str, str, str], list[float]]:
        return {}

    @cached_property
    def synthetic_areas(self) -> tuple[int, int]:
        """(areas with any organisation marked synthetic in the registry, all areas): what the
        site must say about invented data, on every page. Real returns are published without a
        demonstration warning, and demonstration data never without one."""
        areas: dict[str, bool] = {}
        for o in self.registry.organisations.values():
            areas[o.area_code] = areas.get(o.area_code, False) or o.synthetic
        return sum(areas.values()), len(areas)

    @cached_property
    def single_provider_areas(self) -> frozenset[str]:
        """Areas with one provider, whose provider's figures are the area's (shown once)."""
        n: dict[str, int] = defaultdict(int)
        for o in self.registry.organisations.values():
            if o.role == "provider":
                n[o.area_code] += 1
        return frozenset(a for a in self.registry.areas if n[a] == 1)


def _index(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str, str, str], Mapping[str, Any]]:
    return {
        (r["indicator_id"], r["breakdown_value"], r["area_code"], r["provider_code"] or "", r["period"]): r
        for r in rows
    }


def build_pages(ctx: Context) -> tuple[list[Page], dict[str, charts.Chart]]:
    """Every generated page and chart (pure: nothing is written here)."""
    idx = _index(ctx.rows)
    chart_out: dict[str, charts.Chart] = {}
    pages = [_home(ctx, idx), _areas_index(ctx), _indicators_index(ctx), _dictionary(ctx), _downloads(ctx)]
    questions = load_questions({s.indicator_id for s in ctx.specs})
    for area, name in sorted(ctx.registry.areas.items()):
        pages.append(_area_page(ctx, idx, area, name, questions, chart_out))
    for ind_id in sorted({s.indicator_id for s in ctx.specs}):
        pages.append(_indicator_page(ctx, idx, ind_id, chart_out))
    return pages, chart_out


def _synthetic_words(ctx: Context) -> str:
    invented, total = ctx.synthetic_areas
    if not invented:
        return ""
    if invented == total:
        return "Synthetic demonstration data: not real services. "
    return f"{invented} of {total} areas hold synthetic demonstration data (marked so in their names). "


def _footer(ctx: Context) -> str:
    return (
        f"\n\n---\n\n*Data as at {esc(ctx.data_as_at)}. {_synthetic_words(ctx)}"
        "Small numbers are suppressed: see [methods](../methods.md#disclosure-control).*\n"
    )


def _synthetic_note(ctx: Context) -> list[str]:
    """The home page's warning, when any area's data are invented."""
    invented, total = ctx.synthetic_areas
    if not invented:
        return []
    if invented == total:
        body = (
            f"Every number on this site is invented, for {total} areas whose organisations the "
            "registry marks as synthetic. It shows how the site works; it says nothing about any "
            "real place or service."
        )
    else:
        body = (
            f"The figures for {invented} of the {total} areas are invented: their organisations are "
            "marked synthetic in the registry (and in their names). They show how the site works and "
            "say nothing about any real place or service."
        )
    return ['!!! note "Synthetic demonstration data"', f"    {body}", ""]


def _home(ctx: Context, idx: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]]) -> Page:
    units = {s.indicator_id: s.unit for s in ctx.specs}
    lines = [
        "# Employment support: how each area is doing",
        "",
        "Key performance indicators for employment support for people with mental health problems, "
        "area by area, from the returns providers and commissioners send each quarter and year. "
        f"Data as at **{esc(ctx.data_as_at)}**.",
        "",
        "## About the framework",
        "",
        "The framework is the set of key performance indicators the Sainsbury Centre for Mental Health "
        "published in 2009 after consulting key stakeholders and testing it, with the NHS Confederation, "
        "in 17 sites with NHS and voluntary sector providers and local commissioners [001]. Its four "
        "sections are the local context (Section A), who is referred (B), quality and effectiveness (C) "
        "and outcomes (D). This site adds job outcomes and value for money (E), other employment "
        "supports (F) and the commissioner's self-assessment (G), drawing on NDTi's review tool for "
        "commissioners [004] (benchmarks and questions), the 2024 guide to commissioning supported "
        "employment beyond severe mental illness [003] (suggested targets), About Time [002] and the "
        "2009 paper's key elements of local services [001]. "
        "[All indicators](generated/indicators/index.md) lists every one; "
        "[guidance](guidance/index.md) describes each source.",
        "",
        *_synthetic_note(ctx),
        "## How to read this site",
        "",
        "- Each value comes with a **95% interval**: the range the true value is likely to lie in. Small "
        "services have wide intervals.",
        "- **▲ better**, **▼ worse** and **● similar** compare an area with all areas (on a green, pink "
        "or grey tint; the shape and the word say the same). Better or worse means the interval does "
        "not include the all-areas value: the difference is unlikely to be chance. Money, ratios and "
        "ratings have no interval and are compared as plain values, marked *(no interval)*.",
        "- Each area's page ends with **questions to ask** its provider, raised by its figures.",
        "- Targets and benchmarks come from the source documents; each indicator's page says which.",
        "- **suppressed** means a number was too small to publish without risk of identifying someone.",
        "- [Methods](methods.md) explains the statistics and the rules; [guidance](guidance/index.md) "
        "explains what good employment support looks like and what to ask.",
        "",
        "## Overview: key indicators by area",
        "",
        "Latest period for each indicator. Select an area for its full page.",
        "",
    ]
    header = ["Area"] + [esc(short) for _, _, short in ctx.key_indicators]
    lines += [STACK_OPEN, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for area, name in sorted(ctx.registry.areas.items()):
        cells = [f"[{esc(name)}]({GENERATED}/areas/{slug(area)}.md)"]
        for ind, bv, _short in ctx.key_indicators:
            section = ind[0]
            r = idx.get((ind, bv, area, "", ctx.latest(section)))
            if r is None:
                cells.append("no data")
            else:
                shape = verdict(r, short=True)
                cells.append(f"{show(r['value'], units[ind])} {shape}".strip())
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        STACK_CLOSE,
        "",
        "\u2020 No interval: money is compared with all areas as a plain value, not tested for chance.",
        "",
        "## Areas",
        "",
        "| Code | Area | Providers |",
        "|---|---|---|",
    ]
    for area, name in sorted(ctx.registry.areas.items()):
        provs = [o.name for o in ctx.registry.in_area(area) if o.role == "provider"]
        lines.append(
            f"| {esc(area)} | [{esc(name)}]({GENERATED}/areas/{slug(area)}.md) | {esc(', '.join(provs))} |"
        )
    # no table of contents column: the overview grid needs the width
    return Page("index.md", "---\nhide:\n  - toc\n---\n\n" + "\n".join(lines))


def _areas_index(ctx: Context) -> Page:
    lines = ["# Areas", ""] + [
        f"- [{esc(name)}]({slug(a)}.md)" for a, name in sorted(ctx.registry.areas.items())
    ]
    return Page(f"{GENERATED}/areas/index.md", "\n".join(lines) + _footer(ctx).replace("../", "../../"))


def _indicators_index(ctx: Context) -> Page:
    # one line per indicator (its breakdowns share it), in the catalogue's order
    seen: dict[str, dict[str, None]] = defaultdict(dict)
    for s in ctx.specs:
        seen[s.section][f"- [{esc(s.title)}]({slug(s.indicator_id)}.md) ({esc(s.indicator_id)})"] = None
    lines = ["# Indicators", "", "Every indicator in the catalogue, by section.", ""]
    for letter, sec in ctx.catalogue.sections.items():
        lines += [
            f"## Section {letter}: {esc(sec.title, quote=False)}",
            "",
            *seen[letter],
            "",
        ]
    return Page(f"{GENERATED}/indicators/index.md", "\n".join(lines) + _footer(ctx).replace("../", "../../"))


def _key_table(
    ctx: Context, idx: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]], area: str
) -> list[str]:
    """A compact table a commissioner can scan, then each indicator's verdicts against targets."""
    titles = {s.indicator_id: (s.title, s.unit) for s in ctx.specs}
    lines = [
        STACK_OPEN,
        "",
        "| Indicator | Value | 95% interval | Compared with all areas | Trend | Period and notes |",
        "|---|---|---|---|---|---|",
    ]
    judged = []
    for ind, bv, _short in ctx.key_indicators:
        title, unit = titles[ind]
        if bv:  # one category of an indicator: say which
            title += " - " + next(
                (s.breakdown_label for s in ctx.specs if s.indicator_id == ind and s.breakdown_value == bv),
                bv,
            )
        period = ctx.latest(ind[0])
        r = idx.get((ind, bv, area, "", period))
        link = f"[{esc(title)}](../indicators/{slug(ind)}.md)"
        if r is None:
            lines.append(f"| {link} | no data | | | | no return for {esc(period)} |")
            continue
        trend = esc(_trend_text(r))
        notes = _notes(r)
        lines.append(
            f"| {link} | {show(r['value'], unit)} | {_row_interval(r, unit)} | "
            f"{verdict(r)} | {trend} | "
            f"{esc(period)}{'; ' + esc(notes) if notes else ''} |"
        )
        if r["comparison_target"]:
            judged.append(f"- **{esc(title)}** ({show(r['value'], unit)}):")
            judged += [f"    - {esc(v)}" for v in str(r["comparison_target"] or "").split("; ") if v]
    lines += ["", STACK_CLOSE, "", *FOOTNOTES]
    if judged:
        lines += [
            "",
            "### Against the targets and benchmarks in the source documents",
            "",
            "Each indicator's page gives the source of every target.",
            "",
            *judged,
        ]
    return lines


FOOTNOTES = (  # what the notes and blanks in an area's tables mean (methods.md says more)
    '<div class="kpi-notes" markdown>',
    "",
    "**provisional**: the latest period; a late or corrected return can still change it. "
    "**partial**: some expected returns were missing, so the value covers fewer providers or "
    "quarters than it should. Counts of people below the level of all areas are rounded to 5, "
    "and rates, intervals and comparisons are worked out from the rounded counts, allowing "
    "for the rounding ([the rule](../../methods.md#disclosure-control)). **suppressed**: 1 to "
    "4 people. **withheld**: not shown so that another figure cannot be worked out from it. "
    f"**under {disclosure.MIN_SHOWN}**: a value resting on fewer than {disclosure.MIN_SHOWN} "
    f"people is not shown; below {disclosure.MIN_JUDGED}, it is not compared or ranked. "
    "**no interval**: money, ratios, ratings and answers are not estimates from a sample, so "
    "they are compared as plain values (for a caseload per specialist, over the range the rounded "
    "count allows; a cost per job outcome has an interval from the outcomes). "
    f"**not enough periods**: a trend needs the latest {stats.MIN_TREND_PERIODS} "
    "periods that do not overlap. **not tested**: only percentages of people are tested for a trend.",
    "",
    "</div>",
    "",
)


def _notes(r: Mapping[str, Any]) -> str:
    return ", ".join(f for f in str(r["flags"] or "").split(";") if f)


def _trend_text(r: Mapping[str, Any] | None) -> str:
    if r is None:
        return ""
    return str(r["trend"] or "") or ("not available: value suppressed" if num(r["value"]) is None else "")


def _row_interval(r: Mapping[str, Any], unit: str, plain: bool = False) -> str:
    """The 95% interval, or why there is none (``plain``: text for raw HTML, not Markdown)."""
    lo, hi = num(r["lower_95"]), num(r["upper_95"])
    if lo is not None and hi is not None:
        return _interval_text(lo, hi, unit, plain)
    return "no interval" if num(r["value"]) is not None else ""


def _section_tables(
    ctx: Context, area: str, letters: Sequence[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Each section's indicators for the area in the section's latest period, one table per
    section (catalogue order); indicators broken down by category are linked, since their
    categories are compared area by area on their own pages.

    The tables are HTML fragments put in by the MkDocs hook (see :func:`fragment`): as Markdown,
    150 areas' tables doubled a national MkDocs build, and in the search index every indicator
    title on every area page drowned the pages about those indicators."""
    units = {s.indicator_id: s.unit for s in ctx.specs}
    order = {s.indicator_id: i for i, s in enumerate(ctx.specs)}
    lines: list[str] = []
    frags: list[tuple[str, str]] = []
    for letter in letters:
        sec = ctx.catalogue.sections[letter]
        period = ctx.latest(letter)
        rows = sorted(
            (
                r
                for rs in ctx.area_latest[area].values()
                for r in rs
                if r["section"] == letter and not r["provider_code"]
            ),
            key=lambda r: order.get(str(r["indicator_id"]), 0),
        )
        lines += [f"## {esc(sec.title, quote=False)}", "", f"Section {letter}, {esc(period)}."]
        if not rows:
            lines += ["", f"No data for this area in {esc(period)}.", ""]
            continue
        plain = [r for r in rows if not r["breakdown_value"]]
        broken = {str(r["indicator_id"]): str(r["indicator_title"]) for r in rows if r["breakdown_value"]}
        if plain:
            cells = []
            for r in plain:
                ind = str(r["indicator_id"])
                unit = units.get(ind, str(r["unit"]))
                value = (
                    r["value_label"]
                    if r["value_label"] and unit in ("category", "yes/no")
                    else show_text(r["value"], unit)
                )
                cells.append(
                    (
                        f'<a href="{PAGE_TO_PAGE}indicators/{slug(ind)}/">{hesc(r["indicator_title"])}</a>',
                        hesc(value),
                        hesc(_row_interval(r, unit, plain=True)),
                        verdict_html(r),
                        hesc(_notes(r)),
                    )
                )
            head = ("Indicator", "Value", "95% interval", "Compared with all areas", "Notes")
            marks, frag = fragment(
                f"area-{slug(area)}-{letter.lower()}",
                [f'<div class="kpi-stack" data-search-exclude>{_html_table(head, cells)}</div>'],
            )
            lines += marks
            frags.append(frag)
        if broken:
            links = ", ".join(f"[{esc(t)}](../indicators/{slug(i)}.md)" for i, t in broken.items())
            lines += ["", f"By category, on their own pages: {links}."]
        lines.append("")
    return lines, frags


def _spine_and_trend(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]],
    area: str,
    name: str,
    chart_out: dict[str, charts.Chart],
) -> list[str]:
    """Where the area stands on each key indicator among all areas, and its job outcome trend."""
    spec_of = {s.indicator_id: s for s in ctx.specs if s.breakdown_value == ""}
    spines = []
    for ind, bv, short in ctx.key_indicators:
        period = ctx.latest(ind[0])
        values = ctx.area_values(ind, bv, period)
        nat = idx.get((ind, bv, "ALL", "", period))
        mine = idx.get((ind, bv, area, "", period))
        if len(values) < 4 or nat is None or num(nat["value"]) is None:
            continue
        spines.append(
            charts.Spine(
                short,
                num(mine["value"]) if mine else None,
                num(nat["value"]) or 0.0,
                values[0],
                stats.quantile(values, 0.25),
                stats.quantile(values, 0.75),
                values[-1],
                spec_of[ind].polarity,
                all_areas_code(mine),
                spec_of[ind].unit,
            )
        )
    lines: list[str] = []
    if spines:
        c = charts.spine_chart(name, spines)
        key = f"area-{slug(area)}-spine"
        chart_out[key] = c
        lines += ["### Where the area stands among all areas", "", *_chart_block(c, key)]
    ind = ctx.presentation.trend.indicator
    # rolling years: quarters are not published below the level of all areas
    series = [
        (str(r["period"]), r)
        for r in ctx.by_indicator[ind]
        if r["area_code"] in (area, "ALL")
        and not r["provider_code"]
        and str(r["period"]).startswith("12 months")
        and "partial" not in str(r["flags"] or "")  # a window short of a quarter is not 12 months
    ]
    periods_seen = sorted({p for p, _ in series})
    if len(periods_seen) >= 2:
        own = {p: r for p, r in series if r["area_code"] == area}
        allv = {p: r for p, r in series if r["area_code"] == "ALL"}
        latest_own = own.get(periods_seen[-1])
        words = ctx.presentation.trend.words
        c = charts.trend_line(
            words,
            spec_of[ind].unit,
            [p.replace("12 months to ", "to ") for p in periods_seen],
            [num(own[p]["value"]) if p in own else None for p in periods_seen],
            [num(allv[p]["value"]) if p in allv else None for p in periods_seen],
            name,
            str(latest_own["trend"]) if latest_own and latest_own["trend"] else "trend not available",
            [num(own[p]["lower_95"]) if p in own else None for p in periods_seen],
            [num(own[p]["upper_95"]) if p in own else None for p in periods_seen],
        )
        key = f"area-{slug(area)}-trend"
        chart_out[key] = c
        lines += [
            f"### {esc(words[:1].upper() + words[1:])}, 12 months at a time",
            "",
            "The 12 months to each quarter, against all areas. The years overlap, so neighbouring "
            "points share nine months; quarters on their own are published for all areas only.",
            "",
            *_chart_block(c, key),
        ]
    return lines


def _questions(
    ctx: Context,
    area: str,
    questions: Sequence[Question],
) -> list[str]:
    docs = ctx.catalogue.documents
    raised = []
    latest = ctx.area_latest[area]
    for q in questions:
        hits = [r for ind, rows in latest.items() if q.about(ind) for r in rows if q.fires(r)]
        if hits:
            r = hits[0]
            unit = next((s.unit for s in ctx.specs if s.indicator_id == r["indicator_id"]), "")
            what = (
                f"{esc(r['indicator_title'])}"
                + (f" ({esc(r['breakdown_label'] or r['breakdown_value'])})" if r["breakdown_value"] else "")
                + f", {show(r['value'], unit)} in {esc(r['period'])}"
            )
            cited = list(dict.fromkeys(p["document"] for p in q.passages))  # in order, once each
            src = "; ".join(f"[{c}] {esc(docs[c].title)}" for c in cited)
            raised.append(
                f"### {esc(q.question, quote=False)}\n\n**Raised by:** {what}: "
                f"{esc(r['comparison_target'])}"
                f"\n\n**Why it matters:** {esc(q.why)}\n\n**What good looks like:** {esc(q.good)}\n\n"
                f"*Source: {src}.*\n"
            )
    if not raised:
        return ["No flags were raised for this area in the latest period."]
    return raised


def _area_page(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]],
    area: str,
    name: str,
    questions: Sequence[Question],
    chart_out: dict[str, charts.Chart],
) -> Page:
    lines = [
        f"# {esc(name, quote=False)}",
        "",
        f"Area code {esc(area)}. Providers: "
        + (esc(", ".join(o.name for o in ctx.registry.in_area(area) if o.role == "provider")) or "none")
        + ".",
        "",
        "## Key indicators",
        "",
        *_key_table(ctx, idx, area),
        "",
        *_spine_and_trend(ctx, idx, area, name, chart_out),
        "## Questions to ask",
        "",
        *_questions(ctx, area, questions),
        "",
    ]
    context, frags = _section_tables(ctx, area, ("A",))
    lines += context
    # intake against the local population
    lines += ["## Who the service reaches", ""]
    for ind, subject in ((x.indicator, x.subject) for x in ctx.presentation.who_the_service_reaches):
        rs = ctx.area_latest[area].get(ind, [])
        if not rs:
            continue
        pop = [_population_share(ctx, idx, r) for r in rs]
        c = charts.profile_bars(
            subject,
            [str(r["breakdown_label"] or r["breakdown_value"]) for r in rs],
            [num(r["value"]) for r in rs],
            pop,
            name,
        )
        key = f"area-{slug(area)}-{slug(ind)}"
        chart_out[key] = c
        lines += _chart_block(c, key)
    # ratings
    rated = {i.id for _, i in ctx.catalogue.items() if i.value_type == "rating" and not i.breakdown}
    ratings = {ind: r for ind, rs in ctx.area_latest[area].items() if ind in rated for r in rs}
    if ratings:
        lines += [
            "## Quality ratings",
            "",
            "Ratings from the provider's annual return (Section C), each with the wording of its "
            "scale point.",
            "",
        ]
        items = [(i, r) for i, r in sorted(ratings.items())]
        labels = [str(r["indicator_title"]) for _, r in items]
        values = [num(r["value"]) for _, r in items]
        c = charts.rating_profile(name, labels, values, [scale_range([i], ctx.catalogue) for i, _ in items])
        key = f"area-{slug(area)}-ratings"
        chart_out[key] = c
        lines += _chart_block(c, key)
        lines += [STACK_OPEN, "", "| Rating | Score | What the score means |", "|---|---|---|"]
        for _, r in items:
            lines.append(
                f"| {esc(r['indicator_title'])} | {show(r['value'], 'score')} | {esc(r['value_label'])} |"
            )
        lines += ["", STACK_CLOSE, "", *_corroboration(ctx, area, str(items[0][1]["period"]))]
    others, more = _section_tables(ctx, area, ("D", "E", "F", "G"))
    lines += [
        *others,
        "Every value for this area, in every period and for each provider in the latest period, is "
        "in the [published dataset](../downloads.md).",
        "",
        "## Data quality",
        "",
        *_quality_table(ctx, area),
    ]
    return Page(
        f"{GENERATED}/areas/{slug(area)}.md",
        front(name) + "\n".join(lines) + _footer(ctx).replace("../", "../../"),
        tuple(frags + more),
    )


def _population_share(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]],
    r: Mapping[str, Any],
) -> float | None:
    """The local population's share for an intake row: the Section A row its spec names, for the
    financial year the intake period falls in."""
    spec = next(
        (
            s
            for s in ctx.specs
            if s.indicator_id == r["indicator_id"] and s.breakdown_value == r["breakdown_value"]
        ),
        None,
    )
    if spec is None or not spec.reference:
        return None
    item_id, _, category = spec.reference[0].partition(":")
    year = str(r["period"]).removeprefix("12 months to ").split(" ")[0]
    pop = idx.get((item_id, category, str(r["area_code"]), "", year))
    return num(pop["value"]) if pop else None


def _quality_table(ctx: Context, area: str) -> list[str]:
    q = [x for x in ctx.quality if x["area_code"] == area]
    by = defaultdict(list)
    for x in q:
        by[(x["section"])].append(x)
    lines = [
        STACK_OPEN,
        "",
        "| Section | Returns received | Missing | Arrived after the due date | Resubmitted | Warnings |",
        "|---|---|---|---|---|---|",
    ]
    for letter in sorted(by):
        xs = by[letter]
        late = [x for x in xs if x["status"] != "missing" and x.get("late") == "yes"]
        lines.append(
            f"| {letter} {esc(ctx.catalogue.sections[letter].title)} | "
            f"{sum(x['status'] != 'missing' for x in xs)} of {len(xs)} | "
            f"{esc(', '.join(x['period'] for x in xs if x['status'] == 'missing')) or 'none'} | "
            + (
                esc(", ".join(f"{x['period']} (due {x['due']}, received {x['received']})" for x in late))
                or "none"
            )
            + f" | {sum(x['status'] == 'resubmitted' for x in xs)} | {sum(int(x['warnings']) for x in xs)} |"
        )
    return [*lines, "", STACK_CLOSE, "", *_not_collected(ctx, q), *_comments(q)]


def _corroboration(ctx: Context, area: str, period: str) -> list[str]:
    """What the ratings rest on besides the provider's own view (001 asks for independent
    corroboration), or that the return did not say."""
    item = ctx.presentation.ratings_corroboration
    if item is None:
        return []
    rows = [r for r in ctx.area_latest[area].get(item, []) if r["period"] == period]
    if rows and rows[0]["value_label"]:
        return [
            f"**Independent corroboration of these ratings ({esc(period)}):** {esc(rows[0]['value_label'])}.",
            "",
        ]
    if rows:  # several providers with different answers
        return [
            f"**Independent corroboration of these ratings ({esc(period)}):** differs between providers.",
            "",
        ]
    return [
        f"**Independent corroboration of these ratings ({esc(period)}):** not collected "
        "(the return was made before the template asked).",
        "",
    ]


def _not_collected(ctx: Context, q: Sequence[Mapping[str, Any]]) -> list[str]:
    """What returns did not collect, said as such (a blank here is never a zero): items a
    return's answer turned off, and items its template version did not have yet."""
    periods_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for x in q:
        for item_id in str(x.get("not_collected") or "").split():
            periods_of[(str(x["section"]), item_id)].append(f"{x['period']} ({x['organisation_code']})")
    if not periods_of:
        return []
    out = ["**Not collected** (shown as not collected, never as zero):", ""]
    for (letter, item_id), when in sorted(periods_of.items()):
        item = ctx.catalogue.item_index[item_id]
        out.append(f"- {esc(item.title)} ({esc(item_id)}, Section {letter}): {esc(', '.join(when))}")
    return [*out, ""]


def _comments(q: Sequence[Mapping[str, Any]]) -> list[str]:
    """The caveats organisations wrote, once the analyst approved them for publication (nothing
    is said of those not approved: that one exists is not the public's business)."""
    shown = [x for x in q if x.get("comment")]
    if not shown:
        return []
    out = ["**Comments from the organisations** (published once the analyst has read and approved them):", ""]
    for x in sorted(shown, key=lambda x: (x["section"], x["period"], x["organisation_code"])):
        out.append(
            f"- Section {esc(x['section'])}, {esc(x['period'])}, {esc(x['organisation_name'])}: "
            f"{esc(x['comment'])}"
        )
    return [*out, ""]


def _chart_block(c: charts.Chart, key: str, table_below: bool = False) -> list[str]:
    """The chart, its alt text, and its data in a collapsed table beside it; with
    ``table_below``, a chart of many areas points to the page's data table instead of
    repeating all of it."""
    # raw HTML, which MkDocs neither parses nor rewrites (see PAGE_TO_PAGE)
    charts_dir = f"{PAGE_TO_PAGE}charts"
    lines = [
        "",
        f'<div class="kpi-chart"><img alt="{hesc(c.alt)}" src="{charts_dir}/{key}.svg"></div>',
        "",
        f'<p class="kpi-csv"><a href="{charts_dir}/{key}.csv">This chart\'s data (CSV)</a></p>',
        "",
    ]
    if table_below and len(c.rows) > charts.MANY_AREAS:
        return [
            *lines,
            f"Every area's figures in this chart are in the [data table](#data) below ({len(c.rows)} areas).",
            "",
        ]
    return [
        *lines,
        f'<details class="info" data-search-exclude><summary>Data for this chart: {hesc(c.title)}</summary>'
        f"{_table(c.header, c.rows)}</details>",
        "",
    ]


def _indicator_page(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Mapping[str, Any]],
    ind: str,
    chart_out: dict[str, charts.Chart],
) -> Page:
    sp = [s for s in ctx.specs if s.indicator_id == ind]
    s0 = sp[0]
    cat = ctx.catalogue
    item = cat.item_index.get(ind)
    derived = next((d for sec in cat.sections.values() for d in sec.derived if d.id == ind), None)
    src = item.source if item else derived.source if derived else None
    lines = [
        f"# {esc(s0.title, quote=False)}",
        "",
        f"Indicator {esc(ind)}, Section {s0.section}: {esc(cat.sections[s0.section].title)}.",
        "",
        "## Definition",
        "",
    ]
    rows_def = [
        ("Definition", item.definition if item else derived.definition if derived else ""),
        ("Question (source wording)", item.question if item else ""),
        (
            "Numerator",  # a value with no denominator (a count, a rating) is simply the value
            ((item.numerator.label if item and item.numerator else "") or _inputs(cat, s0.numerator))
            if s0.denominator or (item and item.denominator)
            else "",
        ),
        (
            "Denominator",
            (item.denominator.label or _inputs(cat, (item.denominator.item or "",)))
            if item and item.denominator
            else _inputs(cat, s0.denominator),
        ),
        ("Data source", item.data_source if item else "calculated from the items named above"),
        ("Who collects it", cat.sections[s0.section].completed_by_text),
        ("How often", cat.sections[s0.section].frequency),
        ("Unit", UNIT_TEXT.get(s0.unit, s0.unit)),
        ("Better if", {"higher_better": "higher", "lower_better": "lower"}.get(s0.polarity, "no judgement")),
        ("Method", METHOD_WORDS.get(s0.method, s0.method)),
        ("Rating scale", _scale_text(cat, item)),
        ("Confidence interval", _ci_text(s0)),
        ("Comparison", _comparison_text(s0, any(r["comparison_target_code"] for r in ctx.by_indicator[ind]))),
        ("Disclosure rule", _disclosure_text(s0)),
        (
            "Caveats",
            " ".join(x for x in (item.note if item else derived.note if derived else "", _caveat(s0)) if x),
        ),
        (
            "Source",
            f"[{src.document}] {cat.documents[src.document].title}, {src.section}: \u201c{src.passage}\u201d"
            if src
            else "",
        ),
    ]
    lines += ["| About this indicator | |", "|---|---|"] + [
        f"| {esc(k)} | {esc(v)} |" for k, v in rows_def if v
    ]
    bms = sorted({target_text(b) for s in sp for b in s.benchmarks})
    if bms:
        lines += ["", "## Targets and benchmarks", "", *[f"- {esc(b)}" for b in bms]]
    # compare areas for the first breakdown value (or the only one)
    period = ctx.latest(s0.section)
    by_category = _all_areas_by_category(ctx, ind, period)
    main = _main_spec(sp, by_category)
    area_rows = [
        r
        for r in ctx.by_indicator[ind]
        if r["breakdown_value"] == main.breakdown_value and r["level"] == "area" and r["period"] == period
    ]
    nat = next(
        (
            r
            for r in ctx.by_indicator[ind]
            if r["breakdown_value"] == main.breakdown_value
            and r["level"] == "all areas"
            and r["period"] == period
        ),
        None,
    )
    if area_rows and main.unit in ("percent", "gbp", "ratio", "score", "number", "count"):
        bars = [
            charts.Bar(
                str(r["area_name"]),
                num(r["value"]),
                num(r["lower_95"]),
                num(r["upper_95"]),
                all_areas_code(r),
            )
            for r in area_rows
        ]
        if any(b.value is not None for b in bars):
            lines += ["", f"## Areas compared ({esc(period)})", ""]
            c = charts.compare_areas(
                s0.title + (f" ({main.breakdown_label})" if main.breakdown_label else ""),
                main.unit,
                bars,
                num(nat["value"]) if nat else None,
                period,
            )
            key = f"ind-{slug(ind)}-compare"
            chart_out[key] = c
            lines += _chart_block(c, key, table_below=True)
    lines += _categories(ind, sp, by_category, period, chart_out)
    lines += _funnel_and_trend(ctx, ind, s0, main, area_rows, period, chart_out)
    lines += [
        "",
        f"## Data ({esc(period)}) {{#data}}",
        "",
        "Where an area has a single provider, the provider's figures are the area's, shown once. "
        "Below national level, counts are rounded to the nearest 5 and percentages are worked out "
        "from the exact counts, so a percentage may differ a little from the rounded counts "
        "([disclosure control](../../methods.md#disclosure-control)).",
    ]
    if len(sp) > 1:
        lines += [
            "",
            f"All areas are shown for every category; each area and provider for "
            f"{esc(main.breakdown_label or main.breakdown_value)}, the category charted above. Every "
            "category, area, provider and period is in the [published dataset](../downloads.md).",
        ]
    single = ctx.single_provider_areas
    order = {s.breakdown_value: i for i, s in enumerate(sp)}  # the catalogue's order of categories
    table = []
    for r in sorted(
        (
            r
            for r in ctx.by_indicator[ind]
            if r["period"] == period
            and not (r["level"] == "provider" and r["area_code"] in single)
            and (r["level"] == "all areas" or r["breakdown_value"] == main.breakdown_value)
        ),
        key=lambda r: (
            r["level"] != "all areas",
            r["area_code"],
            r["provider_code"] or "",
            order.get(str(r["breakdown_value"]), 0),
        ),
    ):
        lo, hi = num(r["lower_95"]), num(r["upper_95"])
        table.append(
            (
                r["area_name"],
                r["provider_name"] or "",
                r["breakdown_label"] or r["breakdown_value"],
                show_text(r["numerator"], "count") if r["numerator"] not in (None, "") else "",
                show_text(r["denominator"], "count") if r["denominator"] not in (None, "") else "",
                show_text(r["value"], s0.unit),
                _interval_text(lo, hi, s0.unit, plain=True),
                verdict_text(r),
                str(r["flags"] or "").replace(";", ", "),
            )
        )
    header = (
        "Area",
        "Provider",
        "Breakdown",
        "Numerator",
        "Denominator",
        "Value",
        "95% interval",
        "Compared with all areas",
        "Flags",
    )
    # a column empty in every row (no providers, no breakdown, a rating with no counts) only
    # pushes the others off the side of the page
    keep = [i for i in range(len(header)) if i < 1 or any(row[i] for row in table)]
    marker, data = fragment(
        f"data-{slug(ind)}",
        html_table([header[i] for i in keep], [[row[i] for i in keep] for row in table], stack=True),
    )
    lines += marker
    return Page(
        f"{GENERATED}/indicators/{slug(ind)}.md",
        "\n".join(lines) + _footer(ctx).replace("../", "../../"),
        (data,),
    )


UNIT_TEXT = {
    "percent": "percentage",
    "count": "number of people (or of things counted)",
    "gbp": "pounds sterling",
    "number": "number",
    "score": "score",
    "ratio": "ratio",
    "yes/no": "yes or no",
    "category": "one answer from a list",
}


def _inputs(cat: Catalogue, keys: Sequence[str]) -> str:
    """Input keys (``E05_job_outcomes``, ``B01_x.numerator:cat``) as the items' titles."""
    out: dict[str, None] = {}
    for k in keys:
        head, _, category = k.partition(":")
        item_id, _, part = head.partition(".")
        it = cat.item_index.get(item_id)
        if it is None:
            out[k] = None
            continue
        label = {"numerator": it.numerator, "denominator": it.denominator}.get(part)
        text = f"{it.title} ({item_id})"
        if part and label is not None and label.label:
            text = f"{label.label} ({item_id}, {part})"
        out[text if not category else f"{text}, by category"] = None
    return "; ".join(out)


def _scale_text(cat: Catalogue, item: Any) -> str:
    scale = cat.scales.get(item.scale) if item is not None and item.scale else None
    if scale is None or scale.kind != "rating":
        return ""
    return "; ".join(f"{p.value} = {p.label}" for p in scale.points)


def _ci_text(s: Spec) -> str:
    if s.method == "event_rate":
        return (
            f"Poisson limits on the events (exact below {stats.EXACT_BELOW}, Byar's method from there) "
            "over the people, 95% and 99.8%"
        )
    if s.method == "cost_per_outcome":
        return "the money over the Poisson limits of the outcomes, 95% and 99.8%"
    if s.unit == "percent" and s.method in ("proportion", "profile"):
        return "Wilson score interval, 95% and 99.8%"
    if s.method.startswith("swemwbs"):
        return "normal-theory interval for a mean, 95% and 99.8%"
    return "none: the value is not an estimate from a sample of people, so it has no interval"


def _comparison_text(s: Spec, judged: bool) -> str:
    """How the indicator is compared; ``judged``: whether any published row is judged against a
    target (a figure for one service, or for a support model a section does not record, may
    apply to none)."""
    if s.unit in ("yes/no", "category"):
        return "not compared: an answer, not a measure"
    base = (
        "against each target and benchmark below, and against the all-areas value"
        if judged
        else "against the all-areas value; the figures below are shown for context, as none applies "
        "to a published value (see Methods)"
        if s.benchmarks
        else "against the all-areas value"
    )
    if (s.unit == "percent" and s.method != "given") or s.method.startswith(("swemwbs", "cost_per")):
        return f"{base}: better or worse only when the 95% interval excludes it (see Methods)"
    return f"{base}, as plain values (no interval)"


def _disclosure_text(s: Spec) -> str:
    if s.unit == "percent":
        return "suppressed when the numerator or denominator is 1-4 people; counts rounded to 5"
    if s.unit == "count":
        return "1-4 suppressed; other counts rounded to the nearest 5 (below national level)"
    if s.unit in ("gbp", "ratio", "score") or s.method.startswith("swemwbs"):
        return "suppressed when it rests on fewer than 5 people"
    return "shown as returned: not a count of people"


def _caveat(s: Spec) -> str:
    if s.unit == "score" and s.method != "swemwbs_change":
        return "Ratings are the provider's own assessment."
    if s.unit == "gbp":
        return "Costs depend on what each provider includes (overheads, management); compare with care."
    return ""


def _all_areas_by_category(ctx: Context, ind: str, period: str) -> dict[str, Mapping[str, Any]]:
    """The indicator's all-areas rows in ``period``, by breakdown value."""
    return {
        str(r["breakdown_value"]): r
        for r in ctx.by_indicator[ind]
        if r["level"] == "all areas" and r["period"] == period
    }


def _main_spec(sp: Sequence[Spec], nat: Mapping[str, Mapping[str, Any]]) -> Spec:
    """The breakdown value the compare, funnel and trend charts show: the total if there is one,
    else the category with the largest all-areas value (the one most areas can publish)."""
    total = next((s for s in sp if s.breakdown_value in ("", "total")), None)
    if total is not None:
        return total
    return max(
        sp,
        key=lambda s: (num(nat[s.breakdown_value]["value"]) or 0.0) if s.breakdown_value in nat else -1.0,
    )


def _categories(
    ind: str,
    sp: Sequence[Spec],
    nat: Mapping[str, Mapping[str, Any]],
    period: str,
    chart_out: dict[str, charts.Chart],
) -> list[str]:
    """For a breakdown (age band, sector, ...): how all areas together divide up, category by category."""
    cats = [s for s in sp if s.breakdown_value not in ("", "total")]
    if len(cats) < 2 or cats[0].unit not in ("percent", "count"):
        return []
    bars = [
        charts.Bar(
            s.breakdown_label or s.breakdown_value,
            num(nat[s.breakdown_value]["value"]) if s.breakdown_value in nat else None,
            num(nat[s.breakdown_value]["lower_95"]) if s.breakdown_value in nat else None,
            num(nat[s.breakdown_value]["upper_95"]) if s.breakdown_value in nat else None,
        )
        for s in cats
    ]
    if all(b.value is None for b in bars):
        return []
    c = charts.category_bars(sp[0].title, cats[0].unit, bars, period, "all areas")
    key = f"ind-{slug(ind)}-categories"
    chart_out[key] = c
    return ["", f"## By category, all areas ({esc(period)})", "", *_chart_block(c, key)]


def _funnel_and_trend(
    ctx: Context,
    ind: str,
    s0: Spec,
    main: Spec,
    area_rows: list[Mapping[str, Any]],
    period: str,
    chart_out: dict[str, charts.Chart],
) -> list[str]:
    lines: list[str] = []
    label = s0.title + (f" ({main.breakdown_label})" if main.breakdown_label else "")
    pts = [
        (str(r["area_name"]), num(r["denominator"]) or 0.0, num(r["value"]) or 0.0)
        for r in area_rows
        if num(r["denominator"]) and num(r["value"]) is not None
    ]
    # the funnel as the dataset publishes it: its centre and added variance (never redrawn from
    # rounded values), around at least stats.MIN_FUNNEL_AREAS areas
    centre = next(
        (
            (p0, num(r["funnel_tau2"]) or 0.0, str(r["method"]))
            for r in area_rows
            if (p0 := num(r["funnel_p0"])) is not None
        ),
        None,
    )
    if main.unit == "percent" and centre is not None and pts:
        p0, tau2, method = centre
        lo_n, hi_n = min(n for _, n, _ in pts) * 0.8, max(n for _, n, _ in pts) * 1.1
        grid = np.array([round(max(1.0, lo_n + (hi_n - lo_n) * k / 40)) for k in range(41)], dtype=float)
        cols = stats.funnel_limits(grid, np.full(len(grid), p0 / 100), np.full(len(grid), tau2 / 1e4))
        lo95, hi95, lo998, hi998 = (100 * c for c in cols)
        limits = [
            (float(n), float(lo95[k]), float(hi95[k]), float(lo998[k]), float(hi998[k]))
            for k, n in enumerate(grid.tolist())
        ]
        # outside as the dataset says it (for every count the published figures stand for)
        outside = sum(
            str(r["comparison_funnel_code"] or "") in verdicts.FUNNEL_OUTSIDE_998 for r in area_rows
        )
        short = next((part for part in method.split("; ") if part.startswith("funnel")), "funnel")
        c = charts.funnel_plot(label, pts, p0, limits, short, period, outside=outside)
        key = f"ind-{slug(ind)}-funnel"
        chart_out[key] = c
        lines += [
            "",
            "## Funnel plot",
            "",
            "The centre line is the share pooled from the areas' published counts. Areas outside "
            "the limits differ from it by more than chance alone would explain; areas with fewer "
            "people have wider limits. An area is counted outside only where every count its "
            "rounded figures stand for is.",
            "",
            *_chart_block(c, key, table_below=True),
        ]
    elif main.unit == "percent" and area_rows and s0.method in ("proportion", "profile"):
        lines += [
            "",
            "## Funnel plot",
            "",
            f"There is no funnel plot for {esc(period)}: a funnel needs at least "
            f"{stats.MIN_FUNNEL_AREAS} areas with a published value, to say anything about any one of them"
            f" ({len(pts)} have one).",
        ]
    elif main.unit == "percent" and area_rows and s0.method == "event_rate":
        lines += [
            "",
            "## Funnel plot",
            "",
            "There is no funnel plot for this indicator. It counts events (job outcomes or work "
            "starts) against the people who started, and can pass 100%; a funnel plot tests a share "
            "of people. The chart above compares the areas.",
        ]
    elif main.unit in ("gbp", "ratio", "score", "number", "count") and area_rows:
        lines += [
            "",
            "## Funnel plot",
            "",
            f"There is no funnel plot for this indicator. A funnel plot tests a percentage of people "
            f"against the number of people it rests on, and this indicator's unit is "
            f"{UNIT_TEXT.get(main.unit, main.unit)}, not a percentage. The chart above compares the areas.",
        ]
    series = sorted(
        (str(r["period"]), num(r["value"]))
        for r in ctx.by_indicator[ind]
        if r["level"] == "all areas"
        and r["breakdown_value"] == main.breakdown_value
        and not str(r["period"]).startswith("12 months")
    )
    if len(series) >= 2 and main.unit in ("percent", "gbp", "ratio", "score", "number", "count"):
        values = [v for _, v in series]
        tested = [
            str(r["trend"])
            for r in ctx.by_indicator[ind]
            if r["level"] == "all areas"
            and r["breakdown_value"] == main.breakdown_value
            and str(r["period"]) == series[-1][0]
        ]
        c = charts.trend_line(
            label,
            main.unit,
            [p for p, _ in series],
            values,
            values,
            "All areas",
            (tested[0] if tested else "") or "trend not available",
        )
        key = f"ind-{slug(ind)}-trend"
        chart_out[key] = c
        lines += [
            "",
            "## Trend for all areas",
            "",
            "Each area's own trend is on its page.",
            "",
            *_chart_block(c, key),
        ]
    return lines


def _interval_text(lo: float | None, hi: float | None, unit: str, plain: bool = False) -> str:
    if lo is None or hi is None:
        return ""
    text = f"{show_text(lo, unit)} to {show_text(hi, unit)}"
    return text if plain else esc(text)


def _dictionary(ctx: Context) -> Page:
    lines = [
        "# Data dictionary",
        "",
        "Every item collected, by section, with its type and source; each title links to the "
        "item's page, which has its full definition and every area's figures.",
        "",
    ]
    pages = {s.indicator_id for s in ctx.specs}
    for letter, sec in ctx.catalogue.sections.items():
        lines += [
            f"## Section {letter}: {esc(sec.title, quote=False)}",
            "",
            STACK_OPEN,
            "",
            "| Title | ID | Type | Source |",
            "|---|---|---|---|",
        ]
        for i in sec.items:
            title = f"[{esc(i.title)}](indicators/{slug(i.id)}.md)" if i.id in pages else esc(i.title)
            lines.append(
                f"| {title} | {esc(i.id)} | {esc(i.value_type)} | [{i.source.document}] "
                f"{esc(i.source.section)} |"
            )
        lines += ["", STACK_CLOSE, ""]
    lines += [
        "## The published dataset's columns",
        "",
        "The columns of `indicators.csv` (see [downloads](downloads.md)), in order.",
        "",
        "| Column | What it holds |",
        "|---|---|",
        *[f"| {esc(c)} | {esc(COLUMN_TEXT[c])} |" for c in COLUMNS],
        "",
    ]
    return Page(f"{GENERATED}/dictionary.md", "\n".join(lines) + _footer(ctx))


PLAIN_CSV_ROWS = 200_000  # above this (about 65 MB) the site offers the table zipped only


def site_downloads(rows: int) -> tuple[str, ...]:
    """The dataset files the site offers for a table of ``rows`` rows. A national table is half
    a gigabyte as CSV (too big for GitHub Pages to serve, and more rows than Excel opens), and
    about a twentieth of that zipped."""
    plain = ("indicators.csv",) if rows <= PLAIN_CSV_ROWS else ()
    return (*plain, "indicators.csv.zip", "dataset.xlsx", "data_quality.csv")


def _downloads(ctx: Context) -> Page:
    offered = site_downloads(ctx.table_rows)
    table = (
        "- [All indicators, every period, every area and provider (CSV)](downloads/indicators.csv)"
        if "indicators.csv" in offered
        else f"- All indicators, every period, every area and provider: {ctx.table_rows:,} rows, "
        "offered zipped only (below), at about a twentieth of the size"
        + ("; more rows than a spreadsheet opens, so use a data tool" if ctx.table_rows > 1_048_575 else "")
    )
    lines = [
        "# Downloads",
        "",
        "## Published dataset",
        "",
        table,
        "- [The same table, zipped (CSV in a zip archive)](downloads/indicators.csv.zip)",
        "- [Latest period for every area, with notes (Excel workbook)](downloads/dataset.xlsx)",
        "- [Data quality: which returns arrived (CSV)](downloads/data_quality.csv)",
        "",
        "## Blank collection templates",
        "",
    ]
    for letter, sec in ctx.catalogue.sections.items():
        lines.append(
            f"- [Section {letter}: {esc(sec.title)} (Excel workbook)](downloads/{sec.template_id}.xlsx)"
        )
    lines += [
        "",
        "Every chart's data is in the table under the chart (or, for a chart of many areas, in the "
        "page's data table), in a CSV file linked under each chart, and in the dataset above.",
    ]
    return Page(f"{GENERATED}/downloads.md", "\n".join(lines) + _footer(ctx))


def chart_csv(c: charts.Chart) -> bytes:
    """A chart's data table as CSV (for the downloads a chart links to); text that a spreadsheet
    would run as a formula is neutralised, as in the published dataset."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(c.header)
    w.writerows([neutralise(x) for x in row] for row in c.rows)
    return out.getvalue().encode("utf-8")


def write_pages(
    site_src: Path,
    pages: Sequence[Page],
    svgs: Mapping[str, str],
    tables: Mapping[str, charts.Chart] | None = None,
) -> int:
    """Write pages, drawn charts (name -> SVG text) and each chart's data as CSV (``tables``);
    only files whose bytes change are rewritten, so MkDocs and browsers see unchanged files as
    unchanged. Returns how many were."""
    changed = 0
    wanted = {site_src / p.path: p.text.encode() for p in pages}
    wanted.update(
        {site_src / FRAGMENTS / f"{n}.html": html.encode() for p in pages for n, html in p.fragments}
    )
    wanted.update({site_src / GENERATED / "charts" / f"{k}.svg": svg.encode() for k, svg in svgs.items()})
    wanted.update(
        {site_src / GENERATED / "charts" / f"{k}.csv": chart_csv(c) for k, c in (tables or {}).items()}
    )
    for path, data in wanted.items():
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed += 1
    gen = site_src / GENERATED
    for stale in [
        p for p in gen.rglob("*") if p.is_file() and p not in wanted and p.parent.name != "downloads"
    ]:
        stale.unlink()
        changed += 1
    return changed
