"""The website, built for real (mkdocs build --strict) from the real pipeline.

To keep the suite fast, pages are generated for every area and indicator but the published rows
are limited to a handful of indicators (charts take about a third of a second each; the full
build is measured by the benchmark, not here). One area gets a hostile name.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from generator.base.cache import NO_CACHE
from generator.base.inputs import config_elsewhere
from generator.base.names import slug
from generator.calc import verdicts
from generator.calc.row import Row
from generator.calc.specs import specs
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import Registry, load_registry
from generator.charts.render import render
from generator.publish.dataset import build_dataset
from generator.publish.files import write_dataset
from generator.publish.quality import data_quality
from generator.site.build import mkdocs
from generator.site.context import Context
from generator.site.markup import GENERATED
from generator.site.pages import build_pages, write_pages

from .conftest import ROOT

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


def hostile_registry() -> Registry:
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


@pytest.fixture(scope="module")
def built(small_demo, tmp_path_factory):
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
    pages, charts = build_pages(
        Context([Row.of(r) for r in rows], quality, catalogue, registry, "2025-26 Q4")
    )
    write_pages(src, pages, render(charts, NO_CACHE), charts)
    mkdocs(tmp / "site", "2025-26 Q4", tmp / "mkdocs.yml")  # --strict: raises on any warning
    return tmp / "site", catalogue, registry, charts


def test_a_page_for_every_area_and_every_indicator(built):
    site, catalogue, registry, _ = built
    for area in registry.areas:
        assert (site / GENERATED / "areas" / slug(area) / "index.html").exists(), area
    for ind in {s.indicator_id for s in specs(catalogue)}:
        assert (site / GENERATED / "indicators" / slug(ind) / "index.html").exists(), ind
    for page in ("guidance/ips-principles", "guidance/questions-to-ask", "methods", "accessibility"):
        assert (site / page / "index.html").exists(), page


def _zensical() -> Path:
    """Zensical from this environment (`make test` installs it); skipped locally without it."""
    import sys

    from .conftest import need_tool

    return Path(need_tool("zensical", "pip install zensical==0.0.73", where=str(Path(sys.executable).parent)))


def _internal_targets(site: Path, page: Path, html: str) -> tuple[list[str], list[str]]:
    """The files a page's internal links and images lead to (relative to the site), and those
    that do not exist."""
    found, broken = [], []
    for ref in _refs(html):
        if ref.startswith(("http://", "https://", "mailto:", "data:", "javascript:")):
            continue
        target = (page.parent / ref).resolve() if not ref.startswith("/") else (site / ref.lstrip("/"))
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{page.relative_to(site)} -> {ref}")
        elif target.is_relative_to(site.resolve()):
            found.append(target.relative_to(site.resolve()).as_posix())
    return found, broken


def test_zensical_builds_the_same_pages_without_the_hook(built):
    """Issue 21, item 8: Material for MkDocs reaches its end of life in 2027; its successor,
    Zensical, reads the same mkdocs.yml but runs no MkDocs hooks. Built with it, the project gives
    the same pages, each with the same tables, and the same links and images leading to the same
    files (the theme's own assets aside), none broken: the pages are complete without the hook."""
    import subprocess

    from generator.site.hooks import START

    site, *_ = built
    project = site.parent
    config = project / "zensical.yml"  # in the project's folder: Zensical wants docs_dir inside it
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(text.replace("site_dir: site\n", "site_dir: zensical-site\n"), encoding="utf-8")
    done = subprocess.run(
        [str(_zensical()), "build", "--strict", "-f", str(config)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    zsite = project / "zensical-site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert sorted(p.relative_to(zsite).as_posix() for p in zsite.rglob("*.html")) == pages
    broken, differ = [], []
    for page in pages:
        ours, theirs = (site / page).read_text(encoding="utf-8"), (zsite / page).read_text(encoding="utf-8")
        assert START not in ours, page  # Zensical keeps the markers, as comments around each block
        # each engine's own search box (the override draws Material's only under MkDocs)
        assert "md-search__inner" in ours and "md-search__button" not in ours, page
        assert "md-search__button" in theirs and "md-search__inner" not in theirs, page
        assert ours.count("<table") == theirs.count("<table"), page
        mine, _ = _internal_targets(site, site / page, ours)
        zens, bad = _internal_targets(zsite, zsite / page, theirs)
        broken += bad
        theme = ("assets/", "search/search_index.json", "search.json", page)  # and links to itself
        ours_set = {t for t in mine if not t.startswith(theme)}
        theirs_set = {t for t in zens if not t.startswith(theme)}
        if ours_set != theirs_set:
            differ.append(f"{page}: {sorted(ours_set ^ theirs_set)[:4]}")
    assert broken == []
    assert differ == []


def _refs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"#?]+)', html)


def test_internal_links_and_images_resolve(built):
    """MkDocs checks Markdown links; this checks every href and src in the built HTML too."""
    site = built[0]
    broken = []
    for page in site.rglob("*.html"):
        broken += _internal_targets(site, page, page.read_text(encoding="utf-8"))[1]
    assert not broken, "\n".join(broken[:20])


def test_names_from_data_appear_as_text_never_as_markup_or_template(built):
    site = built[0]
    html = (site / GENERATED / "areas" / "ps04" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "7*7" in html and ">49<" not in html  # {{ }} was not evaluated
    assert 'href="javascript:' not in html


def test_the_site_loads_nothing_from_other_hosts(built):
    """No script, style, font or image from another host (a canonical link is not a request)."""
    site = built[0]
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loaded = re.findall(r'src="(https?://[^"]+)', text)
        loaded += [
            h for tag, h in re.findall(r'(<link[^>]*href="(https?://[^"]+)")', text) if "canonical" not in tag
        ]
        assert not loaded, f"{page}: {loaded[:3]}"


def test_every_chart_has_alt_text_and_its_data_beside_it(built):
    site, _, _, charts = built
    assert charts
    for key, chart in charts.items():
        assert chart.alt and chart.title and chart.rows, key
        assert (site / GENERATED / "charts" / f"{key}.svg").exists()
    html = (site / GENERATED / "indicators" / "ex02-job-outcome-rate" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'alt="Bar chart of Job outcome rate' in html and "Data for this chart" in html


def test_every_page_says_when_the_data_are_from(built):
    site = built[0]
    for page in [
        site / "index.html",
        site / "methods" / "index.html",
        site / GENERATED / "areas" / "ps05" / "index.html",
    ]:
        assert "data as at 2025-26 Q4" in page.read_text(encoding="utf-8")


# -- in a real browser -----------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def served(built):
    """The built site on a free port of 127.0.0.1, for the length of this module."""
    import functools
    import http.server
    import threading

    handler = functools.partial(_QuietHandler, directory=str(built[0]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def page(served):
    from .conftest import need_tool

    need_tool("chromium", "apt-get install chromium (or run `make test`)")
    if not AXE.exists():
        msg = f"axe-core not found at {AXE}: run `make test` (it installs it with npm)"
        if __import__("os").environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page()
        pg.requests = []  # every URL the page asks for
        pg.on("request", lambda r: pg.requests.append(r.url))
        yield pg
        browser.close()


@pytest.mark.browser
def test_a_commissioner_can_find_their_area_an_indicator_and_search(page, served):
    page.goto(served + "/")
    assert "how each area is doing" in page.locator("h1").inner_text()
    page.get_by_role("link", name="North Essex").first.click()  # from the overview grid
    assert page.locator("h1").inner_text() == "North Essex"
    page.get_by_role("link", name="Job outcome rate", exact=True).first.click()
    assert page.locator("h1").inner_text() == "Job outcome rate"
    assert page.locator("img[alt^='Bar chart of Job outcome rate']").count() == 1
    page.goto(served + "/")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("funnel", delay=50)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    assert page.locator(".md-search-result__item").count() > 0
    outside = [u for u in page.requests if not u.startswith(served) and not u.startswith("data:")]
    assert not outside, f"requests left 127.0.0.1: {outside[:5]}"


@pytest.mark.browser
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/generated/areas/ps05/",
        "/generated/indicators/ex02-job-outcome-rate/",
        "/guidance/questions-to-ask/",
        "/generated/glossary/",
    ],
)
def test_no_serious_or_critical_accessibility_violations(page, served, path):
    page.goto(served + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run()")
    bad = [
        (v["id"], v["impact"], v["nodes"][0]["target"])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


@pytest.mark.browser
def test_the_first_screen_of_an_area_page_shows_the_job_outcome_rate_with_its_comparators(
    page, served, built
):
    """Issue 22: in a 1366x768 window, without scrolling, an area page shows the job outcome
    rate's value, its interval, the all-areas value and the NDTi references (38% average, 43% best
    practice), each as its row in indicators.csv has it."""
    site = built[0]
    with (site / "generated" / "downloads" / "indicators.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["indicator_id"] == "EX02_job_outcome_rate"]
    latest = max(r["period"] for r in rows if r["period"].startswith("12 months"))
    mine = next(
        r for r in rows if r["level"] == "area" and r["period"] == latest and r["value"] and r["lower_95"]
    )
    nation = next(
        r for r in rows if r["level"] == "all areas" and r["period"] == latest and not r["breakdown_value"]
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{served}/generated/areas/{slug(mine['area_code'])}/")
    row = page.locator("tr", has=page.get_by_role("link", name="Job outcome rate", exact=True)).first
    box = row.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768, box
    text = row.inner_text()
    pct = lambda x: f"{float(x):.1f}%"  # noqa: E731
    figures = mine["comparison_target_values"].split(";")
    assert {"38%", "43%"} <= set(figures), figures
    wanted = [pct(mine["value"]), f"{pct(mine['lower_95'])} to {pct(mine['upper_95'])}", pct(nation["value"])]
    for shown in wanted + [f"({x})" for x in figures]:
        assert shown in text, (shown, text)
    assert mine["all_areas_value"] == nation["value"]


@pytest.mark.browser
def test_an_area_page_prints_on_at_most_eight_sides_of_a4_with_nothing_cut_off(page, served, built):
    """Issue 22: printed by Chromium to A4, an area page is at most 8 pages; no table, chart or
    image reaches past the printable width; every key value the screen shows is in the PDF's
    text; each sheet names the page and the data's date."""
    import io

    from pypdf import PdfReader

    site = built[0]
    with (site / "generated" / "downloads" / "indicators.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    areas = sorted({r["area_code"] for r in rows if r["level"] == "area"})
    for area in areas:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{served}/generated/areas/{slug(area)}/")
        page.wait_for_load_state("networkidle")
        # on screen: the key table's values, as the reader sees them
        shown = page.locator("h2#key-indicators ~ .kpi-stack table tbody tr").all_inner_texts()
        page.emulate_media(media="print")
        # the printable width of A4 less the page margins (extra.css: 10 mm each side), in CSS px
        page.set_viewport_size({"width": round((210 - 20) / 25.4 * 96), "height": 1000})
        wide = page.evaluate(
            """() => [...document.querySelectorAll('table, img, svg, .kpi-chart, pre')]
                .filter(e => e.getClientRects().length && e.getBoundingClientRect().right
                             > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + ' ' + (e.getAttribute('alt') || e.className || '').slice(0, 60))"""
        )
        pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
        page.emulate_media(media="screen")
        text = " ".join((p.extract_text() or "") for p in pdf.pages)
        flat = re.sub(r"\s+", " ", text)
        assert len(pdf.pages) <= 8, (area, len(pdf.pages))
        assert not wide, (area, wide[:5])
        figures = {x for row in shown for x in re.findall(r"£?\d[\d,]*(?:\.\d+)?%?", row)}
        missing = sorted(x for x in figures if x not in flat)
        assert shown and not missing, (area, missing[:10])
        first = pdf.pages[0].extract_text() or ""
        assert "data as at 2025-26 Q4" in first and "Page 1 of" in flat, area


@pytest.mark.browser
def test_on_a_phone_the_key_charts_fit_without_scrolling_sideways(page, served):
    """Issue 22, item 5: at 390 px the area page's spine and trend charts are drawn for the width
    (a narrow picture the page offers to small screens), so they need no sideways scrolling and
    their text keeps its size; wide charts still scroll inside their own box, not the page."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{served}/generated/areas/ps04/")
    page.wait_for_load_state("networkidle")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.kpi-chart')].map(e => ({
            fits: e.classList.contains('kpi-fits'), scroll: e.scrollWidth, box: e.clientWidth,
            src: e.querySelector('img').currentSrc,
            shown: e.querySelector('img').getBoundingClientRect().width}))"""
    )
    key = [b for b in boxes if b["fits"]]
    assert len(key) == 2 and all(b["src"].endswith("-narrow.svg") for b in key), boxes
    assert all(b["scroll"] <= b["box"] for b in key), key
    # drawn for about this width: shown at 80% of its size or more, so 8-point text stays readable
    assert all(b["shown"] >= 0.8 * 3.9 * 96 for b in key), key
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{served}/generated/areas/ps04/")
    assert all(
        not src.endswith("-narrow.svg")
        for src in page.evaluate("[...document.querySelectorAll('.kpi-chart img')].map(i => i.currentSrc)")
    )


def test_a_working_404_page(built):
    """The 404 page helps the reader on, and `kpi serve` answers a missing page with it (status
    404), as GitHub Pages does."""
    import functools
    import http.server
    import threading
    import urllib.error
    import urllib.request

    from generator.site.serve import SiteHandler

    page = (built[0] / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in page and "data as at" in page
    body = page[page.index("<h1>Page not found</h1>") :]
    links = re.findall(r'<li><a href="([^"]+)">', body)
    assert "/generated/areas/" in links and len(links) == 4
    for link in links:  # from the site's root, never //host-like (a protocol-relative address)
        assert link.startswith("/") and not link.startswith("//"), link
        assert (built[0] / link.lstrip("/") / "index.html").exists(), link
    handler = functools.partial(SiteHandler, directory=str(built[0]))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"http://127.0.0.1:{httpd.server_port}/no/such/page/", timeout=10)
            assert err.value.code == 404 and b"Page not found" in err.value.read()
            with urllib.request.urlopen(f"http://127.0.0.1:{httpd.server_port}/", timeout=10) as ok:
                assert ok.status == 200
        finally:
            httpd.shutdown()


def test_area_pages_show_where_the_area_stands(built):
    html = (built[0] / GENERATED / "areas" / "ps05" / "index.html").read_text(encoding="utf-8")
    assert "Where the area stands among all areas" in html and "area-ps05-spine.svg" in html


def test_area_pages_cover_every_section_and_say_what_their_notes_mean(built):
    """Context, outcomes, job outcomes, other supports and the commissioning self-assessment each
    have a section (titles from the catalogue); the notes are explained on the page; and no blank
    comes out as Python's None."""
    site, catalogue, registry, _ = built
    for page in (site / GENERATED / "indicators").glob("*/index.html"):
        assert "None" not in re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split(), page
    for area in registry.areas:
        html = (site / GENERATED / "areas" / slug(area) / "index.html").read_text(encoding="utf-8")
        for letter in "ADEFG":
            assert f">{catalogue.sections[letter].title}</h2>" in html, (area, letter)
        assert "<strong>provisional</strong>: the latest period" in html
        assert "None" not in re.sub(r"<[^>]+>", " ", html).split(), area


def test_the_data_dictionary_explains_every_published_column(built):
    from generator.calc.columns import COLUMN_TEXT, COLUMNS

    assert set(COLUMN_TEXT) == set(COLUMNS)
    html = (built[0] / GENERATED / "dictionary" / "index.html").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"<td>{column}</td>" in html, column


def test_every_chart_offers_its_data_as_csv(built):
    """The downloads page promises every chart's data: each chart links a CSV with its table."""
    import csv

    from generator.site.parts import NARROW

    site, _, _, charts = built
    for key, chart in charts.items():
        if key.endswith(NARROW):  # a phone's picture of a chart: its data is the chart's own CSV
            wide = charts[key.removesuffix(NARROW)]
            assert (chart.header, chart.rows) == (wide.header, wide.rows), key
            assert not (site / GENERATED / "charts" / f"{key}.csv").exists(), key
            continue
        path = site / GENERATED / "charts" / f"{key}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert tuple(rows[0]) == chart.header and len(rows) == len(chart.rows) + 1, key
    page = (site / GENERATED / "indicators" / "ex02-job-outcome-rate" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'href="../../charts/ind-ex02-job-outcome-rate-compare.csv"' in page


def test_data_tables_are_on_the_page_but_not_in_the_search_index(built):
    """Every area's row is in the indicator page's data table, but the search index holds the
    page's words, not thousands of table cells (a national index was 13 MB, and a search for an
    area's name would list every indicator page)."""
    import json

    site = built[0]
    page = GENERATED + "/indicators/ex02-job-outcome-rate/"
    html = (site / page / "index.html").read_text(encoding="utf-8")
    assert 'id="data"' in html and "data-search-exclude" in html
    assert "kpi-html" not in html  # the table is back in place of its marker (generator/site/hooks.py)
    registry = built[2]
    names = [o.area_name for o in registry.organisations.values() if o.area_name in html]
    assert len(names) >= 3  # the data table lists the areas
    name = names[0]
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith(page)]
    assert entries and any("Job outcome" in d["title"] for d in entries)
    assert not any(name in d["text"] for d in entries)


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
        ("zensical", [str(_zensical()), "build"]),
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


@pytest.mark.parametrize("synthetic", ["all", "some", "none"])
def test_the_demonstration_warning_follows_the_registry(small_demo, synthetic):
    """Invented data are never published without the warning, and real data never with it: the
    registry's synthetic flag decides, area by area."""
    catalogue, base = load_catalogue(), load_registry()
    marked = {"all": set(base.areas), "some": {"PS01", "PS02"}, "none": set()}[synthetic]
    registry = Registry(
        {c: replace(o, synthetic=o.area_code in marked) for c, o in base.organisations.items()}
    )
    returns = small_demo.current_returns()
    rows = [
        r for r in build_dataset(returns, catalogue, registry) if r["indicator_id"] == "EX02_job_outcome_rate"
    ]
    pages, _ = build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"))
    home = next(p.text for p in pages if p.path == "index.md")
    area = next(p.text for p in pages if p.path.endswith("/ps05.md"))
    if synthetic == "none":
        assert "Synthetic demonstration data" not in home and "synthetic demonstration" not in area.lower()
    elif synthetic == "all":
        assert "Every number on this site is invented" in home and f"for {len(base.areas)} areas" in home
        assert "Synthetic demonstration data: not real services" in area
    else:
        assert f"The figures for 2 of the {len(base.areas)} areas are invented" in home
        assert f"2 of {len(base.areas)} areas hold synthetic demonstration data" in area


def test_a_target_verdict_label_is_escaped_for_where_it_stands():
    """Review of the change: a benchmark's label in an indicator page's raw HTML table was escaped
    for Markdown and showed its backslashes ("referrals \\(the &\\#x27;Yes&\\#x27; category\\)")."""
    from generator.calc.verdicts import Verdict
    from generator.site.markup import TargetVerdict, esc, hesc

    t = TargetVerdict(Verdict.SIMILAR_TO_REFERENCE, "pilot", "75%", "Pilot sites (the 'Yes' category)")
    cell = t.labelled(hesc)
    assert cell.startswith("Pilot sites (the &#x27;Yes&#x27; category): <span") and "\\" not in cell
    assert t.labelled().startswith(esc("Pilot sites (the 'Yes' category)") + ": ")  # Markdown


def test_no_text_is_escaped_twice(built):
    """A heading's text is put in the table of contents and the navigation escaped once more:
    an apostrophe escaped for an attribute showed there as '&#x27;'."""
    site = built[0]
    twice = [p for p in site.rglob("*.html") if "&amp;#x27;" in p.read_text(encoding="utf-8")]
    assert not twice, twice[:3]


def test_the_wellbeing_change_page_describes_the_change(small_demo):
    """EX08 is published in three parts (start, end, change) and judged on the change alone: its
    page said "Better if: no judgement" and gave the start's method, from the first part."""
    from generator.calc.evaluate import METHODS

    catalogue, registry = load_catalogue(), load_registry()
    rows = [
        r
        for r in build_dataset(small_demo.current_returns(), catalogue, registry)
        if r["indicator_id"] == "EX08_swemwbs_change"
    ]
    assert {r["breakdown_value"] for r in rows} >= {"start", "end", "change"}
    pages, _ = build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"))
    text = next(p.text for p in pages if p.path.endswith("/indicators/ex08-swemwbs-change.md"))
    assert "| Better if | higher |" in text
    assert METHODS["swemwbs_change"].words in text
    assert METHODS["swemwbs_start"].words not in text


def test_a_page_that_would_be_written_over_another_stops_the_build(small_demo):
    """Backstop to the registry's check: an area whose page would be the list of areas (a
    registry made in code, past the check) stops the pages being made, naming the page."""
    catalogue, base = load_catalogue(), load_registry()
    registry = Registry(
        {
            c: replace(o, area_code="INDEX" if o.area_code == "PS05" else o.area_code)
            for c, o in base.organisations.items()
        }
    )
    rows = [
        r
        for r in build_dataset(small_demo.current_returns(), catalogue, base)
        if r["indicator_id"] == "EX02_job_outcome_rate"
    ]
    with pytest.raises(ValueError, match=r"generated/areas/index\.md"):
        build_pages(Context([Row.of(r) for r in rows], [], catalogue, registry, "2025-26 Q4"))


# -- issue 22: verdicts beside their numbers, no contradictions, no local address ---------------
class _VerdictScan(__import__("html.parser").parser.HTMLParser):
    """Each verdict element (class kpi-v: against all areas; kpi-t: against a target) with the
    text of the innermost table row, list item or paragraph around it."""

    CONTEXTS = ("tr", "li", "p")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, list[str], list[dict[str, str]]]] = []
        self.found: list[tuple[dict[str, str], str]] = []  # (the verdict's attributes, its context's text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag in self.CONTEXTS:
            self.open.append((tag, [], []))
        if tag == "span" and {"kpi-v", "kpi-t"} & set(a.get("class", "").split()):
            assert self.open, f"a verdict outside any row, item or paragraph: {a}"
            self.open[-1][2].append(a)

    def handle_endtag(self, tag):
        if self.open and tag == self.open[-1][0]:
            _, text, verdicts_ = self.open.pop()
            joined = "".join(text)
            if self.open:
                self.open[-1][1].append(joined)
            self.found += [(v, joined) for v in verdicts_]

    def handle_data(self, data):
        if self.open:
            self.open[-1][1].append(data)


def test_every_verdict_sits_beside_the_figure_it_compares_with(built):
    """Issue 22: a commissioner reads "similar" with the all-areas value, "below the reference"
    with the 43%, in the same row or sentence; each verdict also says its code and figure to a
    machine (data-verdict, data-against)."""
    site = built[0]
    seen = Counter()
    bad = []
    unjudged = 0
    for path in [*sorted((site / "generated").rglob("index.html")), site / "index.html"]:
        scan = _VerdictScan()
        scan.feed(path.read_text(encoding="utf-8"))
        for attrs, text in scan.found:
            seen[attrs["class"].split()[0]] += 1
            against, code = attrs.get("data-against", ""), attrs.get("data-verdict", "")
            if code in verdicts.UNJUDGED:  # "not assessed" compares with nothing
                unjudged += 1
                continue
            if not code or not against or against not in text:
                bad.append((path.relative_to(site).as_posix(), attrs, text[:120]))
    assert seen["kpi-v"] > 50 and seen["kpi-t"] > 20 and unjudged, (seen, unjudged)  # the scan sees them
    assert not bad, bad[:5]


def test_no_twelve_month_figure_says_quarter(built):
    """The workbook asks about "the quarter"; a 12-month row never says so (its name is the
    catalogue's `label`), in the dataset or on any page."""
    site, catalogue = built[0], built[1]
    with (site / "generated" / "downloads" / "indicators.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["period"].startswith("12 months")]
    said = [r["indicator_title"] for r in rows if re.search(r"\bquarter\b", r["indicator_title"], re.I)]
    assert rows and not said, sorted(set(said))
    titles = [i.title for _, i in catalogue.items() if i.label]
    assert titles
    pages = [*list((site / "generated").rglob("index.html")), site / "index.html"]
    found = [(p.name, t) for p in pages for t in titles if html.escape(t) in p.read_text(encoding="utf-8")]
    assert not found, found[:5]


def test_no_published_file_names_a_local_address(built):
    """Canonical links and the sitemap came from a default site_url of http://127.0.0.1:8000/;
    now site_url is given by the publisher (KPI_SITE_URL) or left out. Source maps of the theme's
    scripts (a comment in its code) are not pages."""
    site = built[0]
    local = re.compile(rb"127\.0\.0\.1|localhost|0\.0\.0\.0")
    named = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and p.suffix != ".map" and local.search(p.read_bytes())
    ]
    assert not named, named[:5]


def test_every_page_says_who_published_it_under_what_licence_and_how_to_report_an_error(
    built, tmp_path, monkeypatch
):
    """Issue 22, item 8: the data's date, the publication date, the licence and a contact, from the
    publisher's configuration; what it has not given is said to be missing, never invented."""
    site = built[0]
    pages = [
        site / "index.html",
        site / "404.html",
        *sorted((site / "generated" / "areas").rglob("index.html")),
    ]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Licence: not stated by the publisher." in text, page
        assert "To report an error: the publisher has not given a contact." in text, page
        assert "(the publisher has not given its name)." in text, page
        assert re.search(r"published \d{4}-\d{2}-\d{2}", text), page
    given = {
        "KPI_PUBLISHER": "Example Council",
        "KPI_CONTACT": "data@example.org",
        "KPI_LICENCE": "Open Government Licence v3.0",
        "KPI_PUBLISHED": "2026-12-01",
    }
    from generator.site.build import publisher_gaps

    assert len(publisher_gaps({})) == 3 and publisher_gaps(given) == []
    for k, v in given.items():
        monkeypatch.setenv(k, v)
    mkdocs(tmp_path / "site", "2025-26 Q4", site.parent / "mkdocs.yml")
    for name in ("index.html", "404.html"):
        text = (tmp_path / "site" / name).read_text(encoding="utf-8")
        assert "published 2026-12-01 by Example Council." in text
        assert "Licence: Open Government Licence v3.0." in text
        assert '<a href="mailto:data@example.org">data@example.org</a>' in text
    # a contact is a link only when it is plainly an address or a web page; blanks are missing
    for contact, shown in (
        (
            "https://forms.example.org/report?from=data@example.org",
            '<a href="https://forms.example.org/report?from=data@example.org">',
        ),
        (
            "Call 0300 123 4567 or write to data@example.org",
            "Call 0300 123 4567 or write to data@example.org.",
        ),
        ("httpfoo <script>", "httpfoo &lt;script&gt;."),
        ("   ", "the publisher has not given a contact."),
    ):
        monkeypatch.setenv("KPI_CONTACT", contact)
        monkeypatch.setenv("KPI_PUBLISHER", " ")
        mkdocs(tmp_path / "site", "2025-26 Q4", site.parent / "mkdocs.yml")
        page = (tmp_path / "site" / "404.html").read_text(encoding="utf-8")
        about = re.search(r'<p class="kpi-data-as-at">.*?</p>', page, re.S)
        assert about, contact
        text = about.group(0)
        assert shown in text and "(the publisher has not given its name)" in text, (contact, text)
        assert "mailto:http" not in text and "<script>" not in text


def test_abbreviations_are_explained_where_they_are_used_and_on_the_glossary_page(built):
    """Issue 22, item 3: a term of data/glossary.yaml in a page's text is an <abbr> with its
    expansion (the definitions are appended to every page, not published as one); the glossary
    page lists every term."""
    from generator.site.glossary import load

    site = built[0]
    terms = load().terms
    page = (site / "generated" / "glossary" / "index.html").read_text(encoding="utf-8")
    rows = [re.sub(r"<[^>]+>", "", r) for r in re.findall(r"<tr>.*?</tr>", page, re.S)]
    assert all(any(html.escape(t.term) in r and html.escape(t.expansion) in r for r in rows) for t in terms)
    marked = Counter()
    for path in [
        *(site / "generated" / "areas").rglob("index.html"),
        *(site / "guidance").rglob("index.html"),
    ]:
        text = path.read_text(encoding="utf-8")
        for t in terms:
            marked[t.term] += text.count(
                f'<abbr title="{html.escape(t.expansion)}">{html.escape(t.term)}</abbr>'
            )
    assert {"IPS", "SEQF", "PSA 16", "SWEMWBS", "NDTi"} <= {t for t, n in marked.items() if n}, marked
    # and on every page, a term a reader sees (in Markdown or in a table's raw HTML) is explained
    unexplained = []
    for path in site.rglob("index.html"):
        article = re.search(r"<article.*?</article>", path.read_text(encoding="utf-8"), re.S)
        if article is None:
            continue
        seen = re.sub(r"<[^>]+>", " ", re.sub(r"<abbr[^>]*>.*?</abbr>", "", article.group(0)))
        for t in terms:
            term = html.escape(t.term)
            if re.search(
                rf"(?<![\w&#]){re.escape(term)}(?!\w)", seen
            ) and f">{term}</abbr>" not in article.group(0):
                unexplained.append((path.relative_to(site).as_posix(), t.term))
    assert not unexplained, unexplained[:5]
    assert not (site / "generated" / "abbreviations").exists()
    assert "*[IPS]:" not in (site / "index.html").read_text(encoding="utf-8")


def test_search_finds_an_area_by_another_name_and_indexes_no_table_of_figures(built):
    """Issue 22, item 6: the registry's other names for an area (a county, a city) are on its
    page, so search finds "Gloucestershire" for Gloucester; tables of figures, the notes every
    area page repeats and the targets list stay out of the index, which is the size below."""
    import json

    site = built[0]
    index_file = site / "search" / "search_index.json"
    docs = json.loads(index_file.read_text(encoding="utf-8"))["docs"]
    text = {d["location"]: d["text"] for d in docs}
    assert "Also known as: Gloucestershire." in text["generated/areas/ps03/"]
    assert "Kent; Medway" in text["generated/areas/ps12/"]
    assert "West &lt;b&gt;Yorkshire&lt;/b&gt;; Leeds &amp; district" in text["generated/areas/ps04/"]
    key = [
        d for d in docs if d["location"].startswith("generated/areas/") and "#key-indicators" in d["location"]
    ]
    assert len(key) == 17 and all(d["text"] == "" for d in key)
    noted = [d["location"] for d in docs if "provisional</strong>: the latest period" in d["text"]]
    assert not noted, noted[:3]
    areas = sum(len(d["text"]) for d in docs if d["location"].startswith("generated/areas/"))
    assert areas < 17 * 6000, areas  # a few KB an area page: its words, not its tables of figures


def test_an_area_with_a_missing_return_is_asked_about_it(built):
    """Issue 22: an area whose provider sent no Section D return read "No flags were raised";
    a missing return now raises its own question, naming the section, period and organisation,
    with the source passages (an area with every return has none)."""
    site = built[0]
    quality = site / "generated" / "downloads" / "data_quality.csv"
    with quality.open(encoding="utf-8", newline="") as f:
        gone = [r for r in csv.DictReader(f) if r["status"] == "missing"]
    areas = {r["area_code"] for r in gone}
    assert areas, "the test site has no missing return to ask about"
    for area in sorted(areas):
        page = (site / "generated" / "areas" / slug(area) / "index.html").read_text(encoding="utf-8")
        assert "Which returns have not been sent" in page, area
        for r in (r for r in gone if r["area_code"] == area):
            said = f"for {r['period']} from {r['organisation_name']} ({r['organisation_code']})"
            assert f"Section {r['section']} (" in page and html.escape(said, quote=False) in page
    full = next(a for a in ("PS04", "PS05", "PS11") if a not in areas)
    page = (site / "generated" / "areas" / slug(full) / "index.html").read_text(encoding="utf-8")
    assert "Which returns have not been sent" not in page


def test_the_areas_chart_draws_the_targets_that_apply_to_every_area_named_by_their_source(built):
    """Issue 22 and its review: EX02's chart names NDTi's 38% and 43% by whose figures they are;
    EX04's draws the best-practice band its verdicts use, not only the all-services average; a
    target for one kind of service (EX01's 70%, IPS beyond SMI only) is not drawn for all."""
    charts_dir = built[0] / "generated" / "charts"
    ex02 = (charts_dir / "ind-ex02-job-outcome-rate-compare.svg").read_text(encoding="utf-8")
    assert (
        ">reference 43%: Best practice sites<" in ex02
        and ">reference 38%: Average, all LA/NHS-commissioned services<" in ex02
    )
    ex04 = (charts_dir / "ind-ex04-cost-per-job-outcome-compare.svg").read_text(encoding="utf-8")
    assert "£2,818 to £4,024: NDTi best-practice band" in ex04 and "reference £8,217" in ex04
    ex01 = (charts_dir / "ind-ex01-access-rate-compare.svg").read_text(encoding="utf-8")
    assert "at least 70%" not in ex01


@pytest.mark.browser
def test_a_reader_sorts_the_ranked_areas_by_any_column(page, served):
    """Issue 23, item 1: the ranked table is best first as served (cheapest cost first); choosing
    a heading's sort button orders the rows by that column, says so (aria-sort), and again the
    other way, with areas without a value last both times."""
    page.goto(served + "/generated/indicators/ex04-cost-per-job-outcome/")
    block = page.locator(".kpi-sortable").first
    assert block.locator(".kpi-sort-hint").is_visible()

    def column(k: int) -> list[str]:
        return [t.strip() for t in block.locator(f"tbody tr td:nth-child({k})").all_inner_texts()]

    def money(v: str) -> float:
        return float(v.replace("£", "").replace(",", ""))

    heads = [t.strip() for t in block.locator("thead th").all_inner_texts()]
    at = heads.index("Value") + 1
    first = [money(v) for v in column(at) if v]
    assert first == sorted(first)  # served best first: the cheapest
    if "Rank" in heads:
        ranks = [int(r) for r in column(heads.index("Rank") + 1) if r]
        assert ranks == sorted(ranks) and ranks[0] == 1
    value = block.get_by_role("button", name="Sort by Value")
    value.click()
    value.click()  # from the most expensive
    shown = column(at)
    numbers = [money(v) for v in shown if v]
    assert numbers == sorted(numbers, reverse=True) and shown[: len(numbers)] == [v for v in shown if v]
    assert block.locator("th[aria-sort='descending']").inner_text().startswith("Value")
    value.click()
    shown = column(at)
    numbers = [money(v) for v in shown if v]
    assert numbers == sorted(numbers) and all(shown[: len(numbers)])
    assert block.locator("th[aria-sort='ascending']").count() == 1
