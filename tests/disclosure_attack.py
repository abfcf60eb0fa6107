"""An outsider's attack on the published indicators: how many exact counts of people come back?

The disclosure rule is only as good as what a determined reader can undo, so this module plays
that reader. It knows what anyone knows: the published ``indicators.csv``, the public catalogue
(``data/catalogue/``: which counts each indicator is built from, which categories add up to
which total) and the rule as the methods page states it (:class:`Rule`). It deliberately does
not import the ``generator`` package: an attacker has the published files, not our code, and a
shared bug must not hide a leak.

The attacks, each a function, each sound (a count is only ever narrowed to values that the
published figures and the rule allow, so the true count always stays in range):

(a) :func:`rate_candidates` - a rate to 1 dp with its rounded numerator and denominator and its
    four Wilson limits leaves few integer (x, n) pairs, often one;
(b) :func:`funnel_denominators` and :func:`money_facts` - funnel limits are a function of the
    denominator alone, a cost per outcome is an unrounded total cost over a count, a caseload
    ratio is a count over published staff numbers: each is solved for the count; a mean score
    over several units (an area with several providers, the nation) beside the units' own means
    gives two linear facts on their counts (:func:`mean_of_parts`);
(c) :func:`propagate` - differencing: interval propagation over every linear relation a reader
    can write down (categories and their total or recorded subtotal, providers and their area,
    areas and the nation, rolling years and partial years and their quarters, overlapping
    rolling years, a count printed as another indicator's denominator);
(d) :func:`integer_program` - an integer program per family of linked counts, over every
    provider and period at once, giving each count's minimum and maximum and whether anything
    lies between (HiGHS via scipy.optimize.milp). What propagation pinned becomes constants,
    and what is left splits into independent pieces (:func:`build_problems`); witnesses and
    batched feasibility questions keep the number of solves small, and a piece too big to solve
    quickly is searched a few units at a time first (:func:`solve_piece`).

The rule's public semantics are a parameter (:class:`Rule`), so a proposed rule can be attacked
before it is adopted; what the table itself shows of how its rates, limits, costs, ratios, means
and subtotals were made is read off it, row by row, and only what is checked is spared an
attack (:func:`infer_rule`).

:func:`run_all` runs them in order, each using what the previous ones found, and returns an
:class:`AttackResult`. Everything is counted on the model's "quantities": a quantity is one true
count, identified by the set of return values it adds up (a provider's quarter of one catalogue
key is an "atom"; an area's rolling year of a category is the sum of its providers' atoms over
four quarters). Two published cells that add up the same atoms (an area with one provider and
that provider; an intake category and its comparison with the local population) are the same
quantity, so nothing is counted twice by accident.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import os
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy
import yaml
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix

Z95 = 1.959963984540054  # two-sided 95% (norm.ppf(0.975))
Z998 = 3.090232306167813  # two-sided 99.8% (norm.ppf(0.999))
NATIONAL = "ALL"
ROLLING = "12 months to "
NOT_RECORDED = ("not_recorded", "dont_know")
INF = math.inf
EPS = 1e-9
# a published rate is rounded to 2 dp and then to 1 dp, so it may lie up to 0.055 points from the
# exact rate, not 0.05: the margin keeps the true pair among the candidates at a tie
DOUBLE_ROUNDING = 0.005
PAIR_CAP = 12  # rate facts with more candidate pairs than this go in as linear bounds only
# SWEMWBS raw total -> metric score (Rasch conversion, published by Warwick Medical School)
SWEMWBS_METRIC = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}


# -- the rule, as a reader knows it ------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """The publication rule's public semantics: what range of true counts each published figure
    can stand for. A parameter of every attack, so that a proposed rule can be attacked before
    it is adopted.

    ``round_to``: counts below national level are rounded half up to this base (1: not rounded).
    ``suppress_below``: counts 1 .. suppress_below-1 are suppressed, so a published count is 0 or
    at least this (with base 5, a published 5 means 5-7, not 3-7). ``suppressed_max``: the
    largest count a blank can hide (None: any, since a reader cannot tell primary suppression,
    1-4, from secondary suppression, any count; 4: only primary suppression is assumed). A blank
    flagged "withheld" hides any count, 0 included. A figure below national level off the
    rounding grid (262.5 with base 5) is no rounded count and bounds nothing; nor does a rolling
    year of a stock printed as its four quarters' published figures added up (rule 1).
    ``national_exact``: national figures are published unrounded. ``rates_from_published``:
    every rate, its Wilson limits and funnel limits are computed from the published (rounded)
    counts, so they tell nothing the counts do not. ``values_from_published``: the same for every
    cost per outcome, caseload ratio and, in an area with several providers, mean score (its
    providers' published means weighted by their published counts; a provider's, a lone area's
    and the nation's means are of the true scores, rule 7). Short of every row, :func:`infer_rule`
    says which rows are (``Model.verified``), and the others are attacked. ``sums_from_published``:
    a count printed for several catalogue counts (a recorded subtotal, a breakdown's total row)
    may be worked out from other published figures rather than rounded on its own, so it stands
    for whatever each way of working it out that prints it allows (:meth:`Readings.bounds`).
    ``rate_dp``: decimal places of a rate and its limits. ``money_step``: money totals are
    published to this step (0.01: to the penny). ``areas_from_providers``: in an area with
    several providers, the area's counts are its providers' published counts added up, so they
    bound nothing by themselves.
    """

    round_to: int = 5
    suppress_below: int = 5
    suppressed_max: int | None = None
    national_exact: bool = True
    rates_from_published: bool = False
    values_from_published: bool = False
    sums_from_published: bool = False
    rate_dp: int = 1
    money_step: float = 0.01
    areas_from_providers: bool = False  # an area's counts are its providers' published ones added

    def published_bounds(self, v: float, national: bool = False) -> tuple[float, float]:
        """The true counts a published count ``v`` can stand for, as a closed range."""
        if national and self.national_exact:
            return v, v
        b = self.round_to
        if b > 1 and v % b:  # off the rounding grid: not a rounded count (a sum of rounded parts?)
            return 0.0, INF
        if b <= 1:
            lo, hi = math.ceil(v - 0.5), math.floor(v + 0.5)  # integers that print as v
            lo = hi = round(v) if lo > hi else lo
        else:  # half up: x rounds to v when v - b/2 <= x < v + b/2
            lo, hi = math.ceil(v - b / 2), math.ceil(v + b / 2) - 1
        lo = max(lo, 0)
        if v > 0:
            lo = max(lo, self.suppress_below)
        elif self.suppress_below > hi:  # 0 printed: the 1..suppress_below-1 are blanks instead
            hi = 0
        return float(lo), float(hi)

    def suppressed_bounds(self) -> tuple[float, float]:
        return 1.0, INF if self.suppressed_max is None else float(self.suppressed_max)

    @property
    def rate_tolerance(self) -> float:
        """Half a unit of a rate's last published place, plus the double-rounding margin."""
        return 0.5 * 10.0**-self.rate_dp + DOUBLE_ROUNDING + EPS


# -- the catalogue, read by the reader --------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """What one published indicator row's counts are made of, in catalogue keys.

    Keys name a return's values as the catalogue does: ``ITEM`` (a count), ``ITEM:category``
    (a count by category), ``ITEM.numerator[:category]`` and ``ITEM.denominator`` (a
    proportion's parts). ``kind`` says which columns hold counts of people: count and total
    (value), rate (numerator and denominator), cost (denominator, below a money total), ratio
    (numerator, over a staff number), mean_start / mean_end (denominator: the people scored);
    money, number and max are read for what they imply; other kinds are not counts.
    """

    indicator_id: str
    breakdown_value: str
    kind: str
    section: str
    num: tuple[str, ...] = ()
    den: tuple[str, ...] = ()
    bounded: bool = False  # the numerator is part of the denominator (x <= n)


PEOPLE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {  # kind -> (column, "num" | "den")
    "count": (("value", "num"),),
    "total": (("value", "num"),),
    "rate": (("numerator", "num"), ("denominator", "den")),
    "cost": (("denominator", "den"),),
    "ratio": (("numerator", "num"),),
    "mean_start": (("denominator", "num"),),
    "mean_end": (("denominator", "den"),),
}


@dataclass(frozen=True)
class Catalogue:
    """The catalogue as a reader uses it: figures by (indicator, category) and the sum rules."""

    figures: Mapping[tuple[str, str], Figure]
    totals: tuple[tuple[str, tuple[str, ...], str], ...]  # (total key, category keys, section)
    at_most: tuple[tuple[str, str, str], ...]  # (part key, whole key, section)
    quarterly: frozenset[str]  # sections returned every quarter (rolling years published)
    # counts of a stock (a caseload on a quarter's last day): they never add up over time, and a
    # rolling year of one (for a ratio over the year) adds up its quarter-ends
    stocks: frozenset[str] = frozenset()


def load_catalogue(folder: Path) -> Catalogue:
    """Read ``data/catalogue/`` (breakdowns.yaml and sections/*.yaml) as published."""
    bds = yaml.safe_load((folder / "breakdowns.yaml").read_text(encoding="utf-8"))
    breakdowns = {str(b["id"]): [str(c["code"]) for c in b["categories"]] for b in bds}
    sections = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((folder / "sections").glob("*.yaml"))
    ]
    return catalogue_from(sections, breakdowns)


def catalogue_from(
    sections: Sequence[Mapping[str, Any]], breakdowns: Mapping[str, Sequence[str]]
) -> Catalogue:
    """The figures and sum rules of catalogue sections given as the YAML's dicts.

    The methods page says how each indicator is built; this is that, in keys: a category's share
    is taken over the recorded categories ('not recorded' over all of them), a count breakdown
    also has a 'total' row, a derived indicator's inputs name items or categories."""
    items: dict[str, Mapping[str, Any]] = {}
    for sec in sections:
        for g in sec["groups"]:
            for it in g["items"]:
                items[str(it["id"])] = it

    def cats(it: Mapping[str, Any]) -> list[str]:
        bd = it.get("breakdown")
        if not bd:
            return []
        excluded = set(it.get("exclude_categories") or ())
        return [c for c in breakdowns[bd] if c not in excluded]

    def den_keys(it: Mapping[str, Any]) -> tuple[str, ...]:
        d = it["denominator"]
        if d.get("label") is not None:
            return (f"{it['id']}.denominator",)
        base, _, part = str(d["item"]).partition(".")
        return (f"{base}.numerator",) if part else (base,)

    def resolve(ref: str) -> tuple[str, ...]:
        head, _, category = ref.partition(":")
        item_id, _, part = head.partition(".")
        it = items[item_id]
        part = part or ("numerator" if it["value_type"] == "proportion" else "value")
        stem = item_id if part == "value" else f"{item_id}.{part}"
        if category:
            return (f"{stem}:{category}",)
        cs = cats(it)
        if cs and part in ("numerator", "value"):
            return tuple(f"{stem}:{c}" for c in cs)
        return (stem,)

    figures: dict[tuple[str, str], Figure] = {}
    totals: list[tuple[str, tuple[str, ...], str]] = []
    at_most: list[tuple[str, str, str]] = []
    stocks: set[str] = set()

    def add(f: Figure) -> None:
        figures[(f.indicator_id, f.breakdown_value)] = f

    for sec in sections:
        s = str(sec["section"])
        for g in sec["groups"]:
            for it in g["items"]:
                iid, vt, cs = str(it["id"]), it["value_type"], cats(it)
                if vt == "proportion":
                    den = den_keys(it)
                    exhaustive = it.get("breakdown_exhaustive", True)
                    if not cs:
                        add(Figure(iid, "", "rate", s, (f"{iid}.numerator",), den, True))
                        at_most.append((f"{iid}.numerator", den[0], s))
                        continue
                    keys = [f"{iid}.numerator:{c}" for c in cs]
                    recorded = tuple(k for k, c in zip(keys, cs, strict=True) if c not in NOT_RECORDED)
                    for c, k in zip(cs, keys, strict=True):
                        d = den if not exhaustive else tuple(keys) if c in NOT_RECORDED else recorded
                        add(Figure(iid, c, "rate", s, (k,), d, True))
                        at_most.append((k, den[0], s))
                    if exhaustive:
                        totals.append((den[0], tuple(keys), s))
                elif vt == "count":
                    kind = "max" if it.get("aggregate") == "max" else "count"
                    if it.get("aggregate") == "stock":
                        stocks.update([f"{iid}:{c}" for c in cs] or [iid])
                    if cs:
                        keys = [f"{iid}:{c}" for c in cs]
                        for c, k in zip(cs, keys, strict=True):
                            add(Figure(iid, c, kind, s, (k,)))
                        add(Figure(iid, "total", "total", s, tuple(keys)))
                    else:
                        add(Figure(iid, "", kind, s, (iid,)))
                elif vt in ("money", "number"):
                    add(Figure(iid, "", vt, s, (iid,)))
        for d in sec.get("derived") or ():
            for f in _derived(d, s, items, cats, den_keys, resolve):
                add(f)
    quarterly = frozenset(str(sec["section"]) for sec in sections if sec.get("frequency") == "quarterly")
    return Catalogue(figures, tuple(totals), tuple(at_most), quarterly, frozenset(stocks))


def _derived(
    d: Mapping[str, Any],
    s: str,
    items: Mapping[str, Mapping[str, Any]],
    cats: Callable[[Mapping[str, Any]], list[str]],
    den_keys: Callable[[Mapping[str, Any]], tuple[str, ...]],
    resolve: Callable[[str], tuple[str, ...]],
) -> list[Figure]:
    """A derived indicator's figures (see :func:`catalogue_from`)."""
    did, method = str(d["id"]), d["method"]
    inputs = {role: tuple(k for r in refs for k in resolve(str(r))) for role, refs in d["inputs"].items()}
    roles = list(inputs)
    if method in ("proportion", "ratio", "cost_per_outcome"):
        num = inputs.get("numerator") or inputs.get("cost") or inputs[roles[0]]
        den = inputs.get("denominator") or inputs.get("outcomes") or inputs[roles[1]]
        kind = {"proportion": "rate", "ratio": "ratio", "cost_per_outcome": "cost"}[method]
        return [Figure(did, "", kind, s, num, den, set(num) <= set(den))]
    if method == "share_split":
        parts = inputs[roles[0]]
        return [Figure(did, k.rsplit(":", 1)[-1], "rate", s, (k,), parts, True) for k in parts]
    if method == "swemwbs_change":
        start, end = inputs.get("start") or inputs[roles[0]], inputs.get("end") or inputs[roles[1]]
        return [Figure(did, part, f"mean_{part}", s, start, end) for part in ("start", "end", "change")]
    if method == "profile_vs_population":
        intake = [str(r) for r in d["inputs"].get("intake") or next(iter(d["inputs"].values()))]
        head = intake[0]
        it = items[head.split(":")[0].split(".")[0]]
        part = "numerator" if it["value_type"] == "proportion" else "value"
        stem = str(it["id"]) if part == "value" else f"{it['id']}.{part}"
        cs = cats(it)
        if ":" in head:
            shown = [head.split(":")[1]]
        elif cs:
            shown = [c for c in cs if c not in NOT_RECORDED]
        else:
            shown = [""]
        recorded = tuple(f"{stem}:{c}" for c in cs if c not in NOT_RECORDED) if cs else den_keys(it)
        return [Figure(did, c, "rate", s, (f"{stem}:{c}",) if c else (stem,), recorded, True) for c in shown]
    return []  # rating profiles: scores, not counts


# -- periods ---------------------------------------------------------------------------------
QUARTER = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")


def quarter_index(label: str) -> int | None:
    m = QUARTER.match(label)
    return int(m[1]) * 4 + int(m[3]) - 1 if m else None


def quarter_label(index: int) -> str:
    year = index // 4
    return f"{year}-{(year + 1) % 100:02d} Q{index % 4 + 1}"


def base_periods(period: str) -> list[str]:
    """The returns' periods a published period adds up: a rolling year's four quarters (those
    before the first return simply have no values), else the period itself."""
    if period.startswith(ROLLING):
        end = quarter_index(period.removeprefix(ROLLING))
        if end is None:
            return [period]
        return [quarter_label(i) for i in range(end - 3, end + 1)]
    return [period]


# -- the published table ----------------------------------------------------------------------
NUMERIC = (
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "all_areas_value",
    "funnel_lower_95",
    "funnel_upper_95",
    "funnel_lower_998",
    "funnel_upper_998",
)
TEXT = ("area_code", "provider_code", "period", "indicator_id", "breakdown_value", "unit", "flags", "method")


def read_published(source: Path | pd.DataFrame) -> pd.DataFrame:
    """The published table with its numeric columns as floats (NaN: blank) and the rest as text."""
    df = (
        source.copy()
        if isinstance(source, pd.DataFrame)
        else pd.read_csv(source, dtype=str, keep_default_na=False)
    )
    for c in TEXT:
        df[c] = df[c].fillna("").astype(str) if c in df else ""
    for c in NUMERIC:
        if c not in df:
            df[c] = np.nan
        df[c] = pd.to_numeric(df[c].replace("", np.nan), errors="coerce").astype(float)
    return df.reset_index(drop=True)


# -- the model: atoms, quantities, what each published cell says -------------------------------
@dataclass
class Cell:
    """One published count of people: a row's column, the quantity it shows, and what it says."""

    row: int
    column: str
    qid: int
    level: str  # provider | area | all areas
    state: str  # published | suppressed | withheld
    value: float  # the published figure (NaN when blank)
    keys: tuple[str, ...] = ()  # the catalogue keys it adds up


@dataclass
class Relation:
    """A linear fact about quantities: lo <= sum(coef * q) <= hi, and the route it stands for."""

    qids: list[int]
    coefs: list[float]
    lo: float
    hi: float
    route: str


@dataclass
class PairFact:
    """Only these (x, n) pairs fit a published rate (attack a)."""

    qx: int
    qn: int
    pairs: list[tuple[int, int]]
    row: int


@dataclass
class SetFact:
    """Only these values fit (attack b: funnel limits, money, ratios)."""

    qid: int
    values: list[int]
    route: str
    row: int


class Model:
    """The published table as linear algebra over the returns' values.

    An atom is one value of one return: (owner, quarter or year, key), the owner being the
    provider (or the area, for a section no provider returns). A quantity is a sum of atoms: an
    area's rolling year of a category adds its providers' atoms over four quarters. Every
    published count of people becomes a :class:`Cell` on a quantity, with the range the rule
    allows (:meth:`Rule.published_bounds`). A return value a provider did not give (an optional
    item, a return not sent) is no atom at all, so it adds nothing to any sum, as in the
    publisher's pooling."""

    def __init__(self, df: pd.DataFrame, catalogue: Catalogue, rule: Rule) -> None:
        self.df, self.catalogue, self.rule = df, catalogue, rule
        n = len(df)
        self.area = df["area_code"].tolist()
        self.provider = df["provider_code"].tolist()
        self.period = df["period"].tolist()
        self.flags = df["flags"].tolist()
        self.level = [
            "all areas" if a == NATIONAL else "provider" if p else "area"
            for a, p in zip(self.area, self.provider, strict=True)
        ]
        self.figure: list[Figure | None] = [
            catalogue.figures.get((i, b))
            for i, b in zip(df["indicator_id"].tolist(), df["breakdown_value"].tolist(), strict=True)
        ]
        self.columns = {c: df[c].to_numpy(dtype=float) for c in NUMERIC}
        # who returns each section: providers where provider rows exist, else the areas themselves
        owners: dict[tuple[str, str], set[str]] = defaultdict(set)  # (section, area) -> owners
        has_provider_rows: set[str] = set()
        for i in range(n):
            f = self.figure[i]
            if f is None or self.area[i] == NATIONAL:
                continue
            if self.provider[i]:
                owners[(f.section, self.area[i])].add(self.provider[i])
                has_provider_rows.add(f.section)
        for i in range(n):
            f = self.figure[i]
            if f is not None and self.area[i] != NATIONAL and f.section not in has_provider_rows:
                owners[(f.section, self.area[i])].add(self.area[i])
        self.owners = {k: sorted(v) for k, v in owners.items()}
        self.areas_of = defaultdict(list)
        for sec, a in sorted(self.owners):
            self.areas_of[sec].append(a)
        self._owner_level = {sec: "provider" if sec in has_provider_rows else "area" for sec, _ in owners}
        self._find_atoms()
        self.quantities: dict[tuple[int, ...], int] = {}
        self.q_atoms: list[tuple[int, ...]] = []
        self.qid(())  # quantity 0: nothing at all, exactly 0
        self.cells: list[Cell] = []
        self._cell_index: dict[tuple[int, str], int] = {}
        self._make_cells()
        # an area row's providers' rows (same indicator, category and period), in areas with several
        by_key: dict[tuple[str, str, str, str, str], int] = {}
        for i in range(n):
            f = self.figure[i]
            if f is not None:
                by_key[
                    (f.indicator_id, f.breakdown_value, self.area[i], self.provider[i], self.period[i])
                ] = i
        self.row_of = by_key
        self.parts_of: dict[int, list[int]] = {}
        for (ind, bv, a, p, t), i in by_key.items():
            f = self.figure[i]
            if f is None or p or a == NATIONAL or len(self.owners.get((f.section, a), [])) < 2:
                continue
            found = [by_key.get((ind, bv, a, o, t)) for o in self.owners[(f.section, a)]]
            self.parts_of[i] = [j for j in found if j is not None]
        # rows whose derived figures were shown to be computed from the published counts
        # (:func:`infer_rule`), by kind: rate, funnel, cost, ratio, mean; and how many were checked
        self._readings: Readings = Readings(self)  # remade for the rule in force (cell_bounds)
        self._sum_rule = self.rule
        self._sum_bounds: dict[int, tuple[float, float]] = {}
        self.verified: dict[str, set[int]] = {k: set() for k in VERIFIED_KINDS}
        self.explained: dict[int, tuple[bool, ...]] = {}  # rate row -> figures the published pair gives
        self.checked: dict[str, int] = dict.fromkeys(VERIFIED_KINDS, 0)

    def from_published(self, kind: str, row: int) -> bool:
        """Whether row's figure of this kind (rate, funnel, cost, ratio, mean) was computed from the
        published counts (so it tells nothing more): the rule says so for every row, or the row
        was checked and is."""
        if kind in ("rate", "funnel") and self.rule.rates_from_published:
            return True
        if kind in ("cost", "ratio", "mean") and self.rule.values_from_published:
            return True
        return row in self.verified[kind]

    # atoms
    def _cell_specs(self, i: int) -> Iterable[tuple[str, tuple[str, ...]]]:
        f = self.figure[i]
        if f is None:
            return ()
        return [(col, f.num if part == "num" else f.den) for col, part in PEOPLE_FIELDS.get(f.kind, ())]

    def _state(self, i: int, column: str) -> str:
        v = self.columns[column][i]
        if v == v:
            return "published"
        flags = set(str(self.flags[i]).split(";"))
        if column == "denominator" and "no denominator" in flags:
            return "zero"  # the flag says the denominator is 0, even where it is blanked
        # a blank denominator's state is said of it ("denominator suppressed"); the plain words
        # are said of the row's own count (a count's value, a rate's numerator)
        said = "denominator " if column == "denominator" else ""
        if said + "suppressed" in flags:
            return "suppressed"
        if said + "withheld" in flags:
            return "withheld"
        if not said and "suppressed" in str(self.flags[i]):  # an older table said one word for both
            return "suppressed"
        return "missing"

    def owners_of(self, section: str, area: str, provider: str) -> list[str]:
        if area == NATIONAL:
            return [o for a in self.areas_of.get(section, ()) for o in self.owners[(section, a)]]
        if provider:
            return [provider]
        return self.owners.get((section, area), [])

    def _find_atoms(self) -> None:
        """Which return values exist. For a key the table shows at its owners' level in a return's
        period (a quarter, a year), an atom exists where such a cell shows a figure or a blank
        for suppression; a blank that is not one is a value not given, and a period the key is not
        shown in had no return. A key published only in sums (rolling years only, say) gets an
        atom for every owner and period some published cell adds up, unknown, 0 or more, except
        periods the section shows no row for at any level (before the first return)."""
        absent: set[tuple[str, str, str]] = set()
        present: set[tuple[str, str, str]] = set()
        multi: list[tuple[str, str, tuple[str, ...]]] = []
        key_shown: set[tuple[str, str]] = set()  # (section, key) shown at owners' level and period
        base_rows: dict[str, set[str]] = defaultdict(set)  # section -> periods of returns, any level
        for i in range(len(self.area)):
            f = self.figure[i]
            if f is None or self.period[i].startswith(ROLLING):
                continue
            base_rows[f.section].add(self.period[i])
            owner_level = self._owner_level.get(f.section)
            if self.area[i] == NATIONAL or (owner_level == "provider") != bool(self.provider[i]):
                continue
            owner = self.provider[i] or self.area[i]
            for col, keys in self._cell_specs(i):
                st = self._state(i, col)
                key_shown.update((f.section, k) for k in keys)
                if len(keys) == 1:
                    (absent if st == "missing" else present).add((owner, self.period[i], keys[0]))
                elif st != "missing":
                    multi.append((owner, self.period[i], keys))
        for owner, period, keys in multi:
            for k in keys:
                if (owner, period, k) not in absent:
                    present.add((owner, period, k))
        for i in range(len(self.area)):
            f = self.figure[i]
            if f is None:
                continue
            periods = [
                t
                for t in base_periods(self.period[i])
                if not base_rows[f.section] or t in base_rows[f.section]
            ]
            owners = self.owners_of(f.section, self.area[i], self.provider[i])
            for col, keys in self._cell_specs(i):
                hidden = [k for k in keys if (f.section, k) not in key_shown]
                if not hidden or self._state(i, col) == "missing":
                    continue
                for o in owners:
                    for t in periods:
                        for k in hidden:
                            present.add((o, t, k))
        self.atom_ids: dict[tuple[str, str, str], int] = {}
        for a in sorted(present):
            self.atom_ids[a] = len(self.atom_ids)
        self.atoms = list(self.atom_ids)

    # quantities
    def qid(self, atoms: tuple[int, ...]) -> int:
        q = self.quantities.get(atoms)
        if q is None:
            q = self.quantities[atoms] = len(self.q_atoms)
            self.q_atoms.append(atoms)
        return q

    def atoms_of(
        self, section: str, area: str, provider: str, period: str, keys: Sequence[str]
    ) -> tuple[int, ...]:
        ids = self.atom_ids
        out = []
        for o in self.owners_of(section, area, provider):
            for t in base_periods(period):
                for k in keys:
                    a = ids.get((o, t, k))
                    if a is not None:
                        out.append(a)
        return tuple(sorted(out))

    def quantity(self, section: str, area: str, provider: str, period: str, keys: Sequence[str]) -> int:
        q = self.qid(self.atoms_of(section, area, provider, period, keys))
        return q

    def _make_cells(self) -> None:
        for i in range(len(self.area)):
            f = self.figure[i]
            if f is None:
                continue
            for col, keys in self._cell_specs(i):
                st = self._state(i, col)
                if st == "missing":
                    continue
                q = self.quantity(f.section, self.area[i], self.provider[i], self.period[i], keys)
                self._cell_index[(i, col)] = len(self.cells)
                value = 0.0 if st == "zero" else float(self.columns[col][i])
                st = "published" if st == "zero" else st
                self.cells.append(Cell(i, col, q, self.level[i], st, value, tuple(keys)))
        self.stock_years = self._stock_years()

    def _stock_years(self) -> set[int]:
        """Cells of a rolling year of a stock below national level (a caseload summed over four
        quarter-ends) printed as the sum of its four quarters' published figures: worked out from
        them (rule 1), so it bounds nothing they do not. One printed otherwise is taken as rounded
        on its own."""
        stocks = self.catalogue.stocks
        if not stocks:
            return set()
        shown: dict[tuple[str, str, str, tuple[str, ...]], float] = {}
        for c in self.cells:
            if c.level != "all areas" and c.state == "published" and set(c.keys) <= stocks:
                shown.setdefault(
                    (self.area[c.row], self.provider[c.row], self.period[c.row], c.keys), c.value
                )
        out = set()
        for k, c in enumerate(self.cells):
            i = c.row
            if c.level == "all areas" or not c.keys or not set(c.keys) <= stocks:
                continue
            if not self.period[i].startswith(ROLLING) or c.state != "published":
                continue
            parts = [
                shown.get((self.area[i], self.provider[i], t, c.keys)) for t in base_periods(self.period[i])
            ]
            if (
                all(v is not None for v in parts)
                and abs(sum(v for v in parts if v is not None) - c.value) < 1e-6
            ):
                out.add(k)
        return out

    def cell(self, row: int, column: str) -> Cell | None:
        k = self._cell_index.get((row, column))
        return None if k is None else self.cells[k]

    def cell_bounds(self, c: Cell) -> tuple[float, float]:
        if c.state == "published" and self._cell_index.get((c.row, c.column), -1) in self.stock_years:
            return 0.0, INF
        if self.rule.areas_from_providers and c.level == "area" and c.state == "published":
            f = self.figure[c.row]
            if f is not None and len(self.owners.get((f.section, self.area[c.row]), [])) > 1:
                return 0.0, INF
        if (
            self.rule.sums_from_published
            and c.state == "published"
            and c.level != "all areas"
            and len(c.keys) > 1
        ):  # worked out from other published figures, or rounded on its own: whichever prints it
            if self._sum_rule != self.rule:
                self._readings, self._sum_rule, self._sum_bounds = Readings(self), self.rule, {}
            k = self._cell_index[(c.row, c.column)]
            found = self._sum_bounds.get(k)
            if found is None:
                found = self._sum_bounds[k] = self._readings.bounds(c)
            return found
        if c.state == "suppressed":
            return self.rule.suppressed_bounds()
        if c.state == "withheld":  # blanked so that only a total is known: any count at all
            return 0.0, INF
        return self.rule.published_bounds(c.value, national=c.level == "all areas")

    def quantity_value(self, q: int, atom_values: Sequence[float]) -> float:
        return float(sum(atom_values[a] for a in self.q_atoms[q]))

    def row_label(self, i: int) -> str:
        f = self.figure[i]
        ind = f.indicator_id if f else "?"
        bv = f" {f.breakdown_value}" if f and f.breakdown_value else ""
        who = self.provider[i] or self.area[i]
        return f"{who} {self.period[i]} {ind}{bv}"


VERIFIED_KINDS = ("rate", "funnel", "cost", "ratio", "mean")
METRIC_MIN, METRIC_MAX = 7.0, 35.0  # the SWEMWBS metric score's range
MEAN_HALF = 0.005 + EPS  # a mean to 2 dp lies within half a unit of its last place


def is_multi_area(model: Model, section: str, area: str, provider: str) -> bool:
    """An area (not a provider, not the nation) whose section several providers return."""
    return (
        not provider
        and area != NATIONAL
        and model._owner_level.get(section) == "provider"
        and len(model.owners.get((section, area), [])) > 1
    )


Reading = tuple[float, float, float]  # the figure it prints (a blank suppressed: 2.5), lo, hi


class Readings:
    """The ways a published count may have been worked out under the rule (rule 2), each with the
    figure it prints and the range of true counts it stands for: rounded on its own ("direct":
    v-2..v+2, 5..7 for a 5, 0 for 0, 1-4 for a blank suppressed, printed as 2.5); a count of
    several catalogue counts as the sum of theirs ("parts"), as its breakdown's total less the
    other categories ("total less others") or as the total itself ("total"); in an area with
    several providers, the sum of theirs (:meth:`ranges`). What the publisher did is one of
    them, and prints the figure shown."""

    def __init__(self, model: Model) -> None:
        self.model = model
        rule = model.rule
        self.direct: dict[tuple[str, str, str, tuple[str, ...]], Reading | None] = {}
        for c in model.cells:
            if c.level == "all areas" or not c.keys:
                continue
            key = (model.area[c.row], model.provider[c.row], model.period[c.row], c.keys)
            if key in self.direct:
                continue
            if c.state == "suppressed":
                self.direct[key] = ((1.0 + rule.suppress_below - 1) / 2, 1.0, float(rule.suppress_below - 1))
            elif c.state == "withheld":
                self.direct[key] = None
            else:
                lo, hi = rule.published_bounds(c.value)
                if hi < INF:  # off the rounding grid: no count rounded on its own
                    self.direct[key] = (c.value, lo, hi)
        # a breakdown's categories -> its total: a proportion's denominator, a count's total row
        self.total_of: dict[frozenset[str], tuple[str, ...]] = {}
        for tk, parts, _ in model.catalogue.totals:
            self.total_of[frozenset(parts)] = (tk,)
        for f in model.catalogue.figures.values():
            if f.kind == "total":
                self.total_of[frozenset(f.num)] = f.num
        self._memo: dict[tuple[str, str, str, str, tuple[str, ...]], dict[str, Reading]] = {}

    def ranges(
        self, section: str, area: str, provider: str, period: str, keys: tuple[str, ...]
    ) -> dict[str, Reading]:
        """Each way of reading the count, by name: direct, parts, total less others, total."""
        memo_key = (section, area, provider, period, keys)
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        out: dict[str, Reading] = {}
        if is_multi_area(self.model, section, area, provider):
            per = [self.ranges(section, area, p, period, keys) for p in self.model.owners[(section, area)]]
            per = [r for r in per if r]  # a provider with nothing published here adds nothing
            for name in {n for r in per for n in r}:
                if all(name in r for r in per):
                    out[name] = (
                        sum(r[name][0] for r in per),
                        sum(r[name][1] for r in per),
                        sum(r[name][2] for r in per),
                    )
        else:
            out = self._unit(area, provider, period, keys)
        self._memo[memo_key] = out
        return out

    def _unit(self, area: str, provider: str, period: str, keys: tuple[str, ...]) -> dict[str, Reading]:
        out: dict[str, Reading] = {}

        def one(ks: tuple[str, ...]) -> Reading | None:
            return self.direct.get((area, provider, period, ks))

        def added(rs: Sequence[Reading | None]) -> Reading | None:
            if any(r is None for r in rs):
                return None
            return (sum(r[0] for r in rs if r), sum(r[1] for r in rs if r), sum(r[2] for r in rs if r))

        d = one(keys)
        if d is not None:
            out["direct"] = d
        if len(keys) > 1 and (made := added([one((k,)) for k in keys])) is not None:
            out["parts"] = made
        for whole, tk in self.total_of.items():
            if not set(keys) <= whole or (t := one(tk)) is None:
                continue
            if set(keys) == whole:
                out["total"] = t
                continue
            others = added([one((k,)) for k in sorted(whole - set(keys))])
            if others is not None:
                out["total less others"] = (t[0] - others[0], max(0.0, t[1] - others[2]), t[2] - others[1])
        return out

    def bounds(self, c: Cell) -> tuple[float, float]:
        """The true counts a published count of several catalogue counts below national level can
        be: the hull of the ranges of every reading that prints its figure ((0, INF) if none)."""
        m = self.model
        f = m.figure[c.row]
        if f is None:
            return 0.0, INF
        fits = [
            (lo, hi)
            for point, lo, hi in self.ranges(
                f.section, m.area[c.row], m.provider[c.row], m.period[c.row], c.keys
            ).values()
            if abs(point - c.value) < 1e-6
        ]
        if not fits:
            return 0.0, INF
        return min(lo for lo, _ in fits), max(hi for _, hi in fits)


def union_limits(xr: tuple[float, float], nr: tuple[float, float]) -> list[float] | None:
    """The union of the Wilson 95% and 99.8% intervals (percent) of every integer pair (x, n),
    0 < n, x <= n (no other pair has one), within the ranges: lower 95, upper 95, lower 99.8,
    upper 99.8. None where there is no pair. Where there are too many pairs to list, the
    extremes are taken where the Wilson limits are monotone: the lowest x over the highest n,
    the highest over the lowest n that is at least as high."""
    x_lo, x_hi = int(xr[0]), int(min(xr[1], nr[1]))
    n_lo, n_hi = max(1, int(nr[0])), int(nr[1])
    if x_lo > x_hi or n_lo > n_hi:
        return None
    if (x_hi - x_lo + 1) * (n_hi - n_lo + 1) <= 4000:
        xs, ns = np.meshgrid(np.arange(x_lo, x_hi + 1.0), np.arange(n_lo, n_hi + 1.0))
        keep = xs <= ns
        f = rate_fields(xs[keep], ns[keep])
        return [float(np.min(f[1])), float(np.max(f[2])), float(np.min(f[3])), float(np.max(f[4]))]
    lo = rate_fields(np.array([float(x_lo)]), np.array([float(n_hi)]))
    hi = rate_fields(np.array([float(x_hi)]), np.array([float(max(n_lo, x_hi))]))
    return [float(lo[1][0]), float(hi[2][0]), float(lo[3][0]), float(hi[4][0])]


def verify_rates(model: Model) -> tuple[set[int], int]:
    """Rate rows below national level whose value and four limits are exactly what the published
    pair implies under the rule (rule 5): the value is the published numerator over the
    published denominator, the limits the union of the Wilson intervals of every pair of counts
    the two stand for (some way of reading them, :class:`Readings`), rounded as the table rounds
    (any convention :func:`rounding_conventions` names). Returns them and how many rows there
    were; of every other row, which of its five figures the published pair explains on its own
    (``model.explained``: the attack on the row leaves those out, as they may have been made
    from the published counts while the rest were not)."""
    cols = model.columns
    readings = Readings(model)
    conventions = list(rounding_conventions(model.rule).values())
    ok: set[int] = set()
    model.explained = {}
    rows = 0
    for i, f in enumerate(model.figure):
        if (
            f is None
            or f.kind != "rate"
            or model.level[i] == "all areas"
            or cols["value"][i] != cols["value"][i]
        ):
            continue
        rows += 1
        x_pub, n_pub = cols["numerator"][i], cols["denominator"][i]
        if not n_pub > 0 or x_pub != x_pub:
            continue
        shown = [cols[c][i] for c in RATE_COLUMNS]
        args = (f.section, model.area[i], model.provider[i], model.period[i])
        x_ways = {(lo, hi) for _, lo, hi in readings.ranges(*args, f.num).values()}
        n_ways = {(lo, hi) for _, lo, hi in readings.ranges(*args, f.den).values()}
        explained = [False] * len(RATE_COLUMNS)
        for xr, nr in ((xr, nr) for xr in x_ways for nr in n_ways):
            limits = union_limits(xr, nr)
            if limits is None:
                continue
            raw = [100 * (x_pub / n_pub), *limits]
            for steps in conventions:
                fits = []
                for v, want in zip(raw, shown, strict=True):
                    for d in steps:
                        v = round(v, d)
                    fits.append(want != want or abs(v - want) < 1e-9)  # a limit not shown: nothing to check
                explained = [e or fit for e, fit in zip(explained, fits, strict=True)]
                if all(fits):
                    ok.add(i)
        if i not in ok:
            model.explained[i] = tuple(explained)
    return ok, rows


def funnel_parameters(xs: Sequence[float], ns: Sequence[float]) -> tuple[float, float]:
    """The pooled share of areas' published counts and Spiegelhalter's additive variance (z
    scores winsorised at the 10th and 90th percentiles), as the methods page states them."""
    x, n = np.array(xs, dtype=float), np.array(ns, dtype=float)
    if not len(n) or n.sum() == 0:
        return math.nan, 0.0
    p0 = float(x.sum() / n.sum())
    if p0 in (0.0, 1.0) or len(n) < 2:
        return p0, 0.0
    var = p0 * (1 - p0) / n
    z = (x / n - p0) / np.sqrt(var)
    z = np.clip(z, *np.quantile(z, [0.1, 0.9]))
    k, phi = len(n), float(np.mean(z**2))
    w = 1 / var
    c = 2 / (9 * (k - 1))  # widened only beyond the 95% point of chi-squared on k - 1 df
    if k * phi <= (k - 1) * (1 - c + 1.6448536269514722 * math.sqrt(c)) ** 3:
        return p0, 0.0
    return p0, max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))


FUNNEL_COLUMNS = ("funnel_lower_95", "funnel_upper_95", "funnel_lower_998", "funnel_upper_998")
# the methods page: limits that are not widened are exact binomial ones where n p0 (1 - p0) is
# under 10 at a whole-number denominator, interpolated between whole counts (Spiegelhalter 2005)
EXACT_FUNNEL_BELOW = 10.0


def exact_funnel_limits(n: int, p0: float) -> list[float]:
    """The exact binomial limits (0-1) at n around p0, lower and upper 95% then 99.8%, as the
    methods page describes them: for a tail q, r is the smallest count with P(R <= r) >= q, and
    the limit is (r - a) / n with a = (P(R <= r) - q) / (P(R = r)). SciPy's binomial, not the
    generator's arithmetic."""
    from scipy.stats import binom

    out = []
    for q in (0.025, 0.975, 0.001, 0.999):
        r = int(binom.ppf(q, n, p0))
        while r > 0 and binom.cdf(r - 1, n, p0) >= q:  # ppf's float edge: the smallest such r
            r -= 1
        at, below = float(binom.cdf(r, n, p0)), float(binom.cdf(r - 1, n, p0)) if r > 0 else 0.0
        a = (at - q) / (at - below) if at > below else 0.0
        out.append(min(max((r - a) / n, 0.0), 1.0))
    return out


def funnel_groups(model: Model) -> dict[tuple[str, str, str], list[int]]:
    """Area rows of each rate indicator, category and period."""
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(model.figure):
        if f is not None and f.kind == "rate" and model.level[i] == "area":
            groups[(f.indicator_id, f.breakdown_value, model.period[i])].append(i)
    return groups


def pooled_share(model: Model, members: Sequence[int]) -> tuple[float, float]:
    """The funnel's p0 and tau2 from the areas' published counts (rows with a value and a
    denominator)."""
    cols = model.columns
    with_den = [i for i in members if cols["value"][i] == cols["value"][i] and cols["denominator"][i] > 0]
    xs = [0.0 if cols["numerator"][i] != cols["numerator"][i] else cols["numerator"][i] for i in with_den]
    return funnel_parameters(xs, [cols["denominator"][i] for i in with_den])


def verify_funnels(model: Model) -> tuple[set[int], int]:
    """Area rows whose four funnel limits are those of the pooled share and variance of the areas'
    published counts at the published denominator, to 2 dp (rule 5)."""
    cols = model.columns
    ok: set[int] = set()
    rows = 0
    for members in funnel_groups(model).values():
        shown = [i for i in members if cols["funnel_lower_95"][i] == cols["funnel_lower_95"][i]]
        if not shown:
            continue
        rows += len(shown)
        p0, tau2 = pooled_share(model, members)
        if p0 != p0:
            continue
        for i in shown:
            n = cols["denominator"][i]
            if not n > 0:
                continue
            if tau2 == 0 and n == int(n) and 0 < p0 < 1 and n * p0 * (1 - p0) < EXACT_FUNNEL_BELOW:
                limits = exact_funnel_limits(int(n), p0)
            else:
                s = math.sqrt(p0 * (1 - p0) / n + tau2)
                limits = [
                    max(0.0, p0 - z * s) if lower else min(1.0, p0 + z * s)
                    for z in (Z95, Z998)
                    for lower in (True, False)
                ]
            if all(
                abs(100 * lim - cols[c][i]) <= 0.005 + 1e-9
                for lim, c in zip(limits, FUNNEL_COLUMNS, strict=True)
            ):
                ok.add(i)
    return ok, rows


def verify_values(model: Model) -> dict[str, tuple[set[int], int]]:
    """Costs per outcome (the total cost over the published count, to the pound), caseload ratios
    (the published count over the published staff number, to 2 dp) and, in areas with several
    providers, mean scores (the providers' published means weighted by their published counts,
    to 2 dp) below national level that are what the published figures give (rule 5), by family,
    with the number of rows of each."""
    cols = model.columns
    val, num, den = cols["value"], cols["numerator"], cols["denominator"]
    money = {
        (f.indicator_id, model.area[i], model.provider[i], model.period[i]): val[i]
        for i, f in enumerate(model.figure)
        if f is not None and f.kind == "money"
    }
    out: dict[str, tuple[set[int], int]] = {}
    cost_ok, cost_rows, ratio_ok, ratio_rows, mean_ok, mean_rows = set(), 0, set(), 0, set(), 0
    ratio_at = {
        (f.indicator_id, model.area[i], model.provider[i], model.period[i]): i
        for i, f in enumerate(model.figure)
        if f is not None and f.kind == "ratio"
    }

    def quarter_ratio(j: int) -> float:
        return num[j] / den[j] if den[j] > 0 and num[j] == num[j] else math.nan

    for i, f in enumerate(model.figure):
        if f is None or model.level[i] == "all areas" or val[i] != val[i]:
            continue
        if f.kind == "cost":
            cost_rows += 1
            cost = money.get((f.num[0].split(":")[0], model.area[i], model.provider[i], model.period[i]))
            if cost is not None and den[i] > 0 and abs(round(cost / den[i]) - val[i]) < 1e-9:
                cost_ok.add(i)
        elif f.kind == "ratio":
            ratio_rows += 1
            if model.period[i].startswith(ROLLING):  # the mean of its quarter-ends' published ratios
                key = (f.indicator_id, model.area[i], model.provider[i])
                quarters = [ratio_at.get((*key, q)) for q in base_periods(model.period[i])]
                ratios = [quarter_ratio(j) for j in quarters if j is not None]
                if ratios and abs(sum(ratios) / len(ratios) - val[i]) <= 0.005 + 1e-9:
                    ratio_ok.add(i)
            elif den[i] > 0 and num[i] == num[i] and abs(num[i] / den[i] - val[i]) <= 0.005 + 1e-9:
                ratio_ok.add(i)
        elif f.kind in ("mean_start", "mean_end") and is_multi_area(
            model, f.section, model.area[i], model.provider[i]
        ):
            mean_rows += 1
            parts = model.parts_of.get(i, [])
            if not parts or any(val[j] != val[j] or not den[j] > 0 for j in parts):
                continue
            weighted = sum(val[j] * den[j] for j in parts) / sum(den[j] for j in parts)
            if abs(weighted - val[i]) <= MEAN_HALF:
                mean_ok.add(i)
    out["cost"] = (cost_ok, cost_rows)
    out["ratio"] = (ratio_ok, ratio_rows)
    out["mean"] = (mean_ok, mean_rows)
    return out


def infer_rule(model: Model, base: Rule | None = None) -> Rule:
    """What a reader can read off the table itself about how derived figures were made, row by
    row (``model.verified``), and for the whole table where every row agrees:

    * a rate whose value and four Wilson limits are exactly what its published pair implies
      (:func:`verify_rates`) tells nothing the counts do not; funnel limits likewise
      (:func:`verify_funnels`); every one of them so: ``rates_from_published``;
    * a cost per outcome that is the total cost over the published count, a caseload ratio that is
      the published count over the published staff, an area's mean that is its providers'
      published means weighted by their published counts (:func:`verify_values`); all of them:
      ``values_from_published``;
    * a count of several catalogue counts off the rounding grid is worked out from other
      published figures, not rounded on its own: ``sums_from_published`` (such a count then
      stands for what every way of working it out that prints it allows, :meth:`Readings.bounds`);
    * every count of an area with several providers is their published counts added up:
      ``areas_from_providers``.

    A row that fails its check keeps every attack on it (less any of its figures the published
    counts explain, :func:`verify_rates`): under a rule that computes from the true counts,
    rounding makes agreement practically impossible, and a rule the table does not show must not
    be assumed."""
    rule = base or Rule()
    model.rule = rule
    rate_ok, rate_rows = verify_rates(model)
    funnel_ok, funnel_rows = verify_funnels(model)
    model.verified = {"rate": rate_ok, "funnel": funnel_ok}
    model.checked = {"rate": rate_rows, "funnel": funnel_rows}
    if rate_rows and len(rate_ok) == rate_rows and len(funnel_ok) == funnel_rows:
        rule = replace(rule, rates_from_published=True)
    values = verify_values(model)
    for name, (ok, rows) in values.items():
        # a family at a time: a mean can agree with its providers' by chance (their means are
        # close), so one family's rows are taken as computed from the published figures only
        # where every one of them is
        model.verified[name] = ok if len(ok) == rows else set()
        model.checked[name] = rows
    if any(rows for _, rows in values.values()) and all(len(ok) == rows for ok, rows in values.values()):
        rule = replace(rule, values_from_published=True)
    # sums: a count printed for several catalogue counts off the rounding grid is no count rounded
    # on its own (one is always a multiple of the base), so such figures are worked out from others
    off_grid = False
    for c in model.cells:
        if (
            c.level == "all areas"
            or c.state != "published"
            or rule.round_to <= 1
            or not c.value % rule.round_to
        ):
            continue
        f = model.figure[c.row]
        spec = dict(model._cell_specs(c.row))
        if f is not None and len(spec.get(c.column, ())) > 1:
            off_grid = True
            break
    if off_grid:
        rule = replace(rule, sums_from_published=True)
    # areas with several providers: if every area count there is its providers' counts added up
    # (as published), the area's figures are worked out from theirs
    by_unit = {(c.row, c.column): c for c in model.cells}
    sums: list[bool] = []
    providers_of: dict[tuple[str, str, str, str], list[Cell]] = defaultdict(list)
    for c in model.cells:
        if c.level == "provider" and c.state == "published":
            f = model.figure[c.row]
            if f is not None:
                providers_of[
                    (f.indicator_id, f.breakdown_value, model.area[c.row], model.period[c.row] + c.column)
                ].append(c)
    for c in by_unit.values():
        f = model.figure[c.row]
        if c.level != "area" or c.state != "published" or f is None:
            continue
        if len(dict(model._cell_specs(c.row)).get(c.column, ())) != 1:
            continue  # a count of several catalogue counts: worked out from others anyway
        owners = model.owners.get((f.section, model.area[c.row]), [])
        parts = providers_of.get(
            (f.indicator_id, f.breakdown_value, model.area[c.row], model.period[c.row] + c.column), []
        )
        if len(owners) > 1 and len(parts) == len(owners):
            sums.append(abs(sum(p.value for p in parts) - c.value) < 1e-9)
    if sums and all(sums):
        rule = replace(rule, areas_from_providers=True)
    return rule


# -- (a) rate candidates ------------------------------------------------------------------------
def wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x of n (0-1), clipped to [0, 1] and exact at 0 and n, as the
    methods page describes it; NaN where it is undefined."""
    with np.errstate(all="ignore"):
        p = x / n
        zz = z * z
        denom = 1 + zz / n
        centre = p + zz / (2 * n)
        half = z * np.sqrt(p * (1 - p) / n + zz / (4 * n * n))
        lo = np.where(x == 0, 0.0, np.maximum(0.0, (centre - half) / denom))
        hi = np.where(x == n, 1.0, np.minimum(1.0, (centre + half) / denom))
    return lo, hi


def py_round(a: np.ndarray, digits: int) -> np.ndarray:
    """Python's ``round(x, digits)`` of each value (rounding the binary value correctly, ties to
    even), at array speed: numpy's answer wherever the scaled value is not within a hair of a
    half, Python's own for the few that are."""
    scale = 10.0**digits
    with np.errstate(all="ignore"):
        y = a * scale
        out: npt.NDArray[np.float64] = np.asarray(np.rint(y) / scale, dtype=float)
        risky = np.isfinite(y) & (np.abs(y - np.floor(y) - 0.5) < 1e-6)
    if risky.any():
        where = np.flatnonzero(risky)
        out[where] = [round(v, digits) for v in a[where].tolist()]
    return np.asarray(out, dtype=np.float64)


RATE_COLUMNS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")


def rate_fields(x: np.ndarray, n: np.ndarray) -> list[np.ndarray]:
    """A rate and its Wilson 95% and 99.8% limits, in percent, before rounding."""
    with np.errstate(all="ignore"):
        lo95, hi95 = wilson(x, n, Z95)
        lo998, hi998 = wilson(x, n, Z998)
        return [100 * (x / n), 100 * lo95, 100 * hi95, 100 * lo998, 100 * hi998]


@dataclass
class RateResult:
    rows: list[int]  # published rates below national level
    candidates: dict[int, list[tuple[int, int]]]  # row -> the (x, n) pairs that fit (rows searched)
    convention: str = ""  # how the published rates were found to be rounded
    national_checked: int = 0  # national rates (exact counts) the convention was tried on
    national_matched: int = 0
    unique: int = 0
    under3: int = 0
    from_published: int = 0  # rows searched whose rate was computed from the published counts
    seconds: float = 0.0


def rounding_conventions(rule: Rule) -> dict[str, tuple[int, ...]]:
    """The ways a rate to ``rule.rate_dp`` places may have been rounded: once, or to 2 places
    first (a figure kept to 2 dp, then cut to 1 dp for publication)."""
    return {
        f"rounded to {rule.rate_dp} dp": (rule.rate_dp,),
        f"rounded to 2 dp, then {rule.rate_dp} dp": (2, rule.rate_dp),
    }


def calibrate(model: Model) -> tuple[str, list[tuple[int, ...]], int, int]:
    """Which roundings reproduce every national rate and limit from its exact counts? National
    figures are published unrounded, so a reader can learn the convention from them. Every
    convention that fits them all is kept (a pair then fits if it fits any: the true one is never
    lost); none: candidates are judged by a tolerance instead."""
    cols = model.columns
    nat = [
        i
        for i, f in enumerate(model.figure)
        if f is not None
        and f.kind == "rate"
        and model.level[i] == "all areas"
        and cols["value"][i] == cols["value"][i]
        and cols["lower_95"][i] == cols["lower_95"][i]
        and cols["denominator"][i] > 0
    ]
    if not nat or not model.rule.national_exact:
        return "tolerance (no national rates to learn from)", [], 0, 0
    x, n = cols["numerator"][nat], cols["denominator"][nat]
    raw = rate_fields(x, n)
    fits: list[tuple[str, tuple[int, ...]]] = []
    best = 0
    for name, steps in rounding_conventions(model.rule).items():
        ok: npt.NDArray[np.bool_] = np.ones(len(nat), dtype=bool)
        for col, v in zip(RATE_COLUMNS, raw, strict=True):
            for d in steps:
                v = py_round(v, d)
            ok &= np.abs(v - cols[col][nat]) < 1e-9
        best = max(best, int(ok.sum()))
        if ok.all():
            fits.append((name, steps))
    if not fits:
        return f"tolerance (no rounding fits all {len(nat)} national rates)", [], len(nat), best
    return " or ".join(name for name, _ in fits), [steps for _, steps in fits], len(nat), len(nat)


def rate_candidates(model: Model) -> RateResult:
    """Attack (a): every integer (x, n) within the published numerator's and denominator's
    ranges whose rate and four Wilson limits print as published. The rounding is learnt from the
    national rows (:func:`calibrate`) and then reproduced exactly; failing that, a figure fits
    within half a unit of its last place plus a margin for rounding twice. With rates computed
    from the published counts, every pair in the box fits: the rate adds nothing."""
    t0 = time.perf_counter()
    rule, cols = model.rule, model.columns
    rows = []
    for i, f in enumerate(model.figure):
        if f is None or f.kind != "rate" or model.level[i] == "all areas":
            continue
        if cols["value"][i] != cols["value"][i] or cols["lower_95"][i] != cols["lower_95"][i]:
            continue
        rows.append(i)
    xs_all, ns_all, owner = [], [], []
    searched = []
    for i in rows:
        cx, cn = model.cell(i, "numerator"), model.cell(i, "denominator")
        if cn is None or cn.state != "published":
            continue
        nlo, nhi = model.cell_bounds(cn)
        xlo, xhi = model.cell_bounds(cx) if cx is not None else (0.0, INF)
        if nhi == INF or nhi - nlo > 1000:
            continue  # no box to search: the row gets no candidates and adds no fact
        searched.append(i)
        bounded = bool(model.figure[i] and model.figure[i].bounded)  # type: ignore[union-attr]
        for n in range(int(nlo), int(nhi) + 1):
            if n <= 0:
                continue
            top = min(xhi, n) if bounded or xhi == INF else xhi
            for x in range(int(xlo), int(top) + 1):
                xs_all.append(x)
                ns_all.append(n)
                owner.append(i)
    x = np.array(xs_all, dtype=float)
    n = np.array(ns_all, dtype=float)
    who = np.array(owner, dtype=np.int64)
    res = RateResult(rows, {i: [] for i in searched})
    # a rate computed from the published counts (the rule says so, or the row was checked and
    # is: infer_rule) tells nothing more: every pair in the box fits
    plain = {i for i in searched if model.from_published("rate", i)}
    res.from_published = len(plain)
    ok: npt.NDArray[np.bool_] = np.isin(who, np.array(sorted(plain), dtype=np.int64))
    if len(plain) == len(searched):
        res.convention = "none needed: rates computed from the published counts tell nothing more"
    else:
        res.convention, conventions, res.national_checked, res.national_matched = calibrate(model)
        raw = rate_fields(x, n)
        # a figure of the row that its published pair explains may have been made from it (the
        # rest from the true counts): it is left out of the row's test, which stays sound
        skip = np.zeros((len(RATE_COLUMNS), len(model.df)), dtype=bool)
        for i, flags in model.explained.items():
            skip[:, i] = flags
        if not conventions:
            fit: npt.NDArray[np.bool_] = np.ones(len(x), dtype=bool)
            for k, (col, v) in enumerate(zip(RATE_COLUMNS, raw, strict=True)):
                fit &= (np.abs(v - cols[col][who]) <= rule.rate_tolerance) | skip[k][who]
            ok |= fit
        else:
            for steps in conventions:
                fit = np.ones(len(x), dtype=bool)
                for k, (col, v) in enumerate(zip(RATE_COLUMNS, raw, strict=True)):
                    for d in steps:
                        v = py_round(v, d)
                    fit &= (np.abs(v - cols[col][who]) < 1e-9) | skip[k][who]
                ok |= fit
    for xi, ni, i in zip(
        x[ok].astype(int).tolist(), n[ok].astype(int).tolist(), who[ok].tolist(), strict=True
    ):
        res.candidates[i].append((xi, ni))
    res.unique = sum(1 for i, c in res.candidates.items() if len(c) == 1 and i not in plain)
    res.under3 = sum(1 for i, c in res.candidates.items() if 0 < len(c) < 3 and i not in plain)
    res.seconds = time.perf_counter() - t0
    return res


# -- (b) funnels, money, ratios, means -------------------------------------------------------------
@dataclass
class FunnelResult:
    rows: int = 0  # area rows with funnel limits
    plain: int = 0  # not widened for overdispersion
    plain_exact: int = 0  # exactly one denominator fits (limits and the published denominator)
    plain_exact_alone: int = 0  # exactly one denominator fits the limits alone
    widened: int = 0
    widened_exact: int = 0
    widened_failed: int = 0  # groups where no common between-area variance fits (reported)
    from_published: int = 0  # rows whose limits were computed at the published denominator
    candidates: dict[int, list[int]] = field(default_factory=dict)  # row -> denominators that fit
    alone: dict[int, list[int]] = field(default_factory=dict)
    seconds: float = 0.0


def _limit_spread(limit: float, p0: tuple[float, float], z: float, lower: bool) -> tuple[float, float]:
    """The range of the funnel's standard error s that prints this limit (2 dp of a percent)."""
    e = 0.005 / 100 + EPS
    lim = limit / 100
    if lower:
        if limit <= 0.0:  # clipped at 0: p0 - z s < 0.00005
            return max(0.0, (p0[0] - e) / z), INF
        return max(0.0, (p0[0] - lim - e) / z), (p0[1] - lim + e) / z
    if limit >= 100.0:
        return max(0.0, (1 - e - p0[1]) / z), INF
    return max(0.0, (lim - p0[1] - e) / z), (lim - p0[0] + e) / z


def _pq_range(p: tuple[float, float]) -> tuple[float, float]:
    vals = [p[0] * (1 - p[0]), p[1] * (1 - p[1])]
    lo, hi = min(vals), max(vals)
    if p[0] <= 0.5 <= p[1]:
        hi = 0.25
    return lo, hi


def funnel_denominators(model: Model) -> FunnelResult:
    """Attack (b), funnels: limits are p0 +- z sqrt(p0(1-p0)/n + tau2) for the area's
    denominator n; p0 is the national rate, published exactly. Unwidened funnels (tau2 = 0) are
    solved for n directly. Widened ones share one tau2 across the areas of an indicator,
    category and period: each candidate n of each area implies a narrow range of tau2, only the
    values of tau2 every area can meet survive, and only the n that meet them remain."""
    t0 = time.perf_counter()
    res = FunnelResult()
    df, cols = model.df, model.columns
    method = df["method"].tolist()
    national: dict[tuple[str, str, str], int] = {}
    for i, f in enumerate(model.figure):
        if f is not None and f.kind == "rate" and model.area[i] == NATIONAL:
            national[(f.indicator_id, f.breakdown_value, model.period[i])] = i
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    fl = cols["funnel_lower_95"]
    every = funnel_groups(model)
    for key, rows in every.items():
        for i in rows:
            if fl[i] != fl[i]:
                continue
            if model.from_published("funnel", i):  # limits at the published denominator: nothing more
                res.from_published += 1
            else:
                groups[key].append(i)
    limits = (
        ("funnel_lower_95", Z95, True),
        ("funnel_upper_95", Z95, False),
        ("funnel_lower_998", Z998, True),
        ("funnel_upper_998", Z998, False),
    )
    for key, members in groups.items():
        # p0: the national rate (exact counts), or the share pooled from the areas' published
        # counts (the methods page): either may be the one used, so what fits either is kept
        shares: list[tuple[float, float]] = []
        nat = national.get(key)
        if nat is not None and cols["denominator"][nat] > 0 and model.rule.national_exact:
            p = cols["numerator"][nat] / cols["denominator"][nat]
            shares.append((p, p))
        pooled, _ = pooled_share(model, every[key])
        if pooled == pooled:
            shares.append((pooled, pooled))
        if not shares:
            a = cols["all_areas_value"][members[0]] / 100
            shares.append((a - 0.00005, a + 0.00005))
        widened = "Spiegelhalter" in method[members[0]]
        res.rows += len(members)
        box: dict[int, list[int]] = {}
        for i in members:
            c = model.cell(i, "denominator")
            nlo, nhi = model.cell_bounds(c) if c is not None else (1.0, INF)
            box[i] = list(range(max(1, int(nlo)), int(min(nhi, 10**7)) + 1)) if nhi < INF else []
        fits: dict[int, set[int]] = {i: set() for i in members}
        alone: dict[int, set[int]] = {i: set() for i in members}
        fitted = [_funnel_fits(model, members, p0, widened, box, limits, fits, alone) for p0 in shares]
        if not any(fitted):
            res.widened_failed += len(members)  # no common between-area variance fits any p0
            for i in members:
                fits[i].update(box[i])
        for i in members:
            res.candidates[i] = sorted(fits[i])
            if widened:
                res.widened_exact += len(fits[i]) == 1
            else:
                res.alone[i] = sorted(alone[i])
                res.plain_exact += len(fits[i]) == 1
                res.plain_exact_alone += len(alone[i]) == 1
        if widened:
            res.widened += len(members)
        else:
            res.plain += len(members)
    res.seconds = time.perf_counter() - t0
    return res


def _funnel_fits(
    model: Model,
    members: Sequence[int],
    p0: tuple[float, float],
    widened: bool,
    box: Mapping[int, list[int]],
    limits: Sequence[tuple[str, float, bool]],
    fits: dict[int, set[int]],
    alone: dict[int, set[int]],
) -> bool:
    """The denominators that fit the funnel limits of a group's rows around one p0 (added to
    ``fits``; ``alone``: from the limits alone, without the published denominator). False where
    no between-area variance common to a widened group fits this p0 (it is not the one used)."""
    cols = model.columns
    pq = _pq_range(p0)
    spreads = {}
    for i in members:
        lo, hi = 0.0, INF
        for col, z, lower in limits:
            s_lo, s_hi = _limit_spread(cols[col][i], p0, z, lower)
            lo, hi = max(lo, s_lo), min(hi, s_hi)
        spreads[i] = (lo * lo, hi * hi)  # the variance p0 q0 / n + tau2
    if not widened:
        for i in members:
            v_lo, v_hi = spreads[i]
            n_lo = pq[0] / v_hi if v_hi < INF else 0.0
            n_hi = pq[1] / v_lo if v_lo > 0 else INF
            if n_hi - n_lo < 1000:
                alone[i].update(range(max(1, math.ceil(n_lo - EPS)), math.floor(n_hi + EPS) + 1))
            fits[i].update(n for n in box[i] if n_lo - EPS <= n <= n_hi + EPS)
        return True
    # tau2 ranges per area and candidate n; keep the tau2 every area can meet
    per: dict[int, list[tuple[int, float, float]]] = {}
    for i in members:
        v_lo, v_hi = spreads[i]
        per[i] = [(n, v_lo - pq[1] / n, v_hi - pq[0] / n) for n in box[i]]
    feasible = [(0.0, INF)]
    for i in members:
        if not per[i]:
            continue
        mine = _merge([(max(a, 0.0), b) for _, a, b in per[i] if b >= max(a, 0.0)])
        feasible = _intersect(feasible, mine)
    if not feasible:
        return False
    for i in members:
        fits[i].update(
            n for n, a, b in per[i] if any(a <= hi2 + EPS and lo2 <= b + EPS for lo2, hi2 in feasible)
        )
    return True


def _merge(iv: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(iv):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _intersect(xs: list[tuple[float, float]], ys: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for a, b in xs:
        for c, d in ys:
            lo, hi = max(a, c), min(b, d)
            if lo <= hi:
                out.append((lo, hi))
    return _merge(out)


@dataclass
class MoneyResult:
    cost_rows: int = 0  # costs per outcome published below national level
    cost_exact: int = 0
    ratio_rows: int = 0  # caseload ratios published below national level
    ratio_exact: int = 0
    mean_rows: int = 0  # mean wellbeing scores turned into linear facts
    from_published: int = 0  # rows whose value was computed from the published figures
    by_indicator: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (rows, exact)
    facts: list[SetFact] = field(default_factory=list)
    means: list[Relation] = field(default_factory=list)
    seconds: float = 0.0


def money_facts(model: Model) -> MoneyResult:
    """Attack (b), division: a cost per outcome is the unrounded total cost over a count, so the
    count is cost / value within the value's rounding; a caseload ratio is a count over the sum
    of published staff numbers; a mean wellbeing score is linear in the counts at each raw
    score, and its interval gives their spread."""
    t0 = time.perf_counter()
    res = MoneyResult()
    cols, rule = model.columns, model.rule
    by_cell: dict[tuple[str, str, str, str], int] = {}  # (indicator, area, provider, period) -> row
    for i, f in enumerate(model.figure):
        if f is not None and f.kind in ("money", "number"):
            by_cell[(f.indicator_id, model.area[i], model.provider[i], model.period[i])] = i
    val = cols["value"]
    for i, f in enumerate(model.figure):
        if f is None or model.level[i] == "all areas" or val[i] != val[i]:
            continue
        if f.kind in ("cost", "ratio") and model.from_published(f.kind, i):
            res.from_published += 1  # the published count over a figure: nothing more
            continue
        if f.kind == "cost":
            c = model.cell(i, "denominator")
            src = by_cell.get((f.num[0].split(":")[0], model.area[i], model.provider[i], model.period[i]))
            if c is None or src is None or val[i] <= 0.5:
                continue
            cost = cols["value"][src]
            if cost != cost:
                continue
            lo_c, hi_c = cost - rule.money_step / 2 - EPS, cost + rule.money_step / 2 + EPS
            n_lo, n_hi = lo_c / (val[i] + 0.5), hi_c / (val[i] - 0.5)
            b_lo, b_hi = model.cell_bounds(c)
            vals = list(
                range(
                    max(math.ceil(n_lo - EPS), int(b_lo)),
                    min(math.floor(n_hi + EPS), int(min(b_hi, 1e9))) + 1,
                )
            )
            res.cost_rows += 1
            res.cost_exact += len(vals) == 1
            rows, exact = res.by_indicator.get(f.indicator_id, (0, 0))
            res.by_indicator[f.indicator_id] = (rows + 1, exact + (len(vals) == 1))
            res.facts.append(SetFact(c.qid, vals, "cost per outcome", i))
        elif f.kind == "ratio":
            c = model.cell(i, "numerator")
            if c is None:
                continue
            staff = []
            for t in base_periods(model.period[i]):
                src = by_cell.get((f.den[0], model.area[i], model.provider[i], t))
                if src is not None:
                    staff.append(cols["value"][src])
            if not staff or any(s != s for s in staff):
                continue
            fte = float(sum(staff))
            lo, hi = (val[i] - 0.005) * fte - 1e-6, (val[i] + 0.005) * fte + 1e-6
            b_lo, b_hi = model.cell_bounds(c)
            vals = list(range(max(math.ceil(lo), int(b_lo)), min(math.floor(hi), int(min(b_hi, 1e9))) + 1))
            res.ratio_rows += 1
            res.ratio_exact += len(vals) == 1
            rows, exact = res.by_indicator.get(f.indicator_id, (0, 0))
            res.by_indicator[f.indicator_id] = (rows + 1, exact + (len(vals) == 1))
            res.facts.append(SetFact(c.qid, vals, "caseload ratio", i))
        elif f.kind in ("mean_start", "mean_end"):
            if is_multi_area(model, f.section, model.area[i], model.provider[i]) and model.from_published(
                "mean", i
            ):
                res.from_published += 1  # its providers' published means and counts: nothing more
                continue
            res.means.extend(_mean_relations(model, i, f))
            res.mean_rows += 1
    for i, f in enumerate(model.figure):  # national means too (exact counts, exact scores)
        national = f is not None and f.kind in ("mean_start", "mean_end") and model.level[i] == "all areas"
        if f is not None and national and val[i] == val[i]:
            res.means.extend(_mean_relations(model, i, f))
            res.mean_rows += 1
    res.means.extend(mean_of_parts(model))
    res.seconds = time.perf_counter() - t0
    return res


def _mean_relations(model: Model, i: int, f: Figure) -> list[Relation]:
    """A mean metric score to 2 dp is sum(c_s * (m_s - v)) within +-0.005 * n: linear in the
    counts c_s at each raw score. Its interval's width gives the standard error, so
    sum(c_s m_s^2) lies within (n-1) n se^2 + n mean^2 at the ends of n's and the mean's ranges."""
    keys = f.num if f.kind == "mean_start" else f.den
    cols = model.columns
    v = cols["value"][i]
    sec, a, p, t = f.section, model.area[i], model.provider[i], model.period[i]
    qs = [model.quantity(sec, a, p, t, (k,)) for k in keys]
    ms = [SWEMWBS_METRIC[int(k.rsplit(":s", 1)[-1])] for k in keys]
    out = [
        Relation(qs, [m - v - 0.005 - EPS for m in ms], -INF, 0.0, "mean score"),
        Relation(qs, [m - v + 0.005 + EPS for m in ms], 0.0, INF, "mean score"),
    ]
    c = model.cell(i, "denominator")
    if c is None or c.state != "published":
        return out
    n_lo, n_hi = model.cell_bounds(c)
    ses = []
    for z, lo_c, hi_c in ((Z95, "lower_95", "upper_95"), (Z998, "lower_998", "upper_998")):
        w = cols[hi_c][i] - cols[lo_c][i]
        if w == w:
            ses.append((max(0.0, (w - 0.01) / (2 * z)), (w + 0.01) / (2 * z)))
    if not ses or n_lo < 2 or v <= 0.005:
        return out
    se_lo, se_hi = max(s[0] for s in ses), min(s[1] for s in ses)
    if se_lo > se_hi:
        return out
    lo2 = (n_lo - 1) * n_lo * se_lo**2 + n_lo * (v - 0.005) ** 2
    hi2 = (n_hi - 1) * n_hi * se_hi**2 + n_hi * (v + 0.005) ** 2
    out.append(Relation(qs, [m * m for m in ms], lo2 - 1e-6, hi2 + 1e-6, "mean score spread"))
    return out


def mean_of_parts(model: Model) -> list[Relation]:
    """Attack (b), means of means: a mean score over several units (an area with several
    providers, or the nation) is their total score over their total count, and each unit's mean,
    to 2 dp, puts its total score within half a unit of the last place times its count (within
    the metric's range, 7-35, where its mean is not shown). So with A the whole's mean and
    [lo_u, hi_u] each unit's, sum_u (lo_u - A - h) n_u <= 0 <= sum_u (hi_u - A + h) n_u, h = 0.005:
    two linear facts on the units' counts, whatever their scores. Where an area's mean is its
    providers' published means weighted by their published counts (:func:`verify_values`) it is
    no mean of the true scores and gives nothing; a provider's, a lone area's and the nation's
    are (rule 7)."""
    out: list[Relation] = []
    val = model.columns["value"]
    for i, f in enumerate(model.figure):
        if f is None or f.kind not in ("mean_start", "mean_end") or val[i] != val[i]:
            continue
        sec, area, period = f.section, model.area[i], model.period[i]
        if model.level[i] == "all areas":
            areas = model.areas_of.get(sec, [])
        elif is_multi_area(model, sec, area, model.provider[i]) and not model.from_published("mean", i):
            areas = [area]
        else:
            continue
        keys = f.num if f.kind == "mean_start" else f.den
        qids: list[int] = []
        lows: list[float] = []
        highs: list[float] = []
        for a in areas:
            by_provider = model._owner_level.get(sec) == "provider"
            for o in model.owners.get((sec, a), []):
                unit = (a, o) if by_provider else (a, "")
                q = model.quantity(sec, unit[0], unit[1], period, keys)
                if not model.q_atoms[q]:
                    continue
                j = model.row_of.get((f.indicator_id, f.breakdown_value, unit[0], unit[1], period))
                if j is None and by_provider and len(model.owners[(sec, a)]) == 1:
                    j = model.row_of.get((f.indicator_id, f.breakdown_value, a, "", period))
                m = val[j] if j is not None else math.nan
                qids.append(q)
                lows.append(m - MEAN_HALF if m == m else METRIC_MIN)
                highs.append(m + MEAN_HALF if m == m else METRIC_MAX)
        if len(qids) < 2 or all(lo == METRIC_MIN for lo in lows):
            continue
        v = val[i]
        out.append(Relation(qids, [lo - v - MEAN_HALF for lo in lows], -INF, 0.0, "mean of parts"))
        out.append(Relation(qids, [hi - v + MEAN_HALF for hi in highs], 0.0, INF, "mean of parts"))
    return out


# -- (c) differencing: interval propagation -------------------------------------------------------
ROUTES = {
    "published": "published (rounded or exact)",
    "rate": "rate + rounded counts + Wilson limits",
    "funnel": "funnel limits",
    "cost per outcome": "total cost / cost per outcome",
    "caseload ratio": "caseload ratio x staff",
    "mean score": "mean wellbeing score",
    "mean score spread": "mean wellbeing score",
    "mean of parts": "a mean score over several units against theirs",
    "categories": "categories add up to their total (or recorded subtotal)",
    "catalogue total": "categories add up to the catalogue's total item",
    "at most": "a part is at most its whole",
    "providers": "providers add up to their area",
    "areas": "areas add up to all areas",
    "rolling year": "a rolling year is its four quarters",
    "partial year": "a partial rolling year is its quarters",
    "overlapping years": "overlapping rolling years and their quarters",
}


@dataclass
class PropagationResult:
    lo: list[float]
    hi: list[float]
    route: dict[int, str]  # quantity -> what pinned it to one value first
    relations: int = 0
    infeasible: list[str] = field(default_factory=list)
    seconds: float = 0.0


def relations(model: Model) -> list[Relation]:
    """Every linear equality and inequality a reader can write between quantities, named by the
    route a differencing attack would take."""
    out: list[Relation] = []
    seen: set[tuple[tuple[int, ...], tuple[float, ...]]] = set()

    def add(pos: Sequence[int], neg: Sequence[int], route: str, lo: float = 0.0, hi: float = 0.0) -> None:
        coef: dict[int, float] = defaultdict(float)
        for q in pos:
            coef[q] += 1
        for q in neg:
            coef[q] -= 1
        items = sorted((q, c) for q, c in coef.items() if c != 0 and q != 0)
        if len(items) < 2:
            return
        sig = (tuple(q for q, _ in items), (*(c for _, c in items), lo, hi))
        if sig in seen:
            return
        seen.add(sig)
        out.append(Relation([q for q, _ in items], [c for _, c in items], lo, hi, route))

    cat = model.catalogue
    units: dict[str, set[tuple[str, str]]] = defaultdict(set)  # section -> (area, provider)
    periods_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    keys_of: dict[str, set[str]] = defaultdict(set)
    multi: set[tuple[str, str, str, str, tuple[str, ...]]] = set()
    for c in model.cells:
        i = c.row
        f = model.figure[i]
        assert f is not None
        units[f.section].add((model.area[i], model.provider[i]))
        periods_of[(f.section, model.area[i], model.provider[i])].add(model.period[i])
        for col, keys in model._cell_specs(i):
            if col == c.column:
                keys_of[f.section].update(keys)
                if len(keys) > 1:
                    multi.add((f.section, model.area[i], model.provider[i], model.period[i], keys))
    q = model.quantity
    for sec, a, p, t, keys in sorted(multi):
        add([q(sec, a, p, t, keys)], [q(sec, a, p, t, (k,)) for k in keys], "categories")
    for sec, us in units.items():
        sec_keys = sorted(keys_of[sec])
        totals = [(tk, parts) for tk, parts, s in cat.totals if s == sec]
        parts_of = [(pk, wk) for pk, wk, s in cat.at_most if s == sec]
        for a, p in sorted(us):
            for t in sorted(periods_of[(sec, a, p)]):
                for tk, parts in totals:
                    add([q(sec, a, p, t, (tk,))], [q(sec, a, p, t, (k,)) for k in parts], "catalogue total")
                for pk, wk in parts_of:
                    add([q(sec, a, p, t, (pk,))], [q(sec, a, p, t, (wk,))], "at most", -INF, 0.0)
                # rolling years: the sum of their quarters, and each year against the one before
                if t.startswith(ROLLING):
                    quarters = base_periods(t)
                    have = [x for x in quarters if x in periods_of[(sec, a, p)]]
                    route = "rolling year" if len(have) == 4 else "partial year"
                    prev = ROLLING + quarters[-2]  # W(t) + Q(t-4) = W(t-1) + Q(t)
                    leaving = base_periods(prev)[0]
                    for k in sec_keys:
                        add([q(sec, a, p, t, (k,))], [q(sec, a, p, x, (k,)) for x in quarters], route)
                        if prev in periods_of[(sec, a, p)]:
                            add(
                                [q(sec, a, p, t, (k,)), q(sec, a, p, leaving, (k,))],
                                [q(sec, a, p, prev, (k,)), q(sec, a, p, quarters[-1], (k,))],
                                "overlapping years",
                            )
        # providers and their area; areas and the nation
        areas = sorted({a for a, p in us if a != NATIONAL})
        all_periods = sorted({t for (s, _, _), ts in periods_of.items() if s == sec for t in ts})
        for t in all_periods:
            for k in sec_keys:
                for a in areas:
                    provs = model.owners.get((sec, a), [])
                    if len(provs) > 1 and model._owner_level.get(sec) == "provider":
                        add([q(sec, a, "", t, (k,))], [q(sec, a, pr, t, (k,)) for pr in provs], "providers")
                add([q(sec, NATIONAL, "", t, (k,))], [q(sec, a, "", t, (k,)) for a in areas], "areas")
    return out


def propagate(
    model: Model,
    rels: Sequence[Relation],
    pair_facts: Sequence[PairFact],
    set_facts: Sequence[SetFact],
    exact_only: bool = False,
    max_steps: int = 20_000_000,
) -> PropagationResult:
    """Attack (c): bounds propagation to a fixed point. Each quantity starts with the range its
    published cells allow; each relation narrows each of its quantities to what the others
    leave; a rate's candidate pairs are filtered by the ranges of x and n, and narrow them back.
    What pins a quantity first is recorded as its route.

    ``exact_only``: the plain linear system, as differencing by hand does it: only figures known
    exactly (national ones, zeros, and what attacks a and b pinned to one value) are used, every
    other count is just "0 or more", so a count comes back only when everything else in one of
    its sums is known."""
    t0 = time.perf_counter()
    nq = len(model.q_atoms)
    lo = [0.0] * nq
    hi = [INF] * nq
    route: dict[int, str] = {}
    res = PropagationResult(lo, hi, route)

    def tighten(qi: int, new_lo: float, new_hi: float, why: str) -> bool:
        new_lo = float(math.ceil(new_lo - 1e-7)) if new_lo > -INF else -INF
        new_hi = float(math.floor(new_hi + 1e-7)) if new_hi < INF else INF
        changed = False
        if new_lo > lo[qi]:
            lo[qi] = new_lo
            changed = True
        if new_hi < hi[qi]:
            hi[qi] = new_hi
            changed = True
        if changed and lo[qi] == hi[qi] and qi not in route:
            route[qi] = why
        if lo[qi] > hi[qi] and len(res.infeasible) < 20:
            res.infeasible.append(f"quantity {qi} empty after {why}: [{lo[qi]}, {hi[qi]}]")
        return changed

    tighten(0, 0, 0, "published")
    for cell in model.cells:
        c_lo, c_hi = model.cell_bounds(cell)
        if not exact_only or c_lo == c_hi:
            tighten(cell.qid, c_lo, c_hi, "published")
    for f in set_facts:
        if f.values and (not exact_only or len(f.values) == 1):
            tighten(f.qid, min(f.values), max(f.values), f.route)
    if exact_only:
        for pf in pair_facts:
            if len(pf.pairs) == 1:
                tighten(pf.qx, pf.pairs[0][0], pf.pairs[0][0], "rate")
                tighten(pf.qn, pf.pairs[0][1], pf.pairs[0][1], "rate")
        pair_facts = []
        rels = [r for r in rels if r.lo == r.hi]  # equalities only
    # relation index: every relation and pair fact a quantity is in
    n_rel = len(rels)
    pairs = [list(p.pairs) for p in pair_facts]
    member: list[list[int]] = [[] for _ in range(nq)]
    for r, rel in enumerate(rels):
        for qi in rel.qids:
            member[qi].append(r)
    for k, pf in enumerate(pair_facts):
        member[pf.qx].append(n_rel + k)
        member[pf.qn].append(n_rel + k)
    queue = deque(range(n_rel + len(pair_facts)))
    queued = [True] * (n_rel + len(pair_facts))
    steps = 0
    while queue and steps < max_steps:
        r = queue.popleft()
        queued[r] = False
        steps += 1
        changed: list[int] = []
        if r >= n_rel:
            pf = pair_facts[r - n_rel]
            ok = [
                (x, n)
                for x, n in pairs[r - n_rel]
                if lo[pf.qx] <= x <= hi[pf.qx] and lo[pf.qn] <= n <= hi[pf.qn]
            ]
            pairs[r - n_rel] = ok
            if not ok:
                if len(res.infeasible) < 20:
                    res.infeasible.append(f"rate row {pf.row}: no candidate pair left")
                continue
            if tighten(pf.qx, min(x for x, _ in ok), max(x for x, _ in ok), "rate"):
                changed.append(pf.qx)
            if tighten(pf.qn, min(n for _, n in ok), max(n for _, n in ok), "rate"):
                changed.append(pf.qn)
        else:
            rel = rels[r]
            mins: list[float] = []
            maxs: list[float] = []
            for qi, w in zip(rel.qids, rel.coefs, strict=True):
                at_lo, at_hi = w * lo[qi], w * hi[qi]
                mins.append(min(at_lo, at_hi))
                maxs.append(max(at_lo, at_hi))
            inf_min = sum(1 for m in mins if m == -INF)
            inf_max = sum(1 for m in maxs if m == INF)
            s_min = sum(m for m in mins if m != -INF)
            s_max = sum(m for m in maxs if m != INF)
            for j, (qi, w) in enumerate(zip(rel.qids, rel.coefs, strict=True)):
                # others' range, without term j
                o_min = (
                    -INF if inf_min - (mins[j] == -INF) > 0 else s_min - (mins[j] if mins[j] != -INF else 0)
                )
                o_max = INF if inf_max - (maxs[j] == INF) > 0 else s_max - (maxs[j] if maxs[j] != INF else 0)
                # w * q in [rel.lo - o_max, rel.hi - o_min]
                t_lo = rel.lo - o_max if rel.lo != -INF and o_max != INF else -INF
                t_hi = rel.hi - o_min if rel.hi != INF and o_min != -INF else INF
                if w > 0:
                    q_lo, q_hi = t_lo / w, t_hi / w
                else:
                    q_lo, q_hi = t_hi / w, t_lo / w
                if tighten(qi, q_lo, q_hi, rel.route):
                    changed.append(qi)
        for qi in changed:
            for r2 in member[qi]:
                if r2 != r and not queued[r2]:
                    queued[r2] = True
                    queue.append(r2)
    res.relations = n_rel
    res.seconds = time.perf_counter() - t0
    return res


# -- (d) the integer program --------------------------------------------------------------------
@dataclass
class Piece:
    """One independent integer program, ready for a worker. Variables are a family's atoms that
    propagation left open (then 0/1 choices among a rate's candidate pairs); atoms it pinned are
    constants, moved into the bounds. What is left of a family falls apart into pieces that share
    no constraint, each solved alone."""

    family: str
    n_atoms: int  # open atoms
    n_vars: int
    a: csr_matrix
    lb: np.ndarray
    ub: np.ndarray
    var_lb: np.ndarray
    var_ub: np.ndarray
    integrality: np.ndarray
    qmat: csr_matrix  # reported quantities x variables (their open atoms)
    offset: np.ndarray  # each reported quantity's pinned part
    qids: list[int]
    known_lo: np.ndarray  # propagation's bounds for the reported quantities (sound)
    known_hi: np.ndarray
    time_limit: float = 60.0
    witnesses: int = 6
    seed: int = 0
    groups: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # unit of each variable
    # a feasible point the publisher knows (the true counts; NaN: a choice variable, worked out)
    hint: np.ndarray | None = None


@dataclass
class PieceOutcome:
    qids: list[int]
    lo: list[float]
    hi: list[float]
    values: list[int]  # 1, 2 or 3 (3: three or more)
    failures: list[str]
    solves: Counter[str]
    seconds: float
    kept: bool = False  # read back from an earlier run (:func:`solve_kept`), not solved now


def _solve(
    p: Piece,
    c: np.ndarray,
    extra: tuple[Any, Any, Any] | None,
    integer: bool,
    time_limit: float | None = None,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> Any:
    """One HiGHS solve of the piece; ``extra``: more rows (a matrix or one row, and their bounds);
    ``bounds``: the variables' bounds, if not the piece's own."""
    cons = [LinearConstraint(p.a, p.lb, p.ub)] if p.a.shape[0] else []
    if extra is not None:
        rows, elo, ehi = extra
        rows = rows.reshape(1, -1) if isinstance(rows, np.ndarray) and rows.ndim == 1 else rows
        cons.append(LinearConstraint(rows, np.atleast_1d(elo), np.atleast_1d(ehi)))
    return milp(
        c,
        integrality=p.integrality if integer else np.zeros(p.n_vars),
        bounds=Bounds(*(bounds or (p.var_lb, p.var_ub))),
        constraints=cons,
        options={"time_limit": time_limit or p.time_limit, "mip_rel_gap": 0.0, "presolve": True},
    )


def solve_piece(p: Piece, progress: Path | None = None) -> PieceOutcome:
    """Each reported quantity's minimum and maximum over the piece's integer program, and whether
    anything lies between them, by feasibility questions alone.

    Witnesses first: every solution is a feasible integer point (checked against every row, as
    integers), a quantity seen at three values is not narrowed below three, and one seen at the
    bound propagation proved has that bound as its minimum or maximum. A few solutions with
    random objectives give the first witnesses. Then, round after round, each unsettled quantity
    is asked for a new value: below the smallest seen, else above the largest, else (both ends
    proved, two or more apart) strictly between. The questions of a round are asked together, as
    one integer program with a row for each; a solution answers them all (a new witness). If
    there is none (or HiGHS runs out of time on the set), the set is halved until each question
    is answered or proved impossible on its own: no point below the smallest value seen proves it
    the minimum (likewise the maximum), no point between the ends proves there are exactly two
    values. A question asked alone that HiGHS cannot settle in the time limit is asked again
    with four times as long; if it still cannot, it is a failure, reported.

    A piece whose first solve is slow (a family linked across every unit by exact national
    figures) is searched locally first (:func:`_local`): witnesses, and then the answer to each
    question, are looked for among the points that differ from the last one found only in a few
    units (the ones the question is about, those sharing a sum with them, and a few more at
    random to take up the national totals), a small integer program; every point found there is
    a point of the whole. Only what the local search cannot answer goes to the whole program,
    where a question with no answer is usually proved so quickly (its relaxation is infeasible).

    A piece with a hint (the true counts, which the publisher has) starts from it: the first
    witness is the hint itself, found at once, where HiGHS may search for hours for a first point
    of a national family. A hint changes where the search starts, never what it proves: a witness
    is checked as every other, and an end is proved only by HiGHS finding nothing beyond it. If the
    whole program does not give a point within LOCAL_AFTER seconds as well, or has more than
    LOCAL_VARS variables, it is searched locally.
    A hint outside the piece's bounds (the attacker's model would then be wrong) is not used.

    Before a question left by the local search goes to the whole program, it is tried on a
    relaxation around the quantity's units (:meth:`_Local.impossible`): most ends are held by a
    few areas' published figures, and a relaxation of a few units proves them in a second where
    the whole program of a national family takes many minutes for each.

    ``progress``: a file where what is known so far (values seen, ends proved, the last point) is
    saved every CHECKPOINT seconds and read back when the piece is solved again, so a piece that
    takes longer than one sitting is finished over several. The facts are about the piece's
    program alone (:func:`program_digest` names the file), whichever code found them, and the
    saved point is checked again before it is used."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(p.seed)
    nq = len(p.qids)
    seen: list[set[int]] = [set() for _ in range(nq)]
    lo: npt.NDArray[np.float64] = p.known_lo.astype(float).copy()
    hi: npt.NDArray[np.float64] = p.known_hi.astype(float).copy()
    done_lo = lo == hi
    done_hi = lo == hi
    two: set[int] = set()  # proved: nothing between the ends
    failed: set[int] = set()
    failures: list[str] = []
    solves: Counter[str] = Counter()
    int_mask: npt.NDArray[np.bool_] = p.integrality.astype(bool)
    best: list[np.ndarray] = []  # the last feasible point found

    def point(x: np.ndarray) -> np.ndarray | None:
        """The solution as integers, if it satisfies every bound and row exactly (HiGHS's own
        tolerance could let a point that is not one through)."""
        xs = np.where(int_mask, np.round(x), x)
        if np.any(xs < p.var_lb - 1e-9) or np.any(xs > p.var_ub + 1e-9):
            return None
        if p.a.shape[0]:
            ax = p.a @ xs
            tol = 1e-7 * np.maximum(1.0, np.abs(ax))
            if np.any(ax < p.lb - tol) or np.any(ax > p.ub + tol):
                return None
        return xs

    def witness(x: np.ndarray | None) -> bool:
        xs = None if x is None else point(x)
        if xs is None:
            return False
        best[:] = [xs]
        vals = np.rint(p.offset + p.qmat @ xs).astype(np.int64)
        for j, v in enumerate(vals.tolist()):
            if len(seen[j]) < 3:
                seen[j].add(v)
            if v == lo[j]:
                done_lo[j] = True
            if v == hi[j]:
                done_hi[j] = True
        return True

    def inner(j: int) -> bool:
        return any(lo[j] < v < hi[j] for v in seen[j])

    def settled(j: int) -> bool:
        """Three values seen, or both ends proved and nothing left between them to ask about."""
        if len(seen[j]) >= 3 or j in failed:
            return True
        if not (done_lo[j] and done_hi[j]):
            return False
        return hi[j] - lo[j] <= 1 or inner(j) or j in two

    t_first = time.perf_counter()
    at_hint = _at_hint(p)
    if at_hint is not None and witness(_solve(p, np.zeros(p.n_vars), None, True, bounds=at_hint).x):
        solves["hint"] += 1  # a start; then is the whole program quick to solve?
        r = _solve(p, np.zeros(p.n_vars), None, True, LOCAL_AFTER)
        solves["witness"] += 1
        # a large piece is searched locally even when HiGHS finds a point of it at once: each
        # question over the whole of it (a national family) can take many minutes
        slow = not witness(r.x) or p.n_vars > LOCAL_VARS
    else:
        r = _solve(p, np.zeros(p.n_vars), None, True, FIRST_SOLVE_FACTOR * p.time_limit)
        solves["witness"] += 1
        if not witness(r.x):
            failures.append(f"{p.family}: no feasible point ({r.message})")
            return PieceOutcome(
                p.qids, lo.tolist(), hi.tolist(), [3] * nq, failures, solves, time.perf_counter() - t0
            )
        slow = time.perf_counter() - t_first > LOCAL_AFTER
    local = _Local(p, rng) if slow and len(np.unique(p.groups)) > 2 else None
    rounds_done = 0
    saved_at = time.perf_counter()

    def save(force: bool = False) -> None:
        nonlocal saved_at
        if progress is None or not (force or time.perf_counter() - saved_at > CHECKPOINT):
            return
        seen_arr = np.full((nq, 3), np.nan)
        for j, vs in enumerate(seen):
            seen_arr[j, : len(vs)] = sorted(vs)
        tmp = progress.with_name(progress.name + f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            np.savez(
                fh,
                seen=seen_arr,
                lo=lo,
                hi=hi,
                done_lo=done_lo,
                done_hi=done_hi,
                two=np.isin(np.arange(nq), sorted(two)),
                point=best[0],
                rounds=rounds_done,
            )
        tmp.replace(progress)
        saved_at = time.perf_counter()

    if progress is not None and progress.exists():
        with np.load(progress) as z:
            if witness(z["point"]):  # checked as any point; then the facts found before
                for j, row in enumerate(z["seen"]):
                    for v in row[~np.isnan(row)]:
                        if len(seen[j]) < 3:
                            seen[j].add(int(v))
                np.maximum(lo, z["lo"], out=lo)
                np.minimum(hi, z["hi"], out=hi)
                done_lo |= z["done_lo"]
                done_hi |= z["done_hi"]
                two.update(np.flatnonzero(z["two"]).tolist())
                rounds_done = int(z["rounds"])
                solves["resumed"] += 1

    def directions(js: Sequence[int]) -> np.ndarray:
        w = np.zeros(nq)
        for j in js:  # towards the bound not yet met (either, at random, if neither is)
            down = bool(done_hi[j]) if done_lo[j] != done_hi[j] else bool(rng.random() < 0.5)
            w[j] = (1.0 if down else -1.0) * (0.5 + rng.random())
        return w

    for _ in range(p.witnesses - rounds_done):
        rounds_done += 1
        ends = [j for j in range(nq) if not settled(j) and not (done_lo[j] and done_hi[j])]
        if not ends:
            break
        if local is not None:  # a move in each unit in turn, with a random objective
            for g in rng.permutation(local.names):
                js = [j for j in local.about(g) if not settled(j)]
                if js:
                    c = np.asarray(p.qmat.T @ directions(js)).ravel()
                    solves["local"] += 1
                    witness(local.solve(best[0], local.around([g]), c=c))
                    save()
            continue
        r = _solve(p, np.asarray(p.qmat.T @ directions(ends)).ravel(), None, True, min(p.time_limit, 5.0))
        solves["witness"] += 1
        witness(r.x)  # optimal or not, a feasible point

    def question(j: int) -> tuple[str, float, float]:
        """The next thing to ask about quantity j: a value below, above or between (as bounds on
        the quantity's open part)."""
        off = float(p.offset[j])
        if not done_lo[j]:
            return "below", -INF, min(seen[j]) - 1 - off
        if not done_hi[j]:
            return "above", max(seen[j]) + 1 - off, INF
        return "between", lo[j] + 1 - off, hi[j] - 1 - off

    def ask_locally(group: list[int]) -> list[int]:
        """The questions the local search leaves unanswered."""
        assert local is not None
        left = []
        for j in group:
            if settled(j):
                continue
            _, q_lo, q_hi = question(j)
            found = False
            for tries in range(LOCAL_TRIES):
                solves["local"] += 1
                x = local.solve(
                    best[0], local.around(local.of(j), extra=tries), rows=(p.qmat[[j]], q_lo, q_hi)
                )
                if witness(x):
                    found = True
                    break
            if not found and not settled(j) and not prove_locally(j) and not search_wider(j):
                left.append(j)
            save()
        return left

    def prove_locally(j: int) -> bool:
        """Settle quantity j's question as having no answer, on a relaxation around its units
        (:meth:`_Local.impossible`), widening it ring by ring."""
        assert local is not None
        kind, q_lo, q_hi = question(j)
        for rings in range(1, LOCAL_RINGS + 1):
            solves["relaxed"] += 1
            if local.impossible(local.ring(local.of(j), rings), (p.qmat[[j]], q_lo, q_hi)):
                answered(j, kind)
                return True
        return False

    def search_wider(j: int) -> bool:
        """Quantity j's question, asked of wider neighbourhoods (more units at random, to take up
        the national totals a value may need moved elsewhere) before the whole program is."""
        assert local is not None
        _, q_lo, q_hi = question(j)
        for units in LOCAL_WIDER:
            solves["wider"] += 1
            free = local.around(local.of(j), extra=max(0, (units - LOCAL_RANDOM) // 2))
            if witness(local.solve(best[0], free, rows=(p.qmat[[j]], q_lo, q_hi), limit=4 * LOCAL_LIMIT)):
                return True
        return settled(j)

    def answered(j: int, kind: str) -> None:
        """Quantity j's question has no answer: its end is the value seen, or nothing lies between."""
        if kind == "below":
            lo[j], done_lo[j] = min(seen[j]), True
        elif kind == "above":
            hi[j], done_hi[j] = max(seen[j]), True
        else:
            two.add(j)

    def ask(group: list[int], limit: float | None = None) -> None:
        group = [j for j in group if not settled(j)]
        if not group:
            return
        qs = [question(j) for j in group]
        edge = (p.qmat[group], np.array([q[1] for q in qs]), np.array([q[2] for q in qs]))
        r = _solve(p, np.zeros(p.n_vars), edge, True, limit)
        solves["question" if len(group) == 1 else "questions"] += 1
        if witness(r.x):
            return
        if r.status != 2 and len(group) == 1:  # 2: infeasible; anything else is no answer yet
            if limit is None:  # once more, with longer
                ask(group, LONGER * p.time_limit)
                return
            j, kind = group[0], qs[0][0]
            failed.add(j)
            failures.append(f"{p.family} quantity {p.qids[j]}: value {kind} not settled ({r.message})")
        elif len(group) == 1:
            answered(group[0], qs[0][0])
            save()
        else:
            ask(group[: len(group) // 2])
            ask(group[len(group) // 2 :])

    for _ in range(6 * nq + 10):  # each round settles a question of every open quantity
        open_ = [j for j in range(nq) if not settled(j)]
        if not open_:
            break
        if local is not None:
            open_ = ask_locally(open_)
            # what the local search could not answer has likely no answer: alone, that is
            # proved at once, where a set with one answerable question would be solved in full
            for j in open_:
                ask([j])
            continue
        ask(open_)
    values = []
    for j in range(nq):
        if len(seen[j]) >= 3:
            values.append(3)
        elif j not in failed and done_lo[j] and done_hi[j]:
            span = int(hi[j] - lo[j])
            values.append(1 if span == 0 else 2 if span == 1 or j in two else 3)
        else:  # a failure, reported: propagation's range stands
            values.append(min(3, int(hi[j] - lo[j]) + 1) if hi[j] < INF else 3)
    return PieceOutcome(p.qids, lo.tolist(), hi.tolist(), values, failures, solves, time.perf_counter() - t0)


def _at_hint(p: Piece) -> tuple[np.ndarray, np.ndarray] | None:
    """Bounds that fix the piece's counts at its hint (choice variables stay free, each then
    settled by its counts), or None without a hint or with one outside the piece's bounds."""
    if p.hint is None:
        return None
    given = ~np.isnan(p.hint)
    if np.any(p.hint[given] < p.var_lb[given]) or np.any(p.hint[given] > p.var_ub[given]):
        return None
    lb, ub = p.var_lb.copy(), p.var_ub.copy()
    lb[given] = ub[given] = p.hint[given]
    return lb, ub


FIRST_SOLVE_FACTOR = 5.0  # the first feasible point of a piece may take longer than a question
LONGER = 4.0  # a question HiGHS cannot settle alone in the time limit is asked again with this much more
LOCAL_AFTER = 2.0  # seconds: a piece whose first solve took longer is searched locally first
LOCAL_VARS = 5000  # variables: a piece with more (started from a hint) is searched locally first
LOCAL_TRIES = 2  # neighbourhoods tried for one question before the whole program is asked
LOCAL_LIMIT = 5.0  # seconds for one local solve
LOCAL_RANDOM = 2  # units added at random to a neighbourhood (to take up national totals)
LOCAL_RINGS = 2  # rings of neighbours in a relaxation that may prove a question has no answer
CHECKPOINT = 60.0  # seconds between saves of a piece's progress
LOCAL_WIDER = (8, 32)  # units at random in the wider neighbourhoods tried before the whole program


class _Local:
    """Local search in a piece: the points that differ from a known one only in a few units'
    variables (a neighbourhood), found by a small integer program over those alone. Units are
    the owners of the atoms (:attr:`Piece.groups`); a unit's neighbours share a row with it
    that few units are in (an area and its providers), the national rows being in all."""

    def __init__(self, p: Piece, rng: np.random.Generator) -> None:
        self.p, self.rng = p, rng
        self.csc = p.a.tocsc()
        self.names = np.unique(p.groups)
        self.members = {int(g): np.flatnonzero(p.groups == g) for g in self.names}
        near: dict[int, set[int]] = defaultdict(set)
        csr = p.a.tocsr()
        for r in range(csr.shape[0]):
            gs = {int(g) for g in p.groups[csr.indices[csr.indptr[r] : csr.indptr[r + 1]]]}
            if 1 < len(gs) <= 4:
                for g in gs:
                    near[g] |= gs
        self.near = near
        q = p.qmat.tocsr()
        self._of = [
            sorted({int(g) for g in p.groups[q.indices[q.indptr[j] : q.indptr[j + 1]]]})
            for j in range(q.shape[0])
        ]
        self._about: dict[int, list[int]] = defaultdict(list)
        for j, units in enumerate(self._of):
            for g in units:
                self._about[g].append(j)

    def of(self, j: int) -> list[int]:
        """The units quantity j adds up."""
        return self._of[j]

    def about(self, g: int) -> list[int]:
        """The quantities unit g is in."""
        return self._about.get(int(g), [])

    def around(self, units: Sequence[int], extra: int = 0) -> np.ndarray:
        """A neighbourhood: the units, their neighbours, and LOCAL_RANDOM (+ extra) at random."""
        chosen = {int(g) for g in units}
        for g in list(chosen):
            chosen |= self.near.get(g, set())
        rest = [int(g) for g in self.names if int(g) not in chosen]
        k = min(len(rest), LOCAL_RANDOM + 2 * extra)
        if k:
            chosen |= {int(g) for g in self.rng.choice(rest, size=k, replace=False)}
        return np.concatenate([self.members[g] for g in sorted(chosen)])

    def ring(self, units: Sequence[int], rings: int) -> list[int]:
        """The units and their neighbours, ``rings`` steps out (no random ones)."""
        chosen = {int(g) for g in units}
        for _ in range(rings):
            chosen |= {h for g in list(chosen) for h in self.near.get(g, set())}
        return sorted(chosen)

    def impossible(self, units: Sequence[int], rows: tuple[Any, float, float]) -> bool:
        """Whether no point of the whole program meets ``rows`` (a quantity row over the units'
        variables, and its bounds), proved on a relaxation: the rows that touch the units, with
        every other variable's part replaced by the range its bounds allow. Every point of the
        whole program is a point of the relaxation, so a relaxation with none proves the whole
        has none, in a program of a few units rather than of the whole nation."""
        p = self.p
        inside = np.concatenate([self.members[g] for g in units])
        mask = np.zeros(p.n_vars, dtype=bool)
        mask[inside] = True
        sub = self.csc[:, inside].tocsr()
        keep = np.flatnonzero(np.diff(sub.indptr) > 0)
        out_lo, out_hi = self._outside_range(keep, mask)
        slack = 1e-6 * np.maximum(
            1.0, np.abs(p.lb[keep]) + np.abs(p.ub[keep])
        )  # rounding: widen, never narrow
        cons = [LinearConstraint(sub[keep], p.lb[keep] - out_hi - slack, p.ub[keep] - out_lo + slack)]
        q, q_lo, q_hi = rows
        q = q.tocsc()
        cons.append(LinearConstraint(q[:, inside], q_lo, q_hi))
        r = milp(
            np.zeros(len(inside)),
            integrality=p.integrality[inside],
            bounds=Bounds(p.var_lb[inside], p.var_ub[inside]),
            constraints=cons,
            options={"time_limit": LOCAL_LIMIT, "presolve": True},
        )
        return bool(r.status == 2)  # 2: infeasible, proved; anything else proves nothing

    def _outside_range(self, rows: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's smallest and largest part from the variables not ``inside`` (a mask), given
        their bounds (infinite when one of them is unbounded that way)."""
        sub = self.p.a[rows].tocoo()
        out = ~inside[sub.col] & (sub.data != 0)
        a, lb, ub = sub.data[out], self.p.var_lb[sub.col[out]], self.p.var_ub[sub.col[out]]
        with np.errstate(invalid="ignore"):
            lo_part = np.where(a > 0, a * lb, a * ub)
            hi_part = np.where(a > 0, a * ub, a * lb)
        lo = np.zeros(len(rows))
        hi = np.zeros(len(rows))
        np.add.at(lo, sub.row[out], lo_part)
        np.add.at(hi, sub.row[out], hi_part)
        return lo, hi

    def solve(
        self,
        x0: np.ndarray,
        free: np.ndarray,
        c: np.ndarray | None = None,
        rows: tuple[Any, float, float] | None = None,
        limit: float = LOCAL_LIMIT,
    ) -> np.ndarray | None:
        """A point equal to x0 outside ``free`` (variable indices), or None if none was found in
        ``limit`` seconds. ``rows``: a quantity row and its bounds that the point must meet."""
        p = self.p
        fixed = x0.copy()
        fixed[free] = 0.0
        sub = self.csc[:, free].tocsr()
        keep = np.flatnonzero(np.diff(sub.indptr) > 0)
        rest = p.a @ fixed
        cons = [LinearConstraint(sub[keep], p.lb[keep] - rest[keep], p.ub[keep] - rest[keep])]
        if rows is not None:
            q, q_lo, q_hi = rows
            q = q.tocsc()
            q_rest = float((q @ fixed)[0])
            cons.append(LinearConstraint(q[:, free], q_lo - q_rest, q_hi - q_rest))
        r = milp(
            np.zeros(len(free)) if c is None else c[free],
            integrality=p.integrality[free],
            bounds=Bounds(p.var_lb[free], p.var_ub[free]),
            constraints=cons,
            options={"time_limit": limit, "presolve": True},
        )
        if r.x is None:
            return None
        x = x0.copy()
        x[free] = r.x
        return x


# the code that answers a piece's questions, its limits and the solver, read once at import (a
# file edited during a long run must not change the digests of its later pieces)
SOLVER = repr(
    (
        [inspect.getsource(code) for code in (_solve, solve_piece, _at_hint, _Local)],
        (
            FIRST_SOLVE_FACTOR,
            LONGER,
            LOCAL_AFTER,
            LOCAL_VARS,
            LOCAL_TRIES,
            LOCAL_LIMIT,
            LOCAL_RANDOM,
            LOCAL_RINGS,
            LOCAL_WIDER,
        ),
        scipy.__version__,
    )
)


def program_digest(p: Piece) -> str:
    """The piece's integer program and the quantities asked about: what a fact about its points
    (a value seen, an end proved) depends on, whatever code or settings found it."""
    h = hashlib.sha256()
    for m in (p.a, p.qmat):
        m = m.tocsr(copy=True)
        m.sort_indices()
        h.update(repr(m.shape).encode())
        for arr in (m.indptr, m.indices, m.data):
            h.update(np.ascontiguousarray(arr).tobytes())
    arrays = (p.lb, p.ub, p.var_lb, p.var_ub, p.integrality, p.offset, p.known_lo, p.known_hi, p.groups)
    for arr in arrays:
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(repr((p.family, p.n_atoms, p.n_vars, p.qids)).encode())
    return h.hexdigest()


def piece_digest(p: Piece) -> str:
    """What a piece's outcome depends on: its program, its settings, the code that solves it and
    the solver's version. Two pieces with one digest get the same questions asked the same way."""
    h = hashlib.sha256(program_digest(p).encode())
    h.update(repr((p.time_limit, p.witnesses, p.seed)).encode())
    h.update(b"no hint" if p.hint is None else np.ascontiguousarray(p.hint).tobytes())
    h.update(SOLVER.encode())
    return h.hexdigest()


def solve_kept(p: Piece, keep: Path | None, retry_failed: bool = False) -> PieceOutcome:
    """:func:`solve_piece`, or the outcome kept in ``keep`` from an earlier run of the very same
    piece (:func:`piece_digest`), so a national run that is stopped part way resumes where it was.
    Each outcome is written whole (a temporary file renamed) as soon as its piece is done. A kept
    outcome with failures (HiGHS out of time, perhaps on a busy machine) is solved again when
    ``retry_failed``."""
    if keep is None:
        return solve_piece(p)
    path = keep / f"{piece_digest(p)}.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        data["solves"] = Counter(data["solves"])
        if not (retry_failed and data["failures"]):
            return PieceOutcome(**data, kept=True)
    keep.mkdir(parents=True, exist_ok=True)
    out = solve_piece(p, keep / f"{program_digest(p)}.progress.npz")
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    record = {k: v for k, v in asdict(out).items() if k != "kept"}
    tmp.write_text(json.dumps({**record, "solves": dict(out.solves)}), encoding="utf-8")
    tmp.replace(path)
    # the progress stays: if the code that solves pieces changes, this piece is solved again
    # from what is known of its program, in moments
    return out


def solve_pieces(
    pieces: Sequence[Piece], keep: Path | None = None, retry_failed: bool = False
) -> list[PieceOutcome]:
    return [solve_kept(p, keep, retry_failed) for p in pieces]


@dataclass
class MilpResult:
    families: list[dict[str, Any]] = field(default_factory=list)  # per family: sizes, pieces, solves, seconds
    lo: dict[int, float] = field(default_factory=dict)
    hi: dict[int, float] = field(default_factory=dict)
    values: dict[int, int] = field(default_factory=dict)  # quantity -> 1, 2 or 3 (3 or more)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def families(model: Model) -> dict[str, list[str]]:
    """Keys linked by any figure or sum rule, grouped (union-find): an item total, its
    categories, and every item or derived indicator whose numerator or denominator refers to
    them. Each group, over every owner and period, is one integer program."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(keys: Sequence[str]) -> None:
        for k in keys[1:]:
            parent[root(k)] = root(keys[0])

    for f in model.catalogue.figures.values():
        keys: list[str] = []
        for _, part in PEOPLE_FIELDS.get(f.kind, ()):
            keys.extend(f.num if part == "num" else f.den)
        if keys:
            join(keys)
    for tk, parts, _ in model.catalogue.totals:
        join([tk, *parts])
    for pk, wk, _ in model.catalogue.at_most:
        join([pk, wk])
    groups: dict[str, list[str]] = defaultdict(list)
    for k in {k for _, _, k in model.atoms}:
        groups[root(k)].append(k)
    return {min(v): sorted(v) for v in groups.values()}


@dataclass
class Problems:
    """The integer programs of every family, in pieces, and what needed no solve at all."""

    pieces: list[Piece]
    family_of_atom: list[str]
    sizes: dict[str, dict[str, int]]  # family -> atoms, open atoms, rows, nonzeros, pieces, largest
    settled: dict[int, tuple[float, float]]  # reported quantities with no open atom: exact


def build_problems(
    model: Model,
    prop: PropagationResult,
    rels: Sequence[Relation],
    pair_facts: Sequence[PairFact],
    set_facts: Sequence[SetFact],
    rates: RateResult,
    reported: Sequence[int],
    time_limit: float = 60.0,
    witnesses: int = 6,
    mean_rows: bool = False,
    start: np.ndarray | None = None,
) -> Problems:
    """The integer programs. Variables: the atoms (integers, at least 0, within propagation's
    bounds). Constraints: every quantity's range (from its published cells, sharpened by
    propagation, which only ever adds true facts), the catalogue's totals and parts at each
    return, a rate's remaining candidate pairs as a choice of one (0/1 variables), each published
    rate's value as two linear bounds where its pairs were too many to list, the mean-score facts.
    Rolling years, areas and the nation need no rows of their own: their quantities are sums of
    the same atoms. Atoms propagation pinned become constants; rows left with no open atom, or
    implied by the open atoms' bounds, go; what remains splits into independent pieces.

    The mean-score facts are rows only with ``mean_rows``: they are near-equalities with real
    weights on the 29 counts at each raw score (a subset-sum), and with them HiGHS found no
    feasible point of the demo's wellbeing families in 30 s. Without them the program is a
    relaxation, so its ranges stay sound, and propagation has already used them for bounds.

    ``start``: a value for every atom that the publisher knows to be feasible (the true counts),
    given to each piece as its hint (:func:`solve_piece`)."""
    fams = families(model)
    fam_of_key = {k: name for name, keys in fams.items() for k in keys}
    n_atoms = len(model.atoms)
    family_of_atom = [fam_of_key[k] for _, _, k in model.atoms]
    a_lo = np.zeros(n_atoms)
    a_hi = np.full(n_atoms, INF)
    for a in range(n_atoms):
        q = model.quantities.get((a,))
        if q is not None:
            a_lo[a], a_hi[a] = prop.lo[q], prop.hi[q]
    fixed = a_lo == a_hi
    rows: list[tuple[dict[int, float], float, float]] = []  # over variables: atoms, then 0/1 choices
    for q, atoms in enumerate(model.q_atoms):
        if len(atoms) > 1 and (prop.lo[q] > 0 or prop.hi[q] < INF):
            rows.append((dict.fromkeys(atoms, 1.0), prop.lo[q], prop.hi[q]))
    for rel in rels:
        atom_level = all(len(model.q_atoms[q]) <= 1 for q in rel.qids)
        if (
            (mean_rows and rel.route in ("mean score", "mean score spread"))
            or (atom_level and rel.route in ("catalogue total", "at most"))
            or rel.route == "mean of parts"
        ):
            coef: dict[int, float] = defaultdict(float)
            for q, c in zip(rel.qids, rel.coefs, strict=True):
                for a in model.q_atoms[q]:
                    coef[a] += c
            rows.append((dict(coef), rel.lo, rel.hi))
    tol = model.rule.rate_tolerance
    val = model.columns["value"]
    for i, cands in rates.candidates.items():
        cx, cn = model.cell(i, "numerator"), model.cell(i, "denominator")
        if len(cands) <= PAIR_CAP or cx is None or cn is None or model.from_published("rate", i):
            continue
        if model.explained.get(i, (False,))[0]:
            continue  # the value may be the published pair's
        up: dict[int, float] = defaultdict(float)
        down: dict[int, float] = defaultdict(float)
        for a in model.q_atoms[cx.qid]:
            up[a] += 100.0
            down[a] += 100.0
        for a in model.q_atoms[cn.qid]:
            up[a] -= val[i] + tol
            down[a] -= val[i] - tol
        rows.append((dict(up), -INF, 0.0))
        rows.append((dict(down), 0.0, INF))
    # choices of one: a rate's pairs, a set with gaps
    n_vars = n_atoms
    owner_id: dict[str, int] = {}
    var_group = [owner_id.setdefault(o, len(owner_id)) for o, _, _ in model.atoms]

    def unit_of(q: int) -> int:  # a choice variable belongs to the unit of the count it is about
        atoms = model.q_atoms[q]
        return var_group[atoms[0]] if atoms else -1

    choice_atoms: list[list[int]] = []
    for pf in pair_facts:
        ok = [
            (x, n)
            for x, n in pf.pairs
            if prop.lo[pf.qx] <= x <= prop.hi[pf.qx] and prop.lo[pf.qn] <= n <= prop.hi[pf.qn]
        ]
        if not 1 < len(ok) <= PAIR_CAP:
            continue
        first, n_vars = n_vars, n_vars + len(ok)
        var_group += [unit_of(pf.qx)] * len(ok)
        rows.append(({first + b: 1.0 for b in range(len(ok))}, 1.0, 1.0))
        for q, pos in ((pf.qx, 0), (pf.qn, 1)):
            coef = dict.fromkeys(model.q_atoms[q], 1.0)
            coef.update({first + b: -float(pair[pos]) for b, pair in enumerate(ok)})
            rows.append((coef, 0.0, 0.0))
        choice_atoms.append(list(range(first, first + len(ok))))
    for sf in set_facts:
        vals = sorted({v for v in sf.values if prop.lo[sf.qid] <= v <= prop.hi[sf.qid]})
        if len(vals) > 1 and vals[-1] - vals[0] + 1 > len(vals):
            first, n_vars = n_vars, n_vars + len(vals)
            var_group += [unit_of(sf.qid)] * len(vals)
            rows.append(({first + b: 1.0 for b in range(len(vals))}, 1.0, 1.0))
            coef = dict.fromkeys(model.q_atoms[sf.qid], 1.0)
            coef.update({first + b: -float(v) for b, v in enumerate(vals)})
            rows.append((coef, 0.0, 0.0))
    v_lo = np.concatenate([a_lo, np.zeros(n_vars - n_atoms)])
    v_hi = np.concatenate([a_hi, np.ones(n_vars - n_atoms)])
    is_fixed = np.concatenate([fixed, np.zeros(n_vars - n_atoms, dtype=bool)])
    # pinned atoms out: constants in the bounds; rows with nothing open, or implied, dropped
    parent = list(range(n_vars))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept: list[tuple[dict[int, float], float, float]] = []
    for coef, lo_, hi_ in rows:
        const = 0.0
        free: dict[int, float] = {}
        for v, c in coef.items():
            if c == 0:
                continue
            if is_fixed[v]:
                const += c * v_lo[v]
            else:
                free[v] = c
        if not free:
            continue
        lo2, hi2 = lo_ - const, hi_ - const
        mn = sum(c * (v_lo[v] if c > 0 else v_hi[v]) for v, c in free.items())
        mx = sum(c * (v_hi[v] if c > 0 else v_lo[v]) for v, c in free.items())
        if mn >= lo2 - 1e-9 and mx <= hi2 + 1e-9:
            continue
        kept.append((free, lo2, hi2))
        vs = list(free)
        r0 = root(vs[0])
        for v in vs[1:]:
            rv = root(v)
            if rv != r0:
                parent[rv] = r0
    for group in choice_atoms:
        r0 = root(group[0])
        for v in group[1:]:
            parent[root(v)] = r0
    offsets: dict[int, float] = {}
    settled: dict[int, tuple[float, float]] = {}
    open_of: dict[int, list[int]] = {}
    for q in reported:
        atoms = model.q_atoms[q]
        open_atoms = [a for a in atoms if not fixed[a]]
        offsets[q] = float(sum(a_lo[a] for a in atoms if fixed[a]))
        if not open_atoms:
            settled[q] = (offsets[q], offsets[q])
            continue
        open_of[q] = open_atoms
        r0 = root(open_atoms[0])
        for a in open_atoms[1:]:
            parent[root(a)] = r0
    # pieces: the components holding a reported quantity
    comp_q: dict[int, list[int]] = defaultdict(list)
    for q, open_atoms in open_of.items():
        comp_q[root(open_atoms[0])].append(q)
    comp_rows: dict[int, list[int]] = defaultdict(list)
    for k, (free, _, _) in enumerate(kept):
        comp_rows[root(next(iter(free)))].append(k)
    comp_vars: dict[int, list[int]] = defaultdict(list)
    for v in range(n_vars):
        if not is_fixed[v]:
            comp_vars[root(v)].append(v)
    pieces = []
    sizes: dict[str, Counter[str]] = defaultdict(Counter)
    for name in fams:
        sizes[name]["atoms"] += 0
    for a in range(n_atoms):
        sizes[family_of_atom[a]]["atoms"] += 1
        sizes[family_of_atom[a]]["open atoms"] += not fixed[a]
    for seed, (comp, qs) in enumerate(sorted(comp_q.items(), key=lambda kv: kv[0])):
        vars_ = comp_vars[comp]
        col = {v: j for j, v in enumerate(vars_)}
        r_i: list[int] = []
        r_j: list[int] = []
        r_v: list[float] = []
        lbs: list[float] = []
        ubs: list[float] = []
        for k in comp_rows.get(comp, []):
            free, lo2, hi2 = kept[k]
            for v, c in free.items():
                r_i.append(len(lbs))
                r_j.append(col[v])
                r_v.append(c)
            lbs.append(lo2)
            ubs.append(hi2)
        a_mat = coo_matrix((r_v, (r_i, r_j)), shape=(len(lbs), len(vars_))).tocsr()
        q_i, q_j = [], []
        for k, q in enumerate(qs):
            for a in open_of[q]:
                q_i.append(k)
                q_j.append(col[a])
        qmat = coo_matrix((np.ones(len(q_i)), (q_i, q_j)), shape=(len(qs), len(vars_))).tocsr()
        family = family_of_atom[next(v for v in vars_ if v < n_atoms)]
        size = sizes[family]
        size["rows"] += a_mat.shape[0]
        size["nonzeros"] += a_mat.nnz
        size["pieces"] += 1
        size["largest piece (variables)"] = max(size["largest piece (variables)"], len(vars_))
        pieces.append(
            Piece(
                family=family,
                n_atoms=sum(1 for v in vars_ if v < n_atoms),
                n_vars=len(vars_),
                a=a_mat,
                lb=np.array(lbs, dtype=float),
                ub=np.array(ubs, dtype=float),
                var_lb=v_lo[vars_],
                var_ub=v_hi[vars_],
                integrality=np.ones(len(vars_)),
                qmat=qmat,
                offset=np.array([offsets[q] for q in qs]),
                qids=qs,
                known_lo=np.array([prop.lo[q] for q in qs]),
                known_hi=np.array([prop.hi[q] for q in qs]),
                time_limit=time_limit,
                witnesses=witnesses,
                seed=seed,
                groups=np.array([var_group[v] for v in vars_], dtype=np.int64),
                hint=None
                if start is None
                else np.array([start[v] if v < n_atoms else np.nan for v in vars_], dtype=float),
            )
        )
    for q in reported:
        atoms = model.q_atoms[q]
        if atoms:
            sizes[family_of_atom[atoms[0]]]["reported"] += 1
    return Problems(pieces, family_of_atom, {k: dict(v) for k, v in sizes.items()}, settled)


def integer_program(
    problems: Problems,
    workers: int = 1,
    log: Callable[[str], None] | None = None,
    keep: Path | None = None,
    retry_failed: bool = False,
) -> MilpResult:
    """Attack (d): solve every piece (largest first, in batches over ``workers`` processes).
    ``log`` hears of each batch (or piece) as it ends, and of each failure, so a national run
    that takes hours shows its pace; ``keep``: a folder where each piece's outcome is kept and
    found again (:func:`solve_kept`; ``retry_failed``: kept failures solved again)."""
    t0 = time.perf_counter()
    res = MilpResult()
    order = sorted(problems.pieces, key=lambda p: -p.n_vars * len(p.qids))
    if workers > 1 and len(order) > 1:
        batches: list[list[Piece]] = [[] for _ in range(min(len(order), workers * 8))]
        for k, p in enumerate(order):
            batches[k % len(batches)].append(p)
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            outcomes = []
            solve = partial(solve_pieces, keep=keep, retry_failed=retry_failed)
            for k, batch_out in enumerate(pool.map(solve, batches), start=1):
                outcomes.extend(batch_out)
                if log is not None:
                    fails = sum(len(o.failures) for o in batch_out)
                    kept = sum(o.kept for o in batch_out)
                    log(
                        f"(d) batch {k}/{len(batches)}: {len(batch_out)} pieces ({kept} kept from an "
                        f"earlier run), {fails} failures ({time.perf_counter() - t0:.0f} s)"
                    )
                    for failure in (f for o in batch_out for f in o.failures):
                        log(f"(d)   {failure}")
        order = [p for batch in batches for p in batch]
    else:
        outcomes = []
        for k, p in enumerate(order, start=1):
            out = solve_kept(p, keep, retry_failed)
            outcomes.append(out)
            if log is not None:
                log(
                    f"(d) piece {k}/{len(order)} ({p.family}, {p.n_vars} variables, "
                    f"{len(p.qids)} quantities): {len(out.failures)} failures, "
                    f"{out.seconds:.0f} s{' (kept from an earlier run)' if out.kept else ''} "
                    f"({time.perf_counter() - t0:.0f} s in all)"
                )
                for failure in out.failures:
                    log(f"(d)   {failure}")
    per: dict[str, dict[str, Any]] = {
        name: {"name": name, **size, "solves": Counter(), "seconds": 0.0}
        for name, size in problems.sizes.items()
    }
    for p, out in zip(order, outcomes, strict=True):
        fam = per[p.family]
        if not out.kept:  # seconds spent in this run; a kept piece's solves are from its own
            fam["solves"].update(out.solves)
            fam["seconds"] += out.seconds
        res.failures.extend(out.failures)
        for q, lo, hi, v in zip(out.qids, out.lo, out.hi, out.values, strict=True):
            res.lo[q], res.hi[q], res.values[q] = lo, hi, v
    for q, (lo, hi) in problems.settled.items():
        res.lo[q], res.hi[q], res.values[q] = lo, hi, 1
    res.families = sorted(per.values(), key=lambda f: (-f.get("atoms", 0), f["name"]))
    res.seconds = time.perf_counter() - t0
    return res


# -- everything --------------------------------------------------------------------------------
@dataclass
class AttackResult:
    """What the attacks found. Counting definitions:

    * rates: published rates below national level (unit percent, value and Wilson limits shown);
      ``unique``: exactly one (x, n) fits; ``under3``: one or two fit.
    * funnels: area rows with funnel limits; a denominator is exact when one n fits.
    * money: costs per outcome (and caseload ratios) below national level whose count is exact.
    * differencing: cells blanked for suppression in area rows (each row's blank numerator,
      denominator or count, so twins count twice) whose quantity propagation pins to one value.
    * milp: quantities below national level shown in at least one cell (published non-zero or
      suppressed) and never published as 0; ``narrowed``: fewer than three possible values.
    """

    rule: Rule
    model: Model
    rates: RateResult
    funnels: FunnelResult
    money: MoneyResult
    linear: PropagationResult  # differencing on exact figures only
    propagation: PropagationResult  # differencing with every published range
    milp: MilpResult | None
    reported: list[int]
    timings: dict[str, float]
    relations: list[Relation] = field(default_factory=list)
    pair_facts: list[PairFact] = field(default_factory=list)
    set_facts: list[SetFact] = field(default_factory=list)

    def suppressed_area_cells(self) -> list[Cell]:
        return [c for c in self.model.cells if c.level == "area" and c.state == "suppressed"]

    def propagation_exact(self, linear: bool = False) -> list[Cell]:
        """Suppressed area cells that differencing pins to one value (``linear``: on exact
        figures only)."""
        p = self.linear if linear else self.propagation
        return [c for c in self.suppressed_area_cells() if p.lo[c.qid] == p.hi[c.qid]]

    def narrowed(self) -> list[int]:
        """Reported quantities with fewer than three possible values (MILP if run, else
        propagation), other than those known to be 0."""
        # known to be 0 is no disclosure of anyone, as a published zero is not
        if self.milp is not None:
            return [q for q in self.reported if self.milp.values.get(q, 3) < 3 and self.milp.hi.get(q) != 0]
        p = self.propagation
        return [q for q in self.reported if p.hi[q] - p.lo[q] < 2 and p.hi[q] != 0]

    def findings(self) -> dict[str, int]:
        """Everything narrowed below three values, attack by attack (all zero: nothing leaks)."""
        return {
            "rates with fewer than 3 candidate pairs": self.rates.under3,
            "funnel denominators exact": self.funnels.plain_exact + self.funnels.widened_exact,
            "counts exact from money or ratios": self.money.cost_exact + self.money.ratio_exact,
            "suppressed area cells exact by differencing": len(self.propagation_exact()),
            "counts narrowed below 3 values (integer program)": len(self.narrowed()),
        }

    def examples(self, k: int = 5) -> dict[str, list[str]]:
        m = self.model
        out: dict[str, list[str]] = {}
        uniq = [i for i, c in self.rates.candidates.items() if len(c) == 1][:k]
        num, den, val = m.columns["numerator"], m.columns["denominator"], m.columns["value"]
        out["rates"] = [
            f"{m.row_label(i)}: published {_fmt(num[i])}/{_fmt(den[i])}, {val[i]}%; "
            f"only {self.rates.candidates[i][0]} fits"
            for i in uniq
        ]
        fun = [i for i, c in self.funnels.candidates.items() if len(c) == 1][:k]
        out["funnels"] = [
            f"{m.row_label(i)}: denominator published {_fmt(den[i])}; "
            f"limits give {self.funnels.candidates[i][0]}"
            for i in fun
        ]
        mon = [f for f in self.money.facts if len(f.values) == 1][:k]
        out["money"] = [f"{m.row_label(f.row)}: {f.route} gives {f.values[0]}" for f in mon]
        cells = self.propagation_exact()[:k]
        out["differencing"] = [
            f"{m.row_label(c.row)} {c.column}: suppressed; {int(self.propagation.lo[c.qid])} "
            f"by {ROUTES.get(self.propagation.route.get(c.qid, ''), self.propagation.route.get(c.qid, ''))}"
            for c in cells
        ]
        if self.milp is not None:
            first_cell: dict[int, Cell] = {}
            for c in m.cells:
                if c.level != "all areas":
                    first_cell.setdefault(c.qid, c)
            nar = [q for q in self.narrowed() if q in first_cell][:k]
            out["milp"] = []
            for q in nar:
                c = first_cell[q]
                shown = "published " + _fmt(c.value) if c.state == "published" else c.state
                out["milp"].append(
                    f"{m.row_label(c.row)} {c.column}: {shown}; "
                    f"between {int(self.milp.lo[q])} and {int(self.milp.hi[q])}"
                )
        return out


def _fmt(x: float) -> str:
    return "blank" if x != x else f"{x:g}"


def reported_quantities(model: Model) -> list[int]:
    """The counts of people below national level an attacker is scored on: every quantity shown
    in a cell below national level (a figure other than 0, or a blank), never shown as 0."""
    shown: set[int] = set()
    zero: set[int] = set()
    for c in model.cells:
        if c.level == "all areas" or not model.q_atoms[c.qid]:
            continue
        if c.state == "published" and c.value == 0:
            zero.add(c.qid)
        else:
            shown.add(c.qid)
    return sorted(shown - zero)


def run_all(
    published: Path | pd.DataFrame,
    catalogue: Catalogue | Path,
    rule: Rule | None = None,
    milp_too: bool = True,
    workers: int = 1,
    time_limit: float = 60.0,
    witnesses: int = 6,
    log: Callable[[str], None] | None = None,
    infer: bool = True,
    stop_early: bool = False,
    keep: Path | None = None,
    retry_failed: bool = False,
    start: Mapping[tuple[str, str, str], float] | None = None,
) -> AttackResult:
    """Every attack on a published table, each using what the previous found. ``rule``: the
    publication rule's public semantics (None: :class:`Rule`'s defaults); ``infer``: add what the
    table itself shows of how its rates and values were made (:func:`infer_rule`);
    ``stop_early``: skip the integer program when the cheaper attacks already narrowed a count
    (it could only find more), for a check that nothing leaks; ``keep``: a folder for the integer
    program's outcomes, piece by piece, so a long run resumes (:func:`solve_kept`; with
    ``retry_failed``, what failed is tried again); ``start``: the true value of each return value
    (owner, period, item key; absent: 0), which only the publisher has: the integer program starts
    from it rather than searching for a first feasible point (:func:`solve_piece`)."""
    say = log or (lambda _: None)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    df = read_published(published)
    rule = rule or Rule()
    model = Model(df, cat, rule)
    if infer:
        model.rule = rule = infer_rule(model, rule)
    timings["model"] = time.perf_counter() - t
    say(f"model: {len(df)} rows, {len(model.atoms)} atoms, {len(model.cells)} cells")
    rates = rate_candidates(model)
    timings["a: rates"] = rates.seconds
    say(f"(a) {len(rates.rows)} rates, {rates.unique} with one (x, n) ({rates.seconds:.1f} s)")
    funnels = funnel_denominators(model)
    money = money_facts(model)
    timings["b: funnels"] = funnels.seconds
    timings["b: money"] = money.seconds
    say(
        f"(b) funnels {funnels.plain_exact}/{funnels.plain} plain, "
        f"{funnels.widened_exact}/{funnels.widened} widened; money {money.cost_exact}/{money.cost_rows}"
    )
    pair_facts = []
    for i, cands in rates.candidates.items():
        cx, cn = model.cell(i, "numerator"), model.cell(i, "denominator")
        if cx is not None and cn is not None and cands and not model.from_published("rate", i):
            pair_facts.append(PairFact(cx.qid, cn.qid, cands, i))
    set_facts = list(money.facts)
    for i, ns in funnels.candidates.items():
        c = model.cell(i, "denominator")
        if c is not None and ns:
            set_facts.append(SetFact(c.qid, ns, "funnel", i))
    t = time.perf_counter()
    rels = relations(model) + money.means
    timings["c: relations"] = time.perf_counter() - t
    linear = propagate(model, rels, pair_facts, set_facts, exact_only=True)
    timings["c: linear system (exact figures only)"] = linear.seconds
    prop = propagate(model, rels, pair_facts, set_facts)
    timings["c: propagation"] = prop.seconds
    reported = reported_quantities(model)
    say(f"(c) {len(rels)} relations; {len(reported)} counts reported ({prop.seconds:.1f} s)")
    milp_res = None
    found_already = rates.under3 or funnels.plain_exact or funnels.widened_exact or money.cost_exact
    found_already = found_already or any(prop.hi[q] - prop.lo[q] < 2 for q in reported)
    if milp_too and not (stop_early and found_already):
        t = time.perf_counter()
        at = None if start is None else np.array([start.get(a, 0.0) for a in model.atoms], dtype=float)
        problems = build_problems(
            model, prop, rels, pair_facts, set_facts, rates, reported, time_limit, witnesses, start=at
        )
        timings["d: build"] = time.perf_counter() - t
        largest = max((p.n_vars for p in problems.pieces), default=0)
        say(f"(d) {len(problems.pieces)} pieces, the largest with {largest} variables")
        milp_res = integer_program(problems, workers, say, keep, retry_failed)
        timings["d: solve"] = milp_res.seconds
        say(
            f"(d) {len(problems.pieces)} pieces ({milp_res.seconds:.1f} s), {len(milp_res.failures)} failures"
        )
    return AttackResult(
        rule,
        model,
        rates,
        funnels,
        money,
        linear,
        prop,
        milp_res,
        reported,
        timings,
        rels,
        pair_facts,
        set_facts,
    )


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


__all__ = [
    "AttackResult",
    "Catalogue",
    "Model",
    "Rule",
    "build_problems",
    "catalogue_from",
    "funnel_denominators",
    "infer_rule",
    "integer_program",
    "load_catalogue",
    "money_facts",
    "propagate",
    "rate_candidates",
    "read_published",
    "relations",
    "run_all",
    "solve_piece",
]
