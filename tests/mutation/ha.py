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
    Mutant(
        "connection: the takeover check option is ignored",
        HA + "connection.py",
        "    if options.get(CONF_TAKEOVER_CHECK, True):\n        return timings\n",
        "    return timings\n",
        (
            "tests/integration/test_options_flow.py::test_takeover_check_can_be_switched_off",
        ),
    ),
    Mutant(
        "options flow: choosing what to follow drops the takeover check",
        HA + "options_flow.py",
        "return self.async_create_entry(data={**kept, **self._options})",
        "return self.async_create_entry(data=self._options)",
        (
            "tests/integration/test_options_flow.py::test_takeover_check_can_be_switched_off",
        ),
    ),
    Mutant(
        "coordinator: entities are not written after a takeover",
        HA + "coordinator.py",
        "                # The values read again are in the site: every entity once.\n"
        "                self.device_listeners.notify_all()",
        "                pass",
        (f"{TOLERANCE}::test_values_missed_during_a_takeover_are_shown",),
    ),
]
