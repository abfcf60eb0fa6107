"""What the area pages show is data (data/presentation.yaml, issue 21 item 3): a key indicator
added there appears in the key table, the spine chart and the overview, with no code changed;
an id the catalogue does not have stops the build with one line naming it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.calc.row import Row
from generator.calc.specs import specs
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset
from generator.publish.quality import data_quality
from generator.site.build import BuildError, check_questions
from generator.site.context import Context
from generator.site.pages import build_pages
from generator.site.presentation import PRESENTATION_YAML, PresentationError, load

from .conftest import ROOT


def _edited(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((ROOT / PRESENTATION_YAML).read_text())
    change(data)
    path = tmp_path / "presentation.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_key_indicator_added_in_yaml_alone_reaches_the_area_page(small_demo, catalogue, tmp_path):
    added = {"indicator": "EX05_cost_per_participant", "short": "Cost per participant"}
    path = _edited(tmp_path, lambda d: d["key_indicators"].append(added))
    registry = load_registry()
    returns = small_demo.current_returns()
    keep = {"EX05_cost_per_participant", "EX02_job_outcome_rate", "EX01_access_rate"}
    rows = [r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] in keep]
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())

    def area_page(presentation: Path | None) -> str:
        ctx = Context(
            [Row.of(r) for r in rows],
            quality,
            catalogue,
            registry,
            "2025-26 Q4",
            presentation_file=presentation,
        )
        pages, _ = build_pages(ctx)
        home = next(p.text for p in pages if p.path == "index.md")
        area = next(p.text for p in pages if p.path.endswith("/areas/ps04.md"))
        return home + area

    before, after = area_page(None), area_page(path)
    assert "| Cost per participant |" not in before
    assert "cost-per-participant" not in before.split("## Questions")[0]
    assert "| Cost per participant |" in after  # the overview's column
    assert "(../indicators/ex05-cost-per-participant.md)" in after.split("## Questions")[0]  # the key table
    # the spine chart: its data table has a row for it, and it counts one key indicator more
    spine = [line for line in after.splitlines() if "key indicators better than all areas" in line]
    assert spine and "<td>Cost per participant</td>" in spine[0], spine[:1]
    counted = [
        int(re.search(r"of (\d+) key indicators better", text).group(1))  # type: ignore[union-attr]
        for text in (before, spine[0])
    ]
    assert counted[1] == counted[0] + 1, counted


def test_an_unknown_indicator_is_named_and_stops_the_build(catalogue, tmp_path, monkeypatch):
    path = _edited(
        tmp_path, lambda d: d["key_indicators"].append({"indicator": "EX99_nothing", "short": "No"})
    )
    with pytest.raises(PresentationError, match="EX99_nothing"):
        load(specs(catalogue), path)
    monkeypatch.setattr("generator.site.build.load_presentation", lambda all_specs: load(all_specs, path))
    with pytest.raises(BuildError, match="EX99_nothing, not an indicator of the catalogue"):
        check_questions(catalogue)


def test_the_project_presentation_names_only_what_the_catalogue_has(catalogue):
    p = load(specs(catalogue))
    assert p.key_indicators[0].indicator == p.trend.indicator == "EX02_job_outcome_rate"


@pytest.mark.parametrize(
    "change, says",
    [
        (
            lambda d: d["key_indicators"].append(
                {"indicator": "EX01_access_rate", "breakdown_value": "nonsense", "short": "Bogus"}
            ),
            "has no category 'nonsense'",
        ),
        (lambda d: d["key_indicators"].append(dict(d["key_indicators"][0])), "is listed twice"),
        (
            lambda d: d.update(trend={"indicator": "EX03_job_outcome_split", "words": "split"}),
            "not a rate without categories",
        ),
        (
            lambda d: d.update(trend={"indicator": "C16_corroboration", "words": "corroboration"}),
            "not a rate without categories",
        ),
        (
            lambda d: d["who_the_service_reaches"].append(
                {"indicator": "EX02_job_outcome_rate", "subject": "jobs"}
            ),
            "does not compare intake",
        ),
        (lambda d: d.update(ratings_corroboration="EX02_job_outcome_rate"), "is not a choice item"),
        (  # issue 22: "Starters into work" on one page, "Paid work entry rate" on the next
            lambda d: d["key_indicators"][2].update(short="Starters into work"),
            "short 'Starters into work' has words its title 'Paid work entry rate' does not",
        ),
    ],
)
def test_each_entry_is_checked_for_the_part_it_plays(catalogue, tmp_path, change, says):
    """Found by review: each of these built without a word and drew wrong or empty pages (or
    a traceback)."""
    with pytest.raises(PresentationError, match=says):
        load(specs(catalogue), _edited(tmp_path, change))
