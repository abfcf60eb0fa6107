"""The gate: cheap checks on a received file's bytes before any spreadsheet parser sees it.

No spreadsheet reader protects itself from a zip bomb, a cell referenced a million rows down,
or XML entity expansion, and a provider's file may be anything: the wrong file, a renamed
text file, a legacy or encrypted workbook, a workbook with macros. Each is answered here with
a problem a provider can act on, using only the zip directory and bounded reads.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field

from generator.intake.gate_parts import ODD_NAME, Kind, check_parts, err
from generator.intake.problems import Problem

MAX_FILE_BYTES = 10 * 1024 * 1024  # genuine returns are 20-60 KB
MAX_ENTRIES = 300
MAX_ENTRY_BYTES = 25 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RATIO = 100  # compression ratio allowed for entries above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


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


def _refuse(code: str, message: str, file: str, found: str = "", expected: str = "") -> GateResult:
    """The file is not parsed, for this one reason."""
    return GateResult(None, [err(code, message, file, found, expected)])


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
    return err(
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
        return err(
            "encrypted",
            "The workbook is protected with a password to open (encrypted), so it cannot be read. "
            "Open it, remove the password (in Excel: File > Info > Protect Workbook > Encrypt with "
            "Password, then clear it) and save it again. Sheet protection is fine; only the "
            "password to open must go.",
            name,
            found="an encrypted workbook",
            expected="a workbook without a password to open",
        )
    return err(
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
            err(
                "zip-unsafe",
                f"The workbook has {len(infos)} parts; a return has about 20.",
                name,
                found=f"{len(infos)} zip entries",
                expected=f"at most {MAX_ENTRIES}",
            )
        )
        return GateResult(None, problems)
    folded = [i.filename.lower() for i in infos]
    odd = [i.filename for i in infos if ODD_NAME.search(i.filename)]
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
                err(
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
                err(
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
            err(
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

    problems.extend(check_parts(infos, name, kind, parts))
    return GateResult(kind if not problems else None, problems, parts)
