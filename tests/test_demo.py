"""Synthetic demo returns: deterministic, complete, valid, and valid again after LibreOffice."""

from __future__ import annotations

import collections

import pytest

from generator.catalogue.registry import load_registry
from generator.demo.returns import write_demo_returns
from generator.demo.sites import LATE_RESUBMISSION, MISSING_SECTION, QUARTERS, YEARS, sites
from generator.demo.synthetic import answers_for
from generator.intake.reader import read_return

from .conftest import soffice_convert


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def demo(catalogue, registry, tmp_path_factory):
    return write_demo_returns(catalogue, registry, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_read(demo, catalogue, registry):
    return {d.path: read_return(d.path, catalogue, registry) for d in demo}


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


def test_demo_is_deterministic(catalogue, registry):
    site = sites(registry, 2009)[3]
    sec = catalogue.section("E")
    assert answers_for(sec, catalogue, site, "2025-26 Q1", 2009) == answers_for(
        sec, catalogue, site, "2025-26 Q1", 2009
    )
    assert answers_for(sec, catalogue, site, "2025-26 Q1", 2009) != answers_for(
        sec, catalogue, site, "2025-26 Q1", 7
    )


def test_calibrated_to_the_pilot_findings(demo_read):
    """Pooled over sites, the intake and outcomes look like the pilot's published figures (001)."""
    t = collections.Counter()
    for r in demo_read.values():
        v = r.values
        if r.section == "B":
            t["ref"] += v["B01_new_referrals"]
            t["q"] += 1
            t["36_50"] += v["B02_age.numerator:36_50"]
            t["in_work"] += v["B06_employment_status.numerator:in_paid_work"]
            t["never"] += v["B08_work_recency.numerator:never"]
            t["job1y"] += v["B09_job_over_a_year.numerator:yes"]
        if r.section == "D":
            t["placements"] += sum(n for k, n in v.items() if k.startswith("D01_placements:"))
            t["under16"] += v["D01_placements:under_5"] + v["D01_placements:5_16"]
            t["caseload"] += v["D02_audited_caseload"]
            t["care_plan"] += v["D06_care_plan_employment.numerator"]
    assert 0.42 <= t["36_50"] / t["ref"] <= 0.52  # almost half aged 36-50
    assert 0.15 <= t["in_work"] / t["ref"] <= 0.21  # 18% in work at referral
    assert 0.07 <= t["never"] / t["ref"] <= 0.13  # 10% never worked
    assert 0.70 <= t["job1y"] / t["ref"] <= 0.80  # three-quarters had a job over a year
    assert 0.39 <= t["under16"] / t["placements"] <= 0.49  # 44% under 16 hours
    assert 0.16 <= t["care_plan"] / t["caseload"] <= 0.24  # one in five care plans


def test_sites_spread_around_the_job_outcome_benchmarks(demo_read):
    per = collections.defaultdict(collections.Counter)
    for r in demo_read.values():
        if r.section == "E":
            per[r.identity["area_code"]]["starters"] += r.values["E04_starters"]
            per[r.identity["area_code"]]["outcomes"] += r.values["E05_job_outcomes"]
    rates = {a: c["outcomes"] / c["starters"] for a, c in per.items() if c["starters"]}
    assert any(x < 0.30 for x in rates.values())  # some below the NDTi "look at" line
    assert any(x > 0.61 for x in rates.values())  # one above it
    assert any(0.30 <= x <= 0.56 for x in rates.values())


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


def test_each_site_keeps_one_support_model_so_model_targets_apply(demo_read):
    models = collections.defaultdict(set)
    for r in demo_read.values():
        if r.section == "E":
            models[r.identity["area_code"]].add(r.values["E01_support_model"])
    assert all(len(m) == 1 for m in models.values())
    assert sum(m == {"ips_beyond_smi"} for m in models.values()) == 4
