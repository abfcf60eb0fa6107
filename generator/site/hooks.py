"""MkDocs hook: an accelerator only; the generated pages are complete without it.

Each generated page carries its raw HTML (data tables, charts) between two marker comments,
addresses written relative to the page's Markdown file as Markdown links are. Zensical, which
runs no hooks, reads the page as it is: it parses the HTML and makes those addresses relative to
the built page. MkDocs would parse it too, but an indicator page's data table has a row per area
and provider (thousands of cells at national scale), and Python-Markdown's raw-HTML handling and
the search plugin spent most of a national build over them. So here, before Markdown, each
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
_SLUG = r"[a-z0-9_-]+"  # a block's name
NAME = re.compile(_SLUG)
BLOCK = re.compile(re.escape(START) + f"({_SLUG}) -->\n(.*?)\n" + re.escape(END), re.S)
MARKER = re.compile(re.escape(START) + f"({_SLUG}) -->")
TAG = re.compile(r"<[a-zA-Z][^<>]*>")  # a start tag (text and attribute values are escaped: no < or >)
# an address attribute's value, in either quotes
ADDRESS = re.compile(r"""(\s(?:href|src|srcset)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
# not to be touched: empty, a query or fragment of the page itself, absolute, or with a scheme
KEPT = re.compile(r"^(?:$|[?#/]|[a-zA-Z][a-zA-Z0-9+.-]*:)")

_lifted: dict[str, dict[str, str]] = {}  # page -> its blocks, between the two events


def html_block(name: str, html: str) -> list[str]:
    """Markdown lines that carry ``html`` (a slug-named block) into a page, whole. Its addresses
    name built files or folders (``../charts/x.svg``, ``../indicators/x/``), relative to the
    page's Markdown file; never a ``.md`` file, which only Zensical would turn into a page's
    address. Addresses are quoted ``href``, ``src`` and ``srcset`` values (a ``srcset``'s
    candidates separated by a comma and a space), as the generator writes them."""
    if not NAME.fullmatch(name):
        raise ValueError(f"an HTML block's name is a slug, not {name!r}")
    if START in html or END in html:
        raise ValueError(f"the HTML block {name} holds a block marker: it would be cut short")
    if re.search(r"<!--|<script|<textarea", html, re.I):
        # addresses there are text to Zensical; the hook, which works tag by tag, would rewrite them
        raise ValueError(f"the HTML block {name} holds a comment, script or textarea")
    return ["", f"{START}{name} -->", html, END, ""]


def from_built_page(html: str, down: str) -> str:
    """The block's relative addresses made relative to the built page, ``down`` (``../``) being
    where the page's Markdown file is from it, as Zensical rewrites them; each address of a
    ``srcset`` too. Only inside tags: text is never touched."""

    def one(url: str) -> str:
        return url if KEPT.match(url) else down + url

    def attribute(m: re.Match[str]) -> str:
        name, quote, value = m.group(1), m.group(2), m.group(3)
        if name.strip().lower().startswith("srcset"):
            parts = [part.split() for part in re.split(r",\s+", value) if part.strip()]
            value = ", ".join(" ".join([one(url), *rest]) for url, *rest in parts)
        else:
            value = one(value)
        return f"{name}{quote}{value}{quote}"

    return TAG.sub(lambda t: ADDRESS.sub(attribute, t.group(0)), html)


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
    # as page/index.html, one folder down (index.md and README.md stay where they are)
    down = "../" if config["use_directory_urls"] and page.file.name not in ("index", "README") else ""

    def put(m: re.Match[str]) -> str:
        html = blocks.pop(m.group(1), None)
        if html is None:
            raise PluginError(f"{page.file.src_uri}: no HTML block for its marker {m.group(0)}")
        if re.search(r"""\s(?:href|src)\s*=\s*["'][^"'#?]*\.md(?:[#?"'])""", html, re.I):
            raise PluginError(f"{page.file.src_uri}: the HTML block {m.group(1)} links to a .md file")
        return from_built_page(html, down) if down else html

    output = MARKER.sub(put, output)
    if blocks:
        raise PluginError(f"{page.file.src_uri}: HTML blocks lost in the page: {', '.join(blocks)}")
    return output
