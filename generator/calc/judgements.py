"""An area's values judged against the source documents' targets, and followed over time."""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from generator.calc import disclosure, stats, trends, verdicts
from generator.calc.evaluate import Found
from generator.calc.pooling import NUMBER, Bag, below_minimum, count_of
from generator.calc.specs import Spec
from generator.calc.verdicts import Verdict
from generator.catalogue.model import Benchmark
from generator.workbook.layout import periods


def _applies(b: Benchmark, models: frozenset[str]) -> bool:
    if b.applies_to == "all":
        return True
    if not models:
        return False
    wanted = {"ips": {"ips_smi", "ips_beyond_smi"}}.get(b.applies_to, {b.applies_to})
    return models <= wanted


def target_text(b: Benchmark) -> str:
    """A benchmark as the dataset's target column and the site show it."""
    return f"{b.words(reference='reference')} ({b.label}; source {b.source.document})"


def target_columns(
    spec: Spec,
    bag: Bag,
    f: Found,
    i: int,
    value: Sequence[Any],
    lower: Sequence[Any],
    upper: Sequence[Any],
    enough: bool,
    partial: bool = False,
) -> tuple[str, str, str, str, str]:
    """The targets that apply to one row, and its value (as published) judged against each, in
    words and as codes: by its interval, else by the range its published counts leave, else by
    the value; not judged where it rests on too few people or on a partial window. Then, for
    each verdict, what it was compared with: the benchmark's id in the catalogue (or
    ``local_population``, ``scale_middle``) and its figure, so a reader sees every verdict beside
    its number."""
    v = value[i]
    numeric = isinstance(v, NUMBER)
    point = float(v) if numeric else math.nan
    rlo, rhi = f.range_lo[i], f.range_hi[i]
    lo: float = (point if rlo is None else rlo) if (low := lower[i]) is None else float(low)
    hi: float = (point if rhi is None else rhi) if (high := upper[i]) is None else float(high)
    targets: list[str] = []
    judged: list[tuple[str, Verdict, dict[str, str]]] = []  # (label, verdict, its parameters)
    against: list[tuple[str, str]] = []  # (what each verdict compares with, its figure)
    unjudged = Verdict.PARTIAL_WINDOW if partial else Verdict.TOO_FEW_PEOPLE if not enough else None
    tv = f.target_value[i]
    if spec.method == "profile" and tv is not None:
        targets.append(f"local population {tv:.1f}%")
        word = stats.compare_interval(lo, hi, tv, "no_judgement")
        code = unjudged or {
            stats.HIGHER: Verdict.OVER_REPRESENTED,
            stats.LOWER: Verdict.UNDER_REPRESENTED,
            Verdict.NOT_ASSESSED: Verdict.NOT_ASSESSED,
        }.get(word, Verdict.SIMILAR_TO_POPULATION)
        judged.append(("", code, {}))
        against.append(("local_population", f"{tv:.1f}%"))
    if spec.scale_range is not None and numeric:
        bottom, top = spec.scale_range
        middle = (bottom + top) / 2
        targets.append(f"middle of the scale {middle:g} ({bottom:g} to {top:g})")
        code = Verdict.LOWER_HALF_OF_SCALE if point < middle else Verdict.UPPER_HALF_OF_SCALE
        judged.append(("", code, {}))  # a rating, not a sample: no interval, no minimum
        against.append(("scale_middle", f"{middle:g}"))
    for b in spec.benchmarks:
        if not _applies(b, bag.support_models) or not numeric or (b.per == "quarter" and bag.rolling):
            continue
        if b.per_site and bag.expected > (4 if bag.rolling else 1):  # several providers added up
            continue
        targets.append(target_text(b))
        if b.kind == "typical_range":  # a reported spread: shown, never judged
            continue
        code = unjudged or stats.compare_to_benchmark(
            b.kind, lo, hi, v, spec.polarity, b.value, b.low, b.high
        )
        edge = stats.LOOK_AT_EDGE.get(code)
        params = {}
        if edge is not None:
            limit = b.low if edge == "low" else b.high
            assert limit is not None
            params["edge"] = stats.fmt_num(limit) + ("%" if b.unit == "percent" else "")
        judged.append((b.label.replace(";", ","), code, params))  # '; ' separates verdicts
        against.append((b.id, b.comparator()))
    words = "; ".join(
        f"{label}: {verdicts.say(c, **p)}" if label else verdicts.say(c, **p) for label, c, p in judged
    )
    return (
        "; ".join(targets),
        words,
        verdicts.join(c for _, c, _ in judged),
        ";".join(i for i, _ in against),
        ";".join(v for _, v in against),
    )


def trend_columns(spec: Spec, f: Found, value: Sequence[Any]) -> list[tuple[str, str]]:
    """Each series' trend, once, on its latest row (Fingertips' recent trend; the other rows are
    blank, so no period is tested again a quarter later). A series is of periods that do not
    overlap, ending at the latest: for all areas, quarters (a rolling year points to them);
    below national level, where quarters are not published, the 12-month windows ending in the
    latest window's quarter of each year; years; a stock's quarters. The test takes the latest
    :data:`trends.MIN_TREND_PERIODS` places, a missing one being a gap, not a step closer. Only
    percentages of people made from counts are tested (:func:`trends.trends`, on the published
    counts and over the range each stands for); any other value is not. Each row gets the
    trend's words and its code."""
    out: list[Verdict | None] = [None] * len(f.units)
    have_of: dict[int, int] = {}  # periods a too-short series holds, for its words
    counted = spec.unit == "percent" and spec.method in ("proportion", "profile", "event_rate")
    quarters, position = _positions("quarterly"), _positions(spec.frequency)
    series: dict[tuple[str, str, bool], dict[int, int]] = defaultdict(dict)  # -> place -> row
    for i, u in enumerate(f.units):
        b = u.bag
        if b.rolling and not below_minimum(b):
            out[i] = Verdict.SEE_QUARTERS
            continue
        place = quarters.get(b.period.removeprefix("12 months to ")) if b.rolling else position.get(b.period)
        if place is None:  # not a period of the indicator's frequency: a series of none
            if counted or isinstance(value[i], NUMBER):
                out[i], have_of[i] = Verdict.TOO_FEW_PERIODS, 0
            continue
        series[(b.area_code, b.provider_code, b.rolling)][place] = i
    width = trends.MIN_TREND_PERIODS
    latest, rows = [], []  # each series' latest row, and its rows at the places tested
    for (_, _, rolling), members in series.items():
        last = max(members)
        step = 4 if rolling else 1
        latest.append(members[last])
        rows.append([members.get(last - step * (width - 1 - j), -1) for j in range(width)])
    if not counted:
        for i in latest:
            out[i] = Verdict.NOT_TESTED if isinstance(value[i], NUMBER) else None
        return _trend_pairs(out, have_of)
    xs, ns = np.zeros((len(rows), width)), np.zeros((len(rows), width))
    lo, hi = np.zeros((len(rows), width)), np.zeros((len(rows), width))
    nlo, nhi = np.zeros((len(rows), width)), np.zeros((len(rows), width))
    for s, members_ in enumerate(rows):
        for j, i in enumerate(members_):
            if i < 0 or not isinstance(value[i], NUMBER) or not f.denominator[i]:
                continue
            xs[s, j], ns[s, j] = f.numerator[i] or 0, f.denominator[i] or 0
            lo[s, j], hi[s, j] = _range(count_of(f.units[i].bag, spec.numerator), xs[s, j])
            nlo[s, j], nhi[s, j] = _range(count_of(f.units[i].bag, spec.denominator), ns[s, j])
            nlo[s, j] = max(nlo[s, j], 1.0)
    events = spec.method == "event_rate"
    codes = (
        trends.trends(xs, ns, spec.polarity, x_lo=lo, x_hi=hi, events=events, n_lo=nlo, n_hi=nhi)
        if rows
        else []
    )
    held = (ns > 0).sum(axis=1).tolist()
    for i, code, k in zip(latest, codes, held, strict=True):
        out[i], have_of[i] = code, k
    return _trend_pairs(out, have_of)


def _trend_pairs(codes: Sequence[Verdict | None], have_of: Mapping[int, int]) -> list[tuple[str, str]]:
    """Each row's trend in words and as a code."""
    return [
        ("", "")
        if c is None
        else (verdicts.say(c, have=have_of.get(i, 0), need=trends.MIN_TREND_PERIODS), str(c))
        if c == Verdict.TOO_FEW_PERIODS
        else (verdicts.say(c), str(c))
        for i, c in enumerate(codes)
    ]


def _range(c: disclosure.Count | None, point: float) -> tuple[float, float]:
    """The true counts a published one stands for (the point itself, where it is exact)."""
    return (c.lo, c.hi) if c is not None and c.point is not None else (point, point)


@functools.cache
def _positions(frequency: str) -> dict[str, int]:
    return {p: i for i, p in enumerate(periods(frequency))}


def wording_of(spec: Spec, value: Any) -> str:
    """A rating's or choice's words for its value; an area's mean between points has none."""
    if not spec.wording or value is None:
        return ""
    key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return spec.wording.get(key, "")
