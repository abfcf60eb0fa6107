"""MkDocs hook: put large data tables into pages after Markdown and search have run.

An indicator page's data table has a row per area and provider (thousands of cells at national
scale). Written into the Markdown, every cell was parsed twice more, by Python-Markdown's raw
HTML handling and by the search plugin (which then left it out of the index anyway): two thirds
of a national MkDocs build. So ``kpi build`` writes each such table to its own file under
``generated/fragments/`` (excluded from the docs) and leaves a marker comment in the page, which
this hook replaces in the finished HTML. A marker with no table fails the build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

PREFIX = "<!-- kpi-fragment "
MARKER = re.compile(re.escape(PREFIX) + r"([a-z0-9-]+) -->")
FRAGMENTS = Path("generated") / "fragments"  # under docs_dir; excluded from the docs in mkdocs.yml


def marker(name: str) -> str:
    """What a page holds in place of the table ``name`` (``FRAGMENTS/name.html``)."""
    m = f"{PREFIX}{name} -->"
    assert MARKER.fullmatch(m), f"a table's name is a slug: {name!r}"
    return m


def on_post_page(output: str, page: Any, config: Any) -> str:
    if PREFIX not in output:
        return output
    root = Path(config["docs_dir"]) / FRAGMENTS

    def table(m: re.Match[str]) -> str:
        path = root / f"{m.group(1)}.html"
        if not path.is_file():
            raise PluginError(f"{page.file.src_uri}: no table {path} for its marker {m.group(0)}")
        return path.read_text(encoding="utf-8")

    return MARKER.sub(table, output)
