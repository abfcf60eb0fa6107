"""Hostile and broken returns, each with the error code the reader must give it.

Every case is built from a real template at test time; none needs a network or a stored file.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import msoffcrypto.format.ooxml

from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.workbook.identity import Identity
from generator.workbook.layout import DETAILS_SHEET, RETURN_SHEET

from .builders import edit_with_openpyxl, identity_for, input_ref, member, rezip, sheet_member, valid_return


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Catalogue, Registry], bytes]
    code: str
    filename: str = "return.xlsx"
    expected_section: str | None = None


def _b(cat: Catalogue, reg: Registry, **changes: object) -> bytes:
    return valid_return(cat, reg, "B", dict(changes))


def _zip_bomb(cat: Catalogue, reg: Registry) -> bytes:
    # 40 MB of zeros deflates to about 40 KB: a ratio of 1000 to 1
    return rezip(_b(cat, reg), add={"xl/media/padding.bin": b"\0" * (40 * 1024 * 1024)})


def _far_cell(row: int, ref: str):  # type: ignore[no-untyped-def]
    """A value typed at ``ref`` (on ``row``), beyond the template's area."""

    def build(cat: Catalogue, reg: Registry) -> bytes:
        data = _b(cat, reg)
        name = sheet_member(data, RETURN_SHEET)
        cell = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'.encode()
        return rezip(data, replace={name: member(data, name).replace(b"</sheetData>", cell)})

    return build


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">&lol3;</Properties>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">&xxe;</Properties>"""


def _macro(cat: Catalogue, reg: Registry) -> bytes:
    data = _b(cat, reg)
    ct = member(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return rezip(data, replace={"[Content_Types].xml": ct}, add={"xl/vbaProject.bin": os.urandom(2048)})


def _encrypted(cat: Catalogue, reg: Registry) -> bytes:
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(_b(cat, reg))).encrypt("secret", out)
    return out.getvalue()


def _legacy_xls(cat: Catalogue, reg: Registry) -> bytes:
    # The Compound File header of an .xls, followed by a Workbook stream's name (UTF-16).
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + "Workbook".encode("utf-16-le") + os.urandom(4096)


def _older_version(cat: Catalogue, reg: Registry) -> bytes:
    data = _b(cat, reg)
    sec = cat.section("B")
    props = member(data, "docProps/custom.xml").replace(
        f"<vt:lpwstr>{sec.version}</vt:lpwstr>".encode(), b"<vt:lpwstr>0.9</vt:lpwstr>"
    )
    strings = member(data, "xl/sharedStrings.xml").replace(f"<t>{sec.version}</t>".encode(), b"<t>0.9</t>")
    return rezip(data, replace={"docProps/custom.xml": props, "xl/sharedStrings.xml": strings})


def _rows_inserted(cat: Catalogue, reg: Registry) -> bytes:
    return edit_with_openpyxl(_b(cat, reg), lambda wb: wb[RETURN_SHEET].insert_rows(8, 1))


def _rows_sorted(cat: Catalogue, reg: Registry) -> bytes:
    def swap(wb):
        ws = wb[RETURN_SHEET]
        for col in range(1, 8):
            a, b = ws.cell(6, col), ws.cell(7, col)
            a.value, b.value = b.value, a.value

    return edit_with_openpyxl(_b(cat, reg), swap)


def _sheet_renamed(cat: Catalogue, reg: Registry) -> bytes:
    def rename(wb):
        wb[RETURN_SHEET].title = "Return (2)"

    return edit_with_openpyxl(_b(cat, reg), rename)


def _formula(value: str) -> Callable[[Catalogue, Registry], bytes]:
    def build(cat: Catalogue, reg: Registry) -> bytes:
        ref = input_ref(cat, "B", "B01_new_referrals")
        return edit_with_openpyxl(_b(cat, reg), lambda wb: wb[RETURN_SHEET].__setitem__(ref, value))

    return build


def _identity(**kw: str) -> Callable[[Catalogue, Registry], bytes]:
    def build(cat: Catalogue, reg: Registry) -> bytes:
        base = identity_for(cat, reg, "B")
        ident = Identity(**{**base.as_dict(), **kw})
        return valid_return(cat, reg, "B", identity=ident)

    return build


def _text_item(value: str) -> Callable[[Catalogue, Registry], bytes]:
    def build(cat: Catalogue, reg: Registry) -> bytes:
        return valid_return(cat, reg, "C", {"C15_model_processes": value})

    return build


def _moved(build: Callable[[Catalogue, Registry], bytes], new: str) -> Callable[[Catalogue, Registry], bytes]:
    """``build``'s workbook with its Return sheet kept under another part name (the workbook's
    relationships and content types follow it): the checks must find a sheet by what the
    workbook says, not by where a template happens to put it."""

    def moved(cat: Catalogue, reg: Registry) -> bytes:
        data = build(cat, reg)
        old = sheet_member(data, RETURN_SHEET)
        was, now = old.removeprefix("xl/").encode(), new.removeprefix("xl/").encode()
        rels, types = "xl/_rels/workbook.xml.rels", "[Content_Types].xml"
        return rezip(
            data,
            replace={
                old: None,
                rels: member(data, rels).replace(was, now),
                types: member(data, types).replace(was, now),
            },
            add={new: member(data, old)},
        )

    return moved


def _cell_markup(cell: bytes) -> Callable[[Catalogue, Registry], bytes]:
    """A value written in the Return sheet in a form spreadsheet programs do not use (attributes
    in another order, other quotes, lower case, no reference): a reader still takes it, so the
    gate, which looks for cells in their usual form, must refuse it rather than miss it."""

    def build(cat: Catalogue, reg: Registry) -> bytes:
        data = _b(cat, reg)
        name = sheet_member(data, RETURN_SHEET)
        row = b'<row r="20000">' + cell + b"</row></sheetData>"
        return rezip(data, replace={name: member(data, name).replace(b"</sheetData>", row)})

    return build


def _workbook_xml(
    old: bytes, new: bytes, part: str = "xl/workbook.xml"
) -> Callable[[Catalogue, Registry], bytes]:
    def build(cat: Catalogue, reg: Registry) -> bytes:
        data = _b(cat, reg)
        text = member(data, part)
        assert old in text, (old, part)
        return rezip(data, replace={part: text.replace(old, new, 1)})

    return build


def _many(part: str, close: bytes, element: bytes, n: int):  # type: ignore[no-untyped-def]
    """``n`` more of ``element`` (formatted with its number) put before ``close`` in ``part``."""

    def build(cat: Catalogue, reg: Registry) -> bytes:
        data = _b(cat, reg)
        text = member(data, part)
        assert close in text, (close, part)
        extra = b"".join(element % i for i in range(n))
        return rezip(data, replace={part: text.replace(close, extra + close, 1)})

    return build


def _case_twin(cat: Catalogue, reg: Registry) -> bytes:
    """A second Return sheet part whose name differs only in case."""
    data = _b(cat, reg)
    name = sheet_member(data, RETURN_SHEET)
    return rezip(data, add={name.upper(): member(data, name)})


def _twice(cat: Catalogue, reg: Registry) -> bytes:
    """A second part of the same name, which some programs would read instead of the first."""
    data = _b(cat, reg)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "a") as dst,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", UserWarning)  # zipfile's "Duplicate name": the point here
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("docProps/custom.xml", member(data, "docProps/custom.xml"))
    return out.getvalue()


def _damaged_part(cat: Catalogue, reg: Registry) -> bytes:
    """One byte of a stored part changed in transit: its checksum no longer matches."""
    data = _b(cat, reg)
    body = member(data, "docProps/custom.xml")
    data = rezip(data, replace={"docProps/custom.xml": body}, compression=zipfile.ZIP_STORED)
    at = data.index(body) + len(body) // 2
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]


CASES = [
    Case("empty file", lambda c, r: b"", "empty-file"),
    Case("random bytes", lambda c, r: os.urandom(5000), "not-a-spreadsheet"),
    Case("text file renamed .xlsx", lambda c, r: b"area,referrals\nPS04,51\n" * 50, "not-a-spreadsheet"),
    Case("truncated zip", lambda c, r: _b(c, r)[:9000], "not-a-spreadsheet"),
    Case("zip bomb", _zip_bomb, "zip-unsafe"),
    Case("huge referenced cell", _far_cell(1048576, "XFD1048576"), "sheet-too-large"),
    Case("cell far down a single-letter column", _far_cell(6000, "A6000"), "sheet-too-large"),
    Case("cell in a far two-letter column", _far_cell(900, "BZ900"), "sheet-too-large"),
    Case(
        "thousands of sheet declarations",
        _many("xl/workbook.xml", b"</sheets>", b'<sheet name="s%d" sheetId="900" r:id="rId1"/>', 5000),
        "too-many-parts",
    ),
    Case(
        "a hundred thousand shared strings",
        _many("xl/sharedStrings.xml", b"</sst>", b"<si><t>s%d</t></si>", 100_000),
        "too-many-parts",
    ),
    Case(
        "thousands of defined names",
        _many(
            "xl/workbook.xml", b"</definedNames>", b'<definedName name="n%d">Return!$A$1</definedName>', 5000
        ),
        "too-many-parts",
    ),
    Case(
        "billion laughs XML",
        lambda c, r: rezip(_b(c, r), replace={"docProps/custom.xml": LAUGHS}),
        "unsafe-xml",
    ),
    Case(
        "external entity XML",
        lambda c, r: rezip(_b(c, r), replace={"docProps/custom.xml": XXE}),
        "unsafe-xml",
    ),
    Case(".xlsm with a macro", _macro, "macros-present", filename="return.xlsm"),
    Case("encrypted workbook", _encrypted, "encrypted"),
    Case("legacy .xls", _legacy_xls, "legacy-xls", filename="return.xls"),
    Case(
        "another section's template",
        lambda c, r: valid_return(c, r, "C"),
        "wrong-section",
        expected_section="B",
    ),
    Case("a template version this software does not know", _older_version, "unknown-template-version"),
    Case("rows inserted", _rows_inserted, "layout-changed"),
    Case("rows sorted", _rows_sorted, "layout-changed"),
    Case("sheet renamed", _sheet_renamed, "missing-sheet"),
    Case("text in a number cell", lambda c, r: _b(c, r, B01_new_referrals="fifty"), "not-a-number"),
    Case("negative count", lambda c, r: _b(c, r, **{"B02_age.numerator:36_50": -3}), "below-minimum"),
    Case("decimal count", lambda c, r: _b(c, r, **{"B02_age.numerator:36_50": 2.5}), "not-a-whole-number"),
    Case(
        "percentage over 100",
        lambda c, r: valid_return(c, r, "A", {"A01_employment_rate": 104.0}),
        "above-maximum",
    ),
    Case(
        "rating off the scale",
        lambda c, r: valid_return(c, r, "C", {"C01_paid_employment_focus": "6 = Excellent"}),
        "not-in-list",
    ),
    Case(
        "bare rating off the scale",
        lambda c, r: valid_return(c, r, "C", {"C01_paid_employment_focus": 7}),
        "not-in-list",
    ),
    Case(
        "numerator above denominator",
        lambda c, r: valid_return(c, r, "D", {"D03_employed_psa16.numerator": 10**6}),
        "numerator-exceeds-denominator",
    ),
    Case("breakdown not adding up", lambda c, r: _b(c, r, B01_new_referrals=10**5), "breakdown-sum-mismatch"),
    Case("formula in an input", _formula("=SUM(1,2)"), "formula-in-input"),
    Case("external reference in an input", _formula("='[other.xlsx]Sheet1'!A1"), "formula-in-input"),
    Case(
        "formula in an input, its sheet kept elsewhere",
        _moved(_formula("=SUM(40,4)"), "xl/sheets/answers.xml"),
        "formula-in-input",
    ),
    Case(
        "formula in an input, its sheet's part named in capitals",
        _moved(_formula("=SUM(40,4)"), "xl/worksheets/SHEET3.XML"),
        "formula-in-input",
    ),
    Case(
        "far cell in a sheet kept elsewhere",
        _moved(_far_cell(6000, "A6000"), "xl/sheets/x"),
        "sheet-too-large",
    ),
    Case("two parts with one name", _twice, "zip-unsafe"),
    Case("two parts whose names differ in case", _case_twin, "zip-unsafe"),
    Case("cell written attributes first", _cell_markup(b'<c s="0" r="A20000"><v>1</v></c>'), "unreadable"),
    Case("cell reference in single quotes", _cell_markup(b"<c r='A20000'><v>1</v></c>"), "unreadable"),
    Case("cell reference in lower case", _cell_markup(b'<c r="a20000"><v>1</v></c>'), "unreadable"),
    Case("cell without a reference", _cell_markup(b"<c><v>1</v></c>"), "unreadable"),
    Case("cell with two references", _cell_markup(b'<c r="A1" s=">" r="A20000"><v>1</v></c>'), "unreadable"),
    Case(
        "two sheets of one name",
        _workbook_xml(b'name="Cover"', b'name="Return"'),
        "unreadable",
    ),
    Case("a damaged part", _damaged_part, "zip-unsafe"),
    Case("100,000-character text", _text_item("x" * 100_000), "text-too-long"),
    Case("100,000-character name", _identity(organisation_name="y" * 100_000), "text-too-long"),
    Case("script in a name", _identity(organisation_name="<script>alert(1)</script>"), "unsafe-text"),
    Case(
        "formula text in a name",
        _identity(area_name='=HYPERLINK("http://example.invalid","x")'),
        "unsafe-text",
    ),
    Case("unknown area code", _identity(area_code="ZZ99"), "unknown-area"),
    Case("missing period", _identity(period=""), "bad-period"),
    Case("period of the wrong kind", _identity(period="2025-26"), "bad-period"),
    Case("a zip that is not a workbook", lambda c, r: _plain_zip(), "not-a-spreadsheet"),
]


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    return out.getvalue()


__all__ = ["CASES", "DETAILS_SHEET", "Case"]
