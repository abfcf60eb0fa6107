"""Every indicator in the catalogue, calculated per provider, per area and for all areas.

Three steps, each a pure function:

1. :func:`generator.calc.specs.specs` turns the catalogue into indicator specifications:
   which input keys make the numerator and denominator, the method (a registry key), unit,
   polarity and benchmarks. Items and derived indicators alike; adding one to the catalogue
   adds it here.
2. :func:`generator.calc.pooling.pool` adds up returns into "bags" per section, unit
   (provider, area, all areas) and period (each return's own period, and rolling 12 months
   for quarterly sections). Areas are pooled from their providers' numerators and
   denominators, never by averaging percentages.
3. :func:`calculate_table` evaluates each spec on each bag (the method registry,
   :mod:`generator.calc.evaluate`), then compares areas (:mod:`generator.calc.comparison`)
   with the documents' targets, with all areas (interval rule at 95% and 99.8%), with funnel
   limits, quartiles and trends. It works an indicator at a time, column by column, the
   arithmetic on numpy arrays by the same floating-point steps as the scalar functions in
   :mod:`generator.calc.stats`, :mod:`~generator.calc.funnels` and :mod:`~generator.calc.trends`
   (so every published figure is the same double);
   :func:`calculate` gives the same table as rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from generator.base.tables import Table, to_rows
from generator.calc import disclosure_protect, disclosure_structure
from generator.calc.columns import ROW_KEYS
from generator.calc.comparison import spec_columns
from generator.calc.evaluate import METHODS, Unit
from generator.calc.pooling import NATIONAL, Bag, financial_year, pool
from generator.calc.specs import Spec, specs
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue


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
    structures = {s: disclosure_structure.structure(catalogue, s) for s in catalogue.sections}
    keys = {k2 for k in keys for st in structures.values() for k2 in st.family.get(k, {k})}
    bags = pool(returns, catalogue, registry, keys)
    context = {(b.area_code, b.period): b for b in bags if b.section == "A" and not b.provider_code}
    by_section: dict[str, list[Bag]] = defaultdict(list)
    for b in bags:
        by_section[b.section].append(b)
    for letter, section_bags in by_section.items():
        disclosure_protect.protect(section_bags, catalogue, letter, keys, unprotected)
    names = {o.area_code: o.area_name for o in registry.organisations.values()}
    orgs = {o.code: o.name for o in registry.organisations.values()}
    # each bag's local population context and names, once, not once per indicator
    units = {
        letter: [
            Unit(
                bag,
                context.get((bag.area_code, financial_year(bag.period.removeprefix("12 months to ")))),
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
        found = METHODS[spec.method].evaluate(
            spec,
            [
                u
                for u in units.get(spec.section, [])
                if not (spec.per_period_only and u.bag.rolling)
                and (u.bag.published == "all" or u.bag.published == kind)
                and (kind != "national" or u.bag.area_code == NATIONAL)
            ],
        )
        for k, values in spec_columns(spec, found).items():
            table[k].extend(values)
    return table


def _publishable(spec: Spec, st: disclosure_structure.Structure) -> str:
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
