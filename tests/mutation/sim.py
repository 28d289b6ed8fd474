"""Mutants of the simulator (``smartserver_sim/``).

Each is a bug that would make the simulator lie about the SmartServer it plays: the
client's tests would then pass against behaviour no SmartServer has. ``scripts/mutate
--area sim`` runs them; the strict profile's switches are named ``strict: …``.
"""

from __future__ import annotations

from .mutant import Mutant

SIM = "smartserver_sim/"
AUTH = "tests/sim/test_auth.py"
TIMING = "tests/sim/test_timing.py"
WEBSOCKET = "tests/sim/test_websocket.py"
DEVICES = "tests/sim/test_devices.py"
DATAPOINTS = "tests/sim/test_datapoints.py"
DATALOG = "tests/sim/test_datalog.py"
LOG_FAULTS = "tests/sim/test_log_faults.py"
FAULTS = "tests/sim/test_faults.py"
CONTROL = "tests/sim/test_control.py"
ALARMS = "tests/sim/test_alarms.py"
CLI = "tests/sim/test_cli.py"
PROFILES = "tests/sim/test_profiles.py"

MUTANTS: list[Mutant] = [
    # -- sessions: expiry, sliding or absolute, logout -------------------------------------
    Mutant(
        "session: never expires",
        SIM + "auth.py",
        "return now - since >= self.options.session_timeout",
        "return False",
        (f"{TIMING}::test_session_timeout_sliding_or_absolute",),
    ),
    Mutant(
        "session: a sliding session does not slide",
        SIM + "auth.py",
        "if touch and self.options.session_sliding:",
        "if False:",
        (f"{TIMING}::test_session_timeout_sliding_or_absolute",),
    ),
    Mutant(
        "session: lives an instant past its timeout",
        SIM + "auth.py",
        "return now - since >= self.options.session_timeout",
        "return now - since > self.options.session_timeout",
        (f"{TIMING}::test_session_timeout_sliding_or_absolute",),
    ),
    Mutant(
        "session: an expired session keeps its WebSocket",
        SIM + "changes.py",
        'end_sessions(state, state.auth.sweep(), "session expired")',
        "state.auth.sweep()",
        (f"{TIMING}::test_expired_session_closes_its_websocket",),
    ),
    Mutant(
        "session: expiring one user's sessions expires every user's",
        SIM + "auth.py",
        "if user is None or s.user == user]",
        "]",
        (f"{AUTH}::test_expire_sessions_per_user",),
    ),
    Mutant(
        "session: a logout leaves the WebSocket open",
        SIM + "server.py",
        '        end_sessions(state, [session], "logged out")',
        "        pass",
        (f"{AUTH}::test_logout_closes_websocket",),
    ),
    Mutant(
        "session: a restart keeps the sessions",
        SIM + "sim.py",
        "        self.hub.abort_all()\n        self.auth.expire()",
        "        self.hub.abort_all()",
        (f"{TIMING}::test_restart_refuses_then_recovers",),
    ),
    # -- lockout ---------------------------------------------------------------------------
    Mutant(
        "lockout: failed logins never lock",
        SIM + "auth.py",
        "if len(failures) >= self.options.lockout_failures:",
        "if False:",
        (f"{TIMING}::test_lockout_lasts_its_duration",),
    ),
    Mutant(
        "lockout: the right password gets in while locked",
        SIM + "auth.py",
        "        if self._locked_until.get(user, 0.0) > now:\n"
        '            raise LockedOutError("Too many failed login attempts")\n',
        "",
        (f"{TIMING}::test_lockout_lasts_its_duration",),
    ),
    Mutant(
        "lockout: failures older than the window still count",
        SIM + "auth.py",
        "while failures and failures[0] <= now - self.options.lockout_window:",
        "while False:",
        (f"{TIMING}::test_lockout_counts_failures_within_its_window",),
    ),
    Mutant(
        "lockout: a good login keeps the failures before it",
        SIM + "auth.py",
        "        self._failures.pop(user, None)\n",
        "",
        (f"{TIMING}::test_lockout_counts_failures_within_its_window",),
    ),
    Mutant(
        "lockout: one locked user locks every user",
        SIM + "auth.py",
        "if self._locked_until.get(user, 0.0) > now:",
        "if max(self._locked_until.values(), default=0.0) > now:",
        (f"{TIMING}::test_lockout_counts_failures_within_its_window",),
    ),
    # -- the subscribe list: one per user, replaced by each subscribe ----------------------
    Mutant(
        "subscribe: a subscribe adds to the list instead of replacing it",
        SIM + "websocket.py",
        "self.subs[user] = set(qualifiers)",
        "self.subs.setdefault(user, set()).update(qualifiers)",
        (f"{WEBSOCKET}::test_subscription_is_per_user",),
    ),
    Mutant(
        "subscribe: every user's WebSockets get every user's updates",
        SIM + "websocket.py",
        "return [c for c in self.conns if target is None or c.user == target]",
        "return list(self.conns)",
        (f"{WEBSOCKET}::test_each_user_gets_its_own_updates",),
    ),
    Mutant(
        "subscribe: an echo for one user goes to every subscriber",
        SIM + "websocket.py",
        "if qualifier in subs and (only_user is None or only_user == user):",
        "if qualifier in subs:",
        (f"{WEBSOCKET}::test_each_user_gets_its_own_updates",),
    ),
    Mutant(
        "subscribe: a malformed qualifier is accepted",
        SIM + "server.py",
        "if len(parts) != 6 or not all(parts) or not parts[4].isdigit():",
        "if False:",
        (f"{WEBSOCKET}::test_subscribe_input",),
    ),
    Mutant(
        "subscribe: a down device is reported for datapoints the reader does not follow",
        SIM + "streaming.py",
        "                if state.hub.subscribed(user, dp.qualifier):",
        "                if True:",
        (f"{DATAPOINTS}::test_read_of_down_device_notifies",),
    ),
    # -- paging and snapshots --------------------------------------------------------------
    Mutant(
        "paging: remainingPages leaves out a partial last page",
        SIM + "paging.py",
        "max(0, math.ceil(len(items) / size) - page)",
        "max(0, len(items) // size - page)",
        (f"{DEVICES}::test_pagination_and_snapshots",),
    ),
    Mutant(
        "paging: pages count from 0",
        SIM + "paging.py",
        "items[(page - 1) * size : page * size]",
        "items[page * size : (page + 1) * size]",
        (f"{DEVICES}::test_pagination_and_snapshots",),
    ),
    Mutant(
        "paging: a snapshot's pages list what is there now",
        SIM + "paging.py",
        "        items = state.snapshots.get(xs)\n",
        "        items = build() if xs in state.snapshots else None\n",
        (f"{DEVICES}::test_pagination_and_snapshots",),
    ),
    Mutant(
        "paging: bare pages keep snapshots too",
        SIM + "paging.py",
        "        if not bare:\n            snapshot = state.new_snapshot(items)",
        "        snapshot = state.new_snapshot(items)",
        (f"{DEVICES}::test_pagination_and_snapshots",),
    ),
    Mutant(
        "paging: snapshots are never evicted",
        SIM + "state.py",
        "while len(self.snapshots) > self.options.snapshot_limit:",
        "while False:",
        (f"{DEVICES}::test_snapshot_eviction",),
    ),
    # -- wildcard filters ------------------------------------------------------------------
    Mutant(
        "filter: the terms of a filter are or-ed",
        SIM + "paths.py",
        "return all(_term(cond, lookup(cond.key)) for cond in selector.conditions)",
        "return any(_term(cond, lookup(cond.key)) for cond in selector.conditions)",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: != selects what == does",
        SIM + "paths.py",
        'return hit if op == "==" else not hit',
        "return hit",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: state and health words compared case-sensitively",
        SIM + "paths.py",
        "        if cond.key in _CASELESS:",
        "        if False:",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: a negated pattern selects what the pattern does",
        SIM + "paths.py",
        'return found if op in ("=~", "=+") else not found',
        "return found",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: a pattern must match the whole name",
        SIM + "paths.py",
        "found = any(cond.pattern.search(t) for t in texts)",
        "found = any(cond.pattern.fullmatch(t) for t in texts)",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: numbers compared as text",
        SIM + "paths.py",
        "        a, b = float(left), float(right)",
        "        a, b = left, right",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: an unknown key matches everything",
        SIM + "paths.py",
        "    if values is None:\n        return False",
        "    if values is None:\n        return True",
        (f"{DEVICES}::test_path_filters",),
    ),
    Mutant(
        "filter: a bulk read answers in the index's order, not the one asked",
        SIM + "selection.py",
        "return [table[q] for q in dict.fromkeys(asked) if q in table]",
        "return [dp for q, dp in table.items() if q in asked]",
        (f"{DATAPOINTS}::test_bulk_read_by_qualifier_list",),
    ),
    # -- data logs: order, window, end marker ----------------------------------------------
    Mutant(
        "data log: newest-first order is ignored",
        SIM + "history.py",
        '    if options.log_order == "desc":',
        "    if False:",
        (f"{DATALOG}::test_utc_formats_order_and_end_marker",),
    ),
    Mutant(
        "data log: the end marker is always quoted",
        SIM + "wsroutes.py",
        '\'"end"\' if state.options.log_end_quoted else "end"',
        "'\"end\"'",
        (f"{DATALOG}::test_utc_formats_order_and_end_marker",),
    ),
    Mutant(
        "data log: no end marker",
        SIM + "wsroutes.py",
        '        await ws.send_str(\'"end"\' if state.options.log_end_quoted else "end")\n',
        "",
        (f"{DATALOG}::test_nothing_matches_sends_only_end",),
    ),
    Mutant(
        "data log: the socket closes after the end marker even when it should stay",
        SIM + "wsroutes.py",
        "        if not state.options.log_close_after_end:\n"
        "            await _linger(state, ws)",
        "        if False:\n            await _linger(state, ws)",
        (f"{DATALOG}::test_socket_after_end",),
    ),
    Mutant(
        "data log: utc> includes its own instant",
        SIM + "history.py",
        "first = math.ceil(lo_k) if rng.lo_inclusive else math.floor(lo_k) + 1",
        "first = math.ceil(lo_k)",
        (f"{DATALOG}::test_one_datapoint_query",),
    ),
    Mutant(
        "data log: a stream told to break streams to the end",
        SIM + "wsroutes.py",
        "if sent == state.options.log_cut_after:",
        "if False:",
        (f"{LOG_FAULTS}::test_a_cut_stream_ends_without_end_and_abnormally",),
    ),
    Mutant(
        "data log: entries older than the retention are sent",
        SIM + "history.py",
        "if lo is None or lo < retention_start:",
        "if lo is None:",
        (f"{DATALOG}::test_entries_start_at_the_retention",),
    ),
    # -- priority arrays and relinquish ----------------------------------------------------
    Mutant(
        "priority: the lowest level holds the datapoint",
        SIM + "model.py",
        "return self.overrides[min(self.overrides)]",
        "return self.overrides[max(self.overrides)]",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: a write under a higher level is not refused",
        SIM + "model.py",
        "if self.overrides and min(self.overrides) < priority:",
        "if False:",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: a refused write is dropped, not kept at its level",
        SIM + "datapoints.py",
        "                conflicts.append(str(err))\n",
        "                conflicts.append(str(err))\n                continue\n",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: a relinquish releases nothing",
        SIM + "datapoints.py",
        "        dp.overrides.pop(priority, None)",
        "        pass",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: a relinquish is not announced",
        SIM + "datapoints.py",
        "        announce_if_changed(state, dp, before)\n    return web.Response(status=204)",
        "    return web.Response(status=204)",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: a write at the default's level becomes an override",
        SIM + "datapoints.py",
        "    if priority == default_level:",
        "    if False:",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: the levels leave out the default value",
        SIM + "model.py",
        "        held[str(default_level)] = self.default\n",
        "",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    Mutant(
        "priority: level 0 is accepted",
        SIM + "datapoints.py",
        "not 1 <= int(text) <= 255",
        "not 0 <= int(text) <= 255",
        (f"{DATAPOINTS}::test_priorities",),
    ),
    # -- fault injection -------------------------------------------------------------------
    Mutant(
        "faults: an injection never runs out",
        SIM + "faults.py",
        "            if injection.remaining <= 0:\n"
        "                injections.remove(injection)",
        "            pass",
        (f"{FAULTS}::test_cut_connections",),
    ),
    Mutant(
        "faults: an injection hits every path",
        SIM + "faults.py",
        "return path.startswith(self.prefix)",
        "return True",
        (f"{FAULTS}::test_injected_bodies", f"{CONTROL}::test_injected_http_errors"),
    ),
    Mutant(
        "faults: latency of one path delays every path",
        SIM + "faults.py",
        "            if path.startswith(prefix):\n                delay += seconds",
        "            delay += seconds",
        (f"{FAULTS}::test_latency_on_one_path",),
    ),
    Mutant(
        "faults: removing latency leaves held requests waiting",
        SIM + "faults.py",
        "        if not seconds:\n            self._release_delayed()",
        "        pass",
        (f"{FAULTS}::test_removing_latency_releases_held_requests",),
    ),
    Mutant(
        "faults: a black hole still answers",
        SIM + "faults.py",
        "        self.answering.clear()\n        if self._black_hole_end",
        "        if self._black_hole_end",
        (f"{FAULTS}::test_black_hole",),
    ),
    Mutant(
        "faults: a timed black hole never ends",
        SIM + "faults.py",
        "self._black_hole_end = self._clock.call_later(seconds, self.end_black_hole)",
        "pass",
        (f"{FAULTS}::test_black_hole_ends_by_itself",),
    ),
    Mutant(
        "faults: a 429 carries no Retry-After",
        SIM + "faults.py",
        'headers = {"Retry-After": f"{error.retry_after:g}"}',
        "pass",
        (f"{FAULTS}::test_retry_after_on_429",),
    ),
    Mutant(
        "faults: clearing keeps the injected errors",
        SIM + "faults.py",
        "        self.http_errors.clear()\n        self.bodies.clear()",
        "        self.bodies.clear()",
        (f"{FAULTS}::test_clear_faults",),
    ),
    Mutant(
        "faults: a truncated answer arrives whole",
        SIM + "server.py",
        "await stream.write(raw[: len(raw) // 2])",
        "await stream.write(raw)",
        (f"{FAULTS}::test_cut_connections",),
    ),
    Mutant(
        "faults: a stale update is as new as the current one",
        SIM + "frame_faults.py",
        'item["timestamp"] = iso_z(dp.timestamp - 1.0)',
        'item["timestamp"] = iso_z(dp.timestamp)',
        (f"{FAULTS}::test_duplicate_and_stale_updates",),
    ),
    # -- the strict profile: each switch changes what the wire carries ---------------------
    Mutant(
        "strict: a dead session's REST request is always 401",
        SIM + "server.py",
        'raise ApiError(state.options.rest_refuse_status, "not logged in")',
        'raise ApiError(401, "not logged in")',
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: a dead session's WebSocket upgrade is always 401",
        SIM + "server.py",
        'raise ApiError(state.options.ws_refuse_status, "not logged in")',
        'raise ApiError(401, "not logged in")',
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: WebSockets without an Origin are accepted",
        SIM + "wsroutes.py",
        'if state.options.require_origin and "Origin" not in request.headers:',
        "if False:",
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: property items keep their dpQualifier",
        SIM + "render.py",
        "    if not site.options.props_qualifier:",
        "    if False:",
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: value reads carry a timestamp, not utc and local",
        SIM + "render.py",
        '    if site.options.value_time_fields == "utc":',
        "    if False:",
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: updates always carry a timestamp",
        SIM + "render.py",
        "    if site.options.ws_timestamps:",
        "    if True:",
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: state and health words always in lower case",
        SIM + "render.py",
        'return word.upper() if site.options.status_case == "upper" else word',
        "return word",
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: both logout methods always work",
        SIM + "server.py",
        'if methods != "both" and request.method.lower() != methods:',
        "if False:",
        (f"{PROFILES}::test_each_switch_changes_the_wire",),
    ),
    Mutant(
        "strict: the session timeout never needs a session",
        SIM + "server.py",
        "            or state.options.session_timeout_needs_auth",
        "            or False",
        (f"{AUTH}::test_session_timeout_endpoint",),
    ),
    Mutant(
        "strict: the session timeout is always a bare number",
        SIM + "server.py",
        'if state.options.session_timeout_body == "object":',
        "if False:",
        (f"{AUTH}::test_session_timeout_endpoint",),
    ),
    Mutant(
        "strict: any content type is taken",
        SIM + "http.py",
        "        request.app[STATE_KEY].options.require_json_content_type\n",
        "        False\n",
        (f"{AUTH}::test_require_content_type",),
    ),
    Mutant(
        "strict: alarm frames always carry the whole alarm",
        SIM + "changes.py",
        'return alarm_object(state, alarm) if shape == "object" else {"id": alarm.id}',
        "return alarm_object(state, alarm)",
        (f"{ALARMS}::test_crt_alarm_id_payload_switch",),
    ),
    Mutant(
        "strict: a subscribe never pushes the current values",
        SIM + "server.py",
        "    if state.options.subscribe_pushes_values:",
        "    if False:",
        (f"{WEBSOCKET}::test_subscribe_pushes_values_switch",),
    ),
    Mutant(
        "strict: a second WebSocket of a user is never refused",
        SIM + "wsroutes.py",
        "if state.options.refuse_second_ws and any(",
        "if False and any(",
        (f"{WEBSOCKET}::test_refuse_second_ws_switch",),
    ),
    Mutant(
        "strict: a wildcard path without a match is always []",
        SIM + "devices.py",
        "        if state.options.empty_wildcard_status != 200:",
        "        if False:",
        (
            f"{DATAPOINTS}::test_strict_paths",
            f"{PROFILES}::test_each_switch_changes_the_wire",
        ),
    ),
    Mutant(
        "strict: an on-demand read always echoes",
        SIM + "streaming.py",
        '                echo == "always" or (echo == "wire" and read_on_wire)',
        "                True",
        (f"{TIMING}::test_read_echo_readings",),
    ),
    Mutant(
        "strict: a datapoint-level device id is always taken",
        SIM + "selection.py",
        'strict_ids = options.device_ids == "list"',
        "strict_ids = False",
        (f"{DATAPOINTS}::test_strict_paths",),
    ),
    Mutant(
        "strict: XIF names are always taken as literals",
        SIM + "selection.py",
        'xif_literals=options.literal_names == "any",',
        "xif_literals=True,",
        (f"{DATAPOINTS}::test_strict_paths",),
    ),
    Mutant(
        "strict: the API tester's priority paths are always taken",
        SIM + "datapoints.py",
        'if state.options.override_paths == "vendor" and not (browser_form and tail):',
        "if False:",
        (f"{DATAPOINTS}::test_strict_paths",),
    ),
    Mutant(
        "strict: pages are always enveloped",
        SIM + "paging.py",
        '        or state.options.page_shape == "bare"',
        "        or False",
        (f"{DEVICES}::test_pagination_and_snapshots",),
    ),
    Mutant(
        "strict: the profile leaves a switch out",
        SIM + "options.py",
        '    "require_origin": True,\n',
        "",
        (f"{CLI}::test_strict_takes_the_other_reading_of_every_switch",),
    ),
]
