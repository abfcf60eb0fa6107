"""The gate (generator.intake.gate): what a received file is, decided from its bytes and its zip
directory before any spreadsheet parser sees it; every part of a workbook it lets through is
handed on, read once."""

from __future__ import annotations

import io
import zipfile

import pytest

from generator.intake.gate import MAX_FILE_BYTES, OLE_MAGIC, RATIO_FLOOR, inspect_bytes


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_template_passes_with_every_part_read(rendered):
    result = inspect_bytes(rendered["B"], "b.xlsx")
    assert result.ok and result.kind == "xlsx" and result.problems == []
    with zipfile.ZipFile(io.BytesIO(rendered["B"])) as z:
        assert result.parts == {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize(
    ("data", "code", "found"),
    [
        (b"", "empty-file", ""),
        (b"PK" + bytes(MAX_FILE_BYTES), "file-too-large", f"{MAX_FILE_BYTES + 2} bytes"),
        (OLE_MAGIC + "EncryptionInfo".encode("utf-16-le"), "encrypted", "an encrypted workbook"),
        (OLE_MAGIC + bytes(512), "legacy-xls", "a legacy .xls workbook"),
        (b"area,referrals\nPS04,51\n", "not-a-spreadsheet", "a text file"),
        (b"\xff\xfe\x00 not text either", "not-a-spreadsheet", "not a spreadsheet"),
        (b"PK\x03\x04 cut short", "not-a-spreadsheet", "a damaged zip file"),
        (_zip({"readme.txt": b"hello"}), "not-a-spreadsheet", "a zip file that is not a workbook"),
    ],
    ids=["empty", "too large", "encrypted", "legacy xls", "text", "binary", "damaged zip", "other zip"],
)
def test_a_file_that_is_no_workbook_is_refused_unparsed_with_what_it_is(data, code, found):
    result = inspect_bytes(data, "r.xlsx")
    assert result.kind is None and not result.ok and result.parts == {}
    (p,) = result.problems
    assert (p.code, p.found, p.file) == (code, found, "r.xlsx")


def test_a_part_that_would_expand_far_beyond_its_size_is_refused_before_it_is_read():
    """Above RATIO_FLOOR, a part may expand to at most 100 times its compressed size (zeros
    compress about a thousandfold)."""
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": bytes(2 * RATIO_FLOOR)})
    result = inspect_bytes(bomb, "r.xlsx")
    assert result.kind is None and [p.code for p in result.problems] == ["zip-unsafe"]
    assert result.problems[0].found.startswith("xl/workbook.xml: 2097152 bytes from ")
