"""The ``kpi`` command: parses arguments and calls the library; nothing else lives here.

Exit codes: 0 success, 1 invalid input (a bad catalogue, stale templates, an unknown
organisation), 2 usage error. Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import argparse
import inspect
import io
import sys
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from generator import __version__
from generator.base import inputs
from generator.base.inputs import GLOSSARY_YAML, PRESENTATION_YAML, QUESTIONS_YAML, find
from generator.catalogue.model import CatalogueError
from generator.catalogue.registry import RegistryError
from generator.cli.arguments import ARGUMENTS, common_options
from generator.cli.collect import cmd_comments, cmd_ingest, cmd_templates, cmd_validate, cmd_verify
from generator.cli.common import InputError, UsageError, say
from generator.cli.publish import cmd_build, cmd_compute, cmd_demo, cmd_demo_returns, cmd_serve
from generator.store.files import StoreIntegrityError

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
            common_options(sp, name)
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
            say(f"catalogue read: {inputs.shown(Path(args.catalogue))}")
        if args.command in ("build", "demo"):  # and the site's other inputs
            site = [inputs.find(x) for x in (QUESTIONS_YAML, PRESENTATION_YAML, GLOSSARY_YAML)]
            say("site inputs read: " + ", ".join(inputs.shown(p) for p in site))
        return status
    except UsageError as e:
        say(f"kpi {args.command}: {e}")
        return 2
    except (InputError, CatalogueError, RegistryError, StoreIntegrityError) as e:
        say(f"kpi {args.command}: {e}")
        return 1
    except OSError as e:  # the path and the system's reason say it all; a traceback would not help
        say(f"kpi {args.command}: stopped by a file system error: {e}")
        for note in getattr(e, "__notes__", []):  # e.g. a second failure beside it
            say(f"  {note}")
        return 1
    except BrokenProcessPool:  # a worker killed (out of memory, say), or ended by a Ctrl-C
        say(
            f"kpi {args.command}: a worker process ended before its work was done (stopped, or "
            "killed for lack of memory); run the same command again, with --jobs 1 to use no "
            "worker processes"
        )
        return 1
    except KeyboardInterrupt:  # Ctrl-C: files are put in place whole or not at all
        say(f"kpi {args.command}: stopped (Ctrl-C) before it finished; run the same command again to finish")
        return 130
