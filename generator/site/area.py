"""An area's page: where it stands on the key indicators, each section's tables, its spine
chart and trend, and the questions to ask its provider.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from generator.base.names import slug
from generator.calc import stats, verdicts
from generator.calc.row import Row
from generator.calc.specs import scale_range
from generator.charts import marks
from generator.charts import plans as charts
from generator.charts.spine import spine_chart
from generator.site.area_trends import area_trends
from generator.site.context import Context
from generator.site.hooks import html_block
from generator.site.markup import (
    FIGURES_OPEN,
    GENERATED,
    STACK_CLOSE,
    TO_GENERATED,
    Page,
    all_areas_code,
    all_areas_figure,
    cells_table,
    esc,
    front,
    hesc,
    num,
    show,
    show_text,
    target_verdicts,
    unindexed,
    verdict,
    verdict_html,
)
from generator.site.parts import (
    FOOTNOTES,
    NARROW,
    also_known_as,
    area_downloads,
    chart_block,
    footer,
    row_interval,
    row_notes,
    trend_text,
)
from generator.site.quality import corroboration, quality_table
from generator.site.questions import Question


def _key_table(ctx: Context, idx: Mapping[tuple[str, str, str, str, str], Row], area: str) -> list[str]:
    """A compact table a commissioner can scan: each key indicator's value and interval, the
    all-areas value beside the comparison with it, and each verdict against a target beside the
    target's figure; then each indicator's verdicts against targets again, with their sources'
    labels."""
    titles = {s.indicator_id: (s.title, s.unit) for s in ctx.specs}
    lines = [
        FIGURES_OPEN,
        "",
        "| Indicator | Value and 95% interval | All areas | Against targets and benchmarks | Trend |",
        "|---|---|---|---|---|",
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
            lines.append(
                f"| {link}<br><small>{esc(period)}</small> | no data: no return for {esc(period)} | | | |"
            )
            continue
        notes = row_notes(r)
        when = f"<small>{esc(period)}{'; ' + esc(notes) if notes else ''}</small>"
        interval = row_interval(r, unit)
        value = f"**{show(r.value, unit)}**" + (f"<br><small>{interval}</small>" if interval else "")
        nat = all_areas_figure(r)
        targets = target_verdicts(r, ctx.benchmark_labels(ind))
        against = "<br>".join(f"{t.html()} <small>{esc(t.label)}</small>" for t in targets)
        lines.append(
            f"| {link}<br>{when} | {value} | {esc(nat)} {verdict(r)} | {against} | {esc(trend_text(r))} |"
        )
        if targets:
            judged.append(f"- **{esc(title)}** ({show(r.value, unit)}):")
            judged += [f"    - {t.labelled()}" for t in targets]
    lines += ["", STACK_CLOSE, "", *FOOTNOTES]
    if judged:
        lines += [
            "",
            "### Against the targets and benchmarks in the source documents",
            "",
            "Each indicator's page gives the source of every target.",
            "",
            *unindexed(*judged),
        ]
    return lines


def _section_tables(ctx: Context, area: str, letters: Sequence[str]) -> list[str]:
    """Each section's indicators for the area in the section's latest period, one table per
    section (catalogue order); indicators broken down by category are linked, since their
    categories are compared area by area on their own pages.

    The tables are raw HTML blocks (see generator/site/hooks.py): as Markdown, 150 areas' tables
    doubled a national MkDocs build, and in the search index every indicator title on every area
    page drowned the pages about those indicators."""
    units = {s.indicator_id: s.unit for s in ctx.specs}
    order = {s.indicator_id: i for i, s in enumerate(ctx.specs)}
    lines: list[str] = []
    for letter in letters:
        sec = ctx.catalogue.sections[letter]
        period = ctx.latest(letter)
        rows = sorted(
            (
                r
                for rs in ctx.area_latest[area].values()
                for r in rs
                if r.section == letter and not r.provider_code
            ),
            key=lambda r: order.get(str(r.indicator_id), 0),
        )
        lines += [f"## {esc(sec.title, quote=False)}", "", f"Section {letter}, {esc(period)}."]
        if not rows:
            lines += ["", f"No data for this area in {esc(period)}.", ""]
            continue
        plain = [r for r in rows if not r.breakdown_value]
        broken = {str(r.indicator_id): str(r.indicator_title) for r in rows if r.breakdown_value}
        if plain:
            cells = []
            for r in plain:
                ind = str(r.indicator_id)
                unit = units.get(ind, str(r.unit))
                value = (
                    r.value_label
                    if r.value_label and unit in ("category", "yes/no")
                    else show_text(r.value, unit)
                )
                cells.append(
                    (
                        f'<a href="{TO_GENERATED}indicators/{slug(ind)}/">{hesc(r.indicator_title)}</a>',
                        hesc(value),
                        hesc(row_interval(r, unit, plain=True)),
                        hesc(all_areas_figure(r)),
                        verdict_html(r),
                        hesc(row_notes(r)),
                    )
                )
            head = ("Indicator", "Value", "95% interval", "All areas", "Compared with all areas", "Notes")
            lines += html_block(
                f"area-{slug(area)}-{letter.lower()}",
                f'<div class="kpi-stack" data-search-exclude>{cells_table(head, cells)}</div>',
            )
        if broken:
            links = ", ".join(f"[{esc(t)}](../indicators/{slug(i)}.md)" for i, t in broken.items())
            lines += ["", f"By category, on their own pages: {links}."]
        lines.append("")
    return lines


def _spine_and_trend(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Row],
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
        if len(values) < 4 or nat is None or num(nat.value) is None:
            continue
        spines.append(
            marks.Spine(
                short,
                num(mine.value) if mine else None,
                num(nat.value) or 0.0,
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
        c = spine_chart(name, spines)
        key = f"area-{slug(area)}-spine"
        chart_out[key], chart_out[f"{key}{NARROW}"] = c, c.narrow()  # and one drawn for a phone
        lines += ["### Where the area stands among all areas", "", *chart_block(c, key, narrow=True)]
    lines += area_trends(ctx, area, name, chart_out)
    return lines


def _questions(
    ctx: Context,
    area: str,
    questions: Sequence[Question],
) -> list[str]:
    raised = []
    latest = ctx.area_latest[area]
    missing = [x for x in ctx.quality if x["area_code"] == area and x["status"] == "missing"]
    for q in questions:
        if q.on == "missing_return" and missing:
            gone = ", ".join(
                f"Section {x['section']} ({ctx.catalogue.sections[x['section']].title}) for {x['period']} "
                f"from {x['organisation_name']} ({x['organisation_code']})"
                for x in missing
            )
            raised.append(_raised(ctx, q, f"no return of {esc(gone)}."))
            continue
        hits = [r for ind, rows in latest.items() if q.about(ind) for r in rows if q.fires(r)]
        if hits:
            r = hits[0]
            unit = next((s.unit for s in ctx.specs if s.indicator_id == r.indicator_id), "")
            what = (
                f"{esc(r.indicator_title)}"
                + (f" ({esc(r.breakdown_label or r.breakdown_value)})" if r.breakdown_value else "")
                + f", {show(r.value, unit)} in {esc(r.period)}"
            )
            said = target_verdicts(r, ctx.benchmark_labels(r.indicator_id))  # each with its figure
            raised.append(_raised(ctx, q, f"{what}: " + "; ".join(t.labelled() for t in said)))
    if not raised:
        return ["No flags were raised for this area in the latest period."]
    return raised


def _raised(ctx: Context, q: Question, by: str) -> str:
    """A question as the page asks it: what raised it (Markdown), why it matters, what good
    looks like and the documents its why rests on (in order, once each)."""
    docs = ctx.catalogue.documents
    cited = dict.fromkeys(p["document"] for p in q.passages)
    src = "; ".join(f"[{c}] {esc(docs[c].title)}" for c in cited)
    return (
        f"### {esc(q.question, quote=False)}\n\n**Raised by:** {by}"
        f"\n\n**Why it matters:** {esc(q.why)}\n\n**What good looks like:** {esc(q.good)}\n\n"
        f"*Source: {src}.*\n"
    )


def area_page(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Row],
    area: str,
    name: str,
    questions: Sequence[Question],
    chart_out: dict[str, charts.Chart],
) -> Callable[[Mapping[str, int]], Page]:
    """The page, made but for the links to the area's files: given their sizes (by path under
    downloads/), it is finished (they may still be being written while the pages are made)."""
    lines = [
        f"# {esc(name, quote=False)}",
        "",
        f"Area code {esc(area)}. Providers: "
        + (esc(", ".join(o.name for o in ctx.registry.in_area(area) if o.role == "provider")) or "none")
        + "."
        + also_known_as(ctx, area),
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
    context = _section_tables(ctx, area, ("A",))
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
            [str(r.breakdown_label or r.breakdown_value) for r in rs],
            [num(r.value) for r in rs],
            pop,
            name,
            # a gap named in the headline is one the dataset compared (enough people)
            [
                any(
                    t.against == "local_population" and t.code not in verdicts.UNJUDGED
                    for t in target_verdicts(r, {})
                )
                for r in rs
            ],
        )
        key = f"area-{slug(area)}-{slug(ind)}"
        chart_out[key] = c
        lines += chart_block(c, key)
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
        labels = [str(r.indicator_title) for _, r in items]
        values = [num(r.value) for _, r in items]
        c = charts.rating_profile(name, labels, values, [scale_range([i], ctx.catalogue) for i, _ in items])
        key = f"area-{slug(area)}-ratings"
        chart_out[key] = c
        lines += chart_block(c, key)
        lines += [FIGURES_OPEN, "", "| Rating | Score | What the score means |", "|---|---|---|"]
        for _, r in items:
            lines.append(f"| {esc(r.indicator_title)} | {show(r.value, 'score')} | {esc(r.value_label)} |")
        lines += ["", STACK_CLOSE, "", *corroboration(ctx, area, str(items[0][1].period))]
    lines += _section_tables(ctx, area, ("D", "E", "F", "G"))
    end = ["## Data quality", "", *quality_table(ctx, area)]
    return lambda sizes: Page(
        f"{GENERATED}/areas/{slug(area)}.md",
        front(name)
        + "\n".join(lines + area_downloads(area, sizes) + end)
        + footer(ctx).replace("../", "../../"),
    )


def _population_share(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Row],
    r: Row,
) -> float | None:
    """The local population's share for an intake row: the Section A row its spec names, for the
    financial year the intake period falls in."""
    spec = next(
        (s for s in ctx.specs if s.indicator_id == r.indicator_id and s.breakdown_value == r.breakdown_value),
        None,
    )
    if spec is None or not spec.reference:
        return None
    item_id, _, category = spec.reference[0].partition(":")
    year = str(r.period).removeprefix("12 months to ").split(" ")[0]
    pop = idx.get((item_id, category, str(r.area_code), "", year))
    return num(pop.value) if pop else None
