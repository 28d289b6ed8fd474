"""The ``develop`` dependency group holds what the demo's Home Assistant imports.

Home Assistant runs with ``--skip-pip`` and always sets up its default integrations and
base platforms; each integration it sets up (with its dependencies and the integrations it
sets up after, whose modules it imports) needs its manifest's requirements installed. The
tests themselves run with the larger ``dev`` group, so only this check notices a missing
package, or a pin that no longer matches after a Home Assistant upgrade.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
import re
import tomllib

from homeassistant import bootstrap
from homeassistant.const import BASE_PLATFORMS

from .hass_config import DEVELOP_CONFIG, REPO

COMPONENTS = Path(bootstrap.__file__).parent / "components"


def _name(requirement: str) -> str:
    return (
        re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
    )


def _manifest(domain: str) -> dict[str, list[str]]:
    return dict(json.loads((COMPONENTS / domain / "manifest.json").read_text()))


def demo_domains() -> set[str]:
    """Return every integration the demo's Home Assistant may set up or import."""
    configured = set(re.findall(r"^([a-z_]+):", DEVELOP_CONFIG, re.MULTILINE))
    todo = [*configured, *bootstrap.DEFAULT_INTEGRATIONS, *BASE_PLATFORMS]
    seen: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen or not (COMPONENTS / domain / "manifest.json").exists():
            continue
        seen.add(domain)
        manifest = _manifest(domain)
        todo += manifest.get("dependencies", []) + manifest.get(
            "after_dependencies", []
        )
    return seen


def test_develop_group_pins_what_the_demo_needs() -> None:
    """Each requirement comes with Home Assistant or is pinned alike in the group."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    group = {
        _name(r): r
        for r in pyproject["dependency-groups"]["develop"]
        if isinstance(r, str)
    }
    core = {_name(r) for r in importlib.metadata.requires("homeassistant") or []}
    needed = {
        requirement
        for domain in demo_domains()
        for requirement in _manifest(domain).get("requirements", [])
        if _name(requirement) not in core
    }
    assert "conversation" in demo_domains()
    missing = sorted(r for r in needed if group.get(_name(r)) != r)
    assert missing == [], f"pin these in the develop group: {missing}"
