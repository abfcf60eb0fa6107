"""The demo's returns (generator.demo.returns): the plan of sites, sections and periods with its
planned gaps, every return valid and labelled synthetic (also after LibreOffice), earlier
periods on the first template version, and the demo analyst's approvals."""

from __future__ import annotations

import collections
import csv

import pytest

from generator.catalogue.registry import load_registry
from generator.demo.returns import approve_demo_comments, demo_version
from generator.demo.sites import LATE_RESUBMISSION, MISSING_SECTION, NAMES_A_CLIENT, QUARTERS, YEARS
from generator.intake.reader import read_return
from generator.publish.quality import data_quality

from .builders import store_with_comment
from .conftest import soffice_convert


def test_the_plan_covers_17_sites_over_eight_quarters_with_the_planned_gaps(demo, catalogue, registry):
    """17 areas, three of them with a second provider (so that areas and providers differ);
    every provider sends every quarter or year of its sections, the commissioner its own once."""
    assert len({d.site for d in demo}) == 17
    assert len(QUARTERS) == 8 and len(YEARS) == 2
    providers = collections.Counter(
        o.area_code for o in registry.organisations.values() if o.role == "provider"
    )
    assert sorted(a for a, n in providers.items() if n > 1) == ["PS01", "PS04", "PS06"]
    per = collections.Counter((d.site, d.section) for d in demo if not d.resubmission)
    for (site, section), n in per.items():
        sec = catalogue.sections[section]
        orgs = providers[site] if sec.completed_by == "provider" else 1
        expected = (8 if sec.frequency == "quarterly" else 2) * orgs
        assert n == expected, (site, section)
    assert MISSING_SECTION not in per  # one site never sends Section D
    resub = [d for d in demo if d.resubmission]
    assert [(d.site, d.section, d.period) for d in resub] == [LATE_RESUBMISSION]


def test_every_demo_return_validates(demo_read):
    bad = {str(p): [e.message for e in r.errors][:2] for p, r in demo_read.items() if not r.valid}
    assert not bad


def test_demo_returns_are_labelled_synthetic(demo_read):
    for r in list(demo_read.values())[:20]:
        assert r.identity["contact_name"] == "Synthetic demo data"


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_resaved_by_libreoffice_the_returns_validate_with_identical_values(
    demo, demo_read, fmt, tmp_path, catalogue, registry
):
    """One return of every section, opened and saved again by LibreOffice as .xlsx and as .ods."""
    sample = {}
    for d in demo:
        sample.setdefault(d.section, d)
    sample_paths = [d.path for d in sample.values()]
    resaved = soffice_convert(sample_paths, tmp_path / "out", tmp_path / "profile", fmt)
    for original, path in zip(sample_paths, resaved, strict=True):
        again = read_return(path, catalogue, registry)
        assert again.valid, [p.message for p in again.errors][:3]
        assert again.values == demo_read[original].values
        assert again.identity == demo_read[original].identity


def test_the_demo_makes_earlier_periods_on_the_first_version(catalogue):
    e = catalogue.section("E")
    assert demo_version(e, "2024-25 Q4").version == "1.0" and demo_version(e, "2025-26 Q1") is e
    assert demo_version(catalogue.section("C"), "2024-25").version == "1.0"


def test_the_demo_store_mixes_versions(small_demo):
    with small_demo.ledger.open(newline="") as f:
        versions = {row["template_version"] for row in csv.DictReader(f)}
    assert versions == {"1.0", "1.1"}


def test_the_demos_analyst_leaves_the_comment_that_names_a_client_unapproved(tmp_path, catalogue):
    store, _ = store_with_comment(tmp_path, catalogue, NAMES_A_CLIENT)
    assert approve_demo_comments(store, catalogue) == (0, 1)
    rows = data_quality(store.current_returns(), catalogue, load_registry(), [], store.approval_rows())
    assert all(NAMES_A_CLIENT not in str(q["comment"]) for q in rows)
