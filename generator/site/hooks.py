"""MkDocs hook: an accelerator only; the generated pages are complete without it.

Each generated page carries its raw HTML (data tables, charts) between two marker comments,
addresses written relative to the page's Markdown file as Markdown links are. Zensical, which
runs no hooks, reads the page as it is: it parses the HTML and makes those addresses relative to
the built page. MkDocs would parse it too, but an indicator page's data table has a row per area
and provider (thousands of cells at national scale), and Python-Markdown's raw-HTML handling and
the search plugin took two thirds of a national build over them. So here, before Markdown, each
block is lifted out and a marker left (:func:`on_page_markdown`); after the page is rendered it
is put back, its addresses made relative to the built page as Zensical makes them
(:func:`on_post_page`). The search index then holds the pages' words without the tables'
cells. A block whose marker is lost, or a marker with no block, fails the build.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.exceptions import PluginError

START = "<!-- kpi-html "
END = "<!-- /kpi-html -->"
NAME = re.compile(r"[a-z0-9_-]+")
BLOCK = re.compile(re.escape(START) + r"([a-z0-9_-]+) -->\n(.*?)\n" + re.escape(END), re.S)
MARKER = re.compile(re.escape(START) + r"([a-z0-9_-]+) -->")
# a relative address: not absolute, not a fragment, not a scheme (https:, data:, mailto:)
RELATIVE = re.compile(r'(\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)')

_lifted: dict[str, dict[str, str]] = {}  # page -> its blocks, between the two events


def html_block(name: str, html: str) -> list[str]:
    """Markdown lines that carry ``html`` (a slug-named block) into a page, whole."""
    assert NAME.fullmatch(name), f"a block's name is a slug: {name!r}"
    return ["", f"{START}{name} -->", html, END, ""]


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if START not in markdown:
        return markdown
    blocks: dict[str, str] = {}

    def lift(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in blocks:
            raise PluginError(f"{page.file.src_uri}: two HTML blocks named {name}")
        blocks[name] = m.group(2)
        return f"{START}{name} -->"

    _lifted[page.file.src_uri] = blocks
    return BLOCK.sub(lift, markdown)


def on_post_page(output: str, page: Any, config: Any) -> str:
    blocks = _lifted.pop(page.file.src_uri, {})
    if START not in output and not blocks:
        return output
    # a page's addresses were written from its .md file; with directory URLs, page.md is built
    # as page/index.html, one folder down (index.md stays where it is)
    down = "../" if config["use_directory_urls"] and page.file.name != "index" else ""

    def put(m: re.Match[str]) -> str:
        html = blocks.pop(m.group(1), None)
        if html is None:
            raise PluginError(f"{page.file.src_uri}: no HTML block for its marker {m.group(0)}")
        return RELATIVE.sub(lambda a: a.group(1) + down, html) if down else html

    output = MARKER.sub(put, output)
    if blocks:
        raise PluginError(f"{page.file.src_uri}: HTML blocks lost in the page: {', '.join(blocks)}")
    return output
