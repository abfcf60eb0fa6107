"""The published table's columns, in order, and what each means (the data dictionary's
source).
"""

from __future__ import annotations

from generator.calc import verdicts
from generator.calc.row import NAMES
from generator.calc.verdicts import Basis

# -- the published rows ------------------------------------------------------------------
COLUMNS = NAMES  # the published columns, in order: the fields of the typed row

# columns that hold numbers only: never text a spreadsheet could take for a formula
NUMERIC_COLUMNS = frozenset(
    {
        "numerator",
        "denominator",
        "value",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "quartile",
        "all_areas_value",
        "funnel_lower_95",
        "funnel_upper_95",
        "funnel_lower_998",
        "funnel_upper_998",
        "funnel_p0",
        "funnel_tau2",
    }
)

COLUMN_TEXT = {  # what each published column holds (the data dictionary page shows these)
    "area_code": "the area's code; ALL for all areas together",
    "area_name": "the area's name",
    "provider_code": "the provider's code; blank for an area or all areas",
    "provider_name": "the provider's name; blank for an area or all areas",
    "period": "a financial year (2025-26), a quarter (2025-26 Q4) or 12 months to a quarter",
    "indicator_id": "the indicator's identifier in the catalogue (its page on this site has the same name)",
    "indicator_title": "the indicator's title",
    "breakdown": "the breakdown the category belongs to (for example age band); blank if none",
    "breakdown_value": "the category's code; blank if none",
    "numerator": "the count above the line (rounded to 5 below national level)",
    "denominator": "the count below the line (rounded to 5 below national level)",
    "value": "the indicator's value; blank when suppressed",
    "unit": "percent, count, gbp, number, score, ratio, yes/no or category",
    "lower_95": "lower limit of the 95% interval",
    "upper_95": "upper limit of the 95% interval",
    "lower_998": "lower limit of the 99.8% interval",
    "upper_998": "upper limit of the 99.8% interval",
    "target": "the targets and benchmarks from the source documents that apply, the local population's share "
    "(intake profiles) or the middle of a rating scale",
    "comparison_target": "the value judged against each target, in words",
    "comparison_all_areas": "better, worse or not significantly different from all areas, and at what level",
    "quartile": "the area's quartile among all areas (1 = lowest values), where at least 4 areas report",
    "trend": "the recent trend, in words, on each series' latest row only (its earlier rows are blank)",
    "flags": "suppressed, partial, provisional, mean of returns, no denominator (separated by ;)",
    "method": "how the value and its interval were calculated, in short",
    "section": "the catalogue section (A to G)",
    "level": "area, provider or all areas",
    "breakdown_label": "the category's label",
    "polarity": "higher_better, lower_better or no_judgement",
    "all_areas_value": "the all-areas value the comparison used",
    "funnel_lower_95": "lower 95% funnel limit for this denominator",
    "funnel_upper_95": "upper 95% funnel limit for this denominator",
    "funnel_lower_998": "lower 99.8% funnel limit for this denominator",
    "funnel_upper_998": "upper 99.8% funnel limit for this denominator",
    "funnel_p0": "the funnel's centre: the share pooled from the areas' published counts, in percent",
    "funnel_tau2": "the funnel's added between-area variance (Spiegelhalter), in percent squared; "
    "0 where the areas vary no more than chance allows",
    "comparison_funnel": "inside or outside the funnel limits",
    "headline": "True for a headline indicator",
    "rank": "the area's rank among areas where a higher or lower value is clearly better (1 = best)",
    "value_label": "the wording of a rating's scale point, or an answer's label",
    "comparison_target_code": "comparison_target as codes, one for each verdict there, in the same order "
    "(separated by ;): " + ", ".join(verdicts.TARGET),
    "comparison_all_areas_code": "comparison_all_areas as a code: " + ", ".join(verdicts.ALL_AREAS),
    "comparison_all_areas_basis": "what the all-areas comparison rests on: " + ", ".join(Basis),
    "comparison_funnel_code": "comparison_funnel as a code: " + ", ".join(verdicts.FUNNEL),
    "trend_code": "trend as a code: " + ", ".join(verdicts.TREND),
    "comparison_target_against": "what each verdict in comparison_target_code was compared with, in the "
    "same order (separated by ;): a benchmark's id in the catalogue, local_population or scale_middle",
    "comparison_target_values": "the figure each verdict in comparison_target_code was compared with, in "
    "the same order (separated by ;), for example 43% or £2,818 to £4,024",
}


ROW_KEYS = COLUMNS
