"""Every tunable of the simulator: timings, lockout policy and the [GUESS] switches.

Each field that models an undocumented behaviour of the real SmartServer says so; the
chosen default is the likeliest behaviour, see ``docs/protocol.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal, Self


@dataclass(slots=True)
class SimOptions:
    """Options of one simulator instance (all times in seconds)."""

    # --- sessions -------------------------------------------------------------------
    session_timeout: float = 86400.0
    # [GUESS] True: each authenticated REST request restarts the timeout (servlet-style).
    session_sliding: bool = True
    # How often expired sessions are swept (their WebSockets closed).
    session_check_interval: float = 1.0
    # [GUESS] Body of GET /iap/auth/sessionTimeout: a bare number or {"value": n}.
    session_timeout_body: Literal["number", "object"] = "number"
    # [GUESS] Whether /iap/auth/sessionTimeout needs a session.
    session_timeout_needs_auth: bool = False
    # [GUESS] Status of a REST request without a (valid) session: 401 (the Browser reads
    # it so), 403, or 3xx to /cms/login (a Node-RED flow reads that as logged out).
    rest_refuse_status: int = 401
    # [GUESS] Logout: the docs say PUT, every vendor client POSTs; "post" or "put" answers
    # the other with 404.
    logout_methods: Literal["both", "post", "put"] = "both"
    # [GUESS] The docs demand Content-type: application/json; True answers 415 otherwise.
    require_json_content_type: bool = False

    # --- login lockout ----------------------------------------------------------------
    lockout_failures: int = 5
    lockout_window: float = 300.0
    lockout_duration: float = 300.0

    # --- WebSocket ----------------------------------------------------------------------
    # Firmware before 4.1 sends UPD:DATAPOINT items without "timestamp" and no NTF:TIME.
    ws_timestamps: bool = True
    ntf_time_interval: float | None = 30.0
    cpu_interval: float | None = 10.0
    # Updates published within this window are batched into one frame (0 = one loop tick).
    flush_window: float = 0.0
    max_batch: int = 100
    # [GUESS] Status of a refused WS upgrade (no or expired session); 3xx redirects to
    # the web UI's login page (/cms/login).
    ws_refuse_status: int = 401
    # [GUESS] Close code when a session expires or logs out while its WS is open.
    ws_expiry_close_code: int = 1008
    # [GUESS] CRT:ALARM and DEL:ALARM payloads: the whole alarm object or just {"id": n}
    # (the vendor's Browser ignores them and reads /iap/alarms again).
    crt_alarm_payload: Literal["object", "id"] = "object"
    del_alarm_payload: Literal["object", "id"] = "object"
    # [GUESS] Whether a subscribe request pushes the current values at once.
    subscribe_pushes_values: bool = False
    # [GUESS] Whether a second general WS of the same user is refused (409) or shares.
    refuse_second_ws: bool = False
    # Delay of the live UPD:DATAPOINT that follows an on-demand GET.
    live_read_delay: float = 0.005
    # [GUESS] What an on-demand GET of a subscribed datapoint sends on the WebSocket:
    # "always" echoes the value even when it did not change; "wire" only after a read
    # on the wire (past max_age); "changed" only a change (the docs say updates
    # *occur* on on-demand GETs, no more).
    read_echo: Literal["always", "wire", "changed"] = "always"
    # Negotiate permessage-deflate when the client offers it.
    ws_compress: bool = False

    # --- values ---------------------------------------------------------------------------
    # Generators move output values and monitored datapoints are polled; False freezes them.
    auto_updates: bool = True
    # Tick of the generator/polling loop.
    update_interval: float = 1.0
    # [GUESS] Writing an "out" datapoint: False answers 403.
    allow_output_writes: bool = False
    # [GUESS] Whether a REST write (or relinquish) that changes an input's value is
    # pushed on the WebSocket; False pushes only the outputs that follow the input.
    echo_input_writes: bool = True
    # [GUESS] Whether property items (``.../{dp}/*``) carry ``dpQualifier``; the
    # documented item has none (deviceId, blockName, blockIndex, datapointName).
    props_qualifier: bool = True
    # [GUESS] The time of a value read: "timestamp" (...Z), or "utc" and "local" as in
    # data-log entries and logging configuration items.
    value_time_fields: Literal["timestamp", "utc"] = "timestamp"
    # [GUESS] Priority level of the default (plain write) value: 255 (below every
    # override, so relinquishing any level falls back to it), or 17, "Normal", as the
    # documentation names that level (a write at 17 then sets the plain value).
    default_priority_level: int = 255
    # [GUESS] Value path with no match: 404 for a literal path, [] for a wildcard path.
    empty_wildcard_status: int = 200
    # [GUESS] A literal {dev} element: the device-list id, the name or the datapoint-level
    # <scId>.<n> id ("any"), or not the latter ("list"; data-log dev: no filters either).
    device_ids: Literal["any", "list"] = "any"
    # [GUESS] A literal block/datapoint element: the instance or the XIF name ("any"), or
    # the instance name only, as the docs say ("instance"; *+xifName== for XIF names).
    literal_names: Literal["any", "instance"] = "any"
    # [GUESS] Priority paths: .../overrides/{p}/value (the Browser, DELETE on the same path
    # relinquishes) and .../{p}/overrides/value (the API tester's list) ("both"), or the
    # Browser's alone ("vendor").
    override_paths: Literal["both", "vendor"] = "both"

    # --- data logs ------------------------------------------------------------------------
    history_days: float = 366.0
    # [GUESS] "zoned" = 2026-11-01T07:00:00.000Z[UTC], "z" = ...Z, "space" = 2019-01-11 23:27:46.045 UTC
    log_utc_format: Literal["zoned", "z", "space"] = "zoned"
    # [GUESS] Order of data-log entries per datapoint.
    log_order: Literal["asc", "desc"] = "asc"
    # [GUESS] The end marker is the JSON string "end" (with quotes); False sends end bare.
    log_end_quoted: bool = True
    # [GUESS] The server closes a data-log socket right after "end"; False keeps it open
    # until the client closes it, so a client must finish on "end" itself.
    log_close_after_end: bool = True
    # Fault: every data-log stream breaks after this many entries (close code 1011,
    # no "end"), as a SmartServer whose stream dies mid-way; None streams to the end.
    log_cut_after: int | None = None

    # --- misc -------------------------------------------------------------------------------
    # [GUESS] Case of device state and health words: "provisioned"/"normal" (the device
    # list examples) or "PROVISIONED"/"DOWN" (the sts values, *+health==DOWN).
    status_case: Literal["lower", "upper"] = "lower"
    # [GUESS] Refuse (403) a WebSocket upgrade without an Origin header, as a browser
    # origin check would.
    require_origin: bool = False
    # [GUESS] A page asked for with pg/sz: the {snapshot, resources, remainingPages}
    # envelope (the vendor's simple driver), or a bare array (the Browser's noxs listing).
    page_shape: Literal["envelope", "bare"] = "envelope"
    snapshot_limit: int = 64
    timezone: str = "Europe/Berlin"
    firmware_version: str = "4.4.021"

    @classmethod
    def strict(cls, **overrides: Any) -> Self:
        """Return options that take the other reading of every [GUESS] at once.

        The defaults are the likeliest readings; a client that works only against them
        may still fail on a real SmartServer. ``STRICT`` lists each switch and the
        reading that contradicts the default (``docs/protocol.md`` gives the evidence).
        """
        return replace(cls(**STRICT), **overrides)


# Every switch whose other reading a client must survive, set to that reading.
STRICT: dict[str, Any] = {
    "session_timeout_body": "object",
    "session_timeout_needs_auth": True,
    "require_json_content_type": True,
    "ws_timestamps": False,
    "ws_refuse_status": 302,
    "crt_alarm_payload": "id",
    "del_alarm_payload": "id",
    "subscribe_pushes_values": True,
    "refuse_second_ws": True,
    "empty_wildcard_status": 404,
    "log_utc_format": "space",
    "log_order": "desc",
    "log_end_quoted": False,
    "log_close_after_end": False,
    "page_shape": "bare",
    "read_echo": "changed",
    "device_ids": "list",
    "literal_names": "instance",
    "override_paths": "vendor",
    "props_qualifier": False,
    "logout_methods": "post",
    "rest_refuse_status": 403,
    "value_time_fields": "utc",
    "status_case": "upper",
    "require_origin": True,
}
