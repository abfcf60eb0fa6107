"""The dataset computed section by section in parts: the parts publish what the whole section
would, and a build keeps only the rows its site shows while publishing every row."""

from __future__ import annotations

from generator.calc.row import Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry


def test_sections_computed_apart_equal_the_whole_table(small_demo):
    """Disclosure control runs in each part of a section in the sharded build, on whole families
    of counts: every part publishes the same counts as the whole section."""
    from generator.calc.indicators import calculate
    from generator.publish.dataset import build_dataset
    from generator.publish.periods import flag_provisional, latest_periods

    catalogue, registry = load_catalogue(), load_registry()
    returns = small_demo.current_returns()
    whole = calculate(returns, catalogue, registry)
    flag_provisional(whole, latest_periods(returns))
    sharded = build_dataset(returns, catalogue, registry, workers=2)

    def key(r):
        return (r["indicator_id"], r["breakdown_value"], r["area_code"], r["provider_code"], r["period"])

    assert sorted(whole, key=key) == sorted(sharded, key=key)


def test_a_large_section_splits_where_disclosure_control_never_reaches():
    """Parts of a section are computed apart, so no check of disclosure control may span two:
    each indicator is in exactly one part, and indicators built from the same counts share one."""
    from generator.calc.specs import specs
    from generator.publish.dataset import shards

    catalogue = load_catalogue()
    for letter in catalogue.sections:
        parts = shards(letter, catalogue)
        section = [s for s in specs(catalogue) if s.section == letter]
        ids = [i for p in parts for i in p]
        assert sorted(ids) == sorted({s.indicator_id for s in section}), letter  # once each
        part_of = {i: n for n, p in enumerate(parts) for i in p}
        by_counts: dict[tuple[str, ...], set[int]] = {}
        for s in section:
            by_counts.setdefault(tuple(s.numerator), set()).add(part_of[s.indicator_id])
        assert all(len(v) == 1 for v in by_counts.values()), letter
    assert len(shards("E", catalogue)) > 1 and len(shards("B", catalogue)) > 1


def test_the_build_keeps_only_rows_its_site_shows_and_publishes_every_row(small_demo, tmp_path):
    """A national build never holds the whole table: each worker renders its part of the CSV and
    hands back only the rows the site shows. The files are those written from every row, and
    the pages those built from every row."""
    from generator.publish.dataset import compute_dataset, shown
    from generator.publish.files import write_dataset, write_published
    from generator.publish.periods import latest_periods
    from generator.site.context import Context
    from generator.site.pages import build_pages

    catalogue, registry = load_catalogue(), load_registry()
    returns = small_demo.current_returns()
    every = compute_dataset(returns, catalogue, registry, workers=2, every_row=True)
    lean = compute_dataset(returns, catalogue, registry, workers=2)
    latest = latest_periods(returns)
    assert lean.count == every.count == len(every.rows)
    assert lean.rows == [r for r in every.rows if shown(r, latest[r["section"]])]
    assert any(r["level"] == "provider" for r in every.rows if r not in lean.rows)  # some are left out
    assert "provisional" in next(r["flags"] for r in lean.rows if r["period"] == latest["E"])

    full = write_dataset(every.rows, [], tmp_path / "every")
    part = write_published(lean, [], tmp_path / "lean")
    assert [p.read_bytes() for p in part] == [p.read_bytes() for p in full]

    as_at = max(str(r["period"]) for r in every.rows)
    pages_every, charts_every = build_pages(
        Context([Row.of(r) for r in every.rows], [], catalogue, registry, as_at)
    )
    pages_lean, charts_lean = build_pages(
        Context([Row.of(r) for r in lean.rows], [], catalogue, registry, as_at, lean.count)
    )
    assert pages_lean == pages_every
    assert {k: c.key for k, c in charts_lean.items()} == {k: c.key for k, c in charts_every.items()}


def test_a_part_with_no_values_gives_no_blocks(small_demo):
    """A part of a section none of whose indicators has a value (no wellbeing counts sent, say)
    is simply empty, and the rest of the section is published."""
    from generator.publish.dataset import compute_dataset, shard_part, shards

    catalogue, registry = load_catalogue(), load_registry()
    a_return = next(r for r in small_demo.current_returns() if r["section"] == "E")
    bare = {**a_return, "values": {k: v for k, v in a_return["values"].items() if not k.startswith("E1")}}
    wellbeing = next(p for p in shards("E", catalogue) if "E16_swemwbs_end" in p)
    assert shard_part("E", [bare], catalogue, registry, wellbeing, "2025-26 Q4") == []
    rows = compute_dataset([bare], catalogue, registry, workers=1, every_row=True).rows
    assert rows and not any(r["indicator_id"].startswith(("E15", "E16", "EX08")) for r in rows)
