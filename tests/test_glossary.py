"""generator/site/glossary.py: the site's abbreviations, from data/glossary.yaml."""

from __future__ import annotations

import pytest

from generator.site import glossary

from .conftest import ROOT


def test_the_projects_glossary_reads_and_names_the_terms_the_pages_use():
    """The terms a commissioner met unexplained (issue 22) are all there."""
    g = glossary.load(ROOT / "data" / "glossary.yaml")
    terms = {t.term for t in g.terms}
    assert {"PSA 16", "SMI", "SEQF", "NDTi", "SWEMWBS", "phi", "IPS", "FTE"} <= terms


def test_a_term_listed_twice_or_malformed_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "terms:\n"
        "  - {term: IPS, expansion: Individual Placement and Support, meaning: 'Ordinary jobs, quickly.'}\n"
        "  - {term: IPS, expansion: Something else, meaning: A second meaning for it.}\n",
        encoding="utf-8",
    )
    with pytest.raises(glossary.GlossaryError, match="terms listed twice: IPS") as e:
        glossary.load(path)
    assert str(path) in str(e.value)
    path.write_text("terms:\n  - {term: '<b>', expansion: bold text here, meaning: markup as a term}\n")
    with pytest.raises(glossary.GlossaryError, match="cannot be read"):
        glossary.load(path)


def test_the_abbreviations_file_and_the_page_say_the_same_of_each_term():
    g = glossary.Glossary.model_validate(
        {
            "terms": [
                {
                    "term": "SEQF",
                    "expansion": "Supported Employment [Quality] Framework",
                    "meaning": "A fidelity model.",
                },
                {
                    "term": "PSA 16",
                    "expansion": "Public Service Agreement 16",
                    "meaning": "A target of its day.",
                },
            ]
        }
    )
    abbr = glossary.abbreviations(g)
    assert abbr.path == glossary.ABBREVIATIONS
    assert abbr.text.splitlines() == [
        "*[SEQF]: Supported Employment Quality Framework",  # no markup in a title attribute
        "*[PSA 16]: Public Service Agreement 16",
    ]
    page = glossary.glossary_page(g).text
    assert page.index("**PSA 16**") < page.index("**SEQF**")  # alphabetical
    assert "| this site |" in page  # no source: a term of the site's own


def test_terms_in_raw_html_are_marked_as_markdown_marks_them_and_nothing_else_changes():
    """The abbr extension leaves raw HTML alone, so a term met first in a table of figures would go
    unexplained: the page's HTML lines get the same <abbr>, in text only, never in an attribute,
    never twice, never inside a longer word; Markdown lines are left to the extension."""
    g = glossary.load(ROOT / "data" / "glossary.yaml")
    smi = next(t for t in g.terms if t.term == "SMI")
    page = "\n".join(
        [
            "IPS in Markdown stays as it is",
            '<div><img alt="IPS beyond SMI"><table><tr><td>IPS beyond SMI: at least 65%</td>'
            '<td><abbr title="x">SMI</abbr> already</td><td>SMILE and NHSX</td></tr></table></div>',
        ]
    )
    out = glossary.mark_terms(page, g).split("\n")
    assert out[0] == "IPS in Markdown stays as it is"
    assert 'alt="IPS beyond SMI"' in out[1]  # an attribute is untouched
    assert f'<abbr title="{smi.expansion}">SMI</abbr>: at least 65%' in out[1]
    assert '<abbr title="x">SMI</abbr> already' in out[1] and out[1].count("<abbr") == 3
    assert "SMILE and NHSX" in out[1]
    assert glossary.mark_terms(out[1], g) == out[1]  # marking twice changes nothing
