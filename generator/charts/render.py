"""Draw many charts: unchanged ones come from the cache, the rest are drawn here.

Every chart is written straight as SVG (:mod:`generator.charts.svgplot`), well under a millisecond
each, so drawing needs no pool: a national site's 1,172 charts take about a third of a second.
A chart's cache key is a digest of its plan and of the drawing code
(:attr:`generator.charts.plans.Chart.key`), so after one new return only the charts whose numbers
moved are drawn again."""

from __future__ import annotations

from collections.abc import Mapping

from generator.base.cache import Cache
from generator.base.progress import Progress
from generator.charts import plans as charts


def render(wanted: Mapping[str, charts.Chart], cache: Cache) -> dict[str, str]:
    """SVG text for every chart in ``wanted`` (name -> chart), in the same order."""
    by_key = {c.key: c for c in wanted.values()}
    found = {k: v.decode() for k, v in cache.get_many("chart", by_key).items()}
    drawn: dict[str, str] = {}
    with Progress("Drawing charts", len(by_key) - len(found)) as bar:
        for k, c in by_key.items():
            if k not in found:
                drawn[k] = charts.draw(c)
                bar.advance()
    cache.put_many("chart", {k: v.encode() for k, v in drawn.items()})
    found.update(drawn)
    return {name: found[c.key] for name, c in wanted.items()}
