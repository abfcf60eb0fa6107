"""Each command's options."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from generator.base import paths
from generator.base.cache import DEFAULT_CACHE
from generator.base.inputs import ORGANISATIONS_CSV, find
from generator.cli.common import LIST_EVERY_FILE_UP_TO
from generator.demo.sites import QUARTERS
from generator.store.files import DEFAULT_STORE


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


def common_options(sp: argparse.ArgumentParser, name: str) -> None:
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
