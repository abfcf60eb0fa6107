"""An indicator's definition, as its page opens: what is counted, by whom, how often, how it is
worked out and judged, and the source's words; then the targets and benchmarks it is held to.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.calc.evaluate import METHODS
from generator.calc.judgements import target_text
from generator.calc.specs import Spec
from generator.site.context import Context
from generator.site.markup import esc
from generator.site.method_text import (
    UNIT_TEXT,
    caveat,
    ci_text,
    comparison_text,
    disclosure_text,
    inputs,
    scale_text,
)


def definition(ctx: Context, ind: str, sp: Sequence[Spec], s0: Spec) -> list[str]:
    """The "Definition" table of indicator ``ind`` (``sp``: its specs; ``s0``: the one it is
    judged on) and its "Targets and benchmarks" list, as Markdown lines."""
    cat = ctx.catalogue
    item = cat.item_index.get(ind)
    derived = next((d for sec in cat.sections.values() for d in sec.derived if d.id == ind), None)
    src = item.source if item else derived.source if derived else None
    frequency = cat.sections[s0.section].frequency
    # a quarterly count is published below the level of all areas as 12-month sums, so the
    # definition's "in the quarter" is said to be about each return, not the figures shown
    rolling = frequency == "quarterly" and any(
        str(r.period).startswith("12 months") for r in ctx.by_indicator[ind]
    )
    each = " (each quarter's return)" if rolling else ""
    rows = [
        ("Definition", item.definition if item else derived.definition if derived else ""),
        ("Question (source wording)", item.question if item else ""),
        (
            f"Numerator{each}",  # a value with no denominator (a count, a rating) is simply the value
            ((item.numerator.label if item and item.numerator else "") or inputs(cat, s0.numerator))
            if s0.denominator or (item and item.denominator)
            else "",
        ),
        (
            f"Denominator{each}",
            (item.denominator.label or inputs(cat, (item.denominator.item or "",)))
            if item and item.denominator
            else inputs(cat, s0.denominator),
        ),
        ("Data source", item.data_source if item else "calculated from the items named above"),
        ("Who collects it", cat.sections[s0.section].completed_by_text),
        (
            "How often",
            f"{frequency} returns; published as the 12 months to each quarter (four quarters' "
            "counts added), and quarter by quarter for all areas only"
            if rolling
            else frequency,
        ),
        ("Unit", UNIT_TEXT.get(s0.unit, s0.unit)),
        ("Better if", {"higher_better": "higher", "lower_better": "lower"}.get(s0.polarity, "no judgement")),
        ("Method", METHODS[s0.method].words if s0.method in METHODS else s0.method),
        ("Rating scale", scale_text(cat, item)),
        ("Confidence interval", ci_text(s0)),
        ("Comparison", comparison_text(s0, any(r.comparison_target_code for r in ctx.by_indicator[ind]))),
        ("Disclosure rule", disclosure_text(s0)),
        (
            "Caveats",
            " ".join(x for x in (item.note if item else derived.note if derived else "", caveat(s0)) if x),
        ),
        (
            "Source",
            f"[{src.document}] {cat.documents[src.document].title}, {src.section}: \u201c{src.passage}\u201d"
            if src
            else "",
        ),
    ]
    lines = ["## Definition", "", "| About this indicator | |", "|---|---|"]
    lines += [f"| {esc(k)} | {esc(v)} |" for k, v in rows if v]
    targets = sorted({target_text(b) for s in sp for b in s.benchmarks})
    if targets:
        lines += ["", "## Targets and benchmarks", "", *[f"- {esc(b)}" for b in targets]]
    return lines
