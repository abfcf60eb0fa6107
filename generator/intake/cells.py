"""What a workbook's own XML says about its cells, read directly rather than through a
spreadsheet library: formulas, error values, custom properties, and what was typed outside the
answer cells. The library reads values; these are what it hides or drops.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Iterator, Mapping, Sequence

from defusedxml import ElementTree

from generator.intake.gate_parts import col_number
from generator.intake.problems import Problem, shown, warning

Grid = Sequence[Sequence[object]]
NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@functools.cache
def _col_index(col: str) -> int:
    """Zero-based column of ``col``: a few letters, looked up for every cell read."""
    return col_number(col) - 1


OUTSIDE_SHOWN = 10  # cells named one by one; the rest are counted


def outside(grid: Grid, sheet: str, last_row: int, last_col: int, name: str) -> list[Problem]:
    """A warning for each cell with something in it beyond the template's table (below its last
    row or right of its last column): the reader reads answer cells only, so a caveat or a row
    of data put there would be lost without a word."""
    found = [
        (r, c, v)
        for r, row in enumerate(grid, start=1)
        for c, v in enumerate(row, start=1)
        if (r > last_row or c > last_col) and v not in ("", None)
    ]
    out = [
        warning(
            "outside-answer-cells",
            f"{sheet}!{_col_letters(c)}{r} holds '{shown(v, 60)}', outside the answer cells: it is not "
            "read. If it is a caveat or a figure, send it to your analyst with the return.",
            file=name,
            sheet=sheet,
            cell=f"{_col_letters(c)}{r}",
            found=shown(v),
            expected="nothing outside the template's table",
        )
        for r, c, v in found[:OUTSIDE_SHOWN]
    ]
    if len(found) > OUTSIDE_SHOWN:
        out.append(
            warning(
                "outside-answer-cells",
                f"{sheet}: {len(found) - OUTSIDE_SHOWN} more cells outside the answer cells hold something.",
                file=name,
                sheet=sheet,
                found=str(len(found)),
                expected="nothing outside the template's table",
            )
        )
    return out


def cell(rows: Grid, row: int, col: str) -> object:
    c = _col_index(col)
    if row - 1 >= len(rows) or c >= len(rows[row - 1]):
        return None
    v = rows[row - 1][c]
    return None if v == "" else v


# -- what calamine does not give: document properties and formulas --------------------------
# These read the parts the gate decompressed (GateResult.parts), not the zip again.
def custom_properties(parts: Mapping[str, bytes], kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if kind == "xlsx" and "docProps/custom.xml" in parts:
        root = ElementTree.fromstring(parts["docProps/custom.xml"])
        for prop in root:
            name = prop.get("name")
            children = list(prop)
            if name and children:
                out[name] = (children[0].text or "").strip()
    elif kind == "ods" and "meta.xml" in parts:
        root = ElementTree.fromstring(parts["meta.xml"])
        for el in root.iter(f"{{{NS_META}}}user-defined"):
            name = el.get(f"{{{NS_META}}}name")
            if name:
                out[name] = (el.text or "").strip()
    return {k: v for k, v in out.items() if k.startswith("kpi_")}


# a cell whose first child is a formula, with or without a namespace prefix. The gate lets
# through only cells written <c r="A1" ...> with no "<" or ">" inside an attribute, so "[^>]*>"
# ends the tag where it really ends
_XLSX_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<(?:[\w.-]+:)?f(?:\s[^>]*)?(?:/>|>([^<]{0,200}))'
)


def formulas_in(
    parts: Mapping[str, bytes],
    kind: str,
    answer_refs: Mapping[str, set[str]],
    sheet_parts: Mapping[str, str],
) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> formula text, for every answer cell (``answer_refs``: sheet -> cell
    references) that holds a formula. The template's own formulas elsewhere are not decoded."""
    out: dict[tuple[str, str], str] = {}
    if kind == "xlsx":
        for key, text in _xlsx_answer_matches(_XLSX_FORMULA, parts, answer_refs, sheet_parts):
            out[key] = "=" + text if text else "(shared formula)"
        return out
    if "content.xml" not in parts:
        return out
    found = _ods_formula_cells(parts["content.xml"], set(answer_refs))
    return {k: v for k, v in found.items() if k[1] in answer_refs.get(k[0], ())}


# a cell holding an error value (#N/A pasted as a value), which calamine reads as a blank
_XLSX_ERROR = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*\st="e"[^>]*>\s*<(?:[\w.-]+:)?v>([^<]{0,40})<')


def error_cells(
    parts: Mapping[str, bytes],
    kind: str,
    answer_refs: Mapping[str, set[str]],
    sheet_parts: Mapping[str, str],
) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> the error (``#N/A``), for every answer cell of an .xlsx holding an error
    value with no formula (one with a formula is reported as a formula). An .ods cell cannot
    hold an error without a formula."""
    if kind != "xlsx":
        return {}
    return dict(_xlsx_answer_matches(_XLSX_ERROR, parts, answer_refs, sheet_parts))


def _xlsx_answer_matches(
    pattern: re.Pattern[bytes],
    parts: Mapping[str, bytes],
    answer_refs: Mapping[str, set[str]],
    sheet_parts: Mapping[str, str],
) -> Iterator[tuple[tuple[str, str], str]]:
    """((sheet, cell), group 2 as text) for each match of ``pattern`` in an answer cell."""
    for sheet, member in sheet_parts.items():  # sheet name -> its part (xlsx_sheet_members)
        refs = {r.encode() for r in answer_refs.get(sheet, ())}
        if not refs:
            continue
        xml = _part(parts, member)
        if xml is None:  # never pass answers unchecked: the file is reported unreadable
            raise ValueError(
                f"the workbook names a part for sheet '{sheet}' ({member}) that it does not hold"
            )
        for m in pattern.finditer(xml):
            if m.group(1) in refs:
                yield (
                    (sheet, m.group(1).decode()),
                    html.unescape((m.group(2) or b"").decode("utf-8", "replace")),
                )


def _part(parts: Mapping[str, bytes], member: str) -> bytes | None:
    """A part by the name a relationship gives it: as written, else ignoring case (zip names are
    case-sensitive, but programs that read workbooks are not always)."""
    if member in parts:
        return parts[member]
    folded = [k for k in parts if k.lower() == member.lower()]
    return parts[folded[0]] if len(folded) == 1 else None


def xlsx_sheet_members(parts: Mapping[str, bytes]) -> dict[str, str]:
    wb = ElementTree.fromstring(parts["xl/workbook.xml"])
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    pairs = [(r.get("Id"), r.get("Target", "")) for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")]
    targets = dict(pairs)
    if len(targets) != len(pairs):  # programs may follow either: never check one and read the other
        raise ValueError("the workbook's relationships give one id twice")
    out = {}
    for sh in wb.iter(f"{{{NS_MAIN}}}sheet"):
        target = targets.get(sh.get(f"{{{NS_REL}}}id"), "")
        target = target.lstrip("/")
        sheet = sh.get("name", "")
        if sheet in out:  # programs may read either: never check one and read the other
            raise ValueError(f"the workbook has two sheets called '{sheet}'")
        out[sheet] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _ods_formula_cells(content: bytes, wanted: set[str]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    table, row, col = "", 0, 0
    t = f"{{{NS_TABLE}}}"
    for event, el in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == f"{t}table":
                table, row = el.get(f"{t}name", ""), 0
            elif tag == f"{t}table-row":
                row += 1
                col = 0
            elif tag in (f"{t}table-cell", f"{t}covered-table-cell"):
                col += 1
                formula = el.get(f"{t}formula")
                if table in wanted and formula:
                    out[(table, f"{_col_letters(col)}{row}")] = formula.removeprefix("of:")
        else:
            if tag == f"{t}table-row":
                row += int(el.get(f"{t}number-rows-repeated", "1")) - 1
            elif tag in (f"{t}table-cell", f"{t}covered-table-cell"):
                col += int(el.get(f"{t}number-columns-repeated", "1")) - 1
            if tag == f"{t}table-row":
                el.clear()
    return out


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
