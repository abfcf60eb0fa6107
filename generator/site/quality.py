"""An area's data quality: returns received, late or missing, what was not collected, the
corroboration of ratings and the providers' approved comments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from generator.site.context import Context
from generator.site.markup import FIGURES_OPEN, STACK_CLOSE, esc


def quality_table(ctx: Context, area: str) -> list[str]:
    q = [x for x in ctx.quality if x["area_code"] == area]
    by = defaultdict(list)
    for x in q:
        by[(x["section"])].append(x)
    lines = [
        FIGURES_OPEN,
        "",
        "| Section | Returns received | Missing | Arrived after the due date | Resubmitted | Warnings |",
        "|---|---|---|---|---|---|",
    ]
    for letter in sorted(by):
        xs = by[letter]
        late = [x for x in xs if x["status"] != "missing" and x.get("late") == "yes"]
        lines.append(
            f"| {letter} {esc(ctx.catalogue.sections[letter].title)} | "
            f"{sum(x['status'] != 'missing' for x in xs)} of {len(xs)} | "
            f"{esc(', '.join(x['period'] for x in xs if x['status'] == 'missing')) or 'none'} | "
            + (
                esc(", ".join(f"{x['period']} (due {x['due']}, received {x['received']})" for x in late))
                or "none"
            )
            + f" | {sum(x['status'] == 'resubmitted' for x in xs)} | {sum(int(x['warnings']) for x in xs)} |"
        )
    return [*lines, "", STACK_CLOSE, "", *_not_collected(ctx, q), *_comments(q)]


def corroboration(ctx: Context, area: str, period: str) -> list[str]:
    """What the ratings rest on besides the provider's own view (001 asks for independent
    corroboration), or that the return did not say."""
    item = ctx.presentation.ratings_corroboration
    if item is None:
        return []
    rows = [r for r in ctx.area_latest[area].get(item, []) if r.period == period]
    if rows and rows[0].value_label:
        return [
            f"**Independent corroboration of these ratings ({esc(period)}):** {esc(rows[0].value_label)}.",
            "",
        ]
    if rows:  # several providers with different answers
        return [
            f"**Independent corroboration of these ratings ({esc(period)}):** differs between providers.",
            "",
        ]
    return [
        f"**Independent corroboration of these ratings ({esc(period)}):** not collected "
        "(the return was made before the template asked).",
        "",
    ]


def _not_collected(ctx: Context, q: Sequence[Mapping[str, Any]]) -> list[str]:
    """What returns did not collect, said as such (a blank here is never a zero): items a
    return's answer turned off, and items its template version did not have yet."""
    periods_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for x in q:
        for item_id in str(x.get("not_collected") or "").split():
            periods_of[(str(x["section"]), item_id)].append(f"{x['period']} ({x['organisation_code']})")
    if not periods_of:
        return []
    out = ["**Not collected** (shown as not collected, never as zero):", ""]
    for (letter, item_id), when in sorted(periods_of.items()):
        item = ctx.catalogue.item_index[item_id]
        out.append(f"- {esc(item.name)} ({esc(item_id)}, Section {letter}): {esc(', '.join(when))}")
    return [*out, ""]


def _comments(q: Sequence[Mapping[str, Any]]) -> list[str]:
    """The caveats organisations wrote, once the analyst approved them for publication (nothing
    is said of those not approved: that one exists is not the public's business)."""
    shown = [x for x in q if x.get("comment")]
    if not shown:
        return []
    out = ["**Comments from the organisations** (published once the analyst has read and approved them):", ""]
    for x in sorted(shown, key=lambda x: (x["section"], x["period"], x["organisation_code"])):
        out.append(
            f"- Section {esc(x['section'])}, {esc(x['period'])}, {esc(x['organisation_name'])}: "
            f"{esc(x['comment'])}"
        )
    return [*out, ""]
