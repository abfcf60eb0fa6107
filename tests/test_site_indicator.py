"""Indicator pages: an indicator published in parts is described by the part it is judged on."""

from __future__ import annotations

from generator.calc.row import Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset
from generator.site.context import Context
from generator.site.pages import build_pages


def test_the_wellbeing_change_page_describes_the_change(small_demo):
    """EX08 is published in three parts (start, end, change) and judged on the change alone: its
    page said "Better if: no judgement" and gave the start's method, from the first part."""
    from generator.calc.evaluate import METHODS

    catalogue, registry = load_catalogue(), load_registry()
    rows = [
        r
        for r in build_dataset(small_demo.current_returns(), catalogue, registry)
        if r["indicator_id"] == "EX08_swemwbs_change"
    ]
    assert {r["breakdown_value"] for r in rows} >= {"start", "end", "change"}
    pages, _ = build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"))
    text = next(p.text for p in pages if p.path.endswith("/indicators/ex08-swemwbs-change.md"))
    assert "| Better if | higher |" in text
    assert METHODS["swemwbs_change"].words in text
    assert METHODS["swemwbs_start"].words not in text
