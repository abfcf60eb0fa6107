"""The Return sheet's values checked: each answer's type, scale and range, the catalogue's
relations between answers (sums, at-mosts, gates) and its dates.
"""

from __future__ import annotations

import datetime as dt

from generator.base.names import FORMULA_SIGNS
from generator.intake.answers import Answers, blank, error_literal, error_value, normalise, scale_code
from generator.intake.problems import Problem, error, shown, warning
from generator.workbook.layout import (
    DETAILS_SHEET,
    RETURN_SHEET,
    Layout,
    SumCheck,
    period_bounds,
)
from generator.workbook.rules import BEFORE_START, COMPLETED_EARLY, COMPLETED_LATER, fmt, says_yes


def check_cells(layout: Layout, answers: Answers, file: str, problems: list[Problem]) -> dict[str, object]:
    values: dict[str, object] = {}
    gate_values = {
        c.row: answers.cells.get(c.ref) for c in layout.input_cells if c.item.value_type == "yes_no"
    }
    for c in layout.input_cells:
        item = c.item
        where = {"file": file, "sheet": RETURN_SHEET, "cell": c.ref, "item_id": item.id}
        label = item.title + (f" ({c.category_label})" if c.category_label else "")
        raw = answers.cells.get(c.ref)
        err = answers.errors.get((RETURN_SHEET, c.ref)) or error_literal(
            answers.formulas.get((RETURN_SHEET, c.ref), "")
        )
        if err:
            problems.append(error_value(label, err, c.rule.expected, where))
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
        if blank(raw):
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
                values[c.key] = scale_code(c, bare)
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
        values[c.key] = normalise(c, value)
    return values


def check_relations(layout: Layout, values: dict[str, object], file: str, problems: list[Problem]) -> None:
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


def check_dates(
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
