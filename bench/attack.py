"""Attack a published dataset as an outsider would, and score the attack against the truth.

    python bench/attack.py [--csv PATH] [--store DIR] [--out FILE.md] [--no-milp] [--workers N]
                           [--keep DIR]

Runs every attack of ``tests/disclosure_attack.py`` (which reads only the published CSV and the
public catalogue) on ``--csv`` (default: the demo's, build/demo/dataset/indicators.csv). Given
the returns store the CSV was computed from (``--store``; the demo's is build/demo/store), it
also works out the true, unprotected values with the project's own code (the store's returns,
and ``generator.calc.indicators.calculate``, which gives the table before disclosure control), and
checks three things: that the attacker's reading of every published row is right (its sum of
return values equals the unprotected figure), that every range the attacks give holds the true
count (the attacks are sound), and how many recovered counts are exact and correct. The true
return values also start the integer program (attack d) where an attacker would have to search
for a first feasible point: what it proves stays the same, it only gets there in hours, not days.

Prints a markdown table comparable to the independent review's figures (a)-(d), with the
counting definitions and the time each attack took, and writes it to ``--out`` if given. Exits 1
when any count below national level is narrowed below 3 values, a cell of the integer program
was not solved to optimality, or (given the store) an attack's range misses the truth or its
reading of a row differs from the unprotected table (``make attack`` on the demo;
``make attack-national`` after ``make bench-compare``; ``make publish``, as its gate).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the attacker: tests/disclosure_attack.py
sys.path.append(str(ROOT))  # the project's code for the truth, unless PYTHONPATH names another copy

import disclosure_attack as da  # noqa: E402

# the independent review's figures on the demo's published indicators.csv, by hand
REVIEW = {
    "a_rows": 21_924,
    "a_unique": 21_078,
    "b_rows": 10_962,
    "b_plain": 8_418,
    "b_plain_exact": 8_340,
    "c_money_share": 1.0,
    "d_exact": 5_613,
    "d_exact_small": 2_311,
}


@dataclass
class Truth:
    """The true values: every return value (atom) and the unprotected table's cells."""

    atoms: dict[tuple[str, str, str], float]
    unprotected: dict[tuple[str, str, str, str, str], Mapping[str, Any]]
    seconds: float = 0.0


def load_truth(store_dir: Path, registry_csv: Path | None = None) -> Truth:
    """The store's current returns and the table computed from them before disclosure control
    (the project's own code: this is the harness, not the attacker)."""
    from generator.calc.indicators import calculate
    from generator.catalogue.load import load_catalogue
    from generator.catalogue.registry import load_registry
    from generator.store.returns import Store

    t0 = time.perf_counter()
    catalogue = load_catalogue()
    registry = load_registry(registry_csv) if registry_csv else load_registry()
    returns = Store(store_dir).current_returns()
    atoms: dict[tuple[str, str, str], float] = {}
    for r in returns:
        ident = r["identity"]
        for k, v in r["values"].items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                atoms[(ident["organisation_code"], ident["period"], k)] = float(v)
                atoms.setdefault((ident["area_code"], ident["period"], k), 0.0)
    rows = calculate(returns, catalogue, registry, unprotected=True)
    unprotected = {
        (r["area_code"], r["provider_code"], r["period"], r["indicator_id"], r["breakdown_value"]): r
        for r in rows
    }
    return Truth(atoms, unprotected, time.perf_counter() - t0)


@dataclass
class Score:
    """How the attacks fared against the truth."""

    model_rows: int = 0
    model_mismatches: list[str] = field(default_factory=list)
    true_q: dict[int, float] = field(default_factory=dict)
    unsound: Counter[str] = field(default_factory=Counter)
    unsound_examples: list[str] = field(default_factory=list)
    a_unique_correct: int = 0
    a_true_in: int = 0
    b_plain_exact_correct: int = 0
    b_widened_exact_correct: int = 0
    money_exact_correct: int = 0
    diff: dict[str, dict[str, Any]] = field(default_factory=dict)  # "linear" / "ranges" -> figures
    d: dict[str, int] = field(default_factory=dict)


def score(res: da.AttackResult, truth: Truth) -> Score:
    m = res.model
    s = Score()
    values = [truth.atoms.get(a, 0.0) for a in m.atoms]
    s.true_q = {q: m.quantity_value(q, values) for q in range(len(m.q_atoms))}

    def bad(kind: str, text: str) -> None:
        s.unsound[kind] += 1
        if len(s.unsound_examples) < 10:
            s.unsound_examples.append(f"{kind}: {text}")

    # the attacker's reading of each row against the unprotected table
    field_of = {"value": "value", "numerator": "numerator", "denominator": "denominator"}
    for c in m.cells:
        i = c.row
        f = m.figure[i]
        assert f is not None
        key = (m.area[i], m.provider[i], m.period[i], f.indicator_id, f.breakdown_value)
        row = truth.unprotected.get(key)
        s.model_rows += 1
        want = None if row is None else row.get(field_of[c.column])
        got = s.true_q[c.qid]
        if want is None or abs(float(want) - got) > 1e-6:
            if len(s.model_mismatches) < 10:
                s.model_mismatches.append(f"{m.row_label(i)} {c.column}: model {got}, unprotected {want}")
            else:
                s.model_mismatches.append("")
        lo, hi = m.cell_bounds(c)
        if not lo <= got <= hi:
            bad("published range", f"{m.row_label(i)} {c.column} {c.state} {c.value}: true {got}")
    # every linear fact the attacks wrote down (sums, rolling years, means of means...) holds
    for rel in res.relations:
        total = sum(c * s.true_q[q] for q, c in zip(rel.qids, rel.coefs, strict=True))
        if not rel.lo - 1e-6 <= total <= rel.hi + 1e-6:
            bad(
                f"relation ({rel.route})",
                f"{total} not in [{rel.lo}, {rel.hi}] over quantities {rel.qids[:6]}",
            )
    # (a)
    for i, cands in res.rates.candidates.items():
        cx, cn = m.cell(i, "numerator"), m.cell(i, "denominator")
        pair = (round(s.true_q[cx.qid]), round(s.true_q[cn.qid])) if cx and cn else None
        if pair in cands:
            s.a_true_in += 1
            s.a_unique_correct += len(cands) == 1
        else:
            bad("rate candidates", f"{m.row_label(i)}: true {pair} not in {cands[:5]}")
    # (b)
    for i, cands in res.funnels.candidates.items():
        c = m.cell(i, "denominator")
        n_true = round(s.true_q[c.qid]) if c else None
        if n_true not in cands:
            bad("funnel", f"{m.row_label(i)}: true {n_true} not in {cands[:5]}")
        elif len(cands) == 1:
            if "Spiegelhalter" in str(m.df.at[i, "method"]):
                s.b_widened_exact_correct += 1
            else:
                s.b_plain_exact_correct += 1
    for f in res.money.facts:
        count = round(s.true_q[f.qid])
        if count not in f.values:
            bad("money", f"{m.row_label(f.row)} {f.route}: true {count} not in {f.values[:5]}")
        elif len(f.values) == 1 and f.route == "cost per outcome":
            s.money_exact_correct += 1
    # (c) differencing, on exact figures only and with every published range
    for name, p, linear in (("linear", res.linear, True), ("ranges", res.propagation, False)):
        for q, true in s.true_q.items():
            if not p.lo[q] - 1e-6 <= true <= p.hi[q] + 1e-6:
                bad(
                    f"differencing ({name})",
                    f"quantity {q} ({p.route.get(q, '')}): true {true} not in [{p.lo[q]}, {p.hi[q]}]",
                )
        exact = res.propagation_exact(linear)
        fig: dict[str, Any] = {"exact": len(exact), "correct": 0, "small": 0, "routes": Counter()}
        fig["distinct"] = len({c.qid for c in exact})
        for c in exact:
            true = s.true_q[c.qid]
            if true == p.lo[c.qid]:
                fig["correct"] += 1
                fig["small"] += 1 <= true <= 4
                fig["routes"][da.ROUTES.get(p.route.get(c.qid, ""), p.route.get(c.qid, ""))] += 1
        s.diff[name] = fig
    # (d)
    if res.milp is not None:
        mi = res.milp
        d: Counter[str] = Counter()
        suppressed_q = {c.qid for c in m.cells if c.state == "suppressed" and c.level != "all areas"}
        area_supp_cells = res.suppressed_area_cells()
        for q in res.reported:
            true = s.true_q[q]
            if q not in mi.lo:
                continue
            if not mi.lo[q] - 1e-6 <= true <= mi.hi[q] + 1e-6:
                bad("integer program", f"quantity {q}: true {true} not in [{mi.lo[q]}, {mi.hi[q]}]")
            v = mi.values[q]
            d["reported"] += 1
            if mi.hi.get(q) == 0:  # known to be none: no one is disclosed, as by a published 0
                d["known zero"] += 1
                continue
            d["narrowed"] += v < 3
            d["exact"] += v == 1
            d["two values"] += v == 2
            if q in suppressed_q:
                d["suppressed reported"] += 1
                d["suppressed narrowed"] += v < 3
                d["suppressed exact"] += v == 1
                d["suppressed exact, true 1-4"] += v == 1 and 1 <= true <= 4
        cells = [c for c in area_supp_cells if c.qid in mi.values]
        d["area suppressed cells"] = len(area_supp_cells)
        d["area suppressed cells exact"] = sum(1 for c in cells if mi.values[c.qid] == 1)
        d["area suppressed cells exact, correct"] = sum(
            1 for c in cells if mi.values[c.qid] == 1 and mi.lo[c.qid] == s.true_q[c.qid]
        )
        d["area suppressed cells exact, true 1-4"] = sum(
            1 for c in cells if mi.values[c.qid] == 1 and 1 <= s.true_q[c.qid] <= 4
        )
        d["area suppressed cells narrowed"] = sum(1 for c in cells if mi.values[c.qid] < 3)
        s.d = dict(d)
    return s


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def near(ours: float, theirs: float) -> str:
    if not theirs:
        return "-"
    diff = abs(ours - theirs) / theirs
    return f"yes ({100 * diff:.2f}% apart)" if diff <= 0.01 else f"no ({100 * diff:.1f}% apart)"


def differencing_variants(res: da.AttackResult, s: Score) -> list[tuple[str, int, int, int]]:
    """Suppressed area cells differencing pins, with more or less of what attacks a-c found:
    (variant, cells pinned, of which correct, of which the true count is 1-4)."""
    cells = res.suppressed_area_cells()
    base = [r for r in res.relations if not r.route.startswith("mean score")]
    variants = {
        "exact figures only, no facts from a-c": (base, [], [], True),
        "every published range, no facts from a-c": (base, [], [], False),
        "exact figures only, with a-c (the linear system)": (
            res.relations,
            res.pair_facts,
            res.set_facts,
            True,
        ),
        "every published range, with a-c (propagation)": (
            res.relations,
            res.pair_facts,
            res.set_facts,
            False,
        ),
    }
    out = []
    for name, (rels, pairs, sets, exact_only) in variants.items():
        p = da.propagate(res.model, rels, pairs, sets, exact_only=exact_only)
        pinned = [c for c in cells if p.lo[c.qid] == p.hi[c.qid]]
        correct = [c for c in pinned if s.true_q[c.qid] == p.lo[c.qid]]
        small = [c for c in correct if 1 <= s.true_q[c.qid] <= 4]
        out.append((name, len(pinned), len(correct), len(small)))
    return out


class Table:
    """The markdown table of figures: ours beside the review's, and how many were right."""

    def __init__(self) -> None:
        self.lines = [
            "| | figure | ours | review | within 1% | correct (vs truth) |",
            "|---|---|---:|---:|---|---:|",
        ]

    def add(
        self, part: str, label: str, ours: Any, review: Any = None, correct: Any = None, within: str = ""
    ) -> None:
        shown = f"{ours:,}" if isinstance(ours, int) else str(ours)
        theirs = "" if review is None else f"{review:,}" if isinstance(review, int) else str(review)
        if isinstance(ours, int) and isinstance(review, int):
            within = near(ours, review)
        right = "" if correct is None else f"{correct:,}" if isinstance(correct, int) else str(correct)
        self.lines.append(f"| {part} | {label} | {shown} | {theirs} | {within} | {right} |")


def report(
    res: da.AttackResult,
    s: Score | None,
    variants: Sequence[tuple[str, int, int, int]],
    csv_path: Path,
    total_seconds: float,
    commit: str = "",
) -> str:
    m, r, f, mo, p = res.model, res.rates, res.funnels, res.money, res.propagation
    commit = (
        commit
        or subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    rule = ", ".join(f"{k}={v}" for k, v in vars(res.rule).items())
    lines = [
        "# Disclosure attack on a published indicators.csv",
        "",
        f"- dataset: `{csv_path}` ({len(m.df):,} rows), published by commit `{commit or 'unknown'}`",
        f"- run {dt.datetime.now().isoformat(timespec='seconds')} on {platform.platform()}, "
        f"Python {platform.python_version()}",
        f"- rule assumed by the attacker: `Rule({rule})`",
        f"- rate rounding learnt from {r.national_checked:,} national rates: {r.convention}",
        "- derived figures below national level found computed from the published counts, so attacked "
        "no further (`infer_rule`; a family of values only where every row of it is): "
        + ", ".join(f"{k} {len(m.verified[k]):,} of {m.checked[k]:,}" for k in da.VERIFIED_KINDS),
        f"- model: {len(m.atoms):,} return values (atoms), {len(m.q_atoms):,} quantities, "
        f"{len(m.cells):,} published cells of counts of people, {p.relations:,} linear relations",
    ]
    if s is not None:
        mismatches = len(s.model_mismatches)
        lines.append(
            f"- check of the attacker's reading of rows: {s.model_rows:,} cells, {mismatches:,} differ from "
            "the unprotected table (`generator.calc.indicators.calculate`; meaningful only where that is the "
            "table before disclosure control, as at c08d34f)"
        )
        unsound = ", ".join(f"{k} {v}" for k, v in s.unsound.items()) if s.unsound else "none"
        lines.append(f"- soundness (true value outside a range an attack gave): {unsound}")
    t = Table()
    ok = s is not None

    def right(x: int) -> int | None:
        return x if ok else None

    t.add(
        "a",
        "published rates below national level (percent; value and Wilson limits shown)",
        len(r.rows),
        REVIEW["a_rows"],
    )
    t.add(
        "a",
        "... exactly one (x, n) fits",
        r.unique,
        REVIEW["a_unique"],
        right(s.a_unique_correct if s else 0),
    )
    t.add("a", "... one or two fit", r.under3)
    t.add("b", "area rows with funnel limits", f.rows, REVIEW["b_rows"])
    t.add("b", "... not widened for overdispersion", f.plain, REVIEW["b_plain"])
    t.add(
        "b",
        "... of those, one denominator fits the limits and the published denominator",
        f.plain_exact,
        REVIEW["b_plain_exact"],
        right(s.b_plain_exact_correct if s else 0),
    )
    t.add("b", "... of those, one fits the limits alone", f.plain_exact_alone)
    t.add(
        "b",
        f"widened rows (of {f.widened:,}): one denominator fits a tau2 common to the areas",
        f.widened_exact,
        "not done",
        right(s.b_widened_exact_correct if s else 0),
    )
    share = f"{pct(mo.cost_exact, mo.cost_rows)} ({mo.cost_exact:,} of {mo.cost_rows:,})"
    t.add(
        "c",
        "costs per outcome below national level (EX04, EX05, FX01, FX02): count exact",
        share,
        "100%",
        right(s.money_exact_correct if s else 0),
        near(mo.cost_exact / mo.cost_rows, 1.0) if mo.cost_rows else "",
    )
    for ind, (rows, exact) in sorted(mo.by_indicator.items()):
        t.add("c", f"... {ind}: count exact", f"{exact:,} of {rows:,}")
    cells = res.suppressed_area_cells()
    t.add("d", "suppressed cells in area rows (blank count, numerator or denominator)", len(cells))
    if s is not None:
        for name, pinned, correct, small in variants:
            t.add("d", f"... exact by differencing, {name}", pinned, REVIEW["d_exact"], correct)
            t.add("d", "...... of which the true count is 1-4", small, REVIEW["d_exact_small"])
    if res.milp is not None and s is not None:
        d = s.d
        t.add(
            "d",
            "... exact by the integer program",
            d.get("area suppressed cells exact", 0),
            REVIEW["d_exact"],
            d.get("area suppressed cells exact, correct", 0),
        )
        t.add(
            "d",
            "...... of which the true count is 1-4",
            d.get("area suppressed cells exact, true 1-4", 0),
            REVIEW["d_exact_small"],
        )
        t.add(
            "d",
            "... narrowed below 3 values by the integer program",
            d.get("area suppressed cells narrowed", 0),
        )
        reported = d.get("reported", 0)
        t.add(
            "d",
            "integer program: counts of people below national level (distinct; never shown as 0)",
            reported,
        )
        t.add(
            "d",
            "... narrowed below 3 possible values (other than known zeros)",
            f"{d.get('narrowed', 0):,} ({pct(d.get('narrowed', 0), reported)})",
        )
        t.add("d", "... exact (one value)", d.get("exact", 0))
        t.add("d", "... known to be 0 (not counted above: they disclose no one)", d.get("known zero", 0))
        t.add("d", "... suppressed somewhere below national level", d.get("suppressed reported", 0))
        t.add(
            "d",
            "...... narrowed below 3 values / exact / exact with true 1-4",
            f"{d.get('suppressed narrowed', 0):,} / {d.get('suppressed exact', 0):,} / "
            f"{d.get('suppressed exact, true 1-4', 0):,}",
        )
        t.add("d", "solves not settled in the time limit (failures)", len(res.milp.failures))
    lines += ["", *t.lines]
    if s is not None:
        lines += [
            "",
            "Differencing (propagation with ranges): what pinned each recovered suppressed area cell first:",
            "",
        ]
        lines += ["| route | cells |", "|---|---:|"]
        for k, v in s.diff["ranges"]["routes"].most_common():
            lines.append(f"| {k} | {v:,} |")
    if res.milp is not None:
        lines += [
            "",
            "Integer program by family, largest first. Open: atoms propagation left open (the rest are",
            "constants); rows and nonzeros after that; solves: witnesses (random objectives), batched",
            "questions, single questions (each over the whole piece), local (a few units at a time);",
            "started: pieces that started from the true counts (given the store) rather than from a",
            "first point HiGHS searched for (a start changes the time, not what is proved).",
            "",
            "| family | atoms | open | pieces | largest piece | rows | nonzeros | counts "
            "| solves w / b / s / local | started | seconds |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for fam in res.milp.families:
            sv = fam["solves"]
            solves = (
                f"{sv.get('witness', 0)} / {sv.get('questions', 0)} / {sv.get('question', 0)} "
                f"/ {sv.get('local', 0)}"
            )
            lines.append(
                f"| {fam['name']} | {fam.get('atoms', 0):,} | {fam.get('open atoms', 0):,} "
                f"| {fam.get('pieces', 0):,} | {fam.get('largest piece (variables)', 0):,} "
                f"| {fam.get('rows', 0):,} | {fam.get('nonzeros', 0):,} | {fam.get('reported', 0):,} "
                f"| {solves} | {sv.get('hint', 0)} | {fam['seconds']:.1f} |"
            )
        if res.milp.failures:
            lines += ["", "Failures:", ""] + [f"- {x}" for x in res.milp.failures[:20]]
    lines += ["", "Timings (seconds; the integer program's pieces run on the worker processes):", ""]
    lines += ["| step | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in res.timings.items()]
    lines.append(
        f"| total, wall clock (with the truth and the differencing variants) | {total_seconds:.1f} |"
    )
    lines += ["", "Examples:", ""]
    for k, ex in res.examples().items():
        lines += [f"- {k}: {e}" for e in ex]
    if s is not None and (s.unsound_examples or any(s.model_mismatches)):
        lines += ["", "Problems found by the check:", ""]
        lines += [f"- {x}" for x in s.unsound_examples + [y for y in s.model_mismatches if y][:10]]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=Path("build/demo/dataset/indicators.csv"))
    ap.add_argument("--store", type=Path, default=None, help="the returns store the CSV came from")
    ap.add_argument("--catalogue", type=Path, default=ROOT / "data" / "catalogue")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--registry", type=Path, default=None, help="the store's registry (default: the demo's)")
    ap.add_argument("--no-milp", action="store_true", help="skip the integer program (attack d)")
    ap.add_argument("--workers", type=int, default=da.default_workers())
    ap.add_argument("--suppressed-max", type=int, default=None, help="assume a blank hides at most this")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="seconds HiGHS may spend on a piece's first solve (default 60)",
    )
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep each integer-program piece's outcome in this folder and reuse it when the piece, "
        "its settings and the solving code are unchanged, so a long run that is stopped resumes",
    )
    ap.add_argument(
        "--retry-failed",
        action="store_true",
        help="with --keep: solve again the pieces kept with failures (HiGHS out of time)",
    )
    ap.add_argument(
        "--commit", default="", help="the commit that published the CSV (default: this checkout's HEAD)"
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rule = da.Rule(suppressed_max=args.suppressed_max)
    store = args.store
    if store is None and (args.csv.parent.parent / "store").is_dir():
        store = args.csv.parent.parent / "store"
    truth = load_truth(store, args.registry) if store is not None else None
    res = da.run_all(
        args.csv,
        args.catalogue,
        rule,
        milp_too=not args.no_milp,
        workers=args.workers,
        time_limit=args.time_limit,
        log=lambda x: print(x, file=sys.stderr),
        keep=args.keep,
        retry_failed=args.retry_failed,
        start=None if truth is None else truth.atoms,
    )
    s = None
    if truth is not None:
        res.timings["truth (harness)"] = truth.seconds
        s = score(res, truth)
    variants = differencing_variants(res, s) if s is not None else []
    text = report(res, s, variants, args.csv, time.perf_counter() - t0, args.commit)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    # with the truth at hand, an attack whose range misses a true value is itself wrong, and
    # its "nothing found" cannot be trusted either
    unsound = sum(s.unsound.values()) + len(s.model_mismatches) if s is not None else 0
    failed = bool(res.narrowed()) or bool(res.milp and res.milp.failures) or unsound > 0
    if failed:
        print(
            f"FAILED: {len(res.narrowed())} counts narrowed below 3 values, "
            f"{len(res.milp.failures) if res.milp else 0} cells the integer program did not solve, "
            f"{unsound} problems with the attacker's own reading of the truth",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
