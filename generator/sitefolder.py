"""The folder a site is built into: one that ``kpi build`` made, or a new or empty one.

MkDocs empties its output folder before it builds, so a site folder named by mistake (a relative
``--site`` taken against another directory, a folder holding the catalogue or the returns store)
would lose whatever was in it. So the site is built beside its folder, marked as ours with
:data:`MARKER`, and swapped in whole; a folder that holds anything else is refused, with one line
saying why, before anything is written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from .names import printable

MARKER = ".kpi-site"
MARKER_TEXT = (
    "This folder is a website built by `kpi build`. The next build replaces the whole folder:\n"
    "keep nothing else in it.\n"
)
# what a site must never hold, found by name: a returns store's ledger, a catalogue's scales
DATA_FILES = ("ledger.csv", "scales.yaml")


class SiteFolderError(Exception):
    """The site folder cannot be used: the message says why in one line."""


def check_site_folder(site: Path, protected: Mapping[str, Path]) -> None:
    """Raise :class:`SiteFolderError` unless a new build may replace ``site`` whole.

    ``protected`` names the other paths the build reads or writes (the catalogue, the returns
    store, the dataset, the pages' sources...): the site may neither be one of them, hold one,
    nor lie inside one. Beyond that, the folder must be new, empty, or marked as a built site."""
    site = site.resolve()
    here = Path.cwd().resolve()
    if site == here or site in here.parents:
        raise _refused(site, "is the current folder or holds it", WHOLE)
    for what, path in protected.items():
        path = path.resolve()
        if path == site or site in path.parents:
            raise _refused(site, f"would hold {what} ({_shown(path)})", WHOLE)
        if path in site.parents:
            raise _refused(site, f"lies inside {what} ({_shown(path)})", "choose a folder outside it")
    if not site.exists():
        return
    if not site.is_dir():
        raise _refused(site, "is a file, not a folder", "choose a folder for the site")
    entries = sorted(e.name for e in site.iterdir())
    if not entries:
        return
    if MARKER not in entries and not _earlier_build(site):
        some = ", ".join(e + "/" * (site / e).is_dir() for e in entries[:4]) + ", ..." * (len(entries) > 4)
        raise _refused(
            site,
            f"holds files that kpi build did not make ({some}; a site it built has a {MARKER} file)",
            WHOLE + ", or delete this one yourself if it is an old site",
        )
    for folder, _, files in os.walk(site):
        found = [f for f in DATA_FILES if f in files]
        if found:
            where = _shown(Path(folder) / found[0])
            raise _refused(site, f"holds {where}, which is not part of a site", "move it out, then build")


# what every site built before the marker was written holds: an MkDocs build of these pages
EARLIER_BUILD = ("sitemap.xml", "search/search_index.json", "generated/areas/index.html")


def _earlier_build(site: Path) -> bool:
    """A site built by a version of ``kpi build`` that wrote no marker (it is then checked, like a
    marked one, for data that does not belong in a site)."""
    return all((site / p).is_file() for p in EARLIER_BUILD)


WHOLE = "a build replaces its site folder whole: choose a new or empty folder, such as site"


def _refused(site: Path, why: str, advice: str) -> SiteFolderError:
    return SiteFolderError(f"the site folder {_shown(site)} {why}; {advice}")


def build_into(site: Path, build: Callable[[Path], None]) -> None:
    """``build(folder)`` makes a site in a new folder beside ``site``, which is then marked and put
    in place of ``site`` (call :func:`check_site_folder` first). Until then ``site`` is as it
    was: a failed build changes nothing, and a server showing the old site never sees half of one.
    Work folders left by a build that was stopped are removed first (each carries the marker)."""
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{site.name}.kpi-building-"
    for old in site.parent.glob(prefix + "*"):
        if (old / MARKER).is_file():
            shutil.rmtree(old)
    work = site.parent / f"{prefix}{os.getpid()}"
    work.mkdir()
    try:
        (work / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        new = work / "site"
        build(new)
        (new / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        if site.exists():
            site.rename(work / "old")
        new.rename(site)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _shown(p: Path) -> str:
    """``p`` relative to the current folder where it lies under it, else absolute."""
    try:
        return printable(p.relative_to(Path.cwd().resolve()))
    except ValueError:
        return printable(p)
