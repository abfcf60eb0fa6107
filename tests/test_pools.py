"""Process pools: workers from a forkserver, and Ctrl-C ends them at once."""

from __future__ import annotations

import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from generator.base.pools import process_pool


def test_ctrl_c_in_a_worker_ends_it_and_the_tasks_queued_are_dropped():
    """A terminal's Ctrl-C reaches the workers too. Each one must end, not report the interrupt
    as its task's error and go on to the next task it had taken: the pool breaks, and every
    task still queued fails at once instead of running."""
    with process_pool(1) as pool:
        interrupted = pool.submit(signal.raise_signal, signal.SIGINT)
        queued = [pool.submit(os.getpid) for _ in range(3)]
        with pytest.raises(BrokenProcessPool):
            interrupted.result(timeout=60)
        for f in queued:
            with pytest.raises(BrokenProcessPool):
                f.result(timeout=60)


def test_a_worker_still_runs_the_pools_own_initializer(tmp_path):
    with process_pool(1, os.chdir, (str(tmp_path),)) as pool:
        assert pool.submit(os.getcwd).result(timeout=60) == str(tmp_path)
