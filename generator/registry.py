"""The registry of areas and organisations that may send returns (``data/organisations.csv``)."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ORGANISATIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "organisations.csv"


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    area_code: str
    area_name: str
    role: str  # commissioner | provider
    synthetic: bool


@dataclass(frozen=True)
class Registry:
    organisations: dict[str, Organisation]

    @functools.cached_property  # looked up for every return read
    def areas(self) -> dict[str, str]:
        return {o.area_code: o.area_name for o in self.organisations.values()}

    def in_area(self, area_code: str) -> list[Organisation]:
        return [o for o in self.organisations.values() if o.area_code == area_code]


def load_registry(path: Path = ORGANISATIONS_CSV) -> Registry:
    with path.open(newline="", encoding="utf-8") as f:
        orgs = {
            row["organisation_code"]: Organisation(
                code=row["organisation_code"],
                name=row["organisation_name"],
                area_code=row["area_code"],
                area_name=row["area_name"],
                role=row["role"],
                synthetic=row.get("synthetic", "") == "yes",
            )
            for row in csv.DictReader(f)
        }
    return Registry(orgs)


def role_for(completed_by: str) -> str:
    """The registry role that may send a section completed by ``completed_by``."""
    return "commissioner" if completed_by == "commissioner" else "provider"


def registry_fingerprint(registry: Registry) -> str:
    """A digest of every organisation: cached results that depend on the registry key on it."""
    rows = sorted(
        (o.code, o.name, o.area_code, o.area_name, o.role, str(o.synthetic))
        for o in registry.organisations.values()
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
