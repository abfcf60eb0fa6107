"""Process pools whose workers start small.

Linux forks pool workers from the running process by default, so a worker started after the
build has loaded a million rows begins as a copy of all of them, and Python's garbage collector
soon touches (and so really copies) most of those pages: the national build's charts stage ran
two such copies. Workers here come from a forkserver, a small clean process that has imported
the generator's modules once, so they start in milliseconds and hold only what they are sent.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# imported once by the forkserver, so each worker starts with them loaded. Not the charts:
# they are drawn in the main process, and their font metrics load matplotlib, which every
# computing worker would otherwise carry.
PRELOAD = ["generator.publish.dataset", "generator.intake.readmany", "generator.demo.returns"]


def process_pool(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_start_worker, initargs=(initializer, initargs)
    )


def _start_worker(initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    """Ctrl-C reaches the workers as well as the command (a terminal signals the whole process
    group). A worker then ends at once, so the pool breaks and drops every task queued: the
    command stops within a moment. Otherwise each worker caught the interrupt as its task's
    error and went on to the tasks it had already taken. Whatever a worker was writing is a
    temporary file, never one in place."""
    signal.signal(signal.SIGINT, _end_now)
    if initializer is not None:
        initializer(*initargs)


def _end_now(signum: int, frame: object) -> None:
    os._exit(128 + signum)


def in_order(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int | None,
    initializer: Callable[..., object],
    initargs: tuple[Any, ...],
    chunksize: int,
) -> Generator[R, None, None]:
    """``fn`` over ``items``, each result given as soon as it and those before it are ready: in
    this process (``initializer`` run here) for one worker or fewer than ``chunksize`` items,
    else in a pool. Should the caller stop early (close the iterator), the items not yet
    started are dropped at once rather than all worked through first."""
    workers = min(workers or os.cpu_count() or 1, len(items))
    if workers <= 1 or len(items) < chunksize:
        initializer(*initargs)
        yield from map(fn, items)
        return
    with process_pool(workers, initializer, initargs) as pool:
        try:
            yield from pool.map(fn, items, chunksize=chunksize)
        finally:
            pool.shutdown(cancel_futures=True)
