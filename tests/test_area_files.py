"""Each area's downloads: its rows and its providers' rows of indicators.csv, every period,
as CSV (the same lines) and as a workbook (the same rows, with notes, filters and the area's
data quality), rewritten only when their bytes change and not at all when the cache knows them."""

from __future__ import annotations

import csv
import io
import zlib
from pathlib import Path

import openpyxl
import pytest

from generator.base.cache import Cache
from generator.calc.columns import COLUMNS
from generator.catalogue.registry import Registry, load_registry
from generator.publish import area_files as af
from generator.publish.quality import QUALITY_COLUMNS
from generator.publish.safe_csv import csv_block
from generator.publish.workbook import NOTES, RULES


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def written(published, tmp_path_factory):
    """The five-site demo's area files: (folder, sizes, the rows of indicators.csv, quality)."""
    files, rows, quality = published
    folder = tmp_path_factory.mktemp("areas")
    sizes = af.write_area_files([csv_block(rows)], quality, af.areas_of(load_registry()), folder)
    return folder, sizes, _csv_rows(files["indicators.csv"]), quality


def test_every_area_with_rows_has_both_files_and_an_area_without_rows_none(written):
    folder, sizes, table, _ = written
    with_rows = {line[0] for line in table[1:]} - {"ALL"}
    assert len(with_rows) == 5
    assert set(sizes) == {n for a in with_rows for n in af.file_names(a)}
    assert {p.name for p in folder.iterdir()} == set(sizes)  # nothing else, no temporary file
    assert all((folder / n).stat().st_size == size for n, size in sizes.items())
    assert not (folder / "ps06.csv").exists()  # in the registry, but no returns in this demo


def test_an_areas_csv_is_its_rows_of_indicators_csv_line_for_line(written, published):
    folder, sizes, table, _ = written
    lines = published[0]["indicators.csv"].read_bytes().splitlines(keepends=True)
    for name in (n for n in sizes if n.endswith(".csv")):
        area = next(line[0] for line in table[1:] if af.file_names(line[0])[0] == name)
        mine = (folder / name).read_bytes().splitlines(keepends=True)
        assert mine[0] == lines[0]
        # the CSV has no line break inside a field here, so lines are rows
        assert mine[1:] == [line for line in lines[1:] if line.startswith(area.encode() + b",")]
        got = _csv_rows(folder / name)
        assert got[1:] == [r for r in table[1:] if r[0] == area]
        assert "area" in {r[COLUMNS.index("level")] for r in got[1:]} <= {"area", "provider"}
        assert len({r[COLUMNS.index("period")] for r in got[1:]}) > 4  # every period
    leeds = _csv_rows(folder / af.file_names("PS04")[0])[1:]  # two providers: both in its file
    assert {r[COLUMNS.index("provider_code")] for r in leeds} == {"", "PS04-EMP", "PS04-WRK"}


def _equal(cell: object, text: str) -> bool:
    """A workbook cell holds what the CSV's field says: the same text, or the same number."""
    if cell is None:
        return text == ""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(text) == cell
    return cell == text


def test_an_areas_workbook_holds_its_rows_of_indicators_csv_its_data_quality_and_notes(written):
    folder, sizes, table, quality = written
    for name in (n for n in sizes if n.endswith(".xlsx")):
        wb = openpyxl.load_workbook(folder / name)
        assert wb.sheetnames == ["Notes", "Indicators", "Data quality"]
        sheet = wb["Indicators"]
        got = [list(r) for r in sheet.iter_rows(values_only=True)]
        area = got[1][0]
        want = [r for r in table[1:] if r[0] == area]
        assert got[0] == list(COLUMNS)
        assert len(got) - 1 == len(want) > 0
        for cells, line in zip(got[1:], want, strict=True):
            cells += [None] * (len(COLUMNS) - len(cells))
            assert all(_equal(c, t) for c, t in zip(cells, line, strict=True)), (cells, line)
        numbers = [c for r in got[1:] for c in r if isinstance(c, float)]
        assert numbers, "numbers are numbers"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(COLUMNS)).column_letter}{len(got)}"
        assert sheet.freeze_panes == "A2"
        dq = [list(r) for r in wb["Data quality"].iter_rows(values_only=True)]
        mine = [q for q in quality if q["area_code"] == area]
        assert dq[0] == list(QUALITY_COLUMNS) and len(dq) - 1 == len(mine) > 0
        assert {r[0] for r in dq[1:]} == {area}
        assert wb["Data quality"].auto_filter.ref is not None


def test_the_notes_name_the_area_and_its_providers_and_give_the_datasets_rules(written):
    folder, sizes, table, _ = written
    registry = load_registry()
    for name in (n for n in sizes if n.endswith(".xlsx")):
        notes = openpyxl.load_workbook(folder / name)["Notes"]
        cells = {r[0]: r[1] for r in notes.iter_rows(values_only=True) if r and r[0]}
        area = next(line[0] for line in table[1:] if af.file_names(line[0])[1] == name)
        title = next(iter(cells))
        assert registry.areas[area] in title and area in title
        about = cells["About this file"]
        assert registry.areas[area] in about and "every period" in about
        for o in registry.in_area(area):
            if o.role == "provider":
                assert o.name in about
        # the same rules as dataset.xlsx, word for word
        for topic, text in RULES:
            assert cells[topic] == text == dict(NOTES)[topic]


def test_files_are_rewritten_only_when_their_bytes_change_and_others_are_removed(published, tmp_path):
    _, rows, quality = published
    areas = af.areas_of(load_registry())
    sizes = af.write_area_files([csv_block(rows)], quality, areas, tmp_path)
    before = {n: (tmp_path / n).stat().st_mtime_ns for n in sizes}
    (tmp_path / "gone.csv").write_text("an area no longer in the registry")
    assert af.write_area_files([csv_block(rows)], quality, areas, tmp_path) == sizes
    assert {n: (tmp_path / n).stat().st_mtime_ns for n in sizes} == before
    assert not (tmp_path / "gone.csv").exists()
    # one area's rows change: its files change, the others' are left alone
    changed = [dict(r, value=None) if r["area_code"] == "PS04" else r for r in rows]
    after = af.write_area_files([csv_block(changed)], quality, areas, tmp_path)
    moved = {n for n in sizes if (tmp_path / n).stat().st_mtime_ns != before[n]}
    assert moved == set(af.file_names("PS04"))
    assert after.keys() == sizes.keys()


def test_a_field_with_a_line_break_or_quotes_keeps_its_record_whole(published, tmp_path):
    """Area names come from the registry: one with a comma, quotes and a line break is one
    quoted field across two lines, and its record must stay in its area's file, whole."""
    _, rows, quality = published
    odd = 'North, "East"\nand West'
    renamed = [dict(r, area_name=odd) if r["area_code"] == "PS05" else r for r in rows]
    blocks = [csv_block(renamed[: len(renamed) // 2]), csv_block(renamed[len(renamed) // 2 :])]
    sizes = af.write_area_files(blocks, quality, af.areas_of(load_registry()), tmp_path)
    table = _csv_rows(tmp_path / af.file_names("PS05")[0])
    assert len(table) - 1 == sum(r["area_code"] == "PS05" for r in rows)
    assert {r[1] for r in table[1:]} == {odd}
    whole = b"".join(zlib.decompress(b) for b in blocks).decode()
    assert table[1:] == [r for r in csv.reader(io.StringIO(whole, newline="")) if r[0] == "PS05"]
    assert af.file_names("PS04")[0] in sizes


def test_an_area_code_needing_quotes_is_read_as_csv(published, tmp_path):
    _, rows, quality = published
    code = 'P,S"9'
    moved = [dict(r, area_code=code) if r["area_code"] == "PS04" else r for r in rows]
    areas = [af.Area(code, "Odd", ()), *af.areas_of(load_registry())]
    af.write_area_files([csv_block(moved)], quality, areas, tmp_path)
    table = _csv_rows(tmp_path / af.file_names(code)[0])
    assert len(table) - 1 == sum(r["area_code"] == "PS04" for r in rows) > 0


def test_the_cache_spares_writing_the_same_files_again_until_one_is_touched(published, tmp_path, monkeypatch):
    _, rows, quality = published
    cache = Cache(tmp_path / "cache.sqlite")
    areas, folder, blocks = af.areas_of(load_registry()), tmp_path / "areas", [csv_block(rows)]
    first = af.area_files(blocks, quality, areas, folder, cache)()
    calls: list[int] = []
    real = af.write_area_files
    monkeypatch.setattr(af, "write_area_files", lambda *a: calls.append(1) or real(*a))
    assert af.area_files(blocks, quality, areas, folder, cache)() == first
    assert calls == []
    (folder / af.file_names("PS04")[1]).write_bytes(b"edited by hand")
    assert af.area_files(blocks, quality, areas, folder, cache)() == first
    assert calls == [1]
    # other content: written again
    renamed = Registry({c: o for c, o in load_registry().organisations.items() if o.area_code != "PS05"})
    assert (
        af.file_names("PS05")[0] not in af.area_files(blocks, quality, af.areas_of(renamed), folder, cache)()
    )
    assert calls == [1, 1]


def test_two_areas_whose_files_would_share_a_name_are_refused(tmp_path):
    """PS04 and ps04 would both be ps04.csv (their pages would clash too): nothing is written."""
    areas = [af.Area("PS04", "One", ()), af.Area("ps04", "Two", ())]
    with pytest.raises(ValueError, match=r"ps04\.csv"):
        af.write_area_files([], [], areas, tmp_path / "areas")
    assert not (tmp_path / "areas").exists()
