"""Mutants of the Home Assistant layer: the hot path, the flows, the hub.

Add ``Mutant`` entries as in ``client.py``; ``scripts/mutate --area ha`` runs them.
"""

from __future__ import annotations

from .mutant import Mutant

HA = "custom_components/smartserver_iap/"
SENSOR = "tests/integration/test_sensor.py"
TYPES = "tests/integration/test_datapoint_types.py"
INIT = "tests/integration/test_init.py"

MUTANTS: list[Mutant] = [
    # -- issue 10: nothing lost under faults --------------------------------------------
    Mutant(
        "sensor: a value out of its type's range is shown (10.7)",
        HA + "sensor.py",
        'if valid[0] <= cast("float", value) <= valid[1]:',
        "if True:",
        (f"{SENSOR}::test_implausible_values_unknown_and_counted",),
    ),
    Mutant(
        "entity: a rejected value is counted at every state write (10.7)",
        HA + "entity.py",
        "if update is not self._rejected:",
        "if True:",
        (f"{SENSOR}::test_implausible_values_unknown_and_counted",),
    ),
    Mutant(
        "types: every numeric type takes any finite number (10.7)",
        HA + "datapoint_types.py",
        'VALUE_RANGES.get(type_name or "", FINITE)',
        "FINITE",
        (f"{TYPES}::test_valid_ranges",),
    ),
    Mutant(
        "types: a switch level of 150 % is plausible (10.7)",
        HA + "datapoint_types.py",
        "            valid_range=SWITCH_LEVEL_RANGE,\n",
        "",
        (f"{TYPES}::test_valid_ranges",),
    ),
    Mutant(
        "coordinator: one refused login at setup starts a reauth (10.4)",
        HA + "coordinator.py",
        "            await asyncio.sleep(SETUP_AUTH_RETRY_DELAY)\n            await self._async_read_site()",
        "            raise",
        (f"{INIT}::test_setup_stray_401_is_no_reauth",),
    ),
]
