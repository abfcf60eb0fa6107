"""generator/site/definition.py: an indicator's definition table, from the catalogue and what
the dataset publishes of it."""

from __future__ import annotations

import pytest

from generator.calc.row import Row
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset
from generator.publish.quality import data_quality
from generator.site.context import Context
from generator.site.definition import definition


@pytest.fixture(scope="module")
def ctx(small_demo, catalogue) -> Context:
    registry = load_registry()
    returns = small_demo.current_returns()
    keep = {"E13_sustained_13_weeks", "E09_active_caseload", "D06_care_plan_employment"}
    rows = [r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] in keep]
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())
    return Context([Row.of(r) for r in rows], quality, catalogue, registry, "2025-26 Q4")


def _table(ctx: Context, ind: str) -> dict[str, str]:
    sp = [s for s in ctx.specs if s.indicator_id == ind]
    lines = definition(ctx, ind, sp, sp[0])
    assert lines[:2] == ["## Definition", ""]
    cells = [line.strip("|").split(" | ") for line in lines if line.startswith("| ") and " | " in line]
    return {k.strip(): v.strip() for k, v in cells}


def test_a_quarterly_count_published_over_12_months_says_its_words_are_each_returns(ctx):
    """E13's labels say "in the quarter" (the workbook's words, which providers answer), while its
    figures below the level of all areas are 12-month sums: the table says the labels are about
    each quarter's return and how the published figures are made, so the two do not contradict."""
    assert any(str(r.period).startswith("12 months") for r in ctx.by_indicator["E13_sustained_13_weeks"])
    t = _table(ctx, "E13_sustained_13_weeks")
    assert "in the quarter" in t["Denominator \\(each quarter&\\#x27;s return\\)"]
    assert t["How often"].startswith("quarterly returns; published as the 12 months to each quarter")
    assert "## Targets and benchmarks" in definition(
        ctx,
        "E13_sustained_13_weeks",
        [s for s in ctx.specs if s.indicator_id == "E13_sustained_13_weeks"],
        next(s for s in ctx.specs if s.indicator_id == "E13_sustained_13_weeks"),
    )


def test_a_stock_and_an_annual_count_keep_their_plain_frequency(ctx):
    """A caseload at the quarter's end is never added over quarters, and an annual section has no
    12-month sums: neither gets the note."""
    for ind in ("E09_active_caseload", "D06_care_plan_employment"):
        assert ind in ctx.by_indicator, ind
        t = _table(ctx, ind)
        assert t["How often"] in ("quarterly", "annual"), t["How often"]
        assert not any("each quarter" in k for k in t)
