"""Write a section's collection workbook (.xlsx) from its layout.

XlsxWriter rather than openpyxl writes the templates: its files open in Excel without
"repair" prompts, it supports every feature used here (input prompts, stop-style validation,
defined names, custom properties, sheet protection) and it stamps every zip member with the
same date, so the same catalogue gives byte-identical workbooks. openpyxl is kept for reading
templates back in tests.

Design follows the Analysis Function's guidance on accessible spreadsheets: title in A1,
no merged cells, one header row per table, no blank rows inside tables, meaningful sheet
names, and colour never the only signal (every coloured cell also says what it means).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from generator import __version__
from generator.catalogue.model import Item
from generator.catalogue.sections import Catalogue, Section
from generator.workbook.crosschecks import AFTER_PERIOD, MORE_THAN_TOTAL, Bound, on_row, valid_rows_formula
from generator.workbook.layout import (
    ANSWER_COL,
    CHECK_COL,
    COVER_SHEET,
    DETAILS_CHECK_COL,
    DETAILS_COLUMNS,
    DETAILS_SHEET,
    GUIDANCE_SHEET,
    HEADER_ROW,
    LISTS_SHEET,
    META_SHEET,
    RETURN_COLUMNS,
    RETURN_SHEET,
    DetailField,
    InputCell,
    Layout,
    SumCheck,
    build_layout,
    period_bounds_formula,
)
from generator.workbook.rules import (
    BEFORE_START,
    COMPLETED_EARLY,
    COMPLETED_LATER,
    Rule,
    blank_formula,
    excel_serial,
    fmt,
    is_formula_formula,
    says_yes_formula,
)

PRIVACY = (
    "This return is used to calculate the employment support key performance indicators for your "
    "area and to compare them with other areas. Only totals are published, after disclosure control: "
    "counts of 1 to 4 people are never shown, other counts are rounded, and every published figure is "
    "worked out from the rounded counts, so no one can be identified from them. Text answers are not "
    "published unless the analyst who collects returns approves them, and must never name or describe "
    "a client."
)
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1)  # core.xml dates: fixed so output is reproducible
COVER_WIDTH = 100
RETURN_WIDTHS = (24, 24, 50, 24, 44, 32, 60)
GUIDANCE_WIDTHS = (20, 22, 30, 45, 55, 22, 12, 14, 40, 16, 40, 24, 50)

# Colours: the input fill is the usual pale yellow; status fills support (never replace) the text.
INPUT_FILL = "#FFF2CC"
OK_FILL = "#E2F0D9"
TODO_FILL = "#FCE4D6"
PROBLEM_FILL = "#F4CCCC"
HEADER_FILL = "#12436D"  # Analysis Function dark blue, white text: contrast 10.4:1

ROLE_TEXT = {
    "commissioner": "commissioner",
    "provider": "provider",
    "nhs_trust": "NHS trust",
}
VALUE_TYPE_TEXT = {
    "count": "Whole number (0 or more)",
    "proportion": "Whole number (0 or more)",
    "percentage": "Percentage, 0 to 100 (no % sign)",
    "rating": "Choose a rating from the list",
    "choice": "Choose from the list",
    "yes_no": "Choose Yes or No",
    "money": "Amount in pounds (no £ sign needed)",
    "number": "Number (decimals allowed)",
    "date": "Date (dd/mm/yyyy)",
    "text": "Text (no names or details that identify a person)",
}
POLARITY_TEXT = {
    "higher_better": "Higher is better",
    "lower_better": "Lower is better",
    "no_judgement": "No judgement (context)",
}
FREQUENCY_TEXT = {
    "quarterly": "Quarterly: one return for each quarter of the UK financial year",
    "annual": "Annual: one return for each UK financial year (April to March)",
}


@dataclass(frozen=True)
class Identity:
    """Values to pre-fill on the 'Your details' sheet for one organisation."""

    area_code: str
    area_name: str
    organisation_code: str
    organisation_name: str
    period: str

    def as_dict(self) -> dict[str, str]:
        return {
            "area_code": self.area_code,
            "area_name": self.area_name,
            "organisation_code": self.organisation_code,
            "organisation_name": self.organisation_name,
            "period": self.period,
        }


def template_filename(section: Section, identity: Identity | None = None) -> str:
    if identity is None:
        return f"{section.template_id}.xlsx"
    safe = "_".join(
        "".join(ch if ch.isalnum() or ch in "-" else "-" for ch in part)
        for part in (identity.period, identity.area_code, identity.organisation_code)
    )
    return f"{section.template_id}_{safe}.xlsx"


def render_template(
    section: Section,
    catalogue: Catalogue,
    identity: Identity | None = None,
    answers: Mapping[str, object] | None = None,
    details: Mapping[str, object] | None = None,
) -> bytes:
    """The workbook for ``section`` as bytes: deterministic for the same inputs.

    ``answers`` (input key -> value, see :attr:`InputCell.key`) pre-fills the Return sheet and
    ``details`` the other 'Your details' fields (contact, date); the demo returns are made this
    way, through the real template.
    """
    layout = build_layout(section, catalogue)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "nan_inf_to_errors": True})
    _properties(wb, section, catalogue)
    styles = _Styles(wb)
    _cover(wb.add_worksheet(COVER_SHEET), section, catalogue, layout, styles)
    _details_sheet(wb.add_worksheet(DETAILS_SHEET), section, layout, styles, identity, details or {})
    _return_sheet(wb.add_worksheet(RETURN_SHEET), section, layout, styles, answers or {}, identity)
    _guidance_sheet(wb.add_worksheet(GUIDANCE_SHEET), section, catalogue, styles)
    _lists_sheet(wb, wb.add_worksheet(LISTS_SHEET), layout, styles)
    _meta_sheet(wb.add_worksheet(META_SHEET), section, catalogue, layout, styles)
    for ws in wb.worksheets():
        _print_marks(ws, section, identity)
    wb.close()
    return lock_structure(buf.getvalue())


STRUCTURE_LOCK = b'<workbookProtection lockStructure="1"/>'


def lock_structure(xlsx: bytes) -> bytes:
    """The workbook's structure locked (no sheet added, deleted, renamed or moved) where the
    format keeps it: XlsxWriter protects sheets, not the workbook, so the element is put in its
    place in workbook.xml, after ``workbookPr``. No password: it stops accidents, not people,
    and the reader never relies on it (a LibreOffice re-save may drop it)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():  # same names, order, dates and compression: deterministic
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                end = data.index(b"/>", data.index(b"<workbookPr")) + 2
                data = data[:end] + STRUCTURE_LOCK + data[end:]
            dst.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()


# --------------------------------------------------------------------------------------
class _Styles:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "Arial", "font_size": 11, "valign": "top"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16})
        self.subtitle = wb.add_format({**base, "bold": True, "font_size": 13})
        self.text = wb.add_format({**base, "text_wrap": True})
        self.plain = wb.add_format(base)
        self.bold = wb.add_format({**base, "bold": True, "text_wrap": True})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": HEADER_FILL,
                "text_wrap": True,
                "border": 1,
            }
        )
        self.cell = wb.add_format({**base, "text_wrap": True, "border": 1, "border_color": "#BFBFBF"})
        self.check = wb.add_format({**base, "text_wrap": True, "border": 1, "border_color": "#BFBFBF"})
        self.calc = wb.add_format(
            {**base, "border": 1, "border_color": "#BFBFBF", "bg_color": "#F2F2F2", "num_format": "0.##"}
        )
        inp = {**base, "locked": False, "bg_color": INPUT_FILL, "border": 2, "border_color": "#7F6000"}
        self.input = {
            "whole": wb.add_format({**inp, "num_format": "0"}),
            "decimal": wb.add_format({**inp, "num_format": "0.##"}),
            "money": wb.add_format({**inp, "num_format": "£#,##0.00"}),
            "date": wb.add_format({**inp, "num_format": "dd/mm/yyyy"}),
            "list": wb.add_format({**inp, "text_wrap": True}),
            "text": wb.add_format({**inp, "text_wrap": True, "num_format": "@"}),
        }
        self.ok = wb.add_format({"bg_color": OK_FILL})
        self.todo = wb.add_format({"bg_color": TODO_FILL})
        self.problem = wb.add_format({"bg_color": PROBLEM_FILL, "bold": True})

    def for_input(self, item: Item | None, rule: Rule) -> object:
        if item is not None and item.value_type == "money":
            return self.input["money"]
        return self.input[rule.kind]


def _properties(wb: Workbook, section: Section, catalogue: Catalogue) -> None:
    wb.set_properties(
        {
            "title": f"Employment support KPIs - Section {section.section}: {section.title}",
            "subject": "Key performance indicator return",
            "author": "kpi generator",
            "company": "",
            "comments": f"Template {section.template_id} version {section.version}",
            "created": FIXED_TIMESTAMP,
        }
    )
    # Strings only: LibreOffice turns integer properties into floats on re-save.
    for name, value in _meta_pairs(section, catalogue):
        wb.set_custom_property(name, value, "text")


def _meta_pairs(section: Section, catalogue: Catalogue) -> list[tuple[str, str]]:
    return [
        ("kpi_template_id", section.template_id),
        ("kpi_section", section.section),
        ("kpi_template_version", section.version),
        ("kpi_catalogue_digest", catalogue.section_digests[section.section][:16]),
        ("kpi_generator_version", __version__),
    ]


LINE_HEIGHT = 15.0  # points per line of 11-point Arial


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (a cautious estimate)."""
    usable = max(width * 1.05 - 1, 1)
    return sum(max(1, -(-len(part) // int(usable))) for part in str(text).split("\n"))


def _fit_row(ws: Worksheet, row0: int, cells: list[tuple[str, float]], minimum: int = 1) -> None:
    """Set a row's height so its wrapped text shows: spreadsheet programs do not do this on open."""
    n = max([minimum] + [_lines(t, w) for t, w in cells])
    ws.set_row(row0, LINE_HEIGHT * n + 3)


PRINT_SCALE = 85  # percent, for the wide Guidance: its 11 pt text prints at 9.35 pt


def _page_setup(ws: Worksheet, header_row0: int | None = None, scale: int | None = None) -> None:
    """Print landscape, one page wide, with the table header repeated; with ``scale``, at that
    size instead, across as many pages as it takes, the first column on each (a table too wide
    for one page would otherwise shrink to an unreadable size)."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if scale is None:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(scale)
        ws.repeat_columns(0, 0)
        ws.print_across()
    if header_row0 is not None:
        ws.repeat_rows(header_row0)


def _print_marks(ws: Worksheet, section: Section, identity: Identity | None) -> None:
    """Every printed page says what it is: the template and its version, the sheet and the page
    in the footer; the organisation and the period in the header when the workbook was made
    for one (a blank template's Return shows them in its repeated title row instead)."""

    def esc(text: str) -> str:  # "&" starts a code in a header or footer
        return text.replace("&", "&&")

    ws.set_footer(f"&L{esc(section.template_id)} v{esc(section.version)}&C&A&RPage &P of &N")
    if identity is not None:
        who = f"{identity.organisation_name[:80]} ({identity.organisation_code[:20]})"
        ws.set_header(f"&L{esc(who)}&R{esc(identity.period[:20])}")  # within Excel's 255 characters


def _protect(ws: Worksheet) -> None:
    """Sheet protection as accident prevention: no password, columns and rows resizable."""
    ws.protect(
        "",
        {
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
            "autofilter": True,
        },
    )


def _status_formats(ws: Worksheet, rng: str, s: _Styles) -> None:
    ws.conditional_format(
        rng, {"type": "text", "criteria": "begins with", "value": "Problem", "format": s.problem}
    )
    ws.conditional_format(
        rng, {"type": "text", "criteria": "begins with", "value": "To do", "format": s.todo}
    )
    ws.conditional_format(rng, {"type": "text", "criteria": "begins with", "value": "OK", "format": s.ok})


def _cover(ws: Worksheet, section: Section, catalogue: Catalogue, layout: Layout, s: _Styles) -> None:
    ws.set_column("A:A", COVER_WIDTH, s.text)
    ws.hide_gridlines(2)
    _page_setup(ws)
    # one page, scaled to fit: the whole instruction sheet in a provider's hand
    ws.fit_to_pages(1, 1)
    return_checks = f"{RETURN_SHEET}!{CHECK_COL}{HEADER_ROW + 1}:{CHECK_COL}{layout.last_row}"
    details_checks = (
        f"'{DETAILS_SHEET}'!{DETAILS_CHECK_COL}{HEADER_ROW + 1}:"
        f"{DETAILS_CHECK_COL}{HEADER_ROW + len(layout.details)}"
    )

    def count(pattern: str) -> str:
        return f'COUNTIF({return_checks},"{pattern}")+COUNTIF({details_checks},"{pattern}")'

    todo, problems, answered = count("To do"), count("Problem*"), count("OK*")
    n_inputs = len(layout.input_cells) + len(layout.details)
    docs = sorted({ref.document for ref in section.sources} | {i.source.document for i in section.items})
    lines: list[tuple[str, object]] = [
        (f"Employment support KPIs - Section {section.section}: {section.title}", s.title),
        ("What this return is", s.subtitle),
        (section.purpose, s.text),
        ("Who completes it", s.subtitle),
        (section.completed_by_text + ".", s.text),
        ("Reporting period", s.subtitle),
        (FREQUENCY_TEXT[section.frequency] + ". Choose the period on the 'Your details' sheet.", s.text),
        (due_formula(section, layout), s.bold),
        ("How to fill it in", s.subtitle),
        (
            "1. On the 'Your details' sheet, fill in the yellow cells headed 'Your answer (enter here)'.",
            s.text,
        ),
        (
            "2. On the 'Return' sheet, answer every question in the yellow 'Your answer (enter here)' "
            "column. Click a cell to see what it asks for; drop-down lists show the allowed answers, "
            "including the full wording of each rating.",
            s.text,
        ),
        (
            "3. The 'Check' column next to each answer says 'To do', 'OK' or 'Problem' with what to fix "
            "(for example a number larger than its total, or breakdowns that do not add up).",
            s.text,
        ),
        ("4. The 'Guidance' sheet gives every item's full definition and where it comes from.", s.text),
        ("Privacy", s.subtitle),
        (PRIVACY, s.text),
        (
            "Enter numbers of people only. Never enter names, dates of birth or any detail that could "
            "identify a person, including in text answers.",
            s.bold,
        ),
        ("Progress (updates as you type)", s.subtitle),
        (f'="Answers still to do: "&({todo})', s.text),
        (f'="Problems to fix: "&({problems})', s.text),
        (f'="Answers that pass their checks: "&({answered})&" of {n_inputs}"', s.text),
        ("How to submit", s.subtitle),
        (section.how_to_submit, s.text),
        ("About this template", s.subtitle),
        (
            f"Template {section.template_id}, Section {section.section}, version {section.version}. "
            "Please do not rename, add or delete sheets, rows or columns: "
            "the return is read back automatically.",
            s.text,
        ),
        ("Sources", s.subtitle),
    ]
    for code in docs:
        d = catalogue.documents[code]
        lines.append((f"[{d.code}] {d.author} ({d.year}). {d.title}.", s.text))
    for n, (text, fmt_) in enumerate(lines):
        if isinstance(text, str) and text.startswith("="):
            ws.write_formula(n, 0, text, fmt_, "")
        else:
            ws.write_string(n, 0, str(text), fmt_)
            if n == 0:
                ws.set_row(0, 24)
            elif fmt_ is s.subtitle:
                ws.set_row(n, 21)
            else:
                _fit_row(ws, n, [(str(text), COVER_WIDTH)])
    _protect(ws)
    ws.activate()


def _details_sheet(
    ws: Worksheet,
    section: Section,
    layout: Layout,
    s: _Styles,
    identity: Identity | None,
    details: Mapping[str, object],
) -> None:
    ws.write_string(0, 0, f"Your details - Section {section.section}: {section.title}", s.title)
    ws.write_string(1, 0, "Fill in the yellow cells in the 'Your answer (enter here)' column.", s.plain)
    ws.write_string(2, 0, "The 'Check' column says 'To do', 'OK' or 'Problem' for each answer.", s.plain)
    for c, h in enumerate(DETAILS_COLUMNS):
        ws.write_string(HEADER_ROW - 1, c, h, s.header)
    values: dict[str, object] = {**(identity.as_dict() if identity else {}), **details}
    for f in layout.details:
        r0 = f.row - 1
        ws.write_string(r0, 0, f.label, s.cell)
        ws.write_string(r0, 1, f.description, s.cell)
        _write_input(ws, f.ref, values.get(f.key), s.for_input(None, f.rule), f.rule)
        ws.data_validation(f.ref, f.rule.to_xlsxwriter(f.label, f.description))
        ws.write_formula(f"{DETAILS_CHECK_COL}{f.row}", _check_formula_details(f, layout), s.check, "")
        ws.write_string(r0, 4, f.rule.expected[0].upper() + f.rule.expected[1:], s.cell)
        _fit_row(ws, r0, [(f.description, 50), (f.rule.expected, 40)], minimum=2)
    ws.set_row(0, 24)
    _page_setup(ws, HEADER_ROW - 1)
    ws.set_column("A:A", 22)
    ws.set_column("B:B", 50)
    ws.set_column("C:C", 34)
    ws.set_column("D:D", 30)
    ws.set_column("E:E", 40)
    ws.freeze_panes(HEADER_ROW, 0)
    _status_formats(
        ws, f"{DETAILS_CHECK_COL}{HEADER_ROW + 1}:{DETAILS_CHECK_COL}{HEADER_ROW + len(layout.details)}", s
    )
    _protect(ws)


def due_formula(section: Section, layout: Layout) -> str:
    """The Cover's due date, from the period chosen on 'Your details' and the section's `due:`
    (the catalogue's rule, as the ledger and the data-quality table apply it)."""
    valid, _, end = _period(layout)
    period = f"TRIM({_period_cell(layout)})"
    after = f"within {section.due.days_after_period} days of the period's end"
    day = f'TEXT({end}+{section.due.days_after_period},"dd/mm/yyyy")&" ({after})"'
    for p, iso in sorted(section.due.dates.items()):  # a period given its own date says so
        d = dt.date.fromisoformat(iso)
        day = f'IF({period}="{p}","{d:%d/%m/%Y} (the date set for {p})",{day})'
    hint = f"{after}; choose the period on the Your details sheet to see the date"
    return f'="Due by: "&IF({valid},{day},"{hint}")'


def _period(layout: Layout) -> tuple[str, str, str]:
    """The period answer, as another sheet reads it: (TRUE when it is a valid period, its first
    day, its last day)."""
    ref = _period_cell(layout)
    start, end = period_bounds_formula(ref)
    rule = next(f.rule for f in layout.details if f.key == "period")
    return rule.valid_formula(ref), start, end


def _period_cell(layout: Layout) -> str:
    """The period answer's cell, as another sheet names it."""
    return f"'{DETAILS_SHEET}'!" + next(f.ref for f in layout.details if f.key == "period")


def _check_formula_details(f: DetailField, layout: Layout) -> str:
    blank = '"To do"' if f.required else '"OK (optional)"'
    ok = '"OK"'
    if f.key == "completed_date":  # within the period's dates, as the reader checks
        valid, start, end = _period(layout)
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


def _write_input(ws: Worksheet, ref: str, value: object, fmt_: object, rule: Rule) -> None:
    if value is None or value == "":
        ws.write_blank(ref, None, fmt_)
    elif isinstance(value, bool):
        ws.write_string(ref, "Yes" if value else "No", fmt_)
    elif isinstance(value, int | float):
        ws.write_number(ref, value, fmt_)
    elif isinstance(value, dt.date):
        d = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        ws.write_datetime(ref, d, fmt_)
    else:
        ws.write_string(ref, str(value), fmt_)


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
    the cross-item rules shown on its row; ``period`` (for a date): see :func:`_period`."""
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


def _return_sheet(
    ws: Worksheet,
    section: Section,
    layout: Layout,
    s: _Styles,
    answers: Mapping[str, object],
    identity: Identity | None = None,
) -> None:
    # the title row names the organisation and period as typed on 'Your details', and is
    # repeated on every printed page with the table's header
    title = f"Return - Section {section.section}: {section.title}"
    ref = {f.key: f"'{DETAILS_SHEET}'!{f.ref}" for f in layout.details}
    who = f'" - "&{ref["organisation_name"]}&" ("&{ref["organisation_code"]}&"), "&{ref["period"]}'
    ws.write_formula(
        0,
        0,
        f'="{title.replace(chr(34), chr(34) * 2)}"&IF(LEN(TRIM({ref["organisation_code"]}))=0,"",{who})',
        s.title,
        # the value shown before a recalculation (LibreOffice shows it until something changes)
        title
        if identity is None
        else f"{title} - {identity.organisation_name} ({identity.organisation_code}), {identity.period}",
    )
    ws.write_string(
        1,
        0,
        "Answer in the yellow 'Your answer (enter here)' column. Click a cell to see what it asks for.",
        s.plain,
    )
    ws.write_string(
        2,
        0,
        "The 'Check' column says 'To do', 'OK' or 'Problem' with what to fix. "
        "Grey cells are calculated for you.",
        s.plain,
    )
    for c, h in enumerate(RETURN_COLUMNS):
        ws.write_string(HEADER_ROW - 1, c, h, s.header)
    topic = {i.id: g.title for g in section.groups for i in g.items}
    for row in layout.rows:
        r0 = row.row - 1
        ws.write_string(r0, 0, row.item.id, s.cell)
        ws.write_string(r0, 1, topic[row.item.id], s.cell)
        ws.write_string(r0, 2, row.question, s.cell)
        if isinstance(row, InputCell):
            ws.write_string(r0, 3, row.category_label, s.cell)
            _write_input(ws, row.ref, answers.get(row.key), s.for_input(row.item, row.rule), row.rule)
            prompt = _prompt(row)
            ws.data_validation(row.ref, row.rule.to_xlsxwriter(row.item.title, prompt))
            ws.write_formula(
                f"{CHECK_COL}{row.row}",
                check_formula(
                    row, on_row(layout, row.row), _period(layout) if row.item.value_type == "date" else None
                ),
                s.check,
                "",
            )
            what = _what_to_enter(row)
            ws.write_string(r0, 6, what, s.cell)
        else:
            ws.write_string(r0, 3, "Total (calculated)", s.cell)
            ws.write_formula(
                f"{ANSWER_COL}{row.row}",
                f'=IFERROR(SUM({ANSWER_COL}{row.first_row}:{ANSWER_COL}{row.last_row}),"-")',
                s.calc,
                "",
            )
            total = next((c for c in layout.input_cells if c.row == row.total_row), None)
            ws.write_formula(
                f"{CHECK_COL}{row.row}",
                sum_check_formula(row, total.rule if total else None, on_row(layout, row.row)),
                s.check,
                "",
            )
            ws.write_string(r0, 6, "Nothing to enter: calculated", s.cell)
        what_text = _what_to_enter(row) if isinstance(row, InputCell) else ""
        _fit_row(
            ws,
            r0,
            [
                (row.question, RETURN_WIDTHS[2]),
                (topic[row.item.id], RETURN_WIDTHS[1]),
                (what_text, RETURN_WIDTHS[6]),
            ],
            minimum=2,
        )
    ws.set_row(0, 24)
    ws.set_row(HEADER_ROW - 1, 33)
    _page_setup(ws, HEADER_ROW - 1)
    ws.repeat_rows(0, HEADER_ROW - 1)  # the title (organisation, period) and the header
    for c, w in enumerate(RETURN_WIDTHS):
        ws.set_column(c, c, w)
    ws.freeze_panes(HEADER_ROW, 3)
    ws.autofilter(HEADER_ROW - 1, 0, layout.last_row - 1, len(RETURN_COLUMNS) - 1)
    _status_formats(ws, f"{CHECK_COL}{HEADER_ROW + 1}:{CHECK_COL}{layout.last_row}", s)
    _protect(ws)


def _what_to_enter(cell: InputCell) -> str:
    """The 'What to enter' column; for ratings and choices, every option in full.

    A drop-down is only as wide as its cell, so long rating points are cut off there; the full
    wording of every point is shown here, on the row where the rating is entered.
    """
    what = VALUE_TYPE_TEXT[cell.item.value_type]
    if not cell.item.required:
        what += " - optional" if cell.gate_row is None else " - only if the Yes/No above is Yes"
    if cell.item.value_type in ("rating", "choice"):
        what += ":\n" + "\n".join(cell.rule.options)
    return what


def _prompt(cell: InputCell) -> str:
    item = cell.item
    if cell.part == "denominator" and item.denominator and item.denominator.label:
        lead = item.denominator.label
    elif cell.part == "numerator" and item.numerator and item.numerator.label:
        lead = item.numerator.label + (f" ({cell.category_label})" if cell.category_label else "")
    else:
        lead = item.definition
    if len(lead) > 250:
        lead = lead[:247].rsplit(" ", 1)[0] + "..."
    return lead


def _benchmark_text(item_or_bm: object) -> str:
    bms = getattr(item_or_bm, "benchmarks", ())
    parts = []
    for b in bms:
        val = b.words()
        scope = "" if b.applies_to == "all" else f" [{b.applies_to}]"
        parts.append(f"{b.label}: {val}{scope} (source {b.source.document})")
    return "; ".join(parts)


def _guidance_sheet(ws: Worksheet, section: Section, catalogue: Catalogue, s: _Styles) -> None:
    ws.write_string(0, 0, f"Guidance - every item in Section {section.section}: {section.title}", s.title)
    ws.write_string(
        1,
        0,
        "Each row is one item on the Return sheet: what it means, where it comes from, and any target.",
        s.plain,
    )
    ws.write_string(2, 0, "Source codes refer to the documents listed on the Cover sheet.", s.plain)
    headers = (
        "Item ID",
        "Topic",
        "Title",
        "Question (wording from the source)",
        "Definition: what to enter",
        "Type of answer",
        "Required",
        "Completed by",
        "Breakdown categories",
        "Better if",
        "Targets and benchmarks",
        "Data source",
        "Source document and passage",
    )
    for c, h in enumerate(headers):
        ws.write_string(HEADER_ROW - 1, c, h, s.header)
    r0 = HEADER_ROW
    for g in section.groups:
        for i in g.items:
            cats = ""
            if i.breakdown:
                cats = "; ".join(
                    c.label
                    for c in catalogue.breakdowns[i.breakdown].categories
                    if c.code not in i.exclude_categories
                )
            if i.scale:
                sc = catalogue.scales[i.scale]
                cats = " | ".join(sc.dropdown_labels())
            req = (
                "Yes" if i.required else ("If the Yes/No gate is Yes" if i.required_when_yes else "Optional")
            )
            definition = i.definition
            if i.value_type == "proportion" and i.numerator and i.denominator:
                den = i.denominator.label or f"taken from item {i.denominator.item}"
                definition += f" Numerator: {i.numerator.label}. Denominator: {den}."
            if i.note:
                definition += f" Note: {i.note}"
            if i.since:
                definition += f" Added in template version {i.since}."
            for rule in i.checks:  # the rules across items its Check cell applies, in the same words
                definition += f" Checked: {rule.says.rstrip('.')}" + (
                    f" (from version {rule.since})." if rule.since else "."
                )
            if i.history is not None:
                definition += (
                    f" Compared with your earlier returns: a value over {fmt(i.history.factor)} times, or "
                    f"under 1/{fmt(i.history.factor)} of, the median of your last {i.history.periods} "
                    f"periods, and by {fmt(i.history.at_least)} or more, is queried (a warning)."
                )
            src = f'[{i.source.document}] {i.source.section}: "{i.source.passage}"'
            values = (
                i.id,
                g.title,
                i.title,
                i.question,
                definition,
                VALUE_TYPE_TEXT[i.value_type],
                req,
                ROLE_TEXT[i.completed_by or section.completed_by],
                cats,
                POLARITY_TEXT[i.polarity],
                _benchmark_text(i),
                i.data_source,
                src,
            )
            for c, v in enumerate(values):
                ws.write_string(r0, c, v, s.cell)
            _fit_row(ws, r0, list(zip(values, GUIDANCE_WIDTHS, strict=True)))
            r0 += 1
    widths = GUIDANCE_WIDTHS
    ws.set_row(0, 24)
    ws.set_row(HEADER_ROW - 1, 33)
    _page_setup(ws, HEADER_ROW - 1, PRINT_SCALE)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(HEADER_ROW, 1)
    ws.autofilter(HEADER_ROW - 1, 0, r0 - 1, len(headers) - 1)
    _protect(ws)


def _lists_sheet(wb: Workbook, ws: Worksheet, layout: Layout, s: _Styles) -> None:
    ws.write_string(
        0, 0, "Lists - the choices offered in drop-downs, with the full wording of every rating", s.title
    )
    for c, h in enumerate(("List", "Code", "Choice (as shown in the drop-down)")):
        ws.write_string(1, c, h, s.header)
    for b in layout.lists:
        for n, (code, text) in enumerate(zip(b.codes, b.texts, strict=True)):
            r0 = b.first_row - 1 + n
            ws.write_string(r0, 0, b.title, s.cell)
            ws.write_string(r0, 1, code, s.cell)
            ws.write_string(r0, 2, text, s.cell)
            _fit_row(ws, r0, [(b.title, 40), (text, 110)])
        wb.define_name(b.name, f"={LISTS_SHEET}!$C${b.first_row}:$C${b.last_row}")
    ws.set_column("A:A", 40)
    ws.set_column("B:B", 16)
    ws.set_column("C:C", 110)
    ws.set_row(0, 24)
    _page_setup(ws, 1)
    ws.freeze_panes(2, 0)
    _protect(ws)


def _meta_sheet(ws: Worksheet, section: Section, catalogue: Catalogue, layout: Layout, s: _Styles) -> None:
    """Plain-hidden sheet the reader uses to identify the template and map its cells."""
    ws.write_string(0, 0, "Template metadata: read by the kpi reader. Do not edit.", s.plain)
    ws.write_string(1, 0, "key", s.plain)
    ws.write_string(1, 1, "value", s.plain)
    pairs = _meta_pairs(section, catalogue)
    for n, (k, v) in enumerate(pairs):
        ws.write_string(2 + n, 0, k, s.plain)
        ws.write_string(2 + n, 1, v, s.plain)
    headers = ("sheet", "cell", "key", "item_id", "part", "category", "value_type", "required")
    for c, h in enumerate(headers):
        ws.write_string(1, 3 + c, h, s.plain)
    r0 = 2
    for f in layout.details:
        for c, v in enumerate(
            (
                DETAILS_SHEET,
                f.ref,
                f"details.{f.key}",
                "",
                "value",
                "",
                f.rule.kind,
                "yes" if f.required else "no",
            )
        ):
            ws.write_string(r0, 3 + c, v, s.plain)
        r0 += 1
    for cell in layout.input_cells:
        req = (
            "yes" if cell.item.required else (f"if {cell.item.required_when_yes}" if cell.gate_row else "no")
        )
        vals = (
            RETURN_SHEET,
            cell.ref,
            cell.key,
            cell.item.id,
            cell.part,
            cell.category or "",
            cell.item.value_type,
            req,
        )
        for c, v in enumerate(vals):
            ws.write_string(r0, 3 + c, v, s.plain)
        r0 += 1
    ws.hide()
    _protect(ws)


__all__ = [
    "Identity",
    "check_formula",
    "excel_serial",
    "render_template",
    "sum_check_formula",
    "template_filename",
]
