"""`kpi build`: stored returns -> published dataset -> charts and pages -> MkDocs site.

A thin orchestration of the pure stages; the MkDocs build runs as a subprocess with
``--strict`` (never ``-q``, which hides warnings), so a broken link fails the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .catalogue import Catalogue
from .publish import NoReturns, publish_store
from .registry import Registry
from .site import GENERATED, Context, build_pages, write_pages
from .store import Store
from .templates import template_filename

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuildResult:
    rows: int
    pages: int
    charts: int
    changed: int
    data_as_at: str
    site_dir: Path
    dataset_dir: Path


class BuildError(RuntimeError):
    """MkDocs failed: the message holds its output."""


def build_site(
    store_dir: Path,
    catalogue: Catalogue,
    registry: Registry,
    dataset_dir: Path,
    site_src: Path = ROOT / "site_src",
    site_dir: Path = ROOT / "site",
    templates_dir: Path = ROOT / "templates_xlsx",
    run_mkdocs: bool = True,
    config: Path = ROOT / "mkdocs.yml",
) -> BuildResult:
    try:
        pub = publish_store(Store(store_dir), catalogue, registry, dataset_dir)
    except NoReturns as e:
        raise BuildError(str(e)) from None
    rows, quality, files = pub.rows, pub.quality, pub.files
    data_as_at = max((str(r["period"]).removeprefix("12 months to ") for r in rows), default="")
    ctx = Context(rows, quality, catalogue, registry, data_as_at)
    pages, charts = build_pages(ctx)
    changed = write_pages(site_src, pages, charts)
    downloads = site_src / GENERATED / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    for f in [*files, *(templates_dir / template_filename(s) for s in catalogue.sections.values())]:
        target = downloads / f.name
        if not target.exists() or target.read_bytes() != f.read_bytes():
            shutil.copyfile(f, target)
    if run_mkdocs:
        mkdocs(site_dir, data_as_at, config)
    return BuildResult(len(rows), len(pages), len(charts), changed, data_as_at, site_dir, dataset_dir)


def mkdocs(site_dir: Path, data_as_at: str, config: Path = ROOT / "mkdocs.yml") -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KPI_DATA_AS_AT": data_as_at}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--clean",
            "-f",
            str(config),
            "-d",
            str(site_dir),
        ],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode != 0:
        raise BuildError("mkdocs build --strict failed:\n" + r.stderr[-4000:])
