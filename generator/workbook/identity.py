"""Who and when a workbook is for: the identity pre-filled on its 'Your details' sheet, and
the file name that carries it.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalogue.sections import Section


@dataclass(frozen=True)
class Identity:
    """Values to pre-fill on the 'Your details' sheet for one organisation."""

    area_code: str
    area_name: str
    organisation_code: str
    organisation_name: str
    period: str

    def as_dict(self) -> dict[str, str]:
        return {
            "area_code": self.area_code,
            "area_name": self.area_name,
            "organisation_code": self.organisation_code,
            "organisation_name": self.organisation_name,
            "period": self.period,
        }


def template_filename(section: Section, identity: Identity | None = None) -> str:
    if identity is None:
        return f"{section.template_id}.xlsx"
    safe = "_".join(
        "".join(ch if ch.isalnum() or ch in "-" else "-" for ch in part)
        for part in (identity.period, identity.area_code, identity.organisation_code)
    )
    return f"{section.template_id}_{safe}.xlsx"
