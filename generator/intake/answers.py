"""A return's answers as the reader found them, and the small judgements every check makes on
one: blank or not, a spreadsheet error value typed as text, a scale's code or label.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.intake.problems import Problem, error
from generator.workbook.layout import (
    InputCell,
)

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


def blank(v: object) -> bool:
    """Nothing, or spaces only: what the workbook's check takes as blank (``LEN(TRIM(x))=0``)."""
    return v is None or (isinstance(v, str) and v.strip(" ") == "")


ERROR_LITERALS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!")


def error_literal(formula: str) -> str | None:
    """The error a "formula" is, when it is nothing else: LibreOffice saves a pasted #N/A as
    the formula ``#N/A``."""
    text = formula.removeprefix("=").strip().upper()
    return text if text in ERROR_LITERALS else None


def normalise(cell: InputCell, value: object) -> object:
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
        return scale_code(cell, idx)
    if vt == "date":
        return value.date() if isinstance(value, dt.datetime) else value
    return str(value)


def scale_code(cell: InputCell, idx: int) -> object:
    text = cell.rule.options[idx]
    if cell.item.value_type == "rating":
        return int(text.split(" = ", 1)[0])
    return cell.rule.option_codes[idx] if cell.rule.option_codes else text


def error_value(label: str, value: str, expected: str, where: dict[str, str]) -> Problem:
    """A cell holding a spreadsheet error (pasted as a value): not an answer, and not a blank
    either (a spreadsheet reader library reads it as one)."""
    return error(
        "error-value",
        f"{label}: the cell holds an error value ({value}), not an answer. Type the value itself.",
        found=f"an error value ({value})",
        expected=expected,
        **where,
    )
