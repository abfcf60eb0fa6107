"""The demo's invented sites (generator.demo.sites): spread around the job outcome benchmarks, with
the planned financial years."""

from __future__ import annotations

import collections

from generator.demo.sites import HIGH_PERFORMER, LOW_PERFORMERS, SMALL_SITES, sites, years_of


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


def test_one_site_per_provider_one_lead_per_area_and_the_planted_sites_as_planned(registry):
    made = sites(registry, 2009)
    assert sorted(s.provider for s in made) == sorted(
        o.code for o in registry.organisations.values() if o.role == "provider"
    )
    leads = collections.Counter(s.area_code for s in made if s.lead)
    assert set(leads) == set(registry.areas) and set(leads.values()) == {1}
    lead = {s.area_code: s for s in made if s.lead}
    # drawn quality is 0.8 to 1.2 and volume 17 x 0.8 to 1.4: the planted sites lie outside
    assert all(lead[a].quality < 0.8 for a in LOW_PERFORMERS) and lead[HIGH_PERFORMER].quality > 1.2
    assert all(lead[a].volume < 17 * 0.8 for a in SMALL_SITES)
    assert sites(registry, 2009) == made  # the same seed, the same sites


def test_the_annual_periods_are_the_years_the_quarters_fall_in():
    assert years_of(["2025-26 Q2", "2024-25 Q4", "2025-26 Q1"]) == ("2024-25", "2025-26")
