"""Which modules a module imports (generator.base.imports): every form of import is seen, since the
cache's fingerprint and the architecture tests rest on it."""

from __future__ import annotations

from generator.base.imports import imported_names


def test_every_import_form_is_seen() -> None:
    """The reader behind the stage rule, the cycle search and the cache's fingerprint misses no
    form of import: a dotted ``import``, relative imports (banned by ruff, but seen), imports in
    a function, and the ``else`` of a type-checking block (which runs)."""
    source = """
import generator.calc.stats
from . import verdicts
from ..base import names
from .pooling import Bag
if TYPE_CHECKING:
    from generator.site import markup
else:
    from generator.charts import plans
def later():
    from generator.publish.dataset import Dataset
"""
    got = imported_names(source, "generator.calc.x", package=False, runtime_only=True, parents=False)
    assert got >= {
        "generator.calc.stats",
        "generator.calc.verdicts",
        "generator.base.names",
        "generator.calc.pooling",
        "generator.charts.plans",
        "generator.publish.dataset",
    }
    assert "generator.site.markup" not in got and "generator" not in got  # no parents asked for
    with_types = imported_names(source, "generator.calc.x", package=False, runtime_only=False)
    assert {"generator.site.markup", "generator.charts", "generator"} <= with_types
    inside = imported_names("from . import y", "generator.calc", package=True, runtime_only=True)
    assert "generator.calc.y" in inside
