"""What every page builder reads: the published rows, indexed once, with the catalogue, the
registry and what the pages present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.calc.row import Row
from generator.calc.specs import Spec, specs
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.site.glossary import Glossary
from generator.site.glossary import load as load_glossary
from generator.site.markup import num
from generator.site.presentation import Presentation
from generator.site.presentation import load as load_presentation


@dataclass(frozen=True)
class Context:
    rows: Sequence[Row]
    quality: Sequence[Mapping[str, Any]]  # data_quality.csv's rows
    catalogue: Catalogue
    registry: Registry
    data_as_at: str  # the latest period in the data
    published: int = 0  # rows in the published table (``rows`` may hold only those shown)
    presentation_file: Path | None = None  # data/presentation.yaml unless given
    glossary_file: Path | None = None  # data/glossary.yaml unless given

    @property
    def table_rows(self) -> int:
        return self.published or len(self.rows)

    @cached_property
    def specs(self) -> list[Spec]:
        return specs(self.catalogue)

    @cached_property
    def glossary(self) -> Glossary:
        """data/glossary.yaml: the abbreviations the pages explain."""
        return load_glossary(self.glossary_file)

    @cached_property
    def presentation(self) -> Presentation:
        """data/presentation.yaml: the key indicators, the trend, the profiles."""
        return load_presentation(self.specs, self.presentation_file)

    @property
    def key_indicators(self) -> list[tuple[str, str, str]]:
        """(indicator, breakdown value, short label), in the presentation's order."""
        return [(k.indicator, k.breakdown_value, k.short) for k in self.presentation.key_indicators]

    def benchmark_labels(self, indicator: str) -> dict[str, str]:
        """The labels of an indicator's benchmarks in the catalogue, by benchmark id."""
        return {b.id: b.label for s in self.specs if s.indicator_id == indicator for b in s.benchmarks}

    @cached_property
    def by_indicator(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows:
            out[str(r.indicator_id)].append(r)
        return out

    @cached_property
    def by_area(self) -> dict[str, list[Row]]:
        """Area-level rows (not providers, not all areas), by area."""
        out: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows:
            if r.level == "area":
                out[str(r.area_code)].append(r)
        return out

    @cached_property
    def _latest(self) -> dict[str, str]:
        periods: dict[str, set[str]] = defaultdict(set)
        for r in self.rows:
            periods[str(r.section)].add(str(r.period))
        out = {}
        for section, ps in periods.items():
            rolling = sorted(p for p in ps if p.startswith("12 months"))
            quarterly = self.catalogue.sections[section].frequency == "quarterly"
            out[section] = rolling[-1] if quarterly and rolling else max(ps)
        return out

    def latest(self, section: str) -> str:
        return self._latest.get(section, "")

    def latest_of(self, indicator: str) -> str:
        """The latest period an indicator is published for: its section's, or, for one never
        added over 12 months (a caseload at a quarter's end), its latest quarter."""
        ps = {r.period for r in self.by_indicator.get(indicator, [])}
        if not ps:
            return ""
        section = self.latest(next(iter(self.by_indicator[indicator])).section)
        quarters = [p for p in ps if not p.startswith("12 months")]
        return section if section in ps else max(quarters or ps)

    @cached_property
    def area_latest(self) -> dict[str, dict[str, list[Row]]]:
        """Each area's rows in their section's latest period, by indicator (in table order).
        An area page reads only these; scanning all of an area's rows for each question and
        section was a large share of a national page build."""
        out: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for area, rows in self.by_area.items():
            for r in rows:
                if r.period == self.latest(str(r.section)):
                    out[area][str(r.indicator_id)].append(r)
        return out

    def area_values(self, ind: str, bv: str, period: str) -> list[float]:
        """Every area's published value of one indicator in one period, sorted (once: each
        area's spine chart places the area among them)."""
        key = (ind, bv, period)
        if key not in self._area_values:
            self._area_values[key] = sorted(
                v
                for r in self.by_indicator[ind]
                if r.level == "area"
                and r.period == period
                and r.breakdown_value == bv
                and (v := num(r.value)) is not None
            )
        return self._area_values[key]

    @cached_property
    def _area_values(self) -> dict[tuple[str, str, str], list[float]]:
        return {}

    @cached_property
    def synthetic_areas(self) -> tuple[int, int]:
        """(areas with any organisation marked synthetic in the registry, all areas): what the
        site must say about invented data, on every page. Real returns are published without a
        demonstration warning, and demonstration data never without one."""
        areas: dict[str, bool] = {}
        for o in self.registry.organisations.values():
            areas[o.area_code] = areas.get(o.area_code, False) or o.synthetic
        return sum(areas.values()), len(areas)

    @cached_property
    def single_provider_areas(self) -> frozenset[str]:
        """Areas with one provider, whose provider's figures are the area's (shown once)."""
        n: dict[str, int] = defaultdict(int)
        for o in self.registry.organisations.values():
            if o.role == "provider":
                n[o.area_code] += 1
        return frozenset(a for a in self.registry.areas if n[a] == 1)


def rows_by_key(rows: Sequence[Row]) -> dict[tuple[str, str, str, str, str], Row]:
    """Each published row by indicator, category, area, provider and period: the home page looks
    up many single figures."""
    return {
        (r.indicator_id, r.breakdown_value, r.area_code, r.provider_code or "", r.period): r for r in rows
    }
