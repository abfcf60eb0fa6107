"""The commands of collection: templates out, returns checked and stored, the store verified,
comments approved.
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections import Counter
from pathlib import Path

from generator.base import paths
from generator.base.names import printable, record_text
from generator.base.paths import from_here
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.catalogue.sections import Catalogue
from generator.cli.common import (
    InputError,
    UsageError,
    approvable_ids,
    cache_of,
    caveats,
    command_name,
    existing_store,
    expand,
    listed,
    print_outcome,
    print_result,
    problem_line,
    received_date,
    say,
)
from generator.intake.history import across_returns_warnings, history_warnings
from generator.intake.readmany import read_many
from generator.intake.validation import stored_rule_warnings
from generator.store.files import StoreIntegrityError
from generator.store.returns import Store
from generator.workbook import prefill
from generator.workbook.files import out_of_date, write_templates
from generator.workbook.layout import period_bounds


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
    given = [args.area, args.provider, args.period]
    if any(given) and not all(given):
        raise UsageError("pre-filling needs all three of --area, --provider and --period")
    identity = None
    if all(given):
        try:
            identity = prefill.resolve_identity(
                letters,
                args.area,
                args.provider,
                args.period,
                catalogue.sections,
                load_registry(Path(args.registry)),
            )
        except prefill.IdentityError as e:
            raise InputError(str(e)) from None
    out = Path(args.out) if args.out else (paths.PREFILLED if identity else paths.TEMPLATES)

    if args.check:
        stale, extra = out_of_date(catalogue, out, letters, identity)
        for p in stale:
            say(f"stale or missing: {from_here(p)}")
        for p in extra:
            say(f"not made from the catalogue: {from_here(p)}")
        if stale or extra:
            say("run `kpi templates` and commit the result")
            return 1
        say(f"{len(letters)} templates in {from_here(out)} match the catalogue")
        return 0

    written = write_templates(catalogue, out, letters, identity)
    for p in written:
        print(from_here(p))
    say(f"wrote {len(written)} workbook(s) to {from_here(out)}")
    return 0


def _prefill_all(args: argparse.Namespace, catalogue: Catalogue, letters: list[str]) -> int:
    """`kpi templates --every-organisation`: see :mod:`generator.workbook.prefill`."""
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
    say(
        f"wrote {len(written)} workbook(s) for {orgs} organisation(s), section(s) {sections}, "
        f"{args.period}, to {from_here(out)}/<area>/<organisation>/"
    )
    return 0


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
    results = read_many(expand(args.files), catalogue, registry, args.section, cache_of(args), args.jobs)
    if args.store is not None:
        store = existing_store(args.store)
        try:
            stored = store.current_returns()
        except StoreIntegrityError as e:  # the returns are still checked; the history is not
            say(
                f"{printable(e.problems[0])} (and {len(e.problems) - 1} more)"
                if len(e.problems) > 1
                else printable(e.problems[0])
            )
            say(
                f"the returns store {args.store} does not match what it recorded, so values were NOT "
                f"compared with earlier returns: run `kpi verify --store {args.store}` to see why"
            )
        else:
            history_warnings(results, stored, catalogue)
            across_returns_warnings(results, stored, catalogue)
            if not args.json:
                say(f"compared with the earlier returns among {len(stored)} stored in {args.store}")
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        approvable = approvable_ids(catalogue)
        shown, left_out = listed(results, lambda r: bool(r.problems or caveats(r, approvable)), args.verbose)
        for r in shown:
            print_result(r, "", approvable)
        if left_out:
            say(
                f"{left_out} valid file(s) with no warnings or comments not listed "
                "(--verbose lists every file)"
            )
        bad = sum(not r.valid for r in results)
        say(f"{len(results) - bad} of {len(results)} file(s) valid")
        if args.store is None:
            say("no --store given: values were not compared with the organisations' earlier returns")
    return 0 if all(r.valid for r in results) else 1


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
            expand(args.files),
            catalogue,
            registry,
            args.replace,
            args.section,
            cache_of(args),
            args.jobs,
            sender=args.sender,
            received=received_date(args.received),
        )
    except OSError as e:  # a full disk, a read-only or vanished folder: say what, and what was kept
        raise InputError(
            f"stopped by a file system error: {e}. Each return is stored whole or not at all; "
            f"{from_here(store.ledger)} records the attempts made before the error. Run the same command "
            "again once it is fixed: returns already stored are recognised as unchanged, and "
            "values.csv is brought up to date."
        ) from None
    if args.sender is not None and not any(o.senders for o in registry.organisations.values()):
        say("note: --from checked nothing: the registry lists no senders (a 'senders' column)")
    for note in store.repairs:
        say(f"{from_here(store.ledger)}: {note}")
    for o in outcomes:  # a return cannot arrive before its period has ended
        period = o.result.identity.get("period", "")
        ended = period_bounds(period)[1].isoformat() if o.due else ""
        if ended and o.received <= ended:
            say(
                f"note: {printable(o.file)}: received {o.received}, before its period ended "
                f"({ended}); recorded as given: is --received right?"
            )
    if store.recovered:
        say(
            f"recorded {len(store.recovered)} return(s) found in the store without a row in "
            f"{from_here(store.ledger)} (an earlier ingest stopped before recording them): status 'recovered'"
        )
    if not args.json:
        shown, left_out = listed(
            outcomes,
            lambda o: o.status not in ("accepted", "unchanged") or bool(o.result.problems),
            args.verbose,
        )
        for o in shown:
            print_outcome(o)
        if left_out:
            say(
                f"{left_out} file(s) accepted or unchanged with no warnings not listed (--verbose lists "
                f"every file; {from_here(store.ledger)} has every attempt)"
            )
        counts = Counter(o.status for o in outcomes)
        say("outcomes: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    approvable = approvable_ids(catalogue)
    noted = sum(
        o.status in ("accepted", "replaced") and bool(caveats(o.result, approvable)) for o in outcomes
    )
    if noted:
        say(
            f"{noted} return(s) stored with a comment, unpublished until approved: "
            f"{command_name()} comments --store {shlex.quote(from_here(store.root))} --pending"
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
    say(f"{n_ok} of {len(outcomes)} file(s) stored or already stored in {from_here(store.root)}")
    return 0 if n_ok == len(outcomes) else 1


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
        raise InputError(f"no returns store in {from_here(store.root)}")
    if args.repair:
        catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))
        fixed, left = store.repair(catalogue, registry)
        for line in fixed:
            say(f"repaired: {printable(line)}")
    else:
        left = store.verify()
    for line in left:
        say(f"problem: {printable(line)}")
    if left:
        say(f"{len(left)} problem(s) in {from_here(store.root)}" + ("" if args.repair else "; try --repair"))
        return 1
    say(f"{from_here(store.root)}: every stored return matches what was recorded")
    later = stored_rule_warnings(store.current_returns(), load_catalogue(args.catalogue))
    for p in later:
        print(f"{printable(p.file)}:")
        print(problem_line(p))
    if later:
        say(
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

    store = existing_store(args.store)
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
            say(f"{row['action']}: {row['sha256'][: cm.KEY_DIGITS]}:{row['item_id']}")
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
    say(
        f"{len(found)} comment(s) in {from_here(store.root)}: {waiting} awaiting approval"
        + (" (approve with --approve KEY --by NAME)" if waiting else "")
    )
    return 0
