"""What every page builder reads: each section's and indicator's latest period, an area's rows in
it, every area's values sorted, and what the registry says of the areas (invented, one provider)."""

from __future__ import annotations

from dataclasses import replace

from generator.catalogue.registry import Registry
from generator.site.context import Context, rows_by_key

from .builders import calc_registry, published_row


def _context(catalogue, rows, registry: Registry | None = None) -> Context:
    return Context(rows, [], catalogue, registry or calc_registry(), "2025-26 Q4")


def test_a_quarterly_sections_latest_period_is_its_latest_rolling_year(catalogue):
    """Section E is quarterly: its pages show the 12 months to the latest quarter; an annual
    section's latest is its latest year; a stock never added over a year has its latest quarter."""
    rows = [
        published_row(section="E", indicator_id="EX02_job_outcome_rate", period=p)
        for p in ("2025-26 Q4", "12 months to 2025-26 Q3", "12 months to 2025-26 Q4")
    ]
    rows += [
        published_row(section="E", indicator_id="E09_active_caseload", period=p)
        for p in ("2025-26 Q3", "2025-26 Q4")
    ]
    rows += [
        published_row(section="A", indicator_id="A01_employment_rate", period=p)
        for p in ("2025-26", "2024-25")
    ]
    ctx = _context(catalogue, rows)
    assert ctx.latest("E") == "12 months to 2025-26 Q4" and ctx.latest("A") == "2025-26"
    assert ctx.latest("B") == ""  # no rows
    assert ctx.latest_of("EX02_job_outcome_rate") == "12 months to 2025-26 Q4"
    assert ctx.latest_of("E09_active_caseload") == "2025-26 Q4"
    assert ctx.latest_of("EX01_access_rate") == ""


def test_an_area_page_reads_its_areas_rows_of_the_latest_period_only(catalogue):
    latest, earlier = "12 months to 2025-26 Q4", "12 months to 2025-26 Q3"
    mine = published_row(section="E", indicator_id="EX02_job_outcome_rate", period=latest, value=40.0)
    rows = [
        mine,
        published_row(section="E", indicator_id="EX02_job_outcome_rate", period=earlier, value=35.0),
        published_row(
            section="E",
            indicator_id="EX02_job_outcome_rate",
            period=latest,
            level="provider",
            provider_code="A1-P1",
        ),
        published_row(
            section="E", indicator_id="EX02_job_outcome_rate", period=latest, area_code="A2", value=20.0
        ),
        published_row(
            section="E",
            indicator_id="EX02_job_outcome_rate",
            period=latest,
            area_code="ALL",
            level="all areas",
        ),
    ]
    ctx = _context(catalogue, rows)
    assert ctx.area_latest["A1"] == {"EX02_job_outcome_rate": [mine]}
    assert sorted(ctx.by_area) == ["A1", "A2"]  # areas only: not providers, not all areas
    assert ctx.area_values("EX02_job_outcome_rate", "", latest) == [20.0, 40.0]  # sorted
    assert ctx.area_values("EX02_job_outcome_rate", "", earlier) == [35.0]
    assert rows_by_key(rows)[("EX02_job_outcome_rate", "", "A1", "A1-P1", latest)] is rows[2]


def test_what_the_registry_says_of_the_areas(catalogue):
    """Area A1 has two providers, A2 one; the demonstration warning counts the areas any of whose
    organisations are marked synthetic."""
    registry = calc_registry()
    ctx = _context(catalogue, [], registry)
    assert ctx.single_provider_areas == frozenset({"A2"})
    assert ctx.synthetic_areas == (2, 2)
    real_a2 = Registry(
        {c: replace(o, synthetic=o.area_code != "A2") for c, o in registry.organisations.items()}
    )
    assert _context(catalogue, [], real_a2).synthetic_areas == (1, 2)
    real = Registry({c: replace(o, synthetic=False) for c, o in registry.organisations.items()})
    assert _context(catalogue, [], real).synthetic_areas == (0, 2)
