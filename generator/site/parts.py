"""Pieces more than one page uses: the footer, the synthetic-data note, a chart with its data,
intervals and trends in words, footnotes.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.calc import disclosure, trends
from generator.calc.row import Row
from generator.calc.specs import Spec
from generator.charts import marks
from generator.charts import plans as charts
from generator.publish.area_files import FOLDER, file_names
from generator.site.context import Context
from generator.site.hooks import html_block
from generator.site.markup import TO_GENERATED, esc, escaped_table, file_size, hesc, num, show_text


def _synthetic_words(ctx: Context) -> str:
    invented, total = ctx.synthetic_areas
    if not invented:
        return ""
    if invented == total:
        return "Synthetic demonstration data: not real services. "
    return f"{invented} of {total} areas hold synthetic demonstration data (marked so in their names). "


def area_file_links(area: str, sizes: Mapping[str, int], downloads: str) -> tuple[str, str] | None:
    """Markdown links to an area's CSV and workbook, each with its size as written (``sizes``: by
    path under downloads/, which is at ``downloads`` from the page); None if it has no files."""
    paths = [f"{FOLDER}/{n}" for n in file_names(area)]
    if not all(p in sizes for p in paths):
        return None
    table, book = paths
    return (
        f"[CSV ({file_size(sizes[table])})]({downloads}/{table})",
        f"[Excel ({file_size(sizes[book])})]({downloads}/{book})",
    )


def area_downloads(area: str, sizes: Mapping[str, int]) -> list[str]:
    """Where an area page's reader gets its figures: a section linking the area's own files (by
    its data quality: the top of the page is its key figures), or the published dataset."""
    links = area_file_links(area, sizes, "../downloads")
    if links is None:
        return [
            "Every value for this area, in every period and for each provider in the latest period, is "
            "in the [published dataset](../downloads.md).",
            "",
        ]
    return [
        "## Download this area's figures",
        "",
        f"Every period, with each provider's figures: {links[0]}, {links[1]}. Every area's are in "
        "the [published dataset](../downloads.md).",
        "",
    ]


def footer(ctx: Context) -> str:
    return (
        f"\n\n---\n\n*Data as at {esc(ctx.data_as_at)}. {_synthetic_words(ctx)}"
        "Small numbers are suppressed: see [methods](../methods.md#disclosure-control).*\n"
    )


def synthetic_note(ctx: Context) -> list[str]:
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


# what rounding does to the figures, said the same way wherever counts are shown
ROUNDING = (
    "Counts of people below the level of all areas are rounded to 5, and rates, intervals and "
    "comparisons are worked out from the rounded counts, allowing for the rounding "
    "([the rule](../../methods.md#disclosure-control))."
)

FOOTNOTES = (  # what the notes and blanks in an area's tables mean (methods.md says more)
    '<div class="kpi-notes" data-search-exclude markdown>',
    "",
    "**provisional**: the latest period; a late or corrected return can still change it. "
    "**partial**: some expected returns were missing, so the value covers fewer providers or "
    "quarters than it should. " + ROUNDING + " **suppressed**: 1 to "
    "4 people. **withheld**: not shown so that another figure cannot be worked out from it. "
    f"**under {disclosure.MIN_SHOWN}**: a value resting on fewer than {disclosure.MIN_SHOWN} "
    f"people is not shown; below {disclosure.MIN_JUDGED}, it is not compared or ranked. "
    "**no interval**: money, ratios, ratings and answers are not estimates from a sample, so "
    "they are compared as plain values (for a caseload per specialist, over the range the rounded "
    "count allows; a cost per job outcome has an interval from the outcomes). "
    f"**not enough periods**: a trend needs the latest {trends.MIN_TREND_PERIODS} "
    "periods that do not overlap. **not tested**: only percentages of people are tested for a trend.",
    "",
    "</div>",
    "",
)


def row_notes(r: Row) -> str:
    return ", ".join(f for f in str(r.flags or "").split(";") if f)


def gap_reason(r: Row | None) -> str:
    """Why a period has no value to plot, in the words of the notes (FOOTNOTES): "" where it has
    one. No row at all is a period with no return from the area."""
    if r is None:
        return "no return"
    if num(r.value) is not None:
        return ""
    flags = set(str(r.flags or "").split(";"))
    order = ("suppressed", "withheld", "denominator suppressed", "denominator withheld", "partial")
    for flag in (*order, *sorted(f for f in flags if f.startswith("under "))):
        if flag in flags:
            return flag
    return "not available"


def trend_text(r: Row | None) -> str:
    if r is None:
        return ""
    return str(r.trend or "") or ("not available: value suppressed" if num(r.value) is None else "")


def row_interval(r: Row, unit: str, plain: bool = False) -> str:
    """The 95% interval, or why there is none (``plain``: text for raw HTML, not Markdown)."""
    lo, hi = num(r.lower_95), num(r.upper_95)
    if lo is not None and hi is not None:
        return interval_text(lo, hi, unit, plain)
    return "no interval" if num(r.value) is not None else ""


NARROW = "-narrow"  # the name of a chart drawn for a phone: its key and this


def chart_block(c: charts.Chart, key: str, table_below: bool = False, narrow: bool = False) -> list[str]:
    """The chart, its alt text, and its data in a collapsed table beside it; with
    ``table_below``, a chart of many areas points to the page's data table instead of
    repeating all of it; with ``narrow``, a phone gets the picture drawn for its width
    (``key`` + NARROW, :meth:`generator.charts.plans.Chart.narrow`), which needs no scrolling."""
    charts_dir = f"{TO_GENERATED}charts"
    img = f'<img alt="{hesc(c.alt)}" src="{charts_dir}/{key}.svg">'
    if narrow:
        small = f'<source media="(max-width: 44.9375em)" srcset="{charts_dir}/{key}{NARROW}.svg">'
        img = f"<picture>{small}{img}</picture>"
    lines = html_block(
        f"chart-{key}",
        f'<div class="kpi-chart{" kpi-fits" if narrow else ""}">{img}</div>\n\n'
        f'<p class="kpi-csv"><a href="{charts_dir}/{key}.csv">This chart\'s data (CSV)</a></p>',
    )
    if table_below and len(c.rows) > marks.MANY_AREAS:
        return [
            *lines,
            f"Every area's figures in this chart are in the [data table](#data) below ({len(c.rows)} areas).",
            "",
        ]
    return [
        *lines,
        f'<details class="info" data-search-exclude><summary>Data for this chart: {hesc(c.title)}</summary>'
        f"{escaped_table(c.header, c.rows)}</details>",
        "",
    ]


def interval_text(lo: float | None, hi: float | None, unit: str, plain: bool = False) -> str:
    if lo is None or hi is None:
        return ""
    text = f"{show_text(lo, unit)} to {show_text(hi, unit)}"
    return text if plain else esc(text)


def also_known_as(ctx: Context, area: str) -> str:
    """ " Also known as: ..." for an area the registry gives other names, so that the site's
    search finds it by a county, a city or a former name; else nothing."""
    names = ctx.registry.other_names.get(area, ())
    return f" Also known as: {esc('; '.join(names))}." if names else ""


def chart_targets(spec: Spec, period: str) -> tuple[tuple[str, float], ...]:
    """The sources' single-figure targets and references for the values of ``spec`` in
    ``period``, as a chart draws them: ("reference 38%: Average, all services", 38.0). A target
    for some kinds of service only (IPS beyond SMI, SEQF) is drawn too, named for whom it is
    (one line for one figure, its services named together). Left out: ranges, figures for one
    provider, and a quarter's figure on a 12-month value."""
    unit = {"percent": "percent", "gbp": "gbp"}.get(spec.unit)
    lines: dict[tuple[str, float], list[str]] = {}
    for b in spec.benchmarks:
        if not (
            b.unit == unit and not b.per_site and not (b.per == "quarter" and period.startswith("12 months"))
        ):
            continue
        who = b.label.split(":")[0]  # whose figure it is: "Best practice sites", "IPS beyond SMI"
        if b.kind in ("minimum", "maximum", "reference") and b.value is not None:
            lines.setdefault((b.words(reference="reference"), float(b.value)), []).append(who)
        elif b.kind == "band" and b.low is not None and b.high is not None:  # both ends, named once
            lines.setdefault((b.words(), float(b.low)), []).append(who)
            lines.setdefault(("", float(b.high)), [])
    out = []
    for (words, value), whom in lines.items():
        named = "; ".join(dict.fromkeys(whom))
        out.append((f"{words}: {named}" if words else "", value))
    return tuple(out)
