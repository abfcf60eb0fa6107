"""Each command's options (generator.cli.arguments): outputs default to folders where the user
stands, the demo's quarters are bounded, and only the commands that read many returns take
--jobs and --cache."""

from __future__ import annotations

import argparse

import pytest

from generator.base import paths
from generator.base.cache import DEFAULT_CACHE
from generator.cli.arguments import ARGUMENTS, common_options
from generator.demo.sites import QUARTERS
from generator.store.files import DEFAULT_STORE


def _parse(command: str, *argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=f"kpi {command}")
    ARGUMENTS[command](p)
    common_options(p, command)
    return p.parse_args(argv)


def test_outputs_default_to_the_folders_of_the_paths_module():
    compute = _parse("compute")
    assert (compute.store, compute.out) == (str(DEFAULT_STORE), str(paths.DATASET))
    build = _parse("build")
    assert (build.dataset, build.site, build.cache) == (
        str(paths.DATASET),
        str(paths.SITE),
        str(DEFAULT_CACHE),
    )
    assert _parse("demo-returns").out == str(paths.DEMO / "returns")
    assert _parse("demo-returns").quarters == len(QUARTERS)  # all of them unless asked


def test_the_demo_returns_take_between_one_quarter_and_all_of_them(capsys):
    assert _parse("demo-returns", "--quarters", "1").quarters == 1
    for bad in ("0", str(len(QUARTERS) + 1)):
        with pytest.raises(SystemExit) as e:
            _parse("demo-returns", "--quarters", bad)
        assert e.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_only_the_commands_that_read_many_returns_take_jobs_and_a_cache(capsys):
    ingest = _parse("ingest", "r.xlsx", "--jobs", "2", "--no-cache", "--from", "a@b.example")
    assert (ingest.files, ingest.jobs, ingest.no_cache, ingest.sender) == (["r.xlsx"], 2, True, "a@b.example")
    assert (ingest.replace, ingest.received) == (False, None)
    for command in ("verify", "comments"):
        with pytest.raises(SystemExit):
            _parse(command, "--jobs", "2")
    assert "unrecognized arguments: --jobs 2" in capsys.readouterr().err
