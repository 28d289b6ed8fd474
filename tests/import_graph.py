"""The import graph of a Python package, read with ``ast``, and the cycles in it.

Every import statement counts wherever it stands: at module level, under
``if TYPE_CHECKING:``, or inside a function (where an import is often put to hide a
cycle). Only edges between modules of the package itself are kept.

Reusable for any package: ``import_cycles(Path("custom_components/smartserver_iap/iap"))``.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def package_name(package: Path) -> str:
    """Return the dotted name of a package directory (its parents with ``__init__.py``)."""
    package = package.resolve()
    parts = [package.name]
    parent = package.parent
    while (parent / "__init__.py").is_file():
        parts.insert(0, parent.name)
        parent = parent.parent
    return ".".join(parts)


def package_modules(package: Path) -> dict[str, Path]:
    """Return every module of a package (subpackages too) by dotted name."""
    package = package.resolve()
    root = package_name(package)
    modules: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).with_suffix("").parts
        if any(part == "__pycache__" for part in relative):
            continue
        if relative[-1] == "__init__":
            relative = relative[:-1]
        modules[".".join((root, *relative))] = path
    return modules


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Resolve ``from <level dots><target> import ...`` seen in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(module: str, path: Path, modules: set[str]) -> set[str]:
    """Return the modules of ``modules`` that ``module`` (at ``path``) imports.

    ``from pkg import sub`` depends on the submodule ``pkg.sub`` only; it depends on
    ``pkg`` itself (its ``__init__``) when it takes a name defined there.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node.level, node.module)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in modules else source)
    return {name for name in found if name in modules and name != module}


def import_graph(package: Path) -> dict[str, set[str]]:
    """Return module -> the package's modules it imports."""
    modules = package_modules(package)
    names = set(modules)
    return {name: imports_of(name, path, names) for name, path in modules.items()}


def import_cycles(package: Path) -> list[list[str]]:
    """Return the import cycles of a package: each a list of modules, first one repeated.

    One cycle is reported per strongly connected component (Tarjan), so a tangle of
    several modules shows up once, as a path through all of them where one exists.
    """
    graph = import_graph(package)
    return [_cycle_through(graph, sorted(c)) for c in _components(graph) if len(c) > 1]


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _cycle_through(graph: dict[str, set[str]], members: list[str]) -> list[str]:
    """Return a closed walk from the first member back to itself inside the component."""
    inside = set(members)
    start = members[0]
    path = [start]
    seen = {start}

    def walk(node: str) -> bool:
        for succ in sorted(graph[node] & inside):
            if succ == start and len(path) > 1:
                path.append(start)
                return True
            if succ not in seen:
                seen.add(succ)
                path.append(succ)
                if walk(succ):
                    return True
                path.pop()
        return False

    walk(start)
    return path
