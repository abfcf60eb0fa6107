"""A section of the catalogue (one workbook, one return), its template versions and due
date, and the catalogue as a whole: the frozen values every stage reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import Field

from generator.catalogue.model import (
    VERSION,
    Breakdown,
    CrossCheck,
    Derived,
    Document,
    Frequency,
    Group,
    Item,
    Model,
    Role,
    Scale,
    SourceRef,
)


class Version(Model):
    """One released version of a section's template: what a return made on it holds."""

    version: str = Field(pattern=VERSION)
    released: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    changes: str = Field(min_length=3)


class Due(Model):
    """When a section's return is due: ``days_after_period`` days after the period ends, or on
    the date ``dates`` gives for a period (a holiday, a changed contract)."""

    days_after_period: int = Field(ge=0, le=366)
    dates: dict[str, str] = Field(default_factory=dict)
    note: str = ""

    def date(self, period_end: dt.date, period: str) -> dt.date:
        if period in self.dates:
            return dt.date.fromisoformat(self.dates[period])
        return period_end + dt.timedelta(days=self.days_after_period)


def version_key(v: str) -> tuple[int, ...]:
    """A version as numbers, so that 1.10 comes after 1.9."""
    return tuple(int(x) for x in v.split("."))


class Section(Model):
    """One KPI section: one workbook. ``versions`` lists every template version released, oldest
    first; an item or rule added later says ``since``, so a return made on any of them is read
    with what that version had (:meth:`at`)."""

    section: Literal["A", "B", "C", "D", "E", "F", "G"]
    title: str
    template_id: str = Field(pattern=r"^kpi-[a-g]-[a-z0-9-]+$")
    version: str = Field(pattern=VERSION)
    versions: tuple[Version, ...] = Field(min_length=1)
    due: Due
    completed_by: Role
    completed_by_text: str
    frequency: Frequency
    purpose: str
    how_to_submit: str
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    groups: tuple[Group, ...] = Field(min_length=1)
    derived: tuple[Derived, ...] = ()

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for g in self.groups for i in g.items)

    @property
    def version_names(self) -> tuple[str, ...]:
        return tuple(v.version for v in self.versions)

    def at(self, version: str) -> Section:
        """The section as template ``version`` had it: the items and rules it had (``since`` at
        most ``version``), a gate it did not have dropped. The same object for the same version,
        so that layouts remembered by identity are laid out once."""
        if version == self.version:
            return self
        key = (id(self), version)
        hit = _AT.get(key)
        if hit is not None and hit[0] is self:
            return hit[1]
        if version not in self.version_names:
            raise KeyError(f"Section {self.section} has no template version {version!r}")
        had = version_key(version)

        def kept(x: Item | CrossCheck) -> bool:
            return x.since is None or version_key(x.since) <= had

        ids = {i.id for i in self.items if kept(i)}
        groups = []
        for g in self.groups:
            items = tuple(
                i.model_copy(
                    update={
                        "checks": tuple(c for c in i.checks if kept(c)),
                        "required_when_yes": i.required_when_yes if i.required_when_yes in ids else None,
                        "required": i.required
                        or (i.required_when_yes is not None and i.required_when_yes not in ids),
                    }
                )
                for i in g.items
                if i.id in ids
            )
            if items:
                groups.append(g.model_copy(update={"items": items}))
        old = self.model_copy(update={"version": version, "groups": tuple(groups)})
        _AT[key] = (self, old)
        return old

    def as_made(self, version: str) -> Section:
        """The section as a return's template version had it, or as now for a version it does
        not know (the reader refuses those; a stored record may still carry one)."""
        return self.at(version) if version in self.version_names else self

    def not_collected(self, version: str, values: Mapping[str, object]) -> tuple[str, ...]:
        """Items a return did not collect, so that neither is ever read as a zero: those its
        answer to a "were these collected?" question (``no_means: not_collected``) turned off,
        and those its template version did not have yet (free text, and the question itself,
        aside)."""
        had = {i.id for i in self.at(version).items} if version in self.version_names else None
        off = {i.id for i in self.items if i.no_means == "not_collected" and values.get(i.id) == "no"}
        return tuple(
            i.id
            for i in self.items
            if i.value_type != "text"
            and i.no_means != "not_collected"
            and ((had is not None and i.id not in had) or i.required_when_yes in off)
        )

    def later_checks(self, version: str) -> tuple[tuple[Item, CrossCheck], ...]:
        """Rules added after ``version`` whose items that version has: a return made on it is
        not refused for them, but the analyst is told (a warning) that it breaks one."""
        key = (id(self), version)
        hit = _LATER.get(key)
        if hit is not None and hit[0] is self:
            return hit[1]
        had = {i.id for i in self.at(version).items}
        found = tuple(
            (i, c)
            for i in self.items
            if i.id in had
            for c in i.checks
            if c.since is not None and version_key(c.since) > version_key(version) and c.reads <= had
        )
        _LATER[key] = (self, found)
        return found


_AT: dict[tuple[int, str], tuple[Section, Section]] = {}  # held, so their ids are not reused
_LATER: dict[tuple[int, str], tuple[Section, tuple[tuple[Item, CrossCheck], ...]]] = {}


@dataclass(frozen=True)
class Catalogue:
    """The loaded, checked catalogue. Build it with :func:`load_catalogue`."""

    documents: dict[str, Document]
    scales: dict[str, Scale]
    breakdowns: dict[str, Breakdown]
    sections: dict[str, Section]
    digest: str  # sha256 of the YAML it was loaded from: changes when the catalogue does
    section_digests: dict[str, str]  # per section: its own file and the shared files

    def section(self, letter: str) -> Section:
        try:
            return self.sections[letter.upper()]
        except KeyError:
            raise KeyError(f"no section {letter!r}; sections are {', '.join(self.sections)}") from None

    def items(self) -> Iterator[tuple[Section, Item]]:
        for s in self.sections.values():
            for i in s.items:
                yield s, i

    @cached_property
    def item_index(self) -> dict[str, Item]:
        return {i.id: i for _, i in self.items()}

    @cached_property
    def target_selector(self) -> str | None:
        """The item whose answer says which targets apply to a service (its support model)."""
        return next((i.id for _, i in self.items() if i.selects_targets), None)
