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

from generator.catalogue.model import Item, Scale

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_COUNT = 10_000_000  # far above any service's caseload; catches a pasted phone number
MAX_MONEY = 1_000_000_000
MAX_TEXT = 2000
EXCEL_EPOCH = dt.date(1899, 12, 30)

RuleKind = Literal["whole", "decimal", "list", "date", "text"]


# a return is completed after its period ends and not after the day it is read (warnings: a
# provider may fill in most of it early); the workbook's check (formulas.py) and the
# reader's (intake/values.py) say it in these words
COMPLETED_EARLY = (
    "before the reporting period ended: check the date, and that the figures cover the whole period"
)
COMPLETED_LATER = "a date still to come: check the year"
BEFORE_START = "before the reporting period starts"


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
                return "not-a-number", f"expected {self.expected}, found {found_words(value)}"
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
            if self.option_index(value) is None:
                found = "" if isinstance(value, str) else f", found {found_words(value)}"
                return "not-in-list", f"expected one of the drop-down choices ({self.expected}){found}"
            return None
        if self.kind == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if not isinstance(value, dt.date):
                return "not-a-date", f"expected {self.expected}, found {found_words(value)}"
            if not EARLIEST_DATE <= value <= LATEST_DATE:
                return "date-outside-period", f"expected {self.expected}, found {value.isoformat()}"
            return None
        # text
        if not isinstance(value, str):
            return "not-in-list", f"expected {self.expected}, found {found_words(value)}"
        if self.maximum is not None and len(value) > self.maximum:
            return "text-too-long", f"expected at most {int(self.maximum)} characters, found {len(value)}"
        return None

    def option_index(self, value: object) -> int | None:
        """Which drop-down choice ``value`` is, forgiving typography but not meaning: case,
        spaces around and between words, and curly quotes (text pasted from a document), as
        the workbook's check matches (:func:`loose_formula`)."""
        if not isinstance(value, str):
            return None
        wanted = loose(value)
        for i, option in enumerate(self.options):
            if loose(option) == wanted:
                return i
        return None

    # -- Spreadsheet side ----------------------------------------------------------------
    def to_xlsxwriter(self, title: str, prompt: str) -> dict[str, object]:
        """The options for ``worksheet.data_validation``; errors stop the entry."""
        common: dict[str, object] = {
            "input_title": short_title(title),
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
            parts = [f"NOT(ISLOGICAL({ref}))", f"NOT({is_date_formula(ref)})"]
            if self.minimum is not None:
                parts.append(f"{ref}>={fmt(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"{ref}<={fmt(self.maximum)}")
            if self.kind == "whole":
                parts.append(f"{ref}=INT({ref})")
            # IF, not AND, guards the number: AND evaluates every part, and INT("n/a") is #VALUE!
            return f"IF(ISNUMBER({ref}),AND({','.join(parts)}),FALSE)"
        if self.kind == "list":
            return f"SUMPRODUCT(--(UPPER({self.list_name})={loose_formula(ref)}))>0"
        if self.kind == "date":
            lo, hi = EARLIEST_DATE, LATEST_DATE
            return (
                f"IF(ISNUMBER({ref}),AND(NOT(ISLOGICAL({ref})),{ref}>=DATE({lo.year},{lo.month},{lo.day}),"
                f"{ref}<=DATE({hi.year},{hi.month},{hi.day})),FALSE)"
            )
        return f"AND(NOT(ISLOGICAL({ref})),LEN({ref})<={int(self.maximum or MAX_TEXT)})"

    def bare_rating_formula(self, ref: str) -> str:
        """True when ``ref`` holds a rating's bare number (3, or the text "3") that is on the
        scale: read as that point, as the reader does (:meth:`bare_rating`)."""
        return f'SUMPRODUCT(--(LEFT({self.list_name},LEN(TRIM({ref}))+3)=TRIM({ref})&" = "))>0'

    def bare_rating(self, value: object) -> int | None:
        """Index of the scale point meant by a bare '3' or 3 pasted into a rating cell."""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        text = fmt(value) if isinstance(value, int | float) else loose(value)
        for idx, option in enumerate(self.options):
            if option.split(" = ", 1)[0] == text:
                return idx
        return None


TYPOGRAPHY = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}


def loose(text: str) -> str:
    """Text as a list answer is matched: curly quotes straightened, runs of spaces one space and
    none at either end (a spreadsheet's TRIM), upper case (a spreadsheet's "=" ignores case)."""
    for curly, straight in TYPOGRAPHY.items():
        text = text.replace(curly, straight)
    return " ".join(w for w in text.split(" ") if w).upper()


def loose_formula(ref: str) -> str:
    """:func:`loose` as a spreadsheet expression of the cell ``ref``."""
    expr = ref
    for curly, straight in TYPOGRAPHY.items():
        expr = f'SUBSTITUTE({expr},"{curly}","{straight.replace(chr(34), chr(34) * 2)}")'
    return f"UPPER(TRIM({expr}))"


def blank_formula(ref: str) -> str:
    """True when ``ref`` holds nothing or spaces only, as the reader takes a blank."""
    return f"LEN(TRIM({ref}))=0"


def is_formula_formula(ref: str) -> str:
    """True when ``ref`` holds a formula, which the reader refuses in an answer cell (LibreOffice
    saves a typed TRUE as the formula TRUE()). Where ISFORMULA is not known, taken as none."""
    return f"IFERROR(_xlfn.ISFORMULA({ref}),FALSE)"  # _xlfn.: how a file names a 2013 function


def is_date_formula(ref: str) -> str:
    """True when ``ref`` is shown as a date or time (its format), as the reader sees a date: a
    date typed into a number cell is a number to a spreadsheet. Where CELL("format") is not
    known (an error), the cell is taken as no date."""
    return f'IFERROR(LEFT(CELL("format",{ref}),1)="D",FALSE)'


def found_words(value: object) -> str:
    """What a cell held, in a provider's words, for "expected ..., found ..." messages."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return "a date or time"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    return "text"


TITLE_LIMIT = 32  # characters a spreadsheet keeps of an input message's title


def short_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """A title within ``limit`` characters, cut after a whole word (with an ellipsis), never in
    the middle of one."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-(")
    return cut + "\u2026"


def fmt(x: float) -> str:
    """A number as a spreadsheet or a person would write it: 100 not 100.0."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def list_name(kind: str, ident: str) -> str:
    """A workbook defined name for a drop-down list (letters, digits, underscores only)."""
    return f"list_{kind}_{ident}"


YES_NO = ("Yes", "No")


def says_yes(value: object) -> bool:
    """A Yes/No gate answered Yes (as typed: any case, spaces around)."""
    return isinstance(value, str) and loose(value) == "YES"


def says_yes_formula(ref: str) -> str:
    """:func:`says_yes` as a spreadsheet expression."""
    return f'IF(ISTEXT({ref}),{loose_formula(ref)}="YES",FALSE)'


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
