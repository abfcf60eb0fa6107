"""`kpi compute` at national scale, this checkout against an older commit, in one run.

`make bench-compare` (or `python bench/compare_compute.py --old REF`). Makes the national
benchmark's synthetic returns (150 areas, 2 providers each, 8 quarters), ingests them once with
this checkout, then times `kpi compute --no-cache` on that one store with the old commit (checked
out with `git worktree` under build/) and with this checkout, alternately, and reports the median
of each and their ratio. Both run on the same machine in the same minutes, so the ratio holds
whatever the machine. The old commit reads its own catalogue; the store is what both share.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import machine, run, write_registry  # noqa: E402

BEFORE_ISSUE_17 = "c08d34f"  # the last commit with the old disclosure rule


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def worktree(ref: str, where: Path) -> Path:
    """The old commit's files, checked out once and kept (build/ is not in git)."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    if (where / ".git").exists() and git("-C", str(where), "rev-parse", "HEAD") == commit:
        return where
    if where.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False)
        shutil.rmtree(where, ignore_errors=True)
    git("worktree", "prune")
    git("worktree", "add", "--detach", str(where), commit)
    return where


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--old", default=BEFORE_ISSUE_17, help=f"the commit to compare with (default {BEFORE_ISSUE_17})"
    )
    ap.add_argument("--areas", type=int, default=150)
    ap.add_argument("--providers", type=int, default=2)
    ap.add_argument("--quarters", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (default 3); the median is reported")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args(argv)
    label = f"compute-{args.areas}x{args.providers}"
    work = ROOT / "build" / "bench" / label
    old_tree = worktree(args.old, ROOT / "build" / "bench" / "old-commit")
    registry, store = work / "registry.csv", work / "store"
    if not store.exists():  # the returns and their store are made once and kept between runs
        shutil.rmtree(work, ignore_errors=True)
        write_registry(registry, args.areas, args.providers)
        reg = ["--registry", str(registry)]
        print("  making and ingesting the returns ...", file=sys.stderr, flush=True)
        new = [sys.executable, "-m", "generator"]
        run([*new, "demo-returns", *reg, "--quarters", str(args.quarters), "--out", str(work / "returns")])
        run(
            [
                *new,
                "ingest",
                *reg,
                "--jobs",
                str(args.jobs),
                "--no-cache",
                "--store",
                str(store),
                str(work / "returns"),
            ]
        )
    commands = {
        "old": (old_tree, args.old),
        "new": (
            ROOT,
            git("rev-parse", "--short", "HEAD") + (" + changes" if git("status", "--porcelain") else ""),
        ),
    }
    seconds: dict[str, list[float]] = {k: [] for k in commands}
    for i in range(args.repeat):
        for name, (tree, _) in commands.items():
            cmd = [
                sys.executable,
                "-m",
                "generator",
                "compute",
                "--registry",
                str(registry),
                "--jobs",
                str(args.jobs),
                "--no-cache",
                "--store",
                str(store),
                "--out",
                str(work / f"dataset-{name}"),
            ]
            s, _ = run(
                cmd, cwd=tree
            )  # python -m generator from the tree's folder imports that tree's package
            seconds[name].append(s)
            print(f"  {name} run {i + 1}: {s:.1f} s", file=sys.stderr, flush=True)
    median = {k: statistics.median(v) for k, v in seconds.items()}
    ratio = median["new"] / median["old"]
    lines = [
        f"## kpi compute, {args.areas} areas x {args.providers} providers, {args.quarters} quarters "
        f"({dt.date.today().isoformat()})",
        "",
        f"Same store, same machine, alternating runs, `--no-cache`, {args.jobs} processes; "
        f"median of {args.repeat}.",
        "",
        "| Commit | Runs (s) | Median (s) |",
        "|---|---|---:|",
        *(
            f"| {name}: {desc} | {', '.join(f'{s:.1f}' for s in seconds[name])} | {median[name]:.1f} |"
            for name, (_, desc) in commands.items()
        ),
        "",
        f"New over old: **{ratio:.2f}** (target: at most 1.15).",
        "",
        f"Machine: {machine()}",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{label}-vs-old.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
