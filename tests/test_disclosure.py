"""Disclosure control: the rule on single rows, then secondary suppression."""

from __future__ import annotations

from generator import disclosure


def row(**kw):
    base = {
        "area_code": "PS01",
        "provider_code": "",
        "period": "2025-26",
        "indicator_id": "X",
        "breakdown": "",
        "breakdown_value": "",
        "unit": "count",
        "value": None,
        "numerator": None,
        "denominator": None,
        "lower_95": None,
        "upper_95": None,
        "lower_998": None,
        "upper_998": None,
        "flags": "",
    }
    return {**base, **kw}


def test_round_half_up_to_five():
    assert [disclosure.round5(n) for n in (0, 5, 7, 7.5, 8, 12, 12.5, 13, 102)] == [
        0,
        5,
        5,
        10,
        10,
        10,
        15,
        15,
        100,
    ]


def test_counts_one_to_four_suppressed_others_rounded_zero_kept():
    out = [disclosure.suppress_row(row(value=v))["value"] for v in (0, 1, 4, 5, 6, 23)]
    assert out == [0, None, None, 5, 5, 25]
    assert "suppressed" in disclosure.suppress_row(row(value=3))["flags"]


def test_rates_suppressed_when_numerator_or_denominator_below_five():
    r = disclosure.suppress_row(
        row(
            unit="percent",
            numerator=3,
            denominator=40,
            value=7.5,
            lower_95=2.0,
            upper_95=20.0,
            lower_998=1.0,
            upper_998=25.0,
        )
    )
    assert r["value"] is None and r["lower_95"] is None and r["numerator"] is None and r["denominator"] == 40
    r = disclosure.suppress_row(row(unit="percent", numerator=4, denominator=4, value=100.0))
    assert r["value"] is None and r["denominator"] is None
    r = disclosure.suppress_row(row(unit="percent", numerator=12, denominator=47, value=25.53))
    assert r["value"] == 25.5  # from unrounded counts, published to one decimal place
    assert (r["numerator"], r["denominator"]) == (10, 45)


def test_zero_numerator_rate_is_suppressed():
    r = disclosure.suppress_row(row(unit="percent", numerator=0, denominator=50, value=0.0))
    assert r["value"] is None


def test_national_rows_ratings_and_money_are_published_as_they_are():
    assert disclosure.suppress_row(row(area_code="ALL", value=3))["value"] == 3
    assert disclosure.suppress_row(row(unit="score", value=3))["value"] == 3
    assert disclosure.suppress_row(row(unit="gbp", value=2))["value"] == 2


def test_secondary_suppression_within_a_breakdown():
    """One suppressed category out of a published total would be recoverable: hide the next smallest."""
    cats = [
        row(
            unit="percent",
            breakdown="age",
            breakdown_value=c,
            numerator=n,
            denominator=60,
            value=100 * n / 60,
        )
        for c, n in (("a", 3), ("z", 0), ("b", 9), ("c", 48))
    ]
    out = disclosure.apply(cats)
    hidden = [r["breakdown_value"] for r in out if r["numerator"] is None]
    assert hidden == ["a", "b"]  # never the zero: a hidden zero protects nothing
    assert out[2].get("_secondary") and out[2]["value"] is None and out[2]["flags"] == "suppressed"
    assert out[3]["numerator"] == 50


def test_no_secondary_suppression_when_two_are_already_hidden():
    cats = [
        row(unit="percent", breakdown="age", breakdown_value=c, numerator=n, denominator=60)
        for c, n in (("a", 3), ("b", 2), ("c", 55))
    ]
    out = disclosure.apply(cats)
    assert [r["numerator"] is None for r in out] == [True, True, False]


def test_secondary_suppression_across_areas_and_the_nation():
    areas = [row(area_code=a, value=v) for a, v in (("PS01", 2), ("PS02", 30), ("PS03", 45))]
    out = disclosure.apply([*areas, row(area_code="ALL", value=77)])
    assert [r["value"] for r in out] == [None, None, 45, 77]


def test_secondary_suppression_across_providers_of_an_area():
    provs = [row(provider_code=p, value=v) for p, v in (("P1", 3), ("P2", 20), ("P3", 40))]
    out = disclosure.apply([*provs, row(value=63)])
    assert [r["value"] for r in out[:3]] == [None, None, 40]


def test_rolling_year_and_its_quarters_are_protected_together():
    """Year minus three published quarters would give the fourth back."""
    qs = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    rows = [row(period=q, value=v) for q, v in zip(qs, (3, 20, 25, 30), strict=True)]
    rows.append(row(period="12 months to 2025-26 Q4", value=78))
    out = disclosure.apply(rows)
    assert [r["value"] for r in out[:4]].count(None) == 2  # Q1 and one more quarter


def test_national_total_hidden_when_every_other_area_is_zero():
    areas = [row(area_code=a, value=v) for a, v in (("PS01", 2), ("PS02", 0), ("PS03", 0))]
    out = disclosure.apply([*areas, row(area_code="ALL", value=2)])
    assert out[0]["value"] is None and out[3]["value"] is None


def test_values_resting_on_few_people_are_suppressed_with_their_comparisons():
    cost = row(
        unit="gbp", value=48273.0, denominator=1, comparison_all_areas="worse (95%)", quartile=4, rank=17
    )
    out = disclosure.apply([cost])[0]
    assert out["value"] is None and out["denominator"] is None
    assert out["comparison_all_areas"] is None and out["quartile"] is None and out["rank"] is None
    ok = disclosure.apply([row(unit="gbp", value=3100.0, denominator=23)])[0]
    assert ok["value"] == 3100.0 and ok["denominator"] == 25
