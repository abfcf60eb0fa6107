"""Every unit of an indicator compared: with all areas (interval rule at 95% and 99.8%), with
funnel limits, in quartiles and ranks; and the published columns of an indicator made.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from generator.base.tables import Table
from generator.calc import disclosure, funnels, stats, verdicts
from generator.calc.columns import ROW_KEYS
from generator.calc.evaluate import METHODS, Found
from generator.calc.judgements import target_columns, trend_columns, wording_of
from generator.calc.pooling import NATIONAL, NUMBER, Bag, count_of
from generator.calc.specs import Spec
from generator.calc.verdicts import Basis, Verdict
from generator.catalogue.model import ref_item


def _comparable(spec: Spec) -> bool:
    """Rates, scores, ratios and costs per outcome compare across areas; totals (counts of people,
    money, yes/no, choices) depend on an area's size and do not."""
    return spec.unit in ("percent", "score", "ratio") or spec.method in ("cost_per_outcome", "mean", "given")


def _floats(xs: Iterable[Any]) -> np.ndarray:
    """Numbers as doubles, anything else (None, text) as NaN."""
    return np.array([float(x) if isinstance(x, NUMBER) else math.nan for x in xs], dtype=float)


def spec_columns(spec: Spec, found: Found) -> Table:
    """One indicator's published rows, column by column: its values compared with all areas
    (same period), with funnel limits, quartiles, ranks, trends (same unit) and targets.

    Every comparison is of the figures as published (rounded as the CSV shows them), so that
    anyone can recompute it from the CSV; below national level, none is made for a value
    resting on fewer than :data:`generator.calc.disclosure.MIN_JUDGED` people (by its published
    count), and a funnel flag only where it holds for every pair of counts the published pair
    stands for."""
    if not found.units:
        return {k: [] for k in ROW_KEYS}
    first: dict[str, int] = {}
    rank_of_period = [first.setdefault(u.bag.period, len(first)) for u in found.units]
    f = found.take(np.argsort(np.array(rank_of_period, dtype=np.int64), kind="stable").tolist())
    m = len(f.units)
    bags = [u.bag for u in f.units]
    periods_ = [b.period for b in bags]
    level = [b.level for b in bags]
    is_area = np.array([lv == "area" for lv in level], dtype=bool)
    # a cost per outcome is shown in whole pounds, its interval too
    digits = disclosure.RATE_DP if spec.unit == "percent" else 0 if spec.method == "cost_per_outcome" else 2
    value = _round(f.value, digits)
    lower_95, upper_95 = _round(f.lower_95, digits), _round(f.upper_95, digits)
    lower_998, upper_998 = _round(f.lower_998, digits), _round(f.upper_998, digits)
    numeric = np.array([isinstance(v, NUMBER) for v in value], dtype=bool)
    val = _floats(value)
    reads = {ref_item(k) for k in (*spec.numerator, *spec.denominator)}
    lacks = [bool(reads & b.uncollected) for b in bags]  # some return did not collect an input
    partial = [b.returns < b.expected or lack for b, lack in zip(bags, lacks, strict=True)]  # flagged
    # a 12-month window holding fewer than four quarters of some provider's returns (or of
    # returns that collected the inputs): shown and flagged, never compared, judged, ranked or
    # given a quartile
    short_window = [b.rolling and (not b.complete or lack) for b, lack in zip(bags, lacks, strict=True)]
    whole = ~np.array(short_window, dtype=bool)
    enough = (
        np.array([r is None or r >= disclosure.MIN_JUDGED for r in f.rests_on], dtype=bool)
        & np.array([lv != "all areas" for lv in level], dtype=bool)
        & whole
    )

    # per period: the national value, the funnel and the areas' values in order
    starts = [0] + [i for i in range(1, m) if periods_[i] != periods_[i - 1]] + [m]
    nat_value = np.full(m, math.nan)
    nat_numeric = np.zeros(m, dtype=bool)
    has_nat = np.zeros(m, dtype=bool)
    all_areas_value: list[Any] = [None] * m
    p0 = np.full(m, math.nan)
    tau2 = np.zeros(m)
    has_fun = np.zeros(m, dtype=bool)
    short = [""] * m
    quart: list[int | None] = [None] * m
    rank: list[int | None] = [None] * m
    comparable = _comparable(spec)
    funnelled = spec.unit == "percent" and spec.method in ("proportion", "profile")  # shares of people
    for s, e in itertools.pairwise(starts):
        nat = None
        for i in range(s, e):
            if bags[i].area_code == NATIONAL:
                nat = i
        if nat is not None:
            nv = value[nat]
            has_nat[s:e] = True
            if isinstance(nv, NUMBER):
                nat_numeric[s:e] = True
                nat_value[s:e] = float(nv)
            for i in range(s, e):
                all_areas_value[i] = nv
        areas = [i for i in range(s, e) if level[i] == "area"]
        with_den = [i for i in areas if numeric[i] and f.denominator[i]] if funnelled else []
        if len(with_den) >= funnels.MIN_FUNNEL_AREAS:  # the pooled share and overdispersion of the
            fun = funnels.funnel(  # areas' published counts
                [f.numerator[i] or 0 for i in with_den], [f.denominator[i] or 0 for i in with_den]
            )
            p0[s:e], tau2[s:e], has_fun[s:e] = fun.p0, fun.tau2, True
            text = "; " + fun.short
            for i in areas:
                short[i] = text
        # sorted once per period: quartiles and ranks are then lookups, not a pass over all areas
        judged_areas = [i for i in areas if numeric[i] and enough[i] and not stats.isnan(val[i])]
        ranked = sorted(float(val[i]) for i in judged_areas)
        cuts = stats.quartiles(ranked)
        if comparable and cuts is not None:
            _quartiles_and_ranks(spec, judged_areas, value, ranked, cuts, quart, rank)

    # all areas: by interval where there is one, else by the range the published counts leave,
    # else by the values themselves
    lo95, hi95 = _floats(lower_95), _floats(upper_95)
    lo998, hi998 = _floats(lower_998), _floats(upper_998)
    judged = has_nat & numeric & nat_numeric & np.array([lv != "all areas" for lv in level], dtype=bool)
    comp_code: list[Verdict | None] = [None] * m
    comp_basis: list[Basis | None] = [None] * m
    if comparable and judged.any():
        interval = judged & np.array(
            [a is not None and b is not None for a, b in zip(lower_95, upper_95, strict=True)], dtype=bool
        )
        ranged = judged & ~interval & np.array([r is not None for r in f.range_lo], dtype=bool)
        w95 = _compare_intervals(lo95, hi95, nat_value, spec.polarity)
        w998 = _compare_intervals(lo998, hi998, nat_value, spec.polarity)
        rlo, rhi = _floats(f.range_lo), _floats(f.range_hi)
        by_range = _compare_ranges(rlo, rhi, nat_value, spec.polarity)
        by_point = _compare_points(val, nat_value, spec.polarity)
        for i in np.flatnonzero(judged).tolist():
            if not whole[i]:
                comp_code[i] = Verdict.PARTIAL_WINDOW
            elif not enough[i]:
                comp_code[i] = Verdict.TOO_FEW_PEOPLE
            elif interval[i]:
                sure = w998[i] not in (stats.SAME, Verdict.NOT_ASSESSED)
                comp_code[i] = w998[i] if sure else w95[i]
                comp_basis[i] = Basis.INTERVAL_998 if sure else Basis.INTERVAL_95
            elif ranged[i]:
                comp_code[i], comp_basis[i] = by_range[i], Basis.COUNT_RANGE
            else:
                comp_code[i], comp_basis[i] = by_point[i], Basis.NO_INTERVAL

    # funnel limits, for areas with a rate and its denominator
    den = _floats(f.denominator)
    funnel_rows = has_fun & is_area & numeric & np.array([bool(d) for d in f.denominator], dtype=bool)
    limits: list[list[float | None]] = [[None] * m for _ in range(4)]
    comp_funnel: list[Verdict | None] = [None] * m
    if funnel_rows.any():
        rows = np.flatnonzero(funnel_rows)
        cols = funnels.funnel_limits(den[rows], p0[rows], tau2[rows])
        rounded = [stats.rounded([None if x != x else x for x in (100 * c).tolist()], 2) for c in cols]
        for j, i in enumerate(rows.tolist()):
            limits[0][i], limits[1][i], limits[2][i], limits[3][i] = (r[j] for r in rounded)
        flagged = [i for i in rows.tolist() if enough[i] and all(lim[i] is not None for lim in limits)]
        if flagged:
            codes = _funnel_flags(spec, [bags[i] for i in flagged], p0[flagged], tau2[flagged])
            for i, c in zip(flagged, codes, strict=True):
                comp_funnel[i] = c

    trends = trend_columns(spec, f, value)
    method = METHODS[spec.method].short
    comp_all_list = [
        "" if c is None else verdicts.with_basis(c, b) for c, b in zip(comp_code, comp_basis, strict=True)
    ]
    judged_targets = spec.method == "profile" or bool(spec.benchmarks) or spec.scale_range is not None
    targets = (
        [
            target_columns(
                spec,
                bags[i],
                f,
                i,
                value,
                lower_95,
                upper_95,
                bool(enough[i]) or level[i] == "all areas",
                short_window[i],
            )
            for i in range(m)
        ]
        if judged_targets
        else [("", "", "", "", "")] * m
    )
    return {
        "area_code": [b.area_code for b in bags],
        "area_name": [u.area_name for u in f.units],
        "provider_code": [b.provider_code for b in bags],
        "provider_name": [u.provider_name for u in f.units],
        "period": periods_,
        "indicator_id": [spec.indicator_id] * m,
        "indicator_title": [spec.title] * m,
        "breakdown": [spec.breakdown] * m,
        "breakdown_value": [spec.breakdown_value] * m,
        "numerator": f.numerator,
        "denominator": f.denominator,
        "value": value,
        "unit": [spec.unit] * m,
        "lower_95": lower_95,
        "upper_95": upper_95,
        "lower_998": lower_998,
        "upper_998": upper_998,
        "target": [t[0] for t in targets],
        "comparison_target": [t[1] for t in targets],
        "comparison_target_code": [t[2] for t in targets],
        "comparison_target_against": [t[3] for t in targets],
        "comparison_target_values": [t[4] for t in targets],
        "comparison_all_areas": comp_all_list,
        "comparison_all_areas_code": [c or "" for c in comp_code],
        "comparison_all_areas_basis": [b or "" for b in comp_basis],
        "quartile": quart,
        "trend": [t for t, _ in trends],
        "trend_code": [c for _, c in trends],
        "flags": [_flags(fl, p) for fl, p in zip(f.flags, partial, strict=True)],
        "method": [
            method + s + ("; all-areas comparison by interval" if c else "")
            for s, c in zip(short, comp_all_list, strict=True)
        ],
        "section": [spec.section] * m,
        "level": level,
        "breakdown_label": [spec.breakdown_label] * m,
        "polarity": [spec.polarity] * m,
        "all_areas_value": all_areas_value,
        "funnel_lower_95": limits[0],
        "funnel_upper_95": limits[1],
        "funnel_lower_998": limits[2],
        "funnel_upper_998": limits[3],
        "funnel_p0": [float(f"{100 * p:.6g}") if r else None for p, r in zip(p0, funnel_rows, strict=True)],
        "funnel_tau2": [
            float(f"{1e4 * t:.6g}") if r else None for t, r in zip(tau2, funnel_rows, strict=True)
        ],
        "comparison_funnel": ["" if c is None else verdicts.say(c) for c in comp_funnel],
        "comparison_funnel_code": [c or "" for c in comp_funnel],
        "headline": [spec.headline] * m,
        "rank": rank,
        "value_label": [wording_of(spec, v) for v in value] if spec.wording else [""] * m,
    }


FUNNEL_CODES = {
    2: Verdict.FUNNEL_ABOVE_998,
    1: Verdict.FUNNEL_ABOVE_95,
    0: Verdict.FUNNEL_WITHIN,
    -1: Verdict.FUNNEL_BELOW_95,
    -2: Verdict.FUNNEL_BELOW_998,
}


def _funnel_flags(spec: Spec, bags: Sequence[Bag], p0: np.ndarray, tau2: np.ndarray) -> list[Verdict | None]:
    """Where each area lies against the funnel, said only where it holds for every pair of
    counts (x of n) its published pair stands for, each against the limits at its own n (and
    then of the weakest: above both limits for every pair is 'above the 99.8% limit', above the
    95% limit for some and the 99.8% for others is 'above the 95% limit'); None where the pairs
    disagree about the side."""
    kept, box = [], []  # the areas with a published pair, and the ranges it stands for
    for i, bag in enumerate(bags):
        x, n = count_of(bag, spec.numerator), count_of(bag, spec.denominator)
        if x is None or n is None or x.point is None or n.point is None:
            continue
        kept.append(i)
        box.append((x.lo, x.hi, max(n.lo, 1.0), n.hi))
    out: list[Verdict | None] = [None] * len(bags)
    if not kept:
        return out
    # every pair (x, n) of every area, flat: area j's pairs are its x range times its n range
    xlo, xhi, nlo, nhi = np.array(box).T
    wx, wn = (xhi - xlo + 1).astype(np.int64), (nhi - nlo + 1).astype(np.int64)
    sizes = wx * wn
    owner = np.repeat(np.arange(len(kept)), sizes)
    k = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    xx, nn = xlo[owner] + k % wx[owner], nlo[owner] + k // wx[owner]
    ok = xx <= nn
    xx, nn, owner = xx[ok], nn[ok], owner[ok]
    at = np.array(kept)[owner]
    if not at.size:
        return out
    lo95, hi95, lo998, hi998 = funnels.funnel_limits(nn, p0[at], tau2[at])
    share = xx / nn
    level = np.where(share > hi998, 2, np.where(share > hi95, 1, 0))
    level = np.where(share < lo998, -2, np.where(share < lo95, -1, level))
    starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
    lows, highs = np.minimum.reduceat(level, starts), np.maximum.reduceat(level, starts)
    for i, lo_level, hi_level in zip(at[starts].tolist(), lows.tolist(), highs.tolist(), strict=True):
        if lo_level >= 1:
            out[i] = FUNNEL_CODES[lo_level]
        elif hi_level <= -1:
            out[i] = FUNNEL_CODES[hi_level]
        elif lo_level == hi_level == 0:
            out[i] = FUNNEL_CODES[0]
    return out


def _compare_ranges(
    lo: np.ndarray, hi: np.ndarray, value: np.ndarray, polarity: stats.Polarity
) -> np.ndarray:
    """A value with no interval but a range its published counts leave (a cost per outcome):
    higher or lower only where the whole range is."""
    return _compare_intervals(lo, hi, value, polarity)


def _round(values: list[Any], digits: int = 2) -> list[Any]:
    """Numbers as published: floats to ``digits`` decimal places (once: from the unrounded
    figure), as Python's round() would; whole numbers (``digits`` 0) as integers."""
    if digits == 0:
        return [round(x) if isinstance(x, float) and math.isfinite(x) else x for x in values]
    if all(x is None or type(x) is float for x in values):
        return stats.rounded(values, digits)
    return [round(x, digits) if isinstance(x, float) else x for x in values]


@functools.cache
def _flags(flags: frozenset[str], partial: bool) -> str:
    """A row's flags in words; "partial" where a return is missing from the area, the country
    or the year."""
    return ";".join(sorted({*flags, "partial"} if partial else set(flags)))


def _compare_intervals(
    lo: np.ndarray, hi: np.ndarray, value: np.ndarray, polarity: stats.Polarity
) -> np.ndarray:
    """An interval against the all-areas value, every row at once (verdicts, as objects): higher
    or lower only where the whole published interval is strictly beyond the published value.
    Both are rounded, so a limit that rounds to the value may be on either side of it."""
    out = np.full(len(lo), stats.SAME, dtype=object)
    out[lo > value] = stats.direction(stats.HIGHER, polarity)
    out[hi < value] = stats.direction(stats.LOWER, polarity)
    out[np.isnan(lo) | np.isnan(hi) | np.isnan(value)] = Verdict.NOT_ASSESSED
    return out


def _compare_points(x: np.ndarray, value: np.ndarray, polarity: stats.Polarity) -> np.ndarray:
    """:func:`stats.compare_point` for every row at once."""
    out = np.full(len(x), stats.direction(stats.LOWER, polarity), dtype=object)
    out[x > value] = stats.direction(stats.HIGHER, polarity)
    out[x == value] = Verdict.EQUAL
    out[np.isnan(x) | np.isnan(value)] = Verdict.NOT_ASSESSED
    return out


def _quartiles_and_ranks(
    spec: Spec,
    rows: list[int],
    val: Sequence[Any],
    ranked: list[float],
    cuts: tuple[float, float, float],
    quart: list[int | None],
    rank: list[int | None],
) -> None:
    """Each area's quartile among the period's areas and, where a direction is better, its rank."""
    q1, q2, q3 = cuts
    for i in rows:
        v = val[i]
        if stats.isnan(v):
            continue
        quart[i] = 1 if v <= q1 else 2 if v <= q2 else 3 if v <= q3 else 4
        if spec.polarity == "higher_better":
            rank[i] = len(ranked) - bisect.bisect_right(ranked, v) + 1
        elif spec.polarity == "lower_better":
            rank[i] = bisect.bisect_left(ranked, v) + 1
