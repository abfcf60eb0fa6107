"""The commands of publication: the dataset computed, the site built and served, the demo."""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
from pathlib import Path

from generator.base import paths
from generator.base.inputs import site_project
from generator.base.paths import from_here
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.cli.common import (
    InputError,
    UsageError,
    cache_of,
    command_name,
    inputs_of,
    print_outcome,
    say,
    serve_command,
)
from generator.demo.returns import write_demo_returns
from generator.demo.sites import QUARTERS
from generator.publish.dataset import NoReturns
from generator.publish.files import publish_store
from generator.site.folder import SiteFolderError
from generator.store.returns import Store
from generator.workbook.identity import template_filename


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
        pub = publish_store(Store(args.store), catalogue, registry, Path(args.out), cache_of(args), args.jobs)
    except NoReturns as e:
        raise InputError(str(e)) from None
    for p in pub.files:
        print(from_here(p))
    missing = sum(q["status"] == "missing" for q in pub.quality)
    say(
        f"{pub.count} indicator rows from {pub.returns} returns ({missing} expected returns missing); "
        f"wrote {len(pub.files)} files to {from_here(Path(args.out))}"
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
    # here, not at the top: the site and charts modules are slow to load, and most commands
    # never need them
    from generator.site.build import BuildError, build_site, publisher_gaps

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
            cache=cache_of(args),
            workers=args.jobs,
            protected=inputs_of(args),
        )
    except BuildError as e:
        raise InputError(str(e)) from None
    except SiteFolderError as e:  # refused before anything was written
        raise UsageError(str(e)) from None
    say(
        f"{res.rows} indicator rows, {res.pages} pages and {res.charts} charts "
        f"({res.changed} files changed); "
        f"data as at {res.data_as_at}"
    )
    if args.timings:
        Path(args.timings).write_text(json.dumps(res.timings, indent=1))
    if gaps := publisher_gaps():
        say("Not given, so every page says so: " + "; ".join(gaps) + ". Set them to publish real data.")
    say(
        f"Site built in {from_here(res.site_dir)}: run `{serve_command(res.site_dir)}` and open http://127.0.0.1:8000/"
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
        raise InputError(f"no built site in {from_here(site)}: run `kpi build` (or `make demo`) first")
    handler = functools.partial(SiteHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as httpd:
        say(f"Serving {from_here(site)} at http://127.0.0.1:{args.port}/ (Ctrl+C to stop)")
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
        print(from_here(d.path))
    say(f"wrote {len(written)} synthetic returns to {from_here(Path(args.out))}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the main job end to end on synthetic demo data and say where the results are.

    Generates the templates, fills them in for the 17 pilot sites (build/demo/returns/),
    validates and ingests every return into a fresh demo store (build/demo/store/), including
    one late resubmission that replaces an earlier return.

    Example:
      kpi demo
    """
    from generator.demo.run import DemoRefused, DemoRun, run_demo
    from generator.site.build import BuildError

    catalogue, registry = load_catalogue(args.catalogue), load_registry(Path(args.registry))

    def collected(run: DemoRun) -> None:  # said before the build, so a failing build keeps it
        sections, items = len(catalogue.sections), len(catalogue.item_index)
        derived = sum(len(s.derived) for s in catalogue.sections.values())
        say(f"Catalogue: {sections} sections, {items} items, {derived} derived indicators.")
        say("Collection templates (open them in Excel, LibreOffice Calc or Google Sheets):")
        for p in run.templates:
            sec = next(s for s in catalogue.sections.values() if p.name == template_filename(s))
            what = f"Section {sec.section}: {sec.title} ({sec.frequency}, {sec.completed_by})"
            say(f"  {from_here(p)}  - {what}")
        returns_dir = run.store_dir.parent / "returns"
        summary = ", ".join(f"{n} {status}" for status, n in sorted(run.counts.items()))
        say(f"Demo returns: {len(run.returns)} synthetic workbooks in {from_here(returns_dir)} ({summary}).")
        store = from_here(run.store_dir)
        say(f"Returns store: {store} (ledger.csv, values.csv and the files, by period/area/org).")
        if run.first_problem is not None:
            print_outcome(run.first_problem)
            return
        say(
            f"Comments: {run.approved} caveat(s) approved for publication by the demo's analyst, {run.held} "
            f"left unpublished (it names a client); see `{command_name()} comments --store "
            f"{shlex.quote(store)}`."
        )
        say("Building the published dataset and the site (about a minute) ...")

    try:
        run = run_demo(
            catalogue,
            registry,
            demo_dir=paths.DEMO.absolute(),
            site_dir=paths.SITE.absolute(),
            templates_dir=paths.TEMPLATES,
            seed=args.seed,
            protected=inputs_of(args),
            cache=cache_of(args),
            workers=args.jobs,
            collected=collected,
        )
    except (DemoRefused, SiteFolderError) as e:
        raise UsageError(str(e)) from None
    except BuildError as e:
        raise InputError(str(e)) from None
    if run.site is None or run.dataset_dir is None:
        say("The demo stopped there: a demo return was refused (above), so no dataset or site was built.")
        return 1
    say(
        f"Published dataset: {from_here(run.dataset_dir)} (indicators.csv with {run.site.rows} rows and its "
        "zip, data_quality.csv, dataset.xlsx), disclosure control applied."
    )
    site = from_here(run.site.site_dir)
    say(f"Website: {run.site.pages} pages and {run.site.charts} charts built in {site}.")
    say(f"To look at it: run `{serve_command(run.site.site_dir)}` and open http://127.0.0.1:8000/")
    example = next(d.path for d in run.returns if d.section == "B")
    say("Try:")
    say(f"  {command_name()} validate {shlex.quote(from_here(example))}")
    say(f"  {command_name()} validate --json {shlex.quote(from_here(example))}")
    return 0
