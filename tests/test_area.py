"""Area pages: where the area stands, a section for each part of the return with its notes
explained, and a question for each return not sent."""

from __future__ import annotations

import csv
import html
import re

from generator.base.names import slug
from generator.site.markup import GENERATED

from .conftest import shown_size_matches


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


def test_an_area_page_links_its_own_files_with_their_sizes(built):
    """Each area with published rows links its CSV and workbook (files of the built site), each
    with its size, in a section of its own before its data quality (the first screen is the key
    figures'); an area with no rows offers none."""
    site, _, registry, _ = built
    offered = site / GENERATED / "downloads" / "areas"
    with_files = 0
    for area in registry.areas:
        page = site / GENERATED / "areas" / slug(area) / "index.html"
        text = page.read_text(encoding="utf-8")
        links = [  # the link's words without their markup (CSV is an <abbr>, glossary.yaml)
            (href, re.sub(r"<[^>]+>", "", words))
            for href, words in re.findall(r'<a href="([^"]*/downloads/areas/[^"]+)"[^>]*>(.*?)</a>', text)
        ]
        if not (offered / f"{slug(area)}.csv").exists():
            assert links == [], area
            continue
        with_files += 1
        assert [t.split(" ")[0] for _, t in links] == ["CSV", "Excel"], area
        for href, label in links:
            target = (page.parent / href).resolve()
            assert target.parent == offered.resolve() and target.stem == slug(area), href
            assert target.exists() and shown_size_matches(label, target.stat().st_size), (href, label)
        assert text.index('id="download-this-areas-figures"') < text.index('id="data-quality"'), area
    assert with_files == 5
