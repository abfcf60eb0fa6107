"""Are this checkout's outputs the same as an older commit's? The check a refactoring must pass.

`make same-outputs` (or `python bench/same_outputs.py --old REF`). Runs `kpi demo` twice, each
in an empty folder of its own: once with the old commit (checked out with `git worktree` under
build/, on PYTHONPATH) and once with this checkout, then compares what a user receives. The
templates, the filled returns, the dataset (CSV, xlsx, data quality) and the site, every chart
included, must be byte-identical; HTML is compared after collapsing whitespace (a page may move
a table from a hook into its Markdown, which changes spacing but not what a reader sees). The
search index is left out: it holds the pages' text as MkDocs extracted it, spacing included.
Exits 1 and lists what differs, if anything does.
"""

from __future__ import annotations

import argparse
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

BEFORE_ISSUE_21 = "cd7946a"  # the last commit before the redesign of issue 21 moved any module
# what a user receives: templates, filled returns, the dataset and the site; the store and the
# site project hold times and absolute paths of the run, so they differ whatever the code
COMPARED = ("templates_xlsx/", "build/demo/returns/", "build/demo/dataset/", "site/")
SKIPPED = {"site/search/search_index.json", "site/.kpi-site"}  # spacing; a build's own marker
_SPACE = re.compile(rb"\s+")
_BETWEEN_TAGS = re.compile(rb">\s+<")


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (HTML after collapsing whitespace), by relative path."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in SKIPPED or not rel.startswith(COMPARED):
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            data = _BETWEEN_TAGS.sub(b"><", _SPACE.sub(b" ", data)).strip()
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


def demo(python: Path, code: Path | None, where: Path) -> dict[str, str]:
    """Run the demo in ``where`` with ``code`` first on the path (None: as installed)."""
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
    with (where / "log.txt").open("w") as log:
        subprocess.run(
            [str(python), "-m", "generator", "demo", "-j", "1", "--no-cache"],
            cwd=where,
            env=env,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return fingerprint(where)


def differences(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = [f"only in the old commit's output: {k}" for k in sorted(old.keys() - new.keys())]
    lines += [f"only in this checkout's output: {k}" for k in sorted(new.keys() - old.keys())]
    lines += [f"differs: {k}" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--old", default=BEFORE_ISSUE_21, help=f"the commit to compare with (default {BEFORE_ISSUE_21})"
    )
    args = ap.parse_args(argv)
    python = Path(sys.executable)
    old_tree = worktree(args.old, ROOT / "build" / "bench" / "same-outputs-old")
    with tempfile.TemporaryDirectory(prefix="kpi-same-") as tmp:
        a, b = Path(tmp, "old"), Path(tmp, "new")
        a.mkdir()
        b.mkdir()
        old = demo(python, old_tree, a)
        new = demo(python, ROOT, b)
    found = differences(old, new)
    print(f"demo outputs: {len(old)} files from {args.old}, {len(new)} from this checkout")
    for line in found:
        print("  " + line)
    print("the same" if not found else f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
