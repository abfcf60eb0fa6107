"""generator/site/area_trends.py: an area's key indicators over time, each with its verdict."""

from __future__ import annotations

import pytest

from generator.calc.row import Row
from generator.catalogue.registry import load_registry
from generator.charts import svgplot
from generator.publish.dataset import build_dataset
from generator.publish.quality import data_quality
from generator.site import area_trends
from generator.site.context import Context
from generator.site.markup import show_text


@pytest.fixture(scope="module")
def ctx(small_demo, catalogue) -> Context:
    registry = load_registry()
    returns = small_demo.current_returns()
    wanted = {k.indicator for k in Context([], [], catalogue, registry, "").presentation.key_indicators}
    rows = [r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] in wanted]
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())
    return Context([Row.of(r) for r in rows], quality, catalogue, registry, "2025-26 Q4")


def _area(ctx: Context) -> tuple[str, str]:
    code = next(r.area_code for r in ctx.rows if r.level == "area")
    return code, ctx.registry.areas[code]


def test_every_quarterly_key_indicator_gets_a_small_chart_with_its_trend_verdict(ctx):
    """Issue 23, item 3: beside the main trend, each other quarterly key indicator is a chart of
    its 12-month windows, drawn for a narrow column (so it fits a phone too), titled with the
    verdict of its latest row, its data a CSV and a table."""
    code, name = _area(ctx)
    out: dict = {}
    lines = area_trends.area_trends(ctx, code, name, out)
    main = ctx.presentation.trend.indicator
    quarterly = [
        ind
        for ind, bv, _ in ctx.key_indicators
        if not bv
        and ind != main
        and ctx.catalogue.sections[next(s.section for s in ctx.specs if s.indicator_id == ind)].frequency
        == "quarterly"
    ]
    assert len(quarterly) >= 3
    grid = next(line for line in lines if 'class="kpi-grid"' in line)
    for ind in quarterly:
        key = f"area-{code.lower()}-trend-{ind.lower().replace('_', '-')}"
        assert key in out and f"{key}.svg" in grid and f"{key}.csv" in grid, key
        chart = out[key]
        assert chart.plot[1][-1] == svgplot.NARROW  # drawn for the width it is shown at
        latest = max(
            (
                r
                for r in ctx.by_indicator[ind]
                if r.area_code == code
                and not r.provider_code
                and not r.breakdown_value
                and str(r.period).startswith("12 months")
                and "partial" not in r.flags
            ),
            key=lambda r: str(r.period),
        )
        assert chart.title.endswith(str(latest.trend)), (chart.title, latest.trend)
    assert any("<summary>Data for these charts</summary>" in line for line in lines)


def test_an_annual_key_indicator_shows_its_points_and_says_why_there_is_no_trend(ctx):
    code, name = _area(ctx)
    lines = area_trends.area_trends(ctx, code, name, {})
    for ind, bv, short in ctx.key_indicators:
        sec = ctx.catalogue.sections[next(s.section for s in ctx.specs if s.indicator_id == ind)]
        if bv or sec.frequency == "quarterly":
            continue
        line = next(x for x in lines if x.replace("\\", "").startswith(f"- {short}:"))
        rows = [
            r
            for r in ctx.by_indicator[ind]
            if r.area_code == code and not r.provider_code and not r.breakdown_value
        ]
        assert rows
        for r in rows:
            if r.value is not None and r.value != "":
                assert f"{r.period} {show_text(r.value, r.unit)}" in line.replace("\\", "")
        assert "Trend: " in line and ("not enough periods" in line or str(rows[-1].trend) in line)
