"""The home, index, data dictionary and downloads pages: every published column explained, a
large table offered zipped only, and every download's size as built."""

from __future__ import annotations

import re

from generator.base.names import slug
from generator.site.markup import GENERATED

from .conftest import SMALL_AREAS, shown_size_matches


def test_the_data_dictionary_explains_every_published_column(built):
    from generator.calc.columns import COLUMN_TEXT, COLUMNS

    assert set(COLUMN_TEXT) == set(COLUMNS)
    html = (built[0] / GENERATED / "dictionary" / "index.html").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"<td>{column}</td>" in html, column


def test_the_site_offers_a_large_table_zipped_only():
    from generator.site.front import PLAIN_CSV_ROWS, site_downloads

    assert "indicators.csv" in site_downloads(PLAIN_CSV_ROWS)
    big = site_downloads(PLAIN_CSV_ROWS + 1)
    assert "indicators.csv" not in big and "indicators.csv.zip" in big and "dataset.xlsx" in big


_LINK = re.compile(r'<a href="([^"#?]+)"[^>]*>(.*?)</a>', re.S)


def test_the_downloads_page_gives_the_size_of_every_file_it_offers_as_built(built):
    """Every file in the built site's downloads (dataset files, templates, each area's two) is
    linked from the Downloads page, and each link ends with that file's size."""
    site, catalogue, _, _ = built
    page = site / GENERATED / "downloads" / "index.html"
    html = page.read_text(encoding="utf-8")
    offered = site / GENERATED / "downloads"
    files = {p.resolve() for p in offered.rglob("*") if p.is_file() and p != page}  # the page is there too
    linked = {}
    for href, text in _LINK.findall(html):
        target = (page.parent / href).resolve()
        if target.is_relative_to(offered.resolve()) and not href.endswith("/"):
            linked[target] = re.sub(r"<[^>]+>", "", text)
    assert set(linked) == files
    wrong = {
        str(t.relative_to(offered.resolve())): text
        for t, text in linked.items()
        if not shown_size_matches(text, t.stat().st_size)
    }
    assert wrong == {}
    areas = {p.name for p in (offered / "areas").iterdir()}
    assert len(areas) == 10 and {f"{slug(a)}.xlsx" for a in SMALL_AREAS} <= areas
    assert len(files) == len(areas) + len(catalogue.sections) + 4  # CSV, zip, workbook, data quality
    # every area with files is in the table, linked to its page
    for a in SMALL_AREAS:
        assert f'href="../areas/{slug(a)}/"' in html, a
