"""Which simulator readings the client and integration tests run against.

``--sim-profile=strict`` (``scripts/test`` runs both) starts every simulator of those
suites from ``SimOptions.strict()``; a test's own options still win, so a test about one
reading pins it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from smartserver_sim import SimOptions

PROFILES = ("default", "strict")

_selected = ["default"]


def select(name: str) -> None:
    """Use ``name`` for the simulators started from now on."""
    if name not in PROFILES:
        raise ValueError(f"unknown simulator profile {name!r}")
    _selected[0] = name


def current() -> str:
    """Return the selected profile."""
    return _selected[0]


def sim_options(**overrides: Any) -> SimOptions:
    """Return the profile's options with ``overrides``."""
    base = SimOptions.strict() if current() == "strict" else SimOptions()
    return replace(base, **overrides)
