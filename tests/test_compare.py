"""generator/site/compare.py: every area of an indicator, best first, with what each verdict used."""

from __future__ import annotations

import html
import re

import pytest

from generator.calc import disclosure
from generator.calc.row import Row
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset
from generator.publish.quality import data_quality
from generator.site import compare
from generator.site.context import Context

INDICATORS = ("EX02_job_outcome_rate", "EX04_cost_per_job_outcome", "B02_age")


@pytest.fixture(scope="module")
def ctx(funnel_demo, catalogue) -> Context:
    registry = load_registry()
    returns = funnel_demo.current_returns()
    rows = [r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] in INDICATORS]
    quality = data_quality(returns, catalogue, registry, funnel_demo.ledger_rows())
    return Context([Row.of(r) for r in rows], quality, catalogue, registry, "2025-26 Q4")


def _section(ctx: Context, ind: str) -> tuple[list[str], list[list[str]]]:
    """The table's headings and its rows' cells as text, in the order of the HTML."""
    period = ctx.latest_of(ind)
    main = next(s for s in ctx.specs if s.indicator_id == ind and not s.breakdown_value)
    rows = [
        r for r in ctx.by_indicator[ind] if r.level == "area" and r.period == period and not r.breakdown_value
    ]
    lines = compare.compare_table(ctx, ind, main, period, rows)
    block = next(line for line in lines if 'class="kpi-stack kpi-sortable"' in line)
    heads = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", block)]
    body = [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", block.split("<tbody>")[1])
    ]
    return heads, body


def _money(text: str) -> float:
    return float(text.replace("£", "").replace(",", "").rstrip("%"))


@pytest.mark.parametrize(
    ("ind", "best_first"), [("EX02_job_outcome_rate", max), ("EX04_cost_per_job_outcome", min)]
)
def test_the_table_is_in_rank_order_in_the_html_best_first_whatever_the_polarity(ctx, ind, best_first):
    """A reader without JavaScript sees the ranking: ranks rise down the table, the first is the
    best value (the highest rate, the cheapest cost), ties share a rank, and every area without a
    rank follows the ranked ones with its reason."""
    heads, body = _section(ctx, ind)
    assert heads[:4] == ["Rank", "Area", "Value", "95% interval"]
    ranks = [int(r[0]) for r in body if r[0]]
    assert ranks and ranks == sorted(ranks) and ranks[0] == 1
    ranked_rows = [r for r in body if r[0]]
    assert len(ranked_rows) >= 3
    values = [_money(r[2]) for r in ranked_rows]
    assert values[0] == best_first(values)
    assert values == sorted(values, reverse=best_first is max)
    first_unranked = next((i for i, r in enumerate(body) if not r[0]), len(body))
    assert all(not r[0] for r in body[first_unranked:])  # none ranked after an unranked one
    for r in body[first_unranked:]:
        assert r[-1].startswith(
            ("fewer than", "partial", "suppressed", "withheld", "denominator", "under", "no return")
        ), r


def test_nothing_below_the_minimum_for_a_verdict_has_a_rank(ctx):
    """The rank comes from the dataset, which gives none below MIN_JUDGED people: a rate whose
    published denominator is under it (rounded: its true count at most 2 more) has none here."""
    ind = "EX02_job_outcome_rate"
    period = ctx.latest_of(ind)
    by_name = {
        str(r.area_name): r
        for r in ctx.by_indicator[ind]
        if r.level == "area" and r.period == period and not r.breakdown_value
    }
    _, body = _section(ctx, ind)
    small = [
        r
        for r in body
        if (d := by_name[r[1]].denominator) is not None and d + disclosure.HALF < disclosure.MIN_JUDGED
    ]
    assert all(not r[0] for r in small)
    for r in body:
        if r[0]:
            assert by_name[r[1]].rank == int(r[0])


def test_each_target_gets_a_column_named_once_with_the_figure_beside_each_verdict(ctx):
    heads, body = _section(ctx, "EX04_cost_per_job_outcome")
    against = [h for h in heads if h.startswith("Against ")]
    assert against and all(":" not in h for h in against)  # the label's words before its colon
    col = heads.index(against[0])
    shown = [r[col] for r in body if r[col]]
    assert shown and all(re.search(r"£[\d,]+", v) for v in shown), shown[:3]
    # the comparison with all areas carries the all-areas figure it used, in its own row
    assert heads[4] == "Compared with all areas"
    judged = [r[4] for r in body if r[4] and "not assessed" not in r[4]]
    assert judged and all(re.search(r"\(all areas £[\d,]+\)", v) for v in judged), judged[:3]
