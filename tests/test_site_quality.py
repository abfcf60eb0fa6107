"""An area's data quality on its page: returns received, missing, late and resubmitted by
section, what was not collected, approved comments, and what the ratings were corroborated by."""

from __future__ import annotations

from generator.site.context import Context
from generator.site.markup import esc
from generator.site.quality import corroboration, quality_table

from .builders import calc_registry, published_row


def _quality(section: str, period: str, status: str, **more: str) -> dict[str, str]:
    base = {"area_code": "A1", "organisation_code": "A1-P1", "organisation_name": "A1 first provider"}
    return {**base, "section": section, "period": period, "status": status, "warnings": "0", **more}


def test_the_table_counts_each_sections_returns_and_says_which_are_missing_or_late(catalogue):
    quality = [
        _quality(
            "E",
            "2025-26 Q1",
            "received",
            late="yes",
            due="2025-08-15",
            received="2025-08-20",
            warnings="2",
            not_collected="E15_swemwbs_start E16_swemwbs_end",
            comment="Staff left in June.",
        ),
        _quality(
            "E", "2025-26 Q2", "missing", late="yes", due="2025-11-14", received=""
        ),  # late, not "arrived"
        _quality("E", "2025-26 Q3", "resubmitted", late="no", warnings="1"),
        _quality("E", "2025-26 Q4", "missing", area_code="A2"),  # another area's
    ]
    ctx = Context([], quality, catalogue, calc_registry(), "2025-26 Q4")
    lines = quality_table(ctx, "A1")
    late = esc("2025-26 Q1 (due 2025-08-15, received 2025-08-20)")
    assert f"| E {esc(catalogue.sections['E'].title)} | 2 of 3 | 2025-26 Q2 | {late} | 1 | 3 |" in lines
    assert not [x for x in lines if x.startswith("| E ") and "2 of 3" not in x]  # one row a section
    for item_id in ("E15_swemwbs_start", "E16_swemwbs_end"):  # said as not collected, never as 0
        name = catalogue.item_index[item_id].name
        assert f"- {esc(name)} ({esc(item_id)}, Section E): {esc('2025-26 Q1 (A1-P1)')}" in lines
    assert "- Section E, 2025-26 Q1, A1 first provider: Staff left in June." in lines
    nothing = quality_table(ctx, "A3")  # an area with no returns expected: no rows, no notes
    assert not [x for x in nothing if x.startswith("| E ") or "Not collected" in x or "Comments" in x]


def test_the_ratings_corroboration_is_said_or_said_to_be_missing(catalogue):
    item = "C16_corroboration"
    said = published_row(
        section="C", indicator_id=item, period="2025-26", value_label="An IPS Grow fidelity review"
    )
    ctx = Context([said], [], catalogue, calc_registry(), "2025-26")
    assert corroboration(ctx, "A1", "2025-26") == [
        "**Independent corroboration of these ratings (2025-26):** An IPS Grow fidelity review.",
        "",
    ]
    assert (
        "not collected (the return was made before the template asked)"
        in corroboration(ctx, "A2", "2025-26")[0]
    )
