"""Are this checkout's outputs the same as an older commit's? The check a refactoring must pass.

`make same-outputs` (or `python bench/same_outputs.py --old REF`). Runs `kpi demo` in empty
folders: once with the old commit (checked out with `git worktree` under build/, on PYTHONPATH,
without the build cache), then twice with this checkout in one folder, the second time on the
cache the first one filled (a stale cache entry would show there). It compares what a user
receives: the templates, the filled returns, the dataset (CSV, xlsx, data quality) and the site,
every chart and the search index included, byte for byte. ``--html-spacing`` compares HTML after
collapsing whitespace and leaves the search index out, as issue 21's acceptance allows: moving
the tables from a hook into the pages changed spacing and what the index holds, not what a reader
sees. What the demo printed is shown as a
diff, for reading: a message may change on purpose. Exits 1 and lists what differs, if anything.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from compare_compute import worktree  # noqa: E402

# the outputs a refactoring must keep: those of the last commit that changed them on purpose
# (bf7e2ab: the EX08 page describes the change; before it, cd7946a, the last commit before
# issue 21's redesign moved any module, gave the same outputs but for that page)
BASELINE = "bf7e2ab"
# what a user receives: templates, filled returns, the dataset and the site; the store and the
# site project hold times and absolute paths of the run, so they differ whatever the code
COMPARED = ("templates_xlsx/", "build/demo/returns/", "build/demo/dataset/", "site/")
SKIPPED = {"site/.kpi-site"}  # a build's own marker: when and from where
SEARCH_INDEX = "site/search/search_index.json"
_SPACE = re.compile(rb"\s+")


def fingerprint(folder: Path, html_spacing: bool = False) -> dict[str, str]:
    """sha256 of every file a user receives under ``folder``, by relative path; ``html_spacing``:
    HTML after collapsing whitespace, and no search index."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in SKIPPED or not rel.startswith(COMPARED):
            continue
        data = path.read_bytes()
        if html_spacing and path.suffix == ".html":
            data = _SPACE.sub(b" ", data).strip()  # between tags too: a space there can show
        elif html_spacing and rel == SEARCH_INDEX:
            continue
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


def demo(python: Path, code: Path | None, where: Path, cache: bool) -> str:
    """Run the demo in ``where`` with ``code`` first on the path (None: as installed); returns
    what it printed, with the folder's own path replaced so that two runs compare."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
        found = subprocess.run(
            [str(python), "-c", "import generator; print(generator.__file__)"],
            env=env,
            cwd=where,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not Path(found).resolve().is_relative_to(code.resolve()):
            raise SystemExit(f"the generator imported is {found}, not the one in {code}")
    command = [str(python), "-m", "generator", "demo", "-j", "1", *([] if cache else ["--no-cache"])]
    done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True)
    printed = done.stdout + done.stderr
    (where / "log.txt").write_text(printed, encoding="utf-8")
    if done.returncode:
        raise SystemExit(f"kpi demo failed in {where} (rc {done.returncode}):\n{printed[-2000:]}")
    return printed.replace(str(where.resolve()), "<folder>").replace(str(where), "<folder>")


def differences(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = [f"only in the old commit's output: {k}" for k in sorted(old.keys() - new.keys())]
    lines += [f"only in this checkout's output: {k}" for k in sorted(new.keys() - old.keys())]
    lines += [f"differs: {k}" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", default=BASELINE, help=f"the commit to compare with (default {BASELINE})")
    ap.add_argument(
        "--html-spacing",
        action="store_true",
        help="compare HTML after collapsing whitespace, and leave the search index out",
    )
    args = ap.parse_args(argv)
    python = Path(sys.executable)
    old_tree = worktree(args.old, ROOT / "build" / "bench" / "same-outputs-old")
    with tempfile.TemporaryDirectory(prefix="kpi-same-") as tmp:
        a, b = Path(tmp, "old"), Path(tmp, "new")
        a.mkdir()
        b.mkdir()
        old_log = demo(python, old_tree, a, cache=False)
        old = fingerprint(a, args.html_spacing)
        new_log = demo(python, ROOT, b, cache=True)
        new = fingerprint(b, args.html_spacing)
        warm_log = demo(python, ROOT, b, cache=True)
        warm = fingerprint(b, args.html_spacing)
    found = differences(old, new)
    found += [f"on the warm cache: {line}" for line in differences(new, warm)]
    print(f"demo outputs: {len(old)} files from {args.old}, {len(new)} from this checkout (twice)")
    lines = old_log.splitlines(), new_log.splitlines()
    said = list(difflib.unified_diff(*lines, args.old, "this checkout", n=0, lineterm=""))
    if said:
        print("what the demo printed (for reading; not counted):")
        print("\n".join("  " + line for line in said))
    if warm_log != new_log:
        print("  (the warm-cache run printed differently from the cold one)")
    for line in found:
        print("  " + line)
    print("the same" if not found else f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
