"""Markdown and HTML for the pages: text from data shown literally, escaped for where it stands."""

from __future__ import annotations


def test_a_target_verdict_label_is_escaped_for_where_it_stands():
    """Review of the change: a benchmark's label in an indicator page's raw HTML table was escaped
    for Markdown and showed its backslashes ("referrals \\(the &\\#x27;Yes&\\#x27; category\\)")."""
    from generator.calc.verdicts import Verdict
    from generator.site.markup import TargetVerdict, esc, hesc

    t = TargetVerdict(Verdict.SIMILAR_TO_REFERENCE, "pilot", "75%", "Pilot sites (the 'Yes' category)")
    cell = t.labelled(hesc)
    assert cell.startswith("Pilot sites (the &#x27;Yes&#x27; category): <span") and "\\" not in cell
    assert t.labelled().startswith(esc("Pilot sites (the 'Yes' category)") + ": ")  # Markdown


def test_text_from_data_is_shown_literally_never_as_markdown_html_or_a_template():
    """A name from a return or the registry may hold Markdown, HTML or Jinja: on a page it is
    text. Markdown's characters are escaped with backslashes (not in raw HTML, where they would
    show), and a template's braces are broken apart."""
    from generator.site.markup import esc, hesc, num

    name = "[x](javascript:alert(1)) <b>*bold*</b> {{ 7*7 }} {% if %}\nnext"
    md = esc(name)
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in md and "\\*bold\\*" in md
    assert "<b>" not in md and "&lt;b&gt;" in md
    assert "{{" not in md and "{%" not in md and "\n" not in md
    raw = hesc(name)
    assert "\\" not in raw and "&lt;b&gt;*bold*&lt;/b&gt;" in raw and "{{" not in raw and "{%" not in raw
    assert esc("it's") == "it&\\#x27;s" and esc("it's", quote=False) == "it's"  # a heading's text
    assert (num(""), num(None), num("n/a"), num("3.5")) == (None, None, None, 3.5)


def test_a_size_is_shown_in_kilobytes_or_megabytes():
    from generator.site.markup import file_size

    from .conftest import shown_size_matches

    assert [file_size(n) for n in (0, 300, 1024, 1536 + 1, 999 * 1024, 1000 * 1024, 37 * 1024**2 + 1)] == [
        "1 KB",
        "1 KB",
        "1 KB",
        "2 KB",
        "999 KB",
        "1.0 MB",
        "37.0 MB",
    ]
    for n in (1, 1023, 1024, 5000, 511_000, 1_022_000, 1_025_000, 5_000_000, 123_456_789):
        assert shown_size_matches(f"x ({file_size(n)})", n), n
