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

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from generator.base.names import printable
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue, Section, version_key
from generator.intake.answers import Answers
from generator.intake.cells import (
    Grid,
    cell,
    custom_properties,
    error_cells,
    formulas_in,
    outside,
    xlsx_sheet_members,
)
from generator.intake.gate import MAX_FILE_BYTES, GateResult, inspect_bytes, too_large
from generator.intake.problems import Problem, error, shown, warning
from generator.intake.validation import validate_answers
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
    props = custom_properties(gate.parts, gate.kind or "")
    # first: a sheet named twice is refused before any is read
    sheet_parts = xlsx_sheet_members(gate.parts) if gate.kind == "xlsx" else {}
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
    result.problems += outside(ret, RETURN_SHEET, layout.last_row, len(RETURN_COLUMNS), name)
    result.problems += outside(
        det, DETAILS_SHEET, max(f.row for f in layout.details), len(DETAILS_COLUMNS), name
    )
    answer_refs = {
        DETAILS_SHEET: {f.ref for f in layout.details},
        RETURN_SHEET: {c.ref for c in layout.input_cells},
    }
    formula_cells = formulas_in(gate.parts, gate.kind or "", answer_refs, sheet_parts)
    answers = Answers(
        details={f.key: cell(det, f.row, DETAILS_ANSWER_COL) for f in layout.details},
        cells={c.ref: cell(ret, c.row, ANSWER_COL) for c in layout.input_cells},
        formulas=formula_cells,
        errors=error_cells(gate.parts, gate.kind or "", answer_refs, sheet_parts),
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


def _layout_problem(layout: Layout, ret: Grid, det: Grid, name: str) -> Problem | None:
    """Every answer row must still hold its item id and category: rows inserted, deleted or
    sorted would otherwise put answers against the wrong question."""
    for r in layout.rows:
        want_id = r.item.id
        want_cat = r.category_label if isinstance(r, InputCell) else "Total (calculated)"
        got_id, got_cat = cell(ret, r.row, "A"), cell(ret, r.row, "D")
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
        got = cell(det, f.row, "A")
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
