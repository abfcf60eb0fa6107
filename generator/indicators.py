"""Every indicator in the catalogue, calculated per provider, per area and for all areas.

Three steps, each a pure function:

1. :func:`specs` turns the catalogue into indicator specifications: which input keys make the
   numerator and denominator, the method (a registry key), unit, polarity and benchmarks.
   Items and derived indicators alike; adding one to the catalogue adds it here.
2. :func:`pool` adds up returns into "bags" per section, unit (provider, area, all areas) and
   period (each return's own period, and rolling 12 months for quarterly sections). Areas are
   pooled from their providers' numerators and denominators, never by averaging percentages.
3. :func:`calculate` evaluates each spec on each bag (the method registry), then compares
   areas with the documents' targets, with all areas (interval rule at 95% and 99.8%),
   with funnel limits, quartiles and trends.
"""

from __future__ import annotations

import bisect
import functools
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import stats
from .catalogue import Benchmark, Catalogue, Derived, Item
from .layout import periods
from .registry import Registry, role_for

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


def _bms(benchmarks: Iterable[Benchmark], category: str = "") -> tuple[Benchmark, ...]:
    return tuple(b for b in benchmarks if b.category in (None, category or None))


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
                        benchmarks=_bms(item.benchmarks, code),
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
                            benchmarks=_bms(item.benchmarks, code),
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
    if d.method in ("proportion", "ratio", "cost_per_outcome"):
        num = ins.get("numerator") or ins.get("cost") or ins[roles[0]]
        den = ins.get("denominator") or ins.get("outcomes") or ins[roles[1]]
        unit = {"proportion": "percent", "ratio": "ratio", "cost_per_outcome": "gbp"}[d.method]
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
            )
            for role, keys in ins.items()
        ]
    raise ValueError(f"{d.id}: no calculation for method {d.method!r}")


def _profile_specs(d: Derived, base: Spec, catalogue: Catalogue) -> list[Spec]:
    """Intake (or job) shares by category against the local population's shares (Section A)."""
    intake_ref = d.inputs.get("intake") or next(iter(d.inputs.values()))
    pop_ref = d.inputs.get("population") or list(d.inputs.values())[1]
    head = intake_ref[0]
    item = catalogue.item_index[head.split(":")[0].split(".")[0]]
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
    # sums already taken, by keys: a breakdown's every category shares one denominator
    sums: dict[tuple[str, ...], float | None] = field(default_factory=dict, compare=False, repr=False)
    moments: dict[tuple[str, ...], tuple[float, float, float] | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    # worked out once here, not once for every indicator's row (a national build has millions)
    level: str = field(init=False, compare=False, repr=False)
    rolling: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        level = "all areas" if self.area_code == NATIONAL else "provider" if self.provider_code else "area"
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "rolling", self.period.startswith("12 months"))


def _fy(period: str) -> str:
    return period.split(" ")[0]


def rolling_label(quarter: str) -> str:
    return f"12 months to {quarter}"


SUPPORT_MODEL = "E01_support_model"  # which targets apply (IPS or not) depends on it


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
    for (sec, area, prov, period), rs in sorted(raw.items()):
        rolling = period.startswith("12 months to ")
        if rolling and quarters.index(period.removeprefix("12 months to ")) > latest[sec]:
            continue  # a window reaching past the latest quarter anyone has sent
        values: dict[str, list[Any]] = defaultdict(list)
        for r in rs:
            for k, v in r["values"].items():
                if keys is None or k in keys:
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
        sm = frozenset(str(r["values"][SUPPORT_MODEL]) for r in rs if SUPPORT_MODEL in r["values"])
        bags.append(Bag(sec, area, prov, period, dict(values), len(rs), expected, sm))
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


def _sum(bag: Bag, keys: tuple[str, ...]) -> float | None:
    try:
        return bag.sums[keys]
    except KeyError:
        pass
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


def _proportion(num: float | None, den: float | None) -> Value:
    if num is None or den is None:
        return Value(num, den)
    if den == 0:
        return Value(num, den, flags={"no denominator"})
    iv = stats.proportion(num, den)
    pct = [
        None if stats.isnan(x) else 100 * x
        for x in (iv.value, iv.lower_95, iv.upper_95, iv.lower_998, iv.upper_998)
    ]
    return Value(num, den, pct[0], pct[1], pct[2], pct[3], pct[4])


def m_proportion(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _proportion(_sum(bag, spec.numerator), _sum(bag, spec.denominator))


def m_sum(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return Value(value=_sum(bag, spec.numerator))


def m_mean(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    return Value(value=round(statistics.fmean(xs), 2) if xs else None)


def m_given(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    if not xs:
        return Value()
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
    xs = [v for k in spec.numerator for v in bag.values.get(k, []) if isinstance(v, NUMBER)]
    return Value(value=float(max(xs)) if xs else None)


def m_ratio(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    num, den = _sum(bag, spec.numerator), _sum(bag, spec.denominator)
    if num is None or den is None or den == 0:
        return Value(num, den)
    return Value(num, den, round(num / den, 2))


def m_cost(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    num, den = _sum(bag, spec.numerator), _sum(bag, spec.denominator)
    if num is None or den is None or den == 0:
        return Value(None, den)  # money is published, but never as a numerator beside people
    return Value(None, den, round(num / den))


def m_profile(spec: Spec, bag: Bag, context: Bag | None) -> Value:
    v = m_proportion(spec, bag, context)
    if context is not None:
        ref = [x for k in spec.reference for x in context.values.get(k, []) if isinstance(x, NUMBER)]
        if ref:
            v.target_value = float(ref[0]) if len(ref) == 1 else statistics.fmean(ref)
    return v


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


def _mean_value(res: tuple[float, float, float] | None) -> Value:
    if res is None:
        return Value()
    n, mean, var = res
    return _normal(n, mean, math.sqrt(var / n))


def _normal(n: float, centre: float, se: float) -> Value:
    """A mean (or difference of means) with normal-theory 95% and 99.8% intervals."""
    return Value(
        None,
        n,
        round(centre, 2),
        round(centre - stats.Z95 * se, 2),
        round(centre + stats.Z95 * se, 2),
        round(centre - stats.Z998 * se, 2),
        round(centre + stats.Z998 * se, 2),
    )


def m_swemwbs_start(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _mean_value(_swemwbs(bag, spec.numerator))


def m_swemwbs_end(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    return _mean_value(_swemwbs(bag, spec.denominator))


def m_swemwbs_change(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    a, b = _swemwbs(bag, spec.numerator), _swemwbs(bag, spec.denominator)
    if a is None or b is None:
        return Value()
    d = b[1] - a[1]
    se = math.sqrt(a[2] / a[0] + b[2] / b[0])  # start and end treated as independent: conservative
    return _normal(min(a[0], b[0]), d, se)


def m_rating_total(spec: Spec, bag: Bag, _: Bag | None) -> Value:
    per_key = [[v for v in bag.values.get(k, []) if isinstance(v, NUMBER)] for k in spec.numerator]
    if not all(per_key):
        return Value(flags={"partial"} if any(per_key) else set())
    return Value(value=round(sum(statistics.fmean(xs) for xs in per_key), 2))


Method = Callable[[Spec, Bag, "Bag | None"], Value]
METHODS: dict[str, Method] = {
    "proportion": m_proportion,
    "sum": m_sum,
    "mean": m_mean,
    "given": m_given,
    "same": m_same,
    "ratio": m_ratio,
    "max": m_max,
    "cost_per_outcome": m_cost,
    "profile": m_profile,
    "swemwbs_start": m_swemwbs_start,
    "swemwbs_end": m_swemwbs_end,
    "swemwbs_change": m_swemwbs_change,
    "rating_total": m_rating_total,
}
METHOD_TEXT = {  # short, per row: the Notes sheet and the data dictionary explain each in full
    "proportion": "Wilson score interval",
    "sum": "sum of returns",
    "mean": "mean of returns",
    "given": "as returned",
    "same": "as returned",
    "ratio": "ratio of sums",
    "max": "largest of the returns' values",
    "cost_per_outcome": "cost incl. overheads / outcomes",
    "profile": "Wilson score interval; vs local population",
    "swemwbs_start": "SWEMWBS metric mean (Rasch-converted)",
    "swemwbs_end": "SWEMWBS metric mean (Rasch-converted)",
    "swemwbs_change": "difference of SWEMWBS metric means",
    "rating_total": "sum of ratings",
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
    "comparison_funnel",
    "headline",
    "rank",
    "value_label",
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
    "target": "the targets and benchmarks from the source documents that apply, with their source",
    "comparison_target": "the value judged against each target, in words",
    "comparison_all_areas": "better, worse or not significantly different from all areas, and at what level",
    "quartile": "the area's quartile among all areas (1 = lowest values), where at least 4 areas report",
    "trend": "the change over time, in words, where there are enough periods",
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
    "comparison_funnel": "inside or outside the funnel limits",
    "headline": "True for a headline indicator",
    "rank": "the area's rank among areas where a higher or lower value is clearly better (1 = best)",
    "value_label": "the wording of a rating's scale point, or an answer's label",
}


def _applies(b: Benchmark, models: frozenset[str]) -> bool:
    if b.applies_to == "all":
        return True
    if not models:
        return False
    wanted = {"ips": {"ips_smi", "ips_beyond_smi"}}.get(b.applies_to, {b.applies_to})
    return models <= wanted


def target_text(b: Benchmark) -> str:
    unit = {"percent": "%", "gbp": "", "count": "", "months": " months", "weeks": " weeks", "score": ""}[
        b.unit
    ]
    money = "£" if b.unit == "gbp" else ""
    if b.kind in ("minimum", "maximum", "reference"):
        word = {"minimum": "at least ", "maximum": "at most ", "reference": "reference "}[b.kind]
        assert b.value is not None
        return f"{word}{money}{stats.fmt_num(b.value)}{unit} ({b.label}; source {b.source.document})"
    assert b.low is not None and b.high is not None
    span = f"{money}{stats.fmt_num(b.low)}{unit} to {money}{stats.fmt_num(b.high)}{unit}"
    word = {"range": "", "look_at": "look at values outside ", "typical_range": "typically "}[b.kind]
    return f"{word}{span} ({b.label}; source {b.source.document})"


def calculate(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    sections: set[str] | None = None,
    indicators: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """The whole published table (or ``sections``' part of it, or ``indicators``'), before
    disclosure control (see :mod:`generator.disclosure`)."""
    wanted = [
        s
        for s in specs(catalogue)
        if (sections is None or s.section in sections)
        and (indicators is None or s.indicator_id in indicators)
    ]
    keys = {k for s in wanted for k in (*s.numerator, *s.denominator, *s.reference)}
    bags = pool(returns, catalogue, registry, keys)
    context = {(b.area_code, b.period): b for b in bags if b.section == "A" and not b.provider_code}
    by_section: dict[str, list[Bag]] = defaultdict(list)
    for b in bags:
        by_section[b.section].append(b)
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
    rows: list[dict[str, Any]] = []
    for spec in wanted:
        method = METHODS[spec.method]
        spec_rows = []
        for unit in units.get(spec.section, []):
            if spec.per_period_only and unit.bag.rolling:
                continue
            v = method(spec, unit.bag, unit.context)
            if v.value is None and v.numerator is None and v.denominator is None:
                continue
            spec_rows.append((unit, v))
        rows.extend(_compare(spec, spec_rows))
    return rows


@dataclass(frozen=True)
class Unit:
    """A bag with what every indicator's row for it needs besides its value."""

    bag: Bag
    context: Bag | None  # Section A for its area and year: the local population
    area_name: str
    provider_name: str


def _comparable(spec: Spec) -> bool:
    """Rates, scores, ratios and costs per outcome compare across areas; totals (counts of people,
    money, yes/no, choices) depend on an area's size and do not."""
    return spec.unit in ("percent", "score", "ratio") or spec.method in ("cost_per_outcome", "mean", "given")


def _compare(spec: Spec, spec_rows: list[tuple[Unit, Value]]) -> list[dict[str, Any]]:
    """Add comparisons across areas (same period), trends (same unit) and targets."""
    by_period: dict[str, list[tuple[Unit, Value]]] = defaultdict(list)
    for unit, v in spec_rows:
        by_period[unit.bag.period].append((unit, v))
    national = {p: v for p, members in by_period.items() for u, v in members if u.bag.area_code == NATIONAL}
    series: dict[tuple[str, str], dict[str, Value]] = defaultdict(dict)
    for unit, v in spec_rows:
        if not unit.bag.rolling:
            series[(unit.bag.area_code, unit.bag.provider_code)][unit.bag.period] = v
    trends = {key: _trends(spec, got) for key, got in series.items()}
    out = []
    for period, members in by_period.items():
        areas = [v for u, v in members if u.bag.level == "area"]
        nat = national.get(period)
        fun = None
        if spec.unit == "percent" and spec.method != "given":
            fun = stats.funnel(
                [v.numerator or 0 for v in areas if v.denominator],
                [v.denominator or 0 for v in areas if v.denominator],
            )
        # sorted once per period: quartiles and ranks are then lookups, not a pass over all areas
        ranked = sorted(x for v in areas if isinstance(x := v.value, NUMBER) and not stats.isnan(x))
        cuts = stats.quartiles(ranked)
        for unit, v in members:
            bag = unit.bag
            trend = (
                "see the quarterly values"
                if bag.rolling
                else trends.get((bag.area_code, bag.provider_code), {}).get(period) or _trend(spec, v, [])
            )
            out.append(_row(spec, unit, v, nat, fun, ranked, cuts, trend))
    return out


def _trends(spec: Spec, got: Mapping[str, Value]) -> dict[str, str]:
    """The trend in words at each period of one unit's series (quarters or years), each judged
    on the series up to it with every period in its place: a missing period is a gap (no
    denominator), not a step closer, so a trend test keeps the true spacing. The series is laid
    out once and each period takes its start, rather than laying it out again for every row."""
    position = _positions(spec.frequency)
    have = sorted(i for p in got if (i := position.get(p)) is not None)
    if not have:
        return {}
    first = have[0]
    run = [got.get(p, _GAP) for p in periods(spec.frequency)[first : have[-1] + 1]]
    return {p: _trend(spec, got[p], run[: i - first + 1]) for p in got if (i := position.get(p)) is not None}


def _trend(spec: Spec, v: Value, past: Sequence[Value]) -> str:
    """The trend in words of the series ``past`` ending with ``v`` (blank for a value that is
    not a number, unless it is a proportion, whose trend needs only the counts)."""
    if spec.unit == "percent" and spec.method == "proportion":
        return stats.trend(
            [x.numerator or 0 for x in past], [x.denominator or 0 for x in past], spec.polarity
        )
    if isinstance(v.value, NUMBER):
        return stats.trend_values(
            [float(x.value) if isinstance(x.value, NUMBER) else math.nan for x in past], spec.polarity
        )
    return ""


def _row(
    spec: Spec,
    unit: Unit,
    v: Value,
    nat: Value | None,
    fun: stats.Funnel | None,
    ranked: list[float],
    cuts: stats.Quartiles,
    trend: str,
) -> dict[str, Any]:
    bag = unit.bag
    level = bag.level
    numeric = isinstance(v.value, NUMBER)
    flags = set(v.flags)
    if bag.returns < bag.expected:  # a return missing from the area, the country or the year
        flags.add("partial")
    point = float(v.value) if numeric else math.nan
    lo = v.lower_95 if v.lower_95 is not None else point
    hi = v.upper_95 if v.upper_95 is not None else point
    targets, verdicts = [], []
    if spec.method == "profile" and v.target_value is not None:
        targets.append(f"local population {v.target_value:g}%")
        word = stats.compare_interval(lo, hi, v.target_value, "no_judgement")
        verdicts.append(
            {
                "higher": "over-represented compared with the local population",
                "lower": "under-represented compared with the local population",
            }.get(word, "similar to the local population")
        )
    for b in spec.benchmarks:
        if not _applies(b, bag.support_models) or not numeric:
            continue
        targets.append(target_text(b))
        if b.kind != "typical_range":  # a reported spread: shown, never judged
            verdict = stats.compare_to_benchmark(
                b.kind,
                lo,
                hi,
                v.value,
                spec.polarity,
                b.value,
                b.low,
                b.high,
                "%" if b.unit == "percent" else "",
            )
            verdicts.append(f"{b.label.replace(';', ',')}: {verdict}")  # '; ' separates verdicts
    comp_all = ""
    comparable = _comparable(spec)
    if comparable and nat is not None and numeric and level != "all areas" and isinstance(nat.value, NUMBER):
        if v.lower_95 is not None and v.upper_95 is not None:
            w95 = stats.compare_interval(v.lower_95, v.upper_95, nat.value, spec.polarity)
            w998 = stats.compare_interval(
                math.nan if v.lower_998 is None else v.lower_998,
                math.nan if v.upper_998 is None else v.upper_998,
                nat.value,
                spec.polarity,
            )
            comp_all = (
                f"{w998} (99.8%)"
                if w998 != stats.SAME
                else f"{w95} (95%)"
                if w95 != stats.SAME
                else stats.SAME
            )
        else:
            comp_all = stats.compare_point(v.value, nat.value, spec.polarity) + " (no interval)"
    f_lo95 = f_hi95 = f_lo998 = f_hi998 = None
    comp_funnel = ""
    if fun is not None and level == "area" and v.denominator:
        a, b2 = fun.limits(v.denominator, stats.Z95)
        c, d = fun.limits(v.denominator, stats.Z998)
        f_lo95, f_hi95, f_lo998, f_hi998 = (
            None if stats.isnan(x) else round(100 * x, 2) for x in (a, b2, c, d)
        )
        if (
            numeric
            and f_lo998 is not None
            and f_hi998 is not None
            and f_lo95 is not None
            and f_hi95 is not None
        ):
            comp_funnel = (
                "above the 99.8% limit"
                if v.value > f_hi998
                else "below the 99.8% limit"
                if v.value < f_lo998
                else "above the 95% limit"
                if v.value > f_hi95
                else "below the 95% limit"
                if v.value < f_lo95
                else "within the limits"
            )
    quart = stats.quartile_in(v.value, cuts) if level == "area" and numeric and comparable else None
    rank = None
    if quart is not None and spec.polarity != "no_judgement":  # a rank needs a better direction
        better = (
            len(ranked) - bisect.bisect_right(ranked, v.value)
            if spec.polarity == "higher_better"
            else bisect.bisect_left(ranked, v.value)
        )
        rank = better + 1
    method = METHOD_TEXT[spec.method]
    if fun is not None and level == "area":
        method += "; " + fun.short
    if comp_all:
        method += "; all-areas comparison by interval"
    return {
        "area_code": bag.area_code,
        "area_name": unit.area_name,
        "provider_code": bag.provider_code,
        "provider_name": unit.provider_name,
        "period": bag.period,
        "indicator_id": spec.indicator_id,
        "indicator_title": spec.title,
        "breakdown": spec.breakdown,
        "breakdown_value": spec.breakdown_value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "value": round(v.value, 2) if isinstance(v.value, float) else v.value,
        "unit": spec.unit,
        # _r written out: four calls a row, millions of rows
        "lower_95": round(x, 2) if isinstance(x := v.lower_95, float) else x,
        "upper_95": round(x, 2) if isinstance(x := v.upper_95, float) else x,
        "lower_998": round(x, 2) if isinstance(x := v.lower_998, float) else x,
        "upper_998": round(x, 2) if isinstance(x := v.upper_998, float) else x,
        "target": "; ".join(targets),
        "comparison_target": "; ".join(verdicts),
        "comparison_all_areas": comp_all,
        "quartile": quart,
        "trend": trend,
        "flags": ";".join(sorted(flags)),
        "method": method,
        "section": spec.section,
        "level": level,
        "breakdown_label": spec.breakdown_label,
        "polarity": spec.polarity,
        "all_areas_value": _r(nat.value)
        if nat and isinstance(nat.value, float)
        else (nat.value if nat else None),
        "funnel_lower_95": f_lo95,
        "funnel_upper_95": f_hi95,
        "funnel_lower_998": f_lo998,
        "funnel_upper_998": f_hi998,
        "comparison_funnel": comp_funnel,
        "headline": spec.headline,
        # not published: lets disclosure control hide together the rows built from the same counts
        "rank": rank,
        "value_label": _wording(spec, v.value),
        "_counts": "|".join(spec.numerator),
    }


_GAP = Value()  # a period with no value (read only)


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


__all__ = ["COLUMNS", "METHODS", "Spec", "calculate", "pool", "resolve", "specs"]
