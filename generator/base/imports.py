"""Which modules a module's source imports, in every form Python allows.

Two things rest on it: the build cache's code fingerprint (an entry must stop matching when any
module it depends on changes) and the architecture tests (stages in order, no cycles). Both go
wrong silently if an import form is missed, so every form is read here, once: ``import a.b``,
``from a.b import c``, relative imports, and imports inside functions.
"""

from __future__ import annotations

import ast


def imported_names(
    source: str | bytes, module: str, *, package: bool, runtime_only: bool, parents: bool = True
) -> set[str]:
    """Every dotted name the source may import, in full: for ``from a.b import c``, both ``a.b``
    and ``a.b.c`` (c may be a module or a name in a.b); for ``import a.b.c``, ``a.b.c``. ``parents``: with
    their parent packages, as importing a module runs their ``__init__`` first. ``module`` names the
    source (``package``: it is an ``__init__``), to resolve relative imports; ``runtime_only``
    leaves out what an ``if TYPE_CHECKING:`` block imports (its ``else`` still runs)."""
    here = module.split(".") if package else module.split(".")[:-1]
    found: set[str] = set()

    def add(name: str) -> None:
        parts = name.split(".")
        found.update(".".join(parts[:k]) for k in range(1 if parents else len(parts), len(parts) + 1))

    def visit(node: ast.AST) -> None:
        if runtime_only and isinstance(node, ast.If) and _type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                base = ".".join([*up, *([node.module] if node.module else [])])
            if base:
                add(base)
            for alias in node.names:
                if alias.name != "*":
                    add(f"{base}.{alias.name}" if base else alias.name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def _type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``, alone: nothing else spares a block."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
