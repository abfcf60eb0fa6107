"""Measuring without drawing: text widths that agree with the font, titles wrapped to the
figure, and round-number ticks that cover the data."""

from __future__ import annotations

import itertools

from generator.charts import measure


def test_measured_text_width_matches_the_font_and_titles_wrap_to_the_figure():
    """Margins are planned from measured label widths (no trial drawing), so the measure must
    agree with matplotlib's own layout of the same text, erring wide, never narrow."""
    from matplotlib.font_manager import FontProperties

    for text in ["Camden & Islington", "Area 150 (synthetic)", "Public services (health, care)"]:
        exact = measure._RULER.get_text_width_height_descent(
            text, FontProperties(family="sans-serif", size=10), ismath=False
        )[0]
        ours = measure.text_width(text, 10) * 72
        assert exact <= ours <= exact * 1.06, (text, exact, ours)
    long = "Job outcome rate: 12 of 150 areas significantly better than all areas, 40 significantly worse"
    lines = measure.fit(long, 3.0, 11, "bold").split("\n")
    assert len(lines) > 1 and " ".join(lines) == long
    assert all(measure.text_width(line, 11, "bold") <= 3.0 for line in lines)


def test_round_number_ticks_cover_the_data() -> None:
    for lo, hi in [
        (0, 1),
        (0, 48.3),
        (0, 61.2),
        (-3.5, 1.0),
        (0, 17000),
        (0, 0),
        (0, 5),
        (0.2, 0.9),
        (0, 1e-7),
    ]:
        ticks = measure.nice_ticks(lo, hi)
        assert ticks[0] <= lo and ticks[-1] >= hi and 2 <= len(ticks) <= 8, (lo, hi, ticks)
        steps = {round(b - a, 12) for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1, ticks
        mantissa = f"{steps.pop():e}".split("e")[0]
        assert float(mantissa) in (1.0, 2.0, 2.5, 5.0), ticks
    assert measure.tick_text([0, 2.5, 5.0, 7.5]) == ["0", "2.5", "5.0", "7.5"]
    assert measure.tick_text([0, 5000, 10000]) == ["0", "5,000", "10,000"]
    assert measure.tick_text([0.0, 0.25, 0.5]) == ["0", "0.25", "0.50"]
