"""The ``kpi`` command: parses arguments and calls the library; nothing else lives here.

Exit codes: 0 success, 1 invalid input (a bad catalogue, stale templates, an unknown
organisation), 2 usage error. Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import inspect
import io
import json
import re
import shlex
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from generator import __version__
from generator.base import inputs, paths
from generator.base.cache import DEFAULT_CACHE, NO_CACHE, Cache
from generator.base.inputs import ORGANISATIONS_CSV, PRESENTATION_YAML, QUESTIONS_YAML, find, site_project
from generator.base.names import printable, record_text
from generator.catalogue.model import Catalogue, CatalogueError, Section, load_catalogue
from generator.catalogue.registry import Registry, RegistryError, load_registry, role_for
from generator.demo import QUARTERS, approve_demo_comments, write_demo_returns
from generator.intake.comments import approvable_items
from generator.intake.history import across_returns_warnings, history_warnings
from generator.intake.problems import Problem
from generator.intake.reader import ReadResult
from generator.intake.readmany import read_many
from generator.intake.validation import stored_rule_warnings
from generator.publish.dataset import NoReturns, publish_store
from generator.site.folder import SiteFolderError, built_from, check_site_folder
from generator.store.returns import DEFAULT_STORE, IngestOutcome, Store, StoreIntegrityError
from generator.workbook.layout import example_period, period_bounds, periods
from generator.workbook.templates import Identity, render_template, template_filename, write_templates


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


def resolve_identity(
    section_letters: list[str],
    area: str,
    organisation: str,
    period: str,
    catalogue_sections: dict[str, Section],
    registry: Registry,
) -> Identity:
    """Check a pre-fill request against the registry and the sections' periods."""
    org = registry.organisations.get(organisation)
    if org is None:
        known = ", ".join(sorted(registry.organisations)[:6])
        raise InputError(
            f"unknown organisation code {organisation!r}: not in the registry (--registry)"
            + (f"; known codes include {known}" if known else "; it holds no organisation")
        )
    if org.area_code != area:
        raise InputError(
            f"organisation {organisation} belongs to area {org.area_code} ({org.area_name}), not {area!r}"
        )
    for letter in section_letters:
        sec = catalogue_sections[letter]
        wanted = role_for(sec.completed_by)
        if org.role != wanted:
            raise InputError(
                f"section {letter} ({sec.title}) is completed by a {wanted}, "
                f"but {organisation} is a {org.role}; choose the sections with --section"
            )
        if period not in periods(sec.frequency):
            example = example_period(sec.frequency)
            raise InputError(
                f"period {period!r} is not one of section {letter}'s {sec.frequency} periods; "
                f"expected a period like {example!r}"
            )
    return Identity(org.area_code, org.area_name, organisation, org.name, period)


# -- commands ------------------------------------------------------------------------------
def cmd_templates(args: argparse.Namespace) -> int:
    """Generate the Excel collection templates, one workbook per KPI section.

    Blank templates go to templates_xlsx/ (committed). With --area, --provider and --period,
    the identity cells are pre-filled for one organisation and the files go to build/prefilled/.
    With --every-organisation and --period, every organisation in the registry gets its own
    (the sections its role completes in that period), in a folder per organisation:
    build/prefilled/<area>/<organisation>/, ready to send.

    Examples:
      kpi templates
      kpi templates --check
      kpi templates --section B --area PS04 --provider PS04-EMP --period "2025-26 Q1"
      kpi templates --every-organisation --period "2025-26 Q1"     (sections B and E)
      kpi templates --every-organisation --period 2025-26          (the annual sections)
    """
    catalogue = load_catalogue(args.catalogue)
    letters = [s.upper() for s in args.section] if args.section else list(catalogue.sections)
    for s in letters:
        if s not in catalogue.sections:
            raise UsageError(f"no section {s!r}; sections are {', '.join(catalogue.sections)}")
    if args.every_organisation:
        return _prefill_all(args, catalogue, letters)
    prefill = [args.area, args.provider, args.period]
    if any(prefill) and not all(prefill):
        raise UsageError("pre-filling needs all three of --area, --provider and --period")
    identity = None
    if all(prefill):
        identity = resolve_identity(
            letters,
            args.area,
            args.provider,
            args.period,
            catalogue.sections,
            load_registry(Path(args.registry)),
        )
    out = Path(args.out) if args.out else (paths.PREFILLED if identity else paths.TEMPLATES)

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

    written = write_templates(catalogue, out, letters, identity)
    for p in written:
        print(_rel(p))
    _say(f"wrote {len(written)} workbook(s) to {_rel(out)}")
    return 0


def _prefill_all(args: argparse.Namespace, catalogue: Catalogue, letters: list[str]) -> int:
    """`kpi templates --every-organisation`: see :mod:`generator.workbook.prefill`."""
    from generator.workbook import prefill

    if args.area or args.provider or args.check:
        raise UsageError(
            "--every-organisation takes --period (and --section), not --area, --provider or --check"
        )
    if not args.period:
        raise UsageError('--every-organisation needs --period, e.g. --period "2025-26 Q1"')
    try:
        jobs = prefill.plan(catalogue, load_registry(Path(args.registry)), args.period, letters)
    except prefill.NothingToPrefill as e:
        raise InputError(str(e)) from None
    out = Path(args.out) if args.out else paths.PREFILLED
    written = prefill.write_prefilled(catalogue, jobs, out, args.jobs)
    orgs = len({job[1].organisation_code for job in jobs})
    sections = ", ".join(sorted({job[0] for job in jobs}))
    _say(
        f"wrote {len(written)} workbook(s) for {orgs} organisation(s), section(s) {sections}, "
        f"{args.period}, to {_rel(out)}/<area>/<organisation>/"
    )
    return 0


def _print_result(r: ReadResult, head: str, approvable: frozenset[str] = frozenset()) -> None:
    status = "valid" if r.valid else "NOT VALID"
    what = f"Section {printable(r.section)} v{printable(r.version)}" if r.section else "unidentified file"
    # codes, answers and messages quote what a return holds: escaped, so that no control
    # character or escape sequence in it reaches the terminal (one could clear the screen or
    # print a fake "all files valid")
    who = " ".join(printable(r.identity.get(k, "")) for k in ("organisation_code", "period")).strip()
    counts = f"{len(r.errors)} error(s), {len(r.warnings)} warning(s)"
    print(f"{r.file}: {head or status} - {what}{(' - ' + who) if who else ''} - {counts}")
    for p in r.problems:
        print(_problem_line(p))
    for item_id, text in _caveats(r, approvable):
        print(f"  comment {item_id} (not published unless approved: kpi comments)")
        print(f"          {printable(text)}")


def _caveats(r: ReadResult, approvable: frozenset[str]) -> list[tuple[str, str]]:
    """The free-text caveats a return holds, for the analyst to read."""
    return [(k, v) for k, v in r.values.items() if k in approvable and isinstance(v, str) and v.strip()]


def _approvable(catalogue: Catalogue) -> frozenset[str]:
    return frozenset(approvable_items(catalogue))


def _existing_store(path: str) -> Store:
    """The store at ``path`` for a command that only reads one: a folder of returns is not a
    store (it has no ledger), and is refused rather than read as an empty one."""
    store = Store(path)
    if not store.ledger.is_file():
        raise UsageError(f"no returns store at {_rel(store.root)} (a store has a ledger.csv)")
    return store


def _problem_line(p: Problem) -> str:
    where = printable(p.where or "(file)")
    lines = [f"  {p.severity:<7} {where:<22} {p.code}"]
    lines.append(f"          {printable(p.message)}")
    if p.found or p.expected:
        found, expected = printable(p.found or "(nothing)"), printable(p.expected or "-")
        lines.append(f"          found: {found}; expected: {expected}")
    return "\n".join(lines)


T = TypeVar("T")
LIST_EVERY_FILE_UP_TO = 50  # beyond this, only the files that need a look are listed


def _listed(items: Sequence[T], needs_a_look: Callable[[T], bool], verbose: bool) -> tuple[list[T], int]:
    """The items to print, and how many were left out: all of them for a small batch or with
    --verbose; for a national inbox of thousands, only those someone must act on (a line per
    clean file would bury the few that matter)."""
    if verbose or len(items) <= LIST_EVERY_FILE_UP_TO:
        return list(items), 0
    shown = [i for i in items if needs_a_look(i)]
    return shown, len(items) - len(shown)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check completed returns (.xlsx or .ods) cell by cell; nothing is stored.

    Every problem names the file, sheet, cell, indicator, what was found and what was expected.
    With more than 50 files, only those with errors or warnings are listed (--verbose: all).
    Exit status: 0 if every file is valid, 1 if any is not, 2 for a usage error.

    Examples:
      kpi validate return.xlsx
      kpi validate --json returns/*.xlsx
      kpi validate --section B intake-q1.xlsx
      kpi validate inbox/              (every .xlsx and .ods under the folder)
      kpi validate --store data/returns return.xlsx   (and against earlier returns)
    """
    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
    results = read_many(_expand(args.files), catalogue, registry, args.section, _cache(args), args.jobs)
    if args.store is not None:
        store = _existing_store(args.store)
        try:
            stored = store.current_returns()
        except StoreIntegrityError as e:  # the returns are still checked; the history is not
            _say(
                f"{printable(e.problems[0])} (and {len(e.problems) - 1} more)"
                if len(e.problems) > 1
                else printable(e.problems[0])
            )
            _say(
                f"the returns store {args.store} does not match what it recorded, so values were NOT "
                f"compared with earlier returns: run `kpi verify --store {args.store}` to see why"
            )
        else:
            history_warnings(results, stored, catalogue)
            across_returns_warnings(results, stored, catalogue)
            if not args.json:
                _say(f"compared with the earlier returns among {len(stored)} stored in {args.store}")
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        approvable = _approvable(catalogue)
        shown, left_out = _listed(
            results, lambda r: bool(r.problems or _caveats(r, approvable)), args.verbose
        )
        for r in shown:
            _print_result(r, "", approvable)
        if left_out:
            _say(
                f"{left_out} valid file(s) with no warnings or comments not listed "
                "(--verbose lists every file)"
            )
        bad = sum(not r.valid for r in results)
        _say(f"{len(results) - bad} of {len(results)} file(s) valid")
        if args.store is None:
            _say("no --store given: values were not compared with the organisations' earlier returns")
    return 0 if all(r.valid for r in results) else 1


def _print_outcome(o: IngestOutcome) -> None:
    _print_result(o.result, o.status.upper())
    if o.message:
        print(f"  -> {printable(o.message)}")


def cmd_ingest(args: argparse.Namespace) -> int:
    """Validate returns and store the valid ones; a rejected file changes nothing stored.

    Files are kept byte for byte under the store (default data/returns/), named by period, area,
    organisation and section; every attempt is a row in ledger.csv; values.csv is rebuilt.
    A second return for the same organisation, section and period is refused unless --replace
    (the replaced file is kept in history/). Re-ingesting an identical file does nothing.
    With more than 50 files, only those refused, rejected, replaced or with warnings are listed,
    then a count of each outcome (--verbose: every file; ledger.csv has them all).

    Examples:
      kpi ingest return.xlsx
      kpi ingest --replace corrected-return.xlsx
      kpi ingest --store /srv/kpi/returns returns/*.xlsx
      kpi ingest inbox/              (every .xlsx and .ods under the folder)
      kpi ingest --received 2026-01-29 return.xlsx   (it arrived then: judged on time or late by that)
    """
    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
    store = Store(args.store)
    try:
        outcomes = store.ingest_many(
            _expand(args.files),
            catalogue,
            registry,
            args.replace,
            args.section,
            _cache(args),
            args.jobs,
            sender=args.sender,
            received=_received(args.received),
        )
    except OSError as e:  # a full disk, a read-only or vanished folder: say what, and what was kept
        raise InputError(
            f"stopped by a file system error: {e}. Each return is stored whole or not at all; "
            f"{_rel(store.ledger)} records the attempts made before the error. Run the same command "
            "again once it is fixed: returns already stored are recognised as unchanged, and "
            "values.csv is brought up to date."
        ) from None
    if args.sender is not None and not any(o.senders for o in registry.organisations.values()):
        _say("note: --from checked nothing: the registry lists no senders (a 'senders' column)")
    for note in store.repairs:
        _say(f"{_rel(store.ledger)}: {note}")
    for o in outcomes:  # a return cannot arrive before its period has ended
        period = o.result.identity.get("period", "")
        ended = period_bounds(period)[1].isoformat() if o.due else ""
        if ended and o.received <= ended:
            _say(
                f"note: {printable(o.file)}: received {o.received}, before its period ended "
                f"({ended}); recorded as given: is --received right?"
            )
    if store.recovered:
        _say(
            f"recorded {len(store.recovered)} return(s) found in the store without a row in "
            f"{_rel(store.ledger)} (an earlier ingest stopped before recording them): status 'recovered'"
        )
    if not args.json:
        shown, left_out = _listed(
            outcomes,
            lambda o: o.status not in ("accepted", "unchanged") or bool(o.result.problems),
            args.verbose,
        )
        for o in shown:
            _print_outcome(o)
        if left_out:
            _say(
                f"{left_out} file(s) accepted or unchanged with no warnings not listed (--verbose lists "
                f"every file; {_rel(store.ledger)} has every attempt)"
            )
        counts = Counter(o.status for o in outcomes)
        _say("outcomes: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    approvable = _approvable(catalogue)
    noted = sum(
        o.status in ("accepted", "replaced") and bool(_caveats(o.result, approvable)) for o in outcomes
    )
    if noted:
        _say(
            f"{noted} return(s) stored with a comment, unpublished until approved: "
            f"{_kpi()} comments --store {shlex.quote(_rel(store.root))} --pending"
        )
    if args.json:
        print(
            json.dumps(
                [
                    {
                        **o.result.as_dict(),
                        "status": o.status,
                        "stored_as": o.stored_as,
                        "replaced": o.replaced,
                        "message": o.message,
                    }
                    for o in outcomes
                ],
                indent=2,
            )
        )
    n_ok = sum(o.ok for o in outcomes)
    _say(f"{n_ok} of {len(outcomes)} file(s) stored or already stored in {_rel(store.root)}")
    return 0 if n_ok == len(outcomes) else 1


def cmd_compute(args: argparse.Namespace) -> int:
    """Calculate every indicator from the stored returns and write the published dataset.

    Per provider, per area (pooled from the providers' numerators and denominators) and for all
    areas; per period and over rolling 12 months for quarterly sections; with intervals,
    comparisons, quartiles, trends and funnel limits; disclosure control applied before writing.
    Writes indicators.csv, data_quality.csv and dataset.xlsx (with a Notes sheet).

    Examples:
      kpi compute
      kpi compute --store build/demo/store --out build/demo/dataset
    """
    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
    try:
        pub = publish_store(Store(args.store), catalogue, registry, Path(args.out), _cache(args), args.jobs)
    except NoReturns as e:
        raise InputError(str(e)) from None
    for p in pub.files:
        print(_rel(p))
    missing = sum(q["status"] == "missing" for q in pub.quality)
    _say(
        f"{pub.count} indicator rows from {pub.returns} returns ({missing} expected returns missing); "
        f"wrote {len(pub.files)} files to {_rel(Path(args.out))}"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check that the returns store matches what it recorded when it wrote it.

    Each stored return's values carry a digest of themselves and of the workbook they were read
    from, and values.csv one of itself: an edited value, a truncated file or a replaced workbook
    is found (ingest and compute refuse such a store). With --repair, values are read again from
    the workbook the ledger recorded storing, and values.csv is rebuilt. This finds corruption
    and casual edits, not someone who also rewrites the digests.

    Examples:
      kpi verify
      kpi verify --store build/demo/store --repair
    """
    store = Store(args.store)
    if not store.root.is_dir():
        raise InputError(f"no returns store in {_rel(store.root)}")
    if args.repair:
        catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
        fixed, left = store.repair(catalogue, registry)
        for line in fixed:
            _say(f"repaired: {printable(line)}")
    else:
        left = store.verify()
    for line in left:
        _say(f"problem: {printable(line)}")
    if left:
        _say(f"{len(left)} problem(s) in {_rel(store.root)}" + ("" if args.repair else "; try --repair"))
        return 1
    _say(f"{_rel(store.root)}: every stored return matches what was recorded")
    later = stored_rule_warnings(store.current_returns(), load_catalogue(args.catalogue))
    for p in later:
        print(f"{printable(p.file)}:")
        print(_problem_line(p))
    if later:
        _say(
            f"{len(later)} warning(s): stored returns on an earlier template version break a rule "
            "a later version added; they are kept, and computed as they are"
        )
    return 0


def cmd_comments(args: argparse.Namespace) -> int:
    """List the caveats providers wrote on their returns, and approve them for publication.

    Free text may name or describe a client, so a comment is published (on the data-quality
    table and the area's page) only after an analyst has read it and approved it here. The
    approval is for that text on that return: a resubmission needs approving again. Each
    approval or withdrawal is recorded in the store's approvals.csv with the time and --by.

    Examples:
      kpi comments --store build/demo/store
      kpi comments --store build/demo/store --approve 3fa2b1c4d5e6:E90_comments --by "A. Analyst"
      kpi comments --store build/demo/store --withdraw 3fa2b1c4d5e6:E90_comments --by "A. Analyst"
    """
    from generator.intake import comments as cm

    store = _existing_store(args.store)
    catalogue = load_catalogue(args.catalogue)
    found = cm.comments(store.current_returns(), catalogue, store.approval_rows())
    asked = [(k, cm.APPROVED) for k in args.approve] + [(k, cm.WITHDRAWN) for k in args.withdraw]
    if asked:
        if not args.by.strip():
            raise UsageError('say who decides: --by "your name" (it is recorded with the decision)')
        by = record_text(printable(args.by.strip()))  # never a formula when the CSV is opened
        try:
            rows = [cm.approval_row(cm.find(found, key), action, by) for key, action in asked]
        except cm.UnknownComment as e:
            raise InputError(str(e)) from None
        store.record_approvals(rows)
        for row in rows:
            _say(f"{row['action']}: {row['sha256'][: cm.KEY_DIGITS]}:{row['item_id']}")
        found = cm.comments(store.current_returns(), catalogue, store.approval_rows())
    for c in found:
        if args.pending and c.status != cm.AWAITING:
            continue
        print(
            f"{c.key}  {printable(c.area_code)} {printable(c.organisation_code)} Section {c.section} "
            f"{printable(c.period)}  [{c.status}]"
        )
        print(f"    {printable(c.text)}")
    waiting = sum(c.status == cm.AWAITING for c in found)
    _say(
        f"{len(found)} comment(s) in {_rel(store.root)}: {waiting} awaiting approval"
        + (" (approve with --approve KEY --by NAME)" if waiting else "")
    )
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the benchmarking website from the stored returns.

    Computes the published dataset, draws the charts, writes the generated pages into site_src/
    and runs `mkdocs build --strict` into site/. Serve it with `kpi serve`.

    Examples:
      kpi build
      kpi build --store build/demo/store
    """
    # here, not at the top: the site and charts modules take a third of a second to load
    from generator.site.build import BuildError, build_site

    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
    config = site_project(Path(args.config)).absolute()  # the package's own copy is never written into
    try:
        res = build_site(
            Path(args.store).absolute(),
            catalogue,
            registry,
            Path(args.dataset).absolute(),
            site_src=config.parent / "site_src",
            site_dir=Path(args.site).absolute(),
            config=config,
            cache=_cache(args),
            workers=args.jobs,
            protected=_inputs(args),
        )
    except BuildError as e:
        raise InputError(str(e)) from None
    except SiteFolderError as e:  # refused before anything was written
        raise UsageError(str(e)) from None
    _say(
        f"{res.rows} indicator rows, {res.pages} pages and {res.charts} charts "
        f"({res.changed} files changed); "
        f"data as at {res.data_as_at}"
    )
    if args.timings:
        Path(args.timings).write_text(json.dumps(res.timings, indent=1))
    _say(
        f"Site built in {_rel(res.site_dir)}: run `{_serve_command(res.site_dir)}` and open http://127.0.0.1:8000/"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built site on this machine only (127.0.0.1), for looking at it in a browser.

    Example:
      kpi serve --port 8000
    """
    import functools
    import http.server

    from generator.site.serve import SiteHandler

    site = Path(args.site)
    if not (site / "index.html").exists():
        raise InputError(f"no built site in {_rel(site)}: run `kpi build` (or `make demo`) first")
    handler = functools.partial(SiteHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as httpd:
        _say(f"Serving {_rel(site)} at http://127.0.0.1:{args.port}/ (Ctrl+C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
    return 0


def cmd_demo_returns(args: argparse.Namespace) -> int:
    """Write synthetic demo returns for the 17 pilot sites, filled in through the real templates.

    Eight quarters of the quarterly sections and two years of the annual ones, calibrated to the
    pilot's published findings; deterministic from --seed. All synthetic: no real data.

    Example:
      kpi demo-returns --out build/demo/returns
    """
    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
    written = write_demo_returns(
        catalogue, registry, Path(args.out), seed=args.seed, quarters=QUARTERS[-args.quarters :]
    )
    for d in written:
        print(_rel(d.path))
    _say(f"wrote {len(written)} synthetic returns to {_rel(Path(args.out))}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the main job end to end on synthetic demo data and say where the results are.

    Generates the templates, fills them in for the 17 pilot sites (build/demo/returns/),
    validates and ingests every return into a fresh demo store (build/demo/store/), including
    one late resubmission that replaces an earlier return.

    Example:
      kpi demo
    """
    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
    demo_dir, site_dir = paths.DEMO.absolute(), paths.SITE.absolute()
    store_dir = demo_dir / "store"
    # before anything is written: the site folder must be one a build may replace, and not a
    # site built from real returns (the demo would put synthetic figures in its place)
    _check_site(site_dir, {**_inputs(args), "the demo's folder": demo_dir})
    made_from = built_from(site_dir)
    if made_from and Path(made_from) != store_dir.resolve():
        raise UsageError(
            f"{_rel(site_dir)} is a site built from the returns in {made_from}; the demo will not put "
            "synthetic figures in its place. Run the demo in another folder, or move that site"
        )
    if store_dir.exists() and any(store_dir.iterdir()) and not Store(store_dir).ledger.exists():
        raise UsageError(f"{_rel(store_dir)} is not a returns store the demo made; move it, then run again")
    from generator.site.build import BuildError, build_site, check_questions

    try:
        check_questions(catalogue)  # before a minute of work, not after it
    except BuildError as e:
        raise InputError(str(e)) from None
    written = write_templates(catalogue, paths.TEMPLATES)
    n_items = len(catalogue.item_index)
    _say(
        f"Catalogue: {len(catalogue.sections)} sections, {n_items} items, "
        f"{sum(len(s.derived) for s in catalogue.sections.values())} derived indicators."
    )
    _say("Collection templates (open them in Excel, LibreOffice Calc or Google Sheets):")
    for p in written:
        sec = next(s for s in catalogue.sections.values() if p.name == template_filename(s))
        _say(f"  {_rel(p)}  - Section {sec.section}: {sec.title} ({sec.frequency}, {sec.completed_by})")

    returns = write_demo_returns(catalogue, registry, demo_dir / "returns", seed=args.seed)
    if store_dir.exists():
        shutil.rmtree(store_dir)  # the demo store is rebuilt from the demo returns every run
    store = Store(store_dir)
    counts: dict[str, int] = {}
    first_problem: IngestOutcome | None = None
    outcomes = store.ingest_many(
        [d.path for d in returns],
        catalogue,
        registry,
        [d.resubmission for d in returns],
        cache=_cache(args),
        workers=args.jobs,
        received=[d.received for d in returns],
    )
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        if not o.ok and first_problem is None:
            first_problem = o
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    _say(f"Demo returns: {len(returns)} synthetic workbooks in {_rel(demo_dir / 'returns')} ({summary}).")
    _say(f"Returns store: {_rel(store_dir)} (ledger.csv, values.csv and the files, by period/area/org).")
    if first_problem is not None:
        _print_outcome(first_problem)
        return 1
    approved, held = approve_demo_comments(store, catalogue)
    _say(
        f"Comments: {approved} caveat(s) approved for publication by the demo's analyst, {held} left "
        f"unpublished (it names a client); see `{_kpi()} comments --store {shlex.quote(_rel(store_dir))}`."
    )
    dataset = demo_dir / "dataset"
    try:
        res = build_site(
            store_dir,
            catalogue,
            registry,
            dataset,
            site_dir=site_dir,
            cache=_cache(args),
            workers=args.jobs,
            protected=_inputs(args),
        )
    except BuildError as e:
        raise InputError(str(e)) from None
    except SiteFolderError as e:
        raise UsageError(str(e)) from None
    _say(
        f"Published dataset: {_rel(dataset)} (indicators.csv with {res.rows} rows and its zip, "
        "data_quality.csv, dataset.xlsx), disclosure control applied."
    )
    _say(f"Website: {res.pages} pages and {res.charts} charts built in {_rel(res.site_dir)}.")
    _say(f"To look at it: run `{_serve_command(res.site_dir)}` and open http://127.0.0.1:8000/")
    example = next(d.path for d in returns if d.section == "B")
    _say("Try:")
    _say(f"  {_kpi()} validate {shlex.quote(_rel(example))}")
    _say(f"  {_kpi()} validate --json {shlex.quote(_rel(example))}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "templates": cmd_templates,
    "validate": cmd_validate,
    "ingest": cmd_ingest,
    "compute": cmd_compute,
    "verify": cmd_verify,
    "comments": cmd_comments,
    "build": cmd_build,
    "serve": cmd_serve,
    "demo-returns": cmd_demo_returns,
    "demo": cmd_demo,
}


def _args_templates(sp: argparse.ArgumentParser) -> None:
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
    sp.add_argument("--period", metavar="PERIOD", help='reporting period, e.g. "2025-26 Q1" or "2025-26"')
    sp.add_argument(
        "--every-organisation",
        action="store_true",
        help="pre-fill for every organisation in the registry (with --period), a folder each",
    )
    sp.add_argument("-j", "--jobs", type=int, metavar="N", help="processes to use (default: one per core)")


def _args_validate(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("files", nargs="+", metavar="FILE", help="completed returns (.xlsx or .ods)")
    sp.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    sp.add_argument("--section", metavar="LETTER", help="expect returns for this section only")
    sp.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help=f"list every file, even in a batch of more than {LIST_EVERY_FILE_UP_TO}",
    )


def _args_validate_alone(sp: argparse.ArgumentParser) -> None:
    _args_validate(sp)
    sp.add_argument(
        "--store",
        metavar="DIR",
        help="a returns store: warn where a value is far from the organisation's earlier returns in it",
    )


def _args_ingest(sp: argparse.ArgumentParser) -> None:
    _args_validate(sp)
    sp.add_argument(
        "--replace",
        action="store_true",
        help="replace a stored return for the same organisation, section and period",
    )
    sp.add_argument(
        "--from",
        dest="sender",
        metavar="ADDRESS",
        help="who sent the files: a return for an organisation whose registry row lists other "
        "senders is quarantined, never filed (a consistency check, not authentication)",
    )
    sp.add_argument(
        "--received",
        metavar="YYYY-MM-DD",
        help="the day the files arrived (default today): the ledger records them as on time or late "
        "against the date each section's return was due",
    )
    _store_arg(sp)


def _received(text: str | None) -> dt.date | None:
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


def _store_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--store", default=str(DEFAULT_STORE), metavar="DIR", help="the returns store (default data/returns)"
    )


def _args_compute(sp: argparse.ArgumentParser) -> None:
    _store_arg(sp)
    sp.add_argument(
        "--out",
        default=str(paths.DATASET),
        metavar="DIR",
        help="output folder (default build/dataset)",
    )


def _args_verify(sp: argparse.ArgumentParser) -> None:
    _store_arg(sp)
    sp.add_argument("--repair", action="store_true", help="rebuild what can be rebuilt from the workbooks")


def _args_comments(sp: argparse.ArgumentParser) -> None:
    _store_arg(sp)
    sp.add_argument(
        "--approve", action="append", default=[], metavar="KEY", help="approve this comment (repeatable)"
    )
    sp.add_argument(
        "--withdraw", action="append", default=[], metavar="KEY", help="withdraw an approval (repeatable)"
    )
    sp.add_argument("--by", default="", metavar="NAME", help="who approves or withdraws (recorded)")
    sp.add_argument("--pending", action="store_true", help="list only comments awaiting approval")


def _args_build(sp: argparse.ArgumentParser) -> None:
    _store_arg(sp)
    sp.add_argument(
        "--dataset",
        default=str(paths.DATASET),
        metavar="DIR",
        help="where the published dataset goes (default build/dataset)",
    )
    sp.add_argument("--site", default=str(paths.SITE), metavar="DIR", help="output folder (default site)")


def _args_serve(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--site", default=str(paths.SITE), metavar="DIR", help="the built site (default site)")
    sp.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")


def _args_demo(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--seed", type=int, default=2009, help="random seed (default 2009)")


def _args_demo_returns(sp: argparse.ArgumentParser) -> None:
    _args_demo(sp)
    sp.add_argument(
        "--quarters",
        type=int,
        choices=range(1, len(QUARTERS) + 1),
        default=len(QUARTERS),
        metavar="N",
        help=f"the last N of the {len(QUARTERS)} demo quarters (default all)",
    )
    sp.add_argument(
        "--out",
        default=str(paths.DEMO / "returns"),
        metavar="DIR",
        help="output folder (default build/demo/returns)",
    )


ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "templates": _args_templates,
    "validate": _args_validate_alone,
    "ingest": _args_ingest,
    "compute": _args_compute,
    "verify": _args_verify,
    "comments": _args_comments,
    "build": _args_build,
    "serve": _args_serve,
    "demo-returns": _args_demo_returns,
    "demo": _args_demo,
}


def _expand(items: Sequence[str]) -> list[Path]:
    """Files as given; a folder stands for every .xlsx and .ods under it, in name order."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in (".xlsx", ".ods") and f.is_file())
        else:
            out.append(p)
    return out


def _kpi() -> str:
    """The command as it was run (``.venv/bin/kpi``, ``kpi`` or ``python -m generator``), so that
    a hint printed for the user works from where they stand."""
    return sys.argv[0] if Path(sys.argv[0]).name == "kpi" else f"{Path(sys.executable).name} -m generator"


def _serve_command(site: Path) -> str:
    """How to serve ``site`` from here, with ``--site`` unless it is the default."""
    there = "" if site.resolve() == paths.SITE.resolve() else f" --site {shlex.quote(_rel(site))}"
    return f"{_kpi()} serve{there}"


def _inputs(args: argparse.Namespace) -> dict[str, Path]:
    """The catalogue and registry a command reads: a site folder must keep clear of them."""
    return {"the catalogue": Path(args.catalogue), "the registry": Path(args.registry)}


def _check_site(site: Path, protected: dict[str, Path]) -> None:
    try:
        check_site_folder(site, protected)
    except SiteFolderError as e:
        raise UsageError(str(e)) from None


def _cache(args: argparse.Namespace) -> Cache:
    return NO_CACHE if args.no_cache else Cache(Path(args.cache))


def _common(sp: argparse.ArgumentParser, name: str) -> None:
    """Options every data command shares: which registry, how many cores, which cache."""
    sp.add_argument(
        "--registry",
        default=str(find(ORGANISATIONS_CSV)),
        metavar="CSV",
        help="areas and organisations that may send returns (default data/organisations.csv)",
    )
    if name in ("validate", "ingest", "compute", "build", "demo"):
        sp.add_argument(
            "-j",
            "--jobs",
            type=int,
            default=None,
            metavar="N",
            help="processes to use (default: one per core)",
        )
        sp.add_argument(
            "--cache",
            default=str(DEFAULT_CACHE),
            metavar="FILE",
            help="the build cache, safe to delete at any time (default build/cache.sqlite)",
        )
        sp.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    if name == "build":
        sp.add_argument(
            "--config",
            default=str(find("mkdocs.yml")),
            metavar="FILE",
            help="the MkDocs configuration; generated pages go to site_src/ beside it (default mkdocs.yml)",
        )
        sp.add_argument("--timings", metavar="FILE", help="write the seconds each stage took, as JSON")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kpi",
        description="Employment support KPIs: collection templates, returns, indicators and site.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"kpi {__version__}")
    p.add_argument(
        "--catalogue",
        default=str(find("data/catalogue")),
        metavar="DIR",
        help="the indicator catalogue (default: data/catalogue here, else the copy in the package)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, fn in COMMANDS.items():
        doc = inspect.cleandoc(fn.__doc__ or "")
        sp = sub.add_parser(
            name,
            help=doc.splitlines()[0],
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name in ARGUMENTS:
            ARGUMENTS[name](sp)
        if name != "serve":
            _common(sp, name)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # text that cannot be printed is shown escaped, never a crash
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors, 0 on --help
        return int(e.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        status = COMMANDS[args.command](args)
        if args.command != "serve":  # which catalogue: here, the package's copy, or --catalogue
            _say(f"catalogue read: {inputs.shown(Path(args.catalogue))}")
        if args.command in ("build", "demo"):  # and the site's other inputs
            site = [inputs.find(QUESTIONS_YAML), inputs.find(PRESENTATION_YAML)]
            _say("site inputs read: " + ", ".join(inputs.shown(p) for p in site))
        return status
    except UsageError as e:
        _say(f"kpi {args.command}: {e}")
        return 2
    except (InputError, CatalogueError, RegistryError, StoreIntegrityError) as e:
        _say(f"kpi {args.command}: {e}")
        return 1
    except OSError as e:  # the path and the system's reason say it all; a traceback would not help
        _say(f"kpi {args.command}: stopped by a file system error: {e}")
        for note in getattr(e, "__notes__", []):  # e.g. a second failure beside it
            _say(f"  {note}")
        return 1
    except BrokenProcessPool:  # a worker killed (out of memory, say), or ended by a Ctrl-C
        _say(
            f"kpi {args.command}: a worker process ended before its work was done (stopped, or "
            "killed for lack of memory); run the same command again, with --jobs 1 to use no "
            "worker processes"
        )
        return 1
    except KeyboardInterrupt:  # Ctrl-C: files are put in place whole or not at all
        _say(f"kpi {args.command}: stopped (Ctrl-C) before it finished; run the same command again to finish")
        return 130
