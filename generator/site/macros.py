"""Shared values for hand-written pages (mkdocs-macros). Only pages that opt in with
``render_macros: true`` are rendered, so no generated page or data ever passes through Jinja."""

from __future__ import annotations

from typing import Any

from generator.calc import disclosure, disclosure_arithmetic, funnels, stats, trends
from generator.calc.evaluate import METHODS


def define_env(env: Any) -> None:
    env.variables["small_count"] = disclosure.SMALL
    env.variables["round_to"] = disclosure.ROUND_TO
    env.variables["half"] = disclosure.HALF
    env.variables["min_shown"] = disclosure.MIN_SHOWN
    env.variables["min_judged"] = disclosure.MIN_JUDGED
    env.variables["min_values"] = disclosure.MIN_VALUES
    env.variables["rounding_shifts"] = [
        (n, f"{disclosure.rounding_shift(n):.1f}", f"{disclosure.rounding_shift(n, 0.5):.1f}")
        for n in disclosure.SHIFT_BANDS
    ]
    env.variables["min_trend_periods"] = trends.MIN_TREND_PERIODS
    env.variables["trend_level"] = trends.TREND_LEVEL
    env.variables["poisson_exact_below"] = stats.EXACT_BELOW
    env.variables["trend_chi2"] = f"{trends.TREND_Z**2:.4f}"
    env.variables["min_quartile_areas"] = stats.MIN_QUARTILE_AREAS
    env.variables["min_funnel_areas"] = funnels.MIN_FUNNEL_AREAS
    env.variables["dispersion_level"] = funnels.DISPERSION_LEVEL
    env.variables["exact_funnel_below"] = f"{funnels.EXACT_FUNNEL_BELOW:g}"
    env.variables["z95"] = f"{stats.Z95:.3f}"
    env.variables["z998"] = f"{stats.Z998:.3f}"
    env.variables["suppressed_middle"] = f"{disclosure_arithmetic.middle(disclosure.SUPPRESSED_COUNT):g}"
    env.variables["winsor_low"] = f"{100 * funnels.WINSOR:.0f}th"
    env.variables["winsor_high"] = f"{100 * (1 - funnels.WINSOR):.0f}th"
    env.variables["methods"] = list(dict.fromkeys((m.short, m.words) for m in METHODS.values()))
