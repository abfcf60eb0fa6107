"""The indicator catalogue: the one source of truth for templates, reader, calculations and site.

The catalogue is data (YAML under ``data/catalogue/``), loaded here once into frozen
models and checked on load. Two kinds of check run:

* shape checks (pydantic, ``extra="forbid"``) catch a misspelt key or a wrong type
  and name the file and the path inside it;
* cross-reference checks (``_cross_check``) catch what a schema cannot: duplicate
  ids, a denominator that names no item, a breakdown or scale that is not defined,
  a benchmark citing a document that is not in ``sources.yaml``.

Every problem is collected before anything is raised, so one run of ``kpi templates``
lists all of them rather than the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from generator.base.inputs import find

ITEM_ID = r"^[A-G][0-9]{2}[a-z]?_[a-z0-9_]+$"
DERIVED_ID = r"^[A-G]X[0-9]{2}_[a-z0-9_]+$"
SLUG = r"^[a-z][a-z0-9_]*$"
VERSION = r"^[0-9]+\.[0-9]+$"

ValueType = Literal[
    "count",  # whole number of people or things, >= 0
    "proportion",  # numerator (and maybe denominator) entered as counts
    "percentage",  # a percentage given directly, 0-100
    "rating",  # a point on a defined scale (scales.yaml, kind: rating)
    "choice",  # one option from a defined list (scales.yaml, kind: choice)
    "yes_no",
    "money",  # pounds sterling, >= 0
    "number",  # a non-negative decimal (FTE, months, weeks)
    "date",
    "text",
]
Role = Literal["commissioner", "provider", "nhs_trust"]
Polarity = Literal["higher_better", "lower_better", "no_judgement"]
Frequency = Literal["quarterly", "annual"]


class Model(BaseModel):
    """Frozen, strict base: unknown keys are errors, so a typo cannot pass silently."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


M = TypeVar("M", bound=Model)


class SourceRef(Model):
    """Where in a source document an item, scale or benchmark comes from."""

    document: str = Field(pattern=r"^00[0-9]$")
    section: str
    passage: str = Field(min_length=3)


class Document(Model):
    code: str = Field(pattern=r"^00[0-9]$")
    file: str
    title: str
    author: str
    year: str


class ScalePoint(Model):
    value: int | str
    label: str = Field(min_length=1)


class Scale(Model):
    """A rating scale (the wording of every point is part of the instrument) or a choice list."""

    id: str = Field(pattern=SLUG)
    kind: Literal["rating", "choice"]
    title: str
    points: tuple[ScalePoint, ...] = Field(min_length=2)
    source: SourceRef | None = None
    note: str = ""

    def dropdown_labels(self) -> tuple[str, ...]:
        """The text shown in a drop-down: for ratings ``"3 = wording"`` so the wording is visible."""
        if self.kind == "rating":
            return tuple(f"{p.value} = {p.label}" for p in self.points)
        return tuple(str(p.label) for p in self.points)


class Category(Model):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    label: str


class Breakdown(Model):
    """A set of categories an item is reported by; ``exhaustive`` ones must sum to the total."""

    id: str = Field(pattern=SLUG)
    title: str
    categories: tuple[Category, ...] = Field(min_length=2)
    source: SourceRef
    note: str = ""


class Benchmark(Model):
    """A target, benchmark or range from a source document.

    ``kind`` says how a value is judged against it:
    minimum (at least ``value``), maximum (at most ``value``), range (good between
    ``low`` and ``high``), look_at (outside ``low``..``high`` deserves a question),
    reference (a published figure to compare with, no judgement), typical_range (the spread
    a source reports, shown for context and never judged), band (a source's "within or close to
    ``low``..``high``" is good and "significantly above" it is not: judged by the interval).
    """

    id: str = Field(pattern=SLUG)
    kind: Literal["minimum", "maximum", "range", "look_at", "reference", "typical_range", "band"]
    label: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: Literal["percent", "gbp", "count", "months", "weeks", "score"]
    applies_to: Literal["all", "ips", "ips_smi", "ips_beyond_smi", "seqf"] = "all"
    category: str | None = None  # for a breakdown: the one category this benchmark is about
    # a figure for a stated period ("about 51 a quarter"): judged only against values for it,
    # never against a 12-month window of the same count
    per: Literal["quarter", "year"] | None = None
    # a figure for one service ("about five a month per site"): judged only against one
    # provider's figure, never against several providers' added up (an area's or all areas')
    per_site: bool = False
    source: SourceRef

    def amount(self, x: float) -> str:
        """One of its figures as written for a reader: pounds and thousands separated."""
        number = f"{int(x):,}" if float(x).is_integer() else f"{x:,g}"
        unit = {"percent": "%", "months": " months", "weeks": " weeks"}.get(self.unit, "")
        return f"{'£' if self.unit == 'gbp' else ''}{number}{unit}"

    def words(self, reference: str = "") -> str:
        """What it says, once for the workbooks, the dataset and the site: "at least 70%",
        "£2,818 to £4,024", "typically 13% to 63%"; ``reference`` is the word before a plain
        reference figure (none in a workbook's help, "reference" in the dataset)."""
        if self.kind in ("minimum", "maximum", "reference"):
            assert self.value is not None
            word = {"minimum": "at least", "maximum": "at most", "reference": reference}[self.kind]
            return f"{word} {self.amount(self.value)}".strip()
        assert self.low is not None and self.high is not None
        span = f"{self.amount(self.low)} to {self.amount(self.high)}"
        return {
            "range": "",
            "band": "within or close to ",
            "look_at": "look at values outside ",
            "typical_range": "typically ",
        }[self.kind] + span


class Part(Model):
    """A numerator or denominator: either entered on this item (``label``) or taken from another
    item (``item``, optionally ``.numerator``)."""

    label: str | None = None
    item: str | None = None


class When(Model):
    """The answer that puts a cross-item rule in force: ``item`` (a choice or yes/no) is one of
    ``is_`` (scale point values, or yes/no)."""

    item: str
    is_: tuple[str, ...] = Field(alias="is", min_length=1)


class HistoryCheck(Model):
    """How far a value may move from the same organisation's earlier returns before ``kpi
    validate --store`` asks about it (a warning): more than ``factor`` times, or less than
    1/``factor`` of, the median of its last ``periods`` stored periods, and by at least
    ``at_least`` (small counts move a lot by chance)."""

    factor: float = Field(gt=1)
    at_least: float = Field(0, ge=0)
    periods: int = Field(4, ge=2, le=12)


class CrossCheck(Model):
    """A rule across items, declared on the item whose row shows it (the subject): the terms of
    ``left`` added up (default: the subject itself) against those of ``right``, within
    ``tolerance`` (or against ``value``, a constant: a plausibility floor or ceiling, usually a
    warning); or, with ``op`` blank/filled, whether the left cells are answered. Terms
    are ``ITEM``, ``ITEM.numerator``, ``ITEM.denominator`` or ``ITEM:category`` of the same
    section. One object renders the workbook's live check and the reader's
    (generator/workbook/crosschecks.py), so the two cannot disagree."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    left: tuple[str, ...] = ()
    op: Literal["=", "<=", ">=", "blank", "filled"]
    right: tuple[str, ...] = ()
    value: float | None = None  # a constant right side instead of items (a plausible floor)
    when: When | None = None
    tolerance: float = Field(0.0, ge=0)
    severity: Literal["error", "warning"] = "error"
    says: str = Field(min_length=10, max_length=200)  # the rule in a provider's words, one sentence
    since: str | None = Field(None, pattern=VERSION)  # the template version that added it (None: the first)

    @property
    def reads(self) -> set[str]:
        """The items the rule reads besides its subject: its terms', and the answer that puts
        it in force."""
        return {ref_item(r) for r in (*self.left, *self.right)} | ({self.when.item} if self.when else set())


class ReturnCheck(Model):
    """A rule across two returns of the same organisation and period (``kpi validate --store``
    runs it, a warning): the subject against ``other``, an item of another section the same
    organisation completes as often, within ``tolerance`` (a share of the larger) or
    ``at_least`` (people), whichever is wider (counts drawn from two systems rarely match
    exactly)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    other: str
    op: Literal["=", "<=", ">="]
    tolerance: float = Field(0.0, ge=0, lt=1)
    at_least: float = Field(0.0, ge=0)
    says: str = Field(min_length=10, max_length=200)


class Item(Model):
    """One thing a template collects."""

    id: str = Field(pattern=ITEM_ID)
    title: str = Field(min_length=3, max_length=90)
    question: str = Field(min_length=3)
    definition: str = Field(min_length=3)
    value_type: ValueType
    data_source: str
    completed_by: Role | None = None
    polarity: Polarity = "no_judgement"
    required: bool = True
    required_when_yes: str | None = None  # id of a yes_no item that makes this required
    numerator: Part | None = None
    denominator: Part | None = None
    breakdown: str | None = None
    breakdown_exhaustive: bool = True
    exclude_categories: tuple[str, ...] = ()  # categories of the breakdown not collected here
    # how values add up over providers and time: "sum" (flows: referrals, job outcomes), "stock"
    # (a level at a point in time: a caseload, staff in post; summed over providers, never over
    # quarters), "max" (the largest of any provider or quarter)
    aggregate: Literal["sum", "stock", "max"] = "sum"
    # what disclosure control makes of it (generator/calc/disclosure.py): counts and proportions are
    # counts of people unless said otherwise; "other" counts things (training sessions);
    # "distribution" counts people by a score, published for all areas only (means below that)
    disclosure: Literal["people", "other", "distribution"] | None = None
    scale: str | None = None
    min: float | None = None
    max: float | None = None
    benchmarks: tuple[Benchmark, ...] = ()
    checks: tuple[CrossCheck, ...] = ()  # rules across items, shown on this item's row
    across_returns: tuple[ReturnCheck, ...] = ()  # rules against another section's return
    history: HistoryCheck | None = None  # a warning when far from the organisation's earlier returns
    since: str | None = Field(None, pattern=VERSION)  # the template version that added it (None: the first)
    # a yes/no gate: what "No" makes of the items it gates; "not_collected" (the data exist in
    # principle but the service does not record them) is shown as such, never as zero
    no_means: Literal["not_applicable", "not_collected"] = "not_applicable"
    # free text is never published; an approvable one (a caveat) is, once an analyst approves
    # it with `kpi comments --approve`, as it may name someone
    approvable: bool = False
    # its answer (a point of a scale whose values are benchmarks' `applies_to`) says which
    # targets apply to the return's service: IPS or SEQF (one such item in the catalogue)
    selects_targets: bool = False
    source: SourceRef
    note: str = ""

    @field_validator("title", "question", "definition")
    @classmethod
    def _no_double_spaces(cls, v: str) -> str:
        return re.sub(r"\s+", " ", v)


class Derived(Model):
    """A published indicator computed from items (issue 4 implements the methods)."""

    id: str = Field(pattern=DERIVED_ID)
    title: str
    definition: str
    method: Literal[
        "proportion",
        "event_rate",
        "ratio",
        "cost_per_outcome",
        "share_split",
        "profile_vs_population",
        "swemwbs_change",
        "rating_profile",
    ]
    inputs: dict[str, tuple[str, ...]]
    unit: Literal["percent", "gbp", "count", "ratio", "score"]
    polarity: Polarity
    benchmarks: tuple[Benchmark, ...] = ()
    source: SourceRef
    note: str = ""


class Group(Model):
    id: str = Field(pattern=SLUG)
    title: str
    intro: str = ""
    items: tuple[Item, ...] = Field(min_length=1)


class Version(Model):
    """One released version of a section's template: what a return made on it holds."""

    version: str = Field(pattern=VERSION)
    released: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    changes: str = Field(min_length=3)


class Due(Model):
    """When a section's return is due: ``days_after_period`` days after the period ends, or on
    the date ``dates`` gives for a period (a holiday, a changed contract)."""

    days_after_period: int = Field(ge=0, le=366)
    dates: dict[str, str] = {}
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


class CatalogueError(ValueError):
    """Raised with every problem found; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"the indicator catalogue has {len(problems)} problem(s):\n  " + "\n  ".join(problems)
        )


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


_KNOWN_FILES = ("sources.yaml", "scales.yaml", "breakdowns.yaml")


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's C loader where PyYAML was built with it: the same safe
    subset, parsed faster (the catalogue is read by every command)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_yaml(path: Path, problems: list[str]) -> object:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{path.name}: cannot be read as YAML: {e}")
        return None


def _pydantic_problems(where: str, err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        got = e.get("input")
        shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
        out.append(f"{where}: {loc}: {e['msg']} (found {shown[:80]})")
    return out


def _parse_list(model: type[M], raw: object, where: str, problems: list[str]) -> list[M]:
    if not isinstance(raw, list):
        problems.append(f"{where}: expected a list at the top level, found {type(raw).__name__}")
        return []
    parsed = []
    for n, entry in enumerate(raw):
        label = entry.get("id") or entry.get("code") if isinstance(entry, dict) else n
        try:
            parsed.append(model.model_validate(entry))
        except ValidationError as e:
            problems.extend(_pydantic_problems(f"{where}[{n}] ({label})", e))
    return parsed


def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """Load and check the catalogue (by default the current folder's data/catalogue, else the
    package's copy: :func:`generator.base.inputs.find`); raise :class:`CatalogueError` listing every
    problem."""
    directory = Path(directory) if directory is not None else find("data/catalogue")
    problems: list[str] = []
    digest = hashlib.sha256()
    files = [directory / f for f in _KNOWN_FILES] + sorted((directory / "sections").glob("*.yaml"))
    for f in files:
        if f.exists():
            digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        else:
            problems.append(f"{f.relative_to(directory.parent)}: missing")
    if problems:
        raise CatalogueError(problems)

    docs = _parse_list(Document, _read_yaml(files[0], problems), "sources.yaml", problems)
    scales = _parse_list(Scale, _read_yaml(files[1], problems), "scales.yaml", problems)
    bds = _parse_list(Breakdown, _read_yaml(files[2], problems), "breakdowns.yaml", problems)
    sections: list[Section] = []
    section_digests: dict[str, str] = {}
    shared = b"".join(f.name.encode() + b"\0" + f.read_bytes() + b"\0" for f in files[:3])
    for f in files[3:]:
        raw = _read_yaml(f, problems)
        try:
            sec = Section.model_validate(raw)
        except ValidationError as e:
            problems.extend(_pydantic_problems(f"sections/{f.name}", e))
            continue
        sections.append(sec)
        section_digests[sec.section] = hashlib.sha256(shared + f.read_bytes()).hexdigest()
    cat = Catalogue(
        documents={d.code: d for d in docs},
        scales={s.id: s for s in scales},
        breakdowns={b.id: b for b in bds},
        sections={s.section: s for s in sorted(sections, key=lambda s: s.section)},
        digest=digest.hexdigest(),
        section_digests=section_digests,
    )
    problems.extend(_cross_check(cat, docs, scales, bds, sections))
    if problems:
        raise CatalogueError(problems)
    return cat


def _duplicates(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _cross_check(
    cat: Catalogue,
    docs: list[Document],
    scales: list[Scale],
    bds: list[Breakdown],
    sections: list[Section],
) -> list[str]:
    """Checks a schema cannot express: uniqueness and references between entries."""
    p: list[str] = []
    for name, ids in (
        ("sources.yaml document code", [d.code for d in docs]),
        ("scales.yaml id", [s.id for s in scales]),
        ("breakdowns.yaml id", [b.id for b in bds]),
        ("section letter", [str(s.section) for s in sections]),
        ("template_id", [s.template_id for s in sections]),
    ):
        for d in _duplicates(ids):
            p.append(f"duplicate {name}: {d}")
    for b in bds:
        for d in _duplicates([c.code for c in b.categories]):
            p.append(f"breakdowns.yaml ({b.id}): duplicate category code {d}")
    for sc in scales:
        for d in _duplicates([str(pt.value) for pt in sc.points]):
            p.append(f"scales.yaml ({sc.id}): duplicate point value {d}")

    all_ids = [i.id for s in sections for i in s.items] + [d.id for s in sections for d in s.derived]
    for d in _duplicates(all_ids):
        p.append(f"duplicate item or indicator id: {d}")
    items = {i.id: i for s in sections for i in s.items}
    p.extend(_rule_cycles(items))
    selectors = [i for i in items.values() if i.selects_targets]
    if len(selectors) > 1:
        p.append(f"only one item may select targets (selects_targets): {', '.join(i.id for i in selectors)}")
    # a target for one kind of service applies only if an item says which kind a service is
    kinds = {
        bm.applies_to
        for s in sections
        for bms in (*(i.benchmarks for i in s.items), *(d.benchmarks for d in s.derived))
        for bm in bms
        if bm.applies_to != "all"
    }
    if kinds and not selectors:
        p.append(
            f"benchmarks apply to {', '.join(sorted(kinds))} only, but no item says which kind a service "
            "is: mark its support-model item `selects_targets: true`"
        )
    elif kinds and selectors and (model := cat.scales.get(selectors[0].scale or "")) is not None:
        offered = {str(pt.value) for pt in model.points}
        needed = {k for kind in kinds for k in ({"ips_smi", "ips_beyond_smi"} if kind == "ips" else {kind})}
        if missing := sorted(needed - offered):
            p.append(
                f"{selectors[0].id} selects targets, but its scale {model.id} has no answer "
                f"{', '.join(missing)} that benchmarks apply to"
            )

    def check_source(where: str, ref: SourceRef | None) -> None:
        if ref is not None and ref.document not in cat.documents:
            p.append(f"{where}: cites document {ref.document!r}, not listed in sources.yaml")

    for sc in scales:
        check_source(f"scales.yaml ({sc.id})", sc.source)
    for b in bds:
        check_source(f"breakdowns.yaml ({b.id})", b.source)

    for s in sections:
        where_s = f"section {s.section}"
        p.extend(_check_versions(where_s, s))
        shape = r"([0-9]{4})-([0-9]{2}) Q[1-4]" if s.frequency == "quarterly" else r"([0-9]{4})-([0-9]{2})"
        for period, day in s.due.dates.items():
            m = re.fullmatch(shape, period)
            if m is None or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
                p.append(f"{where_s}: due.dates names {period!r}, not a {s.frequency} reporting period")
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                p.append(f"{where_s}: due date {day!r} for {period} is not a date (YYYY-MM-DD)")
        for ref in s.sources:
            check_source(where_s, ref)
        for g in s.groups:
            for d in _duplicates([i.id for i in g.items]):
                p.append(f"{where_s}: group {g.id} repeats item {d}")
        entries: list[Item | Derived] = [*s.items, *s.derived]
        for entry in entries:
            kind = "item" if isinstance(entry, Item) else "indicator"
            w = f"{where_s} {kind} {entry.id}"
            if not entry.id.startswith(s.section):
                p.append(f"{w}: id must start with the section letter {s.section}")
            check_source(w, entry.source)
            cats = _entry_categories(entry, items, cat)
            for bm in entry.benchmarks:
                check_source(f"{w} benchmark {bm.id}", bm.source)
                p.extend(_check_benchmark(w, bm, cats))
            if isinstance(entry, Item):
                p.extend(_check_item(w, entry, items, cat))
                continue
            ind = entry
            for role, refs in ind.inputs.items():
                for inp in refs:
                    p.extend(_check_ref(f"{w}: input {role}", inp, items, cat))
    return p


def _check_versions(where: str, s: Section) -> list[str]:
    """Versions in order, the last the current one; everything added ``since`` a version names
    one of them, and a rule is no older than the items it reads."""
    p: list[str] = []
    names = s.version_names
    for d in _duplicates(list(names)):
        p.append(f"{where}: version {d} is listed twice")
    if list(names) != sorted(names, key=version_key):
        p.append(f"{where}: versions must be listed oldest first ({', '.join(names)})")
    if names[-1] != s.version:
        p.append(f"{where}: version {s.version} must be the last of versions ({names[-1]})")
    by_id = {i.id: i for i in s.items}

    def added(x: Item | CrossCheck) -> tuple[int, ...]:
        return version_key(x.since or names[0])

    for i in s.items:
        versioned: list[tuple[Item | CrossCheck, str]] = [(i, f"item {i.id}")]
        versioned += [(c, f"item {i.id} check {c.id}") for c in i.checks]
        for x, what in versioned:
            if x.since is not None and x.since not in names:
                p.append(f"{where} {what}: since {x.since!r} is not one of its versions ({', '.join(names)})")
        for c in i.checks:
            for r in sorted(c.reads | {i.id}):
                item = by_id.get(r)
                if item is not None and (c.since is None or c.since in names) and added(item) > added(c):
                    p.append(f"{where} item {i.id} check {c.id}: reads {r}, added after the rule")
    return p


def _entry_categories(entry: Item | Derived, items: dict[str, Item], cat: Catalogue) -> set[str]:
    """The categories a benchmark of this item or indicator may name."""
    ids: list[str | None]
    if isinstance(entry, Item):
        ids = [entry.breakdown] if entry.breakdown else []
    else:
        ids = [
            items[ref_item(r)].breakdown
            for refs in entry.inputs.values()
            for r in refs
            if ref_item(r) in items
        ]
    return {c.code for b in ids if b and b in cat.breakdowns for c in cat.breakdowns[b].categories}


# how an indicator's input or a rule's term names answers: ITEM, ITEM.numerator,
# ITEM.denominator or ITEM:category (groups: item id, part, category)
REF = re.compile(r"([^.:]+)(?:\.(numerator|denominator))?(?::([a-z0-9_]+))?")


def ref_item(ref: str) -> str:
    """The item id a reference names."""
    return re.split(r"[.:]", ref, maxsplit=1)[0]


def _check_ref(where: str, ref: str, items: dict[str, Item], cat: Catalogue) -> list[str]:
    """A derived indicator's input: ``ITEM``, ``ITEM.numerator|denominator`` or ``ITEM:category``."""
    m = REF.fullmatch(ref)
    if m is None:
        return [f"{where} {ref!r} is not ITEM, ITEM.numerator, ITEM.denominator or ITEM:category"]
    item = items.get(m.group(1))
    if item is None:
        return [f"{where} names {ref!r}, which is not an item"]
    if m.group(2) and item.value_type != "proportion":
        return [f"{where} {ref!r}: only a proportion has a {m.group(2)}"]
    if m.group(3):
        bd = cat.breakdowns.get(item.breakdown or "")
        if bd is None or m.group(3) not in {c.code for c in bd.categories}:
            return [f"{where} {ref!r}: {m.group(3)!r} is not a category of {item.id}"]
    return []


def _check_benchmark(where: str, bm: Benchmark, categories: set[str] | None = None) -> list[str]:
    if bm.category is not None and categories is not None and bm.category not in categories:
        return [f"{where} benchmark {bm.id}: category {bm.category!r} is not one of {sorted(categories)}"]
    if bm.kind in ("minimum", "maximum", "reference") and bm.value is None:
        return [f"{where} benchmark {bm.id}: kind {bm.kind} needs 'value'"]
    if bm.kind in ("range", "band", "look_at", "typical_range"):
        if bm.low is None or bm.high is None:
            return [f"{where} benchmark {bm.id}: kind {bm.kind} needs 'low' and 'high'"]
        if bm.low > bm.high:
            return [f"{where} benchmark {bm.id}: low {bm.low} is above high {bm.high}"]
    return []


def _check_item(w: str, i: Item, items: dict[str, Item], cat: Catalogue) -> list[str]:
    p: list[str] = []
    vt = i.value_type
    if vt == "proportion":
        if i.numerator is None or i.denominator is None:
            p.append(f"{w}: a proportion needs both 'numerator' and 'denominator'")
        else:
            if i.numerator.label is None or i.numerator.item is not None:
                p.append(f"{w}: the numerator is entered on the item: give it a 'label' only")
            d = i.denominator
            if (d.label is None) == (d.item is None):
                p.append(f"{w}: the denominator needs exactly one of 'label' or 'item'")
            elif d.item is not None:
                base, _, part = d.item.partition(".")
                target = items.get(base)
                if target is None:
                    p.append(f"{w}: denominator item {d.item!r} is not an item")
                elif part not in ("", "numerator"):
                    p.append(f"{w}: denominator {d.item!r}: only '.numerator' may follow an id")
                elif part == "numerator" and target.value_type != "proportion":
                    p.append(f"{w}: denominator {d.item!r} is not a proportion")
                elif part == "numerator" and target.breakdown is not None:
                    p.append(f"{w}: denominator {d.item!r} has a breakdown: no single count")
                elif part == "" and target.value_type != "count":
                    p.append(f"{w}: denominator {d.item!r} must be a count item")
    elif i.numerator is not None or i.denominator is not None:
        p.append(f"{w}: only a proportion has a numerator or denominator")
    if vt in ("rating", "choice"):
        sc = cat.scales.get(i.scale or "")
        if sc is None:
            p.append(f"{w}: scale {i.scale!r} is not defined in scales.yaml")
        elif sc.kind != vt:
            p.append(f"{w}: scale {i.scale!r} is a {sc.kind} list, but the item is a {vt}")
    elif i.scale is not None:
        p.append(f"{w}: only a rating or choice item has a scale")
    if i.breakdown is not None:
        if i.breakdown not in cat.breakdowns:
            p.append(f"{w}: breakdown {i.breakdown!r} is not defined in breakdowns.yaml")
        else:
            codes = {c.code for c in cat.breakdowns[i.breakdown].categories}
            for code in i.exclude_categories:
                if code not in codes:
                    p.append(f"{w}: exclude_categories names {code!r}, not in {i.breakdown}")
        if vt not in ("proportion", "count", "percentage"):
            p.append(f"{w}: a breakdown needs a count, proportion or percentage item")
    if i.required_when_yes is not None:
        gate = items.get(i.required_when_yes)
        if gate is None or gate.value_type != "yes_no":
            p.append(f"{w}: required_when_yes {i.required_when_yes!r} is not a yes/no item")
        if i.required:
            p.append(f"{w}: set 'required: false' when using required_when_yes")
    if i.no_means != "not_applicable" and vt != "yes_no":
        p.append(f"{w}: only a yes/no item has no_means")
    if i.approvable and vt != "text":
        p.append(f"{w}: only a text item is approvable")
    if i.selects_targets and vt != "choice":
        p.append(f"{w}: selects_targets needs a choice item (a scale of support models)")
    if i.min is not None and i.max is not None and i.min > i.max:
        p.append(f"{w}: min {i.min} is above max {i.max}")
    p.extend(_check_cross(w, i, items, cat))
    p.extend(_check_across_returns(w, i, items, cat.sections))
    directional = [b.id for b in i.benchmarks if b.kind in ("minimum", "maximum")]
    if directional and i.polarity == "no_judgement":
        p.append(f"{w}: targets {directional} need a polarity: say which direction is better")
    return p


def _check_cross(w: str, i: Item, items: dict[str, Item], cat: Catalogue) -> list[str]:
    """A cross-item rule names terms that exist, in the subject's own section (a return is
    checked alone), compares like with like, and is put in force by a real answer."""
    p: list[str] = []
    for d in _duplicates([c.id for c in i.checks]):
        p.append(f"{w}: two checks called {d}")
    for c in i.checks:
        where = f"{w} check {c.id}"
        terms = (*(c.left or (i.id,)), *c.right)
        for ref in terms:
            bad = _check_ref(where, ref, items, cat)
            p.extend(bad)
            if not bad and ref[0] != i.id[0]:
                p.append(f"{where}: {ref!r} is in another section; a return is checked alone")
        if p:
            continue
        kinds = {items[ref_item(ref)].value_type for ref in terms}
        if c.op in ("blank", "filled"):
            if c.right or c.value is not None:
                p.append(f"{where}: op {c.op} takes no 'right' or 'value'")
        elif bool(c.right) == (c.value is not None):
            p.append(f"{where}: op {c.op!r} needs 'right' (items) or 'value' (a number), not both")
        elif c.value is not None and kinds & {"date"}:
            p.append(f"{where}: a date is compared with another date, not a number")
        elif kinds & {"date"} and (kinds != {"date"} or len(terms) != 2):
            p.append(f"{where}: dates compare one date with one date")
        elif kinds - {"count", "proportion", "percentage", "money", "number", "date"}:
            p.append(f"{where}: only numbers and dates can be compared ({sorted(kinds)})")
        if c.when is not None:
            gate = items.get(c.when.item)
            sc = cat.scales.get(gate.scale or "") if gate else None
            codes = (
                {"yes", "no"}
                if gate and gate.value_type == "yes_no"
                else {str(x.value) for x in sc.points}
                if sc
                else set()
            )
            if gate is None or gate.value_type not in ("choice", "yes_no") or gate.id[0] != i.id[0]:
                p.append(f"{where}: when.item {c.when.item!r} is not a choice or yes/no item of the section")
            elif not set(c.when.is_) <= codes:
                p.append(
                    f"{where}: when.is {list(c.when.is_)} are not all answers of {gate.id} ({sorted(codes)})"
                )
    return p


def _check_across_returns(w: str, i: Item, items: dict[str, Item], sections: dict[str, Section]) -> list[str]:
    """A rule across returns compares two counts of sections the same role completes as often
    (so the two returns are the same organisation's, for the same period)."""
    p: list[str] = []
    for c in i.across_returns:
        where = f"{w} across_returns {c.id}"
        other = items.get(c.other)
        if other is None:
            p.append(f"{where}: {c.other!r} is not an item")
            continue
        mine, theirs = sections[i.id[0]], sections[other.id[0]]
        if mine is theirs:
            p.append(f"{where}: {c.other} is in the same section: use checks")
        elif (mine.completed_by, mine.frequency) != (theirs.completed_by, theirs.frequency):
            p.append(
                f"{where}: Sections {mine.section} and {theirs.section} are not completed by the "
                "same role as often"
            )
        if {i.value_type, other.value_type} != {"count"} or i.breakdown or other.breakdown:
            p.append(f"{where}: compares two counts without breakdowns")
    return p


def _rule_cycles(items: dict[str, Item]) -> list[str]:
    """Rules across items that read each other: a rule's workbook check reads the Check cells
    of the items it adds up, so two rules reading each other's items would be a circular
    reference, which a spreadsheet shows as an error."""
    reads: dict[str, set[str]] = {}
    for i in items.values():
        for c in i.checks:
            named = {ref_item(ref) for ref in (*c.left, *c.right)}
            reads.setdefault(i.id, set()).update(named - {i.id})
    found: list[str] = []

    def visit(path: tuple[str, ...]) -> None:
        for nxt in sorted(reads.get(path[-1], ())):
            if nxt in path:
                loop = " -> ".join((*path[path.index(nxt) :], nxt))
                if not any(loop.split(" -> ")[0] in f for f in found):
                    found.append(f"rules across items read each other's checks (circular): {loop}")
            else:
                visit((*path, nxt))

    for start in sorted(reads):
        visit((start,))
    return found
