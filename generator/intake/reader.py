"""Read a completed return (.xlsx or .ods) back: safely, quickly, and cell by cell.

Order of work, each step only if the one before found nothing fatal:

1. the gate (:mod:`generator.intake.gate`): the file's bytes and zip directory;
2. which template it is: custom document properties, else the hidden ``_meta`` sheet;
3. the layout: every answer row still holds the item the template put there;
4. formulas in answer cells (from the sheet XML: calamine reports values only);
5. values, read with python-calamine (15-30x faster than openpyxl), then re-validated
   against the catalogue by the pure :func:`generator.intake.validation.validate_answers`.

A spreadsheet's cached formula results are never used as answers.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from generator.base.names import printable
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue, Section, version_key
from generator.intake.gate import MAX_FILE_BYTES, GateResult, inspect_bytes, too_large
from generator.intake.gate_parts import col_number
from generator.intake.problems import Problem, error, shown, warning
from generator.intake.validation import Answers, validate_answers
from generator.workbook.layout import (
    ANSWER_COL,
    DETAILS_ANSWER_COL,
    DETAILS_COLUMNS,
    DETAILS_SHEET,
    META_SHEET,
    RETURN_COLUMNS,
    RETURN_SHEET,
    InputCell,
    Layout,
    build_layout,
)

NEEDED_SHEETS = (DETAILS_SHEET, RETURN_SHEET)
Grid = Sequence[Sequence[object]]
NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass
class ReadResult:
    """Everything known about one received file."""

    file: str
    sha256: str = ""
    kind: str = ""
    template_id: str = ""
    section: str = ""
    version: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "valid": self.valid,
            "sha256": self.sha256,
            "template_id": self.template_id,
            "section": self.section,
            "version": self.version,
            "identity": self.identity,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.as_dict() for p in self.problems],
        }


def read_return(
    path: Path | str,
    catalogue: Catalogue,
    registry: Registry,
    expected_section: str | None = None,
) -> ReadResult:
    """Read and validate the file at ``path``; never raises for bad content."""
    path = Path(path)
    name = printable(path)  # what the result and its problems call the file: printable, any bytes
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # do not even read it into memory
            return ReadResult(name, problems=[too_large(name, size)])
        data = path.read_bytes()
    except OSError as e:
        return ReadResult(
            name, problems=[error("file-not-found", f"The file cannot be read: {e.strerror}.", file=name)]
        )
    return read_return_bytes(data, name, catalogue, registry, expected_section)


def read_return_bytes(
    data: bytes,
    name: str,
    catalogue: Catalogue,
    registry: Registry,
    expected_section: str | None = None,
) -> ReadResult:
    result = ReadResult(name, sha256=hashlib.sha256(data).hexdigest())
    gate = inspect_bytes(data, name)
    if not gate.ok:
        result.problems = gate.problems
        return result
    assert gate.kind is not None
    result.kind = gate.kind
    try:
        _read_checked(data, gate, result, catalogue, registry, expected_section)
    except Exception as e:  # calamine and the XML parsers raise their own types: report, never crash
        result.problems.append(
            error(
                "unreadable",
                f"The workbook could not be read ({type(e).__name__}: "
                f"{shown(e, 120)}). Please save it again from the template and resend.",
                file=name,
            )
        )
    return result


def _read_checked(
    data: bytes,
    gate: GateResult,
    result: ReadResult,
    catalogue: Catalogue,
    registry: Registry,
    expected_section: str | None,
) -> None:
    name = result.file
    props = _custom_properties(gate.parts, gate.kind or "")
    # first: a sheet named twice is refused before any is read
    sheet_parts = _xlsx_sheet_members(gate.parts) if gate.kind == "xlsx" else {}
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = list(wb.sheet_names)

    meta = dict(props)
    if META_SHEET in sheets:
        rows = wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False, nrows=10)
        for row in rows[2:8]:
            if len(row) >= 2 and isinstance(row[0], str) and row[0].startswith("kpi_") and row[1] != "":
                meta.setdefault(row[0], str(row[1]))
    section = _identify(meta, catalogue, name, expected_section, result)
    if section is None:
        return
    missing = [s for s in NEEDED_SHEETS if s not in sheets]
    if missing:
        result.problems.append(
            error(
                "missing-sheet",
                f"The workbook has no sheet called '{missing[0]}' (its sheets are: {', '.join(sheets)}). "
                "Sheets may have been renamed or deleted: please use a fresh copy of the template.",
                file=name,
                sheet=missing[0],
                found=", ".join(sheets),
                expected=", ".join(NEEDED_SHEETS),
            )
        )
        return
    layout = build_layout(section, catalogue)
    # whole sheets (the gate has refused cells far outside the template): a note or a row of
    # data typed beside or below the table is reported, never silently lost
    ret = wb.get_sheet_by_name(RETURN_SHEET).to_python(skip_empty_area=False)
    det = wb.get_sheet_by_name(DETAILS_SHEET).to_python(skip_empty_area=False)
    moved = _layout_problem(layout, ret, det, name)
    if moved:
        result.problems.append(moved)
        return
    result.problems += _outside(ret, RETURN_SHEET, layout.last_row, len(RETURN_COLUMNS), name)
    result.problems += _outside(
        det, DETAILS_SHEET, max(f.row for f in layout.details), len(DETAILS_COLUMNS), name
    )
    answer_refs = {
        DETAILS_SHEET: {f.ref for f in layout.details},
        RETURN_SHEET: {c.ref for c in layout.input_cells},
    }
    formula_cells = _formula_cells(gate.parts, gate.kind or "", answer_refs, sheet_parts)
    answers = Answers(
        details={f.key: _cell(det, f.row, DETAILS_ANSWER_COL) for f in layout.details},
        cells={c.ref: _cell(ret, c.row, ANSWER_COL) for c in layout.input_cells},
        formulas=formula_cells,
        errors=_error_cells(gate.parts, gate.kind or "", answer_refs, sheet_parts),
    )
    current = catalogue.sections[section.section]
    later = current.later_checks(section.version) if section is not current else None
    checked = validate_answers(layout, answers, registry, name, later)
    result.identity = checked.identity
    result.values = checked.values
    result.problems.extend(checked.problems)


def _identify(
    meta: dict[str, str],
    catalogue: Catalogue,
    name: str,
    expected_section: str | None,
    result: ReadResult,
) -> Section | None:
    template_id = meta.get("kpi_template_id", "")
    by_id = {s.template_id: s for s in catalogue.sections.values()}
    section = by_id.get(template_id)
    if section is None:
        result.problems.append(
            error(
                "unknown-template",
                "This workbook is not one of the KPI collection templates (it has no template id"
                + (f"; it says '{shown(template_id)}'" if template_id else "")
                + "). Please fill in the template you were sent and return that file.",
                file=name,
                found=shown(template_id) or "(none)",
                expected="one of " + ", ".join(sorted(by_id)),
            )
        )
        return None
    result.template_id, result.section = section.template_id, section.section
    result.version = meta.get("kpi_template_version", "")
    if expected_section and expected_section.upper() != section.section:
        exp = catalogue.sections.get(expected_section.upper())
        result.problems.append(
            error(
                "wrong-section",
                f"This is the Section {section.section} ({section.title}) template, but a Section "
                f"{expected_section.upper()}" + (f" ({exp.title})" if exp else "") + " return was expected.",
                file=name,
                found=f"Section {section.section}",
                expected=f"Section {expected_section.upper()}",
            )
        )
        return None
    if result.version not in section.version_names:
        result.problems.append(
            error(
                "unknown-template-version",
                f"The template says it is version '{shown(result.version)}' of Section "
                f"{section.section}, which this software does not know (it reads versions "
                f"{', '.join(section.version_names)}). Please fill in the current template "
                f"({section.template_id}.xlsx) and send that.",
                file=name,
                found=shown(result.version) or "(none)",
                expected=" or ".join(section.version_names),
            )
        )
        return None
    if result.version != section.version:
        newer = [v for v in section.versions if version_key(v.version) > version_key(result.version)]
        result.problems.append(
            warning(
                "old-template-version",
                f"This return uses version {result.version} of the Section {section.section} "
                f"template; it is read and checked as that version had it. Version "
                f"{section.version} is current ("
                + "; ".join(f"{v.version}: {v.changes.rstrip('.')}" for v in newer)
                + f"): please use {section.template_id}.xlsx next time.",
                file=name,
                found=result.version,
                expected=section.version,
            )
        )
    return section.at(result.version)


@functools.cache
def _col_index(col: str) -> int:
    """Zero-based column of ``col``: a few letters, looked up for every cell read."""
    return col_number(col) - 1


OUTSIDE_SHOWN = 10  # cells named one by one; the rest are counted


def _outside(grid: Grid, sheet: str, last_row: int, last_col: int, name: str) -> list[Problem]:
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


def _cell(rows: Grid, row: int, col: str) -> object:
    c = _col_index(col)
    if row - 1 >= len(rows) or c >= len(rows[row - 1]):
        return None
    v = rows[row - 1][c]
    return None if v == "" else v


def _layout_problem(layout: Layout, ret: Grid, det: Grid, name: str) -> Problem | None:
    """Every answer row must still hold its item id and category: rows inserted, deleted or
    sorted would otherwise put answers against the wrong question."""
    for r in layout.rows:
        want_id = r.item.id
        want_cat = r.category_label if isinstance(r, InputCell) else "Total (calculated)"
        got_id, got_cat = _cell(ret, r.row, "A"), _cell(ret, r.row, "D")
        id_moved = str(got_id or "").strip() != want_id
        if id_moved or str(got_cat or "").strip() != want_cat:
            col, want, got = ("A", want_id, got_id) if id_moved else ("D", want_cat, got_cat)
            what = "item id" if id_moved else "category"
            return error(
                "layout-changed",
                f"Row {r.row} of the '{RETURN_SHEET}' sheet should have the {what} '{want}' in column "
                f"{col}, but it holds {_held(got)}. Rows may have been inserted, deleted, sorted or "
                "relabelled, so answers would be read against the wrong questions. Please copy your "
                "answers into a fresh copy of the template.",
                file=name,
                sheet=RETURN_SHEET,
                cell=f"{col}{r.row}",
                item_id=want_id,
                found=_held(got),
                expected=f"'{want}'",
            )
    for f in layout.details:
        got = _cell(det, f.row, "A")
        if str(got or "").strip() != f.label:
            return error(
                "layout-changed",
                f"Row {f.row} of the '{DETAILS_SHEET}' sheet should have '{f.label}' in column A, but it "
                f"holds {_held(got)}. Please use a fresh copy of the template.",
                file=name,
                sheet=DETAILS_SHEET,
                cell=f"A{f.row}",
                found=_held(got),
                expected=f"'{f.label}'",
            )
    return None


def _held(value: object) -> str:
    """What a label cell holds, in words: nothing (a row inserted) is "nothing"."""
    return "nothing" if value in (None, "") else f"'{shown(value)}'"


# -- what calamine does not give: document properties and formulas --------------------------
# These read the parts the gate decompressed (GateResult.parts), not the zip again.
def _custom_properties(parts: Mapping[str, bytes], kind: str) -> dict[str, str]:
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


def _formula_cells(
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


def _error_cells(
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
    for sheet, member in sheet_parts.items():  # sheet name -> its part (_xlsx_sheet_members)
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


def _xlsx_sheet_members(parts: Mapping[str, bytes]) -> dict[str, str]:
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
