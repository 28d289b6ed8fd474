"""Mutants of the Home Assistant layer: the hot path, the flows, the hub.

Add ``Mutant`` entries as in ``client.py``; ``scripts/mutate --area ha`` runs them.
"""

from __future__ import annotations

from .mutant import Mutant

HA = "custom_components/smartserver_iap/"
TOLERANCE = "tests/integration/test_tolerance.py"

MUTANTS: list[Mutant] = [
    Mutant(
        "entity: an unreadable datapoint's entity stays available",
        HA + "entity.py",
        "return self._qualifier not in self._unreadable and super().available",
        "return super().available",
        (f"{TOLERANCE}::test_an_unreadable_datapoint_is_unavailable_alone",),
    ),
]
