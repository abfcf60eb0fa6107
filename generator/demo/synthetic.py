"""The answers of the synthetic demo returns for the 17 pilot sites (:mod:`generator.demo.sites`
says which sites and around which figures; :mod:`generator.demo.returns` types the answers into
the real templates).

Everything here is invented: deterministic from a seed, clearly labelled synthetic in the
organisation names and the returns' contact field. The numbers are calibrated to the pilot's
published aggregate findings (001, "What the data returns revealed"): about 17 referrals a
month per site, almost half aged 36-50, 47% employed in the last two years and 28% in the last
six months, 10% never worked, three-quarters with a job lasting over a year, 18% in work at
referral, about five placements per site per month with 44% under 16 hours a week, one in ten
moving into education, training, volunteering or retirement, one in five care plans with
employment actions and 4% with retention actions, each site's answers spread around those
figures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from generator.catalogue.model import Item
from generator.catalogue.sections import Catalogue, Section
from generator.demo.sites import (
    CAVEATS,
    FEW_STARTERS,
    IPS_BEYOND_SMI_SITES,
    MORE_QUALIFIED_INTAKE,
    NAMES_A_CLIENT,
    NO_SWEMWBS,
    PERCENTAGES,
    POPULATION_WEIGHTS,
    RATES,
    UNDERSTAFFED,
    WEIGHTS,
    Site,
    random_for,
)
from generator.workbook.layout import InputCell, build_layout, period_bounds


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
        random_for(seed, section.section, site.area_code, period)
        if site.lead
        else random_for(seed, section.section, site.area_code, site.provider, period)
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
        state["referrals"] = _poisson(
            random_for(seed, "referrals", site.provider, period), site.volume * months
        )

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
        text = _caveat(
            random_for(seed, "caveat", section.section, site.provider, period), site, section, period
        )
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
