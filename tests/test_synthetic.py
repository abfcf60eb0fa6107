"""The demo's synthetic answers (generator.demo.synthetic): deterministic from the seed, calibrated
to the pilot's published findings, one support model per site."""

from __future__ import annotations

import collections

from generator.demo.sites import sites
from generator.demo.synthetic import answers_for


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


def test_each_site_keeps_one_support_model_so_model_targets_apply(demo_read):
    models = collections.defaultdict(set)
    for r in demo_read.values():
        if r.section == "E":
            models[r.identity["area_code"]].add(r.values["E01_support_model"])
    assert all(len(m) == 1 for m in models.values())
    assert sum(m == {"ips_beyond_smi"} for m in models.values()) == 4
