"""Where everything goes in a workbook: a pure function of the catalogue.

The template writer draws this layout and the reader (issue 3) reads it back, so a cell's
meaning is decided in one place. Rows are 1-based, as a spreadsheet user sees them.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Literal

from generator.catalogue.model import Item
from generator.catalogue.sections import Catalogue, Section
from generator.workbook.rules import MAX_TEXT, YES_NO, Rule, list_name, rule_for

RETURN_SHEET = "Return"
DETAILS_SHEET = "Your details"
COVER_SHEET = "Cover"
GUIDANCE_SHEET = "Guidance"
LISTS_SHEET = "Lists"
META_SHEET = "_meta"

HEADER_ROW = 4  # the Return and Your details tables start here; rows 1-3 are title and notes
ANSWER_COL = "E"  # the yellow "Your answer" column on the Return sheet
CHECK_COL = "F"
RETURN_COLUMNS = (
    "Item ID",
    "Topic",
    "Question",
    "Breakdown",
    "Your answer (enter here)",
    "Check",
    "What to enter",
)
DETAILS_ANSWER_COL = "C"
DETAILS_CHECK_COL = "D"
DETAILS_COLUMNS = ("Field", "Description", "Your answer (enter here)", "Check", "What to enter")

FIRST_FY, LAST_FY = 2023, 2030  # financial years offered in the period drop-down

Part = Literal["value", "numerator", "denominator"]


@dataclass(frozen=True)
class InputCell:
    """One cell a person fills in on the Return sheet."""

    row: int
    item: Item
    part: Part
    category: str | None  # breakdown category code
    category_label: str
    question: str
    rule: Rule
    gate_row: int | None  # row of the yes/no item that makes this one required
    relation_row: int | None = None  # numerator: row of its denominator

    # cached: a layout is built once per section and these are looked up for every return read
    @functools.cached_property
    def ref(self) -> str:
        return f"{ANSWER_COL}{self.row}"

    @functools.cached_property
    def key(self) -> str:
        """Stable id of this input: ``item[.part][:category]``."""
        k = self.item.id if self.part == "value" else f"{self.item.id}.{self.part}"
        return f"{k}:{self.category}" if self.category else k


PERCENT_TOLERANCE = 1.0  # shares of a whole, each rounded: the workbook and reader allow 99-101


@dataclass(frozen=True)
class SumCheck:
    """A calculated row under a breakdown: the categories' total against the item's total."""

    row: int
    item: Item
    first_row: int
    last_row: int
    total_row: int | None  # None: no total to compare with (shows the sum only)
    total_value: float | None = None  # e.g. 100 for percentage shares
    tolerance: float = 0.0  # how far the sum may be from total_value (shares, each rounded)
    question: str = ""


Row = InputCell | SumCheck


@dataclass(frozen=True)
class DetailField:
    key: str
    label: str
    description: str
    rule: Rule
    required: bool
    row: int

    @property
    def ref(self) -> str:
        return f"{DETAILS_ANSWER_COL}{self.row}"


@dataclass(frozen=True)
class ListBlock:
    """A drop-down list on the Lists sheet, reached through a defined name."""

    name: str
    title: str
    codes: tuple[str, ...]
    texts: tuple[str, ...]
    first_row: int = 0

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.texts) - 1


@dataclass(frozen=True)
class Layout:
    section: Section
    rows: tuple[Row, ...]
    details: tuple[DetailField, ...]
    lists: tuple[ListBlock, ...]
    input_cells: tuple[InputCell, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_cells", tuple(r for r in self.rows if isinstance(r, InputCell)))

    @property
    def last_row(self) -> int:
        return self.rows[-1].row if self.rows else HEADER_ROW


@functools.cache  # called for every published row: the answer never changes
def periods(frequency: str) -> tuple[str, ...]:
    """Reporting periods offered: UK financial years ("2025-26") or their quarters."""
    out: list[str] = []
    for y in range(FIRST_FY, LAST_FY + 1):
        fy = f"{y}-{(y + 1) % 100:02d}"
        if frequency == "quarterly":
            out.extend(f"{fy} Q{q}" for q in range(1, 5))
        else:
            out.append(fy)
    return tuple(out)


def example_period(frequency: str) -> str:
    """A period of this frequency to show in a message: "2025-26 Q1" or "2025-26"."""
    return next(p for p in periods(frequency) if p.startswith("2025-26"))


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period code such as ``2025-26`` or ``2025-26 Q3``."""
    fy, _, q = period.partition(" Q")
    start_year = int(fy[:4])
    if not q:
        return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)
    n = int(q)
    month = 4 + 3 * (n - 1)
    year = start_year + (month > 12)
    month = (month - 1) % 12 + 1
    start = dt.date(year, month, 1)
    end_month = month + 2
    end = dt.date(year, end_month + 1, 1) if end_month < 12 else dt.date(year + 1, 1, 1)
    return start, end - dt.timedelta(days=1)


def due_date(section: Section, period: str) -> dt.date:
    """When a section's return for ``period`` is due (its ``due:`` in the catalogue): one rule
    for the ledger, the data-quality table and (as a formula) the Cover."""
    return section.due.date(period_bounds(period)[1], period)


def period_bounds_formula(ref: str) -> tuple[str, str]:
    """:func:`period_bounds` as spreadsheet expressions (first day, last day) of the period in
    ``ref``, once it is a valid period: a quarter ends on day 0 of the month after it."""
    p = f"TRIM({ref})"
    y = f"VALUE(LEFT({p},4))"
    q = f"IF(LEN({p})>7,VALUE(RIGHT({p},1)),4)"
    start = f"IF(LEN({p})>7,DATE({y},3*{q}+1,1),DATE({y},4,1))"
    return start, f"DATE({y},3*{q}+4,0)"


def _question(item: Item, part: Part, category_label: str, denom_label: str | None) -> str:
    """The Question column.

    Ratings, choices, yes/no, dates and text show the instrument's own question: it is the
    statement being answered. Counts show the short title plus which count the row asks for,
    because their source wording ("% Age") is a heading, not something to enter.
    """
    if item.value_type in ("rating", "choice", "yes_no", "date", "text"):
        return item.question
    if part == "denominator":
        return f"{item.title}: {denom_label}"
    if part == "numerator" and not category_label and item.numerator and item.numerator.label:
        return f"{item.title}: {item.numerator.label}"
    return item.title


_LAYOUTS: dict[tuple[int, int], tuple[Section, Catalogue, Layout]] = {}


def build_layout(section: Section, catalogue: Catalogue) -> Layout:
    """Lay out a section's Return sheet, details and lists.

    Remembered for the same section and catalogue objects (by identity, so a catalogue edited
    in memory is never confused with another): the reader lays out every return it reads.
    """
    key = (id(section), id(catalogue))
    hit = _LAYOUTS.get(key)
    if hit and hit[0] is section and hit[1] is catalogue:
        return hit[2]
    layout = _lay_out(section, catalogue)
    if len(_LAYOUTS) >= 64:
        _LAYOUTS.clear()
    _LAYOUTS[key] = (section, catalogue, layout)  # held, so their ids cannot be reused meanwhile
    return layout


def _lay_out(section: Section, catalogue: Catalogue) -> Layout:
    rows: list[Row] = []
    where: dict[str, int] = {}  # "ITEM" / "ITEM.numerator" -> row, for denominators and gates
    r = HEADER_ROW + 1

    def add_input(item: Item, part: Part, cat: str | None, cat_label: str, **kw: object) -> int:
        nonlocal r
        scale = catalogue.scales.get(item.scale or "")
        denom_label = item.denominator.label if item.denominator else None
        gate = where.get(item.required_when_yes) if item.required_when_yes else None
        rows.append(
            InputCell(
                row=r,
                item=item,
                part=part,
                category=cat,
                category_label=cat_label,
                question=_question(item, part, cat_label, denom_label),
                rule=rule_for(item, scale, part),
                gate_row=gate,
                **kw,  # type: ignore[arg-type]
            )
        )
        r += 1
        return r - 1

    def add_breakdown(item: Item, part: Part, cats: list[tuple[str, str]], denom_row: int | None) -> None:
        """One input per category, then a calculated total row that checks them."""
        nonlocal r
        first = r
        for code, label in cats:
            add_input(item, part, code, label, relation_row=denom_row)
        exhaustive = item.breakdown_exhaustive
        rows.append(
            SumCheck(
                row=r,
                item=item,
                first_row=first,
                last_row=r - 1,
                total_row=denom_row if exhaustive else None,
                total_value=100.0 if item.value_type == "percentage" and exhaustive else None,
                tolerance=PERCENT_TOLERANCE if item.value_type == "percentage" else 0.0,
                question=f"{item.title}: total of the rows above",
            )
        )
        r += 1

    for item in section.items:
        cats = []
        if item.breakdown:
            bd = catalogue.breakdowns[item.breakdown]
            cats = [(c.code, c.label) for c in bd.categories if c.code not in item.exclude_categories]
        if item.value_type == "proportion":
            assert item.numerator and item.denominator
            if item.denominator.label is not None:
                denom_row = add_input(item, "denominator", None, "")
                where[f"{item.id}.denominator"] = denom_row
            else:
                assert item.denominator.item is not None
                denom_row = where[item.denominator.item]
            if cats:
                add_breakdown(item, "numerator", cats, denom_row)
            else:
                where[f"{item.id}.numerator"] = add_input(item, "numerator", None, "", relation_row=denom_row)
        elif cats:
            add_breakdown(item, "value", cats, None)
        else:
            where[item.id] = add_input(item, "value", None, "")

    details = _details(section)
    lists = _lists(section, catalogue)
    return Layout(section=section, rows=tuple(rows), details=details, lists=lists)


def _details(section: Section) -> tuple[DetailField, ...]:
    org = "commissioning organisation" if section.completed_by == "commissioner" else "provider"
    text = Rule("text", maximum=100, expected="text of up to 100 characters")
    code = Rule("text", maximum=20, expected="a code of up to 20 characters")
    specs = [
        ("area_code", "Area code", "The code of the area this return covers.", code, True),
        ("area_name", "Area name", "The name of the area this return covers.", text, True),
        ("organisation_code", "Organisation code", f"The code of the {org} making this return.", code, True),
        ("organisation_name", "Organisation name", f"The name of the {org} making this return.", text, True),
        (
            "period",
            "Reporting period",
            "UK financial year (April to March)"
            + (
                " and quarter: Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March."
                if section.frequency == "quarterly"
                else "."
            ),
            Rule(
                "list",
                options=periods(section.frequency),
                list_name=list_name("period", section.frequency),
                expected="a reporting period from the list",
            ),
            True,
        ),
        ("contact_name", "Contact name", "Who to ask about this return (a work contact).", text, False),
        (
            "contact_email",
            "Contact email",
            "A work email address for questions about this return.",
            text,
            False,
        ),
        (
            "completed_date",
            "Date completed",
            "The date you finished this return.",
            Rule("date", expected="a date, for example 31/03/2026"),
            False,
        ),
    ]
    return tuple(
        DetailField(key=k, label=lab, description=d, rule=rule, required=req, row=HEADER_ROW + 1 + n)
        for n, (k, lab, d, rule, req) in enumerate(specs)
    )


def _lists(section: Section, catalogue: Catalogue) -> tuple[ListBlock, ...]:
    blocks = [
        ListBlock(
            list_name("period", section.frequency),
            "Reporting periods",
            periods(section.frequency),
            periods(section.frequency),
        )
    ]
    if any(i.value_type == "yes_no" for i in section.items):
        blocks.append(ListBlock("list_yes_no", "Yes or No", ("yes", "no"), YES_NO))
    seen: set[str] = set()
    for item in section.items:
        if item.scale and item.scale not in seen:
            seen.add(item.scale)
            sc = catalogue.scales[item.scale]
            blocks.append(
                ListBlock(
                    list_name("scale", sc.id),
                    sc.title,
                    tuple(str(p.value) for p in sc.points),
                    sc.dropdown_labels(),
                )
            )
    out: list[ListBlock] = []
    row = 3  # Lists sheet: title in row 1, header in row 2, lists from row 3
    for b in blocks:
        out.append(ListBlock(b.name, b.title, b.codes, b.texts, first_row=row))
        row += len(b.texts)
    return tuple(out)


__all__ = ["MAX_TEXT", "Layout", "build_layout", "period_bounds", "periods"]
