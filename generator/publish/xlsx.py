"""A small xlsx writer for tables of plain values: text, numbers and blanks, a few whole-row
styles, column widths, a frozen header with filters on.

Each area's workbook holds every period of its rows with every column (at national scale the
150 areas' workbooks hold the whole table again); xlsxwriter spends time on every cell on checks
and formatting that plain values do not need, and writing the sheet's XML directly is many times
quicker (the figures are in CHANGELOG.md). dataset.xlsx keeps xlsxwriter. The files are the same
bytes for the same content (fixed dates in the zip and the properties), so a rebuild can tell an
unchanged file by its bytes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

PLAIN, BOLD, TITLE, WRAP = 0, 1, 2, 3  # the cell styles (styles.xml's cellXfs, in this order)

Cell = str | int | float | None  # None or "" is a blank cell; bool is not a cell (say yes or no)


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters, none of []:*?/\
    rows: Iterable[Sequence[Cell]]
    widths: Sequence[float] = ()  # columns A, B, ... in characters
    styles: Mapping[int, int] = field(default_factory=dict)  # a row (0 = the first) -> its style
    body: int = PLAIN  # the style of every other row
    table: bool = False  # the first row is a header: frozen, with filters over every row below
    # columns whose text is written as a number where it is one, as Python writes numbers (a
    # CSV's cells: "43.2", "5", "1e-05"); other text in them stays text
    numbers: frozenset[int] = frozenset()


def workbook_bytes(title: str, sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx file of ``sheets``, in order, the first one open."""
    strings: dict[str, int] = {}
    parts = [_sheet_xml(s, i, strings) for i, s in enumerate(sheets)]
    names = [s.name for s in sheets]
    # the filters' ranges by name, as Excel keeps them
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(s.name))}!{_absolute(ref)}</definedName>"
        for i, (s, (_, ref)) in enumerate(zip(sheets, parts, strict=True))
        if s.table and ref
    )
    files = {
        "[Content_Types].xml": _content_types(len(sheets)),
        "_rels/.rels": _ROOT_RELS,
        "docProps/core.xml": _CORE.format(title=escape(title)),
        "xl/workbook.xml": _workbook(names, filters),
        "xl/_rels/workbook.xml.rels": _workbook_rels(len(sheets)),
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": _shared_strings(strings),
        **{f"xl/worksheets/sheet{i + 1}.xml": xml for i, (xml, _) in enumerate(parts)},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"), compresslevel=_LEVEL)
    return out.getvalue()


def column_letter(c: int) -> str:
    """``0`` -> ``A``, ``26`` -> ``AA``."""
    out = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        out = chr(65 + r) + out
    return out


# what XML 1.0 cannot hold, written as Excel writes it (_x0001_)
# a finite number as Python writes one, which XML's xsd:double reads as the same number
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?").fullmatch
_BLANK = "<c/>"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class _Cells(dict[Cell, str]):
    """Each value's cell, as XML in one style, made the first time the value is met: cells are
    written in order, a blank as ``<c/>``, without the optional reference to their column
    (Excel, LibreOffice, openpyxl and calamine place them by order), so a cell of text, or of a
    CSV's number, is the same XML on every row and a row is a lookup per cell. Text goes to the
    shared strings (a title or a method repeats on thousands of rows); in a number column
    (``numbers``), text that is a number is a number."""

    def __init__(self, style: int, numbers: bool, strings: dict[str, int]) -> None:
        super().__init__()
        self.s = f' s="{style}"' if style else ""
        self.numbers = numbers
        self.strings = strings

    def __missing__(self, v: Cell) -> str:
        if v is None or v == "":
            x = self[v] = _BLANK
        elif isinstance(v, str):
            if self.numbers and _NUMBER(v):
                x = self[v] = f"<c{self.s}><v>{v}</v></c>"
            else:
                i = self.strings.setdefault(v, len(self.strings))
                x = self[v] = f'<c{self.s} t="s"><v>{i}</v></c>'
        elif isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            x = f"<c{self.s}><v>{v!r}</v></c>"  # not kept: 1, 1.0 and True are one key
        else:
            raise TypeError(f"not a cell value: {v!r}")
        return x


def _sheet_xml(sheet: Sheet, index: int, strings: dict[str, int]) -> tuple[str, str]:
    """The worksheet's XML and the range its cells use ("" if none)."""
    rows_xml: list[str] = []
    width = 0
    r = 0
    # style -> each column's cells (one set for text columns, one for number columns)
    made: dict[int, list[_Cells]] = {}
    for r, row in enumerate(sheet.rows, start=1):
        style = sheet.styles.get(r - 1, sheet.body)
        columns = made.get(style)
        if columns is None or len(columns) < len(row):
            kinds = (_Cells(style, False, strings), _Cells(style, True, strings))
            columns = made[style] = [kinds[c in sheet.numbers] for c in range(max(len(row), 64))]
        end = len(row)
        while end and row[end - 1] in (None, ""):  # a row's blanks at its end need not be written
            end -= 1
        xml = "".join([cells[v] for cells, v in zip(columns, row[:end], strict=False)])  # columns >= row
        width = max(width, len(row))
        rows_xml.append(f'<row r="{r}">{xml}</row>')
    ref = f"A1:{column_letter(width - 1)}{r}" if r and width else ""
    pane = (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        if sheet.table
        else ""
    )
    cols = "".join(
        f'<col min="{c + 1}" max="{c + 1}" width="{w:g}" customWidth="1"/>'
        for c, w in enumerate(sheet.widths)
    )
    xml = (
        _XML
        + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        + f'<dimension ref="{ref or "A1"}"/>'
        + f'<sheetViews><sheetView{_SELECTED if index == 0 else ""} workbookViewId="0">'
        + f"{pane}</sheetView></sheetViews>"
        + '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f"<sheetData>{''.join(rows_xml)}</sheetData>"
        + (f'<autoFilter ref="{ref}"/>' if sheet.table and ref else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        + "</worksheet>"
    )
    return xml, ref


def _text(v: str) -> str:
    return escape(_NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", v))


def _absolute(ref: str) -> str:
    """``A1:C9`` -> ``$A$1:$C$9``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", end) for end in ref.split(":"))


def _quoted(name: str) -> str:
    """A sheet's name as a formula names it."""
    return "'" + name.replace("'", "''") + "'"


def _shared_strings(strings: Mapping[str, int]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{_text(s)}</t></si>' for s in strings)
    return _XML + f'<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">{items}</sst>'


def _workbook(names: Sequence[str], filters: str) -> str:
    sheets = "".join(
        f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
        for i, n in enumerate(names)
    )
    return (
        _XML
        + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        + '<bookViews><workbookView activeTab="0"/></bookViews>'
        + f"<sheets>{sheets}</sheets>"
        + (f"<definedNames>{filters}</definedNames>" if filters else "")
        + "</workbook>"
    )


def _workbook_rels(n: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    rels = [(f"rId{i + 1}", "worksheet", f"worksheets/sheet{i + 1}.xml") for i in range(n)]
    rels += [(f"rId{n + 1}", "styles", "styles.xml"), (f"rId{n + 2}", "sharedStrings", "sharedStrings.xml")]
    body = "".join(f'<Relationship Id="{i}" Type="{kind}{t}" Target="{p}"/>' for i, t, p in rels)
    return _XML + f'<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'


def _content_types(n: int) -> str:
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = [
        ("/xl/workbook.xml", f"{ml}.sheet.main+xml"),
        *((f"/xl/worksheets/sheet{i + 1}.xml", f"{ml}.worksheet+xml") for i in range(n)),
        ("/xl/styles.xml", f"{ml}.styles+xml"),
        ("/xl/sharedStrings.xml", f"{ml}.sharedStrings+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
    ]
    return (
        _XML
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


# zlib's quickest: the sheets' XML shrinks some fifteen times even so, and a workbook a third
# larger than at the default level is written in a third of the time
_LEVEL = 1
_SELECTED = ' tabSelected="1"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROOT_RELS = (
    _XML
    + f'<Relationships xmlns="{_PKG_REL}">'
    + f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>' + "</Relationships>"
)
_CORE = (
    _XML
    + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
    "</cp:coreProperties>"
)
_FONT = '<sz val="{}"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
_STYLES = (
    _XML
    + f'<styleSheet xmlns="{_MAIN}">'
    + '<fonts count="3">'
    + f"<font>{_FONT.format(11)}</font><font><b/>{_FONT.format(11)}</font><font><b/>{_FONT.format(14)}</font>"
    + "</fonts>"
    + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    + '<fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + '<cellXfs count="4">'  # PLAIN, BOLD, TITLE, WRAP
    + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    + '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    + '<alignment vertical="top" wrapText="1"/></xf>'
    + "</cellXfs>"
    + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    + "</styleSheet>"
)
