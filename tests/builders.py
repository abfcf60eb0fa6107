"""Build inputs for the tests: valid and hostile workbooks for the reader's tests, returns made
through the real templates (on a given template version too), stored returns (with a small
registry) for the calculation's, catalogue copies, and published rows for the site's."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from generator.calc.row import NAMES, Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import Organisation, Registry, load_registry, role_for
from generator.catalogue.sections import Catalogue
from generator.demo.sites import Site, sites
from generator.demo.synthetic import answers_for
from generator.intake.reader import ReadResult, read_return_bytes
from generator.store.returns import Store
from generator.workbook.identity import Identity
from generator.workbook.layout import DETAILS_SHEET, RETURN_SHEET, build_layout, period_bounds
from generator.workbook.templates import render_template

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ["Cover", DETAILS_SHEET, RETURN_SHEET, "Guidance", "Lists", "_meta"]  # a template's, in order
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
    return f"xl/worksheets/sheet{SHEETS.index(sheet) + 1}.xml"


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
def two_area_registry() -> Registry:
    """Two areas, one provider each (A1-P1, A2-P1): the smallest national table with areas."""
    orgs = [
        Organisation("A1-P1", "A1 provider", "A1", "Area one", "provider", True),
        Organisation("A2-P1", "A2 provider", "A2", "Area two", "provider", True),
    ]
    return Registry({o.code: o for o in orgs})


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


def edit_yaml(path: Path, fn: Callable[[Any], object]) -> None:
    """Change a YAML file of a catalogue copy as an analyst would: load, ``fn`` edits, write."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def catalogue_with_checks(tmp_path: Path, item_id: str, checks: list[dict[str, Any]]) -> Catalogue:
    """The catalogue with ``checks`` on one item: a copy of its YAML, edited as an analyst would."""
    folder = tmp_path / "catalogue"
    shutil.copytree(ROOT / "data" / "catalogue", folder)
    for path in (folder / "sections").glob("*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for g in raw["groups"]:
            for it in g["items"]:
                if it["id"] == item_id:
                    it["checks"] = checks
                    path.write_text(
                        yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8"
                    )
    return load_catalogue(folder)


def tree(root: Path) -> dict[str, str]:
    """Every path under ``root`` and the hash of each file: what 'changes nothing' compares."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def ledger(store: Store) -> list[dict[str, str]]:
    """The store's ledger.csv, row by row."""
    with store.ledger.open(newline="") as f:
        return list(csv.DictReader(f))


def ingested(
    tmp_path: Path,
    catalogue: Catalogue,
    letter: str,
    received: dt.date | None,
    values: dict[str, object] | None = None,
) -> Store:
    """A store under ``tmp_path`` holding one valid return of ``letter``, received that day."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{letter}.xlsx"
    path.write_bytes(valid_return(catalogue, load_registry(), letter, values or {}))
    store = Store(tmp_path / "store")
    assert store.ingest(path, catalogue, load_registry(), received=received).ok
    return store


def demo_files(store: Store) -> list[Path]:
    """The demo returns a demo store (``small_demo``) was made from."""
    return sorted((store.root.parent / "returns").rglob("*.xlsx"))


def inbox_with_a_name_that_is_not_utf8(
    tmp_path: Path, catalogue: Catalogue, registry: Registry
) -> tuple[Path, list[Path]]:
    """Three returns; the middle one named as a Windows zip unpacked on Linux names it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [b"a-intake.xlsx", b"b-R\xe9sum\xe9 PS04.xlsx", b"c-outcomes.xlsx"]
    paths = []
    for name, letter in zip(names, "BCE", strict=True):
        p = inbox / os.fsdecode(name)
        p.write_bytes(valid_return(catalogue, registry, letter))
        paths.append(p)
    return inbox, paths


# -- returns on a given template version (issue 20, item 10), with a comment to approve -------------
VERSIONS_SITE = Site("PS04", "Area PS04", "PS04-COM", "Commissioner", "PS04-EMP", "Provider", 17.0, 1.0)
VERSIONS_PERIOD = "2024-25 Q1"


def versioned_workbook(
    catalogue: Catalogue,
    letter: str,
    version: str,
    change: Callable[[dict[str, object]], None] | None = None,
    period: str = VERSIONS_PERIOD,
) -> bytes:
    """PS04-EMP's return for ``letter`` made on template ``version``, its answers changed by ``change``."""
    registry = load_registry()
    org = registry.organisations["PS04-EMP"]
    sec = catalogue.section(letter).at(version)
    answers = answers_for(sec, catalogue, VERSIONS_SITE, period, 2009)
    if change:
        change(answers)
    ident = Identity(org.area_code, org.area_name, org.code, org.name, period)
    return render_template(sec, catalogue, ident, answers, {"completed_date": None})


def read_bytes(catalogue: Catalogue, data: bytes, name: str = "r.xlsx") -> ReadResult:
    return read_return_bytes(data, name, catalogue, load_registry())


def store_with_comment(tmp_path: Path, catalogue: Catalogue, text: str) -> tuple[Store, Path]:
    """A store holding one Section E return whose comments box says ``text``."""

    def caveat(a: dict[str, object]) -> None:
        a["E90_comments"] = text

    path = tmp_path / "e.xlsx"
    path.write_bytes(versioned_workbook(catalogue, "E", "1.1", caveat, "2025-26 Q1"))
    store = Store(tmp_path / "store")
    assert store.ingest(path, catalogue, load_registry()).ok
    return store, path
