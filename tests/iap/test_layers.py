"""The client's imports run one way: no module imports one that imports it back.

Imports under ``if TYPE_CHECKING:`` count: a cycle through type hints is a cycle of
knowledge all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.import_graph import import_cycles, import_graph, package_name

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


def test_iap_imports_run_one_way() -> None:
    assert import_cycles(IAP) == []


def test_only_the_facade_imports_the_facade() -> None:
    package = package_name(IAP)
    client = f"{package}.client"
    users = {m for m, imported in import_graph(IAP).items() if client in imported}
    # Only the package's __init__ re-exports it.
    assert users == {package}


@pytest.mark.parametrize("path", sorted(IAP.glob("*.py")), ids=lambda p: p.name)
def test_iap_imports_nothing_from_home_assistant(path: Path) -> None:
    siblings, absolute = _imports(path)
    assert not [
        m for m in absolute if m.startswith(HOME_ASSISTANT) or m.startswith(".")
    ]
    assert all((IAP / f"{module}.py").exists() for module in siblings)
