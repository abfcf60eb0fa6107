"""The workbook's live checks and the reader agree, whatever is typed (issue 20, item 2).

Every kind of answer cell gets each awkward input a provider might type or paste: text, "n/a",
"12%", a date, TRUE, an error value, a blank and a formula. Each workbook is recalculated by
real LibreOffice, and then, cell by cell: no check shows an error value, and the check says
"Problem"/"To do" exactly where ``kpi validate`` (the reader, on the same file) reports an
error, "OK" exactly where it reports none. The Cover counts every problem."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from generator.catalogue.registry import Registry, load_registry
from generator.intake.reader import read_return
from generator.workbook.layout import (
    CHECK_COL,
    DETAILS_CHECK_COL,
    DETAILS_SHEET,
    RETURN_SHEET,
    InputCell,
    SumCheck,
    build_layout,
    period_bounds,
)

from .builders import valid_return
from .conftest import soffice_convert

pytestmark = pytest.mark.libreoffice

ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "Err:")
INPUTS = ("approx 20", "n/a", "12%", "date", "TRUE", "error", "blank", "formula", "spaces")
NUMBERS = ("count", "proportion", "percentage", "money", "number")
KINDS = ("count", "proportion", "percentage", "money", "number", "rating", "choice", "yes_no", "date", "text")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _put(ws, ref: str, what: object) -> None:
    cell = ws[ref]
    if what == "12%":
        cell.value, cell.number_format = 0.12, "0%"  # what a spreadsheet stores for 12% typed
    elif what == "date":
        cell.value, cell.number_format = dt.datetime(2025, 5, 1), "DD/MM/YYYY"
    elif what == "TRUE":
        cell.value = True
    elif what == "error":
        cell.value = "#N/A"  # an error value pasted as a value
    elif what == "blank":
        cell.value = None
    elif what == "formula":
        cell.value = "=1+1"
    elif what == "spaces":
        cell.value = "   "
    elif isinstance(what, dt.date):
        cell.value, cell.number_format = dt.datetime.combine(what, dt.time()), "DD/MM/YYYY"
    elif isinstance(what, str):
        cell.value = what
    else:
        cell.value = what


def _plan(catalogue) -> dict[tuple[str, int], dict[str, str]]:
    """(section, copy) -> {cell: input}: each kind tested where it has the most cells, with as
    many copies of that section's return as it takes to give every input to some cell."""
    plan: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for kind in KINDS:
        best = max(
            catalogue.sections.values(),
            key=lambda s: sum(c.item.value_type == kind for c in build_layout(s, catalogue).input_cells),
        )
        cells = [c.ref for c in build_layout(best, catalogue).input_cells if c.item.value_type == kind]
        assert cells, kind
        for n, what in enumerate(INPUTS):
            plan[(best.section, n // len(cells))][cells[n % len(cells)]] = what
    return plan


def _agree(
    catalogue,
    registry,
    tmp_path,
    plan: dict[tuple[str, int], dict[str, object]],
    changes: dict[tuple[str, int], dict[str, object]] | None = None,
) -> dict:
    """Fill each planned copy of a valid return (``changes``: answers to make it with, by
    input key; ``plan``: what to type over its cells, by reference), recalculate all in
    LibreOffice, and compare every check cell with kpi validate on the same file; returns
    {kind: inputs tried}, and the checks' texts and the reader's problems, by copy."""
    files = []
    for (letter, copy), puts in sorted(plan.items()):
        made = valid_return(catalogue, registry, letter, (changes or {}).get((letter, copy)))
        wb = openpyxl.load_workbook(io.BytesIO(made))
        for ref, what in puts.items():  # "Your details!C12" for the details sheet
            sheet, _, cell = ref.rpartition("!")
            _put(wb[sheet or RETURN_SHEET], cell, what)
        path = tmp_path / f"{letter}-{copy}.xlsx"
        wb.save(path)
        files.append((letter, puts, path))
    outs = soffice_convert([f[2] for f in files], tmp_path / "out", tmp_path / "profile")
    tried: dict[str, set] = defaultdict(set)
    seen: dict[tuple[str, int], tuple[dict[int, str], list]] = {}
    mismatches: list[str] = []
    for (key, puts), (_, _, _), out in zip(sorted(plan.items()), files, outs, strict=True):
        letter = key[0]
        lay = build_layout(catalogue.section(letter), catalogue)
        book = CalamineWorkbook.from_path(str(out))
        grid = book.get_sheet_by_name(RETURN_SHEET).to_python()
        result = read_return(out, catalogue, registry)
        seen[key] = ({r.row: str(grid[r.row - 1][ord(CHECK_COL) - 65]) for r in lay.rows}, result.problems)
        errors = defaultdict(list)
        for p in result.problems:
            if p.severity == "error":
                errors[p.cell].append(p.code)
        problems = 0
        for r in lay.rows:
            check = str(grid[r.row - 1][ord(CHECK_COL) - 65])
            where = f"{letter}: {RETURN_SHEET}!{CHECK_COL}{r.row} ({r.item.id})"
            assert not check.startswith(ERRORS) and check, f"{where} shows {check!r}"
            problems += check.startswith("Problem")
            if isinstance(r, InputCell):
                if r.ref in puts:
                    tried[r.item.value_type].add(str(puts[r.ref]))
                flagged = check.startswith(("Problem", "To do"))
                if (
                    puts.get(r.ref) == "date"
                    and r.item.value_type in NUMBERS
                    and check.startswith("OK")
                    and errors.get(r.ref) == ["not-a-number"]
                ):
                    # LibreOffice gives no formula the cell's format (CELL("format") says "G"
                    # for a date): a date pasted into a number cell is a number to its check,
                    # and only the reader sees the date. Excel's CELL("format") does.
                    assert any("found a date" in p.message for p in result.problems if p.cell == r.ref)
                    continue
                if flagged != bool(errors.get(r.ref)):
                    mismatches.append(
                        f"{where}, {puts.get(r.ref, 'a valid answer')!r}: check says {check!r}, "
                        f"kpi validate says {errors.get(r.ref) or 'no error'}"
                    )
            elif isinstance(r, SumCheck):
                rng = [
                    p
                    for p in result.problems
                    if p.code in ("breakdown-sum-mismatch", "cross-item-rule")
                    and p.item_id == r.item.id
                    and ":" in (p.cell or "")
                ]
                if check.startswith("Problem") != bool(rng):
                    mismatches.append(f"{where}: {check!r} against {[p.message for p in rng]}")
        cover = [str(row[0]) for row in book.get_sheet_by_name("Cover").to_python()]
        details = book.get_sheet_by_name(DETAILS_SHEET).to_python()
        col = ord(DETAILS_CHECK_COL) - 65
        problems += sum(str(row[col]).startswith("Problem") for row in details if len(row) > col)
        detail_errors = {
            p.cell for p in result.problems if p.severity == "error" and p.sheet == DETAILS_SHEET
        }
        detail_warnings = {
            p.cell for p in result.problems if p.severity == "warning" and p.sheet == DETAILS_SHEET
        }
        for f in lay.details:
            check = str(details[f.row - 1][col])
            where = f"{letter}: {DETAILS_SHEET}!{DETAILS_CHECK_COL}{f.row} ({f.key})"
            assert not check.startswith(ERRORS) and check, f"{where} shows {check!r}"
            if check.startswith(("Problem", "To do")) != (f.ref in detail_errors):
                mismatches.append(
                    f"{where}: check says {check!r}, kpi validate errors at {sorted(detail_errors)}"
                )
            elif check.startswith("OK, but") != (f.ref in detail_warnings):
                mismatches.append(
                    f"{where}: check says {check!r}, kpi validate warns at {sorted(detail_warnings)}"
                )
        if f"Problems to fix: {problems}" not in cover:
            mismatches.append(f"{letter}: {[c for c in cover if 'Problems' in c]}, {problems} on the sheets")
    assert not mismatches, "\n".join(mismatches)
    return tried, seen


def test_every_check_agrees_with_the_reader_whatever_is_typed(catalogue, registry, tmp_path):
    tried, _ = _agree(catalogue, registry, tmp_path, _plan(catalogue))
    assert {k: len(v) for k, v in tried.items()} == {k: len(INPUTS) for k in KINDS}


BAD_ROWS = (2.5, -1, "TRUE", "formula", "n/a", "error", 10_000)  # 10,000: more than its total


def test_a_breakdown_total_waits_for_every_row_to_be_valid(catalogue, registry, tmp_path):
    """One bad row in an otherwise complete breakdown: its total row neither sums it nor calls
    the breakdown wrong, as the reader skips the sum (the row's own check names the problem).
    And shares adding to 101.00000000000001 in floating point are within the tolerance on
    both sides."""
    plan: dict[tuple[str, int], dict[str, object]] = defaultdict(dict)
    lay = build_layout(catalogue.section("B"), catalogue)
    sums = [r for r in lay.rows if isinstance(r, SumCheck) and r.total_row is not None]
    assert len(sums) >= len(BAD_ROWS)
    for n, r in enumerate(sums):
        plan[("B", n // len(BAD_ROWS))][f"E{r.first_row}"] = BAD_ROWS[n % len(BAD_ROWS)]
    lay_a = build_layout(catalogue.section("A"), catalogue)
    shares = [r for r in lay_a.rows if isinstance(r, SumCheck) and r.total_value is not None]
    parts = [c for c in lay_a.input_cells if shares[0].first_row <= c.row <= shares[0].last_row]
    for c, v in zip(parts, [30.1, 34.2, 36.7] + [0.0] * len(parts), strict=False):
        plan[("A", 0)][c.ref] = v
    assert sum([30.1, 34.2, 36.7]) != 101.0  # the floating-point case itself
    _agree(catalogue, registry, tmp_path, plan)


def test_dates_are_judged_against_the_period_alike(catalogue, registry, tmp_path):
    """A completion date before the period starts (a problem), before it ends or still to come
    (warnings), and an assessment date after the period (a problem): the same in the workbook
    and the reader."""
    lay = build_layout(catalogue.section("C"), catalogue)
    done = next(f.ref for f in lay.details if f.key == "completed_date")
    c10 = next(c.ref for c in lay.input_cells if c.item.id == "C10_last_external_assessment")
    period = read_return(_one(catalogue, registry, tmp_path), catalogue, registry).identity["period"]
    start, end = period_bounds(period)
    today = dt.date.today()
    plan: dict[tuple[str, int], dict[str, object]] = {
        ("C", 0): {f"{DETAILS_SHEET}!{done}": start - dt.timedelta(days=1)},
        ("C", 1): {f"{DETAILS_SHEET}!{done}": end - dt.timedelta(days=1)},
        ("C", 2): {f"{DETAILS_SHEET}!{done}": today + dt.timedelta(days=400)},
        ("C", 3): {c10: end + dt.timedelta(days=1)},
    }
    _, seen = _agree(catalogue, registry, tmp_path, plan)
    codes = [sorted({p.code for p in seen[k][1]}) for k in sorted(plan)]
    assert codes == [
        ["date-outside-period"],
        ["implausible-date"],
        ["implausible-date"],
        ["date-outside-period"],
    ]


def _one(catalogue, registry, tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(valid_return(catalogue, registry, "C"))
    return path
