"""Tables (column -> values): to and from rows, and picking rows by position."""

from __future__ import annotations

from generator.base.tables import from_rows, take, to_rows


def test_rows_to_a_table_and_back_keep_every_key_in_order():
    rows = [{"a": 1, "b": "x"}, {"b": "y", "c": 2.5}]
    t = from_rows(rows, ("d",))
    assert list(t) == ["a", "b", "c", "d"]
    assert t == {"a": [1, None], "b": ["x", "y"], "c": [None, 2.5], "d": [None, None]}
    assert to_rows(t) == [
        {"a": 1, "b": "x", "c": None, "d": None},
        {"a": None, "b": "y", "c": 2.5, "d": None},
    ]


def test_take_picks_rows_in_the_order_asked():
    t = {"a": [10, 11, 12, 13], "b": ["w", "x", "y", "z"]}
    assert take(t, [3, 0]) == {"a": [13, 10], "b": ["z", "w"]}
    assert take(t, [2]) == {"a": [12], "b": ["y"]}  # one row: itemgetter would give a scalar
    assert take(t, []) == {"a": [], "b": []}
    assert to_rows(take(t, [])) == []
