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
COORDINATOR = "tests/integration/test_coordinator.py"
LISTENERS = "tests/integration/test_listeners.py"
DIAGNOSTICS = "tests/integration/test_diagnostics.py"
CONFIG_FLOW = "tests/integration/test_config_flow.py"
OPTIONS_FLOW = "tests/integration/test_options_flow.py"
ALARMS = "tests/integration/test_alarms.py"
ALARM_TRACKER = "tests/integration/test_alarm_tracker.py"
HOURLY = "tests/integration/test_hourly.py"
IMPORT = "tests/integration/history/test_import.py"
BACKFILL = "tests/integration/history/test_backfill.py"

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
    # -- the hot path: DatapointsUpdated -> one lookup -> the entity's callback -------
    Mutant(
        "hot path: an update calls no entity",
        HA + "coordinator.py",
        "                if cb is not None:\n                    cb()",
        "                if cb is not None:\n                    pass",
        (f"{SENSOR}::test_value_pushed",),
    ),
    Mutant(
        "hot path: only the first update of a frame is shown",
        HA + "coordinator.py",
        "for update in event.updates:",
        "for update in event.updates[:1]:",
        (f"{SENSOR}::test_value_pushed",),
    ),
    Mutant(
        "hot path: an entity listens under its device id, not its qualifier",
        HA + "entity.py",
        "self.coordinator.datapoint_listeners.add(\n                self._qualifier,",
        "self.coordinator.datapoint_listeners.add(\n                self._device_id,",
        (f"{SENSOR}::test_value_pushed",),
    ),
    Mutant(
        "hot path: an entity keeps a copy of the values read at setup",
        HA + "entity.py",
        "self._values = coordinator.site.values",
        "self._values = dict(coordinator.site.values)",
        (f"{SENSOR}::test_value_pushed",),
    ),
    Mutant(
        "hot path: two entities of one qualifier: only the last is called",
        HA + "listeners.py",
        "self.callbacks[key] = _Fanout(existing, cb)",
        "self.callbacks[key] = cb",
        (
            f"{SENSOR}::test_value_pushed",
            f"{LISTENERS}::test_registry_fans_out_and_unwinds",
        ),
    ),
    Mutant(
        "hot path: a removed entity is still called",
        HA + "listeners.py",
        "            if current is cb:\n                del self.callbacks[key]",
        "            if current is cb:\n                pass",
        (f"{LISTENERS}::test_registry_fans_out_and_unwinds",),
    ),
    # -- link down and up: every entity told (availability) ------------------------------
    Mutant(
        "link: entities stay available when the link is lost",
        HA + "coordinator.py",
        '            _LOGGER.info("Lost connection to %s: %s", self.label, reason)\n'
        "        self.device_listeners.notify_all()",
        '            _LOGGER.info("Lost connection to %s: %s", self.label, reason)',
        (f"{COORDINATOR}::test_link_lost_and_back",),
    ),
    Mutant(
        "link: entities stay unavailable when the link is back",
        HA + "coordinator.py",
        "        # are in the site already.\n        self.device_listeners.notify_all()",
        "        # are in the site already.",
        (f"{COORDINATOR}::test_link_lost_and_back",),
    ),
    Mutant(
        "link: availability ignores the link",
        HA + "coordinator.py",
        "return self.connected and self.site.is_healthy(device_id)",
        "return self.site.is_healthy(device_id)",
        (f"{COORDINATOR}::test_link_lost_and_back",),
    ),
    Mutant(
        "link: a device's status change is not shown",
        HA + "inventory.py",
        "            return\n        self._coordinator.device_listeners.notify(event.device_id)",
        "            return",
        (f"{SENSOR}::test_unavailable_when_device_down",),
    ),
    Mutant(
        "link: setup values stay available without a live link",
        HA + "coordinator.py",
        "if not self._synced and not self._closed:",
        "if False:",
        (f"{COORDINATOR}::test_live_link_never_established",),
    ),
    # -- the outage logged once: INFO when lost, INFO when back ---------------------------
    Mutant(
        "log: every drop of a flapping link is logged",
        HA + "coordinator.py",
        "self._set_link_down(reason, log=new_outage)",
        "self._set_link_down(reason, log=True)",
        (f"{COORDINATOR}::test_flapping_link_logs_one_outage",),
    ),
    Mutant(
        "log: 'back' logged at every resync",
        HA + "coordinator.py",
        "if not self.connected and self._loss_logged:",
        "if not self.connected:",
        (f"{COORDINATOR}::test_flapping_link_logs_one_outage",),
    ),
    Mutant(
        "log: an outage after the first one is never logged",
        HA + "coordinator.py",
        "            self._loss_logged = False\n            _LOGGER.info(",
        "            _LOGGER.info(",
        (f"{COORDINATOR}::test_flapping_link_logs_one_outage",),
    ),
    Mutant(
        "log: the loss is logged at debug level",
        HA + "coordinator.py",
        '_LOGGER.info("Lost connection to %s',
        '_LOGGER.debug("Lost connection to %s',
        (f"{COORDINATOR}::test_link_lost_and_back",),
    ),
    Mutant(
        "log: a live link that keeps failing logs an error at every restart",
        HA + "coordinator.py",
        "        if self._live_failed:\n",
        "        if False:\n",
        (f"{COORDINATOR}::test_live_link_fails_hard",),
    ),
    Mutant(
        "log: a refused login at setup logs the entry's data, password and all",
        HA + "coordinator.py",
        '"%s refused the credentials, asking again: %s", self.host, err',
        '"%s refused the credentials %s, asking again: %s",\n'
        "                self.host,\n"
        "                dict(self.config_entry.data),\n"
        "                err,",
        (f"{DIAGNOSTICS}::test_no_password_or_cookie_in_logs_or_diagnostics",),
    ),
    # -- reauth --------------------------------------------------------------------------
    Mutant(
        "reauth: refused credentials on the live link start no reauth",
        HA + "coordinator.py",
        "            self.config_entry.async_start_reauth(self.hass)",
        "            pass",
        (f"{COORDINATOR}::test_credentials_revoked_start_reauth",),
    ),
    Mutant(
        "reauth: any failure of the live link starts a reauth",
        HA + "coordinator.py",
        "        except IapAuthenticationError as err:\n            if self.closed:",
        "        except IapError as err:\n            if self.closed:",
        (f"{COORDINATOR}::test_live_link_fails_hard",),
    ),
    Mutant(
        "reauth: refused credentials at setup are retried, not a reauth",
        HA + "__init__.py",
        "        return ConfigEntryAuthFailed(",
        "        return ConfigEntryNotReady(",
        (f"{INIT}::test_setup_failures",),
    ),
    # -- follow policy -------------------------------------------------------------------
    Mutant(
        "follow: outputs are not followed by default",
        HA + "follow.py",
        "return datapoint.direction is Direction.OUTPUT or is_controllable(datapoint)",
        "return is_controllable(datapoint)",
        (f"{FOLLOW}::test_select",),
    ),
    Mutant(
        "follow: unprovisioned devices are followed by default",
        HA + "follow.py",
        "            elif not site.devices[device_id].status.is_provisioned:",
        "            elif False:",
        (f"{FOLLOW}::test_select",),
    ),
    Mutant(
        "follow: chosen datapoints get their devices' defaults too",
        HA + "follow.py",
        "                    chosen.append(dp.qualifier)\n                continue\n",
        "                    chosen.append(dp.qualifier)\n",
        (f"{FOLLOW}::test_select",),
    ),
    Mutant(
        "follow: the chosen devices are ignored",
        HA + "follow.py",
        "                if device_id not in self.devices:\n                    continue",
        "                if device_id not in self.devices:\n                    pass",
        (f"{FOLLOW}::test_select",),
    ),
    Mutant(
        "follow: no choice stored means nothing followed",
        HA + "follow.py",
        "None if devices is None else frozenset(devices)",
        "frozenset(devices or ())",
        (f"{FOLLOW}::test_select",),
    ),
    Mutant(
        "follow: a chosen datapoint of an unknown device is followed",
        HA + "follow.py",
        "            if device_id is None:\n                continue",
        "            if device_id is None and self.datapoints is None:\n"
        "                continue",
        (f"{FOLLOW}::test_select",),
    ),
    # -- inventory: devices added and deleted while running -------------------------------
    Mutant(
        "inventory: a deleted device stays in the device registry",
        HA + "inventory.py",
        "        self._coordinator.registry.async_remove(device_id)",
        "        pass",
        (f"{COORDINATOR}::test_new_device_appears",),
    ),
    Mutant(
        "inventory: a deleted device's datapoints stay on the subscribe list",
        HA + "inventory.py",
        '        self._start(self._async_resubscribe(), "resubscribe")',
        "        pass",
        (f"{COORDINATOR}::test_shorter_subscribe_list_fails",),
    ),
    Mutant(
        "inventory: a new device gets no device entities",
        HA + "inventory.py",
        "            self.new_devices.announce([site.devices[d] for d in changes.added])",
        "            pass",
        (f"{COORDINATOR}::test_new_device_appears",),
    ),
    Mutant(
        "inventory: a new device's datapoints get no entities",
        HA + "inventory.py",
        "        self.new_datapoints.announce([site.datapoints[q] for q in newly])",
        "        pass",
        (f"{COORDINATOR}::test_new_device_appears",),
    ),
    Mutant(
        "inventory: a new device's datapoints are not subscribed",
        HA + "inventory.py",
        "            await client.subscribe([*site.subscribed, *newly])",
        "            pass",
        (f"{COORDINATOR}::test_new_device_appears",),
    ),
    Mutant(
        "inventory: devices are not listed again after a reconnect",
        HA + "coordinator.py",
        "            self.inventory.schedule_relist()",
        "            pass",
        (f"{COORDINATOR}::test_devices_changed_while_link_down",),
    ),
    Mutant(
        "inventory: devices removed while the link was down stay",
        HA + "inventory.py",
        "        for device_id in changes.removed:\n            self.deleted(device_id)",
        "        for device_id in changes.removed:\n            pass",
        (f"{COORDINATOR}::test_devices_changed_while_link_down",),
    ),
    Mutant(
        "inventory: a device provisioned later is not followed",
        HA + "inventory.py",
        "        if not event.previous.is_provisioned and event.status.is_provisioned:",
        "        if False:",
        (f"{COORDINATOR}::test_device_provisioned_later",),
    ),
    Mutant(
        "inventory: a device that could not be read is forgotten",
        HA + "inventory.py",
        "                self._pending |= pending\n                self._relist |= relist",
        "                pass",
        (f"{COORDINATOR}::test_unreadable_new_device_read_after_a_reconnect",),
    ),
    Mutant(
        "registry: devices the SmartServer no longer has stay at setup",
        HA + "registry.py",
        "            if not self.is_current(device):",
        "            if False:",
        (f"{INIT}::test_stale_devices_removed_at_setup",),
    ),
    Mutant(
        "registry: a device the SmartServer still has may be removed by hand",
        HA + "__init__.py",
        "return not entry.runtime_data.registry.is_current(device)",
        "return True",
        (f"{INIT}::test_remove_config_entry_device",),
    ),
    # -- diagnostics: no password, user name or cookie ------------------------------------
    Mutant(
        "diagnostics: the entry's data is not redacted",
        HA + "diagnostics.py",
        '"data": async_redact_data(dict(entry.data), TO_REDACT)',
        '"data": dict(entry.data)',
        (f"{DIAGNOSTICS}::test_diagnostics",),
    ),
    Mutant(
        "diagnostics: the password is not in the redaction list",
        HA + "diagnostics.py",
        "TO_REDACT = {CONF_PASSWORD, CONF_USERNAME,",
        "TO_REDACT = {CONF_USERNAME,",
        (f"{DIAGNOSTICS}::test_diagnostics",),
    ),
    # -- config flow: trust once per host + fingerprint; distinct errors ----------------
    Mutant(
        "config flow: a confirmed certificate is asked for again",
        HA + "config_flow.py",
        "            self._trusted.add((host, port, self._presented))",
        "            pass",
        (f"{CONFIG_FLOW}::test_trust_is_asked_once_per_host_and_fingerprint",),
    ),
    Mutant(
        "config flow: a confirmed certificate trusts any certificate of that host",
        HA + "config_flow.py",
        "        if (self._data[CONF_HOST], self._data[CONF_PORT], presented) not in (\n"
        "            self._trusted\n"
        "        ):",
        "        if (self._data[CONF_HOST], self._data[CONF_PORT]) not in {\n"
        "            t[:2] for t in self._trusted\n"
        "        }:",
        (f"{CONFIG_FLOW}::test_trust_is_asked_again_for_a_new_certificate",),
    ),
    Mutant(
        "config flow: the password is suggested again after the trust step",
        HA + "config_flow.py",
        "        suggested.pop(CONF_PASSWORD, None)",
        "        pass",
        (f"{CONFIG_FLOW}::test_trust_is_asked_once_per_host_and_fingerprint",),
    ),
    Mutant(
        "config flow: a lockout is reported as a wrong password",
        HA + "connection_check.py",
        '    if isinstance(err, IapLockedOutError):\n        return "locked_out"\n',
        "",
        (f"{CONFIG_FLOW}::test_user_flow_locked_out",),
    ),
    Mutant(
        "config flow: every connection failure is 'cannot connect'",
        HA + "connection_check.py",
        "return _CONNECTION_ERRORS[err.reason]",
        'return "cannot_connect"',
        (f"{CONFIG_FLOW}::test_user_flow_connection_errors",),
    ),
    Mutant(
        "config flow: a certificate changed on the trust step is 'cannot connect'",
        HA + "config_flow.py",
        '                errors["base"] = "certificate_mismatch"',
        '                errors["base"] = "cannot_connect"',
        (f"{CONFIG_FLOW}::test_trust_step_certificate_changed",),
    ),
    Mutant(
        "config flow: an unexpected error escapes the form",
        HA + "config_flow.py",
        '            _LOGGER.exception("Unexpected error while testing the SmartServer")\n'
        '            error = "unknown"',
        "            raise",
        (f"{CONFIG_FLOW}::test_user_flow_unknown_error",),
    ),
    Mutant(
        "config flow: the same SmartServer can be added twice",
        HA + "config_flow.py",
        "        self._abort_if_unique_id_configured()\n        return self.async_create_entry(",
        "        return self.async_create_entry(",
        (f"{CONFIG_FLOW}::test_user_flow_same_smartserver_aborts",),
    ),
    Mutant(
        "reauth: another SmartServer's credentials are taken",
        HA + "config_flow.py",
        '                self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")\n'
        "                return self.async_update_reload_and_abort(\n"
        "                    entry, data_updates=credentials",
        "                return self.async_update_reload_and_abort(\n"
        "                    entry, data_updates=credentials",
        (f"{CONFIG_FLOW}::test_reauth_other_smartserver",),
    ),
    # -- options flow: each part keeps what the others chose -----------------------------
    Mutant(
        "options flow: the settings drop the followed devices",
        HA + "options_flow.py",
        "followed = {k: v for k, v in options.items() if k not in SETTINGS}",
        "followed: dict[str, Any] = {}",
        (f"{OPTIONS_FLOW}::test_settings_and_choices_keep_each_other",),
    ),
    Mutant(
        "options flow: the lights and switches drop the other options",
        HA + "options_flow.py",
        "data={**options, CONF_SWITCH_KINDS: kinds}",
        "data={CONF_SWITCH_KINDS: kinds}",
        (f"{OPTIONS_FLOW}::test_settings_and_choices_keep_each_other",),
    ),
    Mutant(
        "options flow: a datapoint unticked on its device's page stays followed",
        HA + "options_flow.py",
        "            self._chosen.difference_update(dp.qualifier for dp in candidates)",
        "            pass",
        (f"{OPTIONS_FLOW}::test_choose_datapoints_device_by_device",),
    ),
    Mutant(
        "options flow: following many datapoints is not confirmed",
        HA + "options_flow.py",
        "if count > LARGE_DATAPOINT_COUNT:",
        "if False:",
        (f"{OPTIONS_FLOW}::test_many_datapoints_one_device_at_a_time",),
    ),
    Mutant(
        "options flow: following all stores today's devices (later ones left out)",
        HA + "options_flow.py",
        "        self._options = {}\n",
        "        self._options = {\n"
        "            CONF_DEVICES: [\n"
        "                d.id for d in self._site.devices.values() if d.status.is_provisioned\n"
        "            ]\n"
        "        }\n",
        (f"{OPTIONS_FLOW}::test_follow_all_includes_later_devices",),
    ),
    Mutant(
        "options flow: choosing devices starts from every device, unprovisioned too",
        HA + "options_flow.py",
        "CONF_DEVICES, [d.id for d in devices if d.status.is_provisioned]",
        "CONF_DEVICES, [d.id for d in devices]",
        (f"{OPTIONS_FLOW}::test_choose_devices",),
    ),
    # -- alarms: debounced reads, each alarm announced once --------------------------------
    Mutant(
        "alarms: every alarm is announced again at each read",
        HA + "alarms.py",
        "            if alarm.id not in announced:",
        "            if True:",
        (f"{ALARMS}::test_no_duplicate_after_reconnect",),
    ),
    Mutant(
        "alarms: each frame reads the list at once (no debounce)",
        HA + "alarms.py",
        "REFRESH_DELAY = 0.5",
        "REFRESH_DELAY = 0.0",
        (f"{ALARM_TRACKER}::test_frames_within_the_delay_cost_one_read",),
    ),
    Mutant(
        "alarms: each frame postpones the read (a steady stream is never read)",
        HA + "alarms.py",
        "            if self._due <= due:\n                return\n",
        "",
        (f"{ALARM_TRACKER}::test_frames_within_the_delay_cost_one_read",),
    ),
    Mutant(
        "alarms: a frame during a read brings no second read",
        HA + "alarms.py",
        "        elif self._dirty:\n            self.schedule_refresh()",
        "        elif False:\n            self.schedule_refresh()",
        (f"{ALARM_TRACKER}::test_frame_during_a_read",),
    ),
    Mutant(
        "alarms: an alarm raised and cleared between two reads is not announced",
        HA + "alarms.py",
        "        for alarm_id in cleared_hints:",
        "        for alarm_id in ():",
        (f"{ALARM_TRACKER}::test_raised_and_cleared_unseen",),
    ),
    Mutant(
        "alarms: a device's problem sensor is not told",
        HA + "alarms.py",
        "for device_id in before.keys() ^ counts.keys():",
        "for device_id in ():",
        (f"{ALARMS}::test_raised_and_cleared",),
    ),
    Mutant(
        "alarms: the announced alarms are not saved at unload",
        HA + "alarms.py",
        "            await self._store.async_save(self._stored())",
        "            pass",
        (f"{ALARMS}::test_no_duplicate_after_restart",),
    ),
    # -- history import: only hours without a stored row ----------------------------------
    Mutant(
        "history: a stored hour is imported over (means)",
        HA + "hourly.py",
        "        if hour not in taken\n",
        "",
        (f"{HOURLY}::test_mean_rows_skip_stored_hours",),
    ),
    Mutant(
        "history: an hour with only 5-minute rows is imported over",
        HA + "statistics.py",
        "for table, span in reversed(_SPANS):",
        "for table, span in _SPANS[:1]:",
        (f"{IMPORT}::test_an_hour_being_compiled_is_not_imported_over",),
    ),
    Mutant(
        "history: a second import of the same window writes its hours again",
        HA + "statistics.py",
        "inside[hour_of(ts)] = StoredRow(hour_of(ts), state, total)",
        "pass",
        (f"{IMPORT}::test_overlapping_imports_keep_rows_and_sums",),
    ),
    Mutant(
        "back-fill: an outage of any length fills the gap",
        HA + "backfill.py",
        "dt_util.utcnow() - down_since >= self.threshold",
        "dt_util.utcnow() - down_since >= timedelta(0)",
        (f"{BACKFILL}::test_an_outage_longer_than_the_threshold_is_filled",),
    ),
    Mutant(
        "back-fill: the option is ignored",
        HA + "backfill.py",
        "        if not (self._check_due and self.enabled):",
        "        if not self._check_due:",
        (f"{BACKFILL}::test_the_option_turns_the_back_fill_off",),
    ),
]
