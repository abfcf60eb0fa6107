"""The gate's reading of a workbook's parts, bounded: no DTD or entity in any XML, no part
that should not be there, no more sheets, styles, names or strings than a template needs, and
no cell referenced beyond the used area (a reference a million rows down makes a reader
allocate for all of them).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Literal

from defusedxml import ElementTree

from generator.intake.problems import Problem, error

Kind = Literal["xlsx", "ods"]


def err(code: str, message: str, file: str, found: str = "", expected: str = "") -> Problem:
    return error(code, message, file=file, found=found, expected=expected)


MAX_ROW = 5000  # no template uses more than a few hundred rows
MAX_COL = 60  # ... or columns

# Counts of things a parser builds an object for, far above any template's own (the counts
# measured are in CHANGELOG.md): a workbook can fit the size limits above with hundreds of
# thousands of sheet declarations or shared strings, each of which a reader would build.
MAX_COUNTS = {
    "sheets": 100,
    "defined names": 1_000,
    "shared strings": 50_000,
    "cell formats": 20_000,
}
_COUNTED: dict[Kind, tuple[tuple[str, str, bytes], ...]] = {  # (what, part, element)
    "xlsx": (
        ("sheets", "xl/workbook.xml", b"sheet"),
        ("defined names", "xl/workbook.xml", b"definedName"),
        ("shared strings", "xl/sharedStrings.xml", b"si"),
        ("cell formats", "xl/styles.xml", b"xf"),
    ),
    "ods": (
        ("sheets", "content.xml", b"table:table"),
        ("defined names", "content.xml", b"table:named-range"),
        ("defined names", "content.xml", b"table:named-expression"),
        ("cell formats", "content.xml", b"style:style"),
        ("cell formats", "styles.xml", b"style:style"),
    ),
}


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# "./", "../", "//", a backslash or a leading "/" in a part's name: another way to name a part
ODD_NAME = re.compile(r"(^|/)\.{1,2}(/|$)|//|\\|^/")
# pictures are not read by any parser here (an SVG logo may well carry a DOCTYPE)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg", ".webp")
# Cells as every spreadsheet program writes them: <c r="B12" s="3" t="s">, the reference first,
# in double quotes, upper case, no leading zero, then plain attributes. Any other way of writing
# a cell (which a reader would still place) is refused, so the extent and formula checks, which
# look for this form, see every cell the reader will read. One search finds any cell tag that is
# not of this form or lies beyond column BH (60) or row 4999, so a usual return costs one pass.
_SUSPECT_CELL = re.compile(
    rb'<c(?=[\s/>])(?! r="(?:[A-Z]|A[A-Z]|B[A-H])(?:[1-9][0-9]{0,2}|[1-4][0-9]{3})"'
    rb'(?:\s+(?!r\s*=)[a-z]+="[^"<>]*")*\s*/?>)'
)
_CANON_CELL_TAG = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?:\s+(?!r\s*=)[a-z]+="[^"<>]*")*\s*/?>')
_ODD_CELL = re.compile(rb"<c[\t\r\n/>]")
_PREFIXED = re.compile(rb":c[\s/>]")  # quick: only then look for <x:c ...> properly
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s/>]")
# MAX_ROW < 10000 and MAX_COL < 702 ("ZZ"): any cell beyond them has a four-digit row or a
# two-letter column, so those are all the extent check needs to see
_FAR_CELL = re.compile(rb'<c r="([A-Z]{2,3}[0-9]{1,7}|[A-Z][0-9]{4,7})"')
_REF_PARTS = re.compile(rb"([A-Z]+)([0-9]+)")
assert MAX_ROW >= 999 and MAX_COL >= 26, "the extent check's regex assumes these bounds"


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def check_parts(
    infos: list[zipfile.ZipInfo], name: str, kind: Kind, parts: dict[str, bytes]
) -> list[Problem]:
    problems: list[Problem] = []
    names = [i.filename for i in infos]
    lower = [n.lower() for n in names]

    # macros
    macro = [
        n
        for n in names
        if n.lower().endswith("vbaproject.bin")
        or (n.lower().startswith(("basic/", "scripts/")) and not n.endswith("/"))
    ]
    ctypes = parts.get("[Content_Types].xml", b"")
    if macro or b"macroEnabled" in ctypes or b"vbaProject" in ctypes:
        problems.append(
            err(
                "macros-present",
                "The workbook contains macros, which are not accepted. Save it as a plain 'Excel "
                "Workbook (.xlsx)' (not .xlsm) and resend.",
                name,
                found=", ".join(macro) or "macro-enabled content type",
                expected="no macros",
            )
        )
    # external links and embedded objects
    ext = [n for n in lower if n.startswith("xl/externallinks/")]
    if ext:
        problems.append(
            err(
                "external-links",
                "The workbook links to other files (external links). Copy the values in instead "
                "(Paste Special > Values) and resend.",
                name,
                found=", ".join(ext[:3]),
                expected="no external links",
            )
        )
    emb = [
        n
        for n in lower
        if n.startswith(("xl/embeddings/", "xl/activex/", "objectreplacements/"))
        or re.match(r"object \d+/", n)
    ]
    if emb:
        problems.append(
            err(
                "embedded-objects",
                "The workbook contains embedded objects or controls, which are not accepted. Delete "
                "them and resend.",
                name,
                found=", ".join(emb[:3]),
                expected="no embedded objects",
            )
        )
    if kind == "ods" and "meta-inf/manifest.xml" in lower:
        manifest = parts[names[lower.index("meta-inf/manifest.xml")]]
        if b"encryption-data" in manifest:
            problems.append(
                err(
                    "encrypted",
                    "The workbook is saved with a password. Save it again without a password and resend.",
                    name,
                    found="an encrypted .ods",
                )
            )
            return problems

    # XML: no DTDs or entities in any part, whatever it is called (a parser goes by what a part
    # holds, not by its name); cells within the template's area
    for i in infos:
        if i.filename.lower().endswith(IMAGE_SUFFIXES):
            continue
        if _DTD.search(parts[i.filename][:4096]):
            problems.append(
                err(
                    "unsafe-xml",
                    "The workbook contains XML entity declarations, which no spreadsheet program writes "
                    "in a return. It cannot be opened safely.",
                    name,
                    found=i.filename,
                    expected="XML without DOCTYPE or ENTITY",
                )
            )
            return problems
    problems.extend(_check_counts(parts, name, kind))
    if problems:
        return problems
    problems.extend(_check_extent(parts, name, kind))
    return problems


def _check_counts(parts: dict[str, bytes], name: str, kind: Kind) -> list[Problem]:
    """Sheets, defined names, shared strings and cell formats within :data:`MAX_COUNTS`,
    counted in the raw XML (with or without a namespace prefix) before any parser builds them."""
    counts: dict[str, int] = {}
    lower = {k.lower(): k for k in parts}
    for what, part, element in _COUNTED[kind]:
        data = parts.get(lower.get(part, part), b"")
        tag = re.escape(element) if b":" in element else rb"(?:[\w.-]+:)?" + re.escape(element)
        counts[what] = counts.get(what, 0) + len(re.findall(rb"<" + tag + rb"[\s/>]", data))
    over = [(what, n) for what, n in counts.items() if n > MAX_COUNTS[what]]
    return [
        err(
            "too-many-parts",
            f"The workbook has {n:,} {what}; a return has a handful. It may have been built by a "
            "program rather than filled in: send the template, filled in, instead.",
            name,
            found=f"{n:,} {what}",
            expected=f"at most {MAX_COUNTS[what]:,}",
        )
        for what, n in over
    ]


def _ods_extent(content: bytes) -> tuple[int, int]:
    """The last row and column holding a value in any table of an .ods, with every repeat of
    rows and columns counted (LibreOffice writes the empty rest of a sheet as one long repeat,
    so only cells with a value count)."""
    if not content:
        return 0, 0
    t = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    value_type = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
    worst_row = worst_col = row = col = 0
    row_end = 0
    for event, el in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == f"{t}table":
                row = 0
            elif tag == f"{t}table-row":
                row_end = row + int(el.get(f"{t}number-rows-repeated", "1"))
                col = 0
            elif tag in (f"{t}table-cell", f"{t}covered-table-cell"):
                col_end = col + int(el.get(f"{t}number-columns-repeated", "1"))
                if el.get(value_type):
                    worst_row, worst_col = max(worst_row, row_end), max(worst_col, col_end)
                col = col_end
        elif tag == f"{t}table-row":
            row = row_end
            el.clear()
    return worst_row, worst_col


def _check_extent(parts: dict[str, bytes], name: str, kind: Kind) -> list[Problem]:
    """Reject cells far outside the template: readers allocate a grid up to the last cell.
    Every part is looked in, wherever the workbook keeps its sheets: only a sheet holds cells."""
    worst_row, worst_col, where = 0, 0, ""
    if kind == "xlsx":
        for member, xml in parts.items():
            if b"sheetData" not in xml:  # a sheet's cells are all inside its sheetData
                continue
            prefixed = _PREFIXED.search(xml) is not None and _PREFIXED_CELL.search(xml) is not None
            if not prefixed and not _SUSPECT_CELL.search(xml):
                continue  # every cell in its usual form, within the template's area
            if prefixed or _ODD_CELL.search(xml) or xml.count(b"<c ") != len(_CANON_CELL_TAG.findall(xml)):
                return [
                    err(
                        "unreadable",
                        "The workbook's cells are written in an unusual way that cannot be checked "
                        "safely. Please open it in Excel or LibreOffice Calc, save it again as .xlsx "
                        "and resend.",
                        name,
                        found=f'{member}: cells not written as <c r="A1" ...>',
                        expected="cells as spreadsheet programs write them",
                    )
                ]
            # every cell in its usual form, some beyond the quick bounds: look at those
            far = [_REF_PARTS.fullmatch(ref) for ref in _FAR_CELL.findall(xml)]
            r = max((int(m.group(2)) for m in far if m), default=0)
            c = max((col_number(m.group(1)) for m in far if m), default=0)
            if r > worst_row or c > worst_col:
                worst_row, worst_col, where = max(r, worst_row), max(c, worst_col), member
    else:
        try:
            worst_row, worst_col = _ods_extent(parts.get("content.xml", b""))
        except (ValueError, ElementTree.ParseError) as e:  # a bad repeat count, or broken XML
            return [
                err(
                    "unreadable",
                    f"The workbook's content cannot be read ({type(e).__name__}). Please save it "
                    "again and resend.",
                    name,
                    found=f"content.xml: {str(e)[:120]}",
                )
            ]
        where = "content.xml"
    if worst_row > MAX_ROW or worst_col > MAX_COL:
        return [
            err(
                "sheet-too-large",
                f"A sheet has values far outside the template (row {worst_row}, column {worst_col}). "
                "Please delete anything typed outside the template's table and resend.",
                name,
                found=f"{where}: row {worst_row}, column {worst_col}",
                expected=f"rows up to {MAX_ROW}, columns up to {MAX_COL}",
            )
        ]
    return []
