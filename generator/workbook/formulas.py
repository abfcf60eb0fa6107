"""The workbook's own checks as Excel formulas: each rule's rendering beside the cell it
checks, the sums of breakdowns, the due date; the reader checks the same rules in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from generator.catalogue.sections import Section
from generator.workbook.crosschecks import AFTER_PERIOD, MORE_THAN_TOTAL, Bound, valid_rows_formula
from generator.workbook.layout import (
    ANSWER_COL,
    CHECK_COL,
    DETAILS_SHEET,
    DetailField,
    InputCell,
    Layout,
    SumCheck,
    period_bounds_formula,
)
from generator.workbook.rules import (
    BEFORE_START,
    COMPLETED_EARLY,
    COMPLETED_LATER,
    Rule,
    blank_formula,
    fmt,
    is_formula_formula,
    says_yes_formula,
)


def due_formula(section: Section, layout: Layout) -> str:
    """The Cover's due date, from the period chosen on 'Your details' and the section's `due:`
    (the catalogue's rule, as the ledger and the data-quality table apply it)."""
    valid, _, end = period_cells(layout)
    period = f"TRIM({_period_cell(layout)})"
    after = f"within {section.due.days_after_period} days of the period's end"
    day = f'TEXT({end}+{section.due.days_after_period},"dd/mm/yyyy")&" ({after})"'
    for p, iso in sorted(section.due.dates.items()):  # a period given its own date says so
        d = dt.date.fromisoformat(iso)
        day = f'IF({period}="{p}","{d:%d/%m/%Y} (the date set for {p})",{day})'
    hint = f"{after}; choose the period on the Your details sheet to see the date"
    return f'="Due by: "&IF({valid},{day},"{hint}")'


def period_cells(layout: Layout) -> tuple[str, str, str]:
    """The period answer, as another sheet reads it: (TRUE when it is a valid period, its first
    day, its last day)."""
    ref = _period_cell(layout)
    start, end = period_bounds_formula(ref)
    rule = next(f.rule for f in layout.details if f.key == "period")
    return rule.valid_formula(ref), start, end


def _period_cell(layout: Layout) -> str:
    """The period answer's cell, as another sheet names it."""
    return f"'{DETAILS_SHEET}'!" + next(f.ref for f in layout.details if f.key == "period")


def check_formula_details(f: DetailField, layout: Layout) -> str:
    blank = '"To do"' if f.required else '"OK (optional)"'
    ok = '"OK"'
    if f.key == "completed_date":  # within the period's dates, as the reader checks
        valid, start, end = period_cells(layout)
        d = f.ref
        ok = (
            f'IF({valid},IF(INT({d})<{start},"Problem: {BEFORE_START}",'
            f'IF(INT({d})<{end},"OK, but: {COMPLETED_EARLY}",'
            f'IF(INT({d})>TODAY(),"OK, but: {COMPLETED_LATER}","OK"))),"OK")'
        )
    return _guarded(
        f.ref,
        f"IF({blank_formula(f.ref)},{blank},IF({f.rule.valid_formula(f.ref)},{ok},"
        f'"Problem: expected {f.rule.expected}"))',
    )


ERROR_VALUE = "Problem: the cell holds an error value (such as #N/A), not an answer: type the value itself"
CHECK_FAILED = "Problem: this check could not be worked out: look for an error value in the cells it reads"


FORMULA = "Problem: the cell holds a formula: type the value itself (or Paste Special > Values)"


def _guarded(ref: str, body: str) -> str:
    """A check formula that never shows an error value: an error in the answer cell is named as
    such, as is a formula (the reader takes typed values only), and anything else that fails
    (an error in another cell it reads) is a problem too, so the Cover counts it."""
    return (
        f'=IFERROR(IF(ISERROR({ref}),"{ERROR_VALUE}",IF({is_formula_formula(ref)},"{FORMULA}",'
        f'{body})),"{CHECK_FAILED}")'
    )


NOT_NEEDED = "OK (not needed)"  # a gated answer, or a gated breakdown's total, its gate turned off


def _blank_text(cell: InputCell) -> str:
    item = cell.item
    if item.required:
        return '"To do"'
    if cell.gate_row is not None:
        return f'IF({says_yes_formula(f"{ANSWER_COL}{cell.gate_row}")},"To do","{NOT_NEEDED}")'
    return '"OK (optional)"'


def _with_rules(expr: str, rules: Sequence[Bound]) -> str:
    """``expr`` (a check's own text) unless one of the cross-item rules shown on its row is
    broken: then that rule, in words."""
    for b in rules:
        expr = b.formula(expr)
    return expr


def check_formula(
    cell: InputCell, rules: Sequence[Bound] = (), period: tuple[str, str, str] | None = None
) -> str:
    """The live check for one input: 'To do', 'OK...' or 'Problem: ...' in words; ``rules``:
    the cross-item rules shown on its row; ``period`` (for a date): see :func:`period_cells`."""
    ref = cell.ref
    inner = '"OK"'
    if period is not None:  # a date after the period it reports on, as the reader checks
        valid, _, end = period
        inner = f'IF({valid},IF(INT({ref})>{end},"{AFTER_PERIOD}",{inner}),{inner})'
    if cell.relation_row is not None:
        den = f"{ANSWER_COL}{cell.relation_row}"
        inner = (
            f'IF({cell.rule.valid_formula(den)},IF({ref}>{den},"{MORE_THAN_TOTAL} in row '
            f'{cell.relation_row} ("&{den}&")","OK"),"OK")'
        )
    bad = f'"Problem: expected {cell.rule.expected}"'
    if cell.item.value_type == "rating":  # a bare 3 is read as the scale's 3, as the reader does
        bad = (
            f'IF({cell.rule.bare_rating_formula(ref)},"OK, read as rating "&TRIM({ref})&'
            f'" (choosing it from the list is better)",{bad})'
        )
    blank = _with_rules(_blank_text(cell), [b for b in rules if b.on_blank])
    inner = _with_rules(inner, rules)
    return _guarded(ref, f"IF({blank_formula(ref)},{blank},IF({cell.rule.valid_formula(ref)},{inner},{bad}))")


def sum_check_formula(sc: SumCheck, total_rule: Rule | None = None, rules: Sequence[Bound] = ()) -> str:
    """The total row under a breakdown. Like the reader, it waits until every row above holds a
    number and the total (``total_rule``: what its cell accepts) a valid one: a row with text
    or an error is a problem of its own, named on its row."""
    rng = f"{ANSWER_COL}{sc.first_row}:{ANSWER_COL}{sc.last_row}"
    total = f"SUM({rng})"
    # a row counts once it holds a number its own check accepts, as the reader sums only valid values
    waiting = f'IF({valid_rows_formula(sc.first_row, sc.last_row)}<ROWS({rng}),"Waiting for every row above",'
    if sc.item.required_when_yes:  # a gated breakdown its gate turned off: as its rows say
        checks = f"{CHECK_COL}{sc.first_row}:{CHECK_COL}{sc.last_row}"
        waiting = f'IF(COUNTIF({checks},"{NOT_NEEDED}")=ROWS({checks}),"{NOT_NEEDED}",' + waiting
    if sc.total_row is not None:
        t = f"{ANSWER_COL}{sc.total_row}"
        body = (
            f"{waiting}IF(NOT({total_rule.valid_formula(t) if total_rule else f'ISNUMBER({t})'}),"
            f'"Waiting for the total in row {sc.total_row}",'
            f'IF({total}={t},"Adds up to the total",'
            f'"Problem: these add up to "&{total}&" but the total in row {sc.total_row} is "&{t})))'
        )
    elif sc.total_value is not None:
        v = fmt(sc.total_value)
        body = (
            f'{waiting}IF(ABS(ROUND({total}-{v},9))<={fmt(sc.tolerance)},"Adds up to {v}",'
            f'"Problem: these add up to "&ROUND({total},1)&", expected {v}"))'
        )
    else:
        body = f'{waiting}"Total: "&{total})'
    if sc.item.required_when_yes:
        body += ")"
    return f'=IFERROR({_with_rules(body, rules)},"{CHECK_FAILED}")'
