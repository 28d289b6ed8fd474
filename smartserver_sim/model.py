"""The live model: devices, datapoints with their priority arrays, alarms, users."""

from __future__ import annotations

from dataclasses import dataclass, field
import time
from typing import TYPE_CHECKING, Any

from .generators import Generator, seed_for

if TYPE_CHECKING:
    from .lontypes import TypeInfo


class WriteConflictError(Exception):
    """A higher priority than the write holds the datapoint (HTTP 422)."""


@dataclass(slots=True, eq=False)
class Device:
    """One device of ``GET /iap/devs``; category ``SC`` is the SmartServer itself."""

    id: str
    num: int
    name: str
    category: str
    did: str
    uid: str
    type_name: str
    protocol: str = "lon"
    state: str = "provisioned"
    health: str = "normal"
    connection: str = "connected"
    status_since: float = field(default_factory=time.time)
    firmware_version: str = "1.0"
    type_id: int = 128
    datapoints: list[Datapoint] = field(default_factory=list)

    @property
    def reachable(self) -> bool:
        """Return True when the device answers on the wire (provisioned, not down)."""
        return self.state == "provisioned" and self.health != "down"


@dataclass(slots=True, eq=False)
class Datapoint:
    """One datapoint: identity, type, monitoring, logging and its value state."""

    uid: int
    device: Device
    qualifier: str
    block: str
    index: int
    name: str  # datapointName, the programmatic (XIF) name used in qualifiers
    instance_name: str  # ``name``, shown to people
    type: TypeInfo
    direction: str  # "in" | "out"
    unit: str
    seed: int
    generator: Generator | None = None
    monitor_rate: float = 0.0
    log_interval: float | None = None
    presets: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    follows: str | None = None  # an input of the same device this output mirrors
    # A value set through the control API holds the generator off until it is resumed.
    held: bool = False
    default: Any = None
    overrides: dict[int, Any] = field(default_factory=dict)
    timestamp: float = 0.0
    handle: int = 0

    @property
    def value(self) -> Any:
        """Return the published value: the highest-priority override, else the default."""
        if self.overrides:
            return self.overrides[min(self.overrides)]
        return self.default

    def level(self, default_level: int) -> int:
        """Return the priority level in control."""
        return min(self.overrides) if self.overrides else default_level

    def levels(self, default_level: int) -> dict[str, Any]:
        """Return the ``values`` property: level in control and every held level."""
        held = {str(p): v for p, v in sorted(self.overrides.items())}
        held[str(default_level)] = self.default
        return {"level": self.level(default_level), "levels": held}

    def check_override(self, priority: int) -> None:
        """Raise WriteConflictError when a higher priority than ``priority`` holds."""
        if self.overrides and min(self.overrides) < priority:
            raise WriteConflictError(
                f"held at priority {min(self.overrides)}, write at {priority}"
            )

    def preset_name(self) -> str | None:
        """Return the name of the preset equal to the current value, if any."""
        current = self.value
        for name, preset in self.all_presets().items():
            if preset == current:
                return name
        return None

    def all_presets(self) -> dict[str, Any]:
        """Return the type's presets overlaid by the datapoint's own."""
        return {**self.type.presets, **self.presets}

    @property
    def generated(self) -> bool:
        """Return True when the generator drives the value (no override, not held)."""
        return self.generator is not None and not self.overrides and not self.held

    def live_value(self, now: float) -> Any:
        """Return what a read on the wire would answer at ``now``."""
        if self.generator is None or not self.generated:
            return self.value
        return self.generator.value_at(now, self.seed)


# [GUESS] What an alarm is about (``alarmTargetType``): the docs show DEVICE (with a
# ``device`` object) and a ``group`` object; GROUP and SYSTEM (neither) are guesses.
TARGET_TYPES = ("DEVICE", "GROUP", "SYSTEM")


def alarm_target_type(target_type: str | None, *, device: bool, group: bool) -> str:
    """Return an alarm's target type (by default from what it names); ValueError if unfit.

    DEVICE names a device, GROUP a group, SYSTEM neither.
    """
    target = target_type or ("DEVICE" if device else "GROUP" if group else "SYSTEM")
    if target not in TARGET_TYPES:
        raise ValueError(f"target_type must be one of {', '.join(TARGET_TYPES)}")
    if (target == "DEVICE") != device:
        raise ValueError("a DEVICE alarm names a device, and only it does")
    if (target == "GROUP") != group:
        raise ValueError("a GROUP alarm names a group, and only it does")
    return target


@dataclass(slots=True)
class Alarm:
    """One alarm of ``GET /iap/alarms``."""

    id: int
    timestamp: float
    device: Device | None
    type: str
    details: str
    severity: str = "Major Fault"
    category: str = "System-SW"
    state: str = "Active"
    target_type: str = "DEVICE"
    group: str | None = None


@dataclass(slots=True)
class Scenario:
    """Everything the simulator serves, mutable at run time."""

    sc_id: str = "17q4bn7"
    sc_name: str = "SmartServer IoT"
    seed: int = 1
    timezone: str | None = None
    users: dict[str, str] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    datapoints: dict[str, Datapoint] = field(default_factory=dict)
    alarms: dict[int, Alarm] = field(default_factory=dict)
    next_device: int = 1
    next_datapoint: int = 1
    next_alarm: int = 1000
    # Raw alarm specs from a scenario file; turned into alarms at start.
    alarm_specs: list[dict[str, Any]] = field(default_factory=list)
    # Alarm conditions as IAP/MQ configures them (``GET /iap/alarms/definitions``).
    alarm_definitions: list[dict[str, Any]] = field(default_factory=list)
    # Group name -> its id, in the order groups were first named.
    groups: dict[str, int] = field(default_factory=dict)

    def make_seed(self, qualifier: str) -> int:
        """Return the generator seed of a datapoint."""
        return seed_for(self.seed, qualifier)

    def device_id(self, device: Device) -> str:
        """Return the datapoint-level ``deviceId`` of a device (``scId.n``)."""
        return f"{self.sc_id}.{device.num}"

    def smartserver(self) -> Device:
        """Return the category-SC device."""
        return next(d for d in self.devices.values() if d.category == "SC")

    def add_alarm(
        self,
        device: Device | None,
        type_: str,
        details: str,
        *,
        severity: str = "Major Fault",
        category: str = "System-SW",
        target_type: str = "DEVICE",
        group: str | None = None,
        timestamp: float | None = None,
    ) -> Alarm:
        """Create an active alarm and return it."""
        if group is not None:
            self.groups.setdefault(group, len(self.groups) + 1)
        alarm = Alarm(
            self.next_alarm,
            time.time() if timestamp is None else timestamp,
            device,
            type_,
            details,
            severity,
            category,
            target_type=target_type,
            group=group,
        )
        self.next_alarm += 1
        self.alarms[alarm.id] = alarm
        return alarm
