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
