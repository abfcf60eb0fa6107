"""The folder a site is built into: one that ``kpi build`` made, or a new or empty one.

MkDocs empties its output folder before it builds, so a site folder named by mistake (a relative
``--site`` taken against another directory, a folder holding the catalogue or the returns store)
would lose whatever was in it. So a folder that holds anything but a site ``kpi build`` made
(marked by :data:`MARKER`) is refused, with one line saying why, before anything is written.

The site is built in a work folder inside its folder, then put in place of the old pages, under
a lock, so that a failed build leaves the old site as it was and two builds never mix. The
folder itself stays (a mount point, its owner, group and mode), and so do entries whose names
start with a dot, as MkDocs keeps them (a ``.git`` of a Pages branch, a ``.htaccess``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from generator.base.names import printable
from generator.base.paths import from_here

MARKER = ".kpi-site"
WORK = ".kpi-building-"  # a build's work folder inside the site folder, named by its process
# what a site must never hold, found by name: a returns store's ledger, a catalogue's scales
DATA_FILES = ("ledger.csv", "scales.yaml")
WHOLE = "a build replaces its site folder's pages: choose a new or empty folder, such as site"


class SiteFolderError(Exception):
    """The site folder cannot be used: the message says why in one line."""


def check_site_folder(site: Path, protected: Mapping[str, Path]) -> None:
    """Raise :class:`SiteFolderError` unless a new build may replace ``site``'s pages.

    ``protected`` names the other paths the build reads or writes (the catalogue, the returns
    store, the dataset, the pages' sources...): the site may neither be one of them, hold one,
    nor lie inside one. Beyond that, the folder must be new, empty (entries whose names start
    with a dot aside) or marked as a site ``kpi build`` made."""
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
    if not (site / MARKER).is_file():
        entries = _pages(site)
        if entries:
            some = ", ".join(e + "/" * (site / e).is_dir() for e in entries[:4]) + ", ..." * (
                len(entries) > 4
            )
            raise _refused(
                site,
                f"holds files that kpi build did not make ({some}; a site it built has a {MARKER} file)",
                WHOLE + ", or delete this one yourself if it is a site an earlier version built",
            )
        return
    for folder, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if not (folder == str(site) and d.startswith("."))]
        found = [f for f in DATA_FILES if f in files]
        if found:
            where = _shown(Path(folder) / found[0])
            raise _refused(site, f"holds {where}, which is not part of a site", "move it out, then build")


def source_id(store: Path) -> str:
    """What a site's marker records of the store it was built from: a digest of the store's
    full path, not the path (the marker is published with the site, and a path names the
    machine and the user who built it)."""
    return "sha256:" + hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]


def built_from_store(site: Path, store: Path) -> bool | None:
    """Whether the marked site at ``site`` was built from ``store`` (None: the marker does not
    say; a marker written before digests holds the path itself)."""
    made = built_from(site)
    if not made:
        return None
    return made == source_id(store) if made.startswith("sha256:") else Path(made) == store.resolve()


def built_from(site: Path) -> str:
    """What the marked site at ``site`` was built from (the ``from:`` line of its marker), or ""."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in (site / MARKER).read_text(encoding="utf-8").splitlines():
            if line.startswith("from: "):
                return line.removeprefix("from: ")
    return ""


def build_into(site: Path, build: Callable[[Path], None], source: str = "") -> None:
    """``build(folder)`` makes a site in a new work folder, whose contents then replace the
    pages in ``site`` (call :func:`check_site_folder` first). ``source`` says what the site is
    built from; the marker records it (see :func:`built_from`).

    One build at a time holds the folder (a lock on it); work folders left by a build that was
    stopped are removed. A new folder is marked first: from then on it is a site."""
    site = site.resolve()
    site.mkdir(parents=True, exist_ok=True)
    with _locked(site):
        for left in site.glob(f"{WORK}*"):  # no build holds them: this one has the lock
            # a killed build's MkDocs may still be writing into its folder: what cannot be
            # removed now (a dot entry, never a page) is removed by a later build
            shutil.rmtree(left, ignore_errors=True)
        if not (site / MARKER).exists():
            _mark(site, source)
        work = site / f"{WORK}{os.getpid()}"
        work.mkdir()
        try:
            new = work / "site"
            build(new)
            for name in _pages(site):  # the old pages go, the folder and its dot entries stay
                old = site / name
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old)
                else:
                    old.unlink()
            for entry in new.iterdir():
                entry.replace(site / entry.name)
            _mark(site, source)
        finally:
            shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (it exists) for as long as the block runs: builds that
    write the same folder wait for each other instead of mixing their files."""
    with _locked(folder.resolve()):
        yield


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing lets the lock go


def _mark(site: Path, source: str) -> None:
    text = (
        "This folder is a website built by `kpi build`. The next build replaces its pages:\n"
        "keep nothing else in it (entries whose names start with a dot are left alone).\n"
    )
    (site / MARKER).write_text(text + (f"from: {source}\n" if source else ""), encoding="utf-8")


def _pages(site: Path) -> list[str]:
    """The entries of ``site`` a build replaces: all but those whose names start with a dot."""
    return sorted(e.name for e in site.iterdir() if not e.name.startswith("."))


def _refused(site: Path, why: str, advice: str) -> SiteFolderError:
    return SiteFolderError(f"the site folder {_shown(site)} {why}; {advice}")


def _shown(p: Path) -> str:
    """``p`` from where the user stands, safe to print."""
    return printable(from_here(p))
