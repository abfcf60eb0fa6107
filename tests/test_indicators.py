"""Indicators calculated from stored returns: what the steps give together (one area, ranks
with a scale's wording, stocks and maxima over a year), and every question to ask firing on what
the calculation says."""

from __future__ import annotations

import pytest

from generator.calc.indicators import calculate
from generator.calc.row import Row
from generator.calc.specs import specs
from generator.catalogue.registry import Organisation, Registry
from generator.site.questions import QUESTIONS_YAML
from generator.site.questions import parse as parse_questions

from .builders import YEAR, calc_registry, find, ret, section_e, year_of
from .conftest import ROOT


@pytest.fixture
def registry():
    return calc_registry()


def test_one_area_only_and_identical_areas(catalogue, registry):
    """With one area, the figure for all areas would be that area's exact count: it is withheld,
    and nothing is compared with it. Identical areas are like all areas."""
    rows = calculate(year_of("E", "A1-P1", "A1", section_e(50, 20)), catalogue, registry)
    a = find(rows, "EX02_job_outcome_rate", "area", YEAR)
    assert a["value"] == 40.0 and a["comparison_all_areas"] == "" and a["all_areas_value"] is None
    nation = find(rows, "EX02_job_outcome_rate", "all areas", YEAR, area="ALL")
    assert nation["value"] is None and "withheld" in nation["flags"]
    both = year_of("E", "A1-P1", "A1", section_e(50, 20)) + year_of("E", "A2-P1", "A2", section_e(50, 20))
    rows = calculate(both, catalogue, registry)
    # A1's second provider sent nothing: A1's value is flagged partial, and judged (a whole year)
    a1 = find(rows, "EX02_job_outcome_rate", "area", YEAR, area="A1")
    assert "partial" in a1["flags"] and a1["comparison_all_areas"] == "not significantly different"
    rows = calculate(both + year_of("E", "A1-P2", "A1", section_e(0, 0, referrals=0)), catalogue, registry)
    for area in ("A1", "A2"):
        r = find(rows, "EX02_job_outcome_rate", "area", YEAR, area=area)
        assert r["comparison_all_areas"] == "not significantly different"
        r = find(rows, "EX01_access_rate", "area", YEAR, area=area)  # no funnel around 2 areas
        assert r["comparison_funnel"] == "" and r["funnel_p0"] is None and r["funnel_lower_95"] is None


def test_ratings_carry_their_scale_wording_and_areas_are_ranked_only_with_a_direction(catalogue, registry):
    rows = calculate([ret("C", "A1-P1", "A1", "2025-26", {"C03_rapid_job_search": 5})], catalogue, registry)
    r = find(rows, "C03_rapid_job_search", "provider", "2025-26", provider="A1-P1")
    assert r["value"] == 5 and r["value_label"].startswith("First face-to-face contact with an employer")
    regs = Registry(
        {f"A{i}-P": Organisation(f"A{i}-P", "p", f"A{i}", f"Area {i}", "provider", True) for i in range(1, 6)}
    )
    split_values = {
        "E05a_outcome_type.numerator:gained": 6,
        "E05a_outcome_type.numerator:retained": 3,
        "E05a_outcome_type.numerator:self_employed": 1,
    }
    rets = [
        r
        for i in range(1, 6)
        for r in year_of("E", f"A{i}-P", f"A{i}", {**section_e(100, 10 * i), **split_values})
    ]
    rows = calculate(rets, catalogue, regs)
    ranks = {
        r["area_code"]: r["rank"]
        for r in rows
        if r["indicator_id"] == "EX02_job_outcome_rate" and r["level"] == "area" and r["period"] == YEAR
    }
    assert ranks == {"A1": 5, "A2": 4, "A3": 3, "A4": 2, "A5": 1}  # higher job outcome rate ranks first
    split = [r for r in rows if r["indicator_id"] == "EX03_job_outcome_split" and r["level"] == "area"]
    assert split and all(r["rank"] is None for r in split)  # no direction, no rank


def test_stocks_and_maxima_are_not_added_up_over_a_year(catalogue, registry):
    """A caseload is a level, the largest caseload a maximum: never summed over quarters (review)."""
    qs = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    rets = [
        ret(
            "E",
            "A1-P1",
            "A1",
            q,
            {**section_e(10, 4), "E11_largest_caseload": 20, "E09_active_caseload": 100},
        )
        for q in qs
    ]
    rets.append(
        ret(
            "E",
            "A1-P2",
            "A1",
            "2025-26 Q4",
            {**section_e(10, 4), "E11_largest_caseload": 23, "E09_active_caseload": 50},
        )
    )
    rows = calculate(rets, catalogue, registry)
    assert not [
        r for r in rows if r["indicator_id"] == "E11_largest_caseload" and r["period"].startswith("12")
    ]
    largest = find(rows, "E11_largest_caseload", "area", "2025-26 Q4")  # the larger of 20 and 23, rounded
    assert largest["value"] == 25 and "above the maximum" not in largest["comparison_target"]
    caseload = find(rows, "E09_active_caseload", "area", "2025-26 Q4")
    assert caseload["value"] == 150  # summed over providers in one quarter


# -- each question on an area page fires on what the calculation says --------------------------
def _question_cases() -> dict[str, tuple[list[dict], str]]:
    """For each question in data/questions.yaml: returns that should raise it, and the indicator
    row (level) to look at. Figures are chosen far enough from the line that the verdict is sure."""
    ips = {"E01_support_model": "ips_beyond_smi"}

    def e(**values: float) -> list[dict]:
        return year_of("E", "A1-P1", "A1", {**ips, **values})

    nvq = {"B01_new_referrals": 200, "B05_nvq2.numerator:nvq2_plus": 180, "B05_nvq2.numerator:below_nvq2": 20}
    women = {
        "B01_new_referrals": 200,
        "B03_gender.numerator:female": 40,
        "B03_gender.numerator:male": 160,
    }
    context = {
        "A04_nvq2_rate": 50.0,
        "A08_population_gender:female": 50.0,
        "A08_population_gender:male": 50.0,
    }
    return {
        "job_outcomes_low": (e(E04_starters=100, E05_job_outcomes=10), "EX02_job_outcome_rate"),
        "job_outcomes_high": (e(E04_starters=100, E05_job_outcomes=80), "EX02_job_outcome_rate"),
        "cost_high": (
            e(E04_starters=200, E05_job_outcomes=100, E02_total_cost=800_000.0),  # £8,000 per outcome
            "EX04_cost_per_job_outcome",
        ),
        "access_low": (e(E03_referrals=100, E04_starters=30), "EX01_access_rate"),
        "work_entry_low": (e(E04_starters=100, E12_job_entries=10), "EX09_paid_work_entry_rate"),
        "caseload_high": (e(E09_active_caseload=200, E10_specialist_fte=4.0), "EX06_caseload_per_specialist"),
        "intake_unlike_population": (
            [ret("A", "A1-COM", "A1", "2025-26", context), *year_of("B", "A1-P1", "A1", women)],
            "BX02_intake_gender_vs_population",
        ),
        "intake_more_qualified": (
            [ret("A", "A1-COM", "A1", "2025-26", context), *year_of("B", "A1-P1", "A1", nvq)],
            "BX04_intake_nvq2_vs_population",
        ),
        "care_plans_low": (
            [
                ret(
                    "D",
                    "A1-P1",
                    "A1",
                    "2025-26",
                    {"D02_audited_caseload": 400, "D06_care_plan_employment.numerator": 20},
                )
            ],
            "D06_care_plan_employment",
        ),
    }


def test_every_question_fires_on_what_the_calculation_says(catalogue, registry):
    """data/questions.yaml triggers on verdict codes of the published comparison: each question
    fires on the rows of returns made to raise it."""
    questions = {  # raised by verdicts (the others by a missing return: tests/test_site_build.py)
        q.id: q for q in parse_questions((ROOT / QUESTIONS_YAML).read_text(encoding="utf-8")) if not q.on
    }
    cases = _question_cases()
    ratings = {
        k: 1
        for s in specs(catalogue)
        if s.indicator_id == "CX01_fidelity_rating_profile"
        for k in s.numerator
    }
    cases["fidelity_low"] = ([ret("C", "A1-P1", "A1", "2025-26", ratings)], "CX01_fidelity_rating_profile")
    assert set(cases) == set(questions), "a question without a case here, or a case without its question"
    for qid, (returns, indicator) in cases.items():
        q = questions[qid]
        assert q.about(indicator), qid
        rows = [r for r in calculate(returns, catalogue, registry) if r["indicator_id"] == indicator]
        areas = [r for r in rows if r["level"] != "all areas"]
        said = sorted({str(r["comparison_target_code"]) for r in areas})
        assert any(q.fires(Row.of(r)) for r in areas), f"{qid}: {sorted(q.when)} not in {said[:6]}"
