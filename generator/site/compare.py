"""Every area of an indicator side by side, best first: its rank, value, interval, comparison with
all areas and verdicts against the sources' targets, each beside the figure it used. The order
is in the HTML itself (a reader without JavaScript sees the ranking); a small script lets a
reader sort by any column.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.base.names import slug
from generator.calc import disclosure
from generator.calc.row import Row
from generator.calc.specs import Spec
from generator.site.context import Context
from generator.site.hooks import html_block
from generator.site.markup import (
    TO_GENERATED,
    esc,
    hesc,
    num,
    show_text,
    target_verdicts,
    verdict_beside,
)
from generator.site.parts import gap_reason, interval_text

SORTABLE = "kpi-sortable"  # the class of a block whose table a reader may sort (assets/extra.js)
TARGET_HEADS = {"local_population": "the local population", "scale_middle": "the scale's middle"}
ORDER_WORDS = {
    "higher_better": "highest first, as higher is better",
    "lower_better": "lowest first, as lower is better",
}


def ranked(rows: Sequence[Row], polarity: str) -> list[Row]:
    """Areas in rank order (1 = best, ties together, by name), then those without a rank: with a
    value before without, each by value, best first (highest first where no direction is
    better), then by name. With no rank at all (too few people everywhere), simply by value."""
    sign = 1.0 if polarity == "lower_better" else -1.0
    return sorted(
        rows,
        key=lambda r: (
            r.rank is None,
            r.rank or 0,
            num(r.value) is None,
            sign * (num(r.value) or 0.0),
            str(r.area_name),
        ),
    )


def why_unranked(r: Row) -> str:
    """Why an area of a ranked indicator has no rank, in the notes' words."""
    if num(r.value) is None:
        return gap_reason(r)
    if "partial" in str(r.flags or "").split(";"):
        return "partial: not ranked"
    return f"fewer than {disclosure.MIN_JUDGED} people: not ranked"


def compare_table(ctx: Context, ind: str, main: Spec, period: str, rows: Sequence[Row]) -> list[str]:
    """The "Areas ranked" section of an indicator page, for its charted category (``main``) in
    ``period``; ``rows``: the areas' rows. Nothing below the minimum for a verdict has a rank
    (the dataset gives none), and such an area is listed after the ranked ones, saying why."""
    if not rows or all(num(r.value) is None for r in rows):
        return []
    order = ranked(rows, main.polarity)
    any_rank = any(r.rank is not None for r in order)
    labels = ctx.benchmark_labels(ind)
    # a column for each target or benchmark, named once in its heading; each cell its verdict
    # with the figure it used (the local population's differs from area to area)
    verdicts_of = [{t.against: t for t in target_verdicts(r, labels)} for r in order]
    against = list(dict.fromkeys(a for v in verdicts_of for a in v))
    body = []
    for r, mine in zip(order, verdicts_of, strict=True):
        cells = [hesc(r.rank if r.rank is not None else "")] if any_rank else []
        cells += [
            f'<a href="{TO_GENERATED}areas/{slug(str(r.area_code))}/">{hesc(r.area_name)}</a>',
            hesc(show_text(r.value, main.unit)) if num(r.value) is not None else "",
            hesc(interval_text(num(r.lower_95), num(r.upper_95), main.unit, plain=True)),
            verdict_beside(r),  # with the all-areas figure it used, in the same row
            *(mine[a].html() if a in mine else "" for a in against),
            hesc(why_unranked(r) if any_rank and r.rank is None else str(r.flags or "").replace(";", ", ")),
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = (["Rank"] if any_rank else []) + ["Area", "Value", "95% interval"]
    header += ["Compared with all areas"]
    # a label's words before its colon name whose figure it is ("Best practice sites")
    header += [f"Against {TARGET_HEADS.get(a) or labels.get(a, a).split(':')[0]}" for a in against]
    header += ["Notes"]
    head = "".join(f'<th scope="col">{hesc(h)}</th>' for h in header)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    how = ORDER_WORDS.get(
        main.polarity, "highest first; neither higher nor lower is better, so no area is ranked"
    )
    words = (
        f"Every area in {esc(period)}, {how}. An area resting on fewer than {disclosure.MIN_JUDGED} "
        "people, or on a year short of returns, has no rank and follows the ranked ones."
    )
    hint = '<p class="kpi-sort-hint" hidden>Choose a column&#x27;s heading to sort the table by it.</p>'

    return [
        "",
        f"## Areas ranked ({esc(period)}) {{#ranked}}",
        "",
        words,
        *html_block(
            f"ranked-{slug(ind)}",
            f'<div class="kpi-stack {SORTABLE}" data-search-exclude>{hint}{table}</div>',
        ),
    ]
