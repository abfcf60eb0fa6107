"""Process pools whose workers start small.

Linux forks pool workers from the running process by default, so a worker started after the
build has loaded a million rows begins as a copy of all of them, and Python's garbage collector
soon touches (and so really copies) most of those pages: the national build's charts stage ran
two such copies. Workers here come from a forkserver, a small clean process that has imported
the generator's modules once, so they start in milliseconds and hold only what they are sent.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# imported once by the forkserver, so each worker starts with them loaded. Not the charts
# (matplotlib): every worker would then carry its 40 MB, computing ones included, and a
# drawing worker loads it in a fraction of a second: the national build's peak was 1.89 GB
# with it here and 1.67 GB without, its drawing time the same (16.5 s).
PRELOAD = ["generator.publish", "generator.readmany", "generator.demo"]


def process_pool(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs)
