"""The live WebSocket frame parser: one JSON decode per frame, then typed events.

This is the listener's hot path. A ``UPD:DATAPOINT`` frame costs one ``orjson.loads``
and one ``DatapointUpdate`` per item; timestamps in the usual ``…Z`` form go straight to
``datetime.fromisoformat``.
"""

from __future__ import annotations

from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any

import orjson

from .errors import IapError, IapProtocolError
from .events import (
    AlarmsChanged,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    LiveEvent,
    NotificationReceived,
    ServerTime,
)
from .models import DatapointUpdate
from .parsing import parse_device_status
from .timestamps import parse_timestamp_or_none

if TYPE_CHECKING:
    from .stats import ClientStats

_LOGGER = logging.getLogger(__name__)

_loads = orjson.loads
_JSONDecodeError = orjson.JSONDecodeError
_fromisoformat = datetime.fromisoformat

ACTION_DATAPOINT = "UPD:DATAPOINT"
ALARM_ACTIONS = frozenset({"CRT:ALARM", "DEL:ALARM"})

# Actions the SmartServer sends that the client does not turn into events (load figures,
# licensing, service pin, test results): skipped without counting them as unknown.
IGNORED_ACTIONS = frozenset(
    {
        "UPD:CPU",
        "UPD:SC:CPU",
        "UPD:SC:MEMORY",
        "UPD:EPS",
        "UPD:TOTAL_EPS",
        "UPD:MONITORINGSTATE",
        "UPD:DEVICE_TEST_RESULT",
        "NTF:JOIN",
        "UPD:LIC:CLOUD",
        "DEL:LIC",
        "NTF:LIC:ACTION",
        "UPD:LIC:TOTAL",
    }
)


class UnknownAction(IapProtocolError):
    """A well-formed frame whose action the client does not know."""

    def __init__(self, action: str) -> None:
        super().__init__(f"unknown action {action!r}")
        self.action = action


def _timestamp(value: object) -> datetime | None:
    if type(value) is str and value[-1:] == "Z":
        try:
            return _fromisoformat(value)
        except ValueError:
            return None
    return parse_timestamp_or_none(value)


def decode_updates(
    payload: object, stats: ClientStats | None = None
) -> list[DatapointUpdate]:
    """Return the updates of a ``UPD:DATAPOINT`` payload, skipping unusable items."""
    if type(payload) is dict:
        payload = [payload]
    elif type(payload) is not list:
        raise IapProtocolError("UPD:DATAPOINT payload is not a list")
    updates: list[DatapointUpdate] = []
    append = updates.append
    skipped = 0
    for item in payload:
        if type(item) is not dict:
            skipped += 1
            continue
        get = item.get
        qualifier = get("datapointQualifier")
        if type(qualifier) is not str:
            qualifier = get("dpQualifier")
            if type(qualifier) is not str:
                skipped += 1
                continue
        stamp = get("timestamp")
        append(
            DatapointUpdate(
                qualifier,
                get("value"),
                None if stamp is None else _timestamp(stamp),
                get("presetValue"),
            )
        )
    if skipped and stats is not None:
        stats.skipped_updates += skipped
    return updates


def _payload_dict(payload: object, action: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise IapProtocolError(f"{action} payload is not an object")
    return payload


def _id_of(payload: object, *keys: str) -> str:
    if isinstance(payload, dict):
        for key in keys:
            value = payload.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)
    elif isinstance(payload, str | int) and not isinstance(payload, bool):
        return str(payload)
    raise IapProtocolError("payload carries no id")


def _decode_other(action: str, payload: object) -> LiveEvent | None:
    if action == "UPD:DEVICE":
        body = _payload_dict(payload, action)
        status = body.get("status")
        # Some firmware may flatten the status into the payload.
        return DeviceStatusChanged(
            _id_of(body, "id", "deviceId"),
            parse_device_status(status if isinstance(status, dict) else body),
        )
    if action == "DEL:DEVICE":
        return DeviceDeleted(_id_of(payload, "id", "deviceId"))
    if action in ALARM_ACTIONS:
        # Whatever the payload: the listener reads the alarms again.
        return AlarmsChanged(action)
    if action == "CRT:NOTIFICATION":
        body = _payload_dict(payload, action)
        message = body.get("message")
        target_type = body.get("targetType")
        target_name = body.get("targetName")
        return NotificationReceived(
            message if isinstance(message, str) else "",
            target_type if isinstance(target_type, str) else None,
            target_name if isinstance(target_name, str) else None,
        )
    if action == "NTF:TIME":
        value = payload.get("value") if isinstance(payload, dict) else payload
        return ServerTime(parse_timestamp_or_none(value))
    if action in IGNORED_ACTIONS:
        return None
    raise UnknownAction(action)


def parse_frame(
    data: str | bytes, stats: ClientStats | None = None
) -> LiveEvent | None:
    """Decode one general-WebSocket text frame.

    Returns None for frames that carry nothing the client reports (load figures and the
    like).

    Raises:
        IapProtocolError: the frame is not JSON, not an ``{action, payload}`` envelope, or
            its payload does not fit its action (``UnknownAction`` for unknown actions).
    """
    try:
        frame = _loads(data)
    except _JSONDecodeError as err:
        raise IapProtocolError(f"frame is not JSON: {err}") from None
    if type(frame) is not dict:
        raise IapProtocolError("frame is not an object")
    action = frame.get("action")
    if action == ACTION_DATAPOINT:
        return DatapointsUpdated(decode_updates(frame.get("payload"), stats))
    if type(action) is not str:
        raise IapProtocolError("frame without an action")
    return _decode_other(action, frame.get("payload"))


class FrameDecoder:
    """Decode frames for the listener, counting and skipping what it cannot use."""

    __slots__ = ("stats",)

    def __init__(self, stats: ClientStats) -> None:
        self.stats = stats

    def decode(self, data: str | bytes) -> LiveEvent | None:
        """Return the frame's event, or None when the frame is skipped."""
        stats = self.stats
        stats.frames += 1
        try:
            event = parse_frame(data, stats)
        except UnknownAction as err:
            stats.unknown_actions += 1
            _LOGGER.debug("Ignoring WebSocket action %s", err.action)
            return None
        except IapError as err:
            stats.malformed_frames += 1
            _LOGGER.debug("Skipping malformed WebSocket frame: %s", err)
            return None
        if event is None:
            stats.ignored_frames += 1
        elif type(event) is DatapointsUpdated:
            stats.updates += len(event.updates)
        return event
