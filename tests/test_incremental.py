"""Incremental builds (through the cache, after one new return) give exactly what a full build
from nothing gives (the cache itself, which can be deleted or damaged at any time without losing
anything: test_cache.py).

Pictures are not drawn here: the drawing function is replaced by one that writes the chart's
cache key, a digest of its complete plan, so that the tests count what was drawn. Identical keys
mean identical pictures because drawing is deterministic (tests/test_svgplot.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.base.cache import NO_CACHE, Cache
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.charts import plans as charts
from generator.site.build import build_site
from generator.store.returns import Store

from .conftest import ROOT


def _fake_draw(chart):
    return f"<svg><!-- {chart.key} --></svg>"


@pytest.fixture
def fake_drawing(monkeypatch):
    monkeypatch.setattr(charts, "draw", _fake_draw)


def _project(tmp: Path) -> Path:
    shutil.copytree(
        ROOT / "site_src", tmp / "site_src", ignore=shutil.ignore_patterns("generated", "index.md")
    )
    return tmp / "site_src"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _returns(small_demo: Store) -> list[Path]:
    return sorted((small_demo.root.parent / "returns").rglob("*.xlsx"))


def _ingest(store: Store, paths: list[Path], cache: Cache) -> None:
    catalogue, registry = load_catalogue(), load_registry()
    # the late resubmission must come after the return it replaces
    paths = sorted(paths, key=lambda p: "_resubmission" in p.name)
    outcomes = store.ingest_many(
        paths, catalogue, registry, ["_resubmission" in p.name for p in paths], cache=cache
    )
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]


def test_incremental_build_after_one_new_return_equals_a_full_build(small_demo, tmp_path, fake_drawing):
    catalogue, registry = load_catalogue(), load_registry()
    files = _returns(small_demo)
    new = next(f for f in files if f.name.startswith("kpi-e-") and "2025-26-Q4_PS05" in f.name)

    # incremental: everything but one return, build; the return arrives, build again (warm cache)
    cache = Cache(tmp_path / "cache.sqlite")
    inc = Store(tmp_path / "inc" / "store")
    _ingest(inc, [f for f in files if f != new], cache)
    src_inc = _project(tmp_path / "inc")

    def build_inc():
        return build_site(
            inc.root,
            catalogue,
            registry,
            tmp_path / "inc" / "dataset",
            src_inc,
            run_mkdocs=False,
            cache=cache,
            workers=1,
        )

    first = build_inc()
    drawn_first = cache.misses_by_kind["chart"]
    _ingest(inc, [new], cache)
    second = build_inc()
    drawn_second = cache.misses_by_kind["chart"] - drawn_first

    # full: every return at once, no cache at all
    full = Store(tmp_path / "full" / "store")
    _ingest(full, files, NO_CACHE)
    src_full = _project(tmp_path / "full")
    build_site(
        full.root, catalogue, registry, tmp_path / "full" / "dataset", src_full, run_mkdocs=False, workers=1
    )

    assert _files(src_inc) == _files(src_full)
    assert _files(tmp_path / "inc" / "dataset") == _files(tmp_path / "full" / "dataset")
    # and the second build did less: only the charts whose numbers moved were drawn, and only
    # the files whose bytes changed were rewritten
    assert 0 < drawn_second < drawn_first / 2, (drawn_first, drawn_second)
    assert 0 < second.changed < first.changed


def test_a_rebuild_with_nothing_new_writes_no_dataset_file_again(
    small_demo, tmp_path, fake_drawing, monkeypatch
):
    """A build after a guidance page is edited, say, has the same table: the half-gigabyte CSV,
    its zip, the workbook and each area's files are not written again. A file touched or removed
    since is. Each area page links its own files, and the Downloads page every file, as built."""
    import os

    from generator.publish import area_files
    from generator.publish import files as publish
    from generator.site import build

    catalogue, registry = load_catalogue(), load_registry()
    cache = Cache(tmp_path / "cache.sqlite")
    store = Store(tmp_path / "s" / "store")
    _ingest(store, _returns(small_demo), cache)
    src, out = _project(tmp_path / "s"), tmp_path / "s" / "dataset"
    written: list[str] = []

    def spy(name, fn):
        def wrapped(*args, **kwargs):
            written.append(name)
            return fn(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(publish, "_write_tables", spy("tables", publish._write_tables))
    monkeypatch.setattr(build, "write_workbook", spy("workbook", build.write_workbook))
    monkeypatch.setattr(area_files, "write_area_files", spy("areas", area_files.write_area_files))

    def build_again() -> list[str]:
        written.clear()
        build.build_site(store.root, catalogue, registry, out, src, run_mkdocs=False, cache=cache, workers=1)
        return sorted(written)

    assert build_again() == ["areas", "tables", "workbook"]
    first = _files(out)
    offered = src / "generated" / "downloads"
    areas = sorted((offered / "areas").iterdir())
    assert len(areas) == 10
    page = (src / "generated" / "areas" / "ps04.md").read_text(encoding="utf-8")
    assert "](../downloads/areas/ps04.csv)" in page and "](../downloads/areas/ps04.xlsx)" in page
    downloads = (src / "generated" / "downloads.md").read_text(encoding="utf-8")
    assert all(f"](downloads/areas/{p.name})" in downloads for p in areas)
    assert build_again() == []
    os.utime(areas[0], ns=(areas[0].stat().st_atime_ns, areas[0].stat().st_mtime_ns - 10**9))
    assert build_again() == ["areas"]
    assert build_again() == []
    book = out / "dataset.xlsx"
    os.utime(book, ns=(book.stat().st_atime_ns, book.stat().st_mtime_ns - 10**9))  # touched since
    assert build_again() == ["workbook"]
    (out / "indicators.csv.zip").unlink()
    assert build_again() == ["tables"]
    assert _files(out) == first
    assert build_again() == []


def test_the_site_build_names_its_stages_on_a_terminal(small_demo, tmp_path, fake_drawing, monkeypatch):
    """After the computing bar, a national build spends some ten seconds more on pages, files
    and MkDocs: a bar names each stage (only on a terminal, as every bar here)."""
    import io
    import sys

    from generator.base import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(progress, "DELAY", 0)
    build_site(
        small_demo.root,
        load_catalogue(),
        load_registry(),
        tmp_path / "dataset",
        _project(tmp_path),
        run_mkdocs=False,
        workers=1,
    )
    shown = term.getvalue()
    assert "Building the site" in shown
    assert all(s in shown for s in ("making pages", "drawing charts", "writing files")), shown[-500:]
    assert "MkDocs" not in shown  # not run here, so not named
