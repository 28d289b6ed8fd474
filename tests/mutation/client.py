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
DATALOG = "tests/iap/test_datalog.py"
EDGES = "tests/iap/test_edges.py"
HANDSHAKE = "tests/iap/test_handshake.py"
PURE = "tests/iap/test_pure.py"
SITE = "tests/iap/test_site.py"
TOLERANCE = "tests/iap/test_tolerance.py"

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
        "live: the back-off never resets",
        IAP + "live.py",
        "self.backoff.reset()",
        "pass",
        (f"{RESILIENCE}::test_quick_drops_grow_the_backoff",),
    ),
    Mutant(
        "live: the back-off resets on every connect, stable or not",
        IAP + "live.py",
        ">= self.options.stable_after",
        ">= 0",
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
        (f"{TOLERANCE}::test_any_steal_is_found_by_the_next_check",),
    ),
    Mutant(
        "probe: a missing echo alone is evidence",
        IAP + "probe.py",
        "echoes_now or qualifier in self._echoing",
        "True",
        (f"{TOLERANCE}::test_reads_without_echo_are_no_takeover",),
    ),
    Mutant(
        "probe: a changed value that never came is no evidence",
        IAP + "probe.py",
        "            if value != before[qualifier]:\n                proven.append(qualifier)",
        "            if False:\n                pass",
        (f"{TOLERANCE}::test_values_changed_during_a_steal_are_read_again",),
    ),
    Mutant(
        "probe: a datapoint whose update came is also compared",
        IAP + "probe.py",
        "if qualifier in seen or qualifier not in before:",
        "if qualifier not in before:",
        (f"{TOLERANCE}::test_a_change_delivered_during_a_check_is_no_takeover",),
    ),
    Mutant(
        "probe: a failed probe read ends the link",
        IAP + "probe.py",
        'failed: %s", err)\n                return None',
        'failed: %s", err)\n                raise',
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
        "probe: the checks read on the wire",
        IAP + "probe.py",
        "read = await self._read(qualifiers, self.max_age)",
        "read = await self._read(qualifiers, None)",
        (f"{TOLERANCE}::test_checks_read_the_cache_not_the_device_network",),
    ),
    Mutant(
        "probe: a check reads one datapoint, as before",
        IAP + "probe.py",
        "        return [q for q in candidates if q not in unreadable]",
        "        return [q for q in candidates if q not in unreadable][:1]",
        (f"{TOLERANCE}::test_any_steal_is_found_by_the_next_check",),
    ),
    Mutant(
        "probe: the link is dead while other frames arrive",
        IAP + "probe.py",
        "if not echoed and self._stats.frames == self._mark:",
        "if not echoed:",
        (f"{TOLERANCE}::test_never_dead_while_other_frames_arrive",),
    ),
    Mutant(
        "probe: a silent suspect is suspected at every check",
        IAP + "probe.py",
        "            elif qualifier in self._silent or not (",
        "            elif not (",
        (f"{RESILIENCE}::test_one_silent_qualifier_is_no_takeover",),
    ),
    Mutant(
        "probe: suspects are not read again after re-subscribing",
        IAP + "probe.py",
        "        if not suspect:\n            return Verdict.TAKEN_OVER\n",
        "        return Verdict.TAKEN_OVER if proven else Verdict.FINE\n",
        (f"{TOLERANCE}::test_any_steal_is_found_by_the_next_check",),
    ),
    Mutant(
        "live: after a takeover nothing is read again",
        IAP + "live.py",
        """        values = await self._read_values(
            self._site.subscribed, self.options.resync_max_age
        )""",
        "        values: list[DatapointUpdate] = []",
        (f"{TOLERANCE}::test_values_changed_during_a_steal_are_read_again",),
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
        "if update.qualifier in subscribed:",
        "if True:",
        (f"{SITE}::test_subscription_and_values",),
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
    # -- tolerance (issues 9 and 10) ---------------------------------------------------
    Mutant(
        "rest: a full bare page ends the listing",
        IAP + "rest.py",
        "else len(resources) < self.page_size",
        "else True",
        (f"{TOLERANCE}::test_bare_pages_are_paged_while_full",),
    ),
    Mutant(
        "rest: a remainingPages that is a string ends the listing",
        IAP + "rest.py",
        "try:\n            return int(value)",
        "try:\n            return 0",
        (f"{EDGES}::test_remaining_pages_that_are_no_int",),
    ),
    Mutant(
        "rest: a repeated page is taken as new",
        IAP + "rest.py",
        "if resources and resources == previous:",
        "if False:",
        (f"{EDGES}::test_paging_is_bounded",),
    ),
    Mutant(
        "rest: a listing past max_pages ends silently",
        IAP + "rest.py",
        'raise IapProtocolError(f"GET {path}: more than {self.max_pages} pages")',
        "return items",
        (f"{EDGES}::test_paging_is_bounded",),
    ),
    Mutant(
        "rest: a server that ignores paging is an error",
        IAP + "rest.py",
        "if page == 2 and remaining is None:",
        "if False:",
        (f"{EDGES}::test_bare_array_that_ignores_paging",),
    ),
    Mutant(
        "rest: a chunk answered 404 fails the whole read",
        IAP + "rest.py",
        "        except IapNotFoundError:\n            return\n",
        "",
        (f"{TOLERANCE}::test_vanished_datapoints_answered_404_are_none_of_these",),
    ),
    Mutant(
        "rest: a refused chunk is not halved",
        IAP + "rest.py",
        "            if len(chunk) == 1:\n                _LOGGER.debug",
        "            if True:\n                _LOGGER.debug",
        (f"{TOLERANCE}::test_one_unreadable_datapoint_does_not_fail_the_read",),
    ),
    Mutant(
        "site: a datapoint read again stays unreadable",
        IAP + "site.py",
        "known.difference_update(q for q in asked if q not in failed)",
        "pass",
        (f"{SITE}::test_unreadable_datapoints",),
    ),
    Mutant(
        "site: an unreadable datapoint is reported on every read",
        IAP + "site.py",
        "newly = [q for q in failed if q not in known]",
        "newly = list(failed)",
        (f"{SITE}::test_unreadable_datapoints",),
    ),
    Mutant(
        "rest: priority writes use the API tester's {p}/overrides form",
        IAP + "rest.py",
        '"PUT", f"{path}/overrides/{_priority(priority)}/value", json_body=value',
        '"PUT", f"{path}/{_priority(priority)}/overrides/value", json_body=value',
        (f"{TOLERANCE}::test_writes_and_logs_use_the_vendors_forms",),
    ),
    Mutant(
        "rest: relinquish deletes {p}/overrides",
        IAP + "rest.py",
        'await self.request("DELETE", f"{path}/overrides/{_priority(priority)}/value")',
        'await self.request("DELETE", f"{path}/{_priority(priority)}/overrides")',
        (f"{TOLERANCE}::test_writes_and_logs_use_the_vendors_forms",),
    ),
    Mutant(
        "client: writes name the device by the datapoint-level deviceId",
        IAP + "client.py",
        "return datapoint, site.device_of(datapoint.qualifier)",
        "return datapoint, datapoint.device_id",
        (f"{TOLERANCE}::test_writes_and_logs_use_the_vendors_forms",),
    ),
    Mutant(
        "qualifier: XIF names go as literals",
        IAP + "qualifier.py",
        'return "*+xifName==" + quote_element(xif_name)',
        "return quote_element(xif_name)",
        (f"{TOLERANCE}::test_writes_and_logs_use_the_vendors_forms",),
    ),
    Mutant(
        "qualifier: a name with & goes into a filter term",
        IAP + "qualifier.py",
        '    if "&" in xif_name:\n        return quote_element(instance_name or xif_name)\n',
        "",
        (
            f"{TOLERANCE}::test_a_name_with_an_ampersand_is_written_by_its_instance_name",
        ),
    ),
    Mutant(
        "datalog: dpName goes as a literal",
        IAP + "datalog.py",
        'params.append(("dpName", f"*+xifName=={datapoint_name}"))',
        'params.append(("dpName", datapoint_name))',
        (f"{PURE}::test_queries",),
    ),
    Mutant(
        "client: data logs name the device by the id given",
        IAP + "client.py",
        "None if device_id is None else self.site.device_list_id(device_id),",
        "device_id,",
        (f"{TOLERANCE}::test_writes_and_logs_use_the_vendors_forms",),
    ),
    Mutant(
        "parsing: an item without dpQualifier is skipped",
        IAP + "parsing.py",
        "    if qualifier is None and find is not None:\n"
        "        qualifier = _built_qualifier(item, block, name, find)\n",
        "",
        (f"{PURE}::test_datapoint_without_a_qualifier_is_named_from_its_device",),
    ),
    Mutant(
        "parsing: a device name shared by two devices names the first",
        IAP + "parsing.py",
        "by_name[device.name] = None if device.name in by_name else device",
        "by_name.setdefault(device.name, device)",
        (f"{PURE}::test_datapoint_without_a_qualifier_is_named_from_its_device",),
    ),
    Mutant(
        "client: a listing without devices in the site builds no qualifier",
        IAP + "client.py",
        "            devices = await self.rest.list_devices()\n",
        "            pass\n",
        (f"{TOLERANCE}::test_datapoints_without_a_qualifier",),
    ),
    Mutant(
        "session: logout PUTs first and gives up on a 404",
        IAP + "session.py",
        'for method in ("POST", "PUT"):',
        'for method in ("PUT", "POST"):',
        (f"{TOLERANCE}::test_logout_posts_first_then_puts",),
    ),
    Mutant(
        "session: logout gives up when POST answers 404",
        IAP + "session.py",
        "if status not in (404, 405):",
        "if status != 405:",
        (f"{TOLERANCE}::test_logout_posts_first_then_puts",),
    ),
    Mutant(
        "session: a REST 403 is always 'not allowed'",
        IAP + "session.py",
        "if status == 403 and not await self.cookie_accepted(cookie):",
        "if False:",
        (f"{TOLERANCE}::test_a_session_lost_as_403_or_redirect_is_a_lost_session",),
    ),
    Mutant(
        "session: a 403 on the session check accepts the session",
        IAP + "session.py",
        "return raw is not None and status != 403",
        "return raw is not None",
        (f"{TOLERANCE}::test_a_session_lost_as_403_or_redirect_is_a_lost_session",),
    ),
]
