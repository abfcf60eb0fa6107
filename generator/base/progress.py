"""Progress bars on stderr for the long steps, and only where someone is watching.

A bar appears only when stderr is a terminal and the step has run for more than two seconds,
so logs, pipes and tests stay clean. A thin wrapper over tqdm (a well-kept library that handles
terminal widths, rates and time estimates better than code of ours would).
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

from tqdm import tqdm

DELAY = 2.0  # seconds before a bar is worth showing


class Progress:
    def __init__(self, what: str, total: int) -> None:
        self.what, self.total = what, total
        self._bar: tqdm[Any] | None = None

    def __enter__(self) -> Progress:
        if self.total and sys.stderr.isatty():
            self._bar = tqdm(
                total=self.total, desc=self.what, unit="", delay=DELAY, leave=False, file=sys.stderr
            )
        return self

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def stage(self, name: str) -> None:
        """Name what is being done now, beside the bar (for a step made of a few long stages):
        shown at once once the bar is showing, and not before (a quick step shows no bar)."""
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=self._bar.format_dict["elapsed"] >= self._bar.delay)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()
