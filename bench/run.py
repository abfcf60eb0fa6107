"""National-scale benchmark: `make bench` (150 areas, 300 providers) or `make bench-small`.

Generates a synthetic national registry and pre-filled returns through the real templates, then
times each stage of the real commands (`kpi ingest`, `kpi compute`, `kpi build`) as the analyst
would run them, in subprocesses, with the peak memory of each process tree. Baselines are
measured in the same run on the same files, so the ratios hold whatever the machine:

* reading: pandas.read_excel(engine="openpyxl") (what an analyst would write by hand) and bare
  python-calamine (the parsing floor);
* site: bare `mkdocs build` of the very pages `kpi build` generated.

Prints a table and writes it, with the machine description, to bench/results/. Timings are
reported, never asserted: CI runs `make bench-small` only to keep this script working.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.base.inputs import config_elsewhere  # noqa: E402
from generator.catalogue.load import load_catalogue  # noqa: E402
from generator.catalogue.registry import load_registry  # noqa: E402
from generator.intake.reader import read_return  # noqa: E402

KPI = [sys.executable, "-m", "generator"]
ROUND_PERIOD = "2025-26 Q1"  # the quarter whose pre-filled round step 1a makes


# -- measuring ---------------------------------------------------------------------------
class TreeMemory:
    """Peak resident memory of a process and all its children (pool workers included)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


BUILD_KINDS = ("dataset", "chart")  # what `kpi build` keeps in the cache (see generator/base/cache.py)


def forget_build(cache: Path) -> None:
    """A cold build: drop what the build cached, and keep what ingest cached (returns read, and
    their lines of values.csv), as an analyst's cache would hold them when the next return
    arrives."""
    with contextlib.closing(sqlite3.connect(cache)) as db, db:
        db.execute(f"DELETE FROM entries WHERE kind IN ({','.join('?' * len(BUILD_KINDS))})", BUILD_KINDS)


def run(cmd: Sequence[str], cwd: Path = ROOT) -> tuple[float, int]:
    """Wall seconds and peak tree memory (bytes) of one command; a failure stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    mem = TreeMemory(proc.pid)
    _, err = proc.communicate()
    peak = mem.stop()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # ingest exits 1 when any file is refused: checked below
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return seconds, peak


# -- the synthetic nation ----------------------------------------------------------------
def write_registry(path: Path, areas: int, providers: int) -> None:
    """``areas`` areas with ``providers`` providers each (plus a commissioner), all synthetic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["area_code", "area_name", "organisation_code", "organisation_name", "role", "synthetic"])
        for a in range(1, areas + 1):
            code, name = f"NA{a:03d}", f"Area {a:03d} (synthetic)"
            w.writerow([code, name, f"{code}-COM", f"{name} commissioners", "commissioner", "yes"])
            for p in range(1, providers + 1):
                w.writerow([code, name, f"{code}-P{p}", f"{name} provider {p}", "provider", "yes"])


def project_copy(dest: Path) -> Path:
    """mkdocs.yml and the hand-written pages, so the benchmark's site leaves the project's alone."""
    src = ROOT / "site_src"
    shutil.copytree(
        src,
        dest / "site_src",
        ignore=lambda d, names: [n for n in names if Path(d) == src and n in ("generated", "index.md")],
    )
    config = config_elsewhere((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest / "mkdocs.yml"


# -- reading baselines (run in the benchmark's own process, one file at a time) ----------
def _pandas(path: Path) -> None:
    import pandas as pd

    pd.read_excel(path, sheet_name=None, engine="openpyxl")


def _calamine(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def _ours(path: Path) -> None:
    read_return(path, _CAT, _REG)


_CAT = load_catalogue()
_REG = None


def _set_registry(path: str) -> None:
    global _REG
    _REG = load_registry(Path(path))


def per_file(fn, files: Sequence[Path]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for f in files:
        fn(f)
    return (time.perf_counter() - start) / len(files)


def calamine_floor(files: Sequence[Path], jobs: int) -> float:
    """Bare calamine over every file, on as many processes as ingest uses: the parsing floor."""
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_calamine, files, chunksize=16))
    return time.perf_counter() - start


# -- the run -------------------------------------------------------------------------------
def machine() -> dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="2 areas x 1 provider, 4 quarters: a quick check")
    ap.add_argument("--quarters", type=int, default=8, help="quarters of returns (default 8)")
    ap.add_argument("--areas", type=int, default=150)
    ap.add_argument("--providers", type=int, default=2, help="providers per area (default 2)")
    ap.add_argument("--sample", type=int, default=60, help="files for the per-file reading baselines")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args(argv)
    if args.small:
        args.areas, args.providers, args.quarters, args.sample = 2, 1, 4, 10
    label = "small" if args.small else f"national-{args.areas}x{args.providers}"
    work = ROOT / "build" / "bench" / label
    # The last run's files (some 50,000 at national scale) are set aside now and deleted when
    # this run has measured everything. Deleted first, they slowed what came next: on these
    # machines (ext4 without a journal, whose allocator steps over recently freed inodes),
    # creating files in the minutes after a mass deletion took up to six times the kernel time,
    # which measured the benchmark's own clearing up, not ingest.
    previous = work.with_name(f"{label}.previous")
    if previous.exists():  # left by a run that was stopped
        shutil.rmtree(previous)
    if work.exists():
        work.rename(previous)
    work.mkdir(parents=True)
    registry = work / "registry.csv"
    write_registry(registry, args.areas, args.providers)
    _set_registry(str(registry))
    reg = ["--registry", str(registry)]
    jobs = ["--jobs", str(args.jobs)]
    cache = work / "cache.sqlite"
    results: dict[str, dict[str, float]] = {}

    def step(name: str, cmd: Sequence[str]) -> None:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        seconds, peak = run(cmd)
        results[name] = {"seconds": round(seconds, 2), "peak_mb": round(peak / 2**20)}
        print(f"    {seconds:.1f} s, peak {peak / 2**20:.0f} MB", file=sys.stderr, flush=True)

    print(
        f"Benchmark {label}: {args.areas} areas x {args.providers} providers, {args.quarters} quarters",
        file=sys.stderr,
    )
    # 1. pre-filled workbooks for every organisation: a quarter's round as an analyst sends it
    # out (identity filled in), then every return of the benchmark (the same templates, filled
    # in with synthetic answers by the demo)
    step(
        "1a templates: a quarter's round, pre-filled, every organisation",
        [
            *KPI,
            "templates",
            *reg,
            *jobs,
            "--every-organisation",
            "--period",
            ROUND_PERIOD,
            "--out",
            str(work / "round"),
        ],
    )
    round_made = len(list((work / "round").rglob("*.xlsx")))
    if not round_made:
        raise SystemExit(f"kpi templates --every-organisation wrote nothing to {work / 'round'}")
    step(
        "1b templates: every return, pre-filled and answered (demo)",
        [*KPI, "demo-returns", *reg, "--quarters", str(args.quarters), "--out", str(work / "returns")],
    )
    files = sorted((work / "returns").rglob("*.xlsx"))
    # one return is held back: it "arrives" after the full build (step 7)
    newest = max(files, key=lambda p: (p.parent.name, p.name))
    held = work / "held" / newest.name
    held.parent.mkdir()
    newest.rename(held)
    files.remove(newest)
    # 2. validate + ingest everything (cold cache)
    store, dataset, site = work / "store", work / "dataset", work / "site"
    step(
        "2 validate + ingest (all returns)",
        [*KPI, "ingest", *reg, *jobs, "--cache", str(cache), "--store", str(store), str(work / "returns")],
    )
    stored = len(list(store.glob("*/*/*/*.json")))
    if stored != len(files):
        raise SystemExit(f"only {stored} of {len(files)} returns were stored: see {store}/ledger.csv")
    # 2b. the same reading and checking with nothing stored (no cache): what storing adds
    step(
        "2b validate only (all returns, nothing stored)",
        [*KPI, "validate", *reg, *jobs, "--no-cache", str(work / "returns")],
    )
    # 3. the same reading by hand (pandas + openpyxl) and the parsing floor (bare calamine)
    print("  3 reading baselines ...", file=sys.stderr, flush=True)
    sample = random.Random(1).sample(files, min(args.sample, len(files)))
    ours_1 = per_file(_ours, sample)
    pandas_1 = per_file(_pandas, sample)
    calamine_1 = per_file(_calamine, sample)
    floor = calamine_floor(files, args.jobs)
    # 4. compute alone (no cache)
    step(
        "4 compute (dataset, no cache)",
        [
            *KPI,
            "compute",
            *reg,
            *jobs,
            "--no-cache",
            "--store",
            str(store),
            "--out",
            str(work / "dataset-alone"),
        ],
    )
    # 5 + 6. the full site build from a cold cache, with its stages
    config = project_copy(work / "project")
    timings = work / "timings-full.json"
    forget_build(cache)  # cold: nothing computed or drawn before (what ingest keeps stays)
    build = [
        *KPI,
        "build",
        *reg,
        *jobs,
        "--cache",
        str(cache),
        "--config",
        str(config),
        "--store",
        str(store),
        "--dataset",
        str(dataset),
        "--site",
        str(site),
    ]
    step("6 kpi build (full, cold cache)", [*build, "--timings", str(timings)])
    stages_full = json.loads(timings.read_text())
    step(
        "6 bare mkdocs build (same pages)",
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(work / "site-bare"),
        ],
    )
    # 7. one new return arrives: ingest it, rebuild (warm cache)
    step(
        "7a ingest one new return",
        [*KPI, "ingest", *reg, *jobs, "--cache", str(cache), "--store", str(store), str(held)],
    )
    step("7b kpi build (incremental)", [*build, "--timings", str(work / "timings-incremental.json")])
    stages_inc = json.loads((work / "timings-incremental.json").read_text())
    # 8. nothing new (a guidance page edited, say): what every rebuild costs whatever changed
    step("8 kpi build (nothing new)", [*build, "--timings", str(work / "timings-nothing-new.json")])
    stages_none = json.loads((work / "timings-nothing-new.json").read_text())

    n = len(files)
    ingest = results["2 validate + ingest (all returns)"]["seconds"]
    full = results["6 kpi build (full, cold cache)"]["seconds"]
    bare = results["6 bare mkdocs build (same pages)"]["seconds"]
    incremental = (
        results["7a ingest one new return"]["seconds"] + results["7b kpi build (incremental)"]["seconds"]
    )
    pandas_total = pandas_1 * n
    peak = max(r["peak_mb"] for k, r in results.items() if not k.startswith("1"))
    national = ingest + full
    ratios = {
        "ingest speed-up over pandas+openpyxl (whole run; pandas one file at a time, as by hand)": (
            pandas_total / ingest,
            ">= 15",
            pandas_total / ingest >= 15,
        ),
        "ingest time over the bare-calamine floor (same files, same processes)": (
            ingest / floor,
            "<= 1.5",
            ingest / floor <= 1.5,
        ),
        "incremental (ingest 1 + build) over full build": (
            incremental / full,
            "<= 0.15",
            incremental / full <= 0.15,
        ),
        "full kpi build over bare mkdocs build": (full / bare, "<= 3", full / bare <= 3),
        "peak memory, MB (any step after generation)": (peak, "< 2048", peak < 2048),
        "full run, ingest to built site, seconds": (national, "< 180", national < 180),
    }
    # not targets: what bounds them, measured in this run
    validate = results["2b validate only (all returns, nothing stored)"]["seconds"]
    context = {
        "validate only (every check, nothing stored) over the bare-calamine floor": validate / floor,
        "storing's share of ingest: (ingest - validate only) / ingest": (ingest - validate) / ingest,
        "bare mkdocs over full build: the least an incremental build that runs MkDocs in full can be": (
            bare / full
        ),
    }
    lines = [
        f"## Benchmark: {label} ({dt.date.today().isoformat()})",
        "",
        f"{args.areas} areas, {args.areas * args.providers} providers, "
        f"{args.quarters} quarters (and their years) of all seven sections: "
        f"**{n + 1} returns** ({n} ingested at once, then 1 more). {args.jobs} processes.",
        "",
        "| Step | Seconds | Peak memory (MB) |",
        "|---|---:|---:|",
        *(f"| {k} | {v['seconds']:.1f} | {v['peak_mb']} |" for k, v in results.items()),
        "",
        f"Step 1a made {round_made} workbooks ({ROUND_PERIOD}); step 1b made {n + 1}.",
        "",
        "Stages of the full build (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages_full.items()),
        "",
        "Stages of the incremental build (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages_inc.items()),
        "",
        "Stages of the build with nothing new (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in stages_none.items()),
        "",
        f"Reading one file, single process, {len(sample)}-file sample (ms): ours {ours_1 * 1000:.1f}, "
        f"pandas+openpyxl {pandas_1 * 1000:.1f}, bare calamine {calamine_1 * 1000:.1f}. "
        f"Bare calamine over all {n} files on {args.jobs} processes: {floor:.1f} s. "
        f"pandas over all files (estimated from the sample): {pandas_total:.0f} s.",
        "",
        "| Ratio | Value | Target | Holds |",
        "|---|---:|---|---|",
        *(f"| {k} | {v:.2f} | {t} | {'yes' if ok else '**no**'} |" for k, (v, t, ok) in ratios.items()),
        "",
        "Not targets, but what bounds them (same run):",
        "",
        "| Bound | Value |",
        "|---|---:|",
        *(f"| {k} | {v:.2f} |" for k, v in context.items()),
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{label}.md").write_text(text, encoding="utf-8")
    (out / f"{label}.json").write_text(
        json.dumps(
            {
                "label": label,
                "returns": n + 1,
                "steps": results,
                "stages_full": stages_full,
                "stages_incremental": stages_inc,
                "stages_nothing_new": stages_none,
                "reading_ms": {
                    "ours": ours_1 * 1000,
                    "pandas_openpyxl": pandas_1 * 1000,
                    "calamine": calamine_1 * 1000,
                },
                "ratios": {k: {"value": v, "target": t, "holds": ok} for k, (v, t, ok) in ratios.items()},
                "bounds": context,
                "machine": machine(),
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"Written to {out / (label + '.md')}", file=sys.stderr)
    shutil.rmtree(previous, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
