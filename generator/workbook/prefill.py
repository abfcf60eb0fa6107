"""Pre-filled templates for every organisation in the registry, for one period: a round's mail-out.

An analyst collecting nationally sends each organisation its workbooks for the period, with
its area, name and the period already filled in, so that every return comes back identified
the same way. One command makes them all: each is the section's template with one
organisation's identity (:func:`generator.workbook.templates.render_template`), drawn across cores, and
put in a folder per organisation (``<out>/<area>/<organisation>/``), ready to send. A file
whose bytes have not changed is left alone, so re-running it is cheap and safe.

Which sections an organisation gets follows from the catalogue: those its role completes
(commissioners or providers) whose frequency matches the period (a quarter such as
"2025-26 Q1" for the quarterly sections, a financial year such as "2025-26" for the annual
ones).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from generator.base.names import safe_name
from generator.base.pools import in_order
from generator.base.progress import Progress
from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue, Section
from generator.workbook.identity import Identity, template_filename
from generator.workbook.layout import example_period, periods
from generator.workbook.templates import render_template

Job = tuple[str, Identity]  # section letter, who and when


class IdentityError(ValueError):
    """A pre-fill request that does not fit the registry or the section's periods."""


class NothingToPrefill(ValueError):
    """The period suits none of the chosen sections, or no organisation completes them."""


def plan(catalogue: Catalogue, registry: Registry, period: str, letters: Sequence[str]) -> list[Job]:
    """Every (section, identity) to make: each organisation, area by area, with the sections of
    ``letters`` that its role completes and whose frequency ``period`` belongs to (pure)."""
    fitting = [s for s in letters if period in periods(catalogue.sections[s].frequency)]
    if not fitting:
        kinds = sorted({catalogue.sections[s].frequency for s in letters})
        examples = " or ".join(f"{example_period(k)!r} ({k})" for k in kinds)
        raise NothingToPrefill(
            f"{period!r} is not a reporting period of section(s) {', '.join(letters)}; "
            f"expected a period like {examples}"
        )
    jobs = [
        (s, Identity(o.area_code, o.area_name, o.code, o.name, period))
        for o in sorted(registry.organisations.values(), key=lambda o: (o.area_code, o.code))
        for s in fitting
        if o.role == role_for(catalogue.sections[s].completed_by)
    ]
    if not jobs:
        roles = sorted({role_for(catalogue.sections[s].completed_by) for s in fitting})
        raise NothingToPrefill(
            f"no organisation in the registry is a {' or '.join(roles)}, who complete section(s) "
            f"{', '.join(fitting)}"
        )
    return jobs


def target(out: Path, catalogue: Catalogue, job: Job) -> Path:
    """Where a job's workbook goes: a folder per organisation, to send as it is."""
    letter, ident = job
    folder = out / safe_name(ident.area_code) / safe_name(ident.organisation_code)  # never outside ``out``
    return folder / template_filename(catalogue.sections[letter], ident)


_WORKER: dict[str, Catalogue] = {}


def _init(catalogue: Catalogue) -> None:
    _WORKER["catalogue"] = catalogue


def _render(job: Job) -> bytes:
    catalogue = _WORKER["catalogue"]
    return render_template(catalogue.sections[job[0]], catalogue, job[1])


def write_prefilled(
    catalogue: Catalogue, jobs: Sequence[Job], out: Path, workers: int | None = None
) -> list[Path]:
    """Render and write every job's workbook (only those whose bytes change are replaced),
    written as they are drawn so the round is never all in memory."""
    written = []
    rendered = in_order(_render, jobs, workers, _init, (catalogue,), 8)
    with Progress("Pre-filling templates", len(jobs)) as bar, contextlib.closing(rendered):
        for job, data in zip(jobs, rendered, strict=True):
            path = target(out, catalogue, job)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != data:
                tmp = path.with_name(f".{path.name}.tmp")
                tmp.write_bytes(data)
                tmp.replace(path)
            written.append(path)
            bar.advance()
    return written


def resolve_identity(
    section_letters: list[str],
    area: str,
    organisation: str,
    period: str,
    catalogue_sections: dict[str, Section],
    registry: Registry,
) -> Identity:
    """Who and when a pre-filled workbook is for, checked against the registry and the
    sections' periods: the organisation exists, is in the area, has the role that completes
    each section, and the period is one of each section's."""
    org = registry.organisations.get(organisation)
    if org is None:
        known = ", ".join(sorted(registry.organisations)[:6])
        raise IdentityError(
            f"unknown organisation code {organisation!r}: not in the registry (--registry)"
            + (f"; known codes include {known}" if known else "; it holds no organisation")
        )
    if org.area_code != area:
        raise IdentityError(
            f"organisation {organisation} belongs to area {org.area_code} ({org.area_name}), not {area!r}"
        )
    for letter in section_letters:
        sec = catalogue_sections[letter]
        wanted = role_for(sec.completed_by)
        if org.role != wanted:
            raise IdentityError(
                f"section {letter} ({sec.title}) is completed by a {wanted}, "
                f"but {organisation} is a {org.role}; choose the sections with --section"
            )
        if period not in periods(sec.frequency):
            example = example_period(sec.frequency)
            raise IdentityError(
                f"period {period!r} is not one of section {letter}'s {sec.frequency} periods; "
                f"expected a period like {example!r}"
            )
    return Identity(org.area_code, org.area_name, organisation, org.name, period)
