"""Every generated page and chart made, and written: no page written over another, and each
chart's data beside it as CSV."""

from __future__ import annotations

from dataclasses import replace

import pytest

from generator.calc.row import Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import Registry, load_registry
from generator.publish.dataset import build_dataset
from generator.site.context import Context
from generator.site.markup import GENERATED
from generator.site.pages import build_pages


def test_a_page_that_would_be_written_over_another_stops_the_build(small_demo):
    """Backstop to the registry's check: an area whose page would be the list of areas (a
    registry made in code, past the check) stops the pages being made, naming the page."""
    catalogue, base = load_catalogue(), load_registry()
    registry = Registry(
        {
            c: replace(o, area_code="INDEX" if o.area_code == "PS05" else o.area_code)
            for c, o in base.organisations.items()
        }
    )
    rows = [
        r
        for r in build_dataset(small_demo.current_returns(), catalogue, base)
        if r["indicator_id"] == "EX02_job_outcome_rate"
    ]
    with pytest.raises(ValueError, match=r"generated/areas/index\.md"):
        build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"))


def test_every_chart_offers_its_data_as_csv(built):
    """The downloads page promises every chart's data: each chart links a CSV with its table."""
    import csv

    from generator.site.parts import NARROW

    site, _, _, charts = built
    for key, chart in charts.items():
        if key.endswith(NARROW):  # a phone's picture of a chart: its data is the chart's own CSV
            wide = charts[key.removesuffix(NARROW)]
            assert (chart.header, chart.rows) == (wide.header, wide.rows), key
            assert not (site / GENERATED / "charts" / f"{key}.csv").exists(), key
            continue
        path = site / GENERATED / "charts" / f"{key}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert tuple(rows[0]) == chart.header and len(rows) == len(chart.rows) + 1, key
    page = (site / GENERATED / "indicators" / "ex02-job-outcome-rate" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'href="../../charts/ind-ex02-job-outcome-rate-compare.csv"' in page


def test_writing_pages_leaves_the_offered_files_alone_and_removes_a_stale_page(tmp_path):
    """The files under downloads/ (each area's among them, a folder down) are the build's to
    write and remove; writing the pages removes what is stale elsewhere only."""
    from generator.site.markup import Page
    from generator.site.pages import write_pages

    gen = tmp_path / GENERATED
    kept = [gen / "downloads" / "indicators.csv", gen / "downloads" / "areas" / "ps04.xlsx"]
    for p in [*kept, gen / "areas" / "gone.md"]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    assert write_pages(tmp_path, [Page(f"{GENERATED}/areas/ps04.md", "# Leeds")], {}) == 2
    assert all(p.exists() for p in kept)
    assert not (gen / "areas" / "gone.md").exists()


def test_each_area_page_links_its_own_files_with_the_sizes_it_is_given(small_demo):
    """build_pages asks once for the area files' sizes (the build writes the files meanwhile),
    and an area page links its own files with them; one without files links none."""
    catalogue, registry = load_catalogue(), load_registry()
    rows = [
        r
        for r in build_dataset(small_demo.current_returns(), catalogue, registry)
        if r["indicator_id"] == "EX02_job_outcome_rate"
    ]
    made: list[str] = []

    def sizes() -> dict[str, int]:
        made.append("asked")
        return {"areas/ps04.csv": 12_000, "areas/ps04.xlsx": 2_000_000}

    pages, _ = build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"), sizes)
    assert made == ["asked"]
    leeds = next(p.text for p in pages if p.path == f"{GENERATED}/areas/ps04.md")
    assert (
        "[CSV (12 KB)](../downloads/areas/ps04.csv), [Excel (1.9 MB)](../downloads/areas/ps04.xlsx)" in leeds
    )
    other = next(p.text for p in pages if p.path == f"{GENERATED}/areas/ps05.md")
    assert "downloads/areas" not in other
    assert f"{GENERATED}/downloads.md" not in {p.path for p in pages}  # made once the files are written
