"""What the event entities announce: event types, and the data of each event.

The data keys are stable (the README lists them): automations read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .iap.events import DeviceTestResult, NotificationReceived
    from .iap.models import Alarm, Device

ALARM_RAISED = "alarm_raised"
ALARM_CLEARED = "alarm_cleared"
NOTIFICATION = "notification"
DEVICE_TEST_RESULT = "device_test_result"
# The SmartServer knows no separate "acknowledged": clearing is acknowledging.
DEVICE_EVENT_TYPES = [ALARM_RAISED, ALARM_CLEARED]
HUB_EVENT_TYPES = [ALARM_RAISED, ALARM_CLEARED, NOTIFICATION, DEVICE_TEST_RESULT]


@dataclass(slots=True, frozen=True)
class AlarmEvent:
    """One event for the event entities: its type, its data, the device it concerns."""

    event_type: str
    data: dict[str, Any]
    device_id: str | None = None


def _target_name(alarm: Alarm) -> str | None:
    name = alarm.raw.get("targetName")
    if isinstance(name, str):
        return name
    if alarm.device_name is not None:
        return alarm.device_name
    group = alarm.raw.get("group")
    name = group.get("name") if isinstance(group, dict) else None
    return name if isinstance(name, str) else None


ALARM_DATA_KEYS = (
    "alarm_id",
    "alarm_type",
    "category",
    "severity",
    "details",
    "target_type",
    "target_name",
    "device_id",
    "device_name",
    "raised_at",
)


def alarm_data(
    alarm: Alarm | None, alarm_id: int, device_id: str | None
) -> dict[str, Any]:
    """Return the event data of an alarm (only its id when nothing else is known)."""
    if alarm is None:
        return dict.fromkeys(ALARM_DATA_KEYS) | {"alarm_id": alarm_id}
    return {
        "alarm_id": alarm_id,
        "alarm_type": alarm.type,
        "category": alarm.category,
        "severity": alarm.severity,
        "details": alarm.details,
        "target_type": alarm.target_type,
        "target_name": _target_name(alarm),
        "device_id": device_id or alarm.device_id,
        "device_name": alarm.device_name,
        "raised_at": None if alarm.timestamp is None else alarm.timestamp.isoformat(),
    }


def notification_data(event: NotificationReceived) -> dict[str, Any]:
    """Return the event data of a SmartServer notification."""
    return {
        "message": event.message,
        "target_type": event.target_type,
        "target_name": event.target_name,
    }


def test_result_data(event: DeviceTestResult, device: Device | None) -> dict[str, Any]:
    """Return the event data of a device test's result."""
    return {
        "device_id": event.device_id,
        "device_name": None if device is None else device.name,
        "state": event.state,
        "health": event.health,
        "error": event.error,
    }
