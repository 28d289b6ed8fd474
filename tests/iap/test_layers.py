"""The client's imports run one way: no module imports one that imports it back.

Imports under ``if TYPE_CHECKING:`` count: a cycle through type hints is a cycle of
knowledge all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

IAP = Path(__file__).parents[2] / "custom_components" / "smartserver_iap" / "iap"
HOME_ASSISTANT = ("homeassistant", "custom_components.smartserver_iap.")


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Return the sibling modules and the absolute modules ``path`` imports."""
    siblings: set[str] = set()
    absolute: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module is None:
                    siblings.update(alias.name for alias in node.names)
                else:
                    siblings.add(node.module.split(".")[0])
            elif node.level == 0 and node.module is not None:
                absolute.add(node.module)
            else:
                absolute.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            absolute.update(alias.name for alias in node.names)
    return siblings, absolute


def import_graph(package: Path) -> dict[str, set[str]]:
    """Return each module of ``package`` with the sibling modules it imports."""
    return {
        path.stem: _imports(path)[0]
        for path in sorted(package.glob("*.py"))
        if path.stem != "__init__"
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle (its modules, first repeated last), or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done or module not in graph:
            return None
        for imported in sorted(graph[module]):
            cycle = visit(imported, [*path, module])
            if cycle is not None:
                return cycle
        done.add(module)
        return None

    for module in graph:
        cycle = visit(module, [])
        if cycle is not None:
            return cycle
    return None


def test_find_cycle_sees_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_iap_imports_run_one_way() -> None:
    graph = import_graph(IAP)
    assert "client" in graph
    assert find_cycle(graph) is None


def test_only_the_facade_imports_the_facade() -> None:
    users = {
        module for module, imported in import_graph(IAP).items() if "client" in imported
    }
    assert users == set()


@pytest.mark.parametrize("path", sorted(IAP.glob("*.py")), ids=lambda p: p.name)
def test_iap_imports_nothing_from_home_assistant(path: Path) -> None:
    siblings, absolute = _imports(path)
    assert not [
        m for m in absolute if m.startswith(HOME_ASSISTANT) or m.startswith(".")
    ]
    assert all((IAP / f"{module}.py").exists() for module in siblings)
