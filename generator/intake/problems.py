"""Validation problems as values.

The reader never prints or raises for bad input: every problem is a :class:`Problem` with a
stable ``code`` (documented in :data:`CODES`), where it is (file, sheet, cell), which
indicator, what was found, what was expected, and a sentence a provider can act on. The CLI
prints them or emits JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# code -> what it means (used in the README and on the site's methods page)
CODES: dict[str, str] = {
    # the file itself (checked before any parsing)
    "file-not-found": "The file does not exist or cannot be read.",
    "empty-file": "The file is empty.",
    "file-too-large": "The file is larger than any genuine return could be.",
    "not-a-spreadsheet": "The file is not an .xlsx or .ods workbook (it may be renamed or damaged).",
    "legacy-xls": "The file is an old-format .xls workbook; save it as .xlsx.",
    "encrypted": "The workbook is password-encrypted; remove the password and save again.",
    "zip-unsafe": "The workbook's zip structure is damaged or out of proportion (possible zip bomb).",
    "unsafe-xml": "The workbook contains XML entity declarations, which returns never need.",
    "macros-present": "The workbook contains macros; save it as a plain .xlsx without macros.",
    "external-links": "The workbook links to other workbooks or data sources.",
    "embedded-objects": "The workbook contains embedded objects or controls.",
    "sheet-too-large": "A sheet uses cells far outside the template's area.",
    "too-many-parts": "The workbook declares far more sheets, names, strings or formats than a return has.",
    "unreadable": "The workbook could not be read as a spreadsheet.",
    # which template it is
    "unknown-template": "The file is not one of this project's templates.",
    "wrong-section": "The file is a template for another section than the one expected.",
    "old-template-version": "An earlier template version: read and checked as that version had it (warning).",
    "unknown-template-version": "The file claims a template version this software does not know.",
    "missing-sheet": "A sheet the template needs is missing or was renamed.",
    "layout-changed": "Rows were inserted, deleted or moved, so answers are not where expected.",
    # identity
    "missing-identity": "An identity field (area, organisation, period) is empty.",
    "unknown-area": "The area code is not in the registry of areas.",
    "unknown-organisation": "The organisation code is not in the registry of organisations.",
    "organisation-not-in-area": "The organisation does not belong to the area given.",
    "wrong-organisation-role": "The section is completed by a commissioner/provider, not this organisation.",
    "bad-period": "The reporting period is not a valid period for this section.",
    "unsafe-text": "Text looks like a formula or web markup, which names never contain.",
    # values
    "required-missing": "A required answer is empty.",
    "formula-in-input": "An answer cell holds a formula; answers must be typed values.",
    "error-value": "An answer cell holds a spreadsheet error value (such as #N/A) instead of an answer.",
    "not-a-number": "A number was expected but the cell holds text.",
    "not-a-whole-number": "A count must be a whole number.",
    "below-minimum": "The value is below the smallest allowed.",
    "above-maximum": "The value is above the largest allowed.",
    "not-in-list": "The answer is not one of the allowed choices.",
    "not-a-date": "A date was expected.",
    "date-outside-period": "The date cannot be right for this reporting period.",
    "implausible-date": "A date that could be right but seldom is (completed before its period ended).",
    "text-too-long": "The text is longer than allowed.",
    "numerator-exceeds-denominator": "A count is larger than the total it is part of.",
    "breakdown-sum-mismatch": "The categories of a breakdown do not add up to their total.",
    "cross-item-rule": "Answers to different items contradict each other (a rule of the catalogue).",
    "later-rule": "A return on an earlier template version breaks a rule a later version added (a warning).",
    "across-returns": "A count at odds with the same organisation's other section (kpi validate --store).",
    "far-from-earlier-returns": "A value far from the organisation's earlier returns (kpi validate --store).",
    "outside-answer-cells": "Something was typed outside the template's table; it is not read.",
    "rating-without-wording": "A rating was given as a bare number instead of a choice from the list.",
    "formula-like-text": "A text answer starts like a formula; it is kept as plain text.",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error: the return is not accepted) or worth a look (warning)."""

    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    item_id: str = ""
    found: str = ""
    expected: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undocumented problem code {self.code!r}: add it to problems.CODES")

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet


def error(code: str, message: str, **kw: str) -> Problem:
    return Problem(code=code, severity="error", message=message, **kw)


def warning(code: str, message: str, **kw: str) -> Problem:
    return Problem(code=code, severity="warning", message=message, **kw)


def shown(value: object, limit: int = 60) -> str:
    """A found value as a provider would recognise it, cut short for messages."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
