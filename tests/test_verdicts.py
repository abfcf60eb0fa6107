"""Verdicts are codes with their words in one table: the dataset's words are the codes' words
(issue 18, item 10)."""

from __future__ import annotations

import re
from collections import Counter

from generator.base.cache import package_imports
from generator.calc import stats, trends, verdicts
from generator.calc.verdicts import Basis, Verdict


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


def test_the_caches_know_the_verdicts_words():
    """A cached dataset or chart is keyed by the code that makes it, imports included: a
    reworded verdict is never served from the cache."""
    assert "generator.calc.verdicts" in package_imports(["generator.publish.dataset"])
    assert "generator.calc.verdicts" in package_imports(["generator.charts.plans"])
    assert "generator.catalogue.model" in package_imports(["generator.intake.reader"])


def test_every_code_belongs_to_a_column():
    groups = {*verdicts.ALL_AREAS, *verdicts.TARGET, *verdicts.FUNNEL, *verdicts.TREND}
    assert groups | {Verdict.CONTEXT_ONLY} == set(Verdict)  # context only: never published


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
