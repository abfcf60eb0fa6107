"""The sheets that explain and describe: the Guidance (every question, its definition,
source and benchmarks), the hidden Lists behind drop-downs, and the Meta sheet the reader
identifies a workbook by.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from generator import __version__
from generator.catalogue.sections import Catalogue, Section
from generator.workbook.layout import (
    DETAILS_SHEET,
    HEADER_ROW,
    LISTS_SHEET,
    RETURN_SHEET,
    Layout,
)
from generator.workbook.rules import (
    fmt,
)
from generator.workbook.styles import GUIDANCE_WIDTHS, PRINT_SCALE, Styles, fit_row, page_setup, protect

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


def meta_pairs(section: Section, catalogue: Catalogue) -> list[tuple[str, str]]:
    return [
        ("kpi_template_id", section.template_id),
        ("kpi_section", section.section),
        ("kpi_template_version", section.version),
        ("kpi_catalogue_digest", catalogue.section_digests[section.section][:16]),
        ("kpi_generator_version", __version__),
    ]


def _benchmark_text(item_or_bm: object) -> str:
    bms = getattr(item_or_bm, "benchmarks", ())
    parts = []
    for b in bms:
        val = b.words()
        scope = "" if b.applies_to == "all" else f" [{b.applies_to}]"
        parts.append(f"{b.label}: {val}{scope} (source {b.source.document})")
    return "; ".join(parts)


def guidance_sheet(ws: Worksheet, section: Section, catalogue: Catalogue, s: Styles) -> None:
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
            fit_row(ws, r0, list(zip(values, GUIDANCE_WIDTHS, strict=True)))
            r0 += 1
    widths = GUIDANCE_WIDTHS
    ws.set_row(0, 24)
    ws.set_row(HEADER_ROW - 1, 33)
    page_setup(ws, HEADER_ROW - 1, PRINT_SCALE)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(HEADER_ROW, 1)
    ws.autofilter(HEADER_ROW - 1, 0, r0 - 1, len(headers) - 1)
    protect(ws)


def lists_sheet(wb: Workbook, ws: Worksheet, layout: Layout, s: Styles) -> None:
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
            fit_row(ws, r0, [(b.title, 40), (text, 110)])
        wb.define_name(b.name, f"={LISTS_SHEET}!$C${b.first_row}:$C${b.last_row}")
    ws.set_column("A:A", 40)
    ws.set_column("B:B", 16)
    ws.set_column("C:C", 110)
    ws.set_row(0, 24)
    page_setup(ws, 1)
    ws.freeze_panes(2, 0)
    protect(ws)


def meta_sheet(ws: Worksheet, section: Section, catalogue: Catalogue, layout: Layout, s: Styles) -> None:
    """Plain-hidden sheet the reader uses to identify the template and map its cells."""
    ws.write_string(0, 0, "Template metadata: read by the kpi reader. Do not edit.", s.plain)
    ws.write_string(1, 0, "key", s.plain)
    ws.write_string(1, 1, "value", s.plain)
    pairs = meta_pairs(section, catalogue)
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
    protect(ws)
