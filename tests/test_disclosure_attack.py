"""The outsider's attack (tests/disclosure_attack.py): each attack on small published tables
whose answer is known, then the whole attacker on a published demo dataset.

The small tables are written out as a reader would see them (published figures, blanks, flags);
where a figure comes from the real demo output, it is quoted as published.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests import disclosure_attack as da

ROOT = Path(__file__).resolve().parent.parent
AGE = ["under_18", "18_35", "36_50", "51_65", "over_65", "not_recorded"]
SCORES = [f"s{k:02d}" for k in range(7, 36)]
BREAKDOWNS = {"age_band": AGE, "four": ["a", "b", "c", "d"], "swemwbs": SCORES}
# a quarterly section like Section B (a count, and its breakdown as a proportion of it) and one
# like Section E (a money total, a count, a cost per outcome); an annual one with a count by
# four categories and its total row
SECTIONS: list[dict[str, Any]] = [
    {
        "section": "B",
        "frequency": "quarterly",
        "groups": [
            {
                "items": [
                    {"id": "B01_new_referrals", "value_type": "count"},
                    {
                        "id": "B02_age",
                        "value_type": "proportion",
                        "numerator": {"label": "In the age band"},
                        "denominator": {"item": "B01_new_referrals"},
                        "breakdown": "age_band",
                    },
                ]
            }
        ],
    },
    {
        "section": "E",
        "frequency": "quarterly",
        "groups": [
            {
                "items": [
                    {"id": "E02_total_cost", "value_type": "money"},
                    {"id": "E05_job_outcomes", "value_type": "count"},
                    {"id": "E09_active_caseload", "value_type": "count", "aggregate": "stock"},
                    {"id": "E10_specialist_fte", "value_type": "number", "aggregate": "stock"},
                ]
            }
        ],
        "derived": [
            {
                "id": "EX04_cost_per_job_outcome",
                "method": "cost_per_outcome",
                "inputs": {"cost": ["E02_total_cost"], "outcomes": ["E05_job_outcomes"]},
            },
            {
                "id": "EX06_caseload_per_specialist",
                "method": "ratio",
                "inputs": {"numerator": ["E09_active_caseload"], "denominator": ["E10_specialist_fte"]},
            },
        ],
    },
    {  # the wellbeing scores: people at each raw score, published nationally; means below that
        "section": "W",
        "frequency": "annual",
        "groups": [
            {
                "items": [
                    {"id": "E15_swemwbs_start", "value_type": "count", "breakdown": "swemwbs"},
                    {"id": "E16_swemwbs_end", "value_type": "count", "breakdown": "swemwbs"},
                ]
            }
        ],
        "derived": [
            {
                "id": "EX08_swemwbs_change",
                "method": "swemwbs_change",
                "inputs": {"start": ["E15_swemwbs_start"], "end": ["E16_swemwbs_end"]},
            }
        ],
    },
    {
        "section": "D",
        "frequency": "annual",
        "groups": [{"items": [{"id": "D01_placements", "value_type": "count", "breakdown": "four"}]}],
    },
]
CATALOGUE = da.catalogue_from(SECTIONS, BREAKDOWNS)


def row(
    indicator: str, category: str = "", area: str = "PS01", period: str = "2024-25", **kw: Any
) -> dict[str, Any]:
    """One published row; unit and level follow from the indicator and the area."""
    unit = {
        "B02_age": "percent",
        "E02_total_cost": "gbp",
        "EX04_cost_per_job_outcome": "gbp",
        "EX06_caseload_per_specialist": "ratio",
        "EX08_swemwbs_change": "score",
    }.get(indicator, "count")
    return {
        "area_code": area,
        "provider_code": "",
        "period": period,
        "indicator_id": indicator,
        "breakdown_value": category,
        "unit": unit,
        "level": "all areas" if area == "ALL" else "area",
        "flags": "",
        "method": "",
        **kw,
    }


def suppressed(indicator: str, category: str = "", **kw: Any) -> dict[str, Any]:
    return row(indicator, category, flags="suppressed", **kw)


def attack(rows: list[dict[str, Any]], rule: da.Rule | None = None, milp: bool = False) -> da.AttackResult:
    return da.run_all(
        pd.DataFrame(rows), CATALOGUE, rule or da.Rule(), milp_too=milp, workers=1, time_limit=20
    )


def quantity(res: da.AttackResult, index: int, column: str) -> int:
    cell = res.model.cell(index, column)
    assert cell is not None
    return cell.qid


def range_of(res: da.AttackResult, index: int, column: str = "value") -> tuple[float, float]:
    q = quantity(res, index, column)
    return res.propagation.lo[q], res.propagation.hi[q]


# -- the rule's public semantics -------------------------------------------------------------------
def test_a_published_count_stands_for_the_range_the_rule_allows():
    """Pins Rule.published_bounds: base 5 means v-2..v+2, but 5 means 5-7 (1-4 are suppressed),
    0 means 0, national figures are exact, and a blank means 1 or more (or 1-4 if the reader
    assumes primary suppression only)."""
    rule = da.Rule()
    assert rule.published_bounds(35) == (33, 37)
    assert rule.published_bounds(5) == (5, 7)
    assert rule.published_bounds(0) == (0, 0)
    assert rule.published_bounds(35, national=True) == (35, 35)
    assert rule.suppressed_bounds() == (1, float("inf"))
    assert da.Rule(suppressed_max=4).suppressed_bounds() == (1, 4)
    assert da.Rule(round_to=10, suppress_below=10).published_bounds(30) == (25, 34)
    assert da.Rule(round_to=1).published_bounds(7) == (7, 7)


def test_the_attacker_reads_only_published_files_not_the_generator():
    """Pins the attacker's independence: tests/disclosure_attack.py imports nothing from the
    project's package, so a bug shared with the generator cannot hide a leak."""
    tree = ast.parse((ROOT / "tests" / "disclosure_attack.py").read_text(encoding="utf-8"))
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m == "generator" or m.startswith("generator.") for m in modules), modules


# -- (a) rates ------------------------------------------------------------------------------------
# As published in the demo (PS01, 12 months to 2024-25 Q2, new referrals aged 18-35), beside
# the national row, whose exact counts show how rates are rounded
RATE_ROWS = [
    row(
        "B02_age",
        "18_35",
        area="ALL",
        period="12 months to 2024-25 Q2",
        numerator=528.0,
        denominator=1627.0,
        value=32.5,
        lower_95=30.2,
        upper_95=34.8,
        lower_998=29.0,
        upper_998=36.1,
    ),
    row(
        "B02_age",
        "18_35",
        period="12 months to 2024-25 Q2",
        numerator=35,
        denominator=135,
        value=26.5,
        lower_95=19.8,
        upper_95=34.5,
        lower_998=16.6,
        upper_998=39.4,
    ),
]


def test_a_rate_with_rounded_counts_and_wilson_limits_leaves_one_pair():
    """Pins attack (a) on the review's example: 35/135 published, 26.5% with its four Wilson
    limits; of the 25 pairs the rounded counts allow, only the true (36, 136) prints as
    published. How rates are rounded is learnt from the national row (one row cannot tell
    rounding once from rounding to 2 dp first, so pairs fitting either are kept)."""
    res = attack(RATE_ROWS)
    assert res.rates.candidates[1] == [(36, 136)]
    assert res.rates.convention == "rounded to 1 dp or rounded to 2 dp, then 1 dp"
    assert res.rates.national_checked == res.rates.national_matched == 1


def test_rates_from_published_counts_leave_every_pair_in_the_box():
    """Pins Rule.rates_from_published: if rates and limits were computed from the rounded counts,
    they would say nothing more, and every (x, n) the counts allow stays a candidate."""
    res = attack(RATE_ROWS, da.Rule(rates_from_published=True))
    assert len(res.rates.candidates[1]) == 25
    assert res.rates.unique == 0


def published_pair_row(limits: tuple[float, float, float, float]) -> dict[str, Any]:
    """PS01's new referrals aged 18-35 published as 60 of 130, at 46.2% (the published pair's own
    rate, to 1 dp), with the given four limits."""
    lo95, hi95, lo998, hi998 = limits
    return row(
        "B02_age",
        "18_35",
        period="12 months to 2024-25 Q2",
        numerator=60,
        denominator=130,
        value=46.2,
        lower_95=lo95,
        upper_95=hi95,
        lower_998=lo998,
        upper_998=hi998,
    )


def test_limits_from_the_true_counts_are_not_taken_for_limits_from_the_published_ones():
    """Pins infer_rule's check of rates (review of issue 17): a rate is taken as computed from the
    published counts only if its value and all four limits are what the published pair implies,
    the limits being the union of the Wilson intervals of every pair the two counts stand for
    (58-62 of 128-132: 35.8-57.0%, 31.5-61.7%). Here the value is the published pair's rate
    (46.2%, all an older check looked at) but the limits are the Wilson limits of the true 61 of
    132: the rule is not inferred, the row is attacked, and the true pair comes back."""
    true_limits = (37.9, 54.7, 33.5, 59.4)
    res = attack([RATE_ROWS[0], published_pair_row(true_limits)])
    assert not res.rule.rates_from_published
    assert 1 not in res.model.verified["rate"]
    assert (61, 132) in res.rates.candidates[1]
    assert len(res.rates.candidates[1]) < 3, res.rates.candidates[1]
    assert res.findings()["rates with fewer than 3 candidate pairs"] == 1
    # the same row with the limits the rule gives tells nothing more than its counts
    res = attack([RATE_ROWS[0], published_pair_row((35.8, 57.0, 31.5, 61.7))])
    assert res.rule.rates_from_published and res.model.verified["rate"] == {1}
    assert (
        len(res.rates.candidates[1]) == 25 and res.findings()["rates with fewer than 3 candidate pairs"] == 0
    )


def test_a_table_with_some_rates_from_the_true_counts_is_attacked_there():
    """Pins the row-by-row check: one rate computed as the rule says and one from the true counts;
    the rule is not inferred for the table, the first row tells nothing more, the second is
    attacked."""
    ok = published_pair_row((35.8, 57.0, 31.5, 61.7))
    leaky = published_pair_row((37.9, 54.7, 33.5, 59.4)) | {"area_code": "PS02"}
    res = attack([RATE_ROWS[0], ok, leaky])
    assert not res.rule.rates_from_published
    assert res.model.verified["rate"] == {1}
    assert len(res.rates.candidates[1]) == 25
    assert (61, 132) in res.rates.candidates[2] and len(res.rates.candidates[2]) < 3


# -- (b) funnels and money ------------------------------------------------------------------------
def test_unwidened_funnel_limits_give_the_denominator():
    """Pins attack (b), funnels: limits depend on the denominator alone (p0 is the exact national
    rate); published 135, the limits of PS01's 36-50 row in the demo fit only 136."""
    rows = [
        row(
            "B02_age",
            "36_50",
            area="ALL",
            period="12 months to 2024-25 Q2",
            numerator=772.0,
            denominator=1627.0,
            value=47.5,
        ),
        row(
            "B02_age",
            "36_50",
            period="12 months to 2024-25 Q2",
            numerator=70,
            denominator=135,
            value=50.0,
            all_areas_value=47.45,
            funnel_lower_95=39.06,
            funnel_upper_95=55.84,
            funnel_lower_998=34.22,
            funnel_upper_998=60.68,
            method="Wilson score interval; funnel phi=0.80",
        ),
    ]
    res = attack(rows)
    assert res.funnels.plain == 1 and res.funnels.plain_exact == 1
    assert res.funnels.candidates[1] == [136]
    assert res.funnels.alone[1] == [136]  # the limits alone, without the published 135


def test_widened_funnels_give_denominators_through_their_shared_tau2():
    """Pins attack (b) on overdispersed funnels: one tau2 serves every area of an indicator,
    category and period, so each area's candidate denominators imply narrow tau2 ranges and only
    a tau2 all areas can meet survives. Limits here: p0 = 300/1000, tau2 = 0.002, n = 40, 75,
    120, 260 (published rounded to 5, which here leaves them as they are)."""
    method = "Wilson score interval; funnel phi=3.10 (Spiegelhalter-adjusted)"
    limits = {
        40: (13.31, 46.69, 3.69, 56.31),
        75: (16.42, 43.58, 8.59, 51.41),
        120: (18.0, 42.0, 11.08, 48.92),
        260: (19.61, 40.39, 13.63, 46.37),
    }
    rows = [row("B02_age", "18_35", area="ALL", numerator=300.0, denominator=1000.0, value=30.0)]
    for k, (n, (a, b, c, d)) in enumerate(limits.items()):
        rows.append(
            row(
                "B02_age",
                "18_35",
                area=f"PS0{k + 1}",
                numerator=5 * round(n * 0.06),
                denominator=n,
                funnel_lower_95=a,
                funnel_upper_95=b,
                funnel_lower_998=c,
                funnel_upper_998=d,
                method=method,
            )
        )
    res = attack(rows)
    assert res.funnels.widened == 4
    got = {n: res.funnels.candidates[k + 1] for k, n in enumerate(limits)}
    assert all(n in c for n, c in got.items())  # sound
    assert res.funnels.widened_exact >= 3, got  # and sharp


def test_funnel_limits_at_the_published_denominator_tell_nothing_more():
    """Pins infer_rule's check of funnel limits: around the share pooled from the areas' published
    counts (one area here: 60/130, no overdispersion), limits at the published denominator are
    what anyone can compute and are not attacked; the same limits worked out at the true
    denominator (132) are, and give it back."""
    rate = published_pair_row((35.8, 57.0, 31.5, 61.7))
    names = ("funnel_lower_95", "funnel_upper_95", "funnel_lower_998", "funnel_upper_998")
    at_published = dict(zip(names, (37.58, 54.72, 32.64, 59.67), strict=True))
    at_true = dict(zip(names, (37.65, 54.66, 32.75, 59.56), strict=True))
    res = attack([RATE_ROWS[0], rate | at_published])
    assert res.model.verified["funnel"] == {1} and res.rule.rates_from_published
    assert res.funnels.from_published == 1 and 1 not in res.funnels.candidates
    res = attack([RATE_ROWS[0], rate | at_true])
    assert res.model.verified["funnel"] == set() and not res.rule.rates_from_published
    assert res.funnels.candidates[1] == [132]


def test_cost_per_outcome_over_an_unrounded_total_cost_gives_the_count():
    """Pins attack (b), money: PS01's cost per job outcome in the demo, £3,292 with a total cost
    of £95,456.77 published to the penny, leaves only 29 outcomes (published as 30)."""
    period = "12 months to 2024-25 Q2"
    rows = [
        row("E02_total_cost", period=period, value=95456.77),
        row("EX04_cost_per_job_outcome", period=period, denominator=30, value=3292),
        row("E05_job_outcomes", period=period, value=30),
    ]
    res = attack(rows)
    assert res.money.cost_rows == res.money.cost_exact == 1
    assert range_of(res, 2) == (29, 29)


def test_a_caseload_over_twelve_months_stands_for_the_sum_of_its_quarters_ranges():
    """Pins the 12-month stock (issue 17 review): a caseload over a rolling year is the sum of its
    four quarter-end caseloads, the quarters' published figures (95, 90, 80, 85, each 2 either
    side) added up, 350. That stands for 342-358, not 348-352: a true 344 must stay in range. The
    ratio over the year is the mean of the quarter-ends' published ratios (issue 18: as EX06 is
    defined), so it says nothing more either."""
    quarters = ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"]
    caseloads, staff = (95, 90, 80, 85), (5.2, 4.6, 5.3, 4.5)
    rows = [row("E09_active_caseload", period=q, value=v) for q, v in zip(quarters, caseloads, strict=True)]
    rows += [row("E10_specialist_fte", period=q, value=v) for q, v in zip(quarters, staff, strict=True)]
    rows += [
        row("EX06_caseload_per_specialist", period=q, numerator=c, denominator=f, value=round(c / f, 2))
        for q, c, f in zip(quarters, caseloads, staff, strict=True)
    ]
    mean = sum(c / f for c, f in zip(caseloads, staff, strict=True)) / 4
    rows.append(
        row(
            "EX06_caseload_per_specialist",
            period="12 months to 2024-25 Q4",
            numerator=350,
            denominator=19.6,
            value=round(mean, 2),
        )
    )
    res = attack(rows)
    assert res.model.verified["ratio"] == {8, 9, 10, 11, 12} and res.money.facts == []
    assert range_of(res, 12, "numerator") == (342, 358)


# -- (b) means of means ---------------------------------------------------------------------------
def mean_rows(area_mean: float) -> list[dict[str, Any]]:
    """PS06's mean SWEMWBS score at the start of support, as published in the review's demo (12
    months to 2024-25 Q4; here one year): the area's on 110 people scored beside its two
    providers', 19.8 on 50 and 18.1 on 60."""

    def mean(provider: str, value: float, people: float) -> dict[str, Any]:
        return row("EX08_swemwbs_change", "start", area="PS06", denominator=people, value=value) | {
            "provider_code": provider,
            "level": "provider" if provider else "area",
        }

    return [mean("", area_mean, 110), mean("PS06-EMP", 19.8, 50), mean("PS06-WRK", 18.1, 60)]


def test_an_area_mean_beside_its_providers_means_narrows_their_counts():
    """Pins the means-of-means attack on the review's finding: PS06's mean of 18.9 from every
    score, beside its providers' 19.8 on 50 (48-52) and 18.1 on 60 (58-62), holds only if
    0.89 n1 <= 0.81 n2 and 0.91 n1 >= 0.79 n2 (each mean within 0.005): PS06-EMP scored 51 or
    52 people. Propagation and the integer program both find it."""
    res = attack(mean_rows(18.9), milp=True)
    assert not res.model.from_published("mean", 0)
    assert range_of(res, 1, "denominator") == (51, 52)
    assert res.milp is not None and not res.milp.failures
    q = quantity(res, 1, "denominator")
    assert (res.milp.lo[q], res.milp.hi[q], res.milp.values[q]) == (51, 52, 2)
    assert res.findings()["counts narrowed below 3 values (integer program)"] >= 1


def test_an_area_mean_from_its_providers_published_figures_narrows_nothing():
    """Pins the other side: an area mean that is its providers' published means weighted by their
    published counts ((19.8 x 50 + 18.1 x 60) / 110 = 18.87) is recognised as such, says nothing
    the providers' figures do not, and every count keeps its five values."""
    res = attack(mean_rows(18.87), milp=True)
    assert res.model.from_published("mean", 0)
    assert not [r for r in res.relations if r.route == "mean of parts"]
    assert range_of(res, 1, "denominator") == (48, 52)
    assert res.milp is not None and not res.milp.failures
    assert res.narrowed() == [] and not any(res.findings().values())


# -- (c) differencing -----------------------------------------------------------------------------
def test_four_categories_of_seven_and_their_total_all_come_back():
    """Pins differencing with rounding: four counts of 7 publish as 5, 5, 5, 5 and their total 28
    as 30. Each part is at most 7 (a 5 means 5-7), so the total is at most 28; it is at least 28
    (30 means 28-32): all five are exact. The integer program agrees."""
    rows = [row("D01_placements", c, value=5) for c in "abcd"] + [row("D01_placements", "total", value=30)]
    res = attack(rows, milp=True)
    assert [range_of(res, i) for i in range(5)] == [(7, 7)] * 4 + [(28, 28)]
    assert res.milp is not None and not res.milp.failures
    assert all(res.milp.values[quantity(res, i, "value")] == 1 for i in range(5))


def test_a_lone_suppressed_category_comes_back_from_its_total_and_the_others():
    """Pins differencing within a breakdown (the case secondary suppression exists for), with
    counts published exactly (Rule(round_to=1)): 40 referrals, four categories shown and one
    blank: the blank is 40 - 37 = 3, whichever differencing is used."""
    shown = {"18_35": 20, "36_50": 10, "51_65": 7, "over_65": 0, "not_recorded": 0}
    rows = [row("B01_new_referrals", value=40), suppressed("B02_age", "under_18", denominator=40)]
    rows += [row("B02_age", c, numerator=v, denominator=40) for c, v in shown.items()]
    res = attack(rows, da.Rule(round_to=1))
    q = quantity(res, 1, "numerator")
    assert (res.propagation.lo[q], res.propagation.hi[q]) == (3, 3)
    assert (res.linear.lo[q], res.linear.hi[q]) == (3, 3)
    assert [c.row for c in res.propagation_exact()] == [1]


def test_overlapping_rolling_years_give_back_a_suppressed_quarter():
    """Pins the rolling-year routes: quarters 10, [3], [12], 15, [4] (blanks suppressed) with the
    12 months to Q4 (40) and to the next Q1 (34) published exactly. The year minus the year before
    plus the quarter that left gives the new quarter: 34 - 40 + 10 = 4. The two blanks inside
    both years stay unknown (only their sum, 15, is), and the attacker must not claim more."""
    quarters = ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4", "2025-26 Q1"]
    values = [10, None, None, 15, None]
    rows = [
        row("B01_new_referrals", period=q) | ({"value": v} if v is not None else {"flags": "suppressed"})
        for q, v in zip(quarters, values, strict=True)
    ]
    rows += [
        row("B01_new_referrals", period="12 months to 2024-25 Q4", value=40),
        row("B01_new_referrals", period="12 months to 2025-26 Q1", value=34),
    ]
    res = attack(rows, da.Rule(round_to=1), milp=True)
    assert range_of(res, 4) == (4, 4)
    assert res.propagation.route[quantity(res, 4, "value")] == "overlapping years"
    assert res.milp is not None
    assert res.milp.values[quantity(res, 1, "value")] == 3  # 1..14: still wide open
    assert (res.milp.lo[quantity(res, 1, "value")], res.milp.hi[quantity(res, 1, "value")]) == (1, 14)


def test_a_partial_rolling_year_gives_back_its_first_quarter():
    """Pins the partial-year route: the '12 months to' the second quarter of the data holds only
    two quarters, so 13 - 10 gives back the suppressed first quarter."""
    rows = [
        suppressed("B01_new_referrals", period="2024-25 Q1"),
        row("B01_new_referrals", period="2024-25 Q2", value=10),
        row("B01_new_referrals", period="12 months to 2024-25 Q2", value=13),
    ]
    res = attack(rows, da.Rule(round_to=1))
    assert range_of(res, 0) == (3, 3)
    assert res.propagation.route[quantity(res, 0, "value")] == "partial year"


def open_breakdown() -> list[dict[str, Any]]:
    """Four categories, two of them suppressed, and their total: the blanks are only known to add
    up to 28-42 minus the rest (the same rows serve the tests below)."""
    return [
        row("D01_placements", "a", value=20),
        suppressed("D01_placements", "b"),
        suppressed("D01_placements", "c"),
        row("D01_placements", "d", value=10),
        row("D01_placements", "total", value=60),
    ]


def test_the_attacker_claims_nothing_where_the_counts_are_open():
    """Pins soundness the other way: two blanks in a rounded breakdown are only known to add up to
    28-42 minus the rest; the integer program leaves each with many values and narrows nothing."""
    rows = open_breakdown()
    res = attack(rows, milp=True)
    assert res.milp is not None and not res.milp.failures
    assert res.narrowed() == []
    assert res.findings()["counts narrowed below 3 values (integer program)"] == 0


def test_a_stopped_integer_program_resumes_from_the_pieces_it_kept(tmp_path, monkeypatch):
    """A national run takes hours; each piece's outcome is kept as it ends, and a second run asks
    nothing of a piece already kept (same program, same settings, same code), with the same answer.
    A piece whose settings change is solved again."""
    rows = open_breakdown()
    first = attack(rows, milp=True)
    res = da.run_all(pd.DataFrame(rows), CATALOGUE, da.Rule(), workers=1, time_limit=20, keep=tmp_path)
    assert res.milp is not None and first.milp is not None
    kept = sorted(tmp_path.glob("*.json"))
    assert len(kept) >= 1

    def no_solving(p: da.Piece, progress: Path | None = None) -> da.PieceOutcome:
        raise AssertionError("a kept piece was solved again")

    monkeypatch.setattr(da, "solve_piece", no_solving)
    again = da.run_all(pd.DataFrame(rows), CATALOGUE, da.Rule(), workers=1, time_limit=20, keep=tmp_path)
    assert again.milp is not None
    assert again.milp.values == res.milp.values == first.milp.values
    assert (again.milp.lo, again.milp.hi) == (res.milp.lo, res.milp.hi)
    with pytest.raises(AssertionError, match="solved again"):
        da.run_all(pd.DataFrame(rows), CATALOGUE, da.Rule(), workers=1, time_limit=21, keep=tmp_path)
    # a piece kept with a failure (out of time) is kept as it is, unless asked to try it again
    import json

    record = json.loads(kept[0].read_text())
    kept[0].write_text(json.dumps({**record, "failures": ["D01: value below not settled (time limit)"]}))
    again = da.run_all(pd.DataFrame(rows), CATALOGUE, da.Rule(), workers=1, time_limit=20, keep=tmp_path)
    assert again.milp is not None and again.milp.failures
    with pytest.raises(AssertionError, match="solved again"):
        da.run_all(
            pd.DataFrame(rows),
            CATALOGUE,
            da.Rule(),
            workers=1,
            time_limit=20,
            keep=tmp_path,
            retry_failed=True,
        )


def test_a_start_from_the_true_counts_changes_the_time_not_the_answer():
    """The publisher knows one feasible point, the true counts, and the national run starts each
    piece there (a first point of a national family can take HiGHS hours). The answers are the
    ones found without it; a start that breaks the published figures (a wrong model, or a wrong
    truth) is not used, and the search finds its own first point as before."""
    rows = open_breakdown()
    plain = attack(rows, milp=True)
    truth = {
        ("PS01", "2024-25", f"D01_placements:{k}"): v for k, v in zip("abcd", (20, 15, 15, 10), strict=True)
    }
    wrong = {**truth, ("PS01", "2024-25", "D01_placements:a"): 40.0}  # published as 20: 18-22
    # within every bound, but adding up to 32 where the total is published as 60 (58-62)
    short = {
        **truth,
        ("PS01", "2024-25", "D01_placements:b"): 1.0,
        ("PS01", "2024-25", "D01_placements:c"): 1.0,
    }
    runs = {}
    for name, start in (("truth", truth), ("wrong", wrong), ("short", short)):
        runs[name] = da.run_all(
            pd.DataFrame(rows), CATALOGUE, da.Rule(), workers=1, time_limit=20, start=start
        )
    for res, started in ((runs["truth"], 1), (runs["wrong"], 0), (runs["short"], 0)):
        assert res.milp is not None and plain.milp is not None and not res.milp.failures
        assert (res.milp.values, res.milp.lo, res.milp.hi) == (
            plain.milp.values,
            plain.milp.lo,
            plain.milp.hi,
        )
        assert sum(f["solves"].get("hint", 0) for f in res.milp.families) == started


def six_areas(national: float, hint: bool = True) -> da.Piece:
    """A piece of six areas, each with two open counts: the pair's total is published as 10 (so
    8-12), the first count between 3 and 4, and the nation's total of all twelve is ``national``. The
    quantities asked about are each area's first count and each area's total."""
    import numpy as np
    from scipy.sparse import csr_matrix

    units = 6
    rows, lbs, ubs = [], [], []
    for g in range(units):
        for cols, lo, hi in (((2 * g, 2 * g + 1), 8, 12), ((2 * g,), 3, 4)):
            row = np.zeros(2 * units)
            row[list(cols)] = 1
            rows.append(row)
            lbs.append(lo)
            ubs.append(hi)
    rows.append(np.ones(2 * units))
    lbs.append(national)
    ubs.append(national)
    q = []
    for g in range(units):
        q.append(np.eye(2 * units)[2 * g])
        q.append(np.eye(2 * units)[2 * g] + np.eye(2 * units)[2 * g + 1])
    n = 2 * units
    truth = np.array([4.0, 8.0] * units) if national == 72 else np.array([4.0, 6.0] * units)
    return da.Piece(
        family="T01",
        n_atoms=n,
        n_vars=n,
        a=csr_matrix(np.array(rows)),
        lb=np.array(lbs, dtype=float),
        ub=np.array(ubs, dtype=float),
        var_lb=np.zeros(n),
        var_ub=np.full(n, 100.0),
        integrality=np.ones(n),
        qmat=csr_matrix(np.array(q)),
        offset=np.zeros(len(q)),
        qids=list(range(len(q))),
        known_lo=np.zeros(len(q)),
        known_hi=np.full(len(q), 100.0),
        time_limit=20,
        groups=np.repeat(np.arange(units), 2),
        hint=truth if hint else None,
    )


def whole_program_allows(p: da.Piece, j: int, lo: float, hi: float) -> bool:
    import numpy as np

    r = da._solve(p, np.zeros(p.n_vars), (p.qmat[[j]].toarray().ravel(), lo, hi), True)
    return r.x is not None


def test_a_relaxation_around_a_few_areas_proves_an_end_and_never_more_than_the_whole():
    """A national family's questions are proved on a relaxation of a few units (the others' parts
    of each shared row replaced by the range their bounds allow). It proves what the area's own
    figures hold (its first count is 3 or 4), and claims nothing that the whole program allows
    or that only the nation's exact total holds (with the nation at 72, each area's total is 12,
    which no relaxation of a few areas can see)."""
    import numpy as np

    for national in (60.0, 72.0):
        p = six_areas(national)
        local = da._Local(p, np.random.default_rng(0))
        for j in range(len(p.qids)):
            for lo, hi in (
                (-np.inf, 2.0),
                (-np.inf, 3.0),
                (5.0, np.inf),
                (13.0, np.inf),
                (-np.inf, 11.0),
                (8.0, 8.0),
            ):
                claimed = local.impossible(local.ring(local.of(j), 1), (p.qmat[[j]], lo, hi))
                if claimed:  # sound: the whole program has no such point
                    assert not whole_program_allows(p, j, lo, hi), (national, j, lo, hi)
        first, total = 0, 1
        assert local.impossible(local.of(first), (p.qmat[[first]], -np.inf, 2.0))
        assert local.impossible(local.of(total), (p.qmat[[total]], 13.0, np.inf))
        assert local.impossible(local.of(first), (p.qmat[[first]], 5.0, np.inf))
        assert not local.impossible(local.of(first), (p.qmat[[first]], -np.inf, 3.0))
    p = six_areas(72.0)
    local = da._Local(p, np.random.default_rng(0))
    assert not whole_program_allows(p, 1, -np.inf, 11.0)  # the nation holds each total at 12
    assert not local.impossible(local.ring(local.of(1), 2), (p.qmat[[1]], -np.inf, 11.0))


def test_a_piece_solved_over_several_sittings_gives_the_answer_of_one(tmp_path, monkeypatch):
    """A national piece can take longer than a sitting: what is known (values seen, ends proved,
    the last point) is saved as it goes and read back, so a second sitting starts where the first
    stopped and ends with the same answer. A saved point that breaks the program is not used, and
    nothing saved is then believed."""
    import numpy as np

    monkeypatch.setattr(da, "LOCAL_VARS", 0)  # searched locally, as a national piece is
    monkeypatch.setattr(da, "CHECKPOINT", 0.0)  # saved after every step
    for national in (60.0, 72.0):
        p = six_areas(national)
        whole = da.solve_piece(p)
        saved = tmp_path / f"{national}.npz"
        first = da.solve_piece(p, saved)
        assert saved.exists() and first.solves["relaxed"] > 0  # the first count's ends
        again = da.solve_piece(p, saved)
        assert again.solves["resumed"] == 1
        assert sum(again.solves.values()) < sum(first.solves.values())
        for out in (first, again):
            assert (out.values, out.lo, out.hi) == (whole.values, whole.lo, whole.hi)
        with np.load(saved) as z:
            bad = {k: z[k] for k in z.files}
        bad["point"] = bad["point"] + 50  # outside the published figures
        bad["done_lo"] = np.ones_like(bad["done_lo"])
        with saved.open("wb") as fh:
            np.savez(fh, **bad)
        broken = da.solve_piece(p, saved)
        assert broken.solves["resumed"] == 0
        assert (broken.values, broken.lo, broken.hi) == (whole.values, whole.lo, whole.hi)
    assert whole.values == [2, 1] * 6  # nation 72: each total exactly 12


# -- the whole attacker on a published demo ------------------------------------------------------
def test_no_count_below_national_level_is_narrowed_below_three_values(funnel_demo):
    """The acceptance test for a publication rule: the full attacker, on ten demo areas as published
    (enough for funnel plots, whose limits it also attacks), narrows no count of people below national
    level to fewer than three values, by any attack. The rule before issue 17 failed it at once (rates
    alone gave most counts exactly); a rule the cheaper attacks break fails without the integer program
    (it could only find more). Once they find nothing, the integer program runs in full. Blanks flagged
    "suppressed" are taken to hide 1-4, as the methods page says (a stronger attacker than one who must
    allow any count).
    """
    from generator.catalogue.load import load_catalogue
    from generator.catalogue.registry import load_registry
    from generator.publish.dataset import build_dataset

    t0 = time.perf_counter()
    rows = build_dataset(funnel_demo.current_returns(), load_catalogue(), load_registry(), workers=2)
    table = pd.DataFrame(rows).astype(object).where(lambda d: d.notna(), "")
    # what the table shows of how its rates, costs and area sums were made is read off it
    res = da.run_all(
        table,
        ROOT / "data" / "catalogue",
        da.Rule(suppressed_max=4),
        workers=da.default_workers(),
        time_limit=30,
        stop_early=True,
    )
    found = res.findings()
    assert not res.milp or not res.milp.failures, res.milp.failures[:5]
    assert all(v == 0 for v in found.values()), (found, res.examples(3), f"{time.perf_counter() - t0:.0f} s")
