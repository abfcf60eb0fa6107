"""Sections, their versions and due dates (generator.catalogue.sections): each version's items and
rules, and when a return is due."""

from __future__ import annotations

import datetime as dt

from generator.workbook.layout import period_bounds

PERIOD = "2025-26 Q1"  # the builders' period


def test_every_section_lists_its_versions_and_the_first_lacks_what_came_later(catalogue):
    for sec in catalogue.sections.values():
        assert sec.version_names == ("1.0", "1.1") and sec.version == "1.1"
        first = sec.at("1.0")
        assert first.version == "1.0" and sec.at("1.0") is first  # one object per version
        later = {i.id for i in sec.items} - {i.id for i in first.items}
        assert f"{sec.section}90_comments" in later
        assert all(not c.since for i in first.items for c in i.checks)
    e10 = catalogue.section("E").at("1.0").items
    by_id = {i.id: i for i in e10}
    assert "E15a_swemwbs_collected" not in by_id
    assert by_id["E15_swemwbs_start"].required and by_id["E15_swemwbs_start"].required_when_yes is None
    current = catalogue.item_index["E15_swemwbs_start"]
    assert not current.required and current.required_when_yes == "E15a_swemwbs_collected"
    assert {"C16_corroboration", "C17_corroboration_details"} <= {i.id for i in catalogue.section("C").items}


def test_every_section_is_due_some_days_after_its_period(catalogue):
    for sec in catalogue.sections.values():
        days = sec.due.days_after_period
        assert days == (30 if sec.frequency == "quarterly" else 60)
    e = catalogue.section("E")
    assert e.due.date(period_bounds(PERIOD)[1], PERIOD) == dt.date(2025, 7, 30)
    moved = e.due.model_copy(update={"dates": {PERIOD: "2025-08-04"}})
    assert moved.date(period_bounds(PERIOD)[1], PERIOD) == dt.date(2025, 8, 4)
    assert moved.date(period_bounds("2025-26 Q2")[1], "2025-26 Q2") == dt.date(2025, 10, 30)
