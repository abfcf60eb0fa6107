"""Specs from the catalogue: one for each item and derived indicator, references resolved to
input keys, and each category's benchmarks its own."""

from __future__ import annotations

from generator.calc.evaluate import METHODS
from generator.calc.specs import resolve, specs


def test_every_item_and_derived_indicator_has_specs(catalogue):
    """One source of truth: each catalogue item (except dates and free text) and derived indicator."""
    ids = {s.indicator_id for s in specs(catalogue)}
    for _, item in catalogue.items():
        assert (item.id in ids) == (item.value_type not in ("date", "text")), item.id
    for sec in catalogue.sections.values():
        for d in sec.derived:
            assert d.id in ids
    assert {s.method for s in specs(catalogue)} <= set(METHODS)


def test_resolve_references(catalogue):
    assert resolve("E05a_outcome_type:gained", catalogue) == ("E05a_outcome_type.numerator:gained",)
    assert resolve("E04_starters", catalogue) == ("E04_starters",)
    assert len(resolve("D01_placements", catalogue)) == 4  # every hours band


def test_a_categorys_count_is_not_judged_against_the_whole_counts_benchmark(catalogue):
    """D01's "about 60 a year" is a figure for all placements: the total is judged against it,
    a category (placements of under 5 hours) is not."""
    from generator.calc.specs import specs

    d01 = {s.breakdown_value: s for s in specs(catalogue) if s.indicator_id.startswith("D01_")}
    assert d01["total"].benchmarks and all(b.category is None for b in d01["total"].benchmarks)
    assert not [v for v, s in d01.items() if v != "total" and any(b.category is None for b in s.benchmarks)]
