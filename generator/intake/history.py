"""Values far from the same organisation's earlier returns, or at odds with its return of
another section for the same period (``kpi validate --store``).

A quarter's referrals ten times the usual is more often a typing slip (an extra 0, a year's
figure in a quarter's cell) than a real change; it is worth a question before it is stored. The
thresholds are catalogue data (``history:`` on an item, :class:`~generator.catalogue.model.HistoryCheck`);
this module compares a return read now with the returns a store holds. Likewise a quarter's
referrals counted in Section E and in Section B (``across_returns:`` on an item,
:class:`~generator.catalogue.model.ReturnCheck`). Warnings only: a real change is a valid answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeGuard

from generator.catalogue.sections import Catalogue
from generator.intake.problems import Problem, warning
from generator.intake.reader import ReadResult
from generator.workbook.crosschecks import holds
from generator.workbook.layout import RETURN_SHEET, Layout, build_layout
from generator.workbook.rules import fmt


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
    for code, when, section, values in _records(stored):
        earlier.setdefault((code, section), []).append((when, values))
    for res in results:
        org, period = res.identity.get("organisation_code"), res.identity.get("period")
        if not res.section or not org or not period or not res.values:
            continue
        past = [(p, v) for p, v in earlier.get((org, res.section), []) if p < period]
        res.problems += _far(res, past, catalogue)


def _records(stored: Iterable[Mapping[str, object]]) -> Iterator[tuple[str, str, str, Mapping[str, object]]]:
    """(organisation, period, section, values) of each stored record that has them."""
    for r in stored:
        ident, values = r.get("identity"), r.get("values")
        if isinstance(ident, Mapping) and isinstance(values, Mapping):
            yield str(ident.get("organisation_code")), str(ident.get("period")), str(r.get("section")), values


def _layout_of(res: ReadResult, catalogue: Catalogue) -> Layout:
    """The layout the return was made on (its version's), so that cells are named as it has them."""
    return build_layout(catalogue.section(res.section or "").as_made(res.version), catalogue)


def across_returns_warnings(
    results: Sequence[ReadResult], stored: Iterable[Mapping[str, object]], catalogue: Catalogue
) -> None:
    """Add an ``across-returns`` warning where a return's count is at odds with the same
    organisation's return of another section for the same period: stored, or read in this
    batch (a batch's own returns count over the stored ones they would replace)."""
    rules = [(item, rule) for _, item in catalogue.items() for rule in item.across_returns]
    if not rules:
        return
    held = {(org, period, section): values for org, period, section, values in _records(stored)}
    for res in results:
        if res.valid and res.section:
            held[(res.identity["organisation_code"], res.identity["period"], res.section)] = res.values
    for res in results:
        org, period = res.identity.get("organisation_code"), res.identity.get("period")
        if not res.section or not org or not period:
            continue
        for item, rule in rules:
            if item.id[0] == res.section:  # the rule's subject is in this return
                mine, theirs, op = item, catalogue.item_index[rule.other], str(rule.op)
            elif rule.other[0] == res.section:  # seen from the other side: the comparison turned round
                mine, theirs, op = (
                    catalogue.item_index[rule.other],
                    item,
                    {"<=": ">=", ">=": "<="}.get(rule.op, "="),
                )
            else:
                continue
            a = res.values.get(mine.id)
            b = held.get((org, period, theirs.id[0]), {}).get(theirs.id)
            if not _is_number(a) or not _is_number(b):
                continue
            x, y = float(a), float(b)
            room = max(rule.tolerance * max(x, y), rule.at_least)
            if holds(op, x, y, room):
                continue
            cell = next(c for c in _layout_of(res, catalogue).input_cells if c.key == mine.id)
            res.problems.append(
                warning(
                    "across-returns",
                    f"{mine.title}: {_number(x)} here against {_number(y)} in this organisation's "
                    f"Section {theirs.id[0]} return for {period} (item {theirs.id}, {theirs.title}). "
                    f"{rule.says.rstrip('.')}: check both; if both are right, nothing needs doing.",
                    file=res.file,
                    sheet=RETURN_SHEET,
                    cell=cell.ref,
                    item_id=mine.id,
                    found=_number(x),
                    expected=f"{_OP[op]} {_number(y)}, within {_number(room)}",
                )
            )


_OP = {"=": "about", "<=": "at most", ">=": "at least"}


def _is_number(x: object) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _far(
    res: ReadResult, past: list[tuple[str, Mapping[str, object]]], catalogue: Catalogue
) -> list[Problem]:
    out = []
    layout = _layout_of(res, catalogue)
    for cell in layout.input_cells:
        h = cell.item.history
        value = res.values.get(cell.key)
        if h is None or not _is_number(value):
            continue
        by_period: dict[str, list[float]] = {}
        for p, v in past:  # one figure per period, however many records hold it
            x = v.get(cell.key)
            if _is_number(x):
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
