"""The demo's invented sites (generator.demo.sites): spread around the job outcome benchmarks, with
the planned financial years."""

from __future__ import annotations

import collections


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
