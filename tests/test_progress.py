"""Progress bars (generator.base.progress): shown only on a terminal, and only once a step has run
for a while."""

from __future__ import annotations


def test_a_quick_step_shows_no_bar_even_when_it_names_its_stage(monkeypatch):
    import io
    import sys

    from generator.base.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with Progress("Building the site", 2) as bar:
        bar.stage("making pages")
        bar.advance()
        bar.stage("writing files")
        bar.advance()
    assert term.getvalue() == ""
