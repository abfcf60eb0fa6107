"""The gate: cheap checks on a received file's bytes before any spreadsheet parser sees it.

No spreadsheet reader protects itself from a zip bomb, a cell referenced a million rows down,
or XML entity expansion, and a provider's file may be anything: the wrong file, a renamed
text file, a legacy or encrypted workbook, a workbook with macros. Each is answered here with
a problem a provider can act on, using only the zip directory and bounded reads.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Literal

from defusedxml import ElementTree

from generator.intake.problems import Problem, error

MAX_FILE_BYTES = 10 * 1024 * 1024  # genuine returns are 20-60 KB
MAX_ENTRIES = 300
MAX_ENTRY_BYTES = 25 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RATIO = 100  # compression ratio allowed for entries above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

Kind = Literal["xlsx", "ods"]


@dataclass
class GateResult:
    kind: Kind | None
    problems: list[Problem] = field(default_factory=list)
    # every part of the zip, decompressed (their sizes are bounded by the checks on the zip
    # directory), for the checks here and for the reader: each is read once per file
    parts: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.kind is not None and not self.problems


def _err(code: str, message: str, file: str, found: str = "", expected: str = "") -> Problem:
    return error(code, message, file=file, found=found, expected=expected)


def _refuse(code: str, message: str, file: str, found: str = "", expected: str = "") -> GateResult:
    """The file is not parsed, for this one reason."""
    return GateResult(None, [_err(code, message, file, found, expected)])


def inspect_bytes(data: bytes, name: str) -> GateResult:
    """Decide whether ``data`` (the file called ``name``) is safe to parse, and as what."""
    if not data:
        return _refuse("empty-file", "The file is empty (0 bytes).", name)
    if len(data) > MAX_FILE_BYTES:
        return GateResult(None, [too_large(name, len(data))])
    if data.startswith(OLE_MAGIC):
        return GateResult(None, [_ole_problem(data, name)])
    if not data.startswith(b"PK"):
        what = "a text file" if _looks_like_text(data[:2048]) else "not a spreadsheet"
        return _refuse(
            "not-a-spreadsheet",
            f"This is {what}, not an .xlsx or .ods workbook (it may have been renamed). "
            "Please send the completed template saved as .xlsx.",
            name,
            found=what,
            expected="an .xlsx or .ods workbook",
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        return _refuse(
            "not-a-spreadsheet",
            f"The file is damaged or incomplete and cannot be opened as a workbook ({e}). "
            "Please save it again and resend.",
            name,
            found="a damaged zip file",
        )
    with zf:
        return _inspect_zip(zf, infos, name)


def too_large(name: str, size: int) -> Problem:
    return _err(
        "file-too-large",
        f"The file is {size / 1e6:.1f} MB; a return is well under {MAX_FILE_BYTES // (1024 * 1024)} MB. "
        "Check you sent the right file.",
        name,
        found=f"{size} bytes",
        expected=f"at most {MAX_FILE_BYTES} bytes",
    )


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _ole_problem(data: bytes, name: str) -> Problem:
    # An encrypted .xlsx is an OLE container with EncryptionInfo/EncryptedPackage streams;
    # anything else in an OLE container is a legacy .xls (or another Office 97 file).
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return _err(
            "encrypted",
            "The workbook is protected with a password to open (encrypted), so it cannot be read. "
            "Open it, remove the password (in Excel: File > Info > Protect Workbook > Encrypt with "
            "Password, then clear it) and save it again. Sheet protection is fine; only the "
            "password to open must go.",
            name,
            found="an encrypted workbook",
            expected="a workbook without a password to open",
        )
    return _err(
        "legacy-xls",
        "This is an old-format Excel file (.xls), which cannot be checked safely. Open it in Excel "
        "or LibreOffice and save it as 'Excel Workbook (.xlsx)', then send that file.",
        name,
        found="a legacy .xls workbook",
        expected="an .xlsx workbook",
    )


def _inspect_zip(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> GateResult:
    problems: list[Problem] = []
    members = {i.filename: i for i in infos}
    if len(infos) > MAX_ENTRIES:
        problems.append(
            _err(
                "zip-unsafe",
                f"The workbook has {len(infos)} parts; a return has about 20.",
                name,
                found=f"{len(infos)} zip entries",
                expected=f"at most {MAX_ENTRIES}",
            )
        )
        return GateResult(None, problems)
    folded = [i.filename.lower() for i in infos]
    odd = [i.filename for i in infos if _ODD_NAME.search(i.filename)]
    if len(set(folded)) != len(infos) or odd:
        # two parts of one name (or of names that differ only in case, or that name the same
        # place another way): one program reads one, another the other, so a check could look
        # at a part that is not the one read
        twice = odd or sorted({i.filename for i in infos if folded.count(i.filename.lower()) > 1})
        return _refuse(
            "zip-unsafe",
            "The workbook names its parts as no spreadsheet program does (two parts of one "
            "name, or a part named another way). It cannot be opened safely.",
            name,
            found=", ".join(twice[:3]),
            expected="each part once",
        )
    total = 0
    for i in infos:
        total += i.file_size
        if i.flag_bits & 0x1:
            problems.append(
                _err(
                    "encrypted",
                    "Part of the workbook is encrypted. Please save it without a password and resend.",
                    name,
                    found=i.filename,
                )
            )
        elif i.file_size > MAX_ENTRY_BYTES or (
            i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1)
        ):
            problems.append(
                _err(
                    "zip-unsafe",
                    f"Part of the workbook ({i.filename}) would expand to {i.file_size / 1e6:.0f} MB, "
                    "far more than any return. It cannot be opened safely.",
                    name,
                    found=f"{i.filename}: {i.file_size} bytes from {i.compress_size}",
                    expected=f"at most {MAX_ENTRY_BYTES} bytes, ratio at most {MAX_RATIO}",
                )
            )
    if total > MAX_TOTAL_BYTES:
        problems.append(
            _err(
                "zip-unsafe",
                f"The workbook would expand to {total / 1e6:.0f} MB in memory, far more than any return.",
                name,
                found=f"{total} bytes",
                expected=f"at most {MAX_TOTAL_BYTES} bytes",
            )
        )
    if problems:
        return GateResult(None, problems)

    parts: dict[str, bytes] = {}
    for i in infos:  # every part, whole: sizes and ratios are checked above
        try:
            parts[i.filename] = zf.read(i)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError) as e:
            return _refuse(
                "zip-unsafe",
                f"Part of the workbook ({i.filename}) is damaged and cannot be read ({e}). "
                "Please save it again and resend.",
                name,
                found=f"{i.filename}: {type(e).__name__}",
                expected="an undamaged workbook",
            )

    kind: Kind | None
    if "mimetype" in members and parts["mimetype"].strip().startswith(ODS_MIME):
        kind = "ods"
    elif "[Content_Types].xml" in members and any(n.startswith("xl/") for n in members):
        kind = "xlsx"
    else:
        return _refuse(
            "not-a-spreadsheet",
            "This zip file is not an .xlsx or .ods workbook (it may be another document type "
            "renamed). Please send the completed template saved as .xlsx.",
            name,
            found="a zip file that is not a workbook",
        )

    problems.extend(_check_xml_and_content(infos, name, kind, parts))
    return GateResult(kind if not problems else None, problems, parts)


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# "./", "../", "//", a backslash or a leading "/" in a part's name: another way to name a part
_ODD_NAME = re.compile(r"(^|/)\.{1,2}(/|$)|//|\\|^/")
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


def _check_xml_and_content(
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
            _err(
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
            _err(
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
            _err(
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
                _err(
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
                _err(
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
        _err(
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
                    _err(
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
                _err(
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
            _err(
                "sheet-too-large",
                f"A sheet has values far outside the template (row {worst_row}, column {worst_col}). "
                "Please delete anything typed outside the template's table and resend.",
                name,
                found=f"{where}: row {worst_row}, column {worst_col}",
                expected=f"rows up to {MAX_ROW}, columns up to {MAX_COL}",
            )
        ]
    return []
