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
from dataclasses import dataclass, field
from typing import Any

from generator.base.names import FORMULA_SIGNS, FORMULA_START
from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue
from generator.intake.problems import Problem, error, shown, warning
from generator.workbook.crosschecks import Bound, Rules, bind
from generator.workbook.layout import (
    DETAILS_SHEET,
    RETURN_SHEET,
    InputCell,
    Layout,
    SumCheck,
    build_layout,
    period_bounds,
    periods,
)
from generator.workbook.rules import BEFORE_START, COMPLETED_EARLY, COMPLETED_LATER, fmt, says_yes

MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]")


@dataclass(frozen=True)
class Answers:
    """What was read from the workbook: raw cell values, by position."""

    details: Mapping[str, object]  # detail key -> raw value
    cells: Mapping[str, object]  # Return sheet ref (E12) -> raw value
    formulas: Mapping[tuple[str, str], str]  # (sheet, ref) -> formula text, for cells holding one
    errors: Mapping[tuple[str, str], str] = field(default_factory=dict)  # ... -> "#N/A", error values


@dataclass(frozen=True)
class Validated:
    identity: dict[str, str]
    values: dict[str, object]  # input key -> normalised value
    problems: list[Problem]


def _blank(v: object) -> bool:
    """Nothing, or spaces only: what the workbook's check takes as blank (``LEN(TRIM(x))=0``)."""
    return v is None or (isinstance(v, str) and v.strip(" ") == "")


ERROR_LITERALS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!")


def _error_literal(formula: str) -> str | None:
    """The error a "formula" is, when it is nothing else: LibreOffice saves a pasted #N/A as
    the formula ``#N/A``."""
    text = formula.removeprefix("=").strip().upper()
    return text if text in ERROR_LITERALS else None


def validate_answers(
    layout: Layout, answers: Answers, registry: Registry, file: str, later: Rules | None = None
) -> Validated:
    """``later``: rules a later template version added, for a return made on an earlier one
    (its own version's rules decide; breaking a later one is a warning)."""
    problems: list[Problem] = []
    identity = _validate_details(layout, answers, registry, file, problems)
    values = _validate_cells(layout, answers, file, problems)
    _validate_relations(layout, values, file, problems)
    _validate_across(layout, values, answers, file, problems)
    if later:
        problems.extend(later_rule_problems(layout, later, values, file))
    period = identity.get("period", "")
    if period in periods(layout.section.frequency):
        _validate_dates(layout, values, answers, period, file, problems)
    return Validated(identity, values, sorted(problems, key=_reading_order))


def _reading_order(p: Problem) -> tuple[int, int, str]:
    """Details before the Return sheet, then top to bottom, as a provider reads the workbook."""
    m = re.match(r"[A-Z]+([0-9]+)", p.cell)
    return (0 if p.sheet == DETAILS_SHEET else 1, int(m.group(1)) if m else 0, p.code)


def _validate_details(
    layout: Layout, answers: Answers, registry: Registry, file: str, problems: list[Problem]
) -> dict[str, str]:
    sec = layout.section
    identity: dict[str, str] = {}
    for f in layout.details:
        where = {"file": file, "sheet": DETAILS_SHEET, "cell": f.ref, "item_id": f"details.{f.key}"}
        raw = answers.details.get(f.key)
        err = answers.errors.get((DETAILS_SHEET, f.ref)) or _error_literal(
            answers.formulas.get((DETAILS_SHEET, f.ref), "")
        )
        if err:
            problems.append(_error_value(f.label, err, f.rule.expected, where))
            continue
        if (DETAILS_SHEET, f.ref) in answers.formulas:
            problems.append(
                error(
                    "formula-in-input",
                    f"{f.label} holds a formula; type the value instead.",
                    found=shown(answers.formulas[(DETAILS_SHEET, f.ref)]),
                    expected=f.rule.expected,
                    **where,
                )
            )
            continue
        if _blank(raw):
            if f.required:
                code = "bad-period" if f.key == "period" else "missing-identity"
                problems.append(
                    error(
                        code,
                        f"{f.label} is empty: fill it in on the '{DETAILS_SHEET}' sheet.",
                        found="(empty)",
                        expected=f.rule.expected,
                        **where,
                    )
                )
            continue
        value: object = raw
        if f.rule.kind == "text" and isinstance(raw, int | float) and not isinstance(raw, bool):
            value = fmt(float(raw))
        if f.rule.kind == "date" and isinstance(raw, dt.datetime):
            value = raw.date()
        found = f.rule.problem(value)
        if found is not None:
            code, reason = found
            if f.key == "period":
                code = "bad-period"
                reason = (
                    f"'{shown(raw)}' is not a {sec.frequency} reporting period; choose one from "
                    f"the list, like '{periods(sec.frequency)[8]}'"
                )
            problems.append(
                error(code, f"{f.label}: {reason}.", found=shown(raw), expected=f.rule.expected, **where)
            )
            continue
        if f.rule.kind == "list":  # the choice itself, however it was typed (a period is a folder name)
            value = f.rule.options[f.rule.option_index(value) or 0]
        if isinstance(value, str):
            value = value.strip()
            if f.rule.kind == "text" and (value.startswith(FORMULA_START) or MARKUP.search(value)):
                problems.append(
                    error(
                        "unsafe-text",
                        f"{f.label} looks like a formula or web code ('{shown(value, 40)}'). Enter the plain "
                        "name or code.",
                        found=shown(value),
                        expected="plain text",
                        **where,
                    )
                )
                continue
        identity[f.key] = value.isoformat() if isinstance(value, dt.date) else str(value)

    ref = {f.key: f.ref for f in layout.details}
    area, org_code = identity.get("area_code"), identity.get("organisation_code")
    if area is not None and area not in registry.areas:
        problems.append(
            error(
                "unknown-area",
                f"Area code '{area}' is not a known area. Check the code you were given for your area.",
                file=file,
                sheet=DETAILS_SHEET,
                cell=ref["area_code"],
                item_id="details.area_code",
                found=area,
                expected="an area code from the registry",
            )
        )
    if org_code is not None:
        org = registry.organisations.get(org_code)
        where = {
            "file": file,
            "sheet": DETAILS_SHEET,
            "cell": ref["organisation_code"],
            "item_id": "details.organisation_code",
        }
        if org is None:
            problems.append(
                error(
                    "unknown-organisation",
                    f"Organisation code '{org_code}' is not a known "
                    "organisation. Check the code you were given.",
                    found=org_code,
                    expected="an organisation code from the registry",
                    **where,
                )
            )
        else:
            if area is not None and area in registry.areas and org.area_code != area:
                problems.append(
                    error(
                        "organisation-not-in-area",
                        f"Organisation {org_code} belongs to area {org.area_code}, not {area}.",
                        found=area,
                        expected=org.area_code,
                        **where,
                    )
                )
            wanted = role_for(sec.completed_by)
            if org.role != wanted:
                problems.append(
                    error(
                        "wrong-organisation-role",
                        f"Section {sec.section} ({sec.title}) is "
                        f"completed by a {wanted}; {org_code} is a {org.role}.",
                        found=org.role,
                        expected=wanted,
                        **where,
                    )
                )
    return identity


def _normalise(cell: InputCell, value: object) -> object:
    """The stored form of an accepted value: ints for counts, codes for choices."""
    vt = cell.item.value_type
    if vt in ("count", "proportion"):
        return int(value)  # type: ignore[call-overload]
    if vt in ("percentage", "money", "number"):
        return float(value)  # type: ignore[arg-type]
    if vt in ("rating", "choice", "yes_no"):
        idx = cell.rule.option_index(value)
        assert idx is not None  # checked by the rule
        if vt == "yes_no":
            return cell.rule.option_codes[idx]
        return _scale_code(cell, idx)
    if vt == "date":
        return value.date() if isinstance(value, dt.datetime) else value
    return str(value)


def _scale_code(cell: InputCell, idx: int) -> object:
    text = cell.rule.options[idx]
    if cell.item.value_type == "rating":
        return int(text.split(" = ", 1)[0])
    return cell.rule.option_codes[idx] if cell.rule.option_codes else text


def _validate_cells(
    layout: Layout, answers: Answers, file: str, problems: list[Problem]
) -> dict[str, object]:
    values: dict[str, object] = {}
    gate_values = {
        c.row: answers.cells.get(c.ref) for c in layout.input_cells if c.item.value_type == "yes_no"
    }
    for c in layout.input_cells:
        item = c.item
        where = {"file": file, "sheet": RETURN_SHEET, "cell": c.ref, "item_id": item.id}
        label = item.title + (f" ({c.category_label})" if c.category_label else "")
        raw = answers.cells.get(c.ref)
        err = answers.errors.get((RETURN_SHEET, c.ref)) or _error_literal(
            answers.formulas.get((RETURN_SHEET, c.ref), "")
        )
        if err:
            problems.append(_error_value(label, err, c.rule.expected, where))
            continue
        if (RETURN_SHEET, c.ref) in answers.formulas:
            problems.append(
                error(
                    "formula-in-input",
                    f"{label}: the answer cell holds a formula. Type the "
                    "value itself (or Paste Special > Values).",
                    found=shown(answers.formulas[(RETURN_SHEET, c.ref)]),
                    expected=c.rule.expected,
                    **where,
                )
            )
            continue
        if _blank(raw):
            needed = item.required or (c.gate_row is not None and says_yes(gate_values.get(c.gate_row)))
            if needed:
                problems.append(
                    error(
                        "required-missing",
                        f"{label}: this answer is required.",
                        found="(empty)",
                        expected=c.rule.expected,
                        **where,
                    )
                )
            continue
        value = raw
        if item.value_type == "text" and isinstance(raw, int | float | dt.date) and not isinstance(raw, bool):
            value = fmt(float(raw)) if isinstance(raw, int | float) else raw.isoformat()
        if item.value_type == "rating":
            bare = c.rule.bare_rating(raw)
            if bare is not None:
                problems.append(
                    warning(
                        "rating-without-wording",
                        f"{label}: the rating was entered as "
                        f"'{shown(raw)}' rather than chosen from the list; read as "
                        f"'{c.rule.options[bare][:60]}...'.",
                        found=shown(raw),
                        expected="a choice from the list",
                        **where,
                    )
                )
                values[c.key] = _scale_code(c, bare)
                continue
        found = c.rule.problem(value)
        if found is not None:
            code, reason = found
            problems.append(
                error(code, f"{label}: {reason}.", found=shown(raw), expected=c.rule.expected, **where)
            )
            continue
        if item.value_type == "text" and isinstance(value, str) and value.lstrip().startswith(FORMULA_SIGNS):
            problems.append(
                warning(
                    "formula-like-text",
                    f"{label}: the text starts with "
                    f"'{value.lstrip()[0]}'. It is kept as plain text and never run as a "
                    "formula.",
                    found=shown(value),
                    expected="plain text",
                    **where,
                )
            )
        values[c.key] = _normalise(c, value)
    return values


def _error_value(label: str, value: str, expected: str, where: dict[str, str]) -> Problem:
    """A cell holding a spreadsheet error (pasted as a value): not an answer, and not a blank
    either (a spreadsheet reader library reads it as one)."""
    return error(
        "error-value",
        f"{label}: the cell holds an error value ({value}), not an answer. Type the value itself.",
        found=f"an error value ({value})",
        expected=expected,
        **where,
    )


def _validate_across(
    layout: Layout, values: dict[str, object], answers: Answers, file: str, problems: list[Problem]
) -> None:
    """The catalogue's rules across items (generator/workbook/crosschecks.py), as the workbook's check
    column shows them."""
    filled = {
        c.key
        for c in layout.input_cells
        if not _blank(answers.cells.get(c.ref)) or (RETURN_SHEET, c.ref) in answers.errors
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


def _validate_relations(
    layout: Layout, values: dict[str, object], file: str, problems: list[Problem]
) -> None:
    by_row = {c.row: c for c in layout.input_cells}
    for c in layout.input_cells:
        if c.relation_row is None or c.key not in values:
            continue
        den = by_row[c.relation_row]
        num_v, den_v = values[c.key], values.get(den.key)
        if isinstance(num_v, int) and isinstance(den_v, int) and num_v > den_v:
            label = c.item.title + (f" ({c.category_label})" if c.category_label else "")
            problems.append(
                error(
                    "numerator-exceeds-denominator",
                    f"{label}: {num_v} is more than the total it is part of ({den_v}, row {den.row}).",
                    file=file,
                    sheet=RETURN_SHEET,
                    cell=c.ref,
                    item_id=c.item.id,
                    found=str(num_v),
                    expected=f"at most {den_v} (the total in row {den.row})",
                )
            )
    for r in layout.rows:
        if not isinstance(r, SumCheck):
            continue
        parts = [c for c in layout.input_cells if r.first_row <= c.row <= r.last_row]
        got = [values.get(c.key) for c in parts]
        if any(v is None for v in got):
            continue  # missing parts are already reported
        total = sum(got)  # type: ignore[arg-type]
        rng = f"{parts[0].ref}:{parts[-1].ref}"
        if r.total_row is not None:
            den = by_row[r.total_row]
            target = values.get(den.key)
            if isinstance(target, int) and total != target:
                problems.append(
                    error(
                        "breakdown-sum-mismatch",
                        f"{r.item.title}: the categories add up to {total}, but the total in row {den.row} "
                        f"is {target}. Every person should be counted in exactly one category (use 'Not "
                        "recorded' where that applies).",
                        file=file,
                        sheet=RETURN_SHEET,
                        cell=rng,
                        item_id=r.item.id,
                        found=str(total),
                        expected=str(target),
                    )
                )
        elif r.total_value is not None and abs(round(total - r.total_value, 9)) > r.tolerance:
            problems.append(
                error(
                    "breakdown-sum-mismatch",
                    f"{r.item.title}: the percentages add up to {round(total, 1)}, expected "
                    f"{fmt(r.total_value)}.",
                    file=file,
                    sheet=RETURN_SHEET,
                    cell=rng,
                    item_id=r.item.id,
                    found=str(round(total, 1)),
                    expected=fmt(r.total_value),
                )
            )


def _validate_dates(
    layout: Layout,
    values: dict[str, object],
    answers: Answers,
    period: str,
    file: str,
    problems: list[Problem],
) -> None:
    start, end = period_bounds(period)
    today = dt.date.today()
    for c in layout.input_cells:
        v = values.get(c.key)
        if c.item.value_type == "date" and isinstance(v, dt.date) and v > end:
            problems.append(
                error(
                    "date-outside-period",
                    f"{c.item.title}: {v:%d/%m/%Y} is after the end of the reporting period "
                    f"({end:%d/%m/%Y}).",
                    file=file,
                    sheet=RETURN_SHEET,
                    cell=c.ref,
                    item_id=c.item.id,
                    found=v.isoformat(),
                    expected=f"on or before {end.isoformat()}",
                )
            )
    for f in layout.details:
        raw = answers.details.get(f.key)
        d = raw.date() if isinstance(raw, dt.datetime) else raw
        if f.key != "completed_date" or not isinstance(d, dt.date) or end <= d <= today:
            continue
        if d < start:
            code, make, words, expected = "date-outside-period", error, BEFORE_START, f"on or after {start}"
        else:
            code, make, expected = "implausible-date", warning, f"from {end} to today"
            words = COMPLETED_EARLY if d < end else COMPLETED_LATER
        problems.append(
            make(
                code,
                f"{f.label}: {d:%d/%m/%Y}: {words}.",
                file=file,
                sheet=DETAILS_SHEET,
                cell=f.ref,
                item_id=f"details.{f.key}",
                found=d.isoformat(),
                expected=expected,
            )
        )
