"""The benchmarking site's generated pages: plain Python output, deterministic, escaped.

``build_pages`` turns the published (disclosure-controlled) rows, the catalogue and the registry
into Markdown pages and charts; ``write_pages`` writes only what changed. No text from a return
or the registry ever passes through Jinja: generated pages are not rendered by mkdocs-macros
(``render_by_default: false``) and every value is escaped for Markdown and HTML.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from generator.charts import plans as charts
from generator.publish.safe_csv import neutralise
from generator.site.area import area_page
from generator.site.context import Context, rows_by_key
from generator.site.front import areas_index, dictionary, downloads, home_page, indicators_index
from generator.site.glossary import abbreviations, glossary_page, mark_terms
from generator.site.indicator import indicator_page
from generator.site.markup import GENERATED, Page
from generator.site.parts import NARROW
from generator.site.questions import load as load_questions


def build_pages(
    ctx: Context, area_downloads: Callable[[], Mapping[str, int]] = dict
) -> tuple[list[Page], dict[str, charts.Chart]]:
    """Every generated page and chart but the Downloads page (:func:`downloads_page`, made once
    the files it offers are written); nothing is written here. Each area page links its own
    files with their sizes, ``area_downloads()`` (by path under downloads/), asked for last: the
    build writes those files while the pages are made."""
    idx = rows_by_key(ctx.rows)
    chart_out: dict[str, charts.Chart] = {}
    pages = [home_page(ctx, idx), areas_index(ctx), indicators_index(ctx), dictionary(ctx)]
    pages += [glossary_page(ctx.glossary), abbreviations(ctx.glossary)]
    questions = load_questions({s.indicator_id for s in ctx.specs})
    areas = [
        area_page(ctx, idx, area, name, questions, chart_out)
        for area, name in sorted(ctx.registry.areas.items())
    ]
    for ind_id in sorted({s.indicator_id for s in ctx.specs}):
        pages.append(indicator_page(ctx, idx, ind_id, chart_out))
    sizes = area_downloads()
    pages += [finish(sizes) for finish in areas]
    pages = [_marked(p, ctx) for p in pages]
    paths = Counter(p.path for p in pages)
    if twice := sorted(path for path, n in paths.items() if n > 1):
        # one page would be written over another (an area code named like a page of the site)
        raise ValueError(f"two pages of the site would be {', '.join(twice)}")
    return pages, chart_out


def downloads_page(ctx: Context, sizes: Mapping[str, int]) -> Page:
    """The Downloads page, with the size of every file it offers as written (``sizes``, by path
    under downloads/)."""
    return _marked(downloads(ctx, sizes), ctx)


def _marked(page: Page, ctx: Context) -> Page:
    return replace(page, text=mark_terms(page.text, ctx.glossary))


def chart_csv(c: charts.Chart) -> bytes:
    """A chart's data table as CSV (for the downloads a chart links to); text that a spreadsheet
    would run as a formula is neutralised, as in the published dataset."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(c.header)
    w.writerows([neutralise(x) for x in row] for row in c.rows)
    return out.getvalue().encode("utf-8")


def write_pages(
    site_src: Path,
    pages: Sequence[Page],
    svgs: Mapping[str, str],
    tables: Mapping[str, charts.Chart] | None = None,
) -> int:
    """Write pages, drawn charts (name -> SVG text) and each chart's data as CSV (``tables``);
    only files whose bytes change are rewritten, so MkDocs and browsers see unchanged files as
    unchanged. Returns how many were."""
    changed = 0
    wanted = {site_src / p.path: p.text.encode() for p in pages}
    wanted.update({site_src / GENERATED / "charts" / f"{k}.svg": svg.encode() for k, svg in svgs.items()})
    wanted.update(
        {
            site_src / GENERATED / "charts" / f"{k}.csv": chart_csv(c)
            for k, c in (tables or {}).items()
            if not k.endswith(NARROW)  # a phone's picture of a chart: the page links the chart's own
        }
    )
    for path, data in wanted.items():
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed += 1
    gen = site_src / GENERATED
    offered = gen / "downloads"  # the files the site offers: written by the build, each its own way
    for stale in [
        p for p in gen.rglob("*") if p.is_file() and p not in wanted and not p.is_relative_to(offered)
    ]:
        stale.unlink()
        changed += 1
    return changed
