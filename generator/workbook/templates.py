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
from collections.abc import Mapping

import xlsxwriter
from xlsxwriter.workbook import Workbook

from generator.catalogue.sections import Catalogue, Section
from generator.workbook.guidance import guidance_sheet, lists_sheet, meta_pairs, meta_sheet
from generator.workbook.identity import Identity
from generator.workbook.layout import (
    COVER_SHEET,
    DETAILS_SHEET,
    GUIDANCE_SHEET,
    LISTS_SHEET,
    META_SHEET,
    RETURN_SHEET,
    build_layout,
)
from generator.workbook.sheets import cover, details_sheet, return_sheet
from generator.workbook.styles import Styles, print_marks

FIXED_TIMESTAMP = dt.datetime(2026, 1, 1)  # core.xml dates: fixed so output is reproducible


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
    styles = Styles(wb)
    cover(wb.add_worksheet(COVER_SHEET), section, catalogue, layout, styles)
    details_sheet(wb.add_worksheet(DETAILS_SHEET), section, layout, styles, identity, details or {})
    return_sheet(wb.add_worksheet(RETURN_SHEET), section, layout, styles, answers or {}, identity)
    guidance_sheet(wb.add_worksheet(GUIDANCE_SHEET), section, catalogue, styles)
    lists_sheet(wb, wb.add_worksheet(LISTS_SHEET), layout, styles)
    meta_sheet(wb.add_worksheet(META_SHEET), section, catalogue, layout, styles)
    for ws in wb.worksheets():
        print_marks(ws, section, identity)
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
    for name, value in meta_pairs(section, catalogue):
        wb.set_custom_property(name, value, "text")
