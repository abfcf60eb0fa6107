"""Verdicts are codes with their words in one table: the dataset's words are the codes' words,
and every question to ask fires on a row of the demo (issue 18, item 10)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from generator.base.cache import package_imports
from generator.calc import stats, trends, verdicts
from generator.calc.row import Row
from generator.calc.specs import specs
from generator.calc.verdicts import Basis, Verdict
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset
from generator.site.questions import QUESTIONS_YAML, QuestionsError
from generator.site.questions import parse as parse_questions

from .conftest import ROOT


def test_every_code_has_words_and_is_a_plain_name():
    assert set(verdicts.WORDS) == set(Verdict)
    assert all(re.fullmatch(r"[a-z0-9_]+", v.value) for v in Verdict)
    assert len({v.value for v in Verdict}) == len(Verdict)
    assert len(set(verdicts.WORDS.values())) == len(Verdict), "two codes share their words"
    for group in (verdicts.ALL_AREAS, verdicts.FUNNEL, verdicts.TREND):
        assert len(set(group)) == len(group)
    assert verdicts.parse(verdicts.join([Verdict.BELOW_TARGET, Verdict.NEAR_MAXIMUM])) == [
        Verdict.BELOW_TARGET,
        Verdict.NEAR_MAXIMUM,
    ]


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


def test_the_caches_know_the_verdicts_words():
    """A cached dataset or chart is keyed by the code that makes it, imports included: a
    reworded verdict is never served from the cache."""
    assert "generator.calc.verdicts" in package_imports(["generator.publish.dataset"])
    assert "generator.calc.verdicts" in package_imports(["generator.charts.plans"])
    assert "generator.catalogue.model" in package_imports(["generator.intake.reader"])


def test_every_code_belongs_to_a_column():
    groups = {*verdicts.ALL_AREAS, *verdicts.TARGET, *verdicts.FUNNEL, *verdicts.TREND}
    assert groups | {Verdict.CONTEXT_ONLY} == set(Verdict)  # context only: never published


@pytest.fixture(scope="module")
def demo_rows(funnel_demo) -> list[dict[str, Any]]:
    return build_dataset(funnel_demo.current_returns(), load_catalogue(), load_registry(), workers=2)


def test_the_published_words_are_the_codes_words(demo_rows):
    """Each verdict column's words are made from its code column (and nothing else)."""
    seen: Counter[str] = Counter()
    for r in demo_rows:
        code = r["comparison_all_areas_code"]
        basis = Basis(r["comparison_all_areas_basis"]) if r["comparison_all_areas_basis"] else None
        want = verdicts.with_basis(Verdict(code), basis) if code else ""
        assert r["comparison_all_areas"] == want, r
        funnel = r["comparison_funnel_code"]
        assert r["comparison_funnel"] == (verdicts.say(Verdict(funnel)) if funnel else ""), r
        trend = r["trend_code"]
        if trend == Verdict.TOO_FEW_PERIODS:
            have = int(re.search(r"\((\d) of the", r["trend"]).group(1))  # type: ignore[union-attr]
            assert r["trend"] == verdicts.say(
                Verdict.TOO_FEW_PERIODS, have=have, need=trends.MIN_TREND_PERIODS
            )
        else:
            assert r["trend"] == (verdicts.say(Verdict(trend)) if trend else ""), r
        codes = verdicts.parse(r["comparison_target_code"])
        assert set(codes) <= set(verdicts.TARGET), r
        assert (not code or code in verdicts.ALL_AREAS) and (not trend or trend in verdicts.TREND), r
        assert not funnel or funnel in verdicts.FUNNEL, r
        said = [s for s in str(r["comparison_target"] or "").split("; ") if s]
        assert len(said) == len(codes), r
        for words, c in zip(said, codes, strict=True):
            text = words.split(": ", 1)[1] if ": " in words and not words.startswith("look at") else words
            if c in stats.LOOK_AT_EDGE:
                edge = re.search(r"(below|above) ([\d.]+%?)", text).group(2)  # type: ignore[union-attr]
                assert text.endswith(verdicts.say(c, edge=edge)), (words, c)
            else:
                assert text.endswith(verdicts.say(c)), (words, c)
            seen[c] += 1
        seen[code] += 1
        seen[funnel] += 1
        seen[trend] += 1
    # the check above has covered the common codes of every column
    for c in (
        Verdict.BETTER,
        Verdict.WORSE,
        Verdict.SIMILAR,
        Verdict.TOO_FEW_PEOPLE,
        Verdict.FUNNEL_WITHIN,
        Verdict.TOO_FEW_PERIODS,
        Verdict.NOT_TESTED,
        Verdict.BELOW_TARGET,
        Verdict.LOOK_AT_BELOW,
    ):
        assert seen[c] > 0, c


def test_every_question_fires_on_at_least_one_demo_row(demo_rows):
    """A question whose code the demo never reaches could have a trigger that nothing can meet
    (issue 18): each is raised by some area's row of the demo's ten-site subset."""
    questions = [q for q in parse_questions((ROOT / QUESTIONS_YAML).read_text(encoding="utf-8")) if not q.on]
    areas = [r for r in demo_rows if r["level"] == "area"]
    silent = [q.id for q in questions if not any(q.fires(Row.of(r)) for r in areas)]
    assert not silent, f"questions no demo row raises: {silent}"
