"""Rules across items, rendered once for the workbook and once for the reader.

A :class:`~generator.catalogue.model.CrossCheck` is catalogue data, declared on the item whose row
shows it. :func:`bind` places it on a section's layout: which answer cells each term adds up
and which row shows the verdict. From that one :class:`Bound` object come the workbook's live
check (:meth:`Bound.formula`) and the reader's (:meth:`Bound.problem`): the same terms, the
same comparison, the same tolerance and the same words, so the two cannot disagree.

Both wait until every cell the rule reads holds a valid answer (the cells' own checks name
what is wrong with them), as the breakdown totals do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from generator.catalogue.model import REF, CrossCheck, Item
from generator.workbook.layout import ANSWER_COL, CHECK_COL, InputCell, Layout, SumCheck
from generator.workbook.rules import blank_formula, fmt, loose, loose_formula

ACROSS = "Problem across items"  # how a broken rule's check text starts (errors)
ACROSS_WARNING = "OK, but"  # ... and a warning's (the answer is accepted)
MORE_THAN_TOTAL = "Problem: more than the total"  # a valid number over its total
AFTER_PERIOD = "Problem: after the end of the reporting period"  # a valid date, too late
# a check that starts with one of these still holds a valid answer, so rules that read it run
VALID_PREFIXES = ("OK", MORE_THAN_TOTAL, AFTER_PERIOD, ACROSS)


@dataclass(frozen=True)
class Term:
    """One term of a rule: the answer cells it adds up (one, or a breakdown's rows)."""

    ref: str  # as the catalogue names it: ITEM, ITEM.numerator, ITEM.denominator, ITEM:category
    cells: tuple[InputCell, ...]

    @property
    def first(self) -> int:
        return self.cells[0].row

    @property
    def last(self) -> int:
        return self.cells[-1].row


@dataclass(frozen=True)
class Bound:
    """A rule placed on a layout."""

    rule: CrossCheck
    subject: Item
    row: int  # the row whose check shows it (the subject's total row, or its answer cell)
    cell: str  # where the reader says it is: that answer cell, or the breakdown's rows
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    when_cell: InputCell | None
    when_labels: tuple[str, ...]  # the drop-down texts of the answers that put it in force
    when_codes: tuple[str, ...]

    @property
    def is_date(self) -> bool:
        return any(c.item.value_type == "date" for t in (*self.left, *self.right) for c in t.cells)

    @property
    def on_blank(self) -> bool:
        """Does the rule judge a subject left blank? Only "blank"/"filled" do: a comparison
        waits for an answer (its own check says "To do" or nothing)."""
        return self.rule.op in ("blank", "filled")

    @property
    def sentence(self) -> str:
        return self.rule.says.rstrip(".")

    # -- the reader ---------------------------------------------------------------------
    def problem(
        self, values: Mapping[str, object], filled: Collection[str] | None = None
    ) -> tuple[str, str, str] | None:
        """``None`` when the rule holds or cannot be judged yet, else (message, found,
        expected) in a provider's words. ``filled``: the cells holding anything at all (an
        invalid answer is not blank either, as the workbook's check sees it); by default those
        with a valid value."""
        if self.when_cell is not None and str(values.get(self.when_cell.key)) not in self.when_codes:
            return None
        if self.on_blank:
            held = values if filled is None else filled
            answered = [c for t in self.left for c in t.cells if c.key in held]
            broken = bool(answered) if self.rule.op == "blank" else not answered
            if not broken:
                return None
            found = "an answer" if answered else "no answer"
            return f"{self.sentence}.", found, "no answer" if self.rule.op == "blank" else "an answer"
        left = self._total(self.left, values)
        right = self._total(self.right, values) if self.rule.value is None else round(self.rule.value, 9)
        if left is None or right is None:
            return None
        if holds(self.rule.op, left, right, self.rule.tolerance):
            return None
        lw, rw = _shown(left), _shown(right)
        return (
            f"{self.sentence} (found {lw} against {rw}).",
            lw,
            f"{_OP_WORDS[self.rule.op]} {rw}",
        )

    def _total(self, terms: tuple[Term, ...], values: Mapping[str, object]) -> float | dt.date | None:
        got = [values.get(c.key) for t in terms for c in t.cells]
        if any(v is None for v in got):
            return None  # a cell without a valid answer: its own check names it
        if self.is_date:
            d = got[0]
            return d if isinstance(d, dt.date) else None
        return round(sum(float(v) for v in got if isinstance(v, int | float)), 9)

    # -- the workbook -------------------------------------------------------------------
    def formula(self, ok: str) -> str:
        """A spreadsheet expression: ``ok`` (an expression giving the check's text when the
        cell or total is fine on its own) unless the rule is broken, then the rule in words."""
        words = (
            f'"{ACROSS}: {_q(self.sentence)}"'
            if self.rule.severity == "error"
            else (f'"{ACROSS_WARNING}: {_q(self.sentence)}"')
        )
        if self.on_blank:
            cells = [c for t in self.left for c in t.cells]
            answered = "+".join(f"--NOT({blank_formula(c.ref)})" for c in cells)
            broken = f"({answered})>0" if self.rule.op == "blank" else f"({answered})=0"
            test = f"IF({broken},{words},{ok})"
            ready = "TRUE"
        else:
            lx = self._sum_formula(self.left)
            rx = self._sum_formula(self.right) if self.rule.value is None else fmt(self.rule.value)
            lw, rw = _shown_formula(lx, self.is_date), _shown_formula(rx, self.is_date)
            found = f'&" (found "&{lw}&" against "&{rw}&")"'
            test = f"IF({_holds_formula(self.rule.op, lx, rx, self.rule.tolerance)},{ok},{words}{found})"
            # the subject's own check is the formula being written: reading it would be circular,
            # and it is valid where this runs
            others = [t for t in (*self.left, *self.right) if not t.first == t.last == self.row]
            ready = "AND(" + ",".join(_valid_formula(t) for t in others) + ")" if others else "TRUE"
        if self.when_cell is not None:
            ref = self.when_cell.ref
            chosen = ",".join(f'{loose_formula(ref)}="{_q(loose(label))}"' for label in self.when_labels)
            ready = f"AND({ready},OR({chosen}))"
        return f"IF({ready},{test},{ok})"

    def _sum_formula(self, terms: tuple[Term, ...]) -> str:
        if self.is_date:  # the day alone, as the reader reads a date with a time
            return f"INT({ANSWER_COL}{terms[0].first})"
        parts = [
            f"{ANSWER_COL}{t.first}"
            if t.first == t.last
            else f"SUM({ANSWER_COL}{t.first}:{ANSWER_COL}{t.last})"
            for t in terms
        ]
        return parts[0] if len(parts) == 1 else "(" + "+".join(parts) + ")"


_OP_WORDS = {"=": "equal to", "<=": "at most", ">=": "at least"}


def holds(op: str, left: float | dt.date, right: float | dt.date, tolerance: float) -> bool:
    """Whether ``left op right`` within ``tolerance`` (dates exactly): the reader's side of a
    rule, and of a rule across returns."""
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        return {"=": left == right, "<=": left <= right, ">=": left >= right}[op]
    assert isinstance(left, float) and isinstance(right, float)
    gap = round(left - right, 9)
    return {"=": abs(gap) <= tolerance, "<=": gap <= tolerance, ">=": gap >= -tolerance}[op]


def _holds_formula(op: str, left: str, right: str, tolerance: float) -> str:
    gap = f"ROUND({left}-{right},9)"
    tol = fmt(tolerance)
    return {"=": f"ABS({gap})<={tol}", "<=": f"{gap}<={tol}", ">=": f"{gap}>=-{tol}"}[op]


def _shown(v: float | dt.date) -> str:
    return f"{v:%d/%m/%Y}" if isinstance(v, dt.date) else fmt(v)


def _shown_formula(expr: str, is_date: bool) -> str:
    return f'TEXT({expr},"DD/MM/YYYY")' if is_date else expr


def valid_rows_formula(first: int, last: int) -> str:
    """How many of the rows hold a number (a date is one) that their own check accepts: what
    the reader has a valid value for."""
    rng = f"{ANSWER_COL}{first}:{ANSWER_COL}{last}"
    checks = f"{CHECK_COL}{first}:{CHECK_COL}{last}"
    accepted = "+".join(f'(LEFT({checks},{len(p)})="{p}")' for p in VALID_PREFIXES)
    return f"SUMPRODUCT(--ISNUMBER({rng}),--(({accepted})>0))"


def _valid_formula(t: Term) -> str:
    """TRUE when every cell of the term holds a valid number."""
    return f"({valid_rows_formula(t.first, t.last)}={t.last - t.first + 1})"


def _q(text: str) -> str:
    """Text inside a spreadsheet string literal."""
    return text.replace('"', '""')


def _cells(ref: str, layout: Layout) -> tuple[InputCell, ...]:
    """The answer cells a catalogue term adds up, in row order."""
    m = REF.fullmatch(ref)
    assert m is not None, ref  # checked when the catalogue loads
    item_id, part, cat = m.groups()
    cells = [c for c in layout.input_cells if c.item.id == item_id]
    if part == "denominator":
        own = [c for c in cells if c.part == "denominator"]
        if own:
            return tuple(own)
        den = cells[0].relation_row if cells else None
        return tuple(c for c in layout.input_cells if c.row == den)
    cells = [c for c in cells if c.part != "denominator"]
    if cat is not None:
        cells = [c for c in cells if c.category == cat]
    assert cells, f"{ref} has no answer cell"
    return tuple(cells)


_BOUND: dict[tuple[int, int], tuple[Layout, object, tuple[Bound, ...]]] = {}
Rules = tuple[tuple[Item, CrossCheck], ...]


def bind(layout: Layout, rules: Rules | None = None) -> tuple[Bound, ...]:
    """Cross-item rules placed on a layout: by default every rule of its section; ``rules``,
    (subject, rule) pairs of a later template version, for a return made on an earlier one.
    Remembered per layout and rule list, as the reader binds the same ones for every return."""
    key = (id(layout), id(rules))
    hit = _BOUND.get(key)
    if hit is not None and hit[0] is layout and hit[1] is rules:
        return hit[2]
    pairs = rules if rules is not None else tuple((i, c) for i in layout.section.items for c in i.checks)
    bound = _bind(layout, pairs)
    if len(_BOUND) >= 64:
        _BOUND.clear()
    _BOUND[key] = (layout, rules, bound)
    return bound


def _bind(layout: Layout, pairs: Rules) -> tuple[Bound, ...]:
    out = []
    sums = {r.item.id: r for r in layout.rows if isinstance(r, SumCheck)}
    for item, rule in pairs:
        subject_cells = _cells(item.id, layout)
        row = sums[item.id].row if item.id in sums else subject_cells[0].row
        when_cell: InputCell | None = None
        labels: tuple[str, ...] = ()
        codes: tuple[str, ...] = ()
        if rule.when is not None:
            when_cell = _cells(rule.when.item, layout)[0]
            codes = tuple(rule.when.is_)
            labels = tuple(when_cell.rule.options[when_cell.rule.option_codes.index(code)] for code in codes)
        out.append(
            Bound(
                rule=rule,
                subject=item,
                row=row,
                cell=(
                    f"{subject_cells[0].ref}:{subject_cells[-1].ref}"
                    if item.id in sums
                    else subject_cells[0].ref
                ),
                left=tuple(Term(r, _cells(r, layout)) for r in (rule.left or (item.id,))),
                right=tuple(Term(r, _cells(r, layout)) for r in rule.right),
                when_cell=when_cell,
                when_labels=labels,
                when_codes=codes,
            )
        )
    return tuple(out)


def on_row(layout: Layout, row: int) -> tuple[Bound, ...]:
    return tuple(b for b in bind(layout) if b.row == row)
