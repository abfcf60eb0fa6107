"""Rendering many charts through the cache: a new kind of chart is one module, and its pictures
are drawn again when its drawing code changes."""

from __future__ import annotations

import importlib
import sys

from generator.charts import plans as charts

NEW_CHART = '''
"""A new kind of chart: its plan (words, data table) and its drawing, in one module."""
from generator.charts.plans import Chart


def dot_chart(label: str, value: float) -> Chart:
    title = f"{label}: {value:g}"
    return Chart((f"{__name__}:draw_dot", (value, title)), title, f"One dot at {value:g}.",
                 ("Label", "Value"), ((label, f"{value:g}"),))


def draw_dot(value: float, title: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg"><title>{title}</title><circle r="{value:g}"/></svg>'
'''


def test_a_new_kind_of_chart_is_one_module_with_no_registry_to_edit(tmp_path, monkeypatch):
    """CONTRIBUTING's walk: a chart module of its own (plan and drawing) plus the page that calls
    it; rendering, caching and the cache key need nothing else. The key follows the new module's
    code, so editing its drawing redraws its pictures."""
    from generator.base.cache import Cache
    from generator.charts.render import render

    (tmp_path / "dot_chart_kind.py").write_text(NEW_CHART, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import dot_chart_kind

    chart = dot_chart_kind.dot_chart("Area one", 3.0)
    cache = Cache(tmp_path / "cache.sqlite")
    svg = render({"dot": chart}, cache)["dot"]
    assert '<circle r="3"/>' in svg and "<title>Area one: 3</title>" in svg
    assert render({"dot": chart}, cache)["dot"] == svg and cache.hits >= 1
    before = chart.key
    (tmp_path / "dot_chart_kind.py").write_text(NEW_CHART.replace('r="', 'cx="1" r="'), encoding="utf-8")
    importlib.reload(dot_chart_kind)  # as a new process would load it
    charts.drawing_code.cache_clear()
    assert chart.key != before
    assert '<circle cx="1" r="3"/>' in render({"dot": chart}, cache)["dot"]
    monkeypatch.delitem(sys.modules, "dot_chart_kind")
    charts.drawing_code.cache_clear()
