"""Page goldens: one area page and one indicator page of the small demo, as Markdown, compared
with the copies kept in ``tests/goldens/``. Any change to what those pages say shows up here as
a diff, to be read and accepted deliberately:

    KPI_WRITE_GOLDENS=1 .venv/bin/pytest tests/test_goldens.py   # then review `git diff tests/goldens`
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from generator.calc.row import Row
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.publish.dataset import build_dataset
from generator.publish.quality import data_quality
from generator.site.context import Context
from generator.site.pages import build_pages

GOLDENS = Path(__file__).resolve().parent / "goldens"
PAGES = {
    "generated/areas/ps04.md": "area-ps04.md",
    "generated/indicators/ex02-job-outcome-rate.md": "indicator-ex02-job-outcome-rate.md",
}


@pytest.fixture(scope="module")
def pages(small_demo) -> dict[str, str]:
    catalogue, registry = load_catalogue(), load_registry()
    returns = small_demo.current_returns()
    rows = build_dataset(returns, catalogue, registry)
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())
    built, _ = build_pages(Context([Row.of(r) for r in rows], quality, catalogue, registry, "2025-26 Q4"))
    return {p.path: p.text for p in built if p.path in PAGES}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_the_page_is_as_its_golden(pages, path):
    text, golden = pages[path], GOLDENS / PAGES[path]
    if os.environ.get("KPI_WRITE_GOLDENS"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"wrote {golden.name}: review it with git diff before committing")
    assert golden.exists(), f"no golden {golden}: run with KPI_WRITE_GOLDENS=1 to make it"
    kept = golden.read_text(encoding="utf-8")
    if text != kept:
        diff = difflib.unified_diff(kept.splitlines(), text.splitlines(), "golden", "now", n=1, lineterm="")
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"{path} differs from {golden.name} (if the change is meant, rewrite the goldens with "
            f"KPI_WRITE_GOLDENS=1 and review the diff):\n{shown}"
        )
