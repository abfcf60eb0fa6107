"""Apply a saved workbook's data validation to a value, as a spreadsheet program would on entry.

Independent of ``generator.workbook.rules``: it reads only what is in the file (openpyxl's view of
``<dataValidation>`` elements and defined names), so a test can show that the rules the
generator meant are the rules the file carries.
"""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

EPOCH = dt.datetime(1899, 12, 30)


def validation_for(ws: Worksheet, coord: str) -> DataValidation | None:
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) <= 1, f"{ws.title}!{coord} has {len(found)} validations"
    return found[0] if found else None


def _list_values(wb: Workbook, formula: str) -> list[str]:
    name = formula.lstrip("=")
    if name.startswith('"'):
        return name.strip('"').split(",")
    defn = wb.defined_names[name]
    ((sheet, ref),) = list(defn.destinations)
    ws = wb[sheet]
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    return [str(ws.cell(r, c).value) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _num(x: object) -> float:
    return float(str(x))


def _compare(op: str | None, v: float, f1: float, f2: float | None) -> bool:
    op = op or "between"
    return {
        "between": lambda: f1 <= v <= (f2 if f2 is not None else f1),
        "notBetween": lambda: not (f1 <= v <= (f2 if f2 is not None else f1)),
        "equal": lambda: v == f1,
        "notEqual": lambda: v != f1,
        "greaterThan": lambda: v > f1,
        "lessThan": lambda: v < f1,
        "greaterThanOrEqual": lambda: v >= f1,
        "lessThanOrEqual": lambda: v <= f1,
    }[op]()


def accepts(wb: Workbook, dv: DataValidation, value: object) -> bool:
    """Would a spreadsheet accept ``value`` typed into a cell with validation ``dv``?"""
    if value is None or value == "":
        return bool(dv.allow_blank)
    t = dv.type
    if t in ("whole", "decimal"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if t == "whole" and float(value) != int(value):
            return False
        f2 = _num(dv.formula2) if dv.formula2 is not None else None
        return _compare(dv.operator, float(value), _num(dv.formula1), f2)
    if t == "list":
        return str(value) in _list_values(wb, dv.formula1)
    if t == "date":
        if not isinstance(value, dt.date):
            return False
        d = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        serial = (d - EPOCH).days
        f2 = _num(dv.formula2) if dv.formula2 is not None else None
        return _compare(dv.operator, serial, _num(dv.formula1), f2)
    if t == "textLength":
        f2 = _num(dv.formula2) if dv.formula2 is not None else None
        return _compare(dv.operator, len(str(value)), _num(dv.formula1), f2)
    raise AssertionError(f"unexpected validation type {t}")
