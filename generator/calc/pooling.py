"""Returns added up into bags: per section, unit (provider, area, all areas) and period (each
return's own, and rolling 12 months for quarterly sections). Areas are pooled from their
providers' numerators and denominators, never by averaging percentages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.calc import disclosure, disclosure_arithmetic
from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue
from generator.workbook.layout import periods

NATIONAL = "ALL"
NUMBER = (int, float)  # isinstance with a tuple: quicker than with `int | float`, which is built per call


# -- pooling returns -----------------------------------------------------------------------
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
    # set by disclosure control (:func:`generator.calc.disclosure_protect.protect`) before any calculation:
    # the published counts, and whether the bag's figures are published at all (all, stock, "")
    base: dict[tuple[str, ...], disclosure.Count] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )
    counts: disclosure_arithmetic.Counts | None = field(init=False, compare=False, repr=False, default=None)
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

    def publish(self, kind: str, counts: disclosure_arithmetic.Counts) -> None:
        object.__setattr__(self, "published", kind)
        object.__setattr__(self, "counts", counts)


def financial_year(period: str) -> str:
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


def count_of(bag: Bag, keys: tuple[str, ...]) -> disclosure.Count | None:
    """The count of people ``keys`` add up to in ``bag``, as published (see
    :mod:`generator.calc.disclosure`); None where the keys are not a count of people or nothing was
    given for them."""
    return bag.counts.get(keys) if bag.counts is not None else None


def sum_of(bag: Bag, keys: tuple[str, ...]) -> float | None:
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


def below_minimum(bag: Bag) -> bool:
    return bag.area_code != NATIONAL


def hidden_count(bag: Bag, c: disclosure.Count | None, minimum: bool = True, column: str = "") -> set[str]:
    """Why a value resting on the published count ``c`` is not shown (an empty set if it is):
    the count is suppressed or withheld (``column`` "denominator": said of the row's
    denominator, so that a reader knows which blank is which), or (``minimum``) below national
    level it is under :data:`generator.calc.disclosure.MIN_SHOWN`."""
    if c is None:
        return set()
    if not c.shown:
        return {f"{column} {c.state}".strip()}
    if minimum and below_minimum(bag) and c.point is not None and c.point < disclosure.MIN_SHOWN:
        return {UNDER_MINIMUM}
    return set()


UNDER_MINIMUM = f"under {disclosure.MIN_SHOWN}"  # the flag of a value resting on too few people
