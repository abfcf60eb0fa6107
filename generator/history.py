"""Values far from the same organisation's earlier returns (``kpi validate --store``).

A quarter's referrals ten times the usual is more often a typing slip (an extra 0, a year's
figure in a quarter's cell) than a real change; it is worth a question before it is stored. The
thresholds are catalogue data (``history:`` on an item, :class:`~generator.catalogue.HistoryCheck`);
this module compares a return read now with the returns a store holds. Warnings only: a real
change is a valid answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

from .catalogue import Catalogue
from .layout import RETURN_SHEET, build_layout
from .problems import Problem, warning
from .reader import ReadResult
from .rules import fmt


def _number(x: float) -> str:
    return fmt(round(x, 1))


def _money(x: float) -> str:
    return f"\u00a3{x:,.0f}"


def history_warnings(
    results: Sequence[ReadResult], stored: Iterable[Mapping[str, object]], catalogue: Catalogue
) -> None:
    """Add a ``far-from-earlier-returns`` warning to each readable result, for every item with a
    ``history`` threshold whose value it crosses against the organisation's earlier periods."""
    earlier: dict[tuple[str, str], list[tuple[str, Mapping[str, object]]]] = {}
    for r in stored:
        ident, values = r.get("identity"), r.get("values")
        if isinstance(ident, Mapping) and isinstance(values, Mapping):
            key = (str(ident.get("organisation_code")), str(r.get("section")))
            earlier.setdefault(key, []).append((str(ident.get("period")), values))
    for res in results:
        org, period = res.identity.get("organisation_code"), res.identity.get("period")
        if not res.section or not org or not period or not res.values:
            continue
        past = [(p, v) for p, v in earlier.get((org, res.section), []) if p < period]
        res.problems += _far(res, past, catalogue)


def _far(
    res: ReadResult, past: list[tuple[str, Mapping[str, object]]], catalogue: Catalogue
) -> list[Problem]:
    out = []
    layout = build_layout(catalogue.section(res.section or ""), catalogue)
    for cell in layout.input_cells:
        h = cell.item.history
        value = res.values.get(cell.key)
        if h is None or not isinstance(value, int | float) or isinstance(value, bool):
            continue
        by_period: dict[str, list[float]] = {}
        for p, v in past:  # one figure per period, however many records hold it
            x = v.get(cell.key)
            if isinstance(x, int | float) and not isinstance(x, bool):
                by_period.setdefault(p, []).append(float(x))
        periods = sorted(by_period)[-h.periods :]
        if len(periods) < 2:
            continue  # too little history to call anything unusual
        usual = round(statistics.median(statistics.median(by_period[p]) for p in periods), 2)
        low, high = usual / h.factor, usual * h.factor
        if low <= value <= high or abs(value - usual) < h.at_least:
            continue
        show = _money if cell.item.value_type == "money" else _number
        span = f"{periods[0]} to {periods[-1]}"
        label = cell.item.title + (f" ({cell.category_label})" if cell.category_label else "")
        out.append(
            warning(
                "far-from-earlier-returns",
                f"{label}: {show(value)} is far from this organisation's earlier returns (their median "
                f"is {show(usual)}, over {len(periods)} periods, {span}). Check it is for this period "
                "alone, with no digit added or left out; if it is right, nothing needs doing.",
                file=res.file,
                sheet=RETURN_SHEET,
                cell=cell.ref,
                item_id=cell.item.id,
                found=show(value),
                expected=f"from {show(low)} to {show(high)}, or within {show(h.at_least)} of {show(usual)}",
            )
        )
    return out
