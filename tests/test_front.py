"""The home, index, data dictionary and downloads pages: every published column explained, and
a large table offered zipped only."""

from __future__ import annotations

from generator.site.markup import GENERATED


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
