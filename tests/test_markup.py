"""Markdown and HTML for the pages: text from data escaped for where it stands."""

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
