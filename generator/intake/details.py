"""The 'Your details' sheet checked: who the return is from and for which period, each answer
against what the template allows, with a message naming the cell.
"""

from __future__ import annotations

import datetime as dt

from generator.base.names import FORMULA_START
from generator.catalogue.registry import Registry, role_for
from generator.intake.answers import MARKUP, Answers, blank, error_literal, error_value
from generator.intake.problems import Problem, error, shown
from generator.workbook.layout import (
    DETAILS_SHEET,
    Layout,
    periods,
)
from generator.workbook.rules import fmt


def check_details(
    layout: Layout, answers: Answers, registry: Registry, file: str, problems: list[Problem]
) -> dict[str, str]:
    """Each detail checked against its rule (problems appended), and the identity the details
    give: who the return is from and for which period."""
    sec = layout.section
    identity: dict[str, str] = {}
    for f in layout.details:
        where = {"file": file, "sheet": DETAILS_SHEET, "cell": f.ref, "item_id": f"details.{f.key}"}
        raw = answers.details.get(f.key)
        err = answers.errors.get((DETAILS_SHEET, f.ref)) or error_literal(
            answers.formulas.get((DETAILS_SHEET, f.ref), "")
        )
        if err:
            problems.append(error_value(f.label, err, f.rule.expected, where))
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
        if blank(raw):
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
