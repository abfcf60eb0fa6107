"""Verdicts are codes with their words in one table: the dataset's words are the codes' words,
and every question to ask fires on a row of the demo (issue 18, item 10)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from generator import stats, verdicts
from generator.catalogue import load_catalogue
from generator.publish import build_dataset
from generator.questions import parse as parse_questions
from generator.registry import load_registry
from generator.site import QUESTIONS_YAML
from generator.verdicts import Basis, Verdict


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


def test_a_question_with_an_unknown_code_stops_with_its_name():
    text = QUESTIONS_YAML.read_text(encoding="utf-8").replace("when: above_band", "when: above_the_band", 1)
    with pytest.raises(ValueError, match=r"cost_high.*'above_the_band' is not a verdict code"):
        parse_questions(text)
    # the words of a verdict are not a code
    text = QUESTIONS_YAML.read_text(encoding="utf-8").replace("when: above_band", 'when: "above the band"', 1)
    with pytest.raises(ValueError, match="cost_high"):
        parse_questions(text)


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
                Verdict.TOO_FEW_PERIODS, have=have, need=stats.MIN_TREND_PERIODS
            )
        else:
            assert r["trend"] == (verdicts.say(Verdict(trend)) if trend else ""), r
        codes = verdicts.parse(r["comparison_target_code"])
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
    questions = parse_questions(QUESTIONS_YAML.read_text(encoding="utf-8"))
    areas = [r for r in demo_rows if r["level"] == "area"]
    silent = [q.id for q in questions if not any(q.fires(r) for r in areas)]
    assert not silent, f"questions no demo row raises: {silent}"
