"""Shared fixtures: the catalogue, the rendered templates, and real LibreOffice when present."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import Registry, load_registry
from generator.catalogue.sections import Catalogue
from generator.workbook.identity import template_filename
from generator.workbook.templates import render_template

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
IN_CI = bool(os.environ.get("CI"))


_SIZE = re.compile(r"(\d+(?:\.\d)?) (KB|MB)\)$")


def shown_size_matches(text: str, size: int) -> bool:
    """Does a link's text end with the file's size, rounded as shown (KB are 1,024 bytes; at
    least 1 KB; megabytes to one decimal place)?"""
    m = _SIZE.search(text)
    if m is None:
        return False
    figure, unit = float(m.group(1)), m.group(2)
    if unit == "KB":
        return abs(size / 1024 - figure) <= 0.5 or (figure == 1 and size < 1024)
    return abs(size / 1024**2 - figure) <= 0.05


def need_tool(name: str, install: str, where: str | None = None) -> str:
    """Path of a real tool (on PATH, or in the folder ``where``); fail in CI when it is missing,
    skip locally with what to install."""
    path = shutil.which(name, path=where)
    if path:
        return path
    msg = f"{name} not found: install it with `{install}` (or run `make test`, which does)"
    if IN_CI:
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture
def cat_copy(tmp_path: Path) -> Path:
    """A copy of the catalogue's YAML to edit (with :func:`tests.builders.edit_yaml`)."""
    dst = tmp_path / "catalogue"
    shutil.copytree(ROOT / "data" / "catalogue", dst)
    return dst


@pytest.fixture(scope="session")
def rendered(catalogue: Catalogue) -> dict[str, bytes]:
    """Every section's blank template, rendered once per test session."""
    return {letter: render_template(sec, catalogue) for letter, sec in catalogue.sections.items()}


@pytest.fixture(scope="session")
def workbooks(rendered: dict[str, bytes]) -> dict[str, openpyxl.Workbook]:
    return {k: openpyxl.load_workbook(io.BytesIO(v)) for k, v in rendered.items()}


def soffice_convert(files: list[Path], out_dir: Path, profile: Path, fmt: str = "xlsx") -> list[Path]:
    """Open files in LibreOffice headless and save them again (one process, own profile)."""
    soffice = need_tool("soffice", "apt-get install libreoffice-calc")
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        soffice,
        "--headless",
        "--norestore",
        f"-env:UserInstallation=file://{profile}",
        "--convert-to",
        fmt,
        "--outdir",
        str(out_dir),
        *map(str, files),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    outs = [out_dir / (f.stem + "." + fmt) for f in files]
    missing = [o.name for o in outs if not o.exists()]
    assert not missing, f"LibreOffice produced no output for {missing}"
    return outs


@pytest.fixture(scope="session")
def libreoffice_resaved(
    rendered: dict[str, bytes], catalogue: Catalogue, tmp_path_factory
) -> dict[str, Path]:
    """Every template opened and re-saved as .xlsx by LibreOffice headless."""
    src = tmp_path_factory.mktemp("lo_src")
    files = []
    for letter, data in rendered.items():
        p = src / template_filename(catalogue.sections[letter])
        p.write_bytes(data)
        files.append(p)
    outs = soffice_convert(files, tmp_path_factory.mktemp("lo_out"), tmp_path_factory.mktemp("lo_profile"))
    return dict(zip(rendered, outs, strict=True))


SMALL_AREAS = {"PS04", "PS05", "PS10", "PS11", "PS15"}  # PS10 and PS15 are the small sites
# ten sites, the fewest a funnel is drawn around (funnels.MIN_FUNNEL_AREAS); PS01 has two providers
FUNNEL_AREAS = SMALL_AREAS | {"PS01", "PS02", "PS03", "PS07", "PS08"}


def _demo_store(catalogue, tmp_path_factory, name: str, areas: set[str]):
    from generator.catalogue.registry import load_registry
    from generator.demo.returns import write_demo_returns
    from generator.store.returns import Store

    registry = load_registry()
    tmp = tmp_path_factory.mktemp(name)
    store = Store(tmp / "store")
    for d in write_demo_returns(catalogue, registry, tmp / "returns", areas=areas):
        assert store.ingest(
            d.path, catalogue, registry, replace=d.resubmission, rebuild=False, received=d.received
        ).ok
    return store


@pytest.fixture(scope="session")
def small_demo(catalogue, tmp_path_factory):
    """The real pipeline on five demo sites: templates -> returns -> ingest. Returns the store."""
    return _demo_store(catalogue, tmp_path_factory, "small_demo", SMALL_AREAS)


@pytest.fixture(scope="session")
def funnel_demo(catalogue, tmp_path_factory):
    """The same on ten demo sites, enough for funnel plots."""
    return _demo_store(catalogue, tmp_path_factory, "funnel_demo", FUNNEL_AREAS)


@pytest.fixture(scope="session")
def published(catalogue, small_demo, tmp_path_factory):
    """The five-site demo store, computed and written as the published files: (the files by
    name, the rows, the data quality rows)."""
    from generator.catalogue.registry import load_registry
    from generator.publish.dataset import build_dataset
    from generator.publish.files import write_dataset
    from generator.publish.quality import data_quality

    registry = load_registry()
    returns = small_demo.current_returns()
    rows = build_dataset(returns, catalogue, registry)
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())
    paths = write_dataset(rows, quality, tmp_path_factory.mktemp("pub") / "dataset")
    return {p.name: p for p in paths}, rows, quality


def need_zensical() -> Path:
    """Zensical from this environment (`make test` installs it); skipped locally without it."""
    import sys

    return Path(need_tool("zensical", "pip install zensical==0.0.73", where=str(Path(sys.executable).parent)))


# -- the website, built for real ------------------------------------------------------------------
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} [x](javascript:alert(1))"
KEEP = {
    "EX02_job_outcome_rate",
    "EX01_access_rate",
    "EX04_cost_per_job_outcome",
    "B02_age",
    "BX01_intake_age_vs_population",
    "C03_rapid_job_search",
    "CX01_fidelity_rating_profile",
    "D06_care_plan_employment",
}


def hostile_registry():
    """The project's registry with a hostile name (and other names) for area PS04."""
    from dataclasses import replace

    from generator.catalogue.registry import Registry, load_registry

    reg = load_registry()
    orgs = {
        code: (
            replace(o, area_name=HOSTILE, area_other_names=("West <b>Yorkshire</b>", "Leeds & district"))
            if o.area_code == "PS04"
            else o
        )
        for code, o in reg.organisations.items()
    }
    return Registry(orgs)


@pytest.fixture(scope="session")
def built(small_demo, tmp_path_factory):
    """The website built for real (mkdocs build --strict) from the five-site demo, once a session:
    (the site's folder, the catalogue, the registry, the charts by name).

    To keep the suite fast, pages are made for every area and indicator but the published rows are
    limited to a handful of indicators (charts take about a third of a second each; the full build
    is measured by the benchmark, not here). One area gets a hostile name."""
    from generator.base.cache import NO_CACHE
    from generator.base.inputs import config_elsewhere
    from generator.calc.row import Row
    from generator.charts.render import render
    from generator.publish.area_files import FOLDER, areas_of, write_area_files
    from generator.publish.dataset import build_dataset
    from generator.publish.files import write_dataset
    from generator.publish.quality import data_quality
    from generator.publish.safe_csv import csv_block
    from generator.site.build import mkdocs
    from generator.site.context import Context
    from generator.site.markup import GENERATED
    from generator.site.pages import build_pages, downloads_page, write_pages

    catalogue = load_catalogue()
    registry = hostile_registry()
    tmp = tmp_path_factory.mktemp("site_project")
    src = tmp / "site_src"
    top = ROOT / "site_src"
    shutil.copytree(
        top,
        src,
        ignore=lambda d, names: [n for n in names if Path(d) == top and n in (GENERATED, "index.md")],
    )
    (tmp / "mkdocs.yml").write_text(config_elsewhere((ROOT / "mkdocs.yml").read_text()))
    returns = small_demo.current_returns()
    rows = [r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] in KEEP]
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())
    files = write_dataset(rows, quality, src / GENERATED / "downloads")
    for sec in catalogue.sections.values():
        shutil.copyfile(
            ROOT / "templates_xlsx" / f"{sec.template_id}.xlsx",
            src / GENERATED / "downloads" / f"{sec.template_id}.xlsx",
        )
    assert files
    # each area's files, then the pages that give their sizes, as `kpi build` makes them
    downloads = src / GENERATED / "downloads"
    by_area = write_area_files([csv_block(rows)], quality, areas_of(registry), downloads / FOLDER)
    ctx = Context([Row.of(r) for r in rows], quality, catalogue, registry, "2025-26 Q4")
    pages, charts = build_pages(ctx, lambda: {f"{FOLDER}/{n}": size for n, size in by_area.items()})
    sizes = {
        p.relative_to(downloads).as_posix(): p.stat().st_size for p in downloads.rglob("*") if p.is_file()
    }
    pages.append(downloads_page(ctx, sizes))
    write_pages(src, pages, render(charts, NO_CACHE), charts)
    mkdocs(tmp / "site", "2025-26 Q4", tmp / "mkdocs.yml")  # --strict: raises on any warning
    return tmp / "site", catalogue, registry, charts


@pytest.fixture(scope="session")
def demo_rows(funnel_demo) -> list[dict]:
    """The published rows of the ten-site demo (enough areas for funnels)."""
    from generator.catalogue.registry import load_registry
    from generator.publish.dataset import build_dataset

    return build_dataset(funnel_demo.current_returns(), load_catalogue(), load_registry(), workers=2)


@pytest.fixture
def stored(tmp_path, catalogue, registry):
    """A store holding one accepted Section B return, and the file it came from."""
    from generator.store.returns import Store

    from .builders import valid_return

    store = Store(tmp_path / "store")
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    assert store.ingest(f, catalogue, registry).status == "accepted"
    return store, f


@pytest.fixture(scope="session")
def demo(catalogue, registry, tmp_path_factory):
    """Every demo return, written once per session (the full plan: 17 sites, eight quarters)."""
    from generator.demo.returns import write_demo_returns

    return write_demo_returns(catalogue, registry, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_read(demo, catalogue, registry):
    """Every demo return read back, by path."""
    from generator.intake.reader import read_return

    return {d.path: read_return(d.path, catalogue, registry) for d in demo}
