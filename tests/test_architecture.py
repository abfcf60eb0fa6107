"""The shape of the package, measured: stages in pipeline order, no import cycles, small modules.

The folders of ``generator/`` are the pipeline's stages; a module may import its own stage and
earlier ones, never a later one: the demo and the command line are the last two stages.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import generator
from generator.base.imports import imported_names

PACKAGE = Path(generator.__file__).parent
# the pipeline, in order: what each stage may build on is everything before it
STAGES = [
    "base",
    "catalogue",
    "workbook",
    "intake",
    "store",
    "calc",
    "publish",
    "charts",
    "site",
    "demo",  # the whole job on synthetic returns
    "cli",  # the `kpi` command: parses, calls the library, prints
]
TOP = {"generator", "generator.__main__"}
MAX_LINES = 400
# modules still over MAX_LINES, with the most lines each may have until it is split (issue 21):
# a ratchet, lowered as they shrink and emptied when the split is done
OVERSIZED: dict[str, int] = {}
# modules whose tests are still in files by topic, until each gets its own file (issue 21, item
# 10): a ratchet, now empty; a new module comes with its own test file
WITHOUT_MIRROR: set[str] = set()


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "project"):  # the packaged inputs: data, not code
            continue
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = path
    return out


def imports(path: Path, known: set[str], runtime_only: bool) -> set[str]:
    """The package's modules a module imports, in any form and anywhere in it (a function's
    import included); ``runtime_only`` leaves out imports made for type checking alone. A parent
    package counts only where it is named (``from generator.cli import main``)."""
    name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    found = imported_names(
        path.read_bytes(), name, package=path.name == "__init__.py", runtime_only=runtime_only, parents=False
    )
    return {m for m in found if m in known}


def stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_every_folder_is_a_stage_and_every_module_has_one() -> None:
    """The folders are the stages named above, in pipeline order, and nothing sits loose in
    the package but its version and `python -m generator`."""
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(STAGES)
    loose = {m for m in modules() if stage(m) is None}
    assert loose == TOP


def test_no_module_imports_a_later_stage() -> None:
    known = set(modules())
    wrong = []
    for name, path in sorted(modules().items()):
        here = stage(name)
        if here is None:
            continue
        for dep in imports(path, known, runtime_only=False):
            there = stage(dep)
            if dep == "generator.__main__" or (there is not None and there > here):
                wrong.append(f"{name} imports {dep}")
    assert wrong == []


def test_no_import_cycles() -> None:
    """Modules import each other in one direction only, lazy imports included (imports for
    type checking alone are left out: they run only under the type checker)."""
    known = set(modules())
    graph = {name: imports(path, known, runtime_only=True) - {name} for name, path in modules().items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*path[path.index(dep) :], dep]))
            elif dep not in state:
                walk(dep, [*path, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert cycles == []


def test_modules_stay_small() -> None:
    """No module over MAX_LINES lines, except those still waiting to be split, which may not
    grow; each listed size is the module's size today (lowered as it shrinks, so the ratchet
    holds), and one that is under the limit must leave the list."""
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    too_big = {m: n for m, n in sizes.items() if n > MAX_LINES and m not in OVERSIZED}
    moved = {m: (sizes.get(m), most) for m, most in OVERSIZED.items() if sizes.get(m, 0) != most}
    listed_but_small = [m for m in OVERSIZED if sizes.get(m, 0) <= MAX_LINES]
    assert too_big == {}
    assert moved == {}, "(lines now, lines listed): set OVERSIZED to the lines now"
    assert listed_but_small == []


def test_the_checks_above_can_fail() -> None:
    """The stage rule, the cycle search and the size count see what they are meant to see."""
    known = set(modules())
    markup = imports(modules()["generator.site.markup"], known, runtime_only=False)
    assert "generator.calc.verdicts" in markup  # an earlier stage, found
    assert stage("generator.site.markup") > stage("generator.calc.verdicts")  # type: ignore[operator]
    disclosure = modules()["generator.calc.disclosure"]
    assert "generator.calc.pooling" in imports(disclosure, known, runtime_only=False)
    assert "generator.calc.pooling" not in imports(disclosure, known, runtime_only=True)
    mirrors = mirror_files(modules())
    assert mirrors["generator.calc.stats"] == {"test_calc_stats.py", "test_stats.py"}
    assert mirrors["generator.store.files"] == {"test_store_files.py"}  # three modules are "files"
    assert "generator.calc.columns" not in mirrors  # no logic: constants only


def mirror_files(mods: dict[str, Path]) -> dict[str, set[str]]:
    """The test files that may mirror each module with logic (a ``def`` or ``class``):
    ``test_<stage>_<name>.py`` always, ``test_<name>.py`` where no other module has that name."""
    names = Counter(m.rsplit(".", 1)[-1] for m in mods)
    out = {}
    for m, path in mods.items():
        parts = m.split(".")
        if len(parts) < 3 or not re.search(r"^(def|class) ", path.read_text(encoding="utf-8"), re.M):
            continue
        stage_name, name = parts[1], parts[-1]
        out[m] = {f"test_{stage_name}_{name}.py"} | ({f"test_{name}.py"} if names[name] == 1 else set())
    return out


def test_tests_mirror_modules() -> None:
    """Each module with logic has a test file named after it (CONTRIBUTING.md). Modules whose
    tests still sit in a file by topic are listed in WITHOUT_MIRROR, which may only shrink: a new
    module comes with its own test file, and one that gets its file leaves the list."""
    have = {p.name for p in (PACKAGE.parent / "tests").glob("test_*.py")}
    missing = {m for m, files in mirror_files(modules()).items() if not files & have}
    assert missing - WITHOUT_MIRROR == set(), "a module without its test file"
    assert WITHOUT_MIRROR - missing == set(), "has its test file now: take it off WITHOUT_MIRROR"
