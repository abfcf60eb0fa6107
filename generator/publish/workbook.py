"""dataset.xlsx: the latest period's indicators, the data quality and a Notes sheet that
says what every column and flag means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from generator.calc import disclosure, funnels, stats, trends
from generator.calc.columns import COLUMNS
from generator.publish.quality import QUALITY_COLUMNS
from generator.publish.safe_csv import neutralise

REQUIRED_COLUMNS = COLUMNS[: COLUMNS.index("method") + 1]


SYNTHETIC = (
    "Organisations marked synthetic in the registry (their names say so) are demonstration "
    "data, not real services."
)

# what every workbook of the dataset says the same way (dataset.xlsx, each area's workbook):
# the rules its figures were published under
RULES = [
    (
        "Disclosure control",
        "No count of people below national level can be narrowed, by any combination of published "
        f"figures, to fewer than {disclosure.MIN_VALUES} values. Below national level, counts that add "
        "up over time are published for complete 12-month windows only (quarters for all areas only); "
        f"0 is published, 1 to {disclosure.SMALL - 1} are blank (flag 'suppressed'), other counts are "
        f"rounded to the nearest {disclosure.ROUND_TO} for each provider (a published {disclosure.ROUND_TO} "
        f"stands for {disclosure.ROUND_TO} to {disclosure.ROUND_TO + disclosure.HALF}), "
        "and an area with several providers shows the sum of theirs (a suppressed one counted as 2.5: "
        "two suppressed providers show as 5, standing for 2 to 8). Figures that would give a count "
        "away are withheld (flag 'withheld'); national counts are exact unless they would give one "
        "area or provider away. Every rate, interval, comparison, cost and ratio is worked out from "
        "the published counts, so it can be recomputed from this file. The methods page of the site "
        "has the rule in full.",
    ),
    (
        "Intervals",
        "95% and 99.8% Wilson score intervals for proportions, as the union of the intervals of "
        "every pair of counts the published pair stands for; Poisson limits (exact below "
        f"{stats.EXACT_BELOW} events, Byar's method above) for events set against people (job "
        "outcome and paid work entry rates, which can pass 100%) and, over them, for a cost per "
        "outcome; normal intervals for mean wellbeing scores. An interval shows how sure a value "
        "is: a small service has a wide interval.",
    ),
    (
        "Comparisons",
        "Against a target: better if the lower 95% limit is at or above it, worse if the upper "
        "limit is below it, otherwise 'not significantly different'; a count or a cost is judged "
        "over the range its rounded count stands for; a cost per job outcome is 'significantly "
        "above the band' only where its whole interval is above it. A figure a source gives for "
        "one service (a pilot site's average) is set only beside one provider's figure, and a "
        "figure for a whole breakdown not beside each category. A total of ratings is placed in "
        "the lower or upper half of its scale (no interval, no minimum number of people). A "
        "12-month window missing a quarter is flagged partial and not judged. Against all areas: "
        "higher or lower only where the whole interval is strictly beyond the all-areas value, "
        "at 99.8% where that holds, else at 95%. Below national level nothing resting on fewer "
        f"than {disclosure.MIN_SHOWN} people is shown (flag 'under {disclosure.MIN_SHOWN}'), and "
        f"nothing resting on fewer than {disclosure.MIN_JUDGED} is compared, ranked or given a "
        "quartile. Funnel limits around the "
        "share pooled from the areas' published counts (funnel_p0), drawn around at least "
        f"{funnels.MIN_FUNNEL_AREAS} areas, widened (funnel_tau2) only where Spiegelhalter's dispersion "
        f"test is significant at {funnels.DISPERSION_LEVEL}. Quartiles need at least 4 areas. "
        "Trends: the chi-squared test for linear trend "
        f"at {trends.TREND_LEVEL} on the latest {trends.MIN_TREND_PERIODS} periods that do not overlap, "
        "once per series (on its latest row), for percentages of people only. Every verdict is "
        "also given as a code in indicators.csv (the columns ending in _code; the site's data "
        "dictionary lists them).",
    ),
    (
        "Flags",
        "suppressed, withheld, under 10: see disclosure control ('denominator suppressed' and the "
        "like say it of the denominator). partial: some expected returns were missing from a rolling "
        "12-month window or an area. provisional: the latest period, which may still be revised. "
        "mean of returns: several returns gave a value and their mean is shown. median of areas: for all "
        "areas, a figure returned as a percentage (Section A) is the median of the areas' figures, "
        "not a national rate.",
    ),
]

FORMULA_SAFETY = (
    "Formula safety",
    "Text beginning with =, +, -, @, a tab or a carriage return starts with an "
    "apostrophe so that spreadsheet programs treat it as text.",
)

NOTES = [
    (
        "About this dataset",
        "Key performance indicators for employment support for people with mental health "
        "problems, calculated from the returns providers and commissioners sent, area by area and "
        "provider by provider. This workbook holds each section's latest period for every area and "
        "for all areas; every period, and each provider's own figures, are in indicators.csv. " + SYNTHETIC,
    ),
    *RULES,
    (
        "Columns",
        "The Indicators sheet has the required columns; indicators.csv also has: "
        + ", ".join(COLUMNS[COLUMNS.index("method") + 1 :])
        + ".",
    ),
    FORMULA_SAFETY,
]


def latest_workbook(
    rows: Sequence[Mapping[str, Any]], quality: Sequence[Mapping[str, Any]], path: Path
) -> None:
    """Streamed row by row (constant memory): the table can be large."""
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    wb.set_properties(
        {"title": "Employment support KPIs: published dataset", "created": dt.datetime(2026, 1, 1)}
    )
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    notes = wb.add_worksheet("Notes")
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 110)
    title = wb.add_format({"bold": True, "font_size": 14})
    notes.write_string(0, 0, "Employment support KPIs: published dataset", title)
    notes.write_string(2, 0, "Topic", bold)
    notes.write_string(2, 1, "Note", bold)
    for n, (topic, text) in enumerate(NOTES, start=3):
        notes.write_string(n, 0, topic, wrap)
        notes.write_string(n, 1, text, wrap)
    for name, table, columns in (
        ("Indicators", rows, REQUIRED_COLUMNS),
        ("Data quality", quality, QUALITY_COLUMNS),
    ):
        ws = wb.add_worksheet(name)
        ws.freeze_panes(1, 0)
        # filters on the header over every row; the range is known before the rows are
        # streamed, so the sheet is still written row by row
        ws.autofilter(0, 0, len(table), len(columns) - 1)
        for c, col in enumerate(columns):
            ws.write_string(0, c, col, bold)
        for r, row in enumerate(table, start=1):
            for c, col in enumerate(columns):
                v = cell(row.get(col))
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
    wb.close()


def cell(v: Any) -> str | float | None:
    """A value as a workbook cell holds it: blank (None), a number, or text made safe to open
    (yes or no for a flag)."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return v
    return str(neutralise(v))
