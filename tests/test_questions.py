"""The questions to ask on area pages (data/questions.yaml): a code, indicator or trigger that
does not exist stops the build before anything is written, and every question fires on what the
calculation says and on some row of the demo."""

from __future__ import annotations

import re

import pytest

from generator.calc.indicators import calculate
from generator.calc.row import Row
from generator.calc.specs import specs
from generator.catalogue.registry import load_registry
from generator.site.questions import QUESTIONS_YAML, QuestionsError
from generator.site.questions import parse as parse_questions

from .builders import calc_registry, ret, year_of
from .conftest import ROOT


@pytest.fixture
def registry():
    return calc_registry()


def _questions_with(old: str, new: str) -> str:
    text = (ROOT / QUESTIONS_YAML).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_a_question_with_an_unknown_code_or_indicator_stops_with_its_name(catalogue):
    ids = {s.indicator_id for s in specs(catalogue)}
    cases = {
        "when: above_the_band": "'above_the_band' is not a code of a judgement against the targets",
        'when: "significantly above the band"': "is not a code",  # words are not codes
        "when: [above_band, better]": "'better' is not a code",  # a code of another column
        "when: 7": "'when' must be a verdict code",
    }
    for new, message in cases.items():
        with pytest.raises(QuestionsError, match=rf"question 'cost_high': .*{re.escape(message)}"):
            parse_questions(_questions_with("when: above_band", new), indicators=ids)
    typo = _questions_with("indicator: EX04_cost_per_job_outcome", "indicator: EX04_cost_per_job")
    with pytest.raises(
        QuestionsError, match="'cost_high': no indicator 'EX04_cost_per_job' in the catalogue"
    ):
        parse_questions(typo, indicators=ids)
    prefix = _questions_with("indicator_prefix: BX0", "indicator_prefix: BXO")
    with pytest.raises(QuestionsError, match="no indicator in the catalogue starts with 'BXO'"):
        parse_questions(prefix, indicators=ids)
    every = parse_questions((ROOT / QUESTIONS_YAML).read_text(encoding="utf-8"), indicators=ids)
    assert (len(every), [q.on for q in every if q.on]) == (11, ["missing_return"])
    # raised by a missing return: nothing else, and only what the site knows how to raise
    missing = _questions_with("when: above_band", "raised_by: lost_in_the_post")
    with pytest.raises(QuestionsError, match="'raised_by' must be one of: missing_return"):
        parse_questions(missing, indicators=ids)


def test_a_bad_question_stops_the_build_before_anything_is_written(catalogue, tmp_path, monkeypatch):
    """`kpi build` and `kpi demo` check questions.yaml first: one line, no dataset written."""
    from generator.site import questions
    from generator.site.build import BuildError, build_site
    from generator.store.returns import Store

    bad = tmp_path / "questions.yaml"
    bad.write_text(_questions_with("when: above_band", "when: above_bnad"), encoding="utf-8")
    monkeypatch.setattr(questions, "QUESTIONS_YAML", bad)
    Store(tmp_path / "store")
    with pytest.raises(BuildError, match="above_bnad"):
        build_site(tmp_path / "store", catalogue, load_registry(), tmp_path / "dataset", run_mkdocs=False)
    assert not (tmp_path / "dataset").exists()


def test_every_question_fires_on_at_least_one_demo_row(demo_rows):
    """A question whose code the demo never reaches could have a trigger that nothing can meet
    (issue 18): each is raised by some area's row of the demo's ten-site subset."""
    questions = [q for q in parse_questions((ROOT / QUESTIONS_YAML).read_text(encoding="utf-8")) if not q.on]
    areas = [r for r in demo_rows if r["level"] == "area"]
    silent = [q.id for q in questions if not any(q.fires(Row.of(r)) for r in areas)]
    assert not silent, f"questions no demo row raises: {silent}"


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
    questions = {  # raised by verdicts (the others by a missing return: tests/test_area.py)
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
