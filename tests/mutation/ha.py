"""Mutants of the Home Assistant layer: the hot path, the flows, the hub.

Empty for now: the HA layer is being reshaped (issue 8). Add ``Mutant`` entries as in
``client.py``; ``scripts/mutate --area ha`` runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .mutant import Mutant

MUTANTS: list[Mutant] = []
