"""Pieces more than one page uses: the demonstration warning, which follows the registry, and
the sources' targets an areas chart draws."""

from __future__ import annotations

from dataclasses import replace

import pytest

from generator.calc.row import Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import Registry, load_registry
from generator.publish.dataset import build_dataset
from generator.site.context import Context
from generator.site.pages import build_pages


@pytest.mark.parametrize("synthetic", ["all", "some", "none"])
def test_the_demonstration_warning_follows_the_registry(small_demo, synthetic):
    """Invented data are never published without the warning, and real data never with it: the
    registry's synthetic flag decides, area by area."""
    catalogue, base = load_catalogue(), load_registry()
    marked = {"all": set(base.areas), "some": {"PS01", "PS02"}, "none": set()}[synthetic]
    registry = Registry(
        {c: replace(o, synthetic=o.area_code in marked) for c, o in base.organisations.items()}
    )
    returns = small_demo.current_returns()
    rows = [
        r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] == "EX02_job_outcome_rate"
    ]
    pages, _ = build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"))
    home = next(p.text for p in pages if p.path == "index.md")
    area = next(p.text for p in pages if p.path.endswith("/ps05.md"))
    if synthetic == "none":
        assert "Synthetic demonstration data" not in home and "synthetic demonstration" not in area.lower()
    elif synthetic == "all":
        assert "Every number on this site is invented" in home and f"for {len(base.areas)} areas" in home
        assert "Synthetic demonstration data: not real services" in area
    else:
        assert f"The figures for 2 of the {len(base.areas)} areas are invented" in home
        assert f"2 of {len(base.areas)} areas hold synthetic demonstration data" in area


def test_the_areas_chart_draws_the_targets_that_apply_to_every_area_named_by_their_source(built):
    """Issue 22 and its review: EX02's chart names NDTi's 38% and 43% by whose figures they are;
    EX04's draws the best-practice band its verdicts use, not only the all-services average; a
    target for some kinds of service (EX01's 70%, for IPS beyond SMI and SEQF) is drawn named for
    them, once, never as if it were every area's (a later review: with no line, the verdicts in
    the tables had nothing to be read against)."""
    charts_dir = built[0] / "generated" / "charts"
    ex02 = (charts_dir / "ind-ex02-job-outcome-rate-compare.svg").read_text(encoding="utf-8")
    assert (
        ">reference 43%: Best practice sites<" in ex02
        and ">reference 38%: Average, all LA/NHS-commissioned services<" in ex02
    )
    ex04 = (charts_dir / "ind-ex04-cost-per-job-outcome-compare.svg").read_text(encoding="utf-8")
    assert "£2,818 to £4,024: NDTi best-practice band" in ex04 and "reference £8,217" in ex04
    ex01 = (charts_dir / "ind-ex01-access-rate-compare.svg").read_text(encoding="utf-8")
    assert ">at least 70%: IPS beyond SMI; SEQF<" in ex01 and ex01.count("at least 70%") == 1
