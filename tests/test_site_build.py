"""The website, built for real (mkdocs build --strict) from the real pipeline (the ``built``
fixture in conftest.py: a handful of indicators, every area and indicator page, one area with a
hostile name): every page there, links that resolve, nothing loaded from elsewhere, the same
pages from Zensical, and in a real browser what a reader sees and prints.
"""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from pathlib import Path

import pytest

from generator.base.names import slug
from generator.calc import verdicts
from generator.calc.specs import specs
from generator.site.build import mkdocs
from generator.site.markup import GENERATED

from .conftest import ROOT, need_zensical


def test_a_page_for_every_area_and_every_indicator(built):
    site, catalogue, registry, _ = built
    for area in registry.areas:
        assert (site / GENERATED / "areas" / slug(area) / "index.html").exists(), area
    for ind in {s.indicator_id for s in specs(catalogue)}:
        assert (site / GENERATED / "indicators" / slug(ind) / "index.html").exists(), ind
    for page in ("guidance/ips-principles", "guidance/questions-to-ask", "methods", "accessibility"):
        assert (site / page / "index.html").exists(), page


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
        [str(need_zensical()), "build", "--strict", "-f", str(config)],
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
    # the spine and main trend offer a picture for a phone; the other key indicators' small
    # trend charts (issue 23) are drawn narrow in the first place
    offered = [b for b in key if b["src"].endswith("-narrow.svg")]
    small = [b for b in key if "-trend-" in b["src"] and not b["src"].endswith("-narrow.svg")]
    assert len(offered) == 2 and len(small) >= 1 and len(key) == len(offered) + len(small), boxes
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


def test_no_text_is_escaped_twice(built):
    """A heading's text is put in the table of contents and the navigation escaped once more:
    an apostrophe escaped for an attribute showed there as '&#x27;'."""
    site = built[0]
    twice = [p for p in site.rglob("*.html") if "&amp;#x27;" in p.read_text(encoding="utf-8")]
    assert not twice, twice[:3]


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
    now site_url is given by the publisher (KPI_SITE_URL) or left out. The theme's source maps
    (which name the address its scripts were built at) are not published at all."""
    site = built[0]
    local = re.compile(rb"127\.0\.0\.1|localhost|0\.0\.0\.0")
    named = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and local.search(p.read_bytes())
    ]
    assert not list(site.rglob("*.map"))
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


@pytest.mark.browser
def test_a_reader_sorts_the_ranked_areas_by_any_column(page, served):
    """Issue 23, item 1: the ranked table is best first as served (cheapest cost first); choosing
    a heading's sort button orders the rows by that column, says so (aria-sort), and again the
    other way, with areas without a value last both times."""
    page.set_viewport_size({"width": 1366, "height": 768})
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
