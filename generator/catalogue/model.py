"""The indicator catalogue's values: the one source of truth for templates, reader,
calculations and site.

The catalogue is data (YAML under ``data/catalogue/``), read once by
:mod:`generator.catalogue.load` into the frozen models here. Their shape is checked by pydantic
(``extra="forbid"``: a misspelt key or a wrong type is named with its file and path); what a
schema cannot check (duplicate ids, a denominator that names no item, an undefined breakdown or
scale, a benchmark citing an unknown document) by :mod:`generator.catalogue.checks`. Every
problem is collected before anything is raised, so one run lists all of them.
"""

from __future__ import annotations

import re
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

    def comparator(self) -> str:
        """The figure a value is judged against, as written: "43%", "£2,818 to £4,024"."""
        if self.kind in ("minimum", "maximum", "reference"):
            assert self.value is not None
            return self.amount(self.value)
        assert self.low is not None and self.high is not None
        return f"{self.amount(self.low)} to {self.amount(self.high)}"

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
    title: str = Field(min_length=3, max_length=90)  # as the workbook asks it
    # its name on the site and in the dataset, where the title names a period: a quarterly item
    # is also published over 12 months, where "in the quarter" would be wrong
    label: str | None = Field(None, min_length=3, max_length=90)
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

    @model_validator(mode="after")
    def _a_label_without_the_quarter(self) -> Item:
        over_years = self.aggregate != "stock"  # a stock is never added over quarters
        named = self.label is None or QUARTER_WORD.search(self.label)
        if over_years and QUARTER_WORD.search(self.title) and named:
            raise ValueError(
                f"{self.id}: the title names the quarter ({self.title!r}); give a `label:` for the site "
                "and the dataset that does not, since they also show it over 12 months"
            )
        return self

    @property
    def name(self) -> str:
        """What the site and the dataset call it."""
        return self.label or self.title


QUARTER_WORD = re.compile(r"\bquarter\b", re.IGNORECASE)


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


class CatalogueError(ValueError):
    """Raised with every problem found; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"the indicator catalogue has {len(problems)} problem(s):\n  " + "\n  ".join(problems)
        )


# how an indicator's input or a rule's term names answers: ITEM, ITEM.numerator,
# ITEM.denominator or ITEM:category (groups: item id, part, category)
REF = re.compile(r"([^.:]+)(?:\.(numerator|denominator))?(?::([a-z0-9_]+))?")


def ref_item(ref: str) -> str:
    """The item id a reference names."""
    return re.split(r"[.:]", ref, maxsplit=1)[0]
