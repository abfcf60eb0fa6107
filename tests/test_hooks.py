"""The MkDocs hook: raw HTML blocks lifted out before Markdown and put back after, their
addresses made relative to the built page as Zensical makes them, and blocks that would be cut
short refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import need_zensical


def test_the_hook_puts_each_block_back_with_its_addresses_from_the_built_page():
    """The MkDocs hook lifts each raw HTML block out before Markdown and puts it back after,
    its addresses (written from the .md file) made relative to the built page, as Zensical makes
    them; a marker with no block, or a block whose marker was lost, fails the build."""
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    from generator.site import hooks as site_hooks

    def page(src: str) -> SimpleNamespace:
        return SimpleNamespace(file=SimpleNamespace(src_uri=src, name=Path(src).stem))

    config = {"use_directory_urls": True}
    block = '<p><a href="../charts/x.csv">data</a> <img src="data:," alt=""> <a href="#top">t</a></p>'
    md = "\n".join(["# X", *site_hooks.html_block("chart-x", block), "after"])
    lifted = site_hooks.on_page_markdown(md, page("generated/indicators/x.md"), config, None)
    assert block not in lifted and "<!-- kpi-html chart-x -->" in lifted
    html = "<h1>X</h1>\n<!-- kpi-html chart-x -->\n<p>after</p>"
    out = site_hooks.on_post_page(html, page("generated/indicators/x.md"), config)
    assert '<a href="../../charts/x.csv">' in out and 'src="data:,"' in out and 'href="#top"' in out
    site_hooks.on_page_markdown(md, page("generated/index.md"), config, None)
    assert 'href="../charts/x.csv"' in site_hooks.on_post_page(html, page("generated/index.md"), config)
    with pytest.raises(PluginError, match="no HTML block"):
        site_hooks.on_post_page(html, page("generated/indicators/y.md"), config)
    site_hooks.on_page_markdown(md, page("generated/indicators/z.md"), config, None)
    with pytest.raises(PluginError, match="lost"):
        site_hooks.on_post_page("<p>marker gone</p>", page("generated/indicators/z.md"), config)
    assert site_hooks.on_post_page("<p>none</p>", page("a.md"), config) == "<p>none</p>"


EDGE_BLOCK = (
    '<p><a id="t1" href="../c/">1</a> <a id="t2" href="?q=1">2</a> <a id="t3" href="">3</a> '
    '<a id="t4" href=\'../c/\'>4</a> <a id="t5" HREF="../c/">5</a> '
    '<img id="t6" alt="" srcset="../charts/y.svg 1x, ../charts/y.svg 2x" src="../charts/y.svg"> '
    '<a id="t7" href="#top">7</a> <a id="t8" href="https://example.org/x">8</a> '
    '<a id="t9" href="./c/">9</a></p>\n<p id="t10">href="../c/" stays text</p>'
)


def _addresses(html: str) -> dict[str, list[str]]:
    """Each test element's address attributes (and a text's content), by id."""
    out = {}
    for m in re.finditer(r"<(?:a|img|p)\b[^>]*\bid=\"(t\d+)\"[^>]*>([^<]*)", html):
        attrs = re.findall(r"""(?i)\b(href|src|srcset)\s*=\s*(["'])(.*?)\2""", m.group(0))
        out[m.group(1)] = [f"{a.lower()}={v}" for a, _, v in attrs] + (
            [m.group(2)] if m.group(1) == "t10" else []
        )
    return out


def test_the_hook_rewrites_addresses_as_zensical_does(tmp_path):
    """The hook makes a block's addresses relative to the built page the way Zensical does, case
    by case (either quote, upper case, srcset, a query, an empty address, a fragment, a scheme,
    ./, an address in text), on a page built one folder down and on an index page: both engines
    build the same tiny project and must agree on every address."""
    import subprocess
    import sys

    from generator.base.inputs import CODE
    from generator.site.hooks import html_block

    docs = tmp_path / "docs"
    for folder in ("a", "charts", "c"):
        (docs / folder).mkdir(parents=True)
    (docs / "index.md").write_text("# home\n")
    (docs / "c" / "index.md").write_text("# c\n")
    (docs / "charts" / "y.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    page = "\n".join(["# page", *html_block("edges", EDGE_BLOCK), ""])
    (docs / "a" / "page.md").write_text(page)
    (docs / "a" / "index.md").write_text(page.replace("../", "../../").replace("# page", "# a"))
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: docs\nuse_directory_urls: true\ntheme:\n  name: material\n"
        f"hooks:\n  - {CODE / 'generator/site/hooks.py'}\n"
    )
    env = {**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"}
    built = {}
    for engine, command in (
        ("mkdocs", [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "mk")]),
        ("zensical", [str(need_zensical()), "build"]),
    ):
        if engine == "zensical":
            text = (tmp_path / "mkdocs.yml").read_text()
            (tmp_path / "mkdocs.yml").write_text(text + "site_dir: zen\n")
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        built[engine] = tmp_path / ("mk" if engine == "mkdocs" else "zen")
    for where in ("a/page/index.html", "a/index.html"):
        ours = _addresses((built["mkdocs"] / where).read_text(encoding="utf-8"))
        theirs = _addresses((built["zensical"] / where).read_text(encoding="utf-8"))
        assert len(ours) == 10, ours
        assert ours == theirs, where


def test_an_html_block_refuses_what_would_cut_it_short():
    """A block whose HTML holds a marker would be cut short (the rest parsed as Markdown, its
    addresses not rewritten); a name that is not a slug could not be found again; a block that
    links to a .md file would work under Zensical only. Each is refused, not asserted."""
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    from generator.site import hooks as site_hooks

    with pytest.raises(ValueError, match="marker"):
        site_hooks.html_block("x", "<p>a</p>\n<!-- /kpi-html -->\n<p>b</p>")
    with pytest.raises(ValueError, match="slug"):
        site_hooks.html_block("X Y", "<p>a</p>")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="generated/x.md", name="x"))
    md = "\n".join(site_hooks.html_block("b", '<a href="../y.md">y</a>'))
    site_hooks.on_page_markdown(md, page, {"use_directory_urls": True}, None)
    with pytest.raises(PluginError, match=r"\.md file"):
        site_hooks.on_post_page("<!-- kpi-html b -->", page, {"use_directory_urls": True})
