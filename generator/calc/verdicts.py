"""Verdicts as typed codes, and their wording in one table.

Every judgement the calculations make (against all areas, a target, the funnel, over time) is a
:class:`Verdict`. The dataset publishes the code beside the words, and the site, the charts and
the "questions to ask" act on the code, so rewording a verdict is a change to :data:`WORDS` and
nothing else. The words a reader sees are always made here, by :func:`say`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from generator.calc import disclosure


class Verdict(StrEnum):
    """A judgement, by code (published in the ``*_code`` columns of the dataset)."""

    # -- against all areas (and any plain comparison) --
    BETTER = "better"
    WORSE = "worse"
    HIGHER = "higher"  # no better or worse for this indicator
    LOWER = "lower"
    SIMILAR = "similar"  # not significantly different
    EQUAL = "equal"  # a plain value, the same as the one it is compared with
    # -- not judged, and why --
    NOT_ASSESSED = "not_assessed"
    TOO_FEW_PEOPLE = "too_few_people"
    PARTIAL_WINDOW = "partial_window"
    # -- against a target or benchmark from the source documents --
    MEETS_TARGET = "meets_target"
    BELOW_TARGET = "below_target"
    NEAR_TARGET = "near_target"
    WITHIN_MAXIMUM = "within_maximum"
    ABOVE_MAXIMUM = "above_maximum"
    NEAR_MAXIMUM = "near_maximum"
    LOOK_AT_BELOW = "look_at_below"
    LOOK_AT_BELOW_MAYBE_CHANCE = "look_at_below_maybe_chance"
    LOOK_AT_ABOVE = "look_at_above"
    LOOK_AT_ABOVE_MAYBE_CHANCE = "look_at_above_maybe_chance"
    LOOK_AT_WITHIN = "look_at_within"
    LOOK_AT_WITHIN_NEAR_EDGE = "look_at_within_near_edge"
    BELOW_RANGE = "below_range"
    ABOVE_RANGE = "above_range"
    WITHIN_RANGE = "within_range"
    NEAR_RANGE_EDGE = "near_range_edge"
    ABOVE_BAND = "above_band"
    BELOW_BAND = "below_band"
    WITHIN_BAND = "within_band"
    ABOVE_REFERENCE = "above_reference"
    BELOW_REFERENCE = "below_reference"
    AT_REFERENCE = "at_reference"
    SIMILAR_TO_REFERENCE = "similar_to_reference"
    CONTEXT_ONLY = "context_only"
    OVER_REPRESENTED = "over_represented"
    UNDER_REPRESENTED = "under_represented"
    SIMILAR_TO_POPULATION = "similar_to_population"
    LOWER_HALF_OF_SCALE = "lower_half_of_scale"
    UPPER_HALF_OF_SCALE = "upper_half_of_scale"
    # -- against the funnel limits --
    FUNNEL_ABOVE_998 = "funnel_above_998"
    FUNNEL_ABOVE_95 = "funnel_above_95"
    FUNNEL_WITHIN = "funnel_within"
    FUNNEL_BELOW_95 = "funnel_below_95"
    FUNNEL_BELOW_998 = "funnel_below_998"
    # -- over time --
    INCREASING = "increasing"
    DECREASING = "decreasing"
    IMPROVING = "improving"
    GETTING_WORSE = "getting_worse"
    NO_CHANGE = "no_change"
    TOO_FEW_PERIODS = "too_few_periods"
    NOT_TESTED = "not_tested"
    SEE_QUARTERS = "see_quarters"


class Basis(StrEnum):
    """What a comparison with all areas rests on (``comparison_all_areas_basis``)."""

    INTERVAL_998 = "interval_998"
    INTERVAL_95 = "interval_95"
    COUNT_RANGE = "count_range"  # the range of true counts the rounded ones stand for
    NO_INTERVAL = "no_interval"  # a plain value: money, a ratio, a rating


V = Verdict
# The words of every verdict. ``{edge}`` (a look-at limit), ``{have}`` and ``{need}`` (periods)
# are filled in by say(); nothing else in the package words a verdict.
WORDS: dict[Verdict, str] = {
    V.BETTER: "better",
    V.WORSE: "worse",
    V.HIGHER: "higher",
    V.LOWER: "lower",
    V.SIMILAR: "not significantly different",
    V.EQUAL: "equal",
    V.NOT_ASSESSED: "not assessed",
    V.TOO_FEW_PEOPLE: f"not assessed (fewer than {disclosure.MIN_JUDGED} people)",
    V.PARTIAL_WINDOW: "not assessed (partial window: quarters missing)",
    V.MEETS_TARGET: "meets the target",
    V.BELOW_TARGET: "below the target",
    V.NEAR_TARGET: "not significantly different from the target",
    V.WITHIN_MAXIMUM: "within the maximum",
    V.ABOVE_MAXIMUM: "above the maximum",
    V.NEAR_MAXIMUM: "not significantly different from the maximum",
    V.LOOK_AT_BELOW: "look at: below {edge}",
    V.LOOK_AT_BELOW_MAYBE_CHANCE: "look at: below {edge} (the 95% interval reaches {edge}: may be chance)",
    V.LOOK_AT_ABOVE: "look at: above {edge}",
    V.LOOK_AT_ABOVE_MAYBE_CHANCE: "look at: above {edge} (the 95% interval reaches {edge}: may be chance)",
    V.LOOK_AT_WITHIN: "inside the look-at limits",
    V.LOOK_AT_WITHIN_NEAR_EDGE: "inside the look-at limits, near one of them",
    V.BELOW_RANGE: "below the range",
    V.ABOVE_RANGE: "above the range",
    V.WITHIN_RANGE: "within the range",
    V.NEAR_RANGE_EDGE: "not significantly different from the range edge",
    V.ABOVE_BAND: "significantly above the band",
    V.BELOW_BAND: "significantly below the band",
    V.WITHIN_BAND: "within or close to the band",
    V.ABOVE_REFERENCE: "above the reference",
    V.BELOW_REFERENCE: "below the reference",
    V.AT_REFERENCE: "at the reference",
    V.SIMILAR_TO_REFERENCE: "similar to the reference",
    V.CONTEXT_ONLY: "shown for context",
    V.OVER_REPRESENTED: "over-represented compared with the local population",
    V.UNDER_REPRESENTED: "under-represented compared with the local population",
    V.SIMILAR_TO_POPULATION: "similar to the local population",
    V.LOWER_HALF_OF_SCALE: "in the lower half of the scale",
    V.UPPER_HALF_OF_SCALE: "in the upper half of the scale",
    V.FUNNEL_ABOVE_998: "above the 99.8% limit",
    V.FUNNEL_ABOVE_95: "above the 95% limit",
    V.FUNNEL_WITHIN: "within the limits",
    V.FUNNEL_BELOW_95: "below the 95% limit",
    V.FUNNEL_BELOW_998: "below the 99.8% limit",
    V.INCREASING: "increasing",
    V.DECREASING: "decreasing",
    V.IMPROVING: "improving",
    V.GETTING_WORSE: "getting worse",
    V.NO_CHANGE: "no significant change",
    V.TOO_FEW_PERIODS: "not enough periods that do not overlap ({have} of the {need} needed)",
    V.NOT_TESTED: "not tested (no trend method for this kind of value)",
    V.SEE_QUARTERS: "see the quarterly values",
}
BASIS_WORDS: dict[Basis, str] = {
    Basis.INTERVAL_998: "99.8%",
    Basis.INTERVAL_95: "95%",
    Basis.COUNT_RANGE: "range of the rounded counts",
    Basis.NO_INTERVAL: "no interval",
}
# How the site and the charts show a comparison with all areas: a shape beside the word, so
# colour is never the only signal, and a tint class.
SHAPES: dict[Verdict, str] = {V.BETTER: "▲ better", V.WORSE: "▼ worse", V.SIMILAR: "● similar"}
CSS_CLASS: dict[Verdict, str] = {V.BETTER: "kpi-better", V.WORSE: "kpi-worse", V.SIMILAR: "kpi-similar"}
# verdicts that are not judgements: nothing was compared, and the row says why
UNJUDGED = frozenset({V.NOT_ASSESSED, V.TOO_FEW_PEOPLE, V.PARTIAL_WINDOW, V.CONTEXT_ONLY})
FUNNEL_OUTSIDE_998 = frozenset({V.FUNNEL_ABOVE_998, V.FUNNEL_BELOW_998})

# the codes each column can hold (the data dictionary lists them)
ALL_AREAS = (
    V.BETTER,
    V.WORSE,
    V.SIMILAR,
    V.HIGHER,
    V.LOWER,
    V.EQUAL,
    V.TOO_FEW_PEOPLE,
    V.PARTIAL_WINDOW,
    V.NOT_ASSESSED,
)
TARGET = (  # comparison_target_code: against the sources' targets, the population, the scale
    V.MEETS_TARGET,
    V.BELOW_TARGET,
    V.NEAR_TARGET,
    V.WITHIN_MAXIMUM,
    V.ABOVE_MAXIMUM,
    V.NEAR_MAXIMUM,
    V.LOOK_AT_BELOW,
    V.LOOK_AT_BELOW_MAYBE_CHANCE,
    V.LOOK_AT_ABOVE,
    V.LOOK_AT_ABOVE_MAYBE_CHANCE,
    V.LOOK_AT_WITHIN,
    V.LOOK_AT_WITHIN_NEAR_EDGE,
    V.BELOW_RANGE,
    V.ABOVE_RANGE,
    V.WITHIN_RANGE,
    V.NEAR_RANGE_EDGE,
    V.ABOVE_BAND,
    V.BELOW_BAND,
    V.WITHIN_BAND,
    V.ABOVE_REFERENCE,
    V.BELOW_REFERENCE,
    V.AT_REFERENCE,
    V.SIMILAR_TO_REFERENCE,
    V.OVER_REPRESENTED,
    V.UNDER_REPRESENTED,
    V.SIMILAR_TO_POPULATION,
    V.LOWER_HALF_OF_SCALE,
    V.UPPER_HALF_OF_SCALE,
    V.TOO_FEW_PEOPLE,
    V.PARTIAL_WINDOW,
    V.NOT_ASSESSED,
)
FUNNEL = (V.FUNNEL_ABOVE_998, V.FUNNEL_ABOVE_95, V.FUNNEL_WITHIN, V.FUNNEL_BELOW_95, V.FUNNEL_BELOW_998)
TREND = (
    V.IMPROVING,
    V.GETTING_WORSE,
    V.INCREASING,
    V.DECREASING,
    V.NO_CHANGE,
    V.TOO_FEW_PERIODS,
    V.NOT_TESTED,
    V.SEE_QUARTERS,
)

SEP = ";"  # between the codes of a row's several target verdicts, in the order of its targets


def say(code: Verdict, **params: object) -> str:
    """A verdict's words, with its parameters filled in."""
    return WORDS[code].format(**params) if params else WORDS[code]


def with_basis(code: Verdict, basis: Basis | None) -> str:
    """A comparison with all areas in words: the verdict and what it rests on ("better (95%)");
    no basis is named for a similar value tested by interval, or for one not judged."""
    if basis is None or code in UNJUDGED or (code == V.SIMILAR and basis in _INTERVALS):
        return say(code)
    return f"{say(code)} ({BASIS_WORDS[basis]})"


_INTERVALS = frozenset({Basis.INTERVAL_95, Basis.INTERVAL_998})


def parse(codes: object) -> list[Verdict]:
    """The verdicts of a published code cell (one, or several joined by :data:`SEP`)."""
    return [Verdict(c) for c in str(codes or "").split(SEP) if c]


def join(codes: Iterable[Verdict]) -> str:
    return SEP.join(codes)


__all__ = [
    "ALL_AREAS",
    "BASIS_WORDS",
    "CSS_CLASS",
    "FUNNEL",
    "SHAPES",
    "TARGET",
    "TREND",
    "WORDS",
    "Basis",
    "Verdict",
    "join",
    "parse",
    "say",
    "with_basis",
]
