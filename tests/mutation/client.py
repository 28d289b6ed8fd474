"""Mutants of the IAP client (``custom_components/smartserver_iap/iap/``).

Each is a bug a maintainer could plausibly write; each must fail at least one of its
tests. Keep ``find`` short but unique in its file (a test checks that it is).
"""

from __future__ import annotations

from .mutant import Mutant

IAP = "custom_components/smartserver_iap/iap/"
CLIENT = "tests/iap/test_client.py"
LIVE = "tests/iap/test_live.py"
RESILIENCE = "tests/iap/test_resilience.py"
RECOVERY = "tests/iap/test_recovery.py"
INIT = "tests/integration/test_init.py"
COORDINATOR = "tests/integration/test_coordinator.py"
DATALOG = "tests/iap/test_datalog.py"
EDGES = "tests/iap/test_edges.py"
HANDSHAKE = "tests/iap/test_handshake.py"
PURE = "tests/iap/test_pure.py"
SITE = "tests/iap/test_site.py"

MUTANTS: list[Mutant] = [
    # -- session: 401 handling, cookie eviction, renewal, lockout -----------------------
    Mutant(
        "session: a refused REST request is not retried after a fresh login",
        IAP + "session.py",
        "if attempt == 0:",
        "if attempt == 1:",
        (f"{CLIENT}::test_401_relogin_once_then_auth_error",),
    ),
    Mutant(
        "session: the login's cookie stays in the shared jar",
        IAP + "session.py",
        "wait = retry_after(response.headers)\n"
        "                self._evict_response_cookie(response)",
        "wait = retry_after(response.headers)",
        (f"{CLIENT}::test_cookie_per_client_not_in_jar",),
    ),
    Mutant(
        "session: a cookie a REST answer sets stays in the shared jar",
        IAP + "session.py",
        "out of the shared jar too.\n                self._evict_response_cookie(response)",
        "out of the shared jar too.",
        (f"{EDGES}::test_429_retry_after_and_foreign_cookies",),
    ),
    Mutant(
        "session: the jar's cookie may override the client's own",
        IAP + "session.py",
        "cookies={COOKIE_NAME: cookie},",
        "",
        (f"{CLIENT}::test_cookie_per_client_not_in_jar",),
    ),
    Mutant(
        "session: never renewed before it expires",
        IAP + "session.py",
        "return self.renew_at is not None and self.clock() >= self.renew_at",
        "return False",
        (f"{CLIENT}::test_session_renewed_before_expiry",),
    ),
    Mutant(
        "session: renewed only when the whole timeout has passed",
        IAP + "session.py",
        "self.session_timeout * self._renew_fraction",
        "self.session_timeout",
        (f"{CLIENT}::test_session_renewed_before_expiry",),
    ),
    Mutant(
        "session: the replaced session is not logged out",
        IAP + "session.py",
        "                await self._logout_cookie(old)\n",
        "",
        (f"{CLIENT}::test_session_renewed_before_expiry",),
    ),
    Mutant(
        "session: a 429 on the login is no lockout",
        IAP + "session.py",
        "raise self._lock_out(wait)",
        "raise IapRateLimitedError('429', wait)",
        (f"{CLIENT}::test_wrong_password_and_lockout",),
    ),
    Mutant(
        "transport: a REST redirect to a login page is not a lost session",
        IAP + "transport.py",
        "return status == 401 or redirects_to_login(status, headers)",
        "return status == 401",
        (f"{HANDSHAKE}::test_rest_redirect_to_login_is_a_lost_session",),
    ),
    # -- the WebSocket opener: one policy for refused handshakes -------------------------
    Mutant(
        "websocket: a 403 handshake is an outage, never a lost session",
        IAP + "websocket.py",
        "frozenset({401, 403})",
        "frozenset({401})",
        (
            f"{LIVE}::test_session_expiry_while_connected",
            f"{DATALOG}::test_log_query_refusals_follow_the_session_check",
        ),
    ),
    Mutant(
        "websocket: a refused handshake is not checked over REST",
        IAP + "websocket.py",
        "if await session.cookie_accepted(cookie):",
        "if False:",
        (f"{LIVE}::test_ws_refused_after_fresh_login_is_an_outage",),
    ),
    Mutant(
        "websocket: an expired session is taken for bad credentials",
        IAP + "websocket.py",
        "if fresh:",
        "if True:",
        (f"{LIVE}::test_session_expiry_while_connected",),
    ),
    Mutant(
        "websocket: a redirect to the login page is not a lost session",
        IAP + "websocket.py",
        "return any(redirects_to_login(status, headers) for status, headers in answers)",
        "return False",
        (f"{HANDSHAKE}::test_expired_session_redirected_to_login_logs_in_again",),
    ),
    Mutant(
        "websocket: no Origin header",
        IAP + "websocket.py",
        "origin=session.origin,",
        "origin=None,",
        (f"{HANDSHAKE}::test_expired_session_redirected_to_login_logs_in_again",),
    ),
    # -- live link: back-off, resync, events, probe --------------------------------------
    Mutant(
        "backoff: a lost link never restarts the back-off",
        IAP + "backoff.py",
        "        self.backoff.reset(max(self.flaps - 1, 0))\n",
        "",
        (
            f"{RECOVERY}::test_drop_soon_after_an_outage_retries_at_once",
            f"{RESILIENCE}::test_quick_drops_grow_the_backoff",
        ),
    ),
    Mutant(
        "backoff: links dropped at once do not grow the back-off",
        IAP + "backoff.py",
        "self.flaps + 1 if lasted < self.flap_after else 0",
        "0",
        (f"{RESILIENCE}::test_quick_drops_grow_the_backoff",),
    ),
    Mutant(
        "backoff: a silent SmartServer is backed off from like one that answers",
        IAP + "backoff.py",
        "        if answered:\n            return self.backoff.next_delay()",
        "        if True:\n            return self.backoff.next_delay()",
        (f"{RECOVERY}::test_back_within_the_retry_interval_after_a_long_outage",),
    ),
    Mutant(
        "outage: a refused port counts as an answer",
        IAP + "outage.py",
        "return isinstance(err, IapServerError | IapRateLimitedError)",
        "return True",
        (f"{RECOVERY}::test_back_within_the_retry_interval_after_a_long_outage",),
    ),
    Mutant(
        "live: an outage never ends, however long the link stays up",
        IAP + "live.py",
        "if lasted >= self.options.stable_after:",
        "if False:",
        (f"{RESILIENCE}::test_quick_drops_grow_the_backoff",),
    ),
    Mutant(
        "live: the resync does not re-assert the subscription",
        IAP + "live.py",
        "            await self._resubscribe()\n            return await self._read_values",
        "            return await self._read_values",
        (f"{LIVE}::test_dropped_websocket_reconnects",),
    ),
    Mutant(
        "live: the resync reads nothing back",
        IAP + "live.py",
        "return await self._read_values(subscribed, max_age)",
        "return []",
        (f"{LIVE}::test_resync_and_every_event",),
    ),
    Mutant(
        "live: after a planned renewal the resync reads on the wire",
        IAP + "live.py",
        "max_age = _RENEWAL_MAX_AGE",
        "max_age = None",
        (
            f"{RESILIENCE}::test_renewal_logs_out_the_old_session_and_resyncs_from_cache",
        ),
    ),
    Mutant(
        "live: live values do not reach the site",
        IAP + "live.py",
        "apply_updates(event.updates)",
        "pass",
        (f"{LIVE}::test_resync_and_every_event",),
    ),
    Mutant(
        "live: device status events do not reach the site",
        IAP + "live.py",
        "previous = site.set_status(event.device_id, event.status)",
        "previous = None",
        (f"{LIVE}::test_resync_and_every_event",),
    ),
    Mutant(
        "live: the probe never sees its echo",
        IAP + "live.py",
        "probe.saw(event.updates)",
        "pass",
        (f"{LIVE}::test_stolen_subscription_is_detected_and_healed",),
    ),
    Mutant(
        "probe: one silent qualifier is a takeover",
        IAP + "probe.py",
        "        if second is None or (await self.probe(second)) is not False:\n"
        "            return Verdict.FINE\n",
        "",
        (f"{RESILIENCE}::test_one_silent_qualifier_is_no_takeover",),
    ),
    Mutant(
        "probe: a failed read counts as a missing echo",
        IAP + "probe.py",
        'failed: %s", qualifier, err)\n                return None',
        'failed: %s", qualifier, err)\n                return False',
        (f"{RESILIENCE}::test_probe_read_errors_prove_nothing",),
    ),
    Mutant(
        "probe: by default, datapoints of devices that are down are probed",
        IAP + "probe.py",
        "if (device := site.device_of(q)) is None or site.is_healthy(device)",
        "if q",
        (f"{RESILIENCE}::test_default_probe_skips_devices_that_are_down",),
    ),
    Mutant(
        "probe: a probe read crashes the listener",
        IAP + "probe.py",
        "await self._read([qualifier], None)",
        "await self._read(qualifier)  # type: ignore[call-arg]",
        (f"{RESILIENCE}::test_one_silent_qualifier_is_no_takeover",),
    ),
    # -- data log ------------------------------------------------------------------------
    Mutant(
        'datalog: "end" is skipped; the query waits for the close',
        IAP + "datalog.py",
        "if data.strip() in _END_MARKERS:\n                    return",
        "if data.strip() in _END_MARKERS:\n                    continue",
        (f"{HANDSHAKE}::test_data_log_ends_on_end_while_the_socket_stays_open",),
    ),
    Mutant(
        "datalog: an abnormal close ends the query quietly",
        IAP + "datalog.py",
        "if ws.close_code in _NORMAL_CLOSE:",
        "if True:",
        (f"{EDGES}::test_data_log_malformed_and_abnormal_close",),
    ),
    Mutant(
        "parsing: a log entry's local time is read before its utc",
        IAP + "parsing.py",
        'for key in ("utc", "local", "timestamp"):',
        'for key in ("local", "utc", "timestamp"):',
        (f"{PURE}::test_log_entry_utc_wins_in_the_autumn_dst_hour",),
    ),
    # -- parsing, frames, qualifiers -----------------------------------------------------
    Mutant(
        "parsing: configuration properties without cat are outputs",
        IAP + "parsing.py",
        '_INPUT_PREFIXES = ("nvi", "nci", "cp")',
        '_INPUT_PREFIXES = ("nvi",)',
        (f"{PURE}::test_direction_without_cat_follows_the_name",),
    ),
    Mutant(
        "parsing: every name without cat is an input",
        IAP + "parsing.py",
        "return Direction.INPUT if name.startswith(_INPUT_PREFIXES) else Direction.OUTPUT",
        "return Direction.INPUT",
        (f"{PURE}::test_direction_without_cat_follows_the_name",),
    ),
    Mutant(
        "parsing: cat is ignored",
        IAP + "parsing.py",
        "if isinstance(cat, str):",
        "if False:",
        (f"{PURE}::test_parse_datapoint",),
    ),
    Mutant(
        "parsing: REST items keyed dpQualifier are not read",
        IAP + "parsing.py",
        'qualifier = raw.get("dpQualifier")',
        "qualifier = None",
        (f"{PURE}::test_parse_datapoint",),
    ),
    Mutant(
        "frames: live items keyed dpQualifier are skipped",
        IAP + "frames.py",
        'qualifier = get("dpQualifier")',
        "qualifier = None",
        (f"{PURE}::test_frame_datapoint_updates_both_keys",),
    ),
    Mutant(
        "frames: live items keyed datapointQualifier are skipped",
        IAP + "frames.py",
        'qualifier = get("datapointQualifier")',
        "qualifier = None",
        (f"{PURE}::test_frame_datapoint_updates_both_keys",),
    ),
    Mutant(
        "qualifier: a / inside a name is not quoted",
        IAP + "qualifier.py",
        '_SAFE = "-._~"',
        '_SAFE = "-._~/"',
        (f"{CLIENT}::test_hostile_names",),
    ),
    Mutant(
        "qualifier: qualifier lists go unquoted",
        IAP + "qualifier.py",
        '",".join(quote_element(q) for q in qualifiers)',
        '",".join(qualifiers)',
        (f"{CLIENT}::test_hostile_names_in_qualifier_lists",),
    ),
    # -- site and REST -------------------------------------------------------------------
    Mutant(
        "site: values of unsubscribed datapoints are kept",
        IAP + "site.py",
        "            if qualifier in subscribed:",
        "            if True:",
        (f"{SITE}::test_subscription_and_values",),
    ),
    Mutant(
        "site: an overtaken update replaces the newer value",
        IAP + "site.py",
        "                            continue\n",
        "                            pass\n",
        (
            f"{SITE}::test_overtaken_updates_are_dropped",
            f"{LIVE}::test_duplicate_and_stale_updates_keep_the_newest_value",
        ),
    ),
    Mutant(
        "site: a clock that went back freezes the values",
        IAP + "site.py",
        "and kept_stamp - stamp < OVERTAKEN_WITHIN",
        "",
        (f"{SITE}::test_overtaken_updates_are_dropped",),
    ),
    Mutant(
        "site: a read undoes what the live link brought meanwhile",
        IAP + "site.py",
        "if values.get(u.qualifier) is before.get(u.qualifier)",
        "",
        (f"{SITE}::test_a_read_does_not_undo_what_the_live_link_brought",),
    ),
    Mutant(
        "site: the qualifier's address wins over the device-list id",
        IAP + "site.py",
        "if dp.device_id in self.devices:\n            return dp.device_id",
        "if False:\n            return dp.device_id",
        (f"{SITE}::test_device_list_id_wins_over_the_qualifier",),
    ),
    Mutant(
        "rest: a listing whose snapshot changed is not restarted",
        IAP + "rest.py",
        "elif current != snapshot:",
        "elif False:",
        (f"{EDGES}::test_paging_edges",),
    ),
    Mutant(
        "rest: bulk reads are not chunked",
        IAP + "rest.py",
        "if current and length + cost > self.max_url_length:",
        "if False:",
        (f"{CLIENT}::test_bulk_read_is_chunked",),
    ),
    # -- issue 10: nothing lost under faults --------------------------------------------
    Mutant(
        "frames: one number orjson refuses costs the whole frame (10.8)",
        IAP + "frames.py",
        "        frame = _lenient_loads(data)\n",
        "        frame = _UNPARSABLE\n",
        (f"{PURE}::test_one_unparsable_number_keeps_the_frames_other_updates",),
    ),
    Mutant(
        "frames: an item without a value becomes an unknown value",
        IAP + "frames.py",
        "if value is _NO_VALUE:",
        "if False:",
        (f"{PURE}::test_frame_datapoint_updates_both_keys",),
    ),
    Mutant(
        "transport: a chunked REST body has no cap (10.6)",
        IAP + "transport.py",
        "        if len(body) > limit:",
        "        if False:",
        (f"{EDGES}::test_rest_bodies_are_capped",),
    ),
    Mutant(
        "transport: a REST body's Content-Length is not checked (10.6)",
        IAP + "transport.py",
        "        if length > limit:",
        "        if False:",
        (f"{EDGES}::test_rest_bodies_are_capped",),
    ),
    Mutant(
        "live: one refused login ends run_live (10.4)",
        IAP + "live.py",
        "if self._auth_refusals >= attempts:",
        "if True:",
        (f"{LIVE}::test_stray_401s_are_an_outage",),
    ),
    Mutant(
        "live: refusals add up across links (10.4)",
        IAP + "live.py",
        "        self._auth_refusals = 0\n        stats.resyncs += 1",
        "        stats.resyncs += 1",
        (f"{LIVE}::test_refusals_are_counted_in_a_row_only",),
    ),
    Mutant(
        "session: the logout waits as long as the SmartServer takes (10.11)",
        IAP + "session.py",
        "            async with asyncio.timeout(LOGOUT_TIMEOUT):\n                for method",
        "            async with asyncio.timeout(None):\n                for method",
        (
            f"{INIT}::test_unload_while_the_smartserver_is_slow",
            f"{RESILIENCE}::test_renewal_does_not_wait_on_a_slow_logout",
        ),
    ),
    Mutant(
        "live: closing waits for a close frame that does not come (10.11)",
        IAP + "live.py",
        "        if ws is not None:\n            await close_websocket(ws, CLOSE_GRACE)",
        "        if ws is not None:\n            await ws.close()",
        (f"{RESILIENCE}::test_close_does_not_wait_on_a_silent_smartserver",),
    ),
    Mutant(
        "live: a DEL:DEVICE naming the SmartServer deletes the hub (10.9)",
        IAP + "live.py",
        "if smartserver is not None and smartserver.id == event.device_id:",
        "if False:",
        (f"{COORDINATOR}::test_deleting_the_smartserver_itself_is_ignored",),
    ),
]
