"""An area's key indicators over time: the presentation's main trend drawn large, every other
quarterly key indicator as a small chart beside it (12 months at a time, against all areas,
with its trend verdict and the sources' targets), and each annual one as its points in words,
saying when there are too few for a trend.
"""

from __future__ import annotations

from generator.base.names import slug
from generator.calc.row import Row
from generator.charts import plans as charts
from generator.site.context import Context
from generator.site.hooks import html_block
from generator.site.markup import TO_GENERATED, esc, escaped_table, hesc, num, show_text
from generator.site.parts import NARROW, chart_block, chart_targets, gap_reason, trend_text

ROLLING = "12 months to "


def rolling_chart(ctx: Context, area: str, name: str, ind: str, words: str) -> charts.Chart | None:
    """Indicator ``ind`` for the area over its 12-month windows, against all areas (None with
    fewer than two windows). Quarters are not published below the level of all areas; a window
    short of a quarter is no point, but it is a reason for the gap."""
    spec = next(s for s in ctx.specs if s.indicator_id == ind and s.breakdown_value == "")
    rolling = [
        (str(r.period), r)
        for r in ctx.by_indicator[ind]
        if r.area_code in (area, "ALL")
        and not r.provider_code
        and not r.breakdown_value
        and str(r.period).startswith(ROLLING)
    ]
    series = [(p, r) for p, r in rolling if "partial" not in str(r.flags or "")]
    partial = {p: r for p, r in rolling if r.area_code == area and "partial" in str(r.flags or "")}
    periods = sorted({p for p, _ in series})
    if len(periods) < 2:
        return None
    own = {p: r for p, r in series if r.area_code == area}
    allv = {p: r for p, r in series if r.area_code == "ALL"}
    latest = own.get(periods[-1])
    return charts.trend_line(
        words,
        spec.unit,
        [p.replace(ROLLING, "to ") for p in periods],
        [num(own[p].value) if p in own else None for p in periods],
        [num(allv[p].value) if p in allv else None for p in periods],
        name,
        str(latest.trend) if latest and latest.trend else "trend not available",
        [num(own[p].lower_95) if p in own else None for p in periods],
        [num(own[p].upper_95) if p in own else None for p in periods],
        chart_targets(spec, periods[-1]),
        [gap_reason(own.get(p) or partial.get(p)) for p in periods],
    )


def annual_points(ctx: Context, area: str, ind: str, short: str) -> str:
    """An annual key indicator's values for the area, period by period, and its trend's verdict
    or why there is none (a trend needs more years than a new collection has)."""
    spec = next(s for s in ctx.specs if s.indicator_id == ind and s.breakdown_value == "")
    rows = sorted(
        (
            r
            for r in ctx.by_indicator[ind]
            if r.area_code == area and not r.provider_code and not r.breakdown_value
        ),
        key=lambda r: str(r.period),
    )
    if not rows:
        return f"- {esc(short)}: no value for this area yet."

    def point(r: Row) -> str:
        shown = show_text(r.value, spec.unit) if num(r.value) is not None else f"no value ({gap_reason(r)})"
        return f"{esc(r.period)} {esc(shown)}"

    points = "; ".join(point(r) for r in rows)
    return f"- {esc(short)}: {points}. Trend: {esc(trend_text(rows[-1]) or 'not available')}."


def area_trends(ctx: Context, area: str, name: str, chart_out: dict[str, charts.Chart]) -> list[str]:
    """The trend sections of an area page (Markdown lines); charts are added to ``chart_out``."""
    lines: list[str] = []
    main = ctx.presentation.trend
    c = rolling_chart(ctx, area, name, main.indicator, main.words)
    if c is not None:
        key = f"area-{slug(area)}-trend"
        chart_out[key], chart_out[f"{key}{NARROW}"] = c, c.narrow()
        lines += [
            f"### {esc(main.words[:1].upper() + main.words[1:])}, 12 months at a time",
            "",
            "The 12 months to each quarter, against all areas. The years overlap, so neighbouring "
            "points share nine months; quarters on their own are published for all areas only.",
            "",
            *chart_block(c, key, narrow=True),
        ]
    small: list[tuple[str, charts.Chart]] = []
    annual: list[str] = []
    seen = {main.indicator}
    for ind, bv, short in ctx.key_indicators:
        if bv or ind in seen:
            continue
        seen.add(ind)
        section = ctx.catalogue.sections[next(s.section for s in ctx.specs if s.indicator_id == ind)]
        if section.frequency == "quarterly":
            chart = rolling_chart(ctx, area, name, ind, short[:1].lower() + short[1:])
            if chart is not None:
                small.append((f"area-{slug(area)}-trend-{slug(ind)}", chart.narrow()))
        else:
            annual.append(annual_points(ctx, area, ind, short))
    if small or annual:
        lines += ["### The other key indicators over time", ""]
    if small:
        figures = []
        for key, chart in small:
            chart_out[key] = chart
            src = f"{TO_GENERATED}charts/{key}"
            figures.append(
                f'<figure class="kpi-chart kpi-fits"><img alt="{hesc(chart.alt)}" src="{src}.svg">'
                f'<figcaption><a href="{src}.csv">This chart&#x27;s data (CSV)</a></figcaption></figure>'
            )
        lines += html_block(f"area-{slug(area)}-trends", f'<div class="kpi-grid">{"".join(figures)}</div>')
        tables = "".join(
            f"<h4>{hesc(chart.title)}</h4>{escaped_table(chart.header, chart.rows)}" for _, chart in small
        )
        summary = "<summary>Data for these charts</summary>"
        lines += [f'<details class="info" data-search-exclude>{summary}{tables}</details>', ""]
    if annual:
        lines += ["Collected once a year:", "", *annual, ""]
    return lines
