"""Mutants of the Home Assistant layer: the hot path, the flows, the hub.

Add ``Mutant`` entries as in ``client.py``; ``scripts/mutate --area ha`` runs them. The
write path's are named ``writes: …`` (``scripts/mutate --area ha -k writes``).
"""

from __future__ import annotations

from .mutant import Mutant

HA = "custom_components/smartserver_iap/"
WRITES = "tests/integration/test_writes.py"
CONTROL_TYPES = "tests/integration/test_control_types.py"
FOLLOW = "tests/integration/test_follow.py"
SENSOR = "tests/integration/test_sensor.py"
TYPES = "tests/integration/test_datapoint_types.py"
INIT = "tests/integration/test_init.py"
TOLERANCE = "tests/integration/test_tolerance.py"

MUTANTS: list[Mutant] = [
    # -- writes: coalescing and rate ---------------------------------------------------
    Mutant(
        "writes: a merged write keeps the older value (the first wins)",
        HA + "writes.py",
        "request.waiters.extend(replaced.waiters)",
        "replaced.waiters.append(future)\n"
        "            queue.requests[priority] = replaced\n"
        "            await future\n"
        "            return",
        (f"{WRITES}::test_writes_coalesce",),
    ),
    Mutant(
        "writes: callers merged into a newer write are never answered",
        HA + "writes.py",
        "request.waiters.extend(replaced.waiters)",
        "pass",
        (f"{WRITES}::test_writes_coalesce",),
    ),
    Mutant(
        "writes: writes at different priorities merge",
        HA + "writes.py",
        "replaced = queue.requests.pop(priority, None)",
        "replaced = queue.requests.pop(next(iter(queue.requests), priority), None)",
        (f"{WRITES}::test_writes_at_two_priorities_both_sent",),
    ),
    Mutant(
        "writes: no spacing between writes to one datapoint",
        HA + "writes.py",
        "MIN_WRITE_INTERVAL = 0.2",
        "MIN_WRITE_INTERVAL = 0.0",
        (f"{WRITES}::test_writes_spread_over_a_second",),
    ),
    Mutant(
        "writes: a second request starts while one is on its way",
        HA + "writes.py",
        "if queue.task is None:",
        "if True:",
        (f"{WRITES}::test_one_write_in_flight",),
    ),
    # -- writes: confirmation ----------------------------------------------------------
    Mutant(
        "writes: done when the SmartServer answers, without waiting for the echo",
        HA + "writes.py",
        "await echoed.wait()",
        "pass",
        (f"{WRITES}::test_write_waits_for_a_late_echo",),
    ),
    Mutant(
        "writes: a datapoint that did not echo is waited for again every time",
        HA + "writes.py",
        "self._silent.add(qualifier)",
        "pass",
        (f"{WRITES}::test_unechoed_input_read_back",),
    ),
    Mutant(
        "writes: an unchanged value waits for an echo that never comes",
        HA + "writes.py",
        "current is not None and values_match(expected, current.value, tolerance)",
        "False",
        (f"{WRITES}::test_read_back_of_another_value",),
    ),
    Mutant(
        "writes: a read-back is not shown by the entity",
        HA + "writes.py",
        "self._listeners.notify(qualifier)",
        "pass",
        (f"{WRITES}::test_read_back_of_another_value",),
    ),
    Mutant(
        "writes: a read-back that differs confirms the write anyway",
        HA + "writes.py",
        "if not values_match(expected, reported, tolerance):",
        "if reported is None:",
        (f"{WRITES}::test_read_back_of_another_value",),
    ),
    Mutant(
        "writes: a relinquish is not read back (the entity waits for a push)",
        HA + "writes.py",
        "# The level below takes over: show what it holds.\n"
        "                await self._read_back(qualifier)",
        "# The level below takes over.",
        (f"{WRITES}::test_write_waits_for_a_late_echo",),
    ),
    Mutant(
        "writes: a failed write is not counted",
        HA + "writes.py",
        "self.stats.failed += 1",
        "pass",
        (f"{WRITES}::test_priority_conflict_and_relinquish",),
    ),
    # -- writes: priority ----------------------------------------------------------------
    Mutant(
        "writes: the priority asked for is ignored",
        HA + "writes.py",
        "self.priority if priority is None else priority,\n"
        "            _Request(value, False",
        "self.priority,\n            _Request(value, False",
        (f"{WRITES}::test_write_datapoint_action_at_a_priority",),
    ),
    Mutant(
        "writes: the entry's write priority is ignored",
        HA + "writes.py",
        "entry.options.get(CONF_WRITE_PRIORITY, DEFAULT_WRITE_PRIORITY)",
        "DEFAULT_WRITE_PRIORITY",
        (f"{WRITES}::test_entry_priority_option",),
    ),
    Mutant(
        "writes: a refusal names the priority levels, not the one in control",
        HA + "writes.py",
        'values.get("level")',
        'values.get("levels")',
        (f"{WRITES}::test_priority_conflict_and_relinquish",),
    ),
    # -- writes: entities and the type table ---------------------------------------------
    Mutant(
        "writes: a number outside its type's range is sent",
        HA + "number.py",
        "if not math.isfinite(value) or not (",
        "if not math.isfinite(value) and not (",
        (f"{WRITES}::test_bad_values_write_nothing",),
    ),
    Mutant(
        "writes: a light's brightness sent as a fraction, not a percentage",
        HA + "light.py",
        "max(brightness * 100 / 255, 0.5)",
        "max(brightness / 255, 0.5)",
        (f"{WRITES}::test_write_held_at_priority_and_echoed",),
    ),
    Mutant(
        "writes: a select sends its option, not the member name",
        HA + "datapoint_types.py",
        'return f"{description.prefix}{option}".upper()',
        "return option.upper()",
        (f"{CONTROL_TYPES}::test_enum_inputs_are_selects",),
    ),
    Mutant(
        "writes: a lamp's SNVT_switch is a switch",
        HA + "datapoint_types.py",
        "return any(_names_say(datapoint, word) for word in LAMP_WORDS)",
        'return any(_names_say(datapoint, word) for word in ("lamp",))',
        (f"{CONTROL_TYPES}::test_lamp_rule",),
    ),
    Mutant(
        "writes: the takeover probe reads inputs too",
        HA + "coordinator.py",
        "self.handle_event, probe_candidates=self._probe_candidates",
        "self.handle_event",
        (f"{WRITES}::test_takeover_probe_reads_outputs_only",),
    ),
    Mutant(
        "writes: inputs of followed devices are not followed by default",
        HA + "follow.py",
        "return datapoint.direction is Direction.OUTPUT or is_controllable(datapoint)",
        "return datapoint.direction is Direction.OUTPUT",
        (f"{FOLLOW}::test_select",),
    ),
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
