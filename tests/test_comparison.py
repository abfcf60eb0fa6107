"""Areas compared with all areas and ranked: totals, which depend on an area's size, are
not; a lower limit of zero is a limit."""

from __future__ import annotations

import pytest

from generator.calc.indicators import calculate
from generator.catalogue.registry import Organisation, Registry

from .builders import YEAR, calc_registry, find, section_e, year_of


@pytest.fixture
def registry():
    return calc_registry()


def test_totals_are_not_compared_or_ranked_across_areas(catalogue, registry):
    """A count of people depends on an area's size: no comparison with the national total (review)."""
    regs = Registry(
        {f"A{i}-P": Organisation(f"A{i}-P", "p", f"A{i}", f"Area {i}", "provider", True) for i in range(1, 6)}
    )
    rows = calculate(
        [r for i in range(1, 6) for r in year_of("E", f"A{i}-P", f"A{i}", section_e(100, 10 * i))],
        catalogue,
        regs,
    )
    count = [r for r in rows if r["indicator_id"] == "E05_job_outcomes" and r["level"] == "area"]
    assert count and all(
        r["comparison_all_areas"] == "" and r["quartile"] is None and r["rank"] is None for r in count
    )


def test_a_zero_lower_limit_is_a_limit_not_missing(catalogue, registry):
    rets = year_of("E", "A1-P1", "A1", section_e(20, 0)) + year_of("E", "A2-P1", "A2", section_e(20, 15))
    rows = calculate(rets, catalogue, registry)
    r = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert r["lower_998"] == 0 and "not assessed" not in r["comparison_all_areas"]
