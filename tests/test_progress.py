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


def test_on_a_terminal_a_step_that_takes_a_while_shows_its_bar_and_stage(monkeypatch):
    import io
    import sys

    from generator.base import progress
    from generator.base.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(progress, "DELAY", 0)  # as if the step had run past the delay already
    with Progress("Reading returns", 2) as bar:
        bar.stage("checking values")
        bar.advance(2)
    assert "Reading returns" in term.getvalue() and "checking values" in term.getvalue()
    piped = io.StringIO()  # not a terminal: a log or a pipe stays clean
    monkeypatch.setattr(sys, "stderr", piped)
    with Progress("Reading returns", 2) as bar:
        bar.advance(2)
    assert piped.getvalue() == ""
