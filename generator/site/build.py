"""`kpi build`: stored returns -> published dataset -> charts and pages -> MkDocs site.

A thin orchestration of the pure stages; the MkDocs build runs as a subprocess with
``--strict`` (never ``-q``, which hides warnings), so a broken link fails the build.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.base import paths
from generator.base.cache import NO_CACHE, Cache
from generator.base.inputs import find, site_project
from generator.base.pools import process_pool
from generator.base.progress import Progress
from generator.calc.row import Row
from generator.calc.specs import specs
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.charts.plans import Chart
from generator.charts.render import render
from generator.publish.area_files import FOLDER, area_files, areas_of
from generator.publish.dataset import Dataset, NoReturns, compute_store
from generator.publish.files import publishing, remember_written, workbook_to_write, write_workbook
from generator.publish.periods import latest_rows
from generator.site.context import Context
from generator.site.folder import build_into, check_site_folder, locked, source_id
from generator.site.front import site_downloads
from generator.site.glossary import GlossaryError
from generator.site.glossary import load as load_glossary
from generator.site.markup import GENERATED, Page
from generator.site.pages import build_pages, downloads_page, write_pages
from generator.site.presentation import PresentationError
from generator.site.presentation import load as load_presentation
from generator.site.questions import QuestionsError
from generator.site.questions import load as load_questions
from generator.store.returns import Store
from generator.workbook.identity import template_filename
from generator.workbook.templates import render_template


@dataclass(frozen=True)
class BuildResult:
    rows: int
    pages: int
    charts: int
    changed: int
    data_as_at: str
    site_dir: Path
    dataset_dir: Path
    timings: dict[str, float]  # seconds per stage: what `make bench` reports


class BuildError(RuntimeError):
    """MkDocs failed: the message holds its output."""


def build_site(
    store_dir: Path,
    catalogue: Catalogue,
    registry: Registry,
    dataset_dir: Path,
    site_src: Path | None = None,
    site_dir: Path = paths.SITE,
    run_mkdocs: bool = True,
    config: Path | None = None,
    cache: Cache = NO_CACHE,
    workers: int | None = None,
    protected: Mapping[str, Path] | None = None,
) -> BuildResult:
    """Every stage, each reusing the cache where its inputs have not changed: the dataset per
    section, the charts per picture; pages and charts are rewritten only where their bytes change.

    The site folder is checked first (:mod:`generator.site.folder`): if it may not be replaced,
    :class:`~generator.site.folder.SiteFolderError` is raised before anything is written.
    ``protected``: other paths the site must keep clear of (the catalogue, the registry), beside
    those given here. Builds from the same pages' sources take turns (a lock on the folder).
    ``config`` and ``site_src``: by default the current folder's mkdocs.yml and the site_src/
    beside it, or a project folder made from the package's copy (:func:`inputs.site_project`)."""
    config = (config or site_project(find("mkdocs.yml"))).absolute()
    site_src = site_src or config.parent / "site_src"
    keep = {
        **(protected or {}),
        "the returns store": store_dir,
        "the dataset folder": dataset_dir,
        "the pages' sources": site_src,
        **({"the build cache": cache.path} if cache.path is not None else {}),
    }
    if run_mkdocs:
        check_site_folder(site_dir, _with_config(keep, config))
    check_questions(catalogue)
    with locked(site_src):
        return _build(
            store_dir,
            catalogue,
            registry,
            dataset_dir,
            site_src,
            site_dir,
            run_mkdocs,
            config,
            cache,
            workers,
            keep,
        )


def check_questions(catalogue: Catalogue) -> None:
    """data/questions.yaml, data/presentation.yaml and data/glossary.yaml, checked before
    anything is computed or written: a wrong verdict code or indicator in them is a one-line
    error, not a traceback after the dataset is written."""
    all_specs = specs(catalogue)
    try:
        load_questions({s.indicator_id for s in all_specs})
        load_presentation(all_specs)
        load_glossary()
    except (QuestionsError, PresentationError, GlossaryError) as e:
        raise BuildError(str(e)) from None


def _build(
    store_dir: Path,
    catalogue: Catalogue,
    registry: Registry,
    dataset_dir: Path,
    site_src: Path,
    site_dir: Path,
    run_mkdocs: bool,
    config: Path,
    cache: Cache,
    workers: int | None,
    keep: Mapping[str, Path],
) -> BuildResult:
    """:func:`build_site` once its site folder is checked and its pages' sources held."""
    clock = _Clock()
    try:
        _, data, quality = compute_store(Store(store_dir), catalogue, registry, cache, workers)
    except NoReturns as e:
        raise BuildError(str(e)) from None
    rows = [Row.of(r) for r in data.rows]
    data_as_at = max((r.period.removeprefix("12 months to ") for r in rows), default="")
    ctx = Context(rows, quality, catalogue, registry, data_as_at, data.count)
    clock.lap("compute")
    # after the computing bar, one for the rest, which at national scale takes a while too
    stages = ["making pages", "drawing charts", "writing files", *(["MkDocs"] if run_mkdocs else [])]
    with Progress("Building the site", len(stages)) as bar:
        clock.show(bar, stages)
        changed, pages, charts = _site(ctx, data, quality, cache, workers, site_src, dataset_dir, clock)
        clock.lap("write")
        if run_mkdocs:
            mkdocs(site_dir, data_as_at, config, keep, source=source_id(store_dir))
            clock.lap("mkdocs")
    return BuildResult(
        data.count, len(pages), len(charts), changed, data_as_at, site_dir, dataset_dir, clock.laps
    )


def _site(
    ctx: Context,
    data: Dataset,
    quality: list[dict[str, Any]],
    cache: Cache,
    workers: int | None,
    site_src: Path,
    dataset_dir: Path,
    clock: _Clock,
) -> tuple[int, list[Page], dict[str, Chart]]:
    """Pages and charts made and written, beside the dataset files and each area's own files
    (see :func:`build_site`); the Downloads page last, once the files it offers are written."""
    rows = data.rows
    downloads = site_src / GENERATED / "downloads"
    # four things at once: the dataset's CSVs and zip (on a thread: zlib lets go of the
    # interpreter), the workbook (pure Python, slow at national scale) and each area's files
    # (the whole table again) in their own processes, or threads with --jobs 1, and, here, the
    # pages and charts; the area pages, which give their files' sizes, are finished last
    with (
        publishing(data, quality, dataset_dir, cache) as files,
        process_pool(2) if workers != 1 else ThreadPoolExecutor(2) as background,
    ):
        book_key = workbook_to_write(cache, data, quality, dataset_dir)
        book = (
            background.submit(write_workbook, latest_rows(rows), quality, dataset_dir) if book_key else None
        )
        by_area = area_files(data.csv, quality, areas_of(ctx.registry), downloads / FOLDER, cache, background)

        def area_sizes() -> dict[str, int]:
            return {f"{FOLDER}/{name}": size for name, size in by_area().items()}

        try:
            pages, charts = build_pages(ctx, area_sizes)
        except ValueError as e:  # a page that would be written over another: nothing is
            raise BuildError(str(e)) from None
        clock.lap("pages")
        svgs = render(charts, cache)
        clock.lap("charts")
        if book is not None:
            book.result()
            remember_written(cache, book_key, files[3:])
    offered = [f for f in files if f.name in site_downloads(data.count)]
    sizes = _downloads(downloads, offered, files, ctx.catalogue) | area_sizes()
    pages.append(downloads_page(ctx, sizes))
    return write_pages(site_src, pages, svgs, charts), pages, charts


def _downloads(
    downloads: Path, offered: list[Path], files: list[Path], catalogue: Catalogue
) -> dict[str, int]:
    """The dataset files the site offers, and the blank templates of the catalogue the build
    used (made from it, a fifth of a second: copies from a folder could be of another catalogue),
    in ``downloads`` beside the pages; a file is rewritten only when its bytes change. Returns
    their sizes, by name."""
    downloads.mkdir(parents=True, exist_ok=True)
    wanted = {f.name: f.read_bytes() for f in offered}
    wanted |= {template_filename(s): render_template(s, catalogue) for s in catalogue.sections.values()}
    for name, data in wanted.items():
        target = downloads / name
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
    for f in files:  # a plain CSV left from a smaller dataset
        if f.name not in wanted:
            (downloads / f.name).unlink(missing_ok=True)
    return {name: len(data) for name, data in wanted.items()}


class _Clock:
    """Seconds per stage (what `make bench` reports), and the progress bar moved on at each."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()
        self._bar: Progress | None = None
        self._next: list[str] = []

    def show(self, bar: Progress, stages: list[str]) -> None:
        self._bar, self._next = bar, list(stages)
        bar.stage(self._next.pop(0))

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self._t = now
        if self._bar is not None:
            self._bar.advance()
            if self._next:
                self._bar.stage(self._next.pop(0))


def mkdocs(
    site_dir: Path,
    data_as_at: str,
    config: Path | None = None,
    protected: Mapping[str, Path] | None = None,
    source: str = "",
) -> None:
    """``mkdocs build --strict`` of ``config`` into ``site_dir``, whose pages are replaced only if
    they may be (:func:`generator.site.folder.check_site_folder`) and only once the build
    succeeds; ``source`` (what the site is built from) is recorded in its marker. Paths are made
    absolute here: MkDocs runs in the configuration's folder."""
    config = (config or site_project(find("mkdocs.yml"))).absolute()
    check_site_folder(site_dir, _with_config(protected or {}, config))
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "KPI_DATA_AS_AT": data_as_at,
        "KPI_PUBLISHED": os.environ.get("KPI_PUBLISHED") or dt.date.today().isoformat(),
    }

    def run(into: Path) -> None:
        r = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(into)],
            cwd=config.parent,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            raise BuildError("mkdocs build --strict failed:\n" + r.stderr[-4000:])
        # the theme's source maps are for its developers, and name the address they were built
        # at: nothing published names a local address
        for source_map in into.rglob("*.map"):
            source_map.unlink()

    build_into(site_dir, run, source)


# what every page says about its publisher (mkdocs.yml, extra), from the environment
PUBLISHER_DETAILS = {
    "KPI_PUBLISHER": "the publishing organisation's name",
    "KPI_CONTACT": "a contact for reporting an error",
    "KPI_LICENCE": "the data's licence",
}


def publisher_gaps(environ: Mapping[str, str] | None = None) -> list[str]:
    """The details a publisher owes its readers that the environment does not give (each page
    then says so rather than inventing them), as "what (VARIABLE)"."""
    env = os.environ if environ is None else environ
    return [f"{what} ({var})" for var, what in PUBLISHER_DETAILS.items() if not env.get(var, "").strip()]


def _with_config(protected: Mapping[str, Path], config: Path) -> dict[str, Path]:
    return {**protected, "the site configuration": config}
