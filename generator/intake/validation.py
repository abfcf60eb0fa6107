"""Re-validate every answer of a return against the catalogue: a pure function.

Spreadsheet validation stops bad typing but not pasting, other spreadsheet programs, or
edits made outside the template, so every value is checked again here: type, range, allowed
values, required answers, numerators against denominators, breakdowns against totals, dates
against the period, and who the return is from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.intake.answers import Answers, Validated, blank
from generator.intake.details import check_details
from generator.intake.problems import Problem, error, warning
from generator.intake.values import check_cells, check_dates, check_relations
from generator.workbook.crosschecks import Bound, Rules, bind
from generator.workbook.layout import (
    DETAILS_SHEET,
    RETURN_SHEET,
    InputCell,
    Layout,
    build_layout,
    periods,
)


def validate_answers(
    layout: Layout, answers: Answers, registry: Registry, file: str, later: Rules | None = None
) -> Validated:
    """``later``: rules a later template version added, for a return made on an earlier one
    (its own version's rules decide; breaking a later one is a warning)."""
    problems: list[Problem] = []
    identity = check_details(layout, answers, registry, file, problems)
    values = check_cells(layout, answers, file, problems)
    check_relations(layout, values, file, problems)
    _validate_across(layout, values, answers, file, problems)
    if later:
        problems.extend(later_rule_problems(layout, later, values, file))
    period = identity.get("period", "")
    if period in periods(layout.section.frequency):
        check_dates(layout, values, answers, period, file, problems)
    return Validated(identity, values, sorted(problems, key=_reading_order))


def _reading_order(p: Problem) -> tuple[int, int, str]:
    """Details before the Return sheet, then top to bottom, as a provider reads the workbook."""
    m = re.match(r"[A-Z]+([0-9]+)", p.cell)
    return (0 if p.sheet == DETAILS_SHEET else 1, int(m.group(1)) if m else 0, p.code)


def _validate_across(
    layout: Layout, values: dict[str, object], answers: Answers, file: str, problems: list[Problem]
) -> None:
    """The catalogue's rules across items (generator/workbook/crosschecks.py), as the workbook's check
    column shows them."""
    filled = {
        c.key
        for c in layout.input_cells
        if not blank(answers.cells.get(c.ref)) or (RETURN_SHEET, c.ref) in answers.errors
    }
    problems += _broken(bind(layout), values, file, filled)


def later_rule_problems(
    layout: Layout, later: Rules, values: Mapping[str, object], file: str
) -> list[Problem]:
    """Warnings for the rules a later template version added that a return made on an earlier
    one breaks: it is read by its own version's rules, and the analyst is told."""
    return _broken(bind(layout, later), values, file, later_than=layout.section.version)


def _broken(
    bound: Sequence[Bound],
    values: Mapping[str, object],
    file: str,
    filled: Collection[str] | None = None,
    later_than: str = "",
) -> list[Problem]:
    """A problem for each rule broken: its own severity, or (``later_than``: the version of a
    return a later rule is tried on) a warning."""
    out = []
    for b in bound:
        found = b.problem(values, filled)
        if found is None:
            continue
        message, got, expected = found
        if later_than:
            code, make = "later-rule", warning
            message += (
                f" (a rule of template version {b.rule.since}; this return is on version "
                f"{later_than}, so it is not refused for it)"
            )
        else:
            code, make = "cross-item-rule", error if b.rule.severity == "error" else warning
        out.append(
            make(
                code,
                f"{b.subject.title}: {message}",
                file=file,
                sheet=RETURN_SHEET,
                cell=b.cell,
                item_id=b.subject.id,
                found=got,
                expected=expected,
            )
        )
    return out


def stored_rule_warnings(records: Sequence[Mapping[str, Any]], catalogue: Catalogue) -> list[Problem]:
    """For ``kpi verify``: stored returns made on an earlier template version that break a rule
    a later version added (warnings: a stored return is never dropped for a new rule)."""
    out: list[Problem] = []
    for r in records:
        sec = catalogue.sections.get(str(r.get("section", "")))
        version = str(r.get("template_version", ""))
        if sec is None or version not in sec.version_names or version == sec.version:
            continue
        later = sec.later_checks(version)
        if not later:
            continue
        layout = build_layout(sec.at(version), catalogue)
        stored = r.get("values", {})
        values = {c.key: _as_stored(c, stored[c.key]) for c in layout.input_cells if c.key in stored}
        ident = r.get("identity", {})
        who = f"{ident.get('organisation_code', '')} Section {sec.section} {ident.get('period', '')}"
        out += later_rule_problems(layout, later, values, f"{who} ({r.get('file', '')})")
    return out


def _as_stored(cell: InputCell, value: object) -> object:
    """A stored value as the reader had it: dates are kept as ISO text."""
    if cell.rule.kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
