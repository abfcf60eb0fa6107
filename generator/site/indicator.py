"""An indicator's page: its definition and method, every area compared, its funnel and trend,
and its breakdowns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from generator.base.names import slug
from generator.calc import funnels, verdicts
from generator.calc.row import Row
from generator.calc.specs import Spec
from generator.charts import marks
from generator.charts import plans as charts
from generator.site.compare import compare_table
from generator.site.context import Context
from generator.site.definition import definition
from generator.site.hooks import html_block
from generator.site.markup import (
    GENERATED,
    Page,
    all_areas_code,
    esc,
    hesc,
    html_table,
    num,
    show_text,
    target_verdicts,
    unindexed,
    verdict_beside,
)
from generator.site.method_text import UNIT_TEXT
from generator.site.parts import ROUNDING, chart_block, chart_targets, footer, gap_reason, interval_text


def indicator_page(
    ctx: Context,
    idx: Mapping[tuple[str, str, str, str, str], Row],
    ind: str,
    chart_out: dict[str, charts.Chart],
) -> Page:
    sp = [s for s in ctx.specs if s.indicator_id == ind]
    # the part the indicator is judged on describes it: for a change in wellbeing, the change
    # (its start and end are shown without a judgement); otherwise every part is alike
    s0 = next((s for s in sp if s.polarity != "no_judgement"), sp[0])
    lines = [
        f"# {esc(s0.title, quote=False)}",
        "",
        f"Indicator {esc(ind)}, Section {s0.section}: {esc(ctx.catalogue.sections[s0.section].title)}.",
        "",
        *definition(ctx, ind, sp, s0),
    ]
    # compare areas for the first breakdown value (or the only one)
    period = ctx.latest_of(ind)
    by_category = _all_areas_by_category(ctx, ind, period)
    main = _main_spec(sp, by_category)
    area_rows = [
        r
        for r in ctx.by_indicator[ind]
        if r.breakdown_value == main.breakdown_value and r.level == "area" and r.period == period
    ]
    nat = next(
        (
            r
            for r in ctx.by_indicator[ind]
            if r.breakdown_value == main.breakdown_value and r.level == "all areas" and r.period == period
        ),
        None,
    )
    if area_rows and main.unit in ("percent", "gbp", "ratio", "score", "number", "count"):
        bars = [
            marks.Bar(
                str(r.area_name),
                num(r.value),
                num(r.lower_95),
                num(r.upper_95),
                all_areas_code(r),
                why=gap_reason(r),
            )
            for r in area_rows
        ]
        if any(b.value is not None for b in bars):
            lines += ["", f"## Areas compared ({esc(period)})", ""]
            c = charts.compare_areas(
                s0.title + (f" ({main.breakdown_label})" if main.breakdown_label else ""),
                main.unit,
                bars,
                num(nat.value) if nat else None,
                period,
                chart_targets(main, period),
            )
            key = f"ind-{slug(ind)}-compare"
            chart_out[key] = c
            lines += chart_block(c, key, table_below=True)
    lines += compare_table(ctx, ind, main, period, area_rows)
    lines += _categories(ind, sp, by_category, period, chart_out)
    lines += _funnel_and_trend(ctx, ind, s0, main, area_rows, period, chart_out)
    lines += [
        "",
        f"## Data ({esc(period)}) {{#data}}",
        "",
        *unindexed(
            "Where an area has a single provider, the provider's figures are the area's, shown once. "
            + ROUNDING
        ),
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
    labels = ctx.benchmark_labels(ind)
    table = []
    for r in sorted(
        (
            r
            for r in ctx.by_indicator[ind]
            if r.period == period
            and not (r.level == "provider" and r.area_code in single)
            and (r.level == "all areas" or r.breakdown_value == main.breakdown_value)
        ),
        key=lambda r: (
            r.level != "all areas",
            r.area_code,
            r.provider_code or "",
            order.get(str(r.breakdown_value), 0),
        ),
    ):
        lo, hi = num(r.lower_95), num(r.upper_95)
        table.append(
            (
                *(
                    hesc(x)
                    for x in (
                        r.area_name,
                        r.provider_name or "",
                        r.breakdown_label or r.breakdown_value,
                        show_text(r.numerator, "count") if r.numerator is not None else "",
                        show_text(r.denominator, "count") if r.denominator is not None else "",
                        show_text(r.value, s0.unit),
                        interval_text(lo, hi, s0.unit, plain=True),
                    )
                ),
                verdict_beside(r),
                "<br>".join(t.labelled(hesc) for t in target_verdicts(r, labels)),  # each with its figure
                hesc(str(r.flags or "").replace(";", ", ")),
            )
        )
    header: tuple[str, ...] = ("Area", "Provider", "Breakdown", "Numerator", "Denominator", "Value")
    header += ("95% interval", "Compared with all areas", "Against targets and benchmarks", "Flags")
    # a column empty in every row (no providers, no breakdown, a rating with no counts) only
    # pushes the others off the side of the page
    keep = [i for i in range(len(header)) if i < 1 or any(row[i] for row in table)]
    lines += html_block(
        f"data-{slug(ind)}",
        "\n".join(
            html_table(
                [header[i] for i in keep],
                [[row[i] for i in keep] for row in table],
                stack=True,
                html_cells=True,
            )
        ),
    )
    return Page(
        f"{GENERATED}/indicators/{slug(ind)}.md", "\n".join(lines) + footer(ctx).replace("../", "../../")
    )


def _all_areas_by_category(ctx: Context, ind: str, period: str) -> dict[str, Row]:
    """The indicator's all-areas rows in ``period``, by breakdown value."""
    return {
        str(r.breakdown_value): r
        for r in ctx.by_indicator[ind]
        if r.level == "all areas" and r.period == period
    }


def _main_spec(sp: Sequence[Spec], nat: Mapping[str, Row]) -> Spec:
    """The breakdown value the compare, funnel and trend charts show: the total if there is one,
    else the category with the largest all-areas value (the one most areas can publish)."""
    total = next((s for s in sp if s.breakdown_value in ("", "total")), None)
    if total is not None:
        return total
    return max(
        sp,
        key=lambda s: (num(nat[s.breakdown_value].value) or 0.0) if s.breakdown_value in nat else -1.0,
    )


def _categories(
    ind: str,
    sp: Sequence[Spec],
    nat: Mapping[str, Row],
    period: str,
    chart_out: dict[str, charts.Chart],
) -> list[str]:
    """For a breakdown (age band, sector, ...): how all areas together divide up, category by category."""
    cats = [s for s in sp if s.breakdown_value not in ("", "total")]
    if len(cats) < 2 or cats[0].unit not in ("percent", "count"):
        return []
    bars = [
        marks.Bar(
            s.breakdown_label or s.breakdown_value,
            num(nat[s.breakdown_value].value) if s.breakdown_value in nat else None,
            num(nat[s.breakdown_value].lower_95) if s.breakdown_value in nat else None,
            num(nat[s.breakdown_value].upper_95) if s.breakdown_value in nat else None,
        )
        for s in cats
    ]
    if all(b.value is None for b in bars):
        return []
    c = charts.category_bars(sp[0].title, cats[0].unit, bars, period, "all areas")
    key = f"ind-{slug(ind)}-categories"
    chart_out[key] = c
    return ["", f"## By category, all areas ({esc(period)})", "", *chart_block(c, key)]


def _funnel_and_trend(
    ctx: Context,
    ind: str,
    s0: Spec,
    main: Spec,
    area_rows: list[Row],
    period: str,
    chart_out: dict[str, charts.Chart],
) -> list[str]:
    lines: list[str] = []
    label = s0.title + (f" ({main.breakdown_label})" if main.breakdown_label else "")
    pts = [
        (str(r.area_name), num(r.denominator) or 0.0, num(r.value) or 0.0)
        for r in area_rows
        if num(r.denominator) and num(r.value) is not None
    ]
    # the funnel as the dataset publishes it: its centre and added variance (never redrawn from
    # rounded values), around at least funnels.MIN_FUNNEL_AREAS areas
    centre = next(
        (
            (p0, num(r.funnel_tau2) or 0.0, str(r.method))
            for r in area_rows
            if (p0 := num(r.funnel_p0)) is not None
        ),
        None,
    )
    if main.unit == "percent" and centre is not None and pts:
        p0, tau2, method = centre
        lo_n, hi_n = min(n for _, n, _ in pts) * 0.8, max(n for _, n, _ in pts) * 1.1
        grid = np.array([round(max(1.0, lo_n + (hi_n - lo_n) * k / 40)) for k in range(41)], dtype=float)
        cols = funnels.funnel_limits(grid, np.full(len(grid), p0 / 100), np.full(len(grid), tau2 / 1e4))
        lo95, hi95, lo998, hi998 = (100 * c for c in cols)
        limits = [
            (float(n), float(lo95[k]), float(hi95[k]), float(lo998[k]), float(hi998[k]))
            for k, n in enumerate(grid.tolist())
        ]
        # outside as the dataset says it (for every count the published figures stand for)
        outside = sum(str(r.comparison_funnel_code or "") in verdicts.FUNNEL_OUTSIDE_998 for r in area_rows)
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
            *chart_block(c, key, table_below=True),
        ]
    elif main.unit == "percent" and area_rows and s0.method in ("proportion", "profile"):
        lines += [
            "",
            "## Funnel plot",
            "",
            f"There is no funnel plot for {esc(period)}: a funnel needs at least "
            f"{funnels.MIN_FUNNEL_AREAS} areas with a published value, to say anything about any one of them"
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
        (str(r.period), num(r.value))
        for r in ctx.by_indicator[ind]
        if r.level == "all areas"
        and r.breakdown_value == main.breakdown_value
        and not str(r.period).startswith("12 months")
    )
    if len(series) >= 2 and main.unit in ("percent", "gbp", "ratio", "score", "number", "count"):
        values = [v for _, v in series]
        tested = [
            str(r.trend)
            for r in ctx.by_indicator[ind]
            if r.level == "all areas"
            and r.breakdown_value == main.breakdown_value
            and str(r.period) == series[-1][0]
        ]
        c = charts.trend_line(
            label,
            main.unit,
            [p for p, _ in series],
            values,
            values,
            "All areas",
            (tested[0] if tested else "") or "trend not available",
            targets=chart_targets(main, series[-1][0]),
        )
        key = f"ind-{slug(ind)}-trend"
        chart_out[key] = c
        lines += [
            "",
            "## Trend for all areas",
            "",
            "Each area's own trend is on its page.",
            "",
            *chart_block(c, key),
        ]
    return lines
