"""Imports run one way: no cycles in the simulator, and routes never reach the lifecycle."""

from __future__ import annotations

from pathlib import Path

import pytest

import smartserver_sim
from tests.import_graph import import_cycles, import_graph, package_name

SIM_PACKAGE = Path(smartserver_sim.__file__).parent
ROUTES = ("server", "devices", "datapoints", "alarms", "wsroutes", "control")


def test_simulator_has_no_import_cycles() -> None:
    assert import_cycles(SIM_PACKAGE) == []


@pytest.mark.parametrize("route", ROUTES)
def test_routes_do_not_reach_the_lifecycle(route: str) -> None:
    graph = import_graph(SIM_PACKAGE)
    reached: set[str] = set()
    todo = [f"smartserver_sim.{route}"]
    while todo:
        module = todo.pop()
        for imported in graph[module] - reached:
            reached.add(imported)
            todo.append(imported)
    assert "smartserver_sim.state" in reached or route == "server"
    assert "smartserver_sim.sim" not in reached
    assert "smartserver_sim" not in reached


def make_package(root: Path, files: dict[str, str]) -> Path:
    """Write ``pkg/<relative path>: source`` files (``__init__.py`` everywhere)."""
    package = root / "pkg"
    for relative, source in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in (path.parent, *path.parent.parents):
            if folder == root:
                break
            (folder / "__init__.py").touch()
        path.write_text(source)
    return package


TYPE_CHECKING_IMPORT = """\
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from .a import A
"""


@pytest.mark.parametrize(
    ("files", "cycles"),
    [
        pytest.param(
            {"a.py": "from .b import B\n", "b.py": "from .a import A\n"},
            [["pkg.a", "pkg.b", "pkg.a"]],
            id="relative",
        ),
        pytest.param(
            {"a.py": "import pkg.b\n", "b.py": "from pkg.a import A\n"},
            [["pkg.a", "pkg.b", "pkg.a"]],
            id="absolute",
        ),
        pytest.param(
            {"a.py": "from .b import B\n", "b.py": TYPE_CHECKING_IMPORT},
            [["pkg.a", "pkg.b", "pkg.a"]],
            id="type-checking",
        ),
        pytest.param(
            {
                "a.py": "from .b import B\n",
                "b.py": "def f():\n    from .a import A\n",
            },
            [["pkg.a", "pkg.b", "pkg.a"]],
            id="inside-a-function",
        ),
        pytest.param(
            {
                "a.py": "from .b import B\n",
                "b.py": "from .c import C\n",
                "c.py": "from . import a\n",
                "d.py": "from . import a\n",
            },
            [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]],
            id="three-modules",
        ),
        pytest.param(
            {"sub/x.py": "from ..a import A\n", "a.py": "from .sub import x\n"},
            [["pkg.a", "pkg.sub.x", "pkg.a"]],
            id="subpackage",
        ),
        pytest.param(
            {"__init__.py": "from .a import A\n", "a.py": "from . import NAME\n"},
            [["pkg", "pkg.a", "pkg"]],
            id="name-from-init",
        ),
        pytest.param(
            {
                "__init__.py": "from .a import A\n",
                "a.py": "from . import b\n",
                "b.py": "",
            },
            [],
            id="submodule-via-parent",
        ),
        pytest.param(
            {
                "a.py": "from .b import B\nimport os\n",
                "b.py": "from .c import C\n",
                "c.py": "",
            },
            [],
            id="one-way",
        ),
    ],
)
def test_import_cycles_finds_every_kind_of_import(
    tmp_path: Path, files: dict[str, str], cycles: list[list[str]]
) -> None:
    assert import_cycles(make_package(tmp_path, files)) == cycles


def test_package_name_follows_parent_packages(tmp_path: Path) -> None:
    package = make_package(tmp_path, {"inner/deep/m.py": ""})
    assert package_name(package / "inner" / "deep") == "pkg.inner.deep"
    assert package_name(SIM_PACKAGE) == "smartserver_sim"
