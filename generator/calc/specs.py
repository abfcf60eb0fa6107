"""Indicator specifications from the catalogue: which input keys make each indicator's
numerator and denominator, its method (a registry key), unit, polarity and benchmarks. Items
and derived indicators alike: adding one to the catalogue adds it here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from generator.calc import stats
from generator.catalogue.model import Benchmark, Derived, Item, ref_item
from generator.catalogue.sections import Catalogue

NOT_RECORDED = ("not_recorded", "dont_know")
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


# -- specs from the catalogue ------------------------------------------------------------
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
            item.name,
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
