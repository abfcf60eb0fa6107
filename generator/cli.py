"""The ``kpi`` command: parses arguments and calls the library; nothing else lives here.

Exit codes: 0 success, 1 invalid input (a bad catalogue, stale templates, an unknown
organisation), 2 usage error. Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .catalogue import DEFAULT_CATALOGUE_DIR, CatalogueError, Section, load_catalogue
from .layout import periods
from .templates import Identity, render_template, template_filename, write_templates

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates_xlsx"
ORGANISATIONS_CSV = ROOT / "data" / "organisations.csv"


class UsageError(Exception):
    """Bad arguments: exit 2."""


class InputError(Exception):
    """Bad input data: exit 1."""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


def _rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def load_organisations(path: Path = ORGANISATIONS_CSV) -> dict[str, dict[str, str]]:
    """The registry of areas and organisations, keyed by organisation code."""
    with path.open(newline="", encoding="utf-8") as f:
        return {row["organisation_code"]: row for row in csv.DictReader(f)}


def resolve_identity(
    section_letters: list[str],
    area: str,
    organisation: str,
    period: str,
    catalogue_sections: dict[str, Section],
    orgs: dict[str, dict[str, str]],
) -> Identity:
    """Check a pre-fill request against the registry and the sections' periods."""
    org = orgs.get(organisation)
    if org is None:
        known = ", ".join(sorted(orgs)[:6])
        raise InputError(
            f"unknown organisation code {organisation!r} (not in {_rel(ORGANISATIONS_CSV)}); "
            f"known codes include {known}"
        )
    if org["area_code"] != area:
        raise InputError(
            f"organisation {organisation} belongs to area {org['area_code']} ({org['area_name']}), "
            f"not {area!r}"
        )
    for letter in section_letters:
        sec = catalogue_sections[letter]
        wanted = "commissioner" if sec.completed_by == "commissioner" else "provider"
        if org["role"] != wanted:
            raise InputError(
                f"section {letter} ({sec.title}) is completed by a {wanted}, "
                f"but {organisation} is a {org['role']}; choose the sections with --section"
            )
        if period not in periods(sec.frequency):
            example = periods(sec.frequency)[8]
            raise InputError(
                f"period {period!r} is not a {sec.frequency} period for section {letter}; "
                f"expected a period like {example!r}"
            )
    return Identity(org["area_code"], org["area_name"], organisation, org["organisation_name"], period)


# -- commands ------------------------------------------------------------------------------
def cmd_templates(args: argparse.Namespace) -> int:
    """Generate the Excel collection templates, one workbook per KPI section.

    Blank templates go to templates_xlsx/ (committed). With --area, --provider and --period,
    the identity cells are pre-filled for one organisation and the files go to build/prefilled/.

    Examples:
      kpi templates
      kpi templates --check
      kpi templates --section B --area PS04 --provider PS04-EMP --period "2025-26 Q1"
    """
    catalogue = load_catalogue(args.catalogue)
    letters = [s.upper() for s in args.section] if args.section else list(catalogue.sections)
    for s in letters:
        if s not in catalogue.sections:
            raise UsageError(f"no section {s!r}; sections are {', '.join(catalogue.sections)}")
    prefill = [args.area, args.provider, args.period]
    if any(prefill) and not all(prefill):
        raise UsageError("pre-filling needs all three of --area, --provider and --period")
    identity = None
    if all(prefill):
        identity = resolve_identity(
            letters, args.area, args.provider, args.period, catalogue.sections, load_organisations()
        )
    out = Path(args.out) if args.out else (ROOT / "build" / "prefilled" if identity else TEMPLATES_DIR)

    if args.check:
        stale = []
        for letter in letters:
            sec = catalogue.sections[letter]
            path = out / template_filename(sec, identity)
            if not path.exists() or path.read_bytes() != render_template(sec, catalogue, identity):
                stale.append(path)
        expected = {template_filename(catalogue.sections[s]) for s in letters}
        extra = sorted(p for p in out.glob("*.xlsx") if p.name not in expected) if not identity else []
        for p in stale:
            _say(f"stale or missing: {_rel(p)}")
        for p in extra:
            _say(f"not made from the catalogue: {_rel(p)}")
        if stale or extra:
            _say("run `kpi templates` and commit the result")
            return 1
        _say(f"{len(letters)} templates in {_rel(out)} match the catalogue")
        return 0

    paths = write_templates(catalogue, out, letters, identity)
    for p in paths:
        print(_rel(p))
    _say(f"wrote {len(paths)} workbook(s) to {_rel(out)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the main job end to end on the demo data and say where the results are.

    For now the main job is generating the collection templates; later steps (demo returns,
    ingest, compute, site) join it as they are built.

    Example:
      kpi demo
    """
    catalogue = load_catalogue(args.catalogue)
    paths = write_templates(catalogue, TEMPLATES_DIR)
    n_items = len(catalogue.item_index)
    _say(
        f"Catalogue: {len(catalogue.sections)} sections, {n_items} items, "
        f"{sum(len(s.derived) for s in catalogue.sections.values())} derived indicators."
    )
    _say("Collection templates (open them in Excel, LibreOffice Calc or Google Sheets):")
    for p in paths:
        sec = next(s for s in catalogue.sections.values() if p.name == template_filename(s))
        _say(f"  {_rel(p)}  - Section {sec.section}: {sec.title} ({sec.frequency}, {sec.completed_by})")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "templates": cmd_templates,
    "demo": cmd_demo,
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kpi",
        description="Employment support KPIs: collection templates, returns, indicators and site.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"kpi {__version__}")
    p.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE_DIR), help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, fn in COMMANDS.items():
        doc = inspect.cleandoc(fn.__doc__ or "")
        sp = sub.add_parser(
            name,
            help=doc.splitlines()[0],
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name == "templates":
            sp.add_argument(
                "--section",
                action="append",
                metavar="LETTER",
                help="only this section (repeatable), e.g. --section B",
            )
            sp.add_argument("--out", metavar="DIR", help="output folder")
            sp.add_argument(
                "--check",
                action="store_true",
                help="exit 1 if the files in the output folder differ from the catalogue",
            )
            sp.add_argument("--area", metavar="CODE", help="area code to pre-fill, e.g. PS04")
            sp.add_argument(
                "--provider",
                "--organisation",
                dest="provider",
                metavar="CODE",
                help="organisation code to pre-fill (the commissioner for sections A and G)",
            )
            sp.add_argument(
                "--period", metavar="PERIOD", help='reporting period, e.g. "2025-26 Q1" or "2025-26"'
            )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors, 0 on --help
        return int(e.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
        _say(f"kpi {args.command}: {e}")
        return 2
    except (InputError, CatalogueError) as e:
        _say(f"kpi {args.command}: {e}")
        return 1
