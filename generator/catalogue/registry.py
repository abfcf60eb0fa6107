"""The registry of areas and organisations that may send returns (``data/organisations.csv``)."""

from __future__ import annotations

import csv
import email.utils
import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.base.inputs import ORGANISATIONS_CSV, find
from generator.base.names import safe_name, slug

# an address (name@example.org) or a domain (example.org) in the registry's senders column
SENDER = re.compile(r"(?:[^@\s,;<>]+@)?[a-z0-9-]+(?:\.[a-z0-9-]+)+")


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    area_code: str
    area_name: str
    role: str  # commissioner | provider
    synthetic: bool
    # who may send its returns: addresses (name@example.org) or domains (example.org); none
    # listed, anyone (a consistency check on what the analyst says, not authentication)
    senders: tuple[str, ...] = ()
    # other names a reader may look the area up by (a county, a city, a former name): the site
    # prints them on the area's page, so its search finds the area by any of them
    area_other_names: tuple[str, ...] = ()

    def may_send(self, address: str) -> bool:
        """Whether a return from ``address`` (as pasted from a mail client: ``Name <a@b.org>``
        and ``mailto:`` are understood) may be filed for this organisation."""
        if not self.senders:
            return True
        a = email.utils.parseaddr(address.strip().removeprefix("mailto:"))[1].casefold().rstrip(".")
        if not SENDER.fullmatch(a) or "@" not in a:  # an address, not a bare domain
            return False
        domain = a.rpartition("@")[2]
        return any(s == a or ("@" not in s and s == domain) for s in self.senders)


@dataclass(frozen=True)
class Registry:
    organisations: dict[str, Organisation]

    @functools.cached_property  # looked up for every return read
    def areas(self) -> dict[str, str]:
        return {o.area_code: o.area_name for o in self.organisations.values()}

    @functools.cached_property
    def other_names(self) -> dict[str, tuple[str, ...]]:
        """Each area's other names (optional column ``area_other_names``, separated by ';')."""
        return {o.area_code: o.area_other_names for o in self.organisations.values() if o.area_other_names}

    def in_area(self, area_code: str) -> list[Organisation]:
        return [o for o in self.organisations.values() if o.area_code == area_code]


class RegistryError(ValueError):
    """The registry cannot be used as it stands; the message lists every problem."""


COLUMNS = ("area_code", "area_name", "organisation_code", "organisation_name", "role")
ROLES = ("commissioner", "provider")


def load_registry(path: Path | None = None) -> Registry:
    """The organisations in ``path`` (by default the current folder's data/organisations.csv,
    else the package's copy), checked: see :func:`check_rows`."""
    path = path or find(ORGANISATIONS_CSV)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise RegistryError(f"{path}: no column {', '.join(missing)} (expected {', '.join(COLUMNS)})")
        rows = list(reader)
    problems = check_rows(rows)
    if problems:
        raise RegistryError(f"{path}: " + "; ".join(problems))
    return Registry(
        {
            row["organisation_code"]: Organisation(
                code=row["organisation_code"],
                name=row["organisation_name"],
                area_code=row["area_code"],
                area_name=row["area_name"],
                role=row["role"],
                synthetic=row.get("synthetic", "") == "yes",
                senders=tuple(x.casefold() for x in (row.get("senders") or "").replace(";", " ").split()),
                area_other_names=other_names(row),
            )
            for row in rows
        }
    )


def check_rows(rows: Sequence[Mapping[str, str | None]]) -> list[str]:
    """What stops a registry being used: a missing code or role, a code given twice, an area with
    two names, and two codes that would share a folder of the returns store (codes become folder
    names with anything but letters, digits, '.', '-' and '_' made '-', and a file system may
    ignore case: ``PS04-EMP`` and ``PS04 EMP`` would file one's returns over the other's), or
    two area codes that would share a page of the site (``PS_01`` and ``PS-01``)."""
    problems: list[str] = []
    orgs: dict[str, int] = {}
    area_names: dict[str, str] = {}
    also: dict[str, tuple[str, ...]] = {}
    folders: dict[tuple[str, str], str] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        code, area = (row.get("organisation_code") or "").strip(), (row.get("area_code") or "").strip()
        if not code or not area:
            problems.append(f"line {line}: an organisation code and an area code are needed")
            continue
        if row.get("role") not in ROLES:
            problems.append(
                f"line {line} ({code}): role {row.get('role')!r}, expected one of {', '.join(ROLES)}"
            )
        if code in orgs:
            problems.append(f"line {line}: {code} is also on line {orgs[code]}")
            continue
        orgs[code] = line
        odd = [
            x
            for x in (row.get("senders") or "").replace(";", " ").split()
            if not SENDER.fullmatch(x.casefold())
        ]
        if odd:
            problems.append(
                f"line {line} ({code}): senders {', '.join(map(repr, odd))} are not addresses or domains "
                "(separate several with ';' or spaces)"
            )
        name = row.get("area_name") or ""
        if area_names.setdefault(area, name) != name:
            problems.append(
                f"line {line}: area {area} is named {name!r} here and {area_names[area]!r} before"
            )
        if (names := other_names(row)) and also.setdefault(area, names) != names:
            problems.append(
                f"line {line}: area {area}'s other names are {'; '.join(names)!r} here and "
                f"{'; '.join(also[area])!r} before (give the same names wherever they are given)"
            )
        for kind, value in (("area", area), ("organisation", code)):
            folder = (kind, safe_name(value).casefold())
            other = folders.setdefault(folder, value)
            if other != value:
                problems.append(
                    f"line {line}: {kind} codes {other!r} and {value!r} would share the store's folder "
                    f"{safe_name(value)!r}; make them differ in a letter or digit"
                )
        page = ("area page", slug(area))
        other = folders.setdefault(page, area)
        if slug(area) in ("index", "readme"):  # the list of areas is generated/areas/index.md
            problems.append(
                f"line {line}: area code {area!r} would take the site's page of the list of areas "
                f"({slug(area)!r}); choose another code"
            )
        elif other != area:
            problems.append(
                f"line {line}: area codes {other!r} and {area!r} would share the site's page "
                f"{slug(area)!r}; make them differ in a letter or digit"
            )
    return problems


def other_names(row: Mapping[str, str | None]) -> tuple[str, ...]:
    """A row's ``area_other_names``: names separated by ';', blanks dropped."""
    return tuple(x.strip() for x in (row.get("area_other_names") or "").split(";") if x.strip())


def role_for(completed_by: str) -> str:
    """The registry role that may send a section completed by ``completed_by``."""
    return "commissioner" if completed_by == "commissioner" else "provider"


def registry_fingerprint(registry: Registry) -> str:
    """A digest of every organisation: cached results that depend on the registry key on it."""
    rows = sorted(
        (o.code, o.name, o.area_code, o.area_name, o.role, str(o.synthetic), ";".join(o.area_other_names))
        for o in registry.organisations.values()
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
