"""Draw many charts: unchanged ones come from the cache, the rest are drawn across cores.

Most charts are written straight as SVG (:mod:`generator.svgplot`), well under a millisecond
each; funnel plots are drawn by matplotlib, tens of milliseconds each, so those go to a pool
when there are enough of them. A chart's cache key is a digest of its plan and
of the drawing code (:attr:`generator.charts.Chart.key`), so after one new return only the
charts whose numbers moved are drawn again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from . import charts
from .cache import Cache
from .pools import process_pool
from .progress import Progress


def _draw(chart: charts.Chart) -> str:
    return charts.draw(chart)


def render(wanted: Mapping[str, charts.Chart], cache: Cache, workers: int | None = None) -> dict[str, str]:
    """SVG text for every chart in ``wanted`` (name -> chart), in the same order."""
    by_key = {c.key: c for c in wanted.values()}
    found = {k: v.decode() for k, v in cache.get_many("chart", by_key).items()}
    todo = [c for k, c in by_key.items() if k not in found]
    # most charts are written as SVG in a fraction of a millisecond: here, in order; those
    # matplotlib draws (tens of milliseconds each) go to a pool when there are enough of them
    slow = [c for c in todo if c.plot[0] in charts.MATPLOTLIB]
    quick = [c for c in todo if c.plot[0] not in charts.MATPLOTLIB]
    workers = workers or os.cpu_count() or 1
    drawn: dict[str, str] = {}
    with Progress("Drawing charts", len(todo)) as bar:
        if workers == 1 or len(slow) < 8:
            quick += slow
        else:
            with process_pool(workers) as pool:
                for c, svg in zip(slow, pool.map(_draw, slow, chunksize=2), strict=True):
                    drawn[c.key] = svg
                    bar.advance()
        for c in quick:
            drawn[c.key] = _draw(c)
            bar.advance()
    cache.put_many("chart", {k: v.encode() for k, v in drawn.items()})
    found.update(drawn)
    return {name: found[c.key] for name, c in wanted.items()}
