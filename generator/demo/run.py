"""The main job end to end on synthetic returns: what `kpi demo` (and `make demo`) does.

Templates from the catalogue, returns filled in through them for the pilot sites, every return
validated and ingested into a fresh demo store, the demo's caveats approved as an analyst
would, then the dataset and the site built. Nothing here prints: the command says what was made.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from generator.base.cache import NO_CACHE, Cache
from generator.base.paths import from_here
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.demo.returns import DemoReturn, approve_demo_comments, write_demo_returns
from generator.site.build import BuildResult, build_site, check_questions
from generator.site.folder import built_from_store, check_site_folder
from generator.store.returns import IngestOutcome, Store
from generator.workbook.files import write_templates


class DemoRefused(ValueError):
    """The demo would overwrite what it did not make (a site built from real returns, a store
    of real returns): nothing has been written."""


@dataclass(frozen=True)
class DemoRun:
    """What the demo made, for the command to report."""

    templates: list[Path]
    returns: list[DemoReturn]
    store_dir: Path
    outcomes: list[IngestOutcome]
    approved: int = 0  # caveats approved for publication
    held: int = 0  # caveats left unpublished (one names a client)
    dataset_dir: Path | None = None
    site: BuildResult | None = None  # None: a return was refused, so nothing was built

    @property
    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    @property
    def first_problem(self) -> IngestOutcome | None:
        return next((o for o in self.outcomes if not o.ok), None)


def check_folders(demo_dir: Path, site_dir: Path, protected: dict[str, Path]) -> None:
    """Before anything is written: the site folder must be one a build may replace, and not a
    site built from real returns (the demo would put synthetic figures in its place); the demo's
    store folder must be the demo's."""
    store_dir = demo_dir / "store"
    check_site_folder(site_dir, {**protected, "the demo's folder": demo_dir})
    if built_from_store(site_dir, store_dir) is False:
        raise DemoRefused(
            f"{from_here(site_dir)} is a site built from other returns than the demo's; the demo will not "
            "put synthetic figures in its place. Run the demo in another folder, or move that site"
        )
    if store_dir.exists() and any(store_dir.iterdir()) and not Store(store_dir).ledger.exists():
        raise DemoRefused(
            f"{from_here(store_dir)} is not a returns store the demo made; move it, then run again"
        )


def run_demo(
    catalogue: Catalogue,
    registry: Registry,
    *,
    demo_dir: Path,
    site_dir: Path,
    templates_dir: Path,
    seed: int,
    protected: dict[str, Path],
    cache: Cache = NO_CACHE,
    workers: int | None = None,
    collected: Callable[[DemoRun], None] | None = None,
) -> DemoRun:
    """Run the demo. The folders and the site's inputs are checked before anything is written
    (:class:`DemoRefused`, ``SiteFolderError``, ``BuildError``). ``collected`` hears what was made
    once the returns are stored, before the minute-long build, so a build that then fails (a
    ``BuildError`` raised from here) leaves the templates, returns and store reported."""
    check_folders(demo_dir, site_dir, protected)
    check_questions(catalogue)  # before a minute of work, not after it
    written = write_templates(catalogue, templates_dir)
    returns = write_demo_returns(catalogue, registry, demo_dir / "returns", seed=seed)
    store_dir = demo_dir / "store"
    if store_dir.exists():
        shutil.rmtree(store_dir)  # the demo store is rebuilt from the demo returns every run
    store = Store(store_dir)
    outcomes = store.ingest_many(
        [d.path for d in returns],
        catalogue,
        registry,
        [d.resubmission for d in returns],
        cache=cache,
        workers=workers,
        received=[d.received for d in returns],
    )
    run = DemoRun(written, returns, store_dir, outcomes)
    if run.first_problem is None:
        approved, held = approve_demo_comments(store, catalogue)
        run = replace(run, approved=approved, held=held)
    if collected is not None:
        collected(run)
    if run.first_problem is not None:
        return run
    dataset = demo_dir / "dataset"
    site = build_site(
        store_dir,
        catalogue,
        registry,
        dataset,
        site_dir=site_dir,
        cache=cache,
        workers=workers,
        protected=protected,
    )
    return replace(run, dataset_dir=dataset, site=site)
