"""The typed published row (generator/calc/row.py) against what the calculations really give."""

from __future__ import annotations

import types
import typing
from typing import Any, get_type_hints

import pytest

from generator.calc import row as row_module
from generator.calc.columns import COLUMN_TEXT, COLUMNS
from generator.calc.row import Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset


@pytest.fixture(scope="module")
def rows(small_demo) -> list[dict[str, Any]]:
    return build_dataset(small_demo.current_returns(), load_catalogue(), load_registry(), workers=1)


def _accepts(hint: Any, value: Any) -> bool:
    """Whether ``value`` is of the annotated type (str, bool, int, float, None and unions of them;
    an int is a float, as in the annotations; a str enum is a str)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_accepts(h, value) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def test_every_calculated_row_is_a_row_of_the_declared_types(rows):
    """A calculation that starts to give text where a number is declared (or a new column the row
    does not have) fails here, not as a blank cell or a wrong comparison on a page."""
    hints = get_type_hints(Row, vars(row_module))
    wrong: dict[str, set[str]] = {}
    for r in rows:
        assert tuple(r) == COLUMNS
        typed = Row.of(r)
        for name, hint in hints.items():
            value = getattr(typed, name)
            if not _accepts(hint, value):
                wrong.setdefault(name, set()).add(type(value).__name__)
    assert len(rows) > 1000
    assert not wrong, wrong


def test_the_type_check_itself_tells_text_from_numbers():
    hints = get_type_hints(Row, vars(row_module))
    assert _accepts(hints["numerator"], 5.0) and _accepts(hints["numerator"], None)
    assert not _accepts(hints["numerator"], "5")
    assert not _accepts(hints["quartile"], 2.5) and not _accepts(hints["headline"], "True")


def test_the_published_columns_are_the_rows_fields_each_with_its_meaning():
    assert tuple(get_type_hints(Row, vars(row_module))) == COLUMNS
    assert set(COLUMN_TEXT) == set(COLUMNS)
