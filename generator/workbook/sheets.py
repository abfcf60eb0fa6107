"""The sheets a provider fills in: the Cover (what the return is, when it is due, its
privacy), 'Your details' and the Return itself, each answer with its prompt and check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from xlsxwriter.worksheet import Worksheet

from generator.catalogue.sections import Catalogue, Section
from generator.workbook.crosschecks import on_row
from generator.workbook.formulas import (
    check_formula,
    check_formula_details,
    due_formula,
    period_cells,
    sum_check_formula,
)
from generator.workbook.guidance import FREQUENCY_TEXT, VALUE_TYPE_TEXT
from generator.workbook.identity import Identity
from generator.workbook.layout import (
    ANSWER_COL,
    CHECK_COL,
    DETAILS_CHECK_COL,
    DETAILS_COLUMNS,
    DETAILS_SHEET,
    HEADER_ROW,
    RETURN_COLUMNS,
    RETURN_SHEET,
    InputCell,
    Layout,
)
from generator.workbook.rules import (
    Rule,
)
from generator.workbook.styles import (
    COVER_WIDTH,
    RETURN_WIDTHS,
    Styles,
    fit_row,
    page_setup,
    protect,
    status_formats,
)

PRIVACY = (
    "This return is used to calculate the employment support key performance indicators for your "
    "area and to compare them with other areas. Only totals are published, after disclosure control: "
    "counts of 1 to 4 people are never shown, other counts are rounded, and every published figure is "
    "worked out from the rounded counts, so no one can be identified from them. Text answers are not "
    "published unless the analyst who collects returns approves them, and must never name or describe "
    "a client."
)


def cover(ws: Worksheet, section: Section, catalogue: Catalogue, layout: Layout, s: Styles) -> None:
    ws.set_column("A:A", COVER_WIDTH, s.text)
    ws.hide_gridlines(2)
    page_setup(ws)
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
                fit_row(ws, n, [(str(text), COVER_WIDTH)])
    protect(ws)
    ws.activate()


def details_sheet(
    ws: Worksheet,
    section: Section,
    layout: Layout,
    s: Styles,
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
        ws.write_formula(f"{DETAILS_CHECK_COL}{f.row}", check_formula_details(f, layout), s.check, "")
        ws.write_string(r0, 4, f.rule.expected[0].upper() + f.rule.expected[1:], s.cell)
        fit_row(ws, r0, [(f.description, 50), (f.rule.expected, 40)], minimum=2)
    ws.set_row(0, 24)
    page_setup(ws, HEADER_ROW - 1)
    ws.set_column("A:A", 22)
    ws.set_column("B:B", 50)
    ws.set_column("C:C", 34)
    ws.set_column("D:D", 30)
    ws.set_column("E:E", 40)
    ws.freeze_panes(HEADER_ROW, 0)
    status_formats(
        ws, f"{DETAILS_CHECK_COL}{HEADER_ROW + 1}:{DETAILS_CHECK_COL}{HEADER_ROW + len(layout.details)}", s
    )
    protect(ws)


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


def return_sheet(
    ws: Worksheet,
    section: Section,
    layout: Layout,
    s: Styles,
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
                    row,
                    on_row(layout, row.row),
                    period_cells(layout) if row.item.value_type == "date" else None,
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
        fit_row(
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
    page_setup(ws, HEADER_ROW - 1)
    ws.repeat_rows(0, HEADER_ROW - 1)  # the title (organisation, period) and the header
    for c, w in enumerate(RETURN_WIDTHS):
        ws.set_column(c, c, w)
    ws.freeze_panes(HEADER_ROW, 3)
    ws.autofilter(HEADER_ROW - 1, 0, layout.last_row - 1, len(RETURN_COLUMNS) - 1)
    status_formats(ws, f"{CHECK_COL}{HEADER_ROW + 1}:{CHECK_COL}{layout.last_row}", s)
    protect(ws)


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
