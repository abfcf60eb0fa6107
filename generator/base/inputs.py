"""Where the commands' inputs come from: the folder the user stands in, else the package's copy.

The catalogue, the organisation registry, the questions and the site's sources (mkdocs.yml and
site_src/) are read from the current folder when it has them (a checkout of this repository,
or a project folder an analyst keeps), and otherwise from the copy that ships inside the
package, built from the repository's own files (``generator/project/`` links to them, and the
wheel holds what they held). So an installed ``kpi`` runs in any empty folder, and nothing is
ever written beside the package: a site built from the packaged sources is built in a project
folder made in the current one (:func:`site_project`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "project"
CODE = Path(__file__).resolve().parent.parent.parent  # the folder holding the package (site macros, hook)
# the inputs, as named from the folder the user stands in
CATALOGUE = "data/catalogue"
ORGANISATIONS_CSV = "data/organisations.csv"
QUESTIONS_YAML = "data/questions.yaml"
PRESENTATION_YAML = "data/presentation.yaml"
GLOSSARY_YAML = "data/glossary.yaml"
MKDOCS_YML = "mkdocs.yml"
SITE_PROJECT = Path("build/site-project")  # where a site is built when the folder has no mkdocs.yml


def find(rel: str) -> Path:
    """``rel`` (``data/catalogue``, ``mkdocs.yml``...) in the current folder if it is there, else
    the package's copy."""
    here = Path(rel)
    return here.absolute() if here.exists() else PACKAGED / rel


def _plain(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


def packaged(path: Path) -> bool:
    """Whether ``path`` is the package's own copy (never to be written into), however it is
    spelt: ``..`` is taken out first (by the path's words, not by following links, as in a
    checkout the package's copy links to the repository's own files)."""
    try:
        _plain(path).relative_to(PACKAGED)
    except ValueError:
        return False
    return True


def shown(path: Path) -> str:
    """A path as a command reports it: the package's copy says so."""
    if packaged(path):
        return f"{_plain(path).relative_to(PACKAGED)} (the copy in the package)"
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def site_project(config: Path, into: Path = SITE_PROJECT) -> Path:
    """The mkdocs.yml to build with: ``config`` itself when it is the user's; a copy of the
    packaged sources in ``into`` (hand-written pages refreshed, generated ones kept for the
    build's cache) when it is the package's, whose macros module and hook are then named
    where the package is installed."""
    if not packaged(config):
        return config
    src, dst = PACKAGED / "site_src", into / "site_src"

    def hand_written(rel: Path) -> bool:  # not what the build writes itself
        return rel.parts[0] != "generated" and rel != Path("index.md")

    wanted = {f.relative_to(src) for f in src.rglob("*") if f.is_file() and hand_written(f.relative_to(src))}
    if dst.is_dir():  # a page the package no longer has (removed, renamed) must not stay live
        for f in sorted(dst.rglob("*"), reverse=True):
            rel = f.relative_to(dst)
            if f.is_file() and hand_written(rel) and rel not in wanted:
                f.unlink()
    for rel in sorted(wanted):
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
    out = into / "mkdocs.yml"
    out.write_text(config_elsewhere(config.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def config_elsewhere(config: str) -> str:
    """The text of mkdocs.yml for a copy of the site's sources in another folder (tests, the
    benchmark): the hook is named relative to this checkout (the macros by module name)."""
    for rel in ("generator/site/hooks.py",):
        assert config.count(f" {rel}") == 1, rel
        config = config.replace(f" {rel}", f" {CODE / rel}")
    return config
