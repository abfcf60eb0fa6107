"""The home page, the indexes of areas and indicators, the data dictionary and the downloads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from generator.base.names import slug
from generator.calc.columns import COLUMN_TEXT, COLUMNS
from generator.calc.row import Row
from generator.site.context import Context
from generator.site.markup import (
    FIGURES_OPEN,
    GENERATED,
    STACK_CLOSE,
    STACK_OPEN,
    Page,
    all_areas_figure,
    esc,
    file_size,
    show,
    verdict,
)
from generator.site.parts import also_known_as, area_file_links, footer, synthetic_note


def home_page(ctx: Context, idx: Mapping[tuple[str, str, str, str, str], Row]) -> Page:
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
        *synthetic_note(ctx),
        "## How to read this site",
        "",
        "- Each value comes with a **95% interval**: the range the true value is likely to lie in. Small "
        "services have wide intervals.",
        "- **▲ better**, **▼ worse** and **● similar** compare an area with all areas (on a green, pink "
        "or grey tint; the shape and the word say the same). Better or worse means the interval does "
        "not include the all-areas value: the difference is unlikely to be chance. Total costs, ratios "
        "and ratings have no interval and are compared as plain values, marked *(no interval)*; a cost "
        "per job outcome has an interval from its job outcomes.",
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
    lines += [FIGURES_OPEN, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    nation = ["**All areas** (what each shape compares with)"]
    for ind, bv, _short in ctx.key_indicators:
        r = idx.get((ind, bv, "ALL", "", ctx.latest(ind[0])))
        nation.append(f"**{show(r.value, units[ind])}**" if r is not None else "no data")
    lines.append("| " + " | ".join(nation) + " |")
    for area, name in sorted(ctx.registry.areas.items()):
        cells = [f"[{esc(name)}]({GENERATED}/areas/{slug(area)}.md)"]
        for ind, bv, _short in ctx.key_indicators:
            section = ind[0]
            r = idx.get((ind, bv, area, "", ctx.latest(section)))
            if r is None:
                cells.append("no data")
            else:
                shape = verdict(r, short=True)
                nat = all_areas_figure(r) if shape else ""  # what the shape compares with, beside it
                against = f" <small>vs {esc(nat)}</small>" if nat else ""
                cells.append(f"{show(r.value, units[ind])} {shape}{against}".strip())
        lines.append("| " + " | ".join(cells) + " |")
    dagger = any("\u2020" in line for line in lines)  # the note only where a cell has the mark
    lines += [
        "",
        STACK_CLOSE,
        "",
        *(
            ["\u2020 No interval: compared with all areas as a plain value, not tested for chance.", ""]
            if dagger
            else []
        ),
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


def areas_index(ctx: Context) -> Page:
    lines = ["# Areas", ""] + [
        f"- [{esc(name)}]({slug(a)}.md)" + also_known_as(ctx, a)
        for a, name in sorted(ctx.registry.areas.items())
    ]
    return Page(f"{GENERATED}/areas/index.md", "\n".join(lines) + footer(ctx).replace("../", "../../"))


def indicators_index(ctx: Context) -> Page:
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
    return Page(f"{GENERATED}/indicators/index.md", "\n".join(lines) + footer(ctx).replace("../", "../../"))


def dictionary(ctx: Context) -> Page:
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
            title = f"[{esc(i.name)}](indicators/{slug(i.id)}.md)" if i.id in pages else esc(i.name)
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
    return Page(f"{GENERATED}/dictionary.md", "\n".join(lines) + footer(ctx))


PLAIN_CSV_ROWS = 200_000  # above this (about 65 MB) the site offers the table zipped only


def site_downloads(rows: int) -> tuple[str, ...]:
    """The dataset files the site offers for a table of ``rows`` rows. A national table is half
    a gigabyte as CSV (too big for GitHub Pages to serve, and more rows than Excel opens), and
    about a twentieth of that zipped."""
    plain = ("indicators.csv",) if rows <= PLAIN_CSV_ROWS else ()
    return (*plain, "indicators.csv.zip", "dataset.xlsx", "data_quality.csv")


def downloads(ctx: Context, sizes: Mapping[str, int]) -> Page:
    """The files the site offers, each with its size as written (``sizes``: bytes by path under
    downloads/; a file offered but not in it is an error, never a guess)."""

    def link(text: str, kind: str, path: str) -> str:
        return f"[{text} ({kind}, {file_size(sizes[path])})](downloads/{path})"

    offered = site_downloads(ctx.table_rows)
    table = (
        "- " + link("All indicators, every period, every area and provider", "CSV", "indicators.csv")
        if "indicators.csv" in offered
        else f"- All indicators, every period, every area and provider: {ctx.table_rows:,} rows, "
        "offered zipped only (below), at about a twentieth of the size"
        + ("; more rows than a spreadsheet opens, so use a data tool" if ctx.table_rows > 1_048_575 else "")
    )
    lines = [
        "# Downloads",
        "",
        "Each link gives the file's size (a kilobyte, KB, is 1,024 bytes).",
        "",
        "## Published dataset",
        "",
        table,
        "- " + link("The same table, zipped", "CSV in a zip archive", "indicators.csv.zip"),
        "- " + link("Latest period for every area, with notes and filters", "Excel workbook", "dataset.xlsx"),
        "- " + link("Data quality: which returns arrived", "CSV", "data_quality.csv"),
        "",
        *_area_files(ctx, sizes),
        "## Blank collection templates",
        "",
    ]
    for letter, sec in ctx.catalogue.sections.items():
        lines.append(
            "- " + link(f"Section {letter}: {esc(sec.title)}", "Excel workbook", f"{sec.template_id}.xlsx")
        )
    lines += [
        "",
        "Every chart's data is in the table under the chart (or, for a chart of many areas, in the "
        "page's data table), in a CSV file linked under each chart, and in the dataset above.",
    ]
    return Page(f"{GENERATED}/downloads.md", "\n".join(lines) + footer(ctx))


def _area_files(ctx: Context, sizes: Mapping[str, int]) -> list[str]:
    """A table of the areas with their own files (the files' sizes in the links)."""
    rows, without = [], []
    for area, name in sorted(ctx.registry.areas.items()):
        links = area_file_links(area, sizes, "downloads")
        if links is None:
            without.append(esc(name))
        else:
            rows.append(f"| [{esc(name)}](areas/{slug(area)}.md) | {links[0]} | {links[1]} |")
    if not rows:
        return []
    return [
        "## Each area's figures",
        "",
        "An area's own rows and each of its providers', every period, with every column of the "
        "table above: as CSV, and as an Excel workbook with notes, filters and the area's data "
        "quality. Each area's page links its own.",
        "",
        STACK_OPEN,
        "",
        "| Area | CSV | Excel workbook |",
        "|---|---|---|",
        *rows,
        "",
        STACK_CLOSE,
        "",
        *([f"No figures are published yet for {', '.join(without)}.", ""] if without else []),
    ]
