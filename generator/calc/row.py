"""One row of the published table, typed.

The calculations build the table as columns (fast at national scale, see
:mod:`generator.base.tables`); what reads it a row at a time (the site's pages, the questions,
the charts' data) reads :class:`Row`, so a misspelt column or a number taken for text is a type
error, not a blank cell on a page. The fields are the published columns in order:
:data:`generator.calc.columns.COLUMNS` is made from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

Number = float | None  # a number, or None where the table has a blank (suppressed, not applicable)


@dataclass(frozen=True, slots=True)
class Row:
    area_code: str
    area_name: str
    provider_code: str  # "" for an area or all areas
    provider_name: str
    period: str
    indicator_id: str
    indicator_title: str
    breakdown: str
    breakdown_value: str
    numerator: Number
    denominator: Number
    value: float | str | None  # text for an answer (a date, a category) rather than a number
    unit: str
    lower_95: Number
    upper_95: Number
    lower_998: Number
    upper_998: Number
    target: str
    comparison_target: str
    comparison_all_areas: str
    quartile: int | None
    trend: str
    flags: str  # separated by ";"
    method: str
    # beyond the required columns: what a chart or a careful reader needs
    section: str
    level: str  # "area", "provider" or "all areas"
    breakdown_label: str
    polarity: str
    all_areas_value: float | str | None
    funnel_lower_95: Number
    funnel_upper_95: Number
    funnel_lower_998: Number
    funnel_upper_998: Number
    funnel_p0: Number
    funnel_tau2: Number
    comparison_funnel: str
    headline: bool
    rank: int | None
    value_label: str
    # the verdicts as codes (generator/calc/verdicts.py): str, or the code's own StrEnum
    comparison_target_code: str
    comparison_all_areas_code: str
    comparison_all_areas_basis: str
    comparison_funnel_code: str
    trend_code: str
    # what each comparison_target_code verdict was compared with (in the same order, by ;)
    comparison_target_against: str  # a benchmark's id, local_population or scale_middle
    comparison_target_values: str  # its figure: "43%", "£2,818 to £4,024"

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Row:
        """The typed row of a calculated one (a dict with every column; more keys are ignored)."""
        return cls(*(row[name] for name in NAMES))


NAMES: tuple[str, ...] = tuple(f.name for f in fields(Row))
