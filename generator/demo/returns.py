"""The demo's returns written as a provider would send them: each site's answers typed into the
real template for its section and period (in worker processes), with the demo's late and
resubmitted returns, and its caveats approved as an analyst would.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.base.pools import process_pool
from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue, Section
from generator.demo.sites import (
    CURRENT_VERSION_FROM,
    LATE_RESUBMISSION,
    LATE_RETURN,
    MISSING_SECTION,
    NAMES_A_CLIENT,
    QUARTERS,
    Site,
    sites,
    years_of,
)
from generator.demo.synthetic import answers_for
from generator.intake import comments
from generator.store.returns import Store
from generator.workbook.identity import Identity, template_filename
from generator.workbook.layout import period_bounds
from generator.workbook.templates import render_template


@dataclass(frozen=True)
class DemoReturn:
    path: Path
    section: str
    site: str
    period: str
    resubmission: bool = False
    received: dt.date | None = None  # when the analyst had it: a few days after it was completed


def demo_version(section: Section, period: str) -> Section:
    """The template version a demo return for ``period`` is made on."""
    if period.split(" ")[0] >= CURRENT_VERSION_FROM:
        return section
    return section.at(section.version_names[0])


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
