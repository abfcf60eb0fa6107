"""The catalogue's values (generator.catalogue.model): a benchmark's words as its source writes
them, and an item whose title names the quarter needs a label for the site."""

from __future__ import annotations

import re

import pytest

from generator.calc.specs import specs
from generator.catalogue.load import load_catalogue
from generator.catalogue.model import CatalogueError

from .builders import edit_yaml


def test_benchmarks_read_as_their_sources_write_them(catalogue):
    """One wording for a benchmark, in workbooks, dataset and site: money with pounds and
    thousands separated, as the source document writes it ("£2,818 and £4,024")."""
    cost = next(
        d for s in catalogue.sections.values() for d in s.derived if d.id == "EX04_cost_per_job_outcome"
    )
    words = {b.kind: b.words() for b in cost.benchmarks}
    assert words["band"] == "within or close to £2,818 to £4,024" and words["reference"] == "£8,217"
    assert not [w for w in words.values() if re.search(r"\d{4}", w)], words


def test_a_title_naming_the_quarter_needs_a_label_for_the_site(cat_copy):
    """The workbook asks about "the quarter"; the site and dataset also show the item over 12
    months, so an item whose title names the quarter must have a `label` that does not (issue 22:
    "Total cost of the service in the quarter" under "12 months to"). A stock, never added over
    quarters, is exempt; the label is what the published rows and pages call it."""
    path = cat_copy / "sections" / "E_job_outcomes.yaml"
    edit_yaml(
        path,
        lambda d: [
            i.pop("label", None) for g in d["groups"] for i in g["items"] if i["id"] == "E02_total_cost"
        ],
    )
    with pytest.raises(CatalogueError, match="E02_total_cost: the title names the quarter"):
        load_catalogue(cat_copy)
    edit_yaml(
        path,
        lambda d: [
            i.update(label="Cost in the quarter")
            for g in d["groups"]
            for i in g["items"]
            if i["id"] == "E02_total_cost"
        ],
    )
    with pytest.raises(CatalogueError, match="E02_total_cost"):
        load_catalogue(cat_copy)
    catalogue = load_catalogue()
    items = {i.id: i for _, i in catalogue.items()}
    assert items["E02_total_cost"].name == "Total cost of the service"
    assert "quarter" in items["E09_active_caseload"].name  # a stock: only ever one quarter's
    assert {s.title for s in specs(catalogue) if s.indicator_id == "E02_total_cost"} == {
        "Total cost of the service"
    }
