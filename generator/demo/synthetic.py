"""Synthetic demo returns for the 17 pilot sites, made through the real templates.

Everything here is invented: deterministic from a seed, clearly labelled synthetic in the
organisation names and the returns' contact field. The numbers are calibrated to the pilot's
published aggregate findings (001, "What the data returns revealed"): about 17 referrals a
month per site, almost half aged 36-50, 47% employed in the last two years and 28% in the last
six months, 10% never worked, three-quarters with a job lasting over a year, 18% in work at
referral, about five placements per site per month with 44% under 16 hours a week, one in ten
moving into education, training, volunteering or retirement, one in five care plans with
employment actions and 4% with retention actions. Sites spread around those figures: some
fall short of the targets, two are small (so suppression shows), one never sends Section D,
and one sends a corrected Section E late (a resubmission that replaces the first).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.base.pools import process_pool
from generator.catalogue.model import Item
from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue, Section
from generator.intake import comments
from generator.store.returns import Store
from generator.workbook.identity import Identity, template_filename
from generator.workbook.layout import InputCell, build_layout, period_bounds, periods
from generator.workbook.templates import render_template

QUARTERS = periods("quarterly")[4:12]  # 2024-25 Q1 .. 2025-26 Q4: eight quarters


def years_of(quarters: Sequence[str]) -> tuple[str, ...]:
    """The financial years the quarters fall in: the annual sections' periods."""
    return tuple(sorted({q.split(" ")[0] for q in quarters}))


YEARS = years_of(QUARTERS)  # 2024-25 and 2025-26
SMALL_SITES = {"PS10": 0.12, "PS15": 0.25}  # referral volume multipliers: suppression shows
MISSING_SECTION = ("PS12", "D")  # this site never sends Section D
LATE_RESUBMISSION = ("PS04", "E", "2025-26 Q2")  # first return undercounts outcomes; corrected later
LATE_RETURN = ("PS13", "D", "2025-26")  # arrives after its due date (the catalogue's `due:`)
LOW_PERFORMERS = {"PS11", "PS13", "PS16"}  # below the 30% job-outcome "look at" line
HIGH_PERFORMER = "PS05"  # clearly above 61%: the NDTi tool says explore that too
IPS_BEYOND_SMI_SITES = {"PS03", "PS08", "PS14", "PS17"}  # the 2024 targets (003) apply to these
# so that every "question to ask" (data/questions.yaml) is raised somewhere in the demo:
FEW_STARTERS = "PS03"  # about 55% of referrals start, below the 2024 guide's 70% (003)
UNDERSTAFFED = (
    "PS08"  # about 32 people per specialist (above 003's 25); a quarter of starters into work (40%)
)
MORE_QUALIFIED_INTAKE = "PS05"  # referrals more qualified than the local population (001, 000)
# template versions: returns for periods before this financial year are made on each
# section's first version, later ones on the current version (a demo that mixes them)
CURRENT_VERSION_FROM = "2025-26"
NO_SWEMWBS = {"PS09", "PS16"}  # these services do not collect SWEMWBS (they answer "No" on 1.1)
# caveats providers write (about one return in six); the demo's analyst approves them all but
# the one that names a client, which therefore never reaches the site
CAVEATS = (
    "Synthetic demo comment: the records system changed during this period, so some referrals "
    "were entered a few weeks late.",
    "Synthetic demo comment: the service was closed for two weeks for staff training.",
    "Synthetic demo comment: one employment specialist post was vacant for most of the period.",
    "Synthetic demo comment: the cost figure is an estimate until the year-end accounts are closed.",
)
NAMES_A_CLIENT = (
    "Synthetic demo comment: Jo Bloggs (an invented client) started work after the period "
    "ended, so is not counted."
)

# Shares by breakdown (and by item where an item differs), from the pilot findings where given.
WEIGHTS: dict[str, dict[str, float]] = {
    "age_band": {"under_18": 1, "18_35": 30, "36_50": 48, "51_65": 19, "over_65": 1, "not_recorded": 1},
    "gender": {"female": 44, "male": 54, "another": 1, "not_recorded": 1},
    "ethnicity": {"white": 80, "mixed": 3, "asian": 7, "black": 6, "other": 2, "not_recorded": 2},
    "employment_status": {"in_paid_work": 18, "not_in_paid_work": 80, "not_recorded": 2},
    # 28% in the last six months (in work at referral counts here), 47% within two years, 10% never
    "work_recency": {"under_6m": 28, "6m_2y": 19, "2y_5y": 20, "over_5y": 21, "never": 10, "not_recorded": 2},
    # "almost a quarter were recorded without benefit information and 10% were not in receipt"
    "benefit_receipt": {"in_receipt": 66, "not_in_receipt": 10, "not_recorded": 24},
    "living_situation": {"settled": 78, "not_settled": 17, "not_recorded": 5},
    "support_need": {"low": 25, "moderate": 45, "high": 25, "not_recorded": 5},
    "geography": {"urban": 70, "rural": 27, "not_recorded": 3},
    "referral_source": {
        "specialist_mh": 62,
        "primary_care": 12,
        "jobcentre_plus": 6,
        "local_authority": 4,
        "third_sector": 4,
        "self_referral": 10,
        "other": 2,
    },
    # 44% of placements under 16 hours a week
    "hours_band": {"under_5": 12, "5_16": 32, "over_16": 55, "not_recorded": 1},
    "destination_other_than_work": {"education_training": 6, "voluntary_work": 3, "retirement": 1},
    "job_outcome_type": {"gained": 61, "retained": 36, "self_employed": 3},
    "employment_sector": {
        "industry": 14,
        "retail": 26,
        "leisure": 22,
        "public_services": 24,
        "business_other": 14,
    },
    "wage_vs_minimum": {"above": 55, "at": 40, "below": 2, "not_recorded": 3},
    "self_employed_pay_band": {
        "under_50": 20,
        "50_75": 30,
        "75_100": 30,
        "100_125": 12,
        "125_150": 5,
        "over_150": 3,
    },
    "move_on_destination": {
        "job": 12,
        "volunteering": 15,
        "college": 18,
        "employment_preparation": 10,
        "supported_employment": 15,
        "day_centre": 10,
        "something_else": 10,
        "dont_know": 10,
    },
    "nvq_level": {"nvq2_plus": 55, "below_nvq2": 35, "not_recorded": 10},
    "specialist_contact": {"in_contact": 85, "not_in_contact": 13, "not_recorded": 2},
    # three-quarters had kept a job for more than a year
    "job_over_a_year": {"yes": 75, "no": 22, "not_recorded": 3},
}
POPULATION_WEIGHTS: dict[str, dict[str, float]] = {
    "age_band": {"under_18": 4, "18_35": 38, "36_50": 30, "51_65": 28},
    "gender": {"female": 50.5, "male": 49.0, "another": 0.5},
    "ethnicity": {"white": 82, "mixed": 3, "asian": 8, "black": 4, "other": 3},
    "employment_sector": {
        "industry": 20,
        "retail": 16,
        "leisure": 10,
        "public_services": 30,
        "business_other": 24,
    },
}
# Proportions without a breakdown: share of the denominator, as (mean, spread).
RATES: dict[str, tuple[float, float]] = {
    "D03_employed_psa16": (0.20, 0.05),
    "D04_seeking_work": (0.15, 0.04),
    "D06_care_plan_employment": (0.20, 0.07),
    "D07_care_plan_retention": (0.20, 0.08),  # of those employed: 4% of everyone audited
    "D08_recruits_declaring": (0.04, 0.02),
    "D05_other_destinations": (0.20, 0.04),  # halved below: one in ten moves on
    "E13_sustained_13_weeks": (0.68, 0.10),
    "E14_sustained_26_weeks": (0.60, 0.10),
    "F02_self_employment_share": (0.04, 0.02),
    "F03_hmrc_registration": (0.90, 0.10),
}
PERCENTAGES: dict[str, tuple[float, float]] = {
    "A01_employment_rate": (74, 4),
    "A02_unemployment_rate": (4.5, 1.2),
    "A03_inactivity_rate": (21, 3),
    "A04_nvq2_rate": (76, 5),
    "A06_self_employment_rate": (14, 2),
    "A10_mh_employment_rate": (46, 6),
    "A11_ib_mental_health": (41, 4),
    "A12_nps_in_paid_work": (20, 4),
    "A13_nps_helped_find_work": (30, 6),
    "A14_nps_wanted_help": (21, 5),
    "A15_nps_unable_to_work": (34, 5),
}


@dataclass(frozen=True)
class Site:
    area_code: str
    area_name: str
    commissioner: str
    commissioner_name: str
    provider: str
    provider_name: str
    volume: float  # referrals a month
    quality: float  # 0.5 (weak) .. 1.3 (strong): moves rates and ratings
    lead: bool = True  # the area's first provider: the commissioner's sections are sent once, here


@dataclass(frozen=True)
class DemoReturn:
    path: Path
    section: str
    site: str
    period: str
    resubmission: bool = False
    received: dt.date | None = None  # when the analyst had it: a few days after it was completed


def _rng(seed: int, *parts: str) -> random.Random:
    digest = hashlib.sha256(("|".join((str(seed), *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def sites(registry: Registry, seed: int) -> list[Site]:
    """One site per provider; an area with several providers (national scale) has several."""
    out = []
    for area in sorted(registry.areas):
        orgs = registry.in_area(area)
        com = next(o for o in orgs if o.role == "commissioner")
        providers = sorted((o for o in orgs if o.role == "provider"), key=lambda o: o.code)
        for k, prov in enumerate(providers):
            rng = _rng(seed, "site", area) if k == 0 else _rng(seed, "site", area, prov.code)
            quality = (
                0.55 if area in LOW_PERFORMERS else 1.55 if area == HIGH_PERFORMER else rng.uniform(0.8, 1.2)
            )
            volume = 17 * SMALL_SITES.get(area, rng.uniform(0.8, 1.4))
            out.append(
                Site(
                    area,
                    registry.areas[area],
                    com.code,
                    com.name,
                    prov.code,
                    prov.name,
                    volume,
                    quality,
                    k == 0,
                )
            )
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    """Small, dependency-free Poisson sampler (normal approximation above 50)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _binomial(rng: random.Random, n: int, p: float) -> int:
    p = min(max(p, 0.0), 1.0)
    if n > 200:
        return min(n, max(0, round(rng.gauss(n * p, (n * p * (1 - p)) ** 0.5))))
    return sum(rng.random() < p for _ in range(n))


def _split(rng: random.Random, total: int, weights: Mapping[str, float], codes: list[str]) -> dict[str, int]:
    """Share ``total`` people among ``codes`` in proportion to ``weights`` (multinomial draw)."""
    w = [max(weights.get(c, 1.0), 0.0) for c in codes]
    out = dict.fromkeys(codes, 0)
    remaining, left = total, sum(w)
    for code, wi in zip(codes, w, strict=True):
        if left <= 0:
            break
        n = _binomial(rng, remaining, wi / left) if code != codes[-1] else remaining
        out[code] = n
        remaining -= n
        left -= wi
    return out


def _shares(rng: random.Random, weights: Mapping[str, float], codes: list[str]) -> dict[str, float]:
    """Percentages that add up to exactly 100.0, with a little local variation."""
    raw = [max(weights.get(c, 1.0) * rng.uniform(0.85, 1.15), 0.01) for c in codes]
    total = sum(raw)
    pct = [round(100 * r / total, 1) for r in raw]
    pct[pct.index(max(pct))] = round(pct[pct.index(max(pct))] + 100 - sum(pct), 1)
    return dict(zip(codes, pct, strict=True))


def _rate(rng: random.Random, item_id: str, site: Site) -> float:
    mean, spread = RATES.get(item_id, (0.5, 0.1))
    return min(0.98, max(0.0, rng.gauss(mean * site.quality**0.5, spread * 0.5)))


def answers_for(
    section: Section, catalogue: Catalogue, site: Site, period: str, seed: int
) -> dict[str, object]:
    """Plausible answers for every input of ``section``, keyed as the template's inputs."""
    rng = (
        _rng(seed, section.section, site.area_code, period)
        if site.lead
        else _rng(seed, section.section, site.area_code, site.provider, period)
    )
    layout = build_layout(section, catalogue)
    months = 3 if section.frequency == "quarterly" else 12
    start, end = period_bounds(period)
    values: dict[str, object] = {}
    by_item: dict[str, list[InputCell]] = {}
    for c in layout.input_cells:
        by_item.setdefault(c.item.id, []).append(c)
    state: dict[str, float] = {"months": months}
    if section.frequency == "quarterly":  # one draw for B01 and E03: both count the quarter's referrals
        state["referrals"] = _poisson(_rng(seed, "referrals", site.provider, period), site.volume * months)

    for cells in by_item.values():
        item = cells[0].item
        if item.required_when_yes and values.get(_key(item.required_when_yes)) != "Yes":
            continue  # gated: not needed
        special = _special(item, cells, site, rng, state, values)
        if special is not None:
            values.update(special)
            continue
        den_cell = next((c for c in cells if c.part == "denominator"), None)
        if den_cell is not None:
            values[den_cell.key] = _count(item.id + ".denominator", site, rng, state)
        denominator = _denominator_value(item, values, den_cell)
        parts = [c for c in cells if c.part in ("numerator", "value")]
        if item.breakdown:
            codes = [c.category or "" for c in parts]
            if item.value_type == "percentage":
                weights = POPULATION_WEIGHTS.get(item.breakdown, WEIGHTS.get(item.breakdown, {}))
                for code, v in _shares(rng, weights, codes).items():
                    values[_key(item.id, "value", code)] = v
                continue
            weights = WEIGHTS.get(item.id) or WEIGHTS.get(item.breakdown, {})
            if item.breakdown == "nvq_level" and site.area_code == MORE_QUALIFIED_INTAKE:
                weights = {"nvq2_plus": 90, "below_nvq2": 7, "not_recorded": 3}
            if denominator is not None and item.breakdown_exhaustive:
                total = denominator
            elif denominator is not None:
                total = _binomial(rng, denominator, _rate(rng, item.id, site) * 0.5)
            else:
                total = _count(item.id, site, rng, state)
            part = "numerator" if item.value_type == "proportion" else "value"
            for code, n in _split(rng, total, weights, codes).items():
                values[_key(item.id, part, code)] = n
            continue
        for c in parts:
            if item.value_type == "proportion":
                assert denominator is not None
                values[c.key] = _binomial(rng, denominator, _rate(rng, item.id, site))
            else:
                options = catalogue.scales[item.scale].dropdown_labels() if item.scale else ()
                values[c.key] = _scalar(item, options, site, rng, state, start, end)
        if item.value_type == "count":
            state[item.id] = float(values[parts[0].key])  # type: ignore[arg-type]
    caveats = [i for i, cells in by_item.items() if cells[0].item.approvable]
    if caveats:  # its own draw, so a version with a comments box gets the same numbers
        text = _caveat(_rng(seed, "caveat", section.section, site.provider, period), site, section, period)
        if text:
            values[by_item[caveats[0]][0].key] = text
    return values


def _key(item_id: str, part: str = "value", category: str | None = None) -> str:
    k = item_id if part == "value" else f"{item_id}.{part}"
    return f"{k}:{category}" if category else k


def _denominator_value(item: Item, values: Mapping[str, object], den_cell: InputCell | None) -> int | None:
    if item.denominator is None:
        return None
    key = den_cell.key if den_cell is not None else (item.denominator.item or "")
    v = values.get(key)
    return int(v) if isinstance(v, int | float) else None


def _count(what: str, site: Site, rng: random.Random, state: Mapping[str, float]) -> int:
    m = state["months"]
    base = {
        "D01_placements": 5 * m * (site.volume / 17) * site.quality,
        "D02_audited_caseload": 60 * site.volume * rng.uniform(0.8, 1.2),
        "D08_recruits_declaring.denominator": 250 * rng.uniform(0.6, 1.4),
        "E09_active_caseload": site.volume * 5.5,
        "E11_largest_caseload": 22 / site.quality**0.5,
        "E15_swemwbs_start": site.volume * m * 0.3,
        "E16_swemwbs_end": site.volume * m * 0.3,
        "C13_fidelity_training_sessions": 4 * site.quality,
    }.get(what)
    if base is None:
        base = state.get("default_count", 10)
    return _poisson(rng, base)


def demo_version(section: Section, period: str) -> Section:
    """The template version a demo return for ``period`` is made on."""
    if period.split(" ")[0] >= CURRENT_VERSION_FROM:
        return section
    return section.at(section.version_names[0])


def _caveat(rng: random.Random, site: Site, section: Section, period: str) -> str | None:
    """A comment on about one return in six; the one that names a client on one return only."""
    if (site.area_code, section.section, period) == ("PS07", "E", "2025-26 Q3") and site.lead:
        return NAMES_A_CLIENT
    return rng.choice(CAVEATS) if rng.random() < 1 / 6 else None


def _special(
    item: Item,
    cells: list[InputCell],
    site: Site,
    rng: random.Random,
    state: dict[str, float],
    values: Mapping[str, object],
) -> dict[str, object] | None:
    """Items whose demo values depend on other items (outcomes on starters, and so on)."""
    i = item.id
    if i == "E04_starters":
        refs = values.get("E03_referrals")
        share = 0.55 if site.area_code == FEW_STARTERS else min(0.95, 0.72 * site.quality**0.3)
        n = _binomial(rng, int(refs), share) if isinstance(refs, int) else 0
        state["starters"] = n
        return {i: n}
    if i == "E05_job_outcomes":
        starters = state.get("starters", 0)
        rate = 0.38 * site.quality**1.3  # NDTi average 38%; the spread puts sites on both sides
        n = _binomial(rng, int(starters), min(rate, 0.9))
        state["outcomes"] = n
        return {i: n}
    if i == "E12_job_entries":
        share = 0.25 if site.area_code == UNDERSTAFFED else min(0.42 * site.quality, 0.9)
        return {i: _binomial(rng, int(state.get("starters", 0)), share)}
    if i in ("E07_jobs_by_sector", "E08_jobs_by_wage") and item.breakdown:
        gained = values.get("E05a_outcome_type.numerator:gained")
        retained = values.get("E05a_outcome_type.numerator:retained")
        if not isinstance(gained, int) or not isinstance(retained, int):
            return None
        total = gained if i == "E07_jobs_by_sector" else gained + retained
        bd = [c.category for c in cells if c.category]
        weights = WEIGHTS.get(item.breakdown, {})
        return {_key(i, "value", c): n for c, n in _split(rng, total, weights, bd).items()}
    if i == "E11_largest_caseload":  # one specialist's caseload is part of the whole
        whole = values.get("E09_active_caseload")
        n = _count(i, site, rng, state)
        return {i: min(n, whole) if isinstance(whole, int) else n}
    if i in ("E15_swemwbs_start", "E16_swemwbs_end"):
        # the same leavers at start and end; raw totals around 19 at start and 21.5 at end
        if i == "E15_swemwbs_start":
            state["swemwbs_n"] = _poisson(rng, site.volume * 3 * 0.3)
        n = int(state.get("swemwbs_n", 0))
        centre = 19.0 if i == "E15_swemwbs_start" else 19.0 + 2.5 * site.quality
        counts = dict.fromkeys((c.category for c in cells if c.category), 0)
        for _ in range(n):
            score = min(35, max(7, round(rng.gauss(centre, 4.5))))
            counts[f"s{score:02d}"] += 1
        return {_key(i, "value", code): k for code, k in counts.items() if code}
    if i == "B01_new_referrals":
        return {i: int(state["referrals"])}
    if i == "E03_referrals":  # all referred, accepted or not: a few more than B01 counts at times
        return {i: int(state["referrals"]) + rng.choice((0, 0, 0, 1, 2))}
    if i == "E15a_swemwbs_collected":
        return {i: "No" if site.area_code in NO_SWEMWBS else "Yes"}
    if i == "C17_corroboration_details":
        return {i: "Synthetic demo answer: the latest fidelity review report and its action plan."}
    if item.approvable:
        return {}  # written after the answers (see answers_for): it must not move the numbers
    if i == "E02_total_cost":
        # IPS unit cost about GBP 2,000-2,500 per starter; weaker services cost more per outcome
        return {i: round(state.get("starters", 20) * rng.uniform(1900, 2700) / min(site.quality, 1.1), 2)}
    if i == "E10_specialist_fte":
        per_head = 32 if site.area_code == UNDERSTAFFED else 20
        return {i: round(max(1.0, site.volume * 5.5 / per_head * rng.uniform(0.9, 1.2)), 1)}
    if i in ("E17_planned_out_of_work_months",):
        return {i: 12}
    if i in ("E18_planned_in_work_months",):
        return {i: 4}
    if i == "F06_prep_cost":
        return {i: round(rng.uniform(40_000, 120_000), 2)}
    if i == "F15_subsidy_total":
        return {i: round(rng.uniform(150_000, 400_000), 2)}
    if i == "F19_statutory_support":
        return {i: round(rng.uniform(50_000, 200_000), 2)}
    return None


def _scalar(
    item: Item,
    options: tuple[str, ...],
    site: Site,
    rng: random.Random,
    state: Mapping[str, float],
    start: dt.date,
    end: dt.date,
) -> object:
    vt = item.value_type
    if vt == "count":
        return _count(item.id, site, rng, state)
    if vt == "percentage":
        mean, sd = PERCENTAGES.get(item.id, (50, 10))
        return round(min(100, max(0, rng.gauss(mean, sd))), 1)
    if vt == "money":
        return round(rng.uniform(10_000, 100_000), 2)
    if vt == "number":
        return round(rng.uniform(1, 20), 1)
    if vt == "yes_no":
        p = 0.75 * site.quality
        if item.id.startswith("A18") or item.id.startswith("G30"):
            p = 0.3  # few sites had primary-care specialists or the NHS as exemplar employer
        if item.id in (
            "F01_self_employment_support",
            "F05_employment_preparation",
            "F12_sheltered_or_social_firm",
        ):
            p = 0.3
        return "Yes" if rng.random() < min(p, 0.95) else "No"
    if vt == "rating":
        return _rating(options, site, rng)
    if vt == "choice":
        return _choice(item.scale or "", options, site, rng)
    if vt == "date":
        if "start" in item.id:
            return start - dt.timedelta(days=rng.randint(400, 3000))
        return end - dt.timedelta(days=rng.randint(30, 500))
    return "Synthetic demo answer: not real data."


def _rating(options: tuple[str, ...], site: Site, rng: random.Random) -> str:
    """A scale point: most pilot providers targeted paid work strongly; spread by site quality."""
    top = len(options) - 1
    centre = top * min(0.95, 0.62 * site.quality)
    idx = min(top, max(0, round(rng.gauss(centre, 0.7))))
    return options[idx]


def _choice(scale: str, options: tuple[str, ...], site: Site, rng: random.Random) -> str:
    if scale == "support_model":  # a service keeps its model: four sites run IPS beyond SMI
        return options[1] if site.area_code in IPS_BEYOND_SMI_SITES else options[0]
    if scale == "fidelity_accreditation":
        return options[1] if site.quality >= 1 else options[2]
    if scale == "corroboration":  # strongest first: stronger services have been reviewed
        return options[0] if site.quality >= 1.1 else options[1] if site.quality >= 0.9 else options[3]
    if scale == "stage_progress":
        return options[min(2, max(0, round(rng.gauss(1.4 * site.quality, 0.6))))]
    return options[0]


def demo_plan(
    catalogue: Catalogue,
    registry: Registry,
    seed: int,
    areas: set[str] | None = None,
    quarters: Sequence[str] = QUARTERS,
) -> Iterator[tuple[Site, Section, str, bool]]:
    """Every (site, section, period, is_resubmission) the demo produces, in a stable order."""
    for site in sites(registry, seed):
        if areas is not None and site.area_code not in areas:
            continue
        for letter, sec in catalogue.sections.items():
            if (site.area_code, letter) == MISSING_SECTION:
                continue
            if not site.lead and role_for(sec.completed_by) == "commissioner":
                continue
            for period in quarters if sec.frequency == "quarterly" else years_of(quarters):
                yield site, sec, period, False
                if (site.area_code, letter, period) == LATE_RESUBMISSION and site.lead:
                    yield site, sec, period, True  # from the area's first provider only


def write_demo_returns(
    catalogue: Catalogue,
    registry: Registry,
    out_dir: Path,
    seed: int = 2009,
    workers: int | None = None,
    areas: set[str] | None = None,
    quarters: Sequence[str] = QUARTERS,
) -> list[DemoReturn]:
    """Fill the real templates for every demo site and period; return what was written.

    Each workbook is independent and deterministic, so they are rendered in a process pool
    (one worker per core); files whose bytes would not change are left untouched.
    """
    jobs = [
        (site, sec.section, period, resub)
        for site, sec, period, resub in demo_plan(catalogue, registry, seed, areas, quarters)
    ]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < 8:
        results = [_render_job(catalogue, seed, job) for job in jobs]
    else:
        with process_pool(workers, initializer=_init_worker, initargs=(catalogue, seed)) as pool:
            results = list(pool.map(_render_in_worker, jobs, chunksize=8))
    out: list[DemoReturn] = []
    for (site, letter, period, resub), (name, data) in zip(jobs, results, strict=True):
        path = out_dir / period.replace(" ", "-") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        received = completed(site, letter, period, resub) + dt.timedelta(days=3)
        out.append(DemoReturn(path, letter, site.area_code, period, resub, received))
    return out


_WORKER: dict[str, object] = {}


def _init_worker(catalogue: Catalogue, seed: int) -> None:
    _WORKER["catalogue"], _WORKER["seed"] = catalogue, seed


def _render_in_worker(job: tuple[Site, str, str, bool]) -> tuple[str, bytes]:
    catalogue = _WORKER["catalogue"]
    seed = _WORKER["seed"]
    assert isinstance(catalogue, Catalogue) and isinstance(seed, int)
    return _render_job(catalogue, seed, job)


def _render_job(catalogue: Catalogue, seed: int, job: tuple[Site, str, str, bool]) -> tuple[str, bytes]:
    """One demo workbook: (file name, bytes)."""
    site, letter, period, resub = job
    sec = demo_version(catalogue.sections[letter], period)
    org = site.commissioner if role_for(sec.completed_by) == "commissioner" else site.provider
    org_name = site.commissioner_name if org == site.commissioner else site.provider_name
    ident = Identity(site.area_code, site.area_name, org, org_name, period)
    answers = answers_for(sec, catalogue, site, period, seed)
    if (site.area_code, sec.section, period) == LATE_RESUBMISSION and site.lead and not resub:
        answers = _undercount(answers)
    details = {
        "contact_name": "Synthetic demo data",
        "contact_email": "demo@example.invalid",
        "completed_date": completed(site, letter, period, resub),
    }
    data = render_template(sec, catalogue, ident, answers, details)
    name = template_filename(sec, ident)
    if resub:
        name = name.replace(".xlsx", "_resubmission.xlsx")
    return name, data


def completed(site: Site, letter: str, period: str, resubmission: bool) -> dt.date:
    """When a demo return was completed: three weeks after its period, a resubmission six
    weeks after that, and the planted late return over three months after."""
    late = (site.area_code, letter, period) == LATE_RETURN and site.lead
    return period_bounds(period)[1] + dt.timedelta(days=95 if late else 20 + 40 * resubmission)


def _undercount(answers: dict[str, object]) -> dict[str, object]:
    """The first, wrong version of the late return: job outcomes left out (all zero, and the
    jobs by sector and pay with them, so the return is wrong but consistent)."""
    out = dict(answers)
    for k in out:
        if k.startswith(("E05_", "E05a_", "E07_", "E08_", "E19", "E20", "E21", "E22", "E23", "E24")):
            out[k] = 0
    return out


def approve_demo_comments(store: Store, catalogue: Catalogue) -> tuple[int, int]:
    """The demo's analyst reads the caveats and approves every one but the comment that names a
    client (an analyst would ask the provider to reword it): (approved, left awaiting)."""
    found = comments.comments(store.current_returns(), catalogue, store.approval_rows())
    ok = [c for c in found if c.status == comments.AWAITING and c.text != NAMES_A_CLIENT]
    if ok:
        store.record_approvals([comments.approval_row(c, comments.APPROVED, "Demo analyst") for c in ok])
    return len(ok), sum(c.text == NAMES_A_CLIENT for c in found)
