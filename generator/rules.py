"""Validation rules as data.

One :class:`Rule` per input cell says what the cell accepts. The same value is turned into
three things, so they cannot drift apart:

* the spreadsheet's data validation (:meth:`Rule.to_xlsxwriter`), which stops bad entries
  as they are typed;
* the live "Check" formula in the workbook (:meth:`Rule.valid_formula`), which catches what
  pasting lets through;
* a Python check (:meth:`Rule.check`), used by the tests and by the reader, because
  spreadsheet validation is bypassed by pasting and by other spreadsheet programs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from .catalogue import Item, Scale

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_COUNT = 10_000_000  # far above any service's caseload; catches a pasted phone number
MAX_MONEY = 1_000_000_000
MAX_TEXT = 2000
EXCEL_EPOCH = dt.date(1899, 12, 30)

RuleKind = Literal["whole", "decimal", "list", "date", "text"]


@dataclass(frozen=True)
class Rule:
    """What one input cell accepts."""

    kind: RuleKind
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()  # for lists: the exact drop-down texts
    option_codes: tuple[str, ...] = ()  # ... and the code stored for each
    list_name: str | None = None  # workbook defined name holding ``options``
    expected: str = ""  # plain words for messages: "a whole number, 0 or more"

    # -- Python side -------------------------------------------------------------------
    def check(self, value: object) -> str | None:
        """Return ``None`` if ``value`` is acceptable, else a short reason a provider understands."""
        found = self.problem(value)
        return None if found is None else found[1]

    def problem(self, value: object) -> tuple[str, str] | None:
        """``None`` if ``value`` is acceptable, else ``(code, reason)`` (codes: problems.CODES)."""
        if self.kind in ("whole", "decimal"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "not-a-number", f"expected {self.expected}, found text"
            if value != value:  # NaN
                return "not-a-number", f"expected {self.expected}"
            if self.minimum is not None and value < self.minimum:
                return "below-minimum", f"expected {self.expected}, found a value below {fmt(self.minimum)}"
            if self.maximum is not None and value > self.maximum:
                return "above-maximum", f"expected {self.expected}, found a value above {fmt(self.maximum)}"
            if self.kind == "whole" and isinstance(value, float) and not value.is_integer():
                return "not-a-whole-number", f"expected {self.expected}, found a fraction"
            return None
        if self.kind == "list":
            if not isinstance(value, str) or value.strip() not in self.options:
                return "not-in-list", f"expected one of the drop-down choices ({self.expected})"
            return None
        if self.kind == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if not isinstance(value, dt.date):
                return "not-a-date", f"expected {self.expected}"
            if not EARLIEST_DATE <= value <= LATEST_DATE:
                return "date-outside-period", f"expected {self.expected}, found {value.isoformat()}"
            return None
        # text
        if not isinstance(value, str):
            return "not-in-list", f"expected {self.expected}"
        if self.maximum is not None and len(value) > self.maximum:
            return "text-too-long", f"expected at most {int(self.maximum)} characters, found {len(value)}"
        return None

    # -- Spreadsheet side ----------------------------------------------------------------
    def to_xlsxwriter(self, title: str, prompt: str) -> dict[str, object]:
        """The options for ``worksheet.data_validation``; errors stop the entry."""
        common: dict[str, object] = {
            "input_title": title[:32],
            "input_message": prompt[:255],
            "error_type": "stop",
            "error_title": "Not accepted"[:32],
            "error_message": f"Please enter {self.expected}."[:255],
            "show_error": True,
            "show_input": True,
            "ignore_blank": True,
        }
        if self.kind in ("whole", "decimal"):
            return {
                "validate": "integer" if self.kind == "whole" else "decimal",
                "criteria": "between",
                "minimum": self.minimum,
                "maximum": self.maximum,
                **common,
            }
        if self.kind == "list":
            return {"validate": "list", "source": f"={self.list_name}", **common}
        if self.kind == "date":
            return {
                "validate": "date",
                "criteria": "between",
                "minimum": dt.datetime.combine(EARLIEST_DATE, dt.time()),
                "maximum": dt.datetime.combine(LATEST_DATE, dt.time()),
                **common,
            }
        return {
            "validate": "length",
            "criteria": "<=",
            "value": int(self.maximum or MAX_TEXT),
            **common,
        }

    def valid_formula(self, ref: str) -> str:
        """A spreadsheet expression, true when the (non-blank) cell ``ref`` is acceptable.

        Lists are matched with SUMPRODUCT rather than MATCH/COUNTIF: those two fail on text
        longer than 255 characters, and some rating-scale points are longer.
        """
        if self.kind in ("whole", "decimal"):
            parts = [f"ISNUMBER({ref})"]
            if self.minimum is not None:
                parts.append(f"{ref}>={fmt(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"{ref}<={fmt(self.maximum)}")
            if self.kind == "whole":
                parts.append(f"{ref}=INT({ref})")
            return f"AND({','.join(parts)})"
        if self.kind == "list":
            return f"SUMPRODUCT(--({self.list_name}={ref}))>0"
        if self.kind == "date":
            lo, hi = EARLIEST_DATE, LATEST_DATE
            return (
                f"AND(ISNUMBER({ref}),{ref}>=DATE({lo.year},{lo.month},{lo.day}),"
                f"{ref}<=DATE({hi.year},{hi.month},{hi.day}))"
            )
        return f"LEN({ref})<={int(self.maximum or MAX_TEXT)}"


def fmt(x: float) -> str:
    """A number as a spreadsheet or a person would write it: 100 not 100.0."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def list_name(kind: str, ident: str) -> str:
    """A workbook defined name for a drop-down list (letters, digits, underscores only)."""
    return f"list_{kind}_{ident}"


YES_NO = ("Yes", "No")


def rule_for(item: Item, scale: Scale | None, part: str = "value") -> Rule:
    """The rule for one input cell of ``item`` (``part``: value, numerator or denominator)."""
    vt = item.value_type
    if vt in ("count", "proportion"):
        hi = item.max if item.max is not None else MAX_COUNT
        lo = item.min if item.min is not None else 0
        words = (
            "a whole number, 0 or more"
            if (lo, hi) == (0, MAX_COUNT)
            else (f"a whole number from {fmt(lo)} to {fmt(hi)}")
        )
        return Rule("whole", lo, hi, expected=words)
    if vt == "percentage":
        return Rule("decimal", 0, 100, expected="a percentage from 0 to 100 (without the % sign)")
    if vt == "money":
        hi = item.max if item.max is not None else MAX_MONEY
        return Rule("decimal", 0, hi, expected="an amount in pounds, 0 or more")
    if vt == "number":
        lo = item.min if item.min is not None else 0
        hi = item.max if item.max is not None else 10_000
        return Rule("decimal", lo, hi, expected=f"a number from {fmt(lo)} to {fmt(hi)}")
    if vt in ("rating", "choice"):
        assert scale is not None
        opts = scale.dropdown_labels()
        if vt == "rating":
            lo_, hi_ = scale.points[0].value, scale.points[-1].value
            words = f"a rating from {lo_} to {hi_}, chosen from the list"
        else:
            words = "one of the choices in the list"
        codes = tuple(str(p.value) for p in scale.points)
        return Rule(
            "list", options=opts, option_codes=codes, list_name=list_name("scale", scale.id), expected=words
        )
    if vt == "yes_no":
        return Rule(
            "list", options=YES_NO, option_codes=("yes", "no"), list_name="list_yes_no", expected="Yes or No"
        )
    if vt == "date":
        return Rule("date", expected="a date, for example 31/03/2026")
    return Rule("text", maximum=MAX_TEXT, expected=f"text of up to {MAX_TEXT} characters")


def excel_serial(d: dt.date) -> int:
    """The spreadsheet serial number of a date (1900 date system)."""
    return (d - EXCEL_EPOCH).days
