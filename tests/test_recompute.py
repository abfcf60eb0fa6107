"""Every figure worked out from counts in the published indicators.csv recomputes from that file alone.

The methods page promises that rates, intervals, comparisons, funnel limits, quartiles, ranks and costs
per outcome are worked out from the published counts "so anyone can recompute them". This test is that
anyone: it reads indicators.csv as written and recomputes each figure with its own code, from the rules
of site_src/methods.md and generator/calc/disclosure.py's docstring; the project only builds the file.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, chi2, norm

from generator.catalogue.registry import load_registry
from generator.catalogue.sections import Catalogue
from generator.publish.dataset import compute_dataset
from generator.publish.files import write_published

# -- the rules' numbers, as the methods page gives them ----------------------------------------
SMALL, HALF = 5, 2  # 1 to 4 suppressed; a rounded count stands for 2 either side (a 5 for 5 to 7)
MIN_SHOWN, MIN_JUDGED, MIN_QUARTILE_AREAS, MIN_FUNNEL_AREAS = 10, 30, 4, 10
Z95, Z998 = float(norm.ppf(0.975)), float(norm.ppf(0.999))  # two-sided 95% and 99.8%
NATIONAL, TOTAL = "ALL", "total"
NOT_RECORDED = ("not_recorded", "dont_know")
NOT_ENOUGH = f"not assessed (fewer than {MIN_JUDGED} people)"
HIDING = {  # the flags that say why a value is blank
    "suppressed",
    "withheld",
    "denominator suppressed",
    "denominator withheld",
    f"under {MIN_SHOWN}",
    "no denominator",
}
TIE = 1e-9  # a recomputed figure this close to a rounding half may be published either way
INF = math.inf

Row = dict[str, Any]
Key = tuple[str, str, str, str, str]  # area, provider, period, indicator, category


# -- what a published count stands for --------------------------------------------------------
class Stands(NamedTuple):
    """A published count and the range of true counts it stands for."""

    point: float | None  # the published figure; None where it is blank
    lo: float
    hi: float
    state: str = ""  # "" (shown), "suppressed" or "withheld"


WITHHELD = Stands(None, 0.0, INF, "withheld")
SUPPRESSED = Stands(None, 1.0, SMALL - 1.0, "suppressed")


def read(text: str, flags: frozenset[str], prefix: str, exact: bool) -> Stands | None:
    """A count as a reader of one row sees it: exact for all areas; below that 0 is 0, 1-4 are
    suppressed, a published 5 stands for 5-7 and any other figure for 2 either side."""
    if text == "":
        for blank in (SUPPRESSED, WITHHELD):
            if prefix + blank.state in flags:
                return blank
        return None
    p = float(text)
    if exact or p == 0:
        return Stands(p, p, p)
    return Stands(p, max(p - HALF, SMALL), p + HALF)


def middle(c: Stands) -> float:
    """What a count adds to a sum: its figure, or for a suppressed one 2.5, the middle of 1-4."""
    return c.point if c.point is not None else (c.lo + c.hi) / 2


def settled(point: float, lo: float, hi: float) -> Stands:
    """A count worked out from published ones: exact where it has one value; withheld under 5."""
    if lo == hi:
        return Stands(point, lo, hi)
    return Stands(None, lo, hi, "withheld") if point < SMALL else Stands(point, lo, hi)


def added(parts: Iterable[Stands | None]) -> Stands | None:
    given = [p for p in parts if p is not None]
    if not given:
        return None
    if any(p.state == "withheld" for p in given):
        return WITHHELD
    return settled(sum(map(middle, given)), sum(p.lo for p in given), sum(p.hi for p in given))


def largest(parts: Iterable[Stands | None]) -> Stands | None:
    given = [p for p in parts if p is not None]
    if not given:
        return None
    if any(p.state for p in given):
        return WITHHELD
    return Stands(max(middle(p) for p in given), max(p.lo for p in given), max(p.hi for p in given))


def less(total: Stands | None, parts: Iterable[Stands | None]) -> Stands | None:
    if total is None:
        return None
    given = [p for p in parts if p is not None]
    if total.state or any(p.state == "withheld" for p in given):
        return WITHHELD
    lo = max(0.0, total.lo - sum(p.hi for p in given))
    return settled(middle(total) - sum(map(middle, given)), lo, total.hi - sum(p.lo for p in given))


def worked_out(parts: list[Stands | None], rest: list[Stands | None], total: Stands | None) -> Stands | None:
    """Some categories of a breakdown: their sum, or, where it says more (a narrower range), the
    total less the other categories (the page names only the latter: "the total less not recorded")."""
    made = added(parts)
    if made is None:
        return None
    other = less(total, rest)
    if (
        other is not None
        and not other.state
        and (made.state != "" or other.hi - other.lo < made.hi - made.lo)
    ):
        return other
    return made


# -- which counts are worked out from others (the catalogue, as the data dictionary says) ----------
Source = tuple[str, tuple[str, ...], tuple[str, ...]]  # an item, the categories counted, the others


def categories(catalogue: Catalogue, item_id: str) -> list[str]:
    item = catalogue.item_index[item_id]
    if not item.breakdown:
        return []
    return [
        c.code
        for c in catalogue.breakdowns[item.breakdown].categories
        if c.code not in item.exclude_categories
    ]


def some_of(catalogue: Catalogue, item_id: str, chosen: Sequence[str]) -> Source | None:
    """Some (not all) categories of an item; None for all of them (its total, a published count)."""
    every = categories(catalogue, item_id)
    if not chosen or set(chosen) == set(every):
        return None
    assert catalogue.item_index[item_id].breakdown_exhaustive, item_id
    return item_id, tuple(chosen), tuple(c for c in every if c not in chosen)


def from_refs(catalogue: Catalogue, refs: Sequence[str]) -> Source | None:
    (item_id,) = {r.split(":")[0].split(".")[0] for r in refs}
    return some_of(catalogue, item_id, [r.split(":")[1] for r in refs if ":" in r])


def sources(catalogue: Catalogue) -> dict[tuple[str, str], tuple[Source | None, Source | None]]:
    """(indicator, category) -> where its numerator and denominator come from, where either is
    worked out from other counts (the categories that were recorded, two of three hour bands);
    any other count is the row's own."""
    out: dict[tuple[str, str], tuple[Source | None, Source | None]] = {}
    for _, item in catalogue.items():
        if item.value_type == "proportion" and item.breakdown and item.breakdown_exhaustive:
            recorded = [c for c in categories(catalogue, item.id) if c not in NOT_RECORDED]
            for c in recorded:
                out[(item.id, c)] = (None, some_of(catalogue, item.id, recorded))
    for sec in catalogue.sections.values():
        for d in sec.derived:
            if d.method == "proportion":
                num, den = d.inputs["numerator"], d.inputs["denominator"]
                out[(d.id, "")] = (from_refs(catalogue, num), from_refs(catalogue, den))
            elif d.method == "share_split":
                (parts,) = d.inputs.values()
                for ref in parts:
                    out[(d.id, ref.split(":")[1])] = (None, from_refs(catalogue, parts))
            elif d.method == "profile_vs_population":
                intake = d.inputs["intake"][0]
                item_id = intake.split(":")[0].split(".")[0]
                recorded = [c for c in categories(catalogue, item_id) if c not in NOT_RECORDED]
                shown = [intake.split(":")[1]] if ":" in intake else recorded or [""]
                for c in shown:
                    out[(d.id, c)] = (None, some_of(catalogue, item_id, recorded))
    return out


def people_counts(catalogue: Catalogue) -> frozenset[str]:
    """Count items that are counts of people (rounded below all areas); a count of anything else
    (training sessions) is published as it is."""
    return frozenset(
        item.id
        for _, item in catalogue.items()
        if item.value_type == "count" and item.disclosure in (None, "people")
    )


def money_items(catalogue: Catalogue) -> dict[str, str]:
    """Cost per outcome indicator -> the money total it divides."""
    return {
        d.id: d.inputs["cost"][0]
        for sec in catalogue.sections.values()
        for d in sec.derived
        if d.method == "cost_per_outcome"
    }


# -- the published table, indexed -----------------------------------------------------------------
PREFIX = {"numerator": "", "value": "", "denominator": "denominator "}


def number(text: str) -> float | None:
    try:
        return float(text) if text != "" else None
    except ValueError:  # a word (yes, mixed, a category)
        return None


@dataclass(repr=False)
class Published:
    """indicators.csv as rows, and what a reader looks up in it."""

    rows: list[Row]
    at: dict[Key, Row] = field(default_factory=dict)
    providers: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        providers: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for r in self.rows:
            r["_flags"] = frozenset(filter(None, r["flags"].split(";")))
            self.at[key(r)] = r
            if r["provider_code"]:
                providers[(r["section"], r["area_code"], r["period"])].add(r["provider_code"])
        self.providers = {k: sorted(v) for k, v in providers.items()}

    def find(self, row: Row, indicator: str, category: str, provider: str | None = None) -> Row | None:
        p = row["provider_code"] if provider is None else provider
        return self.at.get((row["area_code"], p, row["period"], indicator, category))

    def split(self, row: Row) -> list[str]:
        """The providers an area's published counts are the sum of (none for a single one)."""
        if row["level"] != "area":
            return []
        ps = self.providers.get((row["section"], row["area_code"], row["period"]), [])
        return ps if len(ps) > 1 else []


def key(r: Row) -> Key:
    return r["area_code"], r["provider_code"], r["period"], r["indicator_id"], r["breakdown_value"]


def own(t: Published, row: Row, column: str) -> Stands | None:
    """A count as ``row`` publishes it: an area with several providers is their published counts
    added up (the largest of them for a maximum); any other unit's stands for its own range."""
    if ps := t.split(row):
        theirs = [t.find(row, row["indicator_id"], row["breakdown_value"], p) for p in ps]
        combine = largest if row["method"].startswith("largest") else added
        return combine(own(t, r, column) for r in theirs if r is not None)
    return read(row[column], row["_flags"], PREFIX[column], exact=row["area_code"] == NATIONAL)


def caseload(t: Published, row: Row) -> Stands | None:
    """The caseloads a ratio rests on: over a rolling year below national level, the sum of its
    four quarters' published caseloads (each quarter's caseload is published; a year rounded
    apart from them would pin them down); otherwise the row's own."""
    period = row["period"]
    if not period.startswith("12 months to ") or row["area_code"] == NATIONAL:
        return own(t, row, "numerator")
    quarters = [
        t.at.get((row["area_code"], row["provider_code"], q, row["indicator_id"], row["breakdown_value"]))
        for q in quarters_to(period.removeprefix("12 months to "))
    ]
    if any(q is None for q in quarters):
        return own(t, row, "numerator")
    return added(own(t, q, "numerator") for q in quarters if q is not None)


def cell(t: Published, row: Row, item: str, category: str) -> Stands | None:
    """One category (or the total) of ``item`` in ``row``'s unit and period: a category is the
    numerator of its rate (or a count's value), the total the denominator of not recorded."""
    if category == TOTAL:
        for nr in NOT_RECORDED:
            if (src := t.find(row, item, nr)) is not None and src["unit"] == "percent":
                return own(t, src, "denominator")
    src = t.find(row, item, category)
    if src is None:
        return None
    return own(t, src, "value" if src["unit"] == "count" else "numerator")


def count(t: Published, row: Row, column: str, source: Source | None) -> Stands | None:
    if source is None:
        return own(t, row, column)
    item, chosen, rest = source
    return worked_out(
        [cell(t, row, item, c) for c in chosen],
        [cell(t, row, item, c) for c in rest],
        cell(t, row, item, TOTAL),
    )


# -- the arithmetic -------------------------------------------------------------------------------
def rounds_to(published: float | None, exact: float, digits: int) -> str:
    """'same' or 'tie' (within TIE of a half: either neighbour) when ``published`` is ``exact``
    rounded to ``digits`` as Python rounds; '' when it is not."""
    if published is None or math.isnan(exact):
        return ""
    scaled = exact * 10**digits
    if abs(scaled - math.floor(scaled) - 0.5) < TIE:
        ends = (math.floor(scaled) / 10**digits, math.ceil(scaled) / 10**digits)
        return "tie" if min(abs(published - e) for e in ends) < TIE else ""
    return "same" if abs(published - round(exact, digits)) < TIE else ""


def pairs(x: Stands, n: Stands) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of whole counts (x of n, x <= n, n >= 1) the published pair stands for."""
    xx, nn = np.meshgrid(np.arange(x.lo, x.hi + 1), np.arange(max(n.lo, 1.0), n.hi + 1))
    keep = xx <= nn
    return xx[keep], nn[keep]


def wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits (0-1), written as (x + z²/2 ± z·√(x(n-x)/n + z²/4)) / (n + z²)."""
    zz = z * z
    centre = (x + zz / 2) / (n + zz)
    half = z * np.sqrt(x * (n - x) / n + zz / 4) / (n + zz)
    return np.where(x == 0, 0.0, centre - half), np.where(x == n, 1.0, centre + half)


def union(x: Stands, n: Stands, z: float) -> tuple[float, float]:
    """The union of the Wilson intervals of every pair the published pair stands for (0-1)."""
    lo, hi = wilson(*pairs(x, n), z)
    return float(lo.min()), float(hi.max())


def side(lo: float, hi: float, target: float, polarity: str) -> str:
    """'higher' or 'lower' where [lo, hi] is wholly and strictly on one side of the all-areas
    value, else '': both are rounded, so a limit equal to the value may be on either side of it
    (methods page, Comparisons)."""
    return "higher" if lo > target else "lower" if hi < target else ""


def in_words(direction: str, polarity: str) -> str:
    good = {"higher_better": "higher", "lower_better": "lower"}.get(polarity)
    if good is None or direction in ("", "equal"):
        return direction
    return "better" if direction == good else "worse"


def quartile_cuts(values: Sequence[float]) -> tuple[float, float, float] | None:
    """The three cut points (linear interpolation, numpy's default), with at least 4 areas that
    are not all alike."""
    if len(values) < MIN_QUARTILE_AREAS or min(values) == max(values):
        return None
    q1, q2, q3 = np.quantile(np.array(values), [0.25, 0.5, 0.75])
    return float(q1), float(q2), float(q3)


class Funnel(NamedTuple):
    p0: float
    tau2: float
    text: str  # as the method column gives it


def funnel(xs: Sequence[float], ns: Sequence[float]) -> Funnel:
    """The share pooled from the areas' published counts and Spiegelhalter's additive
    random-effects variance (z-scores winsorised at 10%/90%; tau² = (kφ - (k-1)) / (Σw - Σw²/Σw),
    taken where positive)."""
    x, n = np.array(xs, dtype=float), np.array(ns, dtype=float)
    if len(n) == 0 or n.sum() == 0:
        return Funnel(math.nan, 0.0, "funnel (binomial)")
    p0 = float(x.sum() / n.sum())
    if p0 in (0.0, 1.0) or len(n) < 2:
        return Funnel(p0, 0.0, "funnel (binomial)")
    var = p0 * (1 - p0) / n
    z = (x / n - p0) / np.sqrt(var)
    z = np.clip(z, *np.quantile(z, [0.1, 0.9]))
    k, phi = len(n), float(np.mean(z**2))
    w = 1 / var
    c = 2 / (9 * (k - 1))  # the 95% point of chi-squared on k - 1 df, Wilson-Hilferty's way
    overdispersed = k * phi > (k - 1) * (1 - c + float(norm.ppf(0.95)) * math.sqrt(c)) ** 3
    tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum())) if overdispersed else 0.0
    return Funnel(p0, tau2, f"funnel phi={phi:.2f}" + (" (Spiegelhalter-adjusted)" if tau2 > 0 else ""))


def funnel_limits(f: Funnel, n: np.ndarray | float) -> list[np.ndarray]:
    """Lower and upper 95%, lower and upper 99.8% (0-1) at denominators ``n``: normal, widened by
    tau²; where not widened and n p0 (1 - p0) < 10, exact binomial limits interpolated between
    whole counts (Spiegelhalter 2005), here from scipy's binomial distribution."""
    ns = np.atleast_1d(np.asarray(n, dtype=float))
    s = np.sqrt(f.p0 * (1 - f.p0) / ns + f.tau2)
    cols = [np.clip(f.p0 + sign * z * s, 0.0, 1.0) for z in (Z95, Z998) for sign in (-1, 1)]
    if f.tau2 == 0 and 0 < f.p0 < 1:
        small = (ns * f.p0 * (1 - f.p0) < 10) & (ns == np.floor(ns))  # not a sum holding a 2.5
        for q, col in zip((0.025, 0.975, 0.001, 0.999), cols, strict=True):
            m = ns[small]
            r = binom.ppf(q, m, f.p0)
            at, below = binom.cdf(r, m, f.p0), binom.cdf(r - 1, m, f.p0)
            col[small] = np.clip((r - (at - q) / (at - below)) / m, 0.0, 1.0)
    return cols


FUNNEL_WORDS = {
    2: "above the 99.8% limit",
    1: "above the 95% limit",
    0: "within the limits",
    -1: "below the 95% limit",
    -2: "below the 99.8% limit",
}


def funnel_verdict(f: Funnel, x: Stands, n: Stands) -> str:
    """Outside a limit only where every pair the published pair stands for is (and then the
    weakest such limit); within only where every pair is; else blank."""
    xs, ns = pairs(x, n)
    lo95, hi95, lo998, hi998 = funnel_limits(f, ns)
    share = xs / ns
    level = np.where(share > hi998, 2, np.where(share > hi95, 1, 0))
    level = np.where(share < lo998, -2, np.where(share < lo95, -1, level))
    low, high = int(level.min()), int(level.max())
    if low >= 1 or high <= -1:
        return FUNNEL_WORDS[low if low >= 1 else high]
    return FUNNEL_WORDS[0] if low == high == 0 else ""


# -- the audit ------------------------------------------------------------------------------------
@dataclass(repr=False)
class Figure:
    """What a row's value rests on, as recomputed."""

    x: Stands | None = None
    n: Stands | None = None
    rests_on: float | None = None  # the published count of people, where the code applies the minimums
    span: tuple[float, float] | None = None  # the range a value with no interval can be in
    exact: dict[str, float] = field(default_factory=dict)  # unrounded limits (percent)


@dataclass(repr=False)
class Audit:
    checked: Counter[str] = field(default_factory=Counter)
    ties: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def same(self, what: str, row: Row, published: Any, expected: Any) -> bool:
        self.checked[what] += 1
        if published == expected:
            return True
        self.mismatches.append(f"{what}: {where(row)}: published {published!r}, recomputed {expected!r}")
        return False

    def rounded(self, what: str, row: Row, column: str, exact: float, digits: int) -> None:
        self.checked[what] += 1
        verdict = rounds_to(number(row[column]), exact, digits)
        if verdict == "tie":
            self.ties[what] += 1
        elif not verdict:
            self.mismatches.append(
                f"{what}: {where(row)} {column}: published {row[column]!r}, recomputed {exact!r}"
            )


def where(row: Row) -> str:
    unit = row["provider_code"] or row["area_code"]
    return f"{unit} {row['period']} {row['indicator_id']}[{row['breakdown_value']}]"


def kind(row: Row) -> str:
    method = row["method"]
    if row["unit"] == "percent" and method.startswith("Wilson score interval"):
        return "rate"
    if row["unit"] == "percent" and method.startswith("Poisson interval"):
        return "event"
    for start, name in (("cost incl.", "cost"), ("ratio of sums", "ratio"), ("SWEMWBS", "mean")):
        if method.startswith(start):
            return name
    return "mean" if method.startswith("difference of SWEMWBS") else "other"


def comparable(row: Row) -> bool:
    """Rates, scores, ratios, costs and means compare across areas; totals do not."""
    return row["unit"] in ("percent", "score", "ratio") or row["method"].startswith(
        ("cost incl.", "mean of returns")
    )


def check_counts(
    a: Audit, t: Published, row: Row, columns: Iterable[tuple[str, bool, Stands | None]]
) -> None:
    """Each count a row publishes that is not simply its own (an area's that is its providers' added
    up; a count of the recorded categories) is what a reader works out, blank where that is
    suppressed or withheld. ``columns``: (column, worked out from other counts, the count)."""
    summed = bool(t.split(row))
    for column, worked, c in columns:
        if not (worked or summed):
            continue
        what = "count of some categories" if worked else "area count as its providers' sum"
        published = number(row[column])
        if c is None or c.state:
            flag = PREFIX[column] + c.state if c is not None else ""
            a.same(f"{what} (blank)", row, (published, not flag or flag in row["_flags"]), (None, True))
        else:
            a.same(what, row, published, c.point)


def check_count_row(a: Audit, t: Published, row: Row) -> None:
    """A count of people: an area's is its providers' added up (the largest, for a maximum); all
    areas' largest caseload is one area's figure, so it is rounded as one."""
    check_counts(a, t, row, [("value", False, own(t, row, "value"))])
    value = number(row["value"])
    if row["area_code"] == NATIONAL and row["method"].startswith("largest") and value is not None:
        a.same("national largest rounded to 5", row, value % 5, 0.0)


def hidden(row: Row, x: Stands | None, n: Stands | None, people: Stands | None) -> set[str]:
    """Why a value is blank: a count it uses is suppressed or withheld, or (below all areas) the
    people it rests on, by their published count, are under 10."""
    why = {PREFIX[col] + c.state for col, c in (("numerator", x), ("denominator", n)) if c and c.state}
    few = people is not None and people.point is not None and people.point < MIN_SHOWN
    if not why and few and row["area_code"] != NATIONAL:
        why.add(f"under {MIN_SHOWN}")
    return why


def poisson(x: float, z: float) -> tuple[float, float]:
    """Limits for a Poisson mean from x events: exact (chi-squared quantiles) below 10, Byar's
    approximation from 10, as Fingertips' technical guide gives them."""
    tail = float(norm.sf(z))
    if x < 10:
        lower = 0.0 if x == 0 else float(chi2.ppf(tail, 2 * x)) / 2
        return lower, float(chi2.ppf(1 - tail, 2 * x + 2)) / 2
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    return lower, (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3


def event_union(x: Stands, n: Stands, z: float) -> tuple[float, float]:
    """Events among people: the fewest events' lower limit over the most people, to the most
    events' upper limit over the fewest (0-1, and beyond 1)."""
    return poisson(x.lo, z)[0] / n.hi, poisson(x.hi, z)[1] / max(n.lo, 1.0)


def check_rate(
    a: Audit, row: Row, x: Stands | None, n: Stands | None, fig: Figure, events: bool = False
) -> None:
    """100 x / n of the published counts, and the union of the Wilson intervals of every pair of
    whole counts they stand for (for events among people, of their Poisson limits), each
    rounded once to 1 dp."""
    fig.rests_on = n.point if n is not None and row["area_code"] != NATIONAL else None
    why = hidden(row, x, n, n)
    if not why and n is not None and n.point == 0 and x is not None:
        why = {"no denominator"}
    a.same("blank-value flags", row, set(row["_flags"] & HIDING), why)
    if why or x is None or n is None or x.point is None or n.point is None:
        a.same("blank rate", row, row["value"], "")
        return
    a.rounded("event rate" if events else "rate", row, "value", 100 * x.point / n.point, 1)
    for z, lower, upper in ((Z95, "lower_95", "upper_95"), (Z998, "lower_998", "upper_998")):
        lo, hi = event_union(x, n, z) if events else union(x, n, z)
        fig.exact[lower], fig.exact[upper] = 100 * lo, 100 * hi
        a.rounded("interval limit", row, lower, 100 * lo, 1)
        a.rounded("interval limit", row, upper, 100 * hi, 1)
    a.checked["pairs in a union" if (x.lo, n.lo) != (x.hi, n.hi) else "exact pair"] += 1


def check_cost(a: Audit, t: Published, row: Row, n: Stands | None, money_item: str, fig: Figure) -> None:
    """Money over the published count; its range over the range the count stands for."""
    fig.rests_on = n.point if n is not None and row["area_code"] != NATIONAL else None
    why = hidden(row, None, n, n)
    a.same("blank-value flags", row, set(row["_flags"] & HIDING), why)
    money_row = t.find(row, money_item, "")
    money = number(money_row["value"]) if money_row is not None else None
    if why or n is None or n.point in (None, 0) or money is None:
        a.same("blank cost", row, row["value"], "")
        return
    assert n.point is not None
    a.rounded("cost per outcome", row, "value", money / n.point, 0)
    fig.span = (money / n.hi, money / n.lo if n.lo else INF)
    for z, lower, upper in ((Z95, "lower_95", "upper_95"), (Z998, "lower_998", "upper_998")):
        fewest, most = poisson(n.lo, z)[0], poisson(n.hi, z)[1]
        a.rounded("cost interval limit", row, lower, money / most, 0)
        a.rounded("cost interval limit", row, upper, money / fewest, 0)


def check_ratio(a: Audit, t: Published, row: Row, x: Stands | None, fig: Figure) -> None:
    """A caseload per specialist: the published people over the staff; its range over the people's.
    Over 12 months (the definition: "averaged over the last four quarter-ends"), the mean of the
    quarter-ends' ratios as published, its range the mean of theirs, resting on the smallest."""
    period = row["period"]
    if period.startswith("12 months to "):
        found = [
            t.at.get((row["area_code"], row["provider_code"], q, row["indicator_id"], row["breakdown_value"]))
            for q in quarters_to(period.removeprefix("12 months to "))
        ]
        quarters = [q for q in found if q is not None]
        stands = [own(t, q, "numerator") for q in quarters]
        dens = [number(q["denominator"]) for q in quarters]
        if not quarters or any(q["value"] == "" for q in quarters) or None in stands or None in dens:
            a.same("blank ratio over 12 months", row, row["value"], "")
            return
        xs = [s for s in stands if s is not None and s.point is not None]
        ds = [d for d in dens if d]
        a.rounded(
            "ratio over 12 months",
            row,
            "value",
            float(np.mean([s.point / d for s, d in zip(xs, ds, strict=True)])),
            2,
        )
        fig.span = (
            float(np.mean([s.lo / d for s, d in zip(xs, ds, strict=True)])),
            float(np.mean([s.hi / d for s, d in zip(xs, ds, strict=True)])),
        )
        fig.rests_on = min(s.point for s in xs) if row["area_code"] != NATIONAL else None
        return
    fig.rests_on = x.point if x is not None and row["area_code"] != NATIONAL else None
    why = hidden(row, x, None, x)
    a.same("blank-value flags", row, set(row["_flags"] & HIDING), why)
    den = number(row["denominator"])
    if why or x is None or x.point is None or not den:
        a.same("blank ratio", row, row["value"], "")
        return
    a.rounded("ratio", row, "value", x.point / den, 2)
    fig.span = (x.lo / den, x.hi / den)


def by_all_areas(row: Row, fig: Figure, target: float) -> str:
    """The comparison with all areas, from the published figures: by the interval at 99.8% where
    that is significant, else at 95%; with no interval, by the range the rounded count leaves
    (higher or lower only where all of it is); else by the values themselves."""
    polarity = row["polarity"]
    if row["lower_95"] != "" and row["upper_95"] != "":
        for level, lower, upper in (("99.8%", "lower_998", "upper_998"), ("95%", "lower_95", "upper_95")):
            found = side(float(row[lower]), float(row[upper]), target, polarity)
            if found:
                return f"{in_words(found, polarity)} ({level})"
        return "not significantly different"
    if fig.span is not None:
        lo, hi = fig.span
        found = "higher" if lo > target else "lower" if hi < target else ""
        return f"{in_words(found, polarity) or 'not significantly different'} (range of the rounded counts)"
    value = float(row["value"])
    found = "higher" if value > target else "lower" if value < target else "equal"
    return f"{in_words(found, polarity)} (no interval)"


def check_comparisons(a: Audit, rows: list[Row], figs: dict[int, Figure]) -> None:
    """comparison_all_areas and all_areas_value of every row, against its period's all-areas row."""
    national = {key(r)[2:]: r for r in rows if r["area_code"] == NATIONAL}
    for i, row in enumerate(rows):
        nat = national.get(key(row)[2:])
        a.same("all-areas value", row, row["all_areas_value"], nat["value"] if nat is not None else "")
        expected = ""
        target = number(nat["value"]) if nat is not None else None
        if (
            row["area_code"] != NATIONAL
            and comparable(row)
            and target is not None
            and number(row["value"]) is not None
        ):
            fig = figs.get(i, Figure())
            expected = by_all_areas(row, fig, target)
            if fig.rests_on is not None and fig.rests_on < MIN_JUDGED:
                expected = NOT_ENOUGH
            elif expected.endswith("%)"):
                note_limits(a, row, fig, target, expected)
        if a.same("all-areas comparison", row, row["comparison_all_areas"], expected) and expected:
            a.checked["all-areas verdict given"] += 1


AT_LIMIT = "verdicts on a limit equal to the all-areas value"
ROUNDED_ONLY = "verdicts that hold for the rounded limits only"


def note_limits(a: Audit, row: Row, fig: Figure, target: float, verdict: str) -> None:
    """Note a verdict whose deciding interval touches the all-areas value as published, and one
    that the unrounded union of the pairs' intervals would not support."""
    level = "998" if verdict.endswith("(99.8%)") else "95"
    lower, upper = f"lower_{level}", f"upper_{level}"
    if target in (float(row[lower]), float(row[upper])):
        a.notes[AT_LIMIT].append(f"{where(row)} {verdict}")
    if fig.exact and not side(fig.exact[lower], fig.exact[upper], target, row["polarity"]):
        a.notes[ROUNDED_ONLY].append(
            f"{where(row)} {verdict}: {lower} {fig.exact[lower]:.3f}, all areas {target}"
        )


def peers(rows: list[Row]) -> dict[tuple[str, str, str], list[int]]:
    """The areas' rows of each indicator, category and period."""
    out: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["level"] == "area":
            out[(r["indicator_id"], r["breakdown_value"], r["period"])].append(i)
    return out


def judged(row: Row, fig: Figure) -> bool:
    return number(row["value"]) is not None and (fig.rests_on is None or fig.rests_on >= MIN_JUDGED)


def check_quartiles(a: Audit, rows: list[Row], figs: dict[int, Figure]) -> None:
    """Quartiles (1 lowest; a value at a cut point is in the lower quartile) and ranks (1 best;
    ties share the better rank) among the areas resting on at least 30 people."""
    expected: dict[int, tuple[str, str]] = {}
    for members in peers(rows).values():
        if not comparable(rows[members[0]]):
            continue
        mine = [i for i in members if judged(rows[i], figs.get(i, Figure()))]
        values = sorted(float(rows[i]["value"]) for i in mine)
        cuts = quartile_cuts(values)
        if cuts is None:
            continue
        for i in mine:
            v = float(rows[i]["value"])
            quartile = 1 + sum(v > c for c in cuts)
            polarity = rows[i]["polarity"]
            better = [w for w in values if (w > v if polarity == "higher_better" else w < v)]
            rank = str(len(better) + 1) if polarity != "no_judgement" else ""
            expected[i] = (str(quartile), rank)
    for i, row in enumerate(rows):
        quartile, rank = expected.get(i, ("", ""))
        if a.same("quartile", row, row["quartile"], quartile) and quartile:
            a.checked["quartile given"] += 1
        if a.same("rank", row, row["rank"], rank) and rank:
            a.checked["rank given"] += 1


def check_funnels(a: Audit, rows: list[Row], figs: dict[int, Figure]) -> None:
    """Funnel limits and flags of the areas' rates, around the share pooled from their published
    counts, and the method column's phi."""
    for members in peers(rows).values():
        if kind(rows[members[0]]) != "rate":
            continue
        with_den = [
            i for i in members if number(rows[i]["value"]) is not None and number(rows[i]["denominator"])
        ]
        f = funnel(
            [number(rows[i]["numerator"]) or 0.0 for i in with_den],
            [float(rows[i]["denominator"]) for i in with_den],
        )
        if len(with_den) < MIN_FUNNEL_AREAS:  # no funnel around fewer areas
            f = Funnel(math.nan, 0.0, "")
        for i in members:
            row, fig = rows[i], figs.get(i, Figure())
            a.same("funnel in the method", row, funnel_text(row["method"]), f.text)
            names = ("funnel_lower_95", "funnel_upper_95", "funnel_lower_998", "funnel_upper_998")
            if i not in with_den or math.isnan(f.p0):
                a.same(
                    "funnel limits (none)",
                    row,
                    [row[c] for c in (*names, "funnel_p0", "funnel_tau2")],
                    [""] * 6,
                )
                a.same("funnel flag", row, row["comparison_funnel"], "")
                continue
            a.same("funnel centre", row, number(row["funnel_p0"]), float(f"{100 * f.p0:.6g}"))
            a.same("funnel variance", row, number(row["funnel_tau2"]), float(f"{1e4 * f.tau2:.6g}"))
            limits = funnel_limits(f, float(row["denominator"]))
            for column, limit in zip(names, limits, strict=True):
                a.rounded("funnel limit", row, column, 100 * float(limit[0]), 2)
            flag = funnel_verdict(f, fig.x, fig.n) if judged(row, fig) and fig.x and fig.n else ""
            if a.same("funnel flag", row, row["comparison_funnel"], flag) and flag:
                a.checked["funnel flag given"] += 1


def funnel_text(method: str) -> str:
    return next((p for p in method.split("; ") if p.startswith("funnel")), "")


def check(rows: list[Row], catalogue: Catalogue) -> tuple[Audit, Published, dict[int, Figure]]:
    """Recompute every figure of ``rows`` (indicators.csv as read) from the published counts."""
    t = Published(rows)
    a = Audit()
    src = sources(catalogue)
    money, people = money_items(catalogue), people_counts(catalogue)
    figs: dict[int, Figure] = {}
    for i, row in enumerate(rows):
        what = kind(row)
        if what == "other":
            if row["indicator_id"] in people:
                check_count_row(a, t, row)
            continue
        fig = figs[i] = Figure()
        if what == "mean":  # rests on the people scored, as published (the minimums apply)
            fig.rests_on = number(row["denominator"]) if row["area_code"] != NATIONAL else None
            continue
        num_src, den_src = src.get((row["indicator_id"], row["breakdown_value"]), (None, None))
        if what in ("rate", "event"):
            fig.x, fig.n = count(t, row, "numerator", num_src), count(t, row, "denominator", den_src)
            check_counts(
                a,
                t,
                row,
                [("numerator", num_src is not None, fig.x), ("denominator", den_src is not None, fig.n)],
            )
            check_rate(a, row, fig.x, fig.n, fig, events=what == "event")
        elif what == "cost":
            fig.n = own(t, row, "denominator")
            check_counts(a, t, row, [("denominator", False, fig.n)])
            check_cost(a, t, row, fig.n, money[row["indicator_id"]], fig)
        elif what == "ratio":
            fig.x = caseload(t, row)
            if row["period"].startswith("12 months to "):  # a mean of ratios: no pair to divide
                a.same("ratio over 12 months: no pair", row, (row["numerator"], row["denominator"]), ("", ""))
            else:
                check_counts(a, t, row, [("numerator", False, fig.x)])
            check_ratio(a, t, row, fig.x, fig)
    check_comparisons(a, rows, figs)
    check_quartiles(a, rows, figs)
    check_funnels(a, rows, figs)
    return a, t, figs


# -- the published file -----------------------------------------------------------------------------
Audited = tuple[Audit, Published, dict[int, Figure]]


@pytest.fixture(scope="module")
def published_rows(
    funnel_demo: Any, catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory
) -> list[Row]:
    """indicators.csv of the ten-site demo (enough areas for funnels), written as the build writes
    it and read back as text."""
    out: Path = tmp_path_factory.mktemp("published")
    data = compute_dataset(funnel_demo.current_returns(), catalogue, load_registry(), workers=2)
    write_published(data, [], out, workbook=False)
    table = pd.read_csv(out / "indicators.csv", dtype=str, keep_default_na=False)
    rows: list[Row] = table.to_dict("records")
    return rows


@pytest.fixture(scope="module")
def audited(published_rows: list[Row], catalogue: Catalogue) -> Audited:
    return check([dict(r) for r in published_rows], catalogue)


def test_every_figure_recomputes_from_the_published_csv(audited: Audited) -> None:
    a, t, _ = audited
    shown = "\n".join(a.mismatches[:40])
    assert not a.mismatches, f"{len(a.mismatches)} published figures do not recompute:\n{shown}"
    print(f"\nchecked {dict(a.checked)}\nwithin {TIE} of a rounding half: {dict(a.ties)}")
    c = a.checked
    assert c["rate"] >= 4000 and c["interval limit"] >= 16000 and c["pairs in a union"] >= 4000
    assert c["count of some categories"] >= 3000 and c["area count as its providers' sum"] >= 500
    assert c["all-areas verdict given"] >= 2000 and c["all-areas comparison"] == len(t.rows)
    assert c["funnel limit"] >= 3000 and c["funnel flag given"] >= 500 and c["funnel centre"] >= 800
    assert c["quartile given"] >= 1000 and c["rank given"] >= 300
    assert c["cost per outcome"] >= 100 and c["ratio"] >= 100 and c["ratio over 12 months"] >= 50
    assert sum(a.ties.values()) < 0.01 * c["interval limit"]  # a half is rare, not a loophole


def test_the_check_finds_a_published_figure_changed(published_rows: list[Row], catalogue: Catalogue) -> None:
    """Each figure below, changed by the least the CSV can show, is reported: the check can fail."""
    rows = [dict(r) for r in published_rows]
    changed: list[Row] = []

    def change(test: Callable[[Row], bool], column: str, to: Callable[[str], str]) -> Row:
        row = next(r for r in rows if test(r) and all(r is not c for c in changed))
        row[column] = to(row[column])
        changed.append(row)
        return row

    def plus(by: float) -> Callable[[str], str]:
        return lambda text: str(round(float(text) + by, 2))

    change(
        lambda r: r["level"] == "provider" and kind(r) == "rate" and r["upper_95"] != "",
        "upper_95",
        plus(0.1),
    )
    change(
        lambda r: r["area_code"] == NATIONAL and kind(r) == "rate" and r["value"] != "", "value", plus(0.1)
    )
    change(lambda r: r["funnel_lower_998"] != "", "funnel_lower_998", plus(0.01))
    change(lambda r: r["quartile"] == "2", "quartile", lambda _: "3")
    change(lambda r: r["rank"] == "1", "rank", lambda _: "2")
    change(
        lambda r: r["comparison_all_areas"] == "better (95%)",
        "comparison_all_areas",
        lambda _: "better (99.8%)",
    )
    change(lambda r: r["comparison_funnel"] == "within the limits", "comparison_funnel", lambda _: "")
    change(lambda r: r["funnel_tau2"] not in ("", "0.0"), "funnel_tau2", plus(0.01))
    change(lambda r: kind(r) == "cost" and r["value"] != "", "value", plus(1))
    provider = change(
        lambda r: r["provider_code"] == "PS04-WRK" and r["numerator"] != "", "numerator", plus(5)
    )
    a, t, _ = check(rows, catalogue)
    for row in changed:
        assert any(where(row) in m for m in a.mismatches), f"{where(row)}: a changed figure is not reported"
    area = t.find(provider, provider["indicator_id"], provider["breakdown_value"], provider="")
    assert area is not None
    assert any(m.startswith("area count as its providers' sum") and where(area) in m for m in a.mismatches)


def people_behind(row: Row, fig: Figure) -> float | None:
    """The published count of people a value rests on, as the methods page means it: a rate's
    denominator, a cost's outcomes, a caseload, and a mean score's people."""
    if kind(row) == "mean":
        return number(row["denominator"])
    return fig.rests_on


def test_no_value_resting_on_fewer_than_30_people_is_judged(audited: Audited) -> None:
    """Methods page, Minimums: below 30 people a value is shown "without a comparison, rank,
    quartile or funnel flag" (disclosure.py rule 6: "without a verdict, rank or quartile")."""
    _, t, figs = audited
    breaches, checked = [], 0
    for i, row in enumerate(t.rows):
        people = people_behind(row, figs.get(i, Figure()))
        if row["area_code"] == NATIONAL or people is None or people >= MIN_JUDGED or row["value"] == "":
            continue
        checked += 1
        said = {c: row[c] for c in ("quartile", "rank", "comparison_funnel") if row[c]}
        if row["comparison_all_areas"] not in ("", NOT_ENOUGH):
            said["comparison_all_areas"] = row["comparison_all_areas"]
        if said:
            breaches.append(f"{where(row)} on {people:g} people: {said}")
    assert checked >= 300
    assert not breaches, f"{len(breaches)} values judged on fewer than {MIN_JUDGED} people:\n" + "\n".join(
        breaches[:12]
    )


def quarters_to(end: str) -> list[str]:
    """The four quarters of the 12 months to ``end`` ("2025-26 Q1" -> 2024-25 Q2 .. 2025-26 Q1)."""
    year, q = int(end[:4]), int(end[-1])
    out = []
    for _ in range(4):
        out.append(f"{year}-{str(year + 1)[2:]} Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def test_a_year_of_quarter_end_caseloads_is_not_published_beside_its_quarters(audited: Audited) -> None:
    """Rule 1 publishes a stock (a caseload at a quarter's end) for each quarter only. A caseload
    per specialist over 12 months is the mean of its quarter-ends' ratios (issue 18: its
    definition), so it publishes no caseload of its own: summed over four quarter-ends, a pair
    would not divide into the value, and rounded apart from them it would pin them down."""
    _, t, _ = audited
    wrong, checked = [], 0
    for row in t.rows:
        if kind(row) != "ratio" or not row["period"].startswith("12 months to "):
            continue
        checked += 1
        if row["numerator"] != "" or row["denominator"] != "":
            wrong.append(f"{where(row)}: {row['numerator']} / {row['denominator']}")
    assert checked >= 50
    assert not wrong, f"{len(wrong)} of {checked} rolling-year ratios publish a pair:\n" + "\n".join(
        wrong[:12]
    )


def test_a_verdict_holds_for_every_pair_the_published_counts_stand_for(audited: Audited) -> None:
    """A rate's verdict against all areas says the interval is wholly on one side of the all-areas
    value; with rounded counts the interval is the union over every pair they stand for, so the
    verdict should hold for the union itself, not only for its limits rounded to 1 dp."""
    a, _, _ = audited
    at_limit, only_rounded = a.notes[AT_LIMIT], a.notes[ROUNDED_ONLY]
    assert not only_rounded, (
        f"{len(only_rounded)} verdicts hold only for the rounded limits ({len(at_limit)} rest on a "
        "limit equal to the all-areas value):\n" + "\n".join(only_rounded[:12])
    )


def test_an_areas_mean_score_is_its_providers_published_means_weighted_by_their_counts(
    audited: Audited,
) -> None:
    """A mean wellbeing score cannot be recomputed from scores that are not published; but an
    area with several providers must publish the mean their published means and counts give
    (weighted by the published counts, rounded to 2 dp), with the interval their published
    intervals give. Its own mean from every score, beside theirs, ties the counts down (the
    review of issue 17: PS06-EMP narrowed to 51 or 52 people)."""
    _, t, _ = audited
    z = float(norm.ppf(0.975))
    checked, wrong = 0, []
    for row in t.rows:
        if row["indicator_id"] != "EX08_swemwbs_change" or row["breakdown_value"] == "change":
            continue
        ps = t.split(row)
        if not ps or number(row["value"]) is None:
            continue
        theirs = [t.find(row, row["indicator_id"], row["breakdown_value"], p) for p in ps]
        assert all(r is not None and number(r["value"]) is not None for r in theirs), where(row)
        w = [number(r["denominator"]) or 0.0 for r in theirs if r is not None]
        m = [number(r["value"]) or 0.0 for r in theirs if r is not None]
        se = [
            ((number(r["upper_95"]) or 0.0) - (number(r["lower_95"]) or 0.0)) / (2 * z)
            for r in theirs
            if r is not None
        ]
        mean = sum(a * b for a, b in zip(w, m, strict=True)) / sum(w)
        half = z * math.sqrt(sum((a * e) ** 2 for a, e in zip(w, se, strict=True))) / sum(w)
        checked += 1
        if (number(row["value"]), number(row["lower_95"]), number(row["upper_95"])) != (
            round(mean, 2),
            round(mean - half, 2),
            round(mean + half, 2),
        ) or number(row["denominator"]) != sum(w):
            wrong.append(
                f"{where(row)}: {row['value']} ({row['lower_95']}-{row['upper_95']}) on {row['denominator']}"
            )
    assert checked >= 5
    assert not wrong, "\n".join(wrong[:10])


# -- trends: Fingertips' recent trend, once per series, on the published counts ------------------
TREND_CHI2 = float(norm.ppf(0.999)) ** 2  # 9.5495: chi-squared on 1 df at 99.8%
TREND_PLACES = 5


def quarter_number(label: str) -> int:
    return int(label[:4]) * 4 + int(label[-1]) - 1


def place_of(row: Row) -> tuple[str, int] | None:
    """Where a row sits in its series of periods that do not overlap: quarters (a stock's or all
    areas'), 12-month windows (one series, a year apart), or years; None for all areas' windows,
    whose trend is their quarters'."""
    period = row["period"]
    if period.startswith("12 months to "):
        return None if row["area_code"] == NATIONAL else ("window", quarter_number(period[13:]))
    if " Q" in period:
        return "quarter", quarter_number(period)
    return "year", int(period[:4])


def chi2_trend(xs: Sequence[float], ns: Sequence[float], events: bool = False) -> float:
    """Cochran-Armitage, with scores 0..4 (R's prop.trend.test), written out again; for events
    among people, the score test for a trend in Poisson rates (the variance without 1 - p)."""
    t = np.arange(len(xs), dtype=float)
    x, n = np.array(xs, dtype=float), np.array(ns, dtype=float)
    keep = n > 0
    t, x, n = t[keep], x[keep], n[keep]
    p = x.sum() / n.sum()
    if p == 0.0 or (p == 1.0 and not events):
        return 0.0
    tb = (n * t).sum() / n.sum()
    a = (x * (t - tb)).sum()
    return float(a * a / ((p if events else p * (1 - p)) * (n * (t - tb) ** 2).sum()))


def test_each_series_is_tested_once_on_its_latest_row_from_the_published_counts(
    audited: Audited,
) -> None:
    """Methods page, Trends: the latest five periods that do not overlap, the chi-squared test for
    linear trend at 99.8%, once per series (its latest row), rates only, a rise or fall said only
    where it holds over the ranges the published counts stand for."""
    _, t, figs = audited
    series: dict[tuple[str, ...], dict[int, int]] = defaultdict(dict)
    for i, row in enumerate(t.rows):
        if (where_ := place_of(row)) is None:
            assert row["trend"] in ("", "see the quarterly values"), where(row)
            continue
        kind_, place = where_
        s = (row["indicator_id"], row["breakdown_value"], row["area_code"], row["provider_code"], kind_)
        series[s][place] = i
    wrong, verdicts = [], Counter()
    for s, members in series.items():
        last = max(members)
        step = 4 if s[-1] == "window" else 1
        for place, i in members.items():
            if place != last and t.rows[i]["trend"]:
                wrong.append(f"{where(t.rows[i])}: a trend on a row that is not its series' latest")
        row = t.rows[members[last]]
        if kind(row) not in ("rate", "event"):
            expected = (
                "not tested (no trend method for this kind of value)"
                if number(row["value"]) is not None
                else ""
            )
            if row["trend"] != expected:
                wrong.append(f"{where(row)}: {row['trend']!r}, expected {expected!r}")
            continue
        tested = [members.get(last - step * (TREND_PLACES - 1 - j)) for j in range(TREND_PLACES)]
        shown = [j for j, i in enumerate(tested) if i is not None and t.rows[i]["value"] != ""]
        if len(shown) < TREND_PLACES:
            expected = f"not enough periods that do not overlap ({len(shown)} of the {TREND_PLACES} needed)"
        else:
            rows_ = [t.rows[i] for i in tested if i is not None]
            xs = [float(r["numerator"]) for r in rows_]
            ns = [float(r["denominator"]) for r in rows_]
            events = kind(row) == "event"
            stat = chi2_trend(xs, ns, events)
            slope = np.polyfit(np.arange(5), np.array(xs) / np.array(ns), 1, w=np.array(ns))[0]
            rising = slope > 0
            held = stat >= TREND_CHI2
            if held:  # at every corner of the ranges the published counts stand for, the same way
                stands = [(figs[i].x, figs[i].n) for i in tested if i is not None]
                ends = [
                    [(xe, max(ne, 1.0)) for xe in (x.lo, x.hi) for ne in (n.lo, n.hi) if events or xe <= ne]
                    for x, n in stands
                    if x is not None and n is not None
                ]
                for corner in itertools.product(*ends):
                    cx, cn = [c[0] for c in corner], [c[1] for c in corner]
                    slope = np.polyfit(np.arange(5), np.array(cx) / np.array(cn), 1, w=np.array(cn))[0]
                    if chi2_trend(cx, cn, events) < TREND_CHI2 or (slope > 0) != rising:
                        held = False
                        break
            polarity = row["polarity"]
            if not held:
                expected = "no significant change"
            elif polarity == "no_judgement":
                expected = "increasing" if rising else "decreasing"
            else:
                expected = "improving" if rising == (polarity == "higher_better") else "getting worse"
        verdicts[expected.split(" (")[0]] += 1
        if row["trend"] != expected:
            wrong.append(f"{where(row)}: {row['trend']!r}, recomputed {expected!r}")
    assert not wrong, f"{len(wrong)} trends do not recompute:\n" + "\n".join(wrong[:20])
    assert (
        verdicts["no significant change"] >= 10 and verdicts["not enough periods that do not overlap"] >= 100
    ), verdicts
