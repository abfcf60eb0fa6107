"""Every indicator in the catalogue, calculated per provider, per area and for all areas.

Three steps, each a pure function:

1. :func:`specs` turns the catalogue into indicator specifications: which input keys make the
   numerator and denominator, the method (a registry key), unit, polarity and benchmarks.
   Items and derived indicators alike; adding one to the catalogue adds it here.
2. :func:`pool` adds up returns into "bags" per section, unit (provider, area, all areas) and
   period (each return's own period, and rolling 12 months for quarterly sections). Areas are
   pooled from their providers' numerators and denominators, never by averaging percentages.
3. :func:`calculate_table` evaluates each spec on each bag (the method registry), then compares
   areas with the documents' targets, with all areas (interval rule at 95% and 99.8%),
   with funnel limits, quartiles and trends. It works an indicator at a time, column by
   column, the arithmetic on numpy arrays by the same floating-point steps as the scalar
   functions in :mod:`generator.calc.stats` (so every published figure is the same double);
   :func:`calculate` gives the same table as rows.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from generator.base.tables import Table, take, to_rows
from generator.calc import disclosure, stats, verdicts
from generator.calc.verdicts import Basis, Verdict
from generator.catalogue.model import Benchmark, Catalogue, Derived, Item, ref_item
from generator.catalogue.registry import Registry, role_for
from generator.workbook.layout import periods

NOT_RECORDED = ("not_recorded", "dont_know")
NATIONAL = "ALL"
NUMBER = (int, float)  # isinstance with a tuple: twice as quick as with `int | float`, built per call
SWEMWBS_METRIC = {  # raw total 7..35 -> metric score (Rasch), Warwick Medical School scoring guidance
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}


@dataclass(frozen=True)
class Spec:
    """One published indicator (one breakdown category of it, where it has categories)."""

    indicator_id: str
    title: str
    section: str
    frequency: str
    method: str  # a key of METHODS
    unit: str  # percent | count | gbp | number | score | ratio | yes/no | category
    polarity: stats.Polarity
    breakdown: str = ""
    breakdown_value: str = ""
    breakdown_label: str = ""
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()  # profile: the local population's share (a Section A key)
    benchmarks: tuple[Benchmark, ...] = ()
    headline: bool = False  # a key indicator for the site's overview
    per_period_only: bool = False  # a stock or maximum: never added up over a rolling year
    wording: Mapping[str, str] = field(default_factory=dict)  # rating: scale point -> its wording
    scale_range: tuple[float, float] | None = None  # a total of ratings: its lowest and highest


# -- 1. specs from the catalogue ------------------------------------------------------------
def _key(item: Item, part: str, category: str = "") -> str:
    k = item.id if part == "value" else f"{item.id}.{part}"
    return f"{k}:{category}" if category else k


def _categories(item: Item, catalogue: Catalogue) -> list[tuple[str, str]]:
    if not item.breakdown:
        return []
    return [
        (c.code, c.label)
        for c in catalogue.breakdowns[item.breakdown].categories
        if c.code not in item.exclude_categories
    ]


def _denominator_keys(item: Item, catalogue: Catalogue) -> tuple[str, ...]:
    assert item.denominator is not None
    if item.denominator.label is not None:
        return (_key(item, "denominator"),)
    ref = item.denominator.item or ""
    base, _, part = ref.partition(".")
    target = catalogue.item_index[base]
    if part:
        return (_key(target, "numerator"),)
    return (_key(target, "value"),)


def resolve(ref: str, catalogue: Catalogue) -> tuple[str, ...]:
    """The input keys behind a derived indicator's reference (``ITEM``, ``ITEM:cat``, ...)."""
    head, _, category = ref.partition(":")
    item_id, _, part = head.partition(".")
    item = catalogue.item_index[item_id]
    part = part or ("numerator" if item.value_type == "proportion" else "value")
    if category:
        return (_key(item, part, category),)
    cats = _categories(item, catalogue)
    if cats and part in ("numerator", "value"):
        return tuple(_key(item, part, c) for c, _ in cats)
    return (_key(item, part),)


def _bms(benchmarks: Iterable[Benchmark], category: str = "", strict: bool = False) -> tuple[Benchmark, ...]:
    """The benchmarks of one category (and, unless ``strict``, those of no category): a count's
    category is judged only against its own, never against a figure for the whole count."""
    return tuple(
        b for b in benchmarks if b.category in ((category or None,) if strict else (None, category or None))
    )


def specs(catalogue: Catalogue) -> list[Spec]:
    """Every indicator the catalogue defines, as specifications (pure)."""
    out: list[Spec] = []
    for sec, item in catalogue.items():
        base = Spec(
            item.id,
            item.title,
            sec.section,
            sec.frequency,
            method="",
            unit="",
            polarity=item.polarity,
            breakdown=item.breakdown or "",
        )
        cats = _categories(item, catalogue)
        vt = item.value_type
        if vt == "proportion":
            if not cats:
                out.append(
                    replace(
                        base,
                        method="proportion",
                        unit="percent",
                        numerator=(_key(item, "numerator"),),
                        denominator=_denominator_keys(item, catalogue),
                        benchmarks=_bms(item.benchmarks),
                    )
                )
                continue
            recorded = tuple(_key(item, "numerator", c) for c, _ in cats if c not in NOT_RECORDED)
            for code, label in cats:
                if not item.breakdown_exhaustive:
                    den = _denominator_keys(item, catalogue)
                elif code in NOT_RECORDED:
                    den = tuple(_key(item, "numerator", c) for c, _ in cats)
                else:
                    den = recorded
                out.append(
                    replace(
                        base,
                        method="proportion",
                        unit="percent",
                        breakdown_value=code,
                        breakdown_label=label,
                        numerator=(_key(item, "numerator", code),),
                        denominator=den,
                        # a figure for the whole ("all three destinations together") is not one
                        # for each category
                        benchmarks=_bms(item.benchmarks, code, strict=True),
                    )
                )
        elif vt in ("count", "money", "number", "percentage", "rating", "yes_no", "choice"):
            unit = {
                "count": "count",
                "money": "gbp",
                "number": "number",
                "percentage": "percent",
                "rating": "score",
                "yes_no": "yes/no",
                "choice": "category",
            }[vt]
            method = {
                "count": "sum",
                "money": "sum",
                "number": "mean",
                "percentage": "given",
                "rating": "mean",
                "yes_no": "same",
                "choice": "same",
            }[vt]
            if item.aggregate != "sum":  # a stock is summed over providers; a maximum is a maximum
                method = "max" if item.aggregate == "max" else "sum"
                base = replace(base, per_period_only=True)
            if item.scale:  # ratings and choices: publish each point's wording beside its code
                sc = catalogue.scales[item.scale]
                base = replace(base, wording={str(p.value): p.label for p in sc.points})
            if cats:
                for code, label in cats:
                    out.append(
                        replace(
                            base,
                            method=method,
                            unit=unit,
                            breakdown_value=code,
                            breakdown_label=label,
                            numerator=(_key(item, "value", code),),
                            benchmarks=_bms(item.benchmarks, code, strict=vt == "count"),
                        )
                    )
                if vt == "count":
                    out.append(
                        replace(
                            base,
                            method="sum",
                            unit="count",
                            breakdown_value="total",
                            breakdown_label="Total",
                            numerator=tuple(_key(item, "value", c) for c, _ in cats),
                            benchmarks=_bms(item.benchmarks, strict=True),
                        )
                    )
            else:
                out.append(
                    replace(
                        base,
                        method=method,
                        unit=unit,
                        numerator=(_key(item, "value"),),
                        benchmarks=_bms(item.benchmarks),
                    )
                )
        # dates and free text are not indicators: text is never published
    for sec in catalogue.sections.values():
        for d in sec.derived:
            out.extend(_derived_specs(d, sec.section, sec.frequency, catalogue))
    return out


def _derived_specs(d: Derived, section: str, frequency: str, catalogue: Catalogue) -> list[Spec]:
    base = Spec(
        d.id,
        d.title,
        section,
        frequency,
        method="",
        unit="",
        polarity=d.polarity,
        headline=True,
    )
    ins = {role: tuple(k for r in refs for k in resolve(r, catalogue)) for role, refs in d.inputs.items()}
    roles = list(d.inputs)
    if d.method in ("proportion", "event_rate", "ratio", "cost_per_outcome"):
        num = ins.get("numerator") or ins.get("cost") or ins[roles[0]]
        den = ins.get("denominator") or ins.get("outcomes") or ins[roles[1]]
        unit = {"ratio": "ratio", "cost_per_outcome": "gbp"}.get(d.method, "percent")
        return [
            replace(
                base,
                method=d.method,
                unit=unit,
                numerator=num,
                denominator=den,
                benchmarks=tuple(d.benchmarks),
            )
        ]
    if d.method == "share_split":
        keys = ins[roles[0]]
        return [
            replace(
                base,
                method="proportion",
                unit="percent",
                breakdown="share",
                breakdown_value=k.rsplit(":", 1)[-1],
                breakdown_label=k.rsplit(":", 1)[-1].replace("_", " "),
                numerator=(k,),
                denominator=keys,
                benchmarks=_bms(d.benchmarks, k.rsplit(":", 1)[-1]),
            )
            for k in keys
        ]
    if d.method == "profile_vs_population":
        return _profile_specs(d, base, catalogue)
    if d.method == "swemwbs_change":
        start, end = ins.get("start") or ins[roles[0]], ins.get("end") or ins[roles[1]]
        return [
            replace(
                base,
                polarity="no_judgement" if part != "change" else d.polarity,
                method=f"swemwbs_{part}",
                unit="score",
                breakdown="swemwbs",
                breakdown_value=part,
                breakdown_label={
                    "start": "At start (mean)",
                    "end": "At end (mean)",
                    "change": "Change (end minus start)",
                }[part],
                numerator=start,
                denominator=end,
                benchmarks=tuple(d.benchmarks) if part == "change" else (),
            )
            for part in ("start", "end", "change")
        ]
    if d.method == "rating_profile":
        return [
            replace(
                base,
                method="rating_total",
                unit="score",
                breakdown="total",
                breakdown_value=role,
                breakdown_label=f"Total of {role} ({len(keys)} items)",
                numerator=keys,
                scale_range=scale_range(keys, catalogue),
            )
            for role, keys in ins.items()
        ]
    raise ValueError(f"{d.id}: no calculation for method {d.method!r}")


def scale_range(keys: Sequence[str], catalogue: Catalogue) -> tuple[float, float]:
    """The lowest and highest total of the rating items ``keys``, from their scales."""
    low = high = 0.0
    for k in keys:
        points = [float(p.value) for p in catalogue.scales[catalogue.item_index[k].scale or ""].points]
        low, high = low + min(points), high + max(points)
    return low, high


def _profile_specs(d: Derived, base: Spec, catalogue: Catalogue) -> list[Spec]:
    """Intake (or job) shares by category against the local population's shares (Section A)."""
    intake_ref = d.inputs.get("intake") or next(iter(d.inputs.values()))
    pop_ref = d.inputs.get("population") or list(d.inputs.values())[1]
    head = intake_ref[0]
    item = catalogue.item_index[ref_item(head)]
    pop_item = catalogue.item_index[pop_ref[0].split(":")[0]]
    out = []
    part = "numerator" if item.value_type == "proportion" else "value"
    cats = _categories(item, catalogue)
    if ":" in head:  # one category (e.g. NVQ2+): its share of the recorded total
        code = head.split(":")[1]
        cats_shown = [(code, dict(cats)[code])]
    elif cats:
        cats_shown = [(c, lab) for c, lab in cats if c not in NOT_RECORDED]
    else:  # no breakdown (e.g. the share supported into self-employment): the item's own proportion
        cats_shown = [("", "")]
    recorded = (
        tuple(_key(item, part, c) for c, _ in cats if c not in NOT_RECORDED)
        if cats
        else (_denominator_keys(item, catalogue))
    )
    pop_cats = {c for c, _ in _categories(pop_item, catalogue)}
    for code, label in cats_shown:
        ref = (_key(pop_item, "value", code),) if code in pop_cats else (_key(pop_item, "value"),)
        out.append(
            replace(
                base,
                polarity="no_judgement",
                method="profile",
                unit="percent",
                breakdown=item.breakdown or "",
                breakdown_value=code,
                breakdown_label=label,
                numerator=(_key(item, part, code),) if code else (_key(item, part),),
                denominator=recorded,
                reference=ref,
            )
        )
    return out


# -- 2. pooling returns -----------------------------------------------------------------------
@dataclass(frozen=True)
class Bag:
    """Values pooled for one section, unit and period."""

    section: str
    area_code: str
    provider_code: str  # "" for an area or for all areas
    period: str
    values: Mapping[str, list[Any]]  # key -> one value per contributing return
    returns: int  # how many returns were pooled
    expected: int  # how many were expected (4 quarters in a rolling year)
    support_models: frozenset[str] = frozenset()
    # a rolling year to which every organisation that sent anything sent all four quarters:
    # only such a window is published below national level (generator.calc.disclosure, rule 1)
    complete: bool = True
    # items some return pooled here did not collect (an earlier template version, or "not
    # collected" answered): a value resting on them is partial, whatever the count of returns
    uncollected: frozenset[str] = frozenset()
    # sums already taken, by keys: a breakdown's every category shares one denominator
    sums: dict[tuple[str, ...], float | None] = field(default_factory=dict, compare=False, repr=False)
    moments: dict[tuple[str, ...], tuple[float, float, float] | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    # worked out once here, not once for every indicator's row (a national build has millions)
    level: str = field(init=False, compare=False, repr=False)
    rolling: bool = field(init=False, compare=False, repr=False)
    # set by disclosure control (:func:`generator.calc.disclosure.protect`) before any calculation:
    # the published counts, and whether the bag's figures are published at all (all, stock, "")
    base: dict[tuple[str, ...], disclosure.Count] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )
    counts: disclosure.Counts | None = field(init=False, compare=False, repr=False, default=None)
    published: str = field(init=False, compare=False, repr=False, default="all")
    # an area with several providers: their bags, whose published figures make the area's
    parts: tuple[Bag, ...] = field(init=False, compare=False, repr=False, default=())

    def __post_init__(self) -> None:
        level = "all areas" if self.area_code == NATIONAL else "provider" if self.provider_code else "area"
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "rolling", self.period.startswith("12 months"))

    def set_base(self, base: dict[tuple[str, ...], disclosure.Count]) -> None:
        object.__setattr__(self, "base", base)

    def set_parts(self, parts: Sequence[Bag]) -> None:
        object.__setattr__(self, "parts", tuple(parts))

    def publish(self, kind: str, counts: disclosure.Counts) -> None:
        object.__setattr__(self, "published", kind)
        object.__setattr__(self, "counts", counts)


def _fy(period: str) -> str:
    return period.split(" ")[0]


def rolling_label(quarter: str) -> str:
    return f"12 months to {quarter}"


def pool(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    keys: Collection[str] | None = None,
) -> list[Bag]:
    """Bags per (section, provider / area / all areas, period and rolling 12 months), holding
    the values of ``keys`` only, if given (a part of a section needs only its own)."""
    quarters = periods("quarterly")
    raw: dict[tuple[str, str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    # each return's values of ``keys``, picked once rather than in each of the 15 or so bags it
    # goes into (a part of Section E wants a tenth of a return's values)
    picked = {
        id(r): r["values"] if keys is None else {k: v for k, v in r["values"].items() if k in keys}
        for r in returns
    }
    lacking = {
        id(r): frozenset(
            catalogue.sections[r["section"]].not_collected(str(r.get("template_version", "")), r["values"])
        )
        for r in returns
    }
    for r in returns:
        ident = r["identity"]
        org = registry.organisations.get(ident["organisation_code"])
        provider = ident["organisation_code"] if org is not None and org.role == "provider" else ""
        period = ident["period"]
        units = [(ident["area_code"], provider)] if provider else []
        units += [(ident["area_code"], ""), (NATIONAL, "")]
        sec = r["section"]
        windows = [period]
        if catalogue.sections[sec].frequency == "quarterly":
            i = quarters.index(period)
            windows += [rolling_label(q) for q in quarters[i : i + 4]]
        for area, prov in units:
            for w in windows:
                raw[(sec, area, prov, w)].append(r)
    latest = {
        sec: max(quarters.index(r["identity"]["period"]) for r in returns if r["section"] == sec)
        for sec in {r["section"] for r in returns}
        if catalogue.sections[sec].frequency == "quarterly"
    }
    bags = []
    model = catalogue.target_selector or ""  # which targets apply (IPS or not) depends on it
    for (sec, area, prov, period), rs in sorted(raw.items()):
        rolling = period.startswith("12 months to ")
        if rolling and quarters.index(period.removeprefix("12 months to ")) > latest[sec]:
            continue  # a window reaching past the latest quarter anyone has sent
        values: dict[str, list[Any]] = defaultdict(list)
        for r in rs:
            for k, v in picked[id(r)].items():
                values[k].append(v)
        orgs = {r["identity"]["organisation_code"] for r in rs}
        # expected: every organisation the registry says should send this section, for every
        # quarter of a rolling year; fewer returns than that makes the value "partial"
        role = role_for(catalogue.sections[sec].completed_by)
        n_orgs = (
            1
            if prov
            else sum(
                1
                for o in registry.organisations.values()
                if o.role == role and (area == NATIONAL or o.area_code == area)
            )
        )
        expected = max(n_orgs, len(orgs)) * (4 if rolling else 1)
        # the support model from these very returns (a provider may change model over time)
        sm = frozenset(str(r["values"][model]) for r in rs if model in r["values"])
        sent = Counter(r["identity"]["organisation_code"] for r in rs)
        complete = not rolling or all(n == 4 for n in sent.values())
        uncollected = frozenset().union(*(lacking[id(r)] for r in rs))
        bags.append(Bag(sec, area, prov, period, dict(values), len(rs), expected, sm, complete, uncollected))
    return bags


# -- 3. the method registry -----------------------------------------------------------------
@dataclass
class Value:
    numerator: float | None = None
    denominator: float | None = None
    value: Any = None
    lower_95: float | None = None
    upper_95: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None
    target_value: float | None = None  # profile: the local population's share
    flags: set[str] = field(default_factory=set)
    # below national level: the published count of people the value rests on (the minimums of
    # generator.calc.disclosure apply to it), and the range the value can be in given the published
    # counts, where it has no interval of its own (a cost per outcome, a ratio)
    rests_on: float | None = None
    range_lo: float | None = None
    range_hi: float | None = None


def _count(bag: Bag, keys: tuple[str, ...]) -> disclosure.Count | None:
    """The count of people ``keys`` add up to in ``bag``, as published (see
    :mod:`generator.calc.disclosure`); None where the keys are not a count of people or nothing was
    given for them."""
    return bag.counts.get(keys) if bag.counts is not None else None


def _sum(bag: Bag, keys: tuple[str, ...]) -> float | None:
    """The published sum of ``keys``: a count of people as disclosure control publishes it, or
    money, staff, ratings as given."""
    try:
        return bag.sums[keys]
    except KeyError:
        pass
    if bag.counts is not None and keys and keys[0] in bag.counts.people:
        c = bag.counts.get(keys)
        bag.sums[keys] = c.point if c is not None else None
        return bag.sums[keys]
    values = (
        bag.values.get(keys[0], ()) if len(keys) == 1 else [v for k in keys for v in bag.values.get(k, ())]
    )
    try:  # every value a number (nearly always): the same sum, in the same order, at C speed
        total = float(sum(values)) if values else None
    except TypeError:  # a blank or a word among them: sum the numbers only
        present = [v for v in values if isinstance(v, NUMBER)]
        total = float(sum(present)) if present else None
    bag.sums[keys] = total
    return total


def m_mean(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    return Value(value=round(statistics.fmean(xs), 2) if xs else None)


MEDIAN_OF_AREAS = "median of areas"


def m_given(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """A figure as returned. Several returns' figures (a unit that sent two) are averaged and
    flagged; for all areas, where a survey estimate comes without the counts to pool it, the
    figure is the median of the areas', flagged so that it never passes for a national rate."""
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    if not xs:
        return Value()
    if bag.area_code == NATIONAL and len(xs) > 1:
        return Value(value=round(statistics.median(xs), 1), flags={MEDIAN_OF_AREAS})
    return Value(
        value=xs[0] if len(xs) == 1 else round(statistics.fmean(xs), 1),
        flags=set() if len(xs) == 1 else {"mean of returns"},
    )


def m_same(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    xs = {str(v) for k in spec.numerator for v in bag.values.get(k, [])}
    if not xs:
        return Value()
    return Value(value=xs.pop() if len(xs) == 1 else "mixed")


def m_max(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    c = _count(bag, spec.numerator)
    if c is not None:  # the largest caseload: a count of people, published as one
        lo, hi = (c.lo, c.hi) if _below(bag) else (None, None)
        return Value(value=c.point, flags=_hidden(bag, c, minimum=False), range_lo=lo, range_hi=hi)
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    return Value(value=float(max(xs)) if xs else None)


def _below(bag: Bag) -> bool:
    return bag.area_code != NATIONAL


def _hidden(bag: Bag, c: disclosure.Count | None, minimum: bool = True, column: str = "") -> set[str]:
    """Why a value resting on the published count ``c`` is not shown (an empty set if it is):
    the count is suppressed or withheld (``column`` "denominator": said of the row's
    denominator, so that a reader knows which blank is which), or (``minimum``) below national
    level it is under :data:`generator.calc.disclosure.MIN_SHOWN`."""
    if c is None:
        return set()
    if not c.shown:
        return {f"{column} {c.state}".strip()}
    if minimum and _below(bag) and c.point is not None and c.point < disclosure.MIN_SHOWN:
        return {UNDER_MINIMUM}
    return set()


UNDER_MINIMUM = f"under {disclosure.MIN_SHOWN}"  # the flag of a value resting on too few people


def m_ratio(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """A ratio of sums (a caseload per specialist): the people above the line as published."""
    num, den = _sum(bag, spec.numerator), _sum(bag, spec.denominator)
    den = None if den is None else round(den, 2)  # staff in post (FTE): not people, not rounded to 5
    c = _count(bag, spec.numerator)
    hidden = _hidden(bag, c)
    if hidden:
        return Value(num, den, flags=hidden)
    if num is None or den is None or den == 0:
        return Value(num, den)
    lo, hi = (c.lo, c.hi) if c is not None else (num, num)
    return Value(
        num,
        den,
        round(num / den, 2),
        rests_on=c.point if c is not None and _below(bag) else None,
        range_lo=lo / den,
        range_hi=hi / den,
    )


def m_cost(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """Money over the published count of people it bought outcomes for: its range is the money
    over the highest and the lowest count the published one stands for, and its interval the
    money over the Poisson limits of those counts (the outcomes vary by chance; the money does
    not)."""
    num, den = _sum(bag, spec.numerator), _sum(bag, spec.denominator)
    c = _count(bag, spec.denominator)
    hidden = _hidden(bag, c, column="denominator")
    if hidden:
        return Value(None, den, flags=hidden)
    if num is None or den is None or den == 0:
        return Value(None, den)  # money is published, but never as a numerator beside people
    lo, hi = (c.lo, c.hi) if c is not None else (den, den)
    limits = []  # the money over the Poisson limits of every count the published one stands for
    for z in (stats.Z95, stats.Z998):
        fewest, most = stats.poisson_limits(lo, z)[0], stats.poisson_limits(hi, z)[1]
        limits += [num / most, num / fewest if fewest else None]
    return Value(
        None,
        den,
        round(num / den),
        limits[0],
        limits[1],
        limits[2],
        limits[3],
        rests_on=c.point if c is not None and _below(bag) else None,
        range_lo=num / hi,
        range_hi=num / lo if lo else math.inf,
    )


def _swemwbs(bag: Bag, keys: tuple[str, ...]) -> tuple[float, float, float] | None:
    """(n, mean, variance) of metric scores from counts of raw totals; once per bag and keys
    (the start, end and change indicators all need them)."""
    try:
        return bag.moments[keys]
    except KeyError:
        result = bag.moments[keys] = _moments(bag, keys)
        return result


def _moments(bag: Bag, keys: Sequence[str]) -> tuple[float, float, float] | None:
    n, s, s2 = 0.0, 0.0, 0.0
    for k in keys:
        raw = int(k.rsplit(":s", 1)[-1])
        c = sum(v for v in bag.values.get(k, []) if isinstance(v, NUMBER))
        m = SWEMWBS_METRIC[raw]
        n, s, s2 = n + c, s + c * m, s2 + c * m * m
    if n < 2:
        return None
    mean = s / n
    return n, mean, max(0.0, (s2 - n * mean * mean) / (n - 1))


def _mean_value(bag: Bag, keys: tuple[str, ...]) -> Value:
    got = _estimate(bag, keys)
    if isinstance(got, Hidden):
        return Value(None, got.people, flags=got.flags)
    if got is None:
        return Value()
    return _normal(*got, _below(bag))


@dataclass(frozen=True)
class Hidden:
    """A value not shown, why, and the published count of people it would rest on."""

    flags: set[str]
    people: float | None = None


def _estimate(bag: Bag, keys: tuple[str, ...]) -> tuple[float | None, float, float] | Hidden | None:
    """(people as published, mean, standard error) of the scores under ``keys``; None where no
    one was scored. An area with several providers is their published means weighted by their
    published counts (its own mean, from every score, beside theirs would tie the counts
    down); not shown where any of theirs is not."""
    c = _count(bag, keys)
    if hidden := _hidden(bag, c, column="denominator"):
        return Hidden(hidden, c.point if c is not None else None)
    if bag.parts:
        theirs = [_estimate(p, keys) for p in bag.parts]
        if any(isinstance(t, Hidden) for t in theirs):
            return Hidden({disclosure.WITHHELD}, c.point if c is not None else None)
        given = [t for t in theirs if isinstance(t, tuple) and t[0]]
        weight = sum(t[0] or 0.0 for t in given)
        if not weight:
            return None
        mean = sum((t[0] or 0.0) * round(t[1], 2) for t in given) / weight
        # each one's standard error as its published 95% interval gives it
        ses = [
            (round(t[1] + stats.Z95 * t[2], 2) - round(t[1] - stats.Z95 * t[2], 2)) / (2 * stats.Z95)
            for t in given
        ]
        se = math.sqrt(sum(((t[0] or 0.0) * e) ** 2 for t, e in zip(given, ses, strict=True))) / weight
        return (c.point if c is not None else weight), mean, se
    res = _swemwbs(bag, keys)
    if res is None:
        return None
    n, mean, var = res
    return _people(n, c), mean, math.sqrt(var / n)


def _people(n: float, c: disclosure.Count | None) -> float | None:
    """How many people a mean rests on, as published (rounded below national level)."""
    return n if c is None else c.point


def _normal(n: float | None, centre: float, se: float, below: bool) -> Value:
    """A mean (or difference of means) with normal-theory 95% and 99.8% intervals; below
    national level it rests on its published count of people (the minimum for a verdict)."""
    return Value(
        None,
        n,
        round(centre, 2),
        round(centre - stats.Z95 * se, 2),
        round(centre + stats.Z95 * se, 2),
        round(centre - stats.Z998 * se, 2),
        round(centre + stats.Z998 * se, 2),
        rests_on=n if below else None,
    )


def m_swemwbs_start(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _mean_value(bag, spec.numerator)


def m_swemwbs_end(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _mean_value(bag, spec.denominator)


def m_swemwbs_change(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    """End less start, their intervals as independent samples (conservative: the template
    collects distributions, not pairs), resting on the fewer people."""
    a, b = _estimate(bag, spec.numerator), _estimate(bag, spec.denominator)
    if isinstance(a, Hidden) or isinstance(b, Hidden):
        flags = (a.flags if isinstance(a, Hidden) else set()) | (b.flags if isinstance(b, Hidden) else set())
        people = [x.people if isinstance(x, Hidden) else x[0] if x else None for x in (a, b)]
        known = [p for p in people if p is not None]
        return Value(None, min(known) if known else None, flags=flags)
    if a is None or b is None:
        return Value()
    fewer = min(x for x in (a[0], b[0]) if x is not None) if a[0] is not None or b[0] is not None else None
    return _normal(fewer, b[1] - a[1], math.sqrt(a[2] ** 2 + b[2] ** 2), _below(bag))


def m_rating_total(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    per_key = [[v for v in bag.values.get(k, []) if isinstance(v, NUMBER)] for k in spec.numerator]
    if not all(per_key):
        return Value(flags={"partial"} if any(per_key) else set())
    return Value(value=round(sum(statistics.fmean(xs) for xs in per_key), 2))


METHOD_TEXT = {  # short, per row: the Notes sheet and the data dictionary explain each in full
    "proportion": "Wilson score interval",
    "event_rate": "Poisson interval (events per person)",
    "sum": "sum of returns",
    "mean": "mean of returns",
    "given": "as returned",
    "same": "as returned, or 'mixed'",
    "ratio": "ratio of sums at each quarter-end; over 12 months their mean",
    "max": "largest of the returns' values",
    "cost_per_outcome": "cost incl. overheads / outcomes; Poisson interval on the outcomes",
    "profile": "Wilson score interval; vs local population",
    "swemwbs_start": "SWEMWBS metric mean (Rasch-converted)",
    "swemwbs_end": "SWEMWBS metric mean (Rasch-converted)",
    "swemwbs_change": "difference of SWEMWBS metric means",
    "rating_total": "sum of ratings",
}

METHOD_WORDS = {  # the methods page and indicator pages: METHOD_TEXT in a sentence
    "proportion": "numerator divided by denominator, as a percentage",
    "event_rate": "events (which can be more than the people) divided by people, as a percentage",
    "sum": "the total of the providers' returns (over four quarters, for a 12-month value)",
    "mean": "the mean of the returns",
    "given": "as returned",
    "same": "as returned; where returns differ, 'mixed'",
    "max": "the largest returned value",
    "ratio": "one total divided by the other at each quarter-end; over 12 months, the mean of the four",
    "cost_per_outcome": "total cost, including overheads, divided by the number of job outcomes",
    "profile": "each group's share of new referrals, next to its share of the local population",
    "swemwbs_start": "mean SWEMWBS metric score, each raw total converted with the Rasch table",
    "swemwbs_end": "mean SWEMWBS metric score, each raw total converted with the Rasch table",
    "swemwbs_change": "difference between the mean SWEMWBS metric scores at the end and the start",
    "rating_total": "the total of the ratings",
}


# -- 4. the published rows ------------------------------------------------------------------
COLUMNS = (
    "area_code",
    "area_name",
    "provider_code",
    "provider_name",
    "period",
    "indicator_id",
    "indicator_title",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "unit",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "target",
    "comparison_target",
    "comparison_all_areas",
    "quartile",
    "trend",
    "flags",
    "method",
    # beyond the required columns: what a chart or a careful reader needs
    "section",
    "level",
    "breakdown_label",
    "polarity",
    "all_areas_value",
    "funnel_lower_95",
    "funnel_upper_95",
    "funnel_lower_998",
    "funnel_upper_998",
    "funnel_p0",
    "funnel_tau2",
    "comparison_funnel",
    "headline",
    "rank",
    "value_label",
    # the verdicts as codes (generator/calc/verdicts.py), for filtering and for the site
    "comparison_target_code",
    "comparison_all_areas_code",
    "comparison_all_areas_basis",
    "comparison_funnel_code",
    "trend_code",
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
}


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


def calculate(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    sections: set[str] | None = None,
    indicators: Collection[str] | None = None,
    unprotected: bool = False,
) -> list[dict[str, Any]]:
    """The whole published table (or ``sections``' part of it, or ``indicators``'), with
    disclosure control (see :mod:`generator.calc.disclosure`), as rows. ``unprotected``: with every
    count exact instead (the truth the tests score the disclosure attacker against)."""
    return to_rows(calculate_table(returns, catalogue, registry, sections, indicators, unprotected))


ROW_KEYS = COLUMNS


def calculate_table(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    sections: set[str] | None = None,
    indicators: Collection[str] | None = None,
    unprotected: bool = False,
) -> Table:
    """:func:`calculate`, column by column: an indicator's rows are worked out together, the
    arithmetic on arrays (numpy), so a national build does not run the same Python for each of
    a million and a half rows. Rows come indicator by indicator, period by period (in the
    order the periods first appear among the units), units in order within a period."""
    wanted = [
        s
        for s in specs(catalogue)
        if (sections is None or s.section in sections)
        and (indicators is None or s.indicator_id in indicators)
    ]
    keys = {k for s in wanted for k in (*s.numerator, *s.denominator, *s.reference)}
    # whole families of counts: a total is checked against all its breakdowns, so a part of a
    # section must pool them all to publish the same counts as the whole section
    structures = {s: disclosure.structure(catalogue, s) for s in catalogue.sections}
    keys = {k2 for k in keys for st in structures.values() for k2 in st.family.get(k, {k})}
    bags = pool(returns, catalogue, registry, keys)
    context = {(b.area_code, b.period): b for b in bags if b.section == "A" and not b.provider_code}
    by_section: dict[str, list[Bag]] = defaultdict(list)
    for b in bags:
        by_section[b.section].append(b)
    for letter, section_bags in by_section.items():
        disclosure.protect(section_bags, catalogue, letter, keys, unprotected)
    names = {o.area_code: o.area_name for o in registry.organisations.values()}
    orgs = {o.code: o.name for o in registry.organisations.values()}
    # each bag's local population context and names, once, not once per indicator
    units = {
        letter: [
            Unit(
                bag,
                context.get((bag.area_code, _fy(bag.period.removeprefix("12 months to ")))),
                names.get(bag.area_code, "All areas"),
                orgs.get(bag.provider_code, ""),
            )
            for bag in section_bags
        ]
        for letter, section_bags in by_section.items()
    }
    table: Table = {k: [] for k in ROW_KEYS}
    for spec in wanted:
        kind = _publishable(spec, structures[spec.section])
        found = METHODS[spec.method](
            spec,
            [
                u
                for u in units.get(spec.section, [])
                if not (spec.per_period_only and u.bag.rolling)
                and (u.bag.published == "all" or u.bag.published == kind)
                and (kind != "national" or u.bag.area_code == NATIONAL)
            ],
        )
        for k, values in _spec_columns(spec, found).items():
            table[k].extend(values)
    return table


def _publishable(spec: Spec, st: disclosure.Structure) -> str:
    """Where a spec's rows are published below national level, by the counts it rests on:
    'all' (wherever its bag is), 'stock' (also each quarter: no count of people it uses adds up
    over time), or 'national' (a distribution's counts, for all areas only)."""
    keys = {*spec.numerator, *spec.denominator}
    people = {k for c in st.cells for k in c}
    if spec.method not in ("swemwbs_start", "swemwbs_end", "swemwbs_change") and any(
        (k,) in st.unpublished for k in keys
    ):
        return "national"
    stock = {k for c in st.stock for k in c}
    return "stock" if all(k not in people or k in stock for k in keys) else "all"


@dataclass(frozen=True)
class Unit:
    """A bag with what every indicator's row for it needs besides its value."""

    bag: Bag
    context: Bag | None  # Section A for its area and year: the local population
    area_name: str
    provider_name: str


@dataclass
class Found:
    """One indicator's values for the units that have one, column by column."""

    units: list[Unit]
    numerator: list[float | None]
    denominator: list[float | None]
    value: list[Any]
    lower_95: list[float | None]
    upper_95: list[float | None]
    lower_998: list[float | None]
    upper_998: list[float | None]
    target_value: list[float | None]
    flags: list[frozenset[str]]
    rests_on: list[float | None]  # see Value
    range_lo: list[float | None]
    range_hi: list[float | None]

    def take(self, order: Sequence[int]) -> Found:
        """The rows in ``order``."""
        return Found(**take(vars(self), order))


NO_FLAGS: frozenset[str] = frozenset()
NO_DENOMINATOR = frozenset({"no denominator"})


def _sums(spec: Spec, units: list[Unit]) -> Found:
    """Counts and money: the numerator's sum for every unit that has any (two rows in five); a
    count of people as published, a suppressed or withheld one blank with its flag."""
    counts = [_count(u.bag, spec.numerator) for u in units]
    sums = [_sum(u.bag, spec.numerator) if c is None else c.point for u, c in zip(units, counts, strict=True)]
    keep = [
        i for i, (total, c) in enumerate(zip(sums, counts, strict=True)) if total is not None or c is not None
    ]
    none: list[float | None] = [None] * len(keep)  # one list for every blank column: read only
    spans = [
        (c.lo, c.hi) if (c := counts[i]) is not None and _below(units[i].bag) else (None, None) for i in keep
    ]
    return Found(
        [units[i] for i in keep],
        numerator=none,
        denominator=none,
        value=[sums[i] for i in keep],
        lower_95=none,
        upper_95=none,
        lower_998=none,
        upper_998=none,
        target_value=none,
        flags=[_state_flags(counts[i]) for i in keep],
        # a count of people is judged against a target over the range its published figure
        # stands for (money and other sums are exact)
        rests_on=none,
        range_lo=[r[0] for r in spans],
        range_hi=[r[1] for r in spans],
    )


def _state_flags(c: disclosure.Count | None) -> frozenset[str]:
    return NO_FLAGS if c is None or c.shown else _FLAG[c.state]


_FLAG = {s: frozenset({s}) for s in disclosure.HIDDEN}


def _each(method: Method) -> Evaluate:
    """A method that works on one bag at a time, for every unit."""

    def evaluate(spec: Spec, units: list[Unit]) -> Found:
        kept, values = [], []
        for unit in units:
            v = method(spec, unit.bag, unit.context)
            if v.value is None and v.numerator is None and v.denominator is None and not v.flags:
                continue
            kept.append(unit)
            values.append(v)
        return Found(
            kept,
            [v.numerator for v in values],
            [v.denominator for v in values],
            [v.value for v in values],
            [v.lower_95 for v in values],
            [v.upper_95 for v in values],
            [v.lower_998 for v in values],
            [v.upper_998 for v in values],
            [v.target_value for v in values],
            [frozenset(v.flags) for v in values],
            [v.rests_on for v in values],
            [v.range_lo for v in values],
            [v.range_hi for v in values],
        )

    return evaluate


def _ratios(spec: Spec, units: list[Unit]) -> Found:
    """A caseload per specialist: at each quarter-end, the unit's published caseload over its
    staff (an area's providers' caseloads and staff added up first); over 12 months, as the
    definition says, the mean of the four quarter-ends' ratios (not the ratio of the sums), its
    range the mean of theirs, resting on the smallest quarter-end caseload. Its numerator and
    denominator are left blank: summed over the four quarter-ends they would not divide into
    it (the quarters' rows show theirs). A window that is not shown for some quarter is not
    shown either, with that quarter's flags."""
    found = _each(m_ratio)(spec, units)
    at = {(u.bag.area_code, u.bag.provider_code, u.bag.period): j for j, u in enumerate(found.units)}
    for j, u in enumerate(found.units):
        b = u.bag
        if not b.rolling:
            continue
        found.numerator[j] = found.denominator[j] = None
        qs = [at.get((b.area_code, b.provider_code, q)) for q in disclosure.quarters_of(b.period)]
        rows = [i for i in qs if i is not None]
        hidden = [i for i in rows if not isinstance(found.value[i], NUMBER)]
        if hidden or not rows:
            found.value[j] = found.range_lo[j] = found.range_hi[j] = None
            found.flags[j] = frozenset().union(*(found.flags[i] for i in hidden))
            continue
        ratios = [(found.numerator[i] or 0.0) / (found.denominator[i] or 1.0) for i in rows]
        found.value[j] = round(statistics.fmean(ratios), 2)
        los, his = [found.range_lo[i] for i in rows], [found.range_hi[i] for i in rows]
        if all(x is not None for x in (*los, *his)):
            found.range_lo[j] = statistics.fmean(x for x in los if x is not None)
            found.range_hi[j] = statistics.fmean(x for x in his if x is not None)
        rests = [r for i in rows if (r := found.rests_on[i]) is not None]
        found.rests_on[j] = min(rests) if rests else None
    return found


def _proportions(spec: Spec, units: list[Unit]) -> Found:
    """Rates with Wilson intervals for every unit that has a numerator or a denominator, on
    arrays, by the same floating-point steps as :func:`stats.wilson`; for a profile, each area's
    local population share beside it.

    Below national level the rate is the published numerator over the published denominator,
    and its interval the union of the Wilson intervals of every pair of counts the published
    pair stands for (:mod:`generator.calc.disclosure`): from the lowest numerator over the highest
    denominator to the highest over the lowest. National counts are exact, and so is all this.
    Events set against people (an event rate, which can pass 100%) have Poisson limits on the
    events instead (:func:`stats.poisson_limits`), over the people, the same way round."""
    events = spec.method == "event_rate"
    counts = [(_count(u.bag, spec.numerator), _count(u.bag, spec.denominator)) for u in units]
    keep = [i for i, (x, n) in enumerate(counts) if x is not None or n is not None]
    kept = [units[i] for i in keep]
    m = len(kept)
    none: list[float | None] = [None] * m
    num, den = none[:], none[:]
    value, lo95, hi95, lo998, hi998 = none[:], none[:], none[:], none[:], none[:]
    rests_on = none[:]
    flags: list[frozenset[str]] = [NO_FLAGS] * m
    rated, box = [], []
    for j, i in enumerate(keep):
        x, n = counts[i]
        bag = kept[j].bag
        num[j] = x.point if x is not None else None
        den[j] = n.point if n is not None else None
        if _below(bag) and n is not None:
            rests_on[j] = n.point
        hidden = _hidden(bag, x, minimum=False) | _hidden(bag, n, minimum=False, column="denominator")
        if not hidden:
            hidden = _hidden(bag, n)
        if hidden:
            flags[j] = frozenset(hidden)
            continue
        if den[j] == 0 and num[j] is not None:
            flags[j] = NO_DENOMINATOR
            continue
        if x is None or n is None or x.point is None or n.point is None or n.point <= 0:
            continue
        xhi = x.hi if events else min(x.hi, n.hi)
        rated.append(j)
        box.append((x.point, n.point, x.lo, n.hi, xhi, n.lo if events else max(n.lo, xhi)))
    if rated:
        cols = np.array(box, dtype=float).T
        limits = _poisson_percent if events else _wilson_percent
        point = limits(cols[0], cols[1])
        low = limits(cols[2], cols[3])
        high = limits(cols[4], cols[5])
        for target, col in zip(
            (value, lo95, hi95, lo998, hi998), (point[0], low[1], high[2], low[3], high[4]), strict=True
        ):
            for j, c in zip(rated, col, strict=True):
                target[j] = c
    target_value: list[float | None] = none[:]
    if spec.method == "profile":  # not for all areas: populations are not collected to weight
        for j, unit in enumerate(kept):  # the areas' shares by, and their mean is no national share
            if unit.context is not None and unit.bag.area_code != NATIONAL:
                ref = [
                    x for k in spec.reference for x in unit.context.values.get(k, []) if isinstance(x, NUMBER)
                ]
                if ref:
                    target_value[j] = float(ref[0]) if len(ref) == 1 else statistics.fmean(ref)
    return Found(kept, num, den, value, lo95, hi95, lo998, hi998, target_value, flags, rests_on, none, none)


def _wilson_percent(x: np.ndarray, n: np.ndarray) -> list[list[float | None]]:
    """Value and Wilson 95% and 99.8% limits, as percentages, for x of n (n > 0): the steps of
    :func:`stats.wilson` in its order, so every figure is the same double; Python's max() and
    min() as np.where (they keep 0 and 1 where the limit is NaN, as np.maximum would not). Where
    Python's arithmetic would raise (a numerator above its denominator; a denominator so small
    that 4n² is nothing), the scalar function is run to raise just as it always has."""
    with np.errstate(all="ignore"):
        p = x / n
        out = [100 * p]
        for z in (stats.Z95, stats.Z998):
            zz = z * z
            radicand = p * (1 - p) / n + zz / (4 * n * n)
            if (radicand < 0).any() or (4 * n * n == 0).any():
                for xi, ni in zip(x.tolist(), n.tolist(), strict=True):
                    stats.wilson(xi, ni, z)
            denom = 1 + zz / n
            centre = p + zz / (2 * n)
            half = z * np.sqrt(radicand)
            lo, hi = (centre - half) / denom, (centre + half) / denom
            lo = np.where(x == 0, 0.0, np.where(lo > 0.0, lo, 0.0))
            hi = np.where(x == n, 1.0, np.where(hi < 1.0, hi, 1.0))
            out += [100 * lo, 100 * hi]
    return [[None if c != c else c for c in col.tolist()] for col in out]


def _poisson_percent(x: np.ndarray, n: np.ndarray) -> list[list[float | None]]:
    """Value and Poisson 95% and 99.8% limits, as percentages, for x events among n people."""
    out: list[list[float | None]] = [(100 * x / n).tolist()]
    for z in (stats.Z95, stats.Z998):
        pairs = [stats.poisson_limits(xi, z) for xi in x.tolist()]
        out += [[100 * lo / ni for (lo, _), ni in zip(pairs, n.tolist(), strict=True)]]
        out += [[100 * hi / ni for (_, hi), ni in zip(pairs, n.tolist(), strict=True)]]
    return out


Method = Callable[[Spec, Bag, "Bag | None"], Value]  # one bag (and its local population)
Evaluate = Callable[[Spec, list[Unit]], Found]  # every unit at once
METHODS: dict[str, Evaluate] = {
    "proportion": _proportions,
    "event_rate": _proportions,
    "sum": _sums,
    "mean": _each(m_mean),
    "given": _each(m_given),
    "same": _each(m_same),
    "ratio": _ratios,
    "max": _each(m_max),
    "cost_per_outcome": _each(m_cost),
    "profile": _proportions,
    "swemwbs_start": _each(m_swemwbs_start),
    "swemwbs_end": _each(m_swemwbs_end),
    "swemwbs_change": _each(m_swemwbs_change),
    "rating_total": _each(m_rating_total),
}


def _comparable(spec: Spec) -> bool:
    """Rates, scores, ratios and costs per outcome compare across areas; totals (counts of people,
    money, yes/no, choices) depend on an area's size and do not."""
    return spec.unit in ("percent", "score", "ratio") or spec.method in ("cost_per_outcome", "mean", "given")


def _floats(xs: Iterable[Any]) -> np.ndarray:
    """Numbers as doubles, anything else (None, text) as NaN."""
    return np.array([float(x) if isinstance(x, NUMBER) else math.nan for x in xs], dtype=float)


def _spec_columns(spec: Spec, found: Found) -> Table:
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
        if len(with_den) >= stats.MIN_FUNNEL_AREAS:  # the pooled share and overdispersion of the
            fun = stats.funnel(  # areas' published counts
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
        cols = stats.funnel_limits(den[rows], p0[rows], tau2[rows])
        rounded = [stats.rounded([None if x != x else x for x in (100 * c).tolist()], 2) for c in cols]
        for j, i in enumerate(rows.tolist()):
            limits[0][i], limits[1][i], limits[2][i], limits[3][i] = (r[j] for r in rounded)
        flagged = [i for i in rows.tolist() if enough[i] and all(lim[i] is not None for lim in limits)]
        if flagged:
            codes = _funnel_flags(spec, [bags[i] for i in flagged], p0[flagged], tau2[flagged])
            for i, c in zip(flagged, codes, strict=True):
                comp_funnel[i] = c

    trends = _trends_of(spec, f, value)
    method = METHOD_TEXT[spec.method]
    comp_all_list = [
        "" if c is None else verdicts.with_basis(c, b) for c, b in zip(comp_code, comp_basis, strict=True)
    ]
    judged_targets = spec.method == "profile" or bool(spec.benchmarks) or spec.scale_range is not None
    targets = (
        [
            _targets(
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
        else [("", "", "")] * m
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
        "target": [t for t, _, _ in targets],
        "comparison_target": [c for _, c, _ in targets],
        "comparison_target_code": [c for _, _, c in targets],
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
        "value_label": [_wording(spec, v) for v in value] if spec.wording else [""] * m,
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
        x, n = _count(bag, spec.numerator), _count(bag, spec.denominator)
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
    lo95, hi95, lo998, hi998 = stats.funnel_limits(nn, p0[at], tau2[at])
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
    out[lo > value] = stats._direction(stats.HIGHER, polarity)
    out[hi < value] = stats._direction(stats.LOWER, polarity)
    out[np.isnan(lo) | np.isnan(hi) | np.isnan(value)] = Verdict.NOT_ASSESSED
    return out


def _compare_points(x: np.ndarray, value: np.ndarray, polarity: stats.Polarity) -> np.ndarray:
    """:func:`stats.compare_point` for every row at once."""
    out = np.full(len(x), stats._direction(stats.LOWER, polarity), dtype=object)
    out[x > value] = stats._direction(stats.HIGHER, polarity)
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


def _targets(
    spec: Spec,
    bag: Bag,
    f: Found,
    i: int,
    value: Sequence[Any],
    lower: Sequence[Any],
    upper: Sequence[Any],
    enough: bool,
    partial: bool = False,
) -> tuple[str, str, str]:
    """The targets that apply to one row, and its value (as published) judged against each, in
    words and as codes: by its interval, else by the range its published counts leave, else by
    the value; not judged where it rests on too few people or on a partial window."""
    v = value[i]
    numeric = isinstance(v, NUMBER)
    point = float(v) if numeric else math.nan
    rlo, rhi = f.range_lo[i], f.range_hi[i]
    lo: float = (point if rlo is None else rlo) if (low := lower[i]) is None else float(low)
    hi: float = (point if rhi is None else rhi) if (high := upper[i]) is None else float(high)
    targets: list[str] = []
    judged: list[tuple[str, Verdict, dict[str, str]]] = []  # (label, verdict, its parameters)
    unjudged = Verdict.PARTIAL_WINDOW if partial else Verdict.TOO_FEW_PEOPLE if not enough else None
    tv = f.target_value[i]
    if spec.method == "profile" and tv is not None:
        targets.append(f"local population {tv:g}%")
        word = stats.compare_interval(lo, hi, tv, "no_judgement")
        code = unjudged or {
            stats.HIGHER: Verdict.OVER_REPRESENTED,
            stats.LOWER: Verdict.UNDER_REPRESENTED,
            Verdict.NOT_ASSESSED: Verdict.NOT_ASSESSED,
        }.get(word, Verdict.SIMILAR_TO_POPULATION)
        judged.append(("", code, {}))
    if spec.scale_range is not None and numeric:
        bottom, top = spec.scale_range
        middle = (bottom + top) / 2
        targets.append(f"middle of the scale {middle:g} ({bottom:g} to {top:g})")
        code = Verdict.LOWER_HALF_OF_SCALE if point < middle else Verdict.UPPER_HALF_OF_SCALE
        judged.append(("", code, {}))  # a rating, not a sample: no interval, no minimum
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
    words = "; ".join(
        f"{label}: {verdicts.say(c, **p)}" if label else verdicts.say(c, **p) for label, c, p in judged
    )
    return "; ".join(targets), words, verdicts.join(c for _, c, _ in judged)


def _trends_of(spec: Spec, f: Found, value: Sequence[Any]) -> list[tuple[str, str]]:
    """Each series' trend, once, on its latest row (Fingertips' recent trend; the other rows are
    blank, so no period is tested again a quarter later). A series is of periods that do not
    overlap, ending at the latest: for all areas, quarters (a rolling year points to them);
    below national level, where quarters are not published, the 12-month windows ending in the
    latest window's quarter of each year; years; a stock's quarters. The test takes the latest
    :data:`stats.MIN_TREND_PERIODS` places, a missing one being a gap, not a step closer. Only
    percentages of people made from counts are tested (:func:`stats.trends`, on the published
    counts and over the range each stands for); any other value is not. Each row gets the
    trend's words and its code."""
    out: list[Verdict | None] = [None] * len(f.units)
    have_of: dict[int, int] = {}  # periods a too-short series holds, for its words
    counted = spec.unit == "percent" and spec.method in ("proportion", "profile", "event_rate")
    quarters, position = _positions("quarterly"), _positions(spec.frequency)
    series: dict[tuple[str, str, bool], dict[int, int]] = defaultdict(dict)  # -> place -> row
    for i, u in enumerate(f.units):
        b = u.bag
        if b.rolling and not _below(b):
            out[i] = Verdict.SEE_QUARTERS
            continue
        place = quarters.get(b.period.removeprefix("12 months to ")) if b.rolling else position.get(b.period)
        if place is None:  # not a period of the indicator's frequency: a series of none
            if counted or isinstance(value[i], NUMBER):
                out[i], have_of[i] = Verdict.TOO_FEW_PERIODS, 0
            continue
        series[(b.area_code, b.provider_code, b.rolling)][place] = i
    width = stats.MIN_TREND_PERIODS
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
            lo[s, j], hi[s, j] = _range(_count(f.units[i].bag, spec.numerator), xs[s, j])
            nlo[s, j], nhi[s, j] = _range(_count(f.units[i].bag, spec.denominator), ns[s, j])
            nlo[s, j] = max(nlo[s, j], 1.0)
    events = spec.method == "event_rate"
    codes = (
        stats.trends(xs, ns, spec.polarity, x_lo=lo, x_hi=hi, events=events, n_lo=nlo, n_hi=nhi)
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
        else (verdicts.say(c, have=have_of.get(i, 0), need=stats.MIN_TREND_PERIODS), str(c))
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


def _wording(spec: Spec, value: Any) -> str:
    """A rating's or choice's words for its value; an area's mean between points has none."""
    if not spec.wording or value is None:
        return ""
    key = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return spec.wording.get(key, "")


def _r(x: Any) -> Any:
    return round(x, 2) if isinstance(x, float) else x


__all__ = ["COLUMNS", "METHODS", "Spec", "calculate", "calculate_table", "pool", "resolve", "specs"]
