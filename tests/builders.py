"""Build inputs for the tests: valid and hostile workbooks for the reader's tests, stored returns
(with a small registry) for the calculation's, and published rows for the site's."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl

from generator.calc.row import NAMES, Row
from generator.catalogue.registry import Organisation, Registry, role_for
from generator.catalogue.sections import Catalogue
from generator.demo.sites import sites
from generator.demo.synthetic import answers_for
from generator.workbook.identity import Identity
from generator.workbook.layout import DETAILS_SHEET, RETURN_SHEET, build_layout, period_bounds
from generator.workbook.templates import render_template

PERIODS = {"quarterly": "2025-26 Q1", "annual": "2025-26"}


def identity_for(catalogue: Catalogue, registry: Registry, letter: str, area: str = "PS04") -> Identity:
    sec = catalogue.section(letter)
    org = next(o for o in registry.in_area(area) if o.role == role_for(sec.completed_by))
    return Identity(area, org.area_name, org.code, org.name, PERIODS[sec.frequency])


def valid_return(
    catalogue: Catalogue,
    registry: Registry,
    letter: str,
    changes: dict[str, object] | None = None,
    identity: Identity | None = None,
) -> bytes:
    """A complete, valid return for PS04 made through the real template, with ``changes``."""
    sec = catalogue.section(letter)
    ident = identity or identity_for(catalogue, registry, letter)
    demo_sites = {s.area_code: s for s in sites(registry, 2009) if s.lead}
    site = demo_sites.get(ident.area_code, demo_sites["PS04"])  # unknown areas answer like PS04
    period = ident.period if ident.period in PERIODS.values() else PERIODS[sec.frequency]
    answers = answers_for(sec, catalogue, site, period, 2009)
    answers.update(changes or {})
    details = {"contact_name": "Test contact", "completed_date": period_bounds(period)[1] + dt.timedelta(10)}
    return render_template(sec, catalogue, ident, answers, details)


def rezip(
    data: bytes,
    replace: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """Copy a zip, replacing (or, with None, dropping) members and adding new ones."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename in replace:
                new = replace[info.filename]
                if new is not None:
                    dst.writestr(info.filename, new)
            else:
                dst.writestr(info, src.read(info))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def sheet_member(data: bytes, sheet: str) -> str:
    """The zip member holding ``sheet`` (XlsxWriter numbers sheets in order)."""
    order = ["Cover", DETAILS_SHEET, RETURN_SHEET, "Guidance", "Lists", "_meta"]
    return f"xl/worksheets/sheet{order.index(sheet) + 1}.xml"


def edit_with_openpyxl(data: bytes, fn) -> bytes:
    """Change a workbook the way a person in a spreadsheet program might (rows, sheets, formulas)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    fn(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def input_ref(catalogue: Catalogue, letter: str, key: str) -> str:
    lay = build_layout(catalogue.section(letter), catalogue)
    return next(c.ref for c in lay.input_cells if c.key == key)


# -- stored returns for the calculation's tests ---------------------------------------------------
def calc_registry() -> Registry:
    """Area A1: a commissioner and two providers; area A2: one provider."""
    orgs = [
        Organisation("A1-COM", "A1 commissioners", "A1", "Area one", "commissioner", True),
        Organisation("A1-P1", "A1 first provider", "A1", "Area one", "provider", True),
        Organisation("A1-P2", "A1 second provider", "A1", "Area one", "provider", True),
        Organisation("A2-P1", "A2 provider", "A2", "Area two", "provider", True),
    ]
    return Registry({o.code: o for o in orgs})


def ret(section, org, area, period, values):
    """A stored return as the calculation reads it."""
    return {
        "section": section,
        "identity": {"organisation_code": org, "area_code": area, "period": period},
        "values": values,
        "sha256": "x",
        "template_version": "1.0",
        "warnings": [],
    }


def find(rows, indicator, level, period, area="A1", provider="", breakdown_value=""):
    """The one calculated row of an indicator for a level, period, area, provider and category."""
    (r,) = [
        x
        for x in rows
        if x["indicator_id"] == indicator
        and x["level"] == level
        and x["period"] == period
        and x["area_code"] == area
        and x["provider_code"] == provider
        and x["breakdown_value"] == breakdown_value
    ]
    return r


def section_e(starters, outcomes, referrals=100, cost=50_000.0):
    """Section E's values for an IPS (SMI) service."""
    return {
        "E03_referrals": referrals,
        "E04_starters": starters,
        "E05_job_outcomes": outcomes,
        "E02_total_cost": cost,
        "E01_support_model": "ips_smi",
    }


QUARTERS = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
YEAR = "12 months to 2025-26 Q4"


def year_of(section, org, area, values):
    """The same return for each quarter of a year: a complete rolling year below national level,
    where quarters are not published (generator.calc.disclosure, rule 1)."""
    return [ret(section, org, area, q, values) for q in QUARTERS]


def published_row(**given: object) -> Row:
    """A published row of area A1 with only what a test reads filled in."""
    base: dict[str, object] = dict.fromkeys(NAMES, "")
    base.update({"area_code": "A1", "level": "area", "value": None}, **given)
    return Row.of(base)
