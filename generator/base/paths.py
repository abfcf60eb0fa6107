"""Where the commands write by default: folders relative to the current directory.

An output named by an option, or by its default here, goes where the user stands, not beside
the package: run from another folder, ``kpi build --site data`` must not touch a checkout's
``data/``. Relative paths are made absolute where they are used (MkDocs runs in its
configuration's folder, so a relative site folder given to it is taken against that folder).
What is still read from the checkout (the catalogue, the registry, ``mkdocs.yml``) and the
generated pages written beside ``mkdocs.yml`` are the build's inputs, chosen by options.
"""

from __future__ import annotations

from pathlib import Path

STORE = Path("data/returns")
DATASET = Path("build/dataset")
SITE = Path("site")
CACHE = Path("build/cache.sqlite")
TEMPLATES = Path("templates_xlsx")
PREFILLED = Path("build/prefilled")
DEMO = Path("build/demo")


def from_here(path: Path) -> str:
    """A path as the user would type it from where they stand: relative to the current folder
    when it lies under it, else in full. Messages name paths this way wherever they are made."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
