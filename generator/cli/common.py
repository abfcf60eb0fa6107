"""What every command shares: its errors, how it prints results and problems, and the
options that name the same things.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from generator.base import paths
from generator.base.cache import NO_CACHE, Cache
from generator.base.names import printable
from generator.base.paths import from_here
from generator.catalogue.sections import Catalogue
from generator.intake.comments import approvable_items
from generator.intake.problems import Problem
from generator.intake.reader import ReadResult
from generator.store.returns import IngestOutcome, Store


class UsageError(Exception):
    """Bad arguments: exit 2."""


class InputError(Exception):
    """Bad input data: exit 1."""


def say(msg: str) -> None:
    print(msg, file=sys.stderr)


def print_result(r: ReadResult, head: str, approvable: frozenset[str] = frozenset()) -> None:
    status = "valid" if r.valid else "NOT VALID"
    what = f"Section {printable(r.section)} v{printable(r.version)}" if r.section else "unidentified file"
    # codes, answers and messages quote what a return holds: escaped, so that no control
    # character or escape sequence in it reaches the terminal (one could clear the screen or
    # print a fake "all files valid")
    who = " ".join(printable(r.identity.get(k, "")) for k in ("organisation_code", "period")).strip()
    counts = f"{len(r.errors)} error(s), {len(r.warnings)} warning(s)"
    print(f"{r.file}: {head or status} - {what}{(' - ' + who) if who else ''} - {counts}")
    for p in r.problems:
        print(problem_line(p))
    for item_id, text in caveats(r, approvable):
        print(f"  comment {item_id} (not published unless approved: kpi comments)")
        print(f"          {printable(text)}")


def caveats(r: ReadResult, approvable: frozenset[str]) -> list[tuple[str, str]]:
    """The free-text caveats a return holds, for the analyst to read."""
    return [(k, v) for k, v in r.values.items() if k in approvable and isinstance(v, str) and v.strip()]


def approvable_ids(catalogue: Catalogue) -> frozenset[str]:
    return frozenset(approvable_items(catalogue))


def existing_store(path: str) -> Store:
    """The store at ``path`` for a command that only reads one: a folder of returns is not a
    store (it has no ledger), and is refused rather than read as an empty one."""
    store = Store(path)
    if not store.ledger.is_file():
        raise UsageError(f"no returns store at {from_here(store.root)} (a store has a ledger.csv)")
    return store


def problem_line(p: Problem) -> str:
    where = printable(p.where or "(file)")
    lines = [f"  {p.severity:<7} {where:<22} {p.code}"]
    lines.append(f"          {printable(p.message)}")
    if p.found or p.expected:
        found, expected = printable(p.found or "(nothing)"), printable(p.expected or "-")
        lines.append(f"          found: {found}; expected: {expected}")
    return "\n".join(lines)


T = TypeVar("T")
LIST_EVERY_FILE_UP_TO = 50  # beyond this, only the files that need a look are listed


def listed(items: Sequence[T], needs_a_look: Callable[[T], bool], verbose: bool) -> tuple[list[T], int]:
    """The items to print, and how many were left out: all of them for a small batch or with
    --verbose; for a national inbox of thousands, only those someone must act on (a line per
    clean file would bury the few that matter)."""
    if verbose or len(items) <= LIST_EVERY_FILE_UP_TO:
        return list(items), 0
    shown = [i for i in items if needs_a_look(i)]
    return shown, len(items) - len(shown)


def print_outcome(o: IngestOutcome) -> None:
    print_result(o.result, o.status.upper())
    if o.message:
        print(f"  -> {printable(o.message)}")


def expand(items: Sequence[str]) -> list[Path]:
    """Files as given; a folder stands for every .xlsx and .ods under it, in name order."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in (".xlsx", ".ods") and f.is_file())
        else:
            out.append(p)
    return out


def command_name() -> str:
    """The command as it was run (``.venv/bin/kpi``, ``kpi`` or ``python -m generator``), so that
    a hint printed for the user works from where they stand."""
    return sys.argv[0] if Path(sys.argv[0]).name == "kpi" else f"{Path(sys.executable).name} -m generator"


def serve_command(site: Path) -> str:
    """How to serve ``site`` from here, with ``--site`` unless it is the default."""
    there = "" if site.resolve() == paths.SITE.resolve() else f" --site {shlex.quote(from_here(site))}"
    return f"{command_name()} serve{there}"


def inputs_of(args: argparse.Namespace) -> dict[str, Path]:
    """The catalogue and registry a command reads: a site folder must keep clear of them."""
    return {"the catalogue": Path(args.catalogue), "the registry": Path(args.registry)}


def cache_of(args: argparse.Namespace) -> Cache:
    return NO_CACHE if args.no_cache else Cache(Path(args.cache))


def received_date(text: str | None) -> dt.date | None:
    """``--received``: the day the files arrived, not after today."""
    if text is None:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
            raise ValueError(text)
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--received {text!r} is not a date: give it as YYYY-MM-DD") from None
    if day > dt.date.today():
        raise UsageError(f"--received {day.isoformat()} is after today: give the day the files arrived")
    return day
