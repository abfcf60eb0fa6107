"""What a schema cannot check: duplicate ids, references to items, breakdowns, scales and
documents that do not exist, versions, rules across items and returns, and cycles among them.
"""

from __future__ import annotations

import datetime as dt
import re

from generator.catalogue.model import (
    REF,
    Benchmark,
    Breakdown,
    CrossCheck,
    Derived,
    Document,
    Item,
    Scale,
    SourceRef,
    ref_item,
)
from generator.catalogue.sections import Catalogue, Section, version_key


def _duplicates(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def cross_check(
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
