"""The methods page, rendered with the values generator/site/macros.py gives it, and the code
agree (issue 18, item 9).

Every method the code registers is named and described on the page (one table, rendered from the
code's own words); every number the page states is either rendered from the code's constant or
accounted for below, each with a check against the code, the catalogue or the measurement it
reports. A number added to the page without a reason here fails the test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from scipy.stats import chi2, norm

from generator.calc import disclosure, disclosure_arithmetic, funnels, stats, trends
from generator.calc.evaluate import METHODS
from generator.catalogue.sections import Catalogue
from generator.site.macros import define_env

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "site_src" / "methods.md"
RESULTS = ROOT / "bench" / "results"


def page_text() -> str:
    return PAGE.read_text(encoding="utf-8").split("---", 2)[2]  # after the front matter


def rendered() -> str:
    env = SimpleNamespace(variables={})
    define_env(env)
    return jinja2.Template(page_text()).render(**env.variables)


def literals() -> list[tuple[str, str]]:
    """(number, its sentence) for every number written into the page rather than rendered."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", page_text(), flags=re.S)
    out = []
    for m in re.finditer(r"£?\d[\d,]*(?:\.\d+)?%?", text):
        token = m.group().rstrip(",")
        out.append((token, " ".join(text[max(0, m.start() - 60) : m.end() + 60].split())))
    return out


def benchmark_figures(catalogue: Catalogue) -> set[float]:
    return {
        x
        for s in catalogue.sections.values()
        for entry in (*s.derived, *(i for g in s.groups for i in g.items))
        for b in entry.benchmarks
        for x in (b.value, b.low, b.high)
        if x is not None
    }


MEASURED = ("60,452", "63.7%", "21,022", "26.1%", "19,312", "43.1%", "26.6%", "76.5%", "34.0%", "0.8%")


def measured(figure: str) -> bool:
    """A figure the page reports from a measurement recorded under bench/results (or printed by
    bench/blank_share.py into the commit that recorded it)."""
    return any(figure in p.read_text(encoding="utf-8") for p in RESULTS.glob("*.md"))


def test_every_registered_method_is_named_and_described_on_the_page() -> None:
    """The methods page's table is written from each method's own wording, all of them."""
    page = rendered()
    for name, m in METHODS.items():
        assert m.short and m.words, name
        assert f"| {m.short} | {m.words} |" in page, name


def test_the_constants_the_page_renders_are_the_codes() -> None:
    page = rendered()
    assert f"at least {disclosure.MIN_JUDGED} people" in page
    assert f"at least {funnels.MIN_FUNNEL_AREAS} areas" in page
    assert f"{trends.TREND_LEVEL} (a statistic of at least {trends.TREND_Z**2:.4f}" in page
    assert f"{funnels.DISPERSION_LEVEL} point of chi-squared" in page
    assert f"exact below {stats.EXACT_BELOW}" in page
    assert "winsorised at the 10th and 90th percentiles" in page and funnels.WINSOR == 0.10


def _z(level: float) -> Callable[[], bool]:
    return lambda: math.isclose(norm.ppf(0.5 + level / 200), {95.0: stats.Z95, 99.8: stats.Z998}[level])


# each number written into the page, and what makes it true
def checks(catalogue: Catalogue) -> dict[str, Callable[[], bool]]:
    sources = benchmark_figures(catalogue)

    def source(*xs: float) -> Callable[[], bool]:
        return lambda: all(x in sources for x in xs)

    def byar_within(rel: float) -> bool:
        worst = 0.0
        for x in range(stats.EXACT_BELOW, 400):
            exact = (chi2.ppf(0.025, 2 * x) / 2, chi2.ppf(0.975, 2 * x + 2) / 2)
            worst = max(worst, *(abs(b - e) / e for b, e in zip(stats.byar(x), exact, strict=True)))
        return worst < rel

    def rounding_example() -> bool:  # four categories of 7 and a total of 28 publish as 5s and 30
        parts = [disclosure.published(7)] * 4
        total = disclosure.published(28)
        return (
            [p.point for p in parts] == [5] * 4
            and total.point == 30
            and disclosure_arithmetic.narrowed(total, [parts]) == [0]
        )

    def caseload_example() -> bool:  # a caseload published as 25 stands for 23 to 27
        c = disclosure.published(25)
        return (c.point, c.lo, c.hi) == (25, 23, 27) and 25.0 in sources

    def two_suppressed() -> bool:  # two suppressed providers publish as 5, standing for 2 to 8
        both = disclosure_arithmetic.plus([disclosure.SUPPRESSED_COUNT] * 2)
        return both is not None and (both.point, both.lo, both.hi) == (5, 2, 8)

    demo = {"17": 17, "3": 3}  # the demo's areas, and those with two providers
    registry = (ROOT / "data" / "organisations.csv").read_text(encoding="utf-8").splitlines()[1:]
    providers: dict[str, int] = {}
    for line in registry:
        area = line.split(",")[0]
        providers[area] = providers.get(area, 0) + ("provider" in line)

    def demo_areas() -> bool:
        return len(providers) == demo["17"] and sum(n == 2 for n in providers.values()) == demo["3"]

    return {
        "95%": _z(95.0),
        "99.8%": _z(99.8),
        "0%": lambda: True,  # "values near 0% or 100%": the ends of the scale
        "100%": lambda: True,  # the end of the scale; event rates "can pass 100%"
        "0": lambda: True,  # "0 is published as 0"
        "1": lambda: disclosure.SUPPRESSED_COUNT.lo == 1,  # "1 to 4", "1 degree of freedom"
        "4": lambda: disclosure.SUPPRESSED_COUNT.hi == 4,
        "12": lambda: len(disclosure.quarters_of("12 months to 2025-26 Q4")) == 4,  # 12 months
        "10": lambda: disclosure.MIN_SHOWN == 10 and stats.EXACT_BELOW == 10,
        "0.2%": lambda: byar_within(0.002),
        # the dispersion test's chi-squared point by Wilson and Hilferty, "within 0.1%" of the exact
        "0.1%": lambda: all(
            abs(funnels.chi2_upper(df) / chi2.ppf(0.95, df) - 1) < 0.001 for df in range(9, 500)
        ),
        "13%": source(13),
        "63%": source(63),
        "30%": source(30),
        "56%": source(56),
        "61%": source(61),
        "£2,818": source(2818),
        "£4,024": source(4024),
        "40%": source(40),
        "51": source(51),
        "25": caseload_example,
        "23": caseload_example,
        "27": caseload_example,
        "2": two_suppressed,
        "8": two_suppressed,
        "5": rounding_example,
        "7": rounding_example,
        "28": rounding_example,
        "30": rounding_example,
        "50%": lambda: disclosure.rounding_shift(50, 0.5) > 0,  # the table's "a rate near 50%"
        "17": demo_areas,
        **{figure: (lambda f=figure: measured(f)) for figure in MEASURED},
        "3": demo_areas,
        # "an outsider recovered the exact counts behind 96% of the shown rates": 21,078 of 21,924
        "96%": lambda: measured("| 21,078 |") and measured("| 21,924 |") and round(100 * 21078 / 21924) == 96,
    }


def test_every_number_written_on_the_page_is_accounted_for(catalogue: Catalogue) -> None:
    known = checks(catalogue)
    unknown = sorted({f"{n}: ...{where}..." for n, where in literals() if n not in known})
    assert not unknown, "numbers on the methods page with no check in this test:\n" + "\n".join(unknown)
    wrong = sorted({n for n, _ in literals() if not known[n]()})
    assert not wrong, f"numbers on the methods page that the code, catalogue or results contradict: {wrong}"


@pytest.mark.parametrize("figure", ["60,452", "26.1%", "76.5%"])
def test_a_measured_figure_must_be_recorded(figure: str) -> None:
    """The check can fail: a figure not in bench/results is not accepted."""
    assert measured(figure)
    assert not measured(figure.replace("6", "9", 1) + "x")
