"""Disclosure control: what is published below national level, and what each count stands for.

Unit tests of the rule's parts; what combinations of published figures give away is the
attacker's part (tests/test_disclosure_attack.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.calc import disclosure
from generator.calc.disclosure import (
    EXACT,
    INF,
    ROUNDED,
    SUPPRESSED,
    WITHHELD,
    Count,
    DisclosureError,
    published,
    stands_for,
)
from generator.calc.indicators import calculate

from .builders import QUARTERS, YEAR, find, section_e, two_area_registry, year_of


def test_zero_is_exact_one_to_four_suppressed_others_rounded_to_five():
    assert published(0) == Count(0, 0, 0, EXACT)
    assert [published(v).state for v in (1, 2, 3, 4)] == [SUPPRESSED] * 4
    assert published(3).point is None and (published(3).lo, published(3).hi) == (1, 4)
    assert published(5) == published(7) == Count(5, 5, 7, ROUNDED)  # 3 and 4 are suppressed
    assert published(8) == Count(10, 8, 12, ROUNDED)
    assert published(12) == Count(10, 8, 12, ROUNDED) and published(13) == Count(15, 13, 17, ROUNDED)
    assert published(math.nan).state == WITHHELD


@given(st.integers(min_value=0, max_value=10_000))
def test_every_count_is_in_what_its_published_figure_stands_for_and_that_is_three_values_or_more(v):
    """The public half of the rule (what a reader can tell) agrees with the rule itself."""
    c = published(v)
    assert (c.lo, c.hi) == stands_for(c.point, c.state)
    assert c.lo <= v <= c.hi
    assert v == 0 or c.hi - c.lo + 1 >= disclosure.MIN_VALUES


def test_quarters_below_national_level_are_not_published_but_stocks_and_all_areas_are(catalogue, registry):
    rets = year_of("E", "A1-P1", "A1", {**section_e(40, 20), "E09_active_caseload": 61}) + year_of(
        "E", "A2-P1", "A2", {**section_e(40, 10), "E09_active_caseload": 33}
    )
    rows = calculate(rets, catalogue, registry)
    quarter = [r for r in rows if r["period"] == QUARTERS[0] and r["level"] != "all areas"]
    assert {r["indicator_id"] for r in quarter} >= {"E09_active_caseload", "EX06_caseload_per_specialist"}
    assert not {r["indicator_id"] for r in quarter} & {"E05_job_outcomes", "EX02_job_outcome_rate"}
    assert find(rows, "E09_active_caseload", "area", QUARTERS[0])["value"] == 60
    assert find(rows, "E05_job_outcomes", "all areas", QUARTERS[0], area="ALL")["value"] == 30  # exact
    assert find(rows, "E05_job_outcomes", "area", YEAR)["value"] == 80


def test_an_indicator_whose_treatment_cannot_be_told_stops_the_build(catalogue, monkeypatch):
    monkeypatch.delitem(disclosure.BY_METHOD, "cost_per_outcome")
    with pytest.raises(DisclosureError, match="EX04_cost_per_job_outcome: no disclosure treatment"):
        disclosure.check(catalogue)


def test_every_published_count_of_the_small_demo_stands_for_its_true_value(
    small_demo, catalogue, monkeypatch
):
    """Below national level, every count in the published table that is a single catalogue
    count (a count's value, a rate's numerator and denominator, where each is one input) is in
    the range its published figure and flags stand for, read as a reader would: the truth from
    the same calculation with every count published exactly."""
    from generator.calc.specs import specs
    from generator.catalogue.registry import load_registry

    single = {
        (s.indicator_id, s.breakdown_value): {
            "numerator": len(s.numerator) == 1,
            "denominator": len(s.denominator) == 1,
        }
        for s in specs(catalogue)
    }
    registry = load_registry()
    returns = small_demo.current_returns()
    rows = calculate(returns, catalogue, registry, sections={"B", "E"})
    truth = {
        _key(r): r
        for r in calculate(returns, catalogue, registry, sections={"B", "E"}, unprotected=True)
        if r["level"] != "all areas"
    }

    def reads(r, col):
        flags = set(str(r["flags"] or "").split(";"))
        said = "denominator " if col == "denominator" else ""
        state = ROUNDED
        if r[col] is None:
            state = SUPPRESSED if f"{said}suppressed" in flags else WITHHELD
        return stands_for(r[col], EXACT if r[col] == 0 else state)

    # an area with several providers publishes the sum of its providers' published counts, and
    # stands for the sum of their ranges
    providers: dict[tuple, list] = {}
    for r in rows:
        if r["level"] == "provider":
            providers.setdefault((*_key(r)[:3], r["period"]), []).append(r)
    largest = {i.id for sec in catalogue.sections.values() for i in sec.items if i.aggregate == "max"}
    several = {a for a in registry.areas if sum(o.role == "provider" for o in registry.in_area(a)) > 1}
    checked = summed = 0
    for r in rows:
        if r["level"] == "all areas" or r["unit"] not in ("count", "percent"):
            continue
        t = truth[_key(r)]
        for col in ("numerator", "denominator") if r["unit"] == "percent" else ("value",):
            one = single[(r["indicator_id"], r["breakdown_value"])]
            if t[col] is None or not one.get(col, True):
                continue
            parts = providers.get((*_key(r)[:3], r["period"]), [])
            if r["level"] == "area" and r["area_code"] in several and r[col] is not None:
                ranges = [reads(p, col) for p in parts]
                if r["indicator_id"] in largest:  # the largest caseload: the largest of theirs
                    added = max(p[col] for p in parts)
                    lo, hi = max(a for a, _ in ranges), max(b for _, b in ranges)
                else:  # a suppressed provider's count goes in as 2.5, the middle of 1-4
                    added = sum(2.5 if p[col] is None else p[col] for p in parts)
                    lo, hi = sum(a for a, _ in ranges), sum(b for _, b in ranges)
                assert len(parts) > 1 and r[col] == added, (_key(r), col, r[col], added)
                summed += 1
            else:
                lo, hi = reads(r, col)
            assert lo <= t[col] <= hi, (_key(r), col, r[col], t[col])
            checked += 1
    assert checked > 1000 and summed > 100 and hi < INF


def _key(r):
    return (r["indicator_id"], r["breakdown_value"], r["area_code"], r["provider_code"], r["period"])


@pytest.fixture
def registry():
    return two_area_registry()
