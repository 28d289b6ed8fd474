"""Turn SmartServer JSON objects into the typed models. Tolerant of missing fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import IapProtocolError
from .models import (
    Alarm,
    Datapoint,
    DatapointUpdate,
    Device,
    DeviceStatus,
    Direction,
    JsonValue,
    LogEntry,
)
from .qualifier import format_qualifier
from .timestamps import parse_timestamp, parse_timestamp_or_none

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

# Returns the device a datapoint item belongs to, when it can tell.
type FindDevice = Callable[[dict[str, Any]], Device | None]

# Input datapoints (network variables and configuration properties) accept writes.
_INPUT_PREFIXES = ("nvi", "nci", "cp")


def _opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return None


def _require_dict(raw: object, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise IapProtocolError(f"{what} is not a JSON object: {type(raw).__name__}")
    return raw


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise IapProtocolError(f"{what} is not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise IapProtocolError(f"{what} is not a number: {value!r}")


def int_or_none(value: object) -> int | None:
    """Return an int given as an int, an integral float or a numeric string; else None."""
    try:
        return _int(value, "number")
    except IapProtocolError:
        return None


def qualifier_of(raw: dict[str, Any]) -> str | None:
    """Return the qualifier of an item: WS uses ``datapointQualifier``, REST ``dpQualifier``."""
    qualifier = raw.get("dpQualifier")
    if not isinstance(qualifier, str):
        qualifier = raw.get("datapointQualifier")
    return qualifier if isinstance(qualifier, str) and qualifier else None


def parse_device_status(raw: object) -> DeviceStatus:
    """Parse a device ``status`` object (or any object carrying state/health)."""
    if not isinstance(raw, dict):
        return DeviceStatus(None, None)
    return DeviceStatus(
        state=_opt_str(raw.get("state")),
        health=_opt_str(raw.get("health")),
        connection=_opt_str(raw.get("connection")),
    )


def parse_device(raw: object) -> Device:
    """Parse one item of ``GET /iap/devs``."""
    item = _require_dict(raw, "device")
    device_id = _opt_str(item.get("id"))
    if device_id is None:
        raise IapProtocolError("device without an id")
    status_raw = item.get("status")
    if isinstance(status_raw, dict):
        status = parse_device_status(status_raw)
    else:
        status = DeviceStatus(
            _opt_str(item.get("deviceState") or item.get("state")),
            _opt_str(item.get("deviceHealth") or item.get("health")),
        )
    return Device(
        id=device_id,
        name=_opt_str(item.get("name")) or device_id,
        category=_opt_str(item.get("category")),
        sc_id=_opt_str(item.get("scId")),
        protocol=_opt_str(item.get("protocol")),
        did=_opt_str(item.get("DID")),
        uid=_opt_str(item.get("uid")),
        type_name=_opt_str(item.get("deviceTypeName") or item.get("xifName")),
        firmware_version=_opt_str(item.get("firmwareVersion")),
        status=status,
        raw=item,
    )


def _type_name(raw: object) -> str | None:
    text = _opt_str(raw)
    if text is None:
        return None
    return text.rpartition("/")[2] or None


def _direction(cat: object, name: str) -> Direction:
    if isinstance(cat, str):
        lowered = cat.lower()
        if lowered in ("in", "input"):
            return Direction.INPUT
        if lowered in ("out", "output"):
            return Direction.OUTPUT
    return Direction.INPUT if name.startswith(_INPUT_PREFIXES) else Direction.OUTPUT


def _unit(item: dict[str, Any]) -> str | None:
    cfg = item.get("lon.cfg")
    if isinstance(cfg, dict):
        unit = _opt_str(cfg.get("unit"))
        if unit is not None:
            return unit
    return _opt_str(item.get("unit"))


def device_finder(devices: Iterable[Device], listed: str | None = None) -> FindDevice:
    """Return a lookup of the device a datapoint item belongs to.

    With ``listed`` (the device whose datapoints are listed) every item is that
    device's; else the item's ``deviceId`` names it (the device-list id or the
    ``deviceId`` the device list carries), or its ``deviceName`` when only one device
    has that name.
    """
    by_id: dict[str, Device] = {}
    by_name: dict[str, Device | None] = {}
    for device in devices:
        by_id.setdefault(device.id, device)
        other = device.raw.get("deviceId")
        if isinstance(other, str):
            by_id.setdefault(other, device)
        by_name[device.name] = None if device.name in by_name else device
    owner = None if listed is None else by_id.get(listed)

    def find(item: dict[str, Any]) -> Device | None:
        if owner is not None:
            return owner
        device_id = _opt_str(item.get("deviceId"))
        if device_id is not None and device_id in by_id:
            return by_id[device_id]
        name = _opt_str(item.get("deviceName"))
        return None if name is None else by_name.get(name)

    return find


def _built_qualifier(
    item: dict[str, Any], block: str | None, name: str | None, find: FindDevice
) -> str | None:
    """Build the qualifier of an item without one, as the vendor's Browser does."""
    device = find(item)
    if device is None or block is None or name is None:
        return None
    if device.sc_id is None or device.protocol is None or device.did is None:
        return None
    index = _int(item.get("blockIndex", 0), "blockIndex")
    return format_qualifier(
        device.sc_id, device.protocol, device.did, block, index, name
    )


def parse_datapoint(raw: object, find: FindDevice | None = None) -> Datapoint:
    """Parse one item of a datapoint properties listing (``…/if/*/*/*/*``).

    The documented item has no ``dpQualifier``: with ``find`` (see
    ``device_finder``) it is built from the device's scId/protocol/DID and the
    item's block, index and name.
    """
    item = _require_dict(raw, "datapoint")
    name = _opt_str(item.get("datapointName")) or _opt_str(item.get("xifName"))
    block = _opt_str(item.get("blockName"))
    qualifier = qualifier_of(item)
    if qualifier is None and find is not None:
        qualifier = _built_qualifier(item, block, name, find)
    if qualifier is None:
        raise IapProtocolError("datapoint without a qualifier")
    device_id = _opt_str(item.get("deviceId"))
    if name is None or block is None or device_id is None:
        raise IapProtocolError(
            f"datapoint {qualifier!r} lacks its device, block or name"
        )
    monitor = item.get("monitor")
    rate = monitor.get("rate") if isinstance(monitor, dict) else None
    return Datapoint(
        qualifier=qualifier,
        device_id=device_id,
        device_name=_opt_str(item.get("deviceName")) or device_id,
        block_name=block,
        block_index=_int(item.get("blockIndex", 0), "blockIndex"),
        name=name,
        instance_name=_opt_str(item.get("name")),
        type_name=_type_name(item.get("type") or item.get("typeName")),
        direction=_direction(item.get("cat"), name),
        unit=_unit(item),
        value=item.get("value"),
        monitor_rate=float(rate)
        if isinstance(rate, int | float) and not isinstance(rate, bool)
        else None,
        raw=item,
    )


def parse_value_item(raw: object) -> DatapointUpdate:
    """Parse one item of a value read (``…/value``) into an update."""
    item = _require_dict(raw, "value item")
    qualifier = qualifier_of(item)
    if qualifier is None:
        raise IapProtocolError("value item without a qualifier")
    value: JsonValue = item.get("value")
    return DatapointUpdate(qualifier, value, _time_of(item), item.get("presetValue"))


def _time_of(item: dict[str, Any]) -> datetime | None:
    """Return an item's instant: its ``timestamp``, else ``utc``, else ``local``."""
    for key in ("timestamp", "utc", "local"):
        stamp = parse_timestamp_or_none(item.get(key))
        if stamp is not None:
            return stamp
    return None


def parse_alarm(raw: object) -> Alarm:
    """Parse one item of ``GET /iap/alarms`` or a ``CRT:ALARM`` payload."""
    item = _require_dict(raw, "alarm")
    device = item.get("device")
    device = device if isinstance(device, dict) else {}
    return Alarm(
        id=_int(item.get("id"), "alarm id"),
        timestamp=parse_timestamp_or_none(item.get("timestamp")),
        category=_opt_str(item.get("category")),
        severity=_opt_str(item.get("severity")),
        state=_opt_str(item.get("state")),
        type=_opt_str(item.get("type")),
        details=_opt_str(item.get("details")),
        target_type=_opt_str(item.get("alarmTargetType")),
        device_id=_opt_str(device.get("id") or item.get("deviceId")),
        device_name=_opt_str(device.get("name") or item.get("deviceName")),
        raw=item,
    )


def parse_log_entry(raw: object) -> LogEntry:
    """Parse one data-log entry; ``utc`` falls back to ``local`` and ``timestamp``.

    Runs once per entry of a data-log query (a year of 1-minute entries is half a
    million): the common field shapes are taken inline before the general helpers.
    """
    item = _require_dict(raw, "log entry")
    qualifier = qualifier_of(item)
    if qualifier is None:
        raise IapProtocolError("log entry without a qualifier")
    utc = None
    for key in ("utc", "local", "timestamp"):
        text = item.get(key)
        if text is not None:
            utc = parse_timestamp(text)
            break
    if utc is None:
        raise IapProtocolError(f"log entry of {qualifier!r} without a time")
    index = item.get("blockIndex")
    if index is not None:
        if type(index) is str and index.isdecimal():
            index = int(index)
        else:
            index = _int(index, "blockIndex")
    device_id = item.get("deviceId")
    block = item.get("blockName")
    name = item.get("datapointName")
    return LogEntry(
        qualifier,
        utc,
        item.get("value"),
        device_id if type(device_id) is str and device_id else _opt_str(device_id),
        block if type(block) is str and block else _opt_str(block),
        index,
        name if type(name) is str and name else _opt_str(name),
    )
