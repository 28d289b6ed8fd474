"""Mutants of the simulator (``smartserver_sim/``).

Empty for now: the simulator is being split (issue 8). Add ``Mutant`` entries as in
``client.py``; ``scripts/mutate --area sim`` runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .mutant import Mutant

MUTANTS: list[Mutant] = []
