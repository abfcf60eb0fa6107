"""`kill -9` at each step of an ingest (issue 19): every rename that puts a file in place, and
the ledger's append. The same ingest run again leaves the ledger, the records, values.csv and
the workbooks in agreement, with nothing temporary left and every return recorded once."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.catalogue.registry import load_registry
from generator.store.files import STORED_STATUSES
from generator.store.returns import Store

from .builders import valid_return

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import generator.store.returns as store_mod
    from generator.cli import main

    at, point = int(sys.argv[1]), sys.argv[2]
    seen = 0
    def step():
        global seen
        seen += 1
        if seen == at:
            os.kill(os.getpid(), signal.SIGKILL)
    if point == "rename":
        real = Path.replace
        def replace(self, target):
            step()
            return real(self, target)
        Path.replace = replace
    else:
        real_rows = store_mod.Store._append_rows
        def append(self, rows):
            step()
            return real_rows(self, rows)
        store_mod.Store._append_rows = append
    sys.exit(main(sys.argv[3:]))
    """
)


def _run(args: list[str], kill_at: int = 0, point: str = "rename") -> int:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cmd = [sys.executable, "-c", KILLER, str(kill_at), point, *args]
    return subprocess.run(cmd, env=env, capture_output=True, check=False).returncode


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, catalogue):
    registry = load_registry()
    d = tmp_path_factory.mktemp("inbox")
    for letter in ("B", "C", "E"):
        (d / f"{letter}.xlsx").write_bytes(valid_return(catalogue, registry, letter))
    return d


# an ingest of three returns renames 6 files into place, then values.csv and its digest
@pytest.mark.parametrize(("point", "at"), [*(("rename", k) for k in range(1, 9)), ("ledger", 1)])
def test_a_kill_at_any_step_is_made_whole_by_running_the_ingest_again(inbox, tmp_path, catalogue, point, at):
    store = tmp_path / "store"
    args = ["ingest", "--store", str(store), "--no-cache", str(inbox)]
    assert _run(args, at, point) == -signal.SIGKILL
    assert _run(args) == 0
    s = Store(store)
    assert s.verify() == []
    assert not list(store.rglob(".*.tmp-*"))
    stored = {rel for rel, _ in s._stored_files()}
    with s.ledger.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    recorded = [r["stored_as"] for r in rows if r["status"] in STORED_STATUSES]
    assert sorted(recorded) == sorted(stored) and len(stored) == 3  # each return recorded once
    table = s.table.read_bytes()
    assert table == Store(store).rebuild_table(catalogue).read_bytes()  # as a fresh rebuild makes it


# the three returns' files: records 1-5 KB, workbooks 25-36 KB, values.csv 26 KB, ledger 1 KB
@pytest.mark.parametrize(("case", "limit"), [("records", 2_000), ("a workbook", 30_000), ("ledger", 1_000)])
def test_a_per_file_size_limit_is_made_whole_by_running_the_ingest_again(
    inbox, tmp_path, catalogue, case, limit
):
    """Under a per-file size limit (`ulimit -f`) a write stops part-way ('File too large'): the
    ledger had ended mid-row, and that row read as a return stored twice. The ingest fails with
    one line; the same ingest without the limit leaves the store whole, each return recorded
    once and no row torn."""
    import resource

    store = tmp_path / "store"
    args = ["ingest", "--store", str(store), "--no-cache", str(inbox)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    if case == "ledger":  # stored already: the next ingest only appends three rows to the ledger
        assert _run(args) == 0

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cmd = [sys.executable, "-m", "generator", *args]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, preexec_fn=limited, check=False)
    assert first.returncode == 1 and "File too large" in first.stderr and "Traceback" not in first.stderr
    assert _run(args) == 0
    s = Store(store)
    assert s.verify() == [] and not list(store.rglob(".*.tmp-*"))
    with s.ledger.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["status"] in (*STORED_STATUSES, "unchanged") and r["replaced"] is not None for r in rows)
    recorded = sorted(r["stored_as"] for r in rows if r["status"] in STORED_STATUSES)
    assert recorded == sorted(rel for rel, _ in s._stored_files())
    assert s.table.read_bytes() == Store(store).rebuild_table(catalogue).read_bytes()
