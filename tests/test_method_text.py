"""An indicator's method in words on its page: its inputs by name, the interval its method has,
how it is compared and how small numbers are kept out, each as the method really is."""

from __future__ import annotations

import pytest

from generator.calc import stats
from generator.calc.specs import Spec, specs
from generator.site import method_text as mt


@pytest.fixture
def spec(catalogue):
    every = specs(catalogue)

    def first(indicator: str = "", unit: str = "", method: str = "") -> Spec:
        return next(
            s
            for s in every
            if (not indicator or s.indicator_id == indicator)
            and (not unit or s.unit == unit)
            and (not method or s.method == method)
        )

    return first


def test_inputs_are_named_by_their_items_each_once(catalogue):
    e05, b03 = catalogue.item_index["E05_job_outcomes"], catalogue.item_index["B03_gender"]
    assert b03.numerator is not None and b03.numerator.label
    text = mt.inputs(
        catalogue, ["E05_job_outcomes", "B03_gender.numerator:female", "B03_gender.numerator:male"]
    )
    assert (
        text == f"{e05.name} (E05_job_outcomes); {b03.numerator.label} (B03_gender, numerator), by category"
    )
    assert mt.inputs(catalogue, ["no_such_item"]) == "no_such_item"  # shown as it is, not dropped


def test_the_interval_described_is_the_one_the_method_has(spec):
    assert mt.ci_text(spec("EX02_job_outcome_rate")).startswith(
        f"Poisson limits on the events (exact below {stats.EXACT_BELOW}"
    )  # events among people: can pass 100%
    assert mt.ci_text(spec("EX01_access_rate")) == "Wilson score interval, 95% and 99.8%"
    assert "money over the Poisson limits of the outcomes" in mt.ci_text(spec("EX04_cost_per_job_outcome"))
    assert mt.ci_text(spec(method="swemwbs_change")).startswith("normal-theory interval for a mean")
    assert mt.ci_text(spec(unit="count", method="sum")).startswith("none: ")


def test_a_comparison_is_by_interval_only_where_there_is_one(spec):
    rate = spec("EX02_job_outcome_rate")
    assert rate.benchmarks
    judged = mt.comparison_text(rate, judged=True)
    assert judged.startswith("against each target and benchmark below, and against the all-areas value")
    assert judged.endswith("better or worse only when the 95% interval excludes it (see Methods)")
    assert "shown for context, as none applies" in mt.comparison_text(rate, judged=False)
    plain = spec(unit="ratio")
    assert mt.comparison_text(plain, judged=False).endswith(", as plain values (no interval)")
    assert mt.comparison_text(spec(unit="category"), judged=True) == "not compared: an answer, not a measure"


def test_disclosure_and_caveats_follow_the_unit(spec):
    assert mt.disclosure_text(spec("EX01_access_rate")).startswith(
        "suppressed when the numerator or denominator"
    )
    assert mt.disclosure_text(spec(unit="count")).startswith("1-4 suppressed")
    assert (
        mt.disclosure_text(spec("EX04_cost_per_job_outcome"))
        == "suppressed when it rests on fewer than 5 people"
    )
    assert mt.disclosure_text(spec(unit="yes/no")) == "shown as returned: not a count of people"
    assert mt.caveat(spec("EX04_cost_per_job_outcome")).startswith(
        "Costs depend on what each provider includes"
    )
    assert mt.caveat(spec(unit="score", method="mean")) == "Ratings are the provider's own assessment."
    assert mt.caveat(spec("EX01_access_rate")) == ""
