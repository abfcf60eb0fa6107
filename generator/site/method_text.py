"""An indicator's method in words, for its page: the unit, the inputs, the scale, the
interval, the comparison and the disclosure control.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.calc import stats
from generator.calc.specs import Spec
from generator.catalogue.sections import Catalogue

UNIT_TEXT = {
    "percent": "percentage",
    "count": "number of people (or of things counted)",
    "gbp": "pounds sterling",
    "number": "number",
    "score": "score",
    "ratio": "ratio",
    "yes/no": "yes or no",
    "category": "one answer from a list",
}


def inputs(cat: Catalogue, keys: Sequence[str]) -> str:
    """Input keys (``E05_job_outcomes``, ``B01_x.numerator:cat``) as the items' titles."""
    out: dict[str, None] = {}
    for k in keys:
        head, _, category = k.partition(":")
        item_id, _, part = head.partition(".")
        it = cat.item_index.get(item_id)
        if it is None:
            out[k] = None
            continue
        label = {"numerator": it.numerator, "denominator": it.denominator}.get(part)
        text = f"{it.name} ({item_id})"
        if part and label is not None and label.label:
            text = f"{label.label} ({item_id}, {part})"
        out[text if not category else f"{text}, by category"] = None
    return "; ".join(out)


def scale_text(cat: Catalogue, item: Any) -> str:
    scale = cat.scales.get(item.scale) if item is not None and item.scale else None
    if scale is None or scale.kind != "rating":
        return ""
    return "; ".join(f"{p.value} = {p.label}" for p in scale.points)


def ci_text(s: Spec) -> str:
    if s.method == "event_rate":
        return (
            f"Poisson limits on the events (exact below {stats.EXACT_BELOW}, Byar's method from there) "
            "over the people, 95% and 99.8%"
        )
    if s.method == "cost_per_outcome":
        return "the money over the Poisson limits of the outcomes, 95% and 99.8%"
    if s.unit == "percent" and s.method in ("proportion", "profile"):
        return "Wilson score interval, 95% and 99.8%"
    if s.method.startswith("swemwbs"):
        return "normal-theory interval for a mean, 95% and 99.8%"
    return "none: the value is not an estimate from a sample of people, so it has no interval"


def comparison_text(s: Spec, judged: bool) -> str:
    """How the indicator is compared; ``judged``: whether any published row is judged against a
    target (a figure for one service, or for a support model a section does not record, may
    apply to none)."""
    if s.unit in ("yes/no", "category"):
        return "not compared: an answer, not a measure"
    base = (
        "against each target and benchmark below, and against the all-areas value"
        if judged
        else "against the all-areas value; the figures below are shown for context, as none applies "
        "to a published value (see Methods)"
        if s.benchmarks
        else "against the all-areas value"
    )
    if (s.unit == "percent" and s.method != "given") or s.method.startswith(("swemwbs", "cost_per")):
        return f"{base}: better or worse only when the 95% interval excludes it (see Methods)"
    return f"{base}, as plain values (no interval)"


def disclosure_text(s: Spec) -> str:
    if s.unit == "percent":
        return "suppressed when the numerator or denominator is 1-4 people; counts rounded to 5"
    if s.unit == "count":
        return "1-4 suppressed; other counts rounded to the nearest 5 (below national level)"
    if s.unit in ("gbp", "ratio", "score") or s.method.startswith("swemwbs"):
        return "suppressed when it rests on fewer than 5 people"
    return "shown as returned: not a count of people"


def caveat(s: Spec) -> str:
    if s.unit == "score" and s.method != "swemwbs_change":
        return "Ratings are the provider's own assessment."
    if s.unit == "gbp":
        return "Costs depend on what each provider includes (overheads, management); compare with care."
    return ""
