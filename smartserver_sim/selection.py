"""Finding things in the model: by id or qualifier, by path element, by time filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ApiError, NotFoundError
from .history import TimeRange
from .paths import PathError, Selector, matches, parse_filter
from .timefmt import parse_time

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .model import Datapoint, Device, Scenario
    from .options import SimOptions


@dataclass(frozen=True, slots=True)
class Naming:
    """What a path element may name (``SimOptions.device_ids``, ``literal_names``)."""

    # A literal device element may be the datapoint-level ``<scId>.<n>`` id too.
    datapoint_level_ids: bool = True
    # A literal block or datapoint element may be the XIF name too, not only the
    # instance name.
    xif_literals: bool = True
    # A ``*+...`` filter selects devices (data-log ``dev`` may be stricter); ``*``
    # always selects them all.
    device_filters: bool = True

    @classmethod
    def of(cls, options: SimOptions, *, log: bool = False) -> Naming:
        """Return the naming rules of REST paths (or of data-log parameters)."""
        strict_ids = options.device_ids == "list"
        return cls(
            datapoint_level_ids=not strict_ids,
            xif_literals=options.literal_names == "any",
            device_filters=not (log and strict_ids),
        )


ANY_NAME = Naming()


def find_datapoint(scenario: Scenario, qualifier: str) -> Datapoint:
    """Return a datapoint by qualifier or raise NotFoundError."""
    dp = scenario.datapoints.get(qualifier)
    if dp is None:
        raise NotFoundError(f"no datapoint {qualifier!r}")
    return dp


def find_device(scenario: Scenario, device_id: str) -> Device:
    """Return a device by id, deviceId (``scId.n``) or name; raise NotFoundError."""
    devices = scenario.devices
    if device_id in devices:
        return devices[device_id]
    for device in devices.values():
        if device_id in (scenario.device_id(device), device.name):
            return device
    raise NotFoundError(f"no device {device_id!r}")


def device_lookup(scenario: Scenario, device: Device) -> dict[str, list[Any]]:
    """Return the filter keys of a device and their values."""
    return {
        "id": [device.id],
        "deviceId": [scenario.device_id(device)],
        "name": [device.name],
        "uid": [device.uid],
        "category": [
            device.category,
            "GLP_SC" if device.category == "SC" else "GLP_device",
        ],
        "health": [device.health],
        "status": [device.state],
        "state": [device.state],
        "sts": [device.state],
        "connection": [device.connection],
        "protocol": [device.protocol],
        "scId": [scenario.sc_id],
        "scName": [scenario.sc_name],
        "DID": [device.did],
        "typeName": [device.type_name],
        "deviceTypeName": [device.type_name],
        "xifName": [device.type_name],
        "typeId": [device.type_id],
        "firmwareVersion": [device.firmware_version],
    }


def select_devices(
    scenario: Scenario, sel: Selector, naming: Naming = ANY_NAME
) -> list[Device]:
    """Return the devices a device path element selects."""
    found = []
    for device in scenario.devices.values():
        literal: tuple[str, ...] = (device.id, device.name)
        if naming.datapoint_level_ids:
            literal = (*literal, scenario.device_id(device))
        if sel.literal is not None:
            if sel.literal in literal:
                found.append(device)
            continue
        if sel.conditions and not naming.device_filters:
            continue
        keys = device_lookup(scenario, device)
        if matches(sel, literal, keys.get):
            found.append(device)
    return found


def _dp_lookup(dp: Datapoint) -> dict[str, Iterable[Any]]:
    return {
        "name": [dp.instance_name, dp.name],
        "xifName": [dp.name],
        "datapointName": [dp.name],
        "qualifier": [dp.qualifier],
        "dpQualifier": [dp.qualifier],
        "type": [dp.type.name, dp.type.wire_name],
        "typeName": [dp.type.name],
        "cat": [dp.direction],
        "direction": [dp.direction],
        "unit": [dp.unit],
        "tag": list(dp.tags),
        "monitor.rate": [dp.monitor_rate],
    }


def _is_bulk_read(dev: Selector, blk: Selector, idx: Selector, dpe: Selector) -> bool:
    conds = dpe.conditions
    return (
        all(s.literal is None and not s.conditions for s in (dev, blk, idx))
        and len(conds) == 1
        and conds[0].key in ("qualifier", "dpQualifier")
        and conds[0].op == "=-"
    )


def select_datapoints(
    scenario: Scenario,
    dev: Selector,
    blk: Selector,
    idx: Selector,
    dpe: Selector,
    *,
    naming: Naming = ANY_NAME,
) -> list[Datapoint]:
    """Return the datapoints four path elements select, in a stable order."""
    if _is_bulk_read(dev, blk, idx, dpe):
        # The bulk-read form: answer straight from the index, in the order asked.
        table = scenario.datapoints
        asked = dpe.conditions[0].items
        return [table[q] for q in dict.fromkeys(asked) if q in table]
    found = []
    for device in select_devices(scenario, dev, naming):
        for dp in device.datapoints:
            if not matches(
                blk, (dp.block,), {"name": [dp.block], "xifName": [dp.block]}.get
            ):
                continue
            if not matches(idx, (str(dp.index),), {"index": [dp.index]}.get):
                continue
            names = (
                (dp.name, dp.instance_name)
                if naming.xif_literals
                else (dp.instance_name,)
            )
            if matches(dpe, names, _dp_lookup(dp).get):
                found.append(dp)
    return found


def parse_time_filter(text: str) -> TimeRange:
    """Parse ``*+utc>A&utc<=B`` (or ``*``) into a range; raise ApiError when bad."""
    try:
        sel = parse_filter(text)
    except PathError as err:
        raise ApiError(400, str(err)) from None
    if sel.literal is not None:
        raise ApiError(400, f"bad time filter {text!r}")
    lo: float | None = None
    hi: float | None = None
    lo_inc = False
    hi_inc = True
    for cond in sel.conditions:
        if cond.key not in ("utc", "timestamp", "local"):
            raise ApiError(400, f"unknown time key {cond.key!r}")
        try:
            t = parse_time(cond.value)
        except ValueError as err:
            raise ApiError(400, str(err)) from None
        if cond.op in (">", ">=", "=>"):
            lo, lo_inc = t, cond.op != ">"
        elif cond.op in ("<", "<=", "=<"):
            hi, hi_inc = t, cond.op != "<"
        elif cond.op == "==":
            lo, lo_inc, hi, hi_inc = t, True, t, True
        else:
            raise ApiError(400, f"bad time operator {cond.op!r}")
    return TimeRange(lo, lo_inc, hi, hi_inc)
