"""Typed models of what the SmartServer reports. Plain slotted dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

type JsonValue = (
    bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
)


class Direction(StrEnum):
    """Datapoint direction as the SmartServer's ``cat`` property names it."""

    INPUT = "in"
    OUTPUT = "out"


@dataclass(slots=True, frozen=True)
class DeviceStatus:
    """Provisioning state, health and connection of a device."""

    state: str | None  # provisioned, unprovisioned, provisioning, unlicensed, ...
    health: str | None  # normal, suspect, down, nascent
    connection: str | None = None  # connected, ...

    @property
    def is_provisioned(self) -> bool:
        """Return True when the device is provisioned (or reports no state at all)."""
        return self.state is None or self.state.lower() == "provisioned"

    @property
    def is_healthy(self) -> bool:
        """Return True when the device is provisioned and not down."""
        return self.is_provisioned and (self.health or "").lower() != "down"


@dataclass(slots=True, frozen=True)
class Device:
    """One device from ``GET /iap/devs``; the SmartServer itself has category SC."""

    id: str
    name: str
    category: str | None
    sc_id: str | None
    protocol: str | None
    did: str | None
    uid: str | None
    type_name: str | None  # deviceTypeName
    firmware_version: str | None
    status: DeviceStatus
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_smartserver(self) -> bool:
        """Return True for the SmartServer's own device entry."""
        return self.category in ("SC", "GLP_SC")


@dataclass(slots=True, frozen=True)
class Datapoint:
    """One datapoint from a properties listing (``…/if/*/*/*/*``)."""

    qualifier: str
    # The datapoint-level deviceId: the device-list id or another form (``<scId>.<n>``);
    # REST paths use the device-list id (``Site.device_of``).
    device_id: str
    device_name: str
    block_name: str
    block_index: int
    name: str  # datapointName, the programmatic name used in paths
    instance_name: str | None  # ``name``, the one shown to people
    type_name: str | None  # e.g. SNVT_temp_p (the part after the "/" of ``type``)
    direction: Direction
    unit: str | None  # lon.cfg.unit or a unit the SmartServer reports
    value: JsonValue
    monitor_rate: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def writable(self) -> bool:
        """Return True for input datapoints, which accept writes."""
        return self.direction is Direction.INPUT

    @property
    def log_retention_days(self) -> float | None:
        """Return how many days the SmartServer keeps this datapoint's data log.

        The longest ``retention`` of the ``logs`` levels in the properties listing
        (days: [GUESS], the documentation shows the field without its unit); None when
        the listing shows no logging configuration.
        """
        levels = self.raw.get("logs")
        if not isinstance(levels, list):
            return None
        days = [
            float(level["retention"])
            for level in levels
            if isinstance(level, dict)
            and isinstance(level.get("retention"), int | float)
            and not isinstance(level.get("retention"), bool)
        ]
        return max(days, default=None)


@dataclass(slots=True, frozen=True)
class DatapointUpdate:
    """One datapoint value, from a ``UPD:DATAPOINT`` frame or a value read."""

    qualifier: str
    value: JsonValue
    timestamp: datetime | None = None  # absent before firmware 4.1
    preset_value: JsonValue = None


@dataclass(slots=True, frozen=True)
class Alarm:
    """One alarm from ``GET /iap/alarms`` or a ``CRT:ALARM`` frame."""

    id: int
    timestamp: datetime | None
    category: str | None
    severity: str | None
    state: str | None
    type: str | None
    details: str | None
    target_type: str | None
    device_id: str | None
    device_name: str | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def active(self) -> bool:
        """Return True while the alarm has not been cleared."""
        return (self.state or "").lower() == "active"


@dataclass(slots=True, frozen=True)
class LogEntry:
    """One data-log entry from a data-log WebSocket query."""

    qualifier: str
    utc: datetime  # always timezone-aware UTC
    value: JsonValue
    device_id: str | None = None
    block_name: str | None = None
    block_index: int | None = None
    datapoint_name: str | None = None
