"""Which period is each section's latest, which published figures are provisional, and which rows
the workbook keeps (each section's latest period, areas and all areas)."""

from __future__ import annotations

from generator.publish.periods import flag_provisional, latest_periods, latest_rows


def _return(section: str, period: str) -> dict:
    return {"section": section, "identity": {"period": period}}


def test_each_sections_latest_period_is_the_latest_of_its_own_returns():
    returns = [_return("E", p) for p in ("2025-26 Q1", "2025-26 Q3", "2025-26 Q2")]
    returns += [_return("A", "2025-26"), _return("A", "2024-25")]
    assert latest_periods(returns) == {"E": "2025-26 Q3", "A": "2025-26"}
    assert latest_periods([]) == {}


def test_rows_of_the_latest_period_and_the_year_ending_in_it_are_provisional_once():
    """A quarter's row and the rolling year ending in that quarter may still change; earlier
    periods, and another section whose latest period is elsewhere, keep their flags as they were."""
    rows = [
        {"section": "E", "period": "2025-26 Q3", "flags": ""},
        {"section": "E", "period": "12 months to 2025-26 Q3", "flags": "suppressed;partial"},
        {"section": "E", "period": "2025-26 Q2", "flags": "partial"},
        {"section": "E", "period": "12 months to 2025-26 Q2", "flags": ""},
        {"section": "A", "period": "2025-26", "flags": "provisional"},
        {"section": "A", "period": "2024-25", "flags": ""},
    ]
    flag_provisional(rows, {"E": "2025-26 Q3", "A": "2025-26"})
    assert [r["flags"] for r in rows] == [
        "provisional",
        "partial;provisional;suppressed",  # sorted, each once
        "partial",
        "",
        "provisional",  # not twice
        "",
    ]


def test_the_workbook_keeps_each_sections_latest_period_for_areas_and_all_areas_only():
    rows = [
        {"section": "E", "period": "2025-26 Q3", "level": "all areas"},
        {"section": "E", "period": "12 months to 2025-26 Q3", "level": "area"},
        {"section": "E", "period": "12 months to 2025-26 Q3", "level": "provider"},
        {"section": "E", "period": "12 months to 2025-26 Q2", "level": "area"},
        {"section": "A", "period": "2024-25", "level": "area"},  # Section A's latest in these rows
    ]
    assert latest_rows(rows) == [rows[0], rows[1], rows[4]]
