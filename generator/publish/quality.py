"""data_quality.csv: for each expected return, whether it came, when, on which template
version, what it did not collect, and its approved comment.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from generator.catalogue.registry import Registry, role_for
from generator.catalogue.sections import Catalogue, Section
from generator.intake import comments
from generator.store.files import STORED_STATUSES
from generator.workbook.layout import build_layout, due_date, periods

QUALITY_COLUMNS = (
    "area_code",
    "area_name",
    "organisation_code",
    "organisation_name",
    "section",
    "period",
    "status",
    "items_answered",
    "items_expected",
    "warnings",
    "returns_received",
    "template_version",
    "not_collected",  # items the return says, or its template version shows, were not collected
    "due",  # when the return was due (the section's `due:` in the catalogue)
    "received",  # when it first arrived (the ledger: kpi ingest --received, or the day of the ingest)
    "late",  # yes | no; for a missing return, yes once its due date has passed
    "comment",  # the provider's caveat, once an analyst approved it (kpi comments)
)
QUALITY_NUMERIC = frozenset({"items_answered", "items_expected", "warnings", "returns_received"})


def data_quality(
    returns: Sequence[Mapping[str, Any]],
    catalogue: Catalogue,
    registry: Registry,
    ledger: Iterable[Mapping[str, str]] = (),
    approvals: Iterable[Mapping[str, str]] = (),
) -> list[dict[str, Any]]:
    """For every organisation, section and period seen: received or missing, how complete, on
    which template version, what was not collected, and the caveat its provider wrote (its
    text only once approved: free text may name someone)."""
    approved = comments.published(comments.comments(returns, catalogue, approvals))
    received = {
        (r["identity"]["organisation_code"], r["section"], r["identity"]["period"]): r for r in returns
    }
    stored_rows = [row for row in ledger if row.get("status") in STORED_STATUSES]
    attempts = Counter((row["organisation_code"], row["section"], row["period"]) for row in stored_rows)
    first_in: dict[tuple[str, str, str], str] = {}
    for row in sorted(stored_rows, key=lambda row: row.get("time") or ""):
        # blank when the ledger does not say (an earlier version's, a recovered row): the day of
        # the ingest is not the day it arrived, and would call every such return late
        first_in.setdefault(
            (row["organisation_code"], row["section"], row["period"]), row.get("received") or ""
        )
    today = dt.date.today().isoformat()
    seen_periods: dict[str, set[str]] = defaultdict(set)
    for r in returns:
        seen_periods[r["section"]].add(r["identity"]["period"])
    out = []
    for letter, sec in catalogue.sections.items():
        wanted = role_for(sec.completed_by)
        for period in sorted(seen_periods.get(letter, ()), key=periods(sec.frequency).index):
            for org in sorted(registry.organisations.values(), key=lambda o: o.code):
                if org.role != wanted:
                    continue
                got = received.get((org.code, letter, period))
                version = str(got.get("template_version", "")) if got else ""
                key = (org.code, letter, period)
                due = due_date(sec, period).isoformat()
                came = first_in.get(key, "") if got else ""
                answered, expected = completeness(sec, got, catalogue)
                # a stored return was received at least once, whatever the ledger has kept
                n = max(attempts.get((org.code, letter, period), 0), int(got is not None))
                out.append(
                    {
                        "area_code": org.area_code,
                        "area_name": org.area_name,
                        "organisation_code": org.code,
                        "organisation_name": org.name,
                        "section": letter,
                        "period": period,
                        "status": "missing" if got is None else "resubmitted" if n > 1 else "received",
                        "items_answered": answered if got else 0,
                        "items_expected": expected,
                        # the template version has its own column: a return on an earlier
                        # version is not a problem with its figures
                        "warnings": sum(
                            w.get("code") != "old-template-version" for w in got.get("warnings", [])
                        )
                        if got
                        else 0,
                        "returns_received": n,
                        "template_version": version,
                        "due": due,
                        "received": came,
                        "late": _late(came, due, today) if came or not got else "",
                        "not_collected": " ".join(not_collected(sec, got)) if got else "",
                        "comment": approved.get(key, ""),
                    }
                )
    return out


def _late(received: str, due: str, today: str) -> str:
    """yes or no: a return that arrived after its due date, or is still missing after it."""
    return "yes" if (received or today) > due else "no"


def completeness(section: Section, record: Mapping[str, Any] | None, catalogue: Catalogue) -> tuple[int, int]:
    """(answered, expected): the answer cells a return was asked to fill (its own version's,
    less optional ones and those a gate turned off, such as SWEMWBS not collected), and how many
    of them it filled."""
    version = str(record.get("template_version", "")) if record else ""
    layout = build_layout(section.as_made(version), catalogue)
    values = record.get("values", {}) if record else {}
    asked = [
        c
        for c in layout.input_cells
        if c.item.required
        or (c.item.required_when_yes is not None and values.get(c.item.required_when_yes) == "yes")
    ]
    return sum(c.key in values for c in asked), len(asked)


def not_collected(section: Section, record: Mapping[str, Any]) -> list[str]:
    """:meth:`Section.not_collected` for a stored return."""
    return list(section.not_collected(str(record.get("template_version", "")), record.get("values", {})))
