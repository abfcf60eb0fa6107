"""Reading many returns through the cache (generator.intake.readmany): a cached read gives back
every value, problem and date as it was, under the new file name."""

from __future__ import annotations

import pytest

from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.intake.readmany import from_json, read_many, to_json

from .builders import demo_files


def test_a_cached_read_keeps_dates_and_problems_and_takes_the_new_file_name(small_demo, tmp_path):
    catalogue, registry = load_catalogue(), load_registry()
    src = next(f for f in demo_files(small_demo) if f.name.startswith("kpi-c-"))
    (r,) = read_many([src], catalogue, registry, workers=1)
    back = from_json(to_json(r), "renamed.xlsx")
    assert back.values == r.values and back.identity == r.identity and back.sha256 == r.sha256
    assert [p.code for p in back.problems] == [p.code for p in r.problems]
    assert back.file == "renamed.xlsx" and all(p.file in ("", "renamed.xlsx") for p in back.problems)


@pytest.mark.parametrize(
    "extra",
    [{}, {"inf": float("inf")}, {"huge": 2**70}],
    ids=["orjson", "json-for-infinity", "json-for-a-huge-integer"],
)
def test_a_cached_read_gives_back_every_value_as_the_type_it_was(extra):
    """Dates stay dates and datetimes datetimes, whichever encoder wrote the cache entry."""
    import datetime as dt

    from generator.intake.reader import ReadResult

    values = {
        "d": dt.date(2025, 6, 30),
        "t": dt.datetime(2025, 6, 30, 12, 5, 1),
        "n": 12,
        "x": 0.1 + 0.2,
        "b": True,
        "s": "Team 'A' \u00e9",
        "none": None,
        **extra,
    }
    r = ReadResult("a.xlsx", sha256="0" * 64, kind="xlsx", section="B", values=values)
    # orjson's compact form unless a value is one only json keeps
    assert to_json(r).startswith(b'{"sha256":"') == (not extra)
    back = from_json(to_json(r), "b.xlsx").values
    assert back == values
    assert {k: type(v) for k, v in back.items()} == {k: type(v) for k, v in values.items()}
