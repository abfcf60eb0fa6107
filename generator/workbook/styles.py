"""How the workbook's sheets look and print: widths, fills, cell formats, row heights that fit
their text, page set-up, print marks and sheet protection.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from generator.catalogue.model import Item
from generator.catalogue.sections import Section
from generator.workbook.identity import Identity
from generator.workbook.rules import (
    Rule,
)

COVER_WIDTH = 100
RETURN_WIDTHS = (24, 24, 50, 24, 44, 32, 60)
GUIDANCE_WIDTHS = (20, 22, 30, 45, 55, 22, 12, 14, 40, 16, 40, 24, 50)

# Colours: the input fill is the usual pale yellow; status fills support (never replace) the text.
INPUT_FILL = "#FFF2CC"
OK_FILL = "#E2F0D9"
TODO_FILL = "#FCE4D6"
PROBLEM_FILL = "#F4CCCC"
HEADER_FILL = "#12436D"  # Analysis Function dark blue, white text: contrast 10.4:1


# --------------------------------------------------------------------------------------
class Styles:
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


LINE_HEIGHT = 15.0  # points per line of 11-point Arial


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (a cautious estimate)."""
    usable = max(width * 1.05 - 1, 1)
    return sum(max(1, -(-len(part) // int(usable))) for part in str(text).split("\n"))


def fit_row(ws: Worksheet, row0: int, cells: list[tuple[str, float]], minimum: int = 1) -> None:
    """Set a row's height so its wrapped text shows: spreadsheet programs do not do this on open."""
    n = max([minimum] + [_lines(t, w) for t, w in cells])
    ws.set_row(row0, LINE_HEIGHT * n + 3)


PRINT_SCALE = 85  # percent, for the wide Guidance: its 11 pt text prints at 9.35 pt


def page_setup(ws: Worksheet, header_row0: int | None = None, scale: int | None = None) -> None:
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


def print_marks(ws: Worksheet, section: Section, identity: Identity | None) -> None:
    """Every printed page says what it is: the template and its version, the sheet and the page
    in the footer; the organisation and the period in the header when the workbook was made
    for one (a blank template's Return shows them in its repeated title row instead)."""

    def esc(text: str) -> str:  # "&" starts a code in a header or footer
        return text.replace("&", "&&")

    ws.set_footer(f"&L{esc(section.template_id)} v{esc(section.version)}&C&A&RPage &P of &N")
    if identity is not None:
        who = f"{identity.organisation_name[:80]} ({identity.organisation_code[:20]})"
        ws.set_header(f"&L{esc(who)}&R{esc(identity.period[:20])}")  # within Excel's 255 characters


def protect(ws: Worksheet) -> None:
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


def status_formats(ws: Worksheet, rng: str, s: Styles) -> None:
    ws.conditional_format(
        rng, {"type": "text", "criteria": "begins with", "value": "Problem", "format": s.problem}
    )
    ws.conditional_format(
        rng, {"type": "text", "criteria": "begins with", "value": "To do", "format": s.todo}
    )
    ws.conditional_format(rng, {"type": "text", "criteria": "begins with", "value": "OK", "format": s.ok})
