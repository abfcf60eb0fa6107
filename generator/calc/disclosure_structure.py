"""Which counts of people a section's returns hold, and how they add up (breakdowns to their
totals, parts to their wholes): what the protection has to keep consistent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.calc.disclosure import DISTRIBUTION, PEOPLE, treatment
from generator.catalogue.model import Item
from generator.catalogue.sections import Catalogue

# -- the counts of a section and how they add up ----------------------------------------------
Cell = tuple[str, ...]  # the input keys a count adds up


@dataclass(frozen=True)
class Structure:
    """A section's counts of people, as the catalogue says they add up (pure, from the catalogue).

    ``cells``: every count that is published or used, each as the keys it adds up; ``groups``:
    a total and, for each exhaustive breakdown of it, its parts; ``stock``: counts that never add
    up over time; ``unpublished``: counts published at national level only (a distribution's
    categories); ``family``: for each key, every key whose published count can depend on it (the
    keys of its total and every breakdown of that total), so that a part of a section computes
    the same published counts as the whole."""

    cells: frozenset[Cell]
    groups: tuple[tuple[Cell, tuple[tuple[Cell, ...], ...]], ...]
    stock: frozenset[Cell]
    unpublished: frozenset[Cell]
    family: Mapping[str, frozenset[str]]
    largest: frozenset[Cell] = frozenset()  # the largest of the returns' values, not their sum

    def closure(self, keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for k in keys:
            out |= self.family.get(k, {k})
        return out


def _key(item: Item, part: str, category: str = "") -> str:
    k = item.id if part == "value" else f"{item.id}.{part}"
    return f"{k}:{category}" if category else k


def structure(catalogue: Catalogue, section: str) -> Structure:
    """The :class:`Structure` of one section's counts of people."""
    sec = catalogue.sections[section]
    cells: set[Cell] = set()
    groups: dict[Cell, list[tuple[Cell, ...]]] = defaultdict(list)
    stock: set[Cell] = set()
    unpublished: set[Cell] = set()
    largest: set[Cell] = set()
    for item in sec.items:
        kind = treatment(item)
        if kind not in (PEOPLE, DISTRIBUTION):
            continue
        cats = [
            c.code
            for c in (catalogue.breakdowns[item.breakdown].categories if item.breakdown else ())
            if c.code not in item.exclude_categories
        ]
        part = "numerator" if item.value_type == "proportion" else "value"
        if item.value_type == "proportion":
            if item.denominator is not None and item.denominator.label is not None:
                cells.add((_key(item, "denominator"),))
            total = _denominator_cell(item, catalogue)
        else:
            total = tuple(_key(item, part, c) for c in cats) if cats else (_key(item, part),)
            cells.add(total)
        parts = tuple((_key(item, part, c),) for c in cats) if cats else ((_key(item, part),),)
        cells.update(parts)
        if kind == DISTRIBUTION:
            unpublished.update(parts)
            continue
        if item.aggregate != "sum":
            stock.update(parts if total is None else (*parts, total))
        if item.aggregate == "max":
            largest.update(parts if total is None else (*parts, total))
        if cats and item.breakdown_exhaustive and total is not None:
            groups[total].append(parts)
    family: dict[str, set[str]] = {}
    for total, breakdowns in groups.items():
        keys = set(total) | {k for parts in breakdowns for cell in parts for k in cell}
        for k in keys:
            family.setdefault(k, set()).update(keys)
    return Structure(
        frozenset(cells),
        tuple((t, tuple(bs)) for t, bs in sorted(groups.items())),
        frozenset(stock),
        frozenset(unpublished),
        {k: frozenset(v) for k, v in family.items()},
        frozenset(largest),
    )


def _denominator_cell(item: Item, catalogue: Catalogue) -> Cell | None:
    """The count a proportion item's parts add up to: its own denominator, or the item it names."""
    if item.denominator is None:
        return None
    if item.denominator.label is not None:
        return (_key(item, "denominator"),)
    base, _, part = (item.denominator.item or "").partition(".")
    target = catalogue.item_index[base]
    return (_key(target, "numerator"),) if part else (_key(target, "value"),)


def people_keys(catalogue: Catalogue, section: str) -> frozenset[str]:
    """Every input key that is (part of) a count of people in the section."""
    return frozenset(k for cell in structure(catalogue, section).cells for k in cell)
