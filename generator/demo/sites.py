"""The demo's invented pilot sites and the figures their returns are drawn around: which sites
fall short, which are small, which send late or never, and the shares and rates of the pilot's
published findings (001) each answer is drawn from.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from generator.catalogue.registry import Registry
from generator.workbook.layout import periods

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
    "D05_other_destinations": (0.20, 0.04),  # halved in synthetic.py: one in ten moves on
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


def random_for(seed: int, *parts: str) -> random.Random:
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
            rng = random_for(seed, "site", area) if k == 0 else random_for(seed, "site", area, prov.code)
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
