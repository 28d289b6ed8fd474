"""Diagnostics downloads of a SmartServer IoT entry and of one device, redacted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator

# The session cookie never reaches the entry or the site, but redact it by name anyway
# so a later field cannot leak it.
TO_REDACT = {CONF_PASSWORD, CONF_USERNAME, "cookie", "cmsSID", "token"}


def _coordinator_diagnostics(coordinator: SmartServerCoordinator) -> dict[str, Any]:
    site = coordinator.site
    by_type: dict[str, int] = {}
    for qualifier in site.subscribed:
        key = site.datapoints[qualifier].type_name or "unknown"
        by_type[key] = by_type.get(key, 0) + 1
    sc = site.smartserver
    server_time = coordinator.server_time
    received = coordinator.server_time_received
    return {
        "connected": coordinator.connected,
        "client_connected": coordinator.client.connected,
        "server_time": {
            "value": server_time.isoformat() if server_time else None,
            "received": received.isoformat() if received else None,
            "offset_s": (
                round((server_time - received).total_seconds(), 3)
                if server_time and received
                else None
            ),
        },
        "smartserver": {
            "name": sc.name if sc else None,
            "type": sc.type_name if sc else None,
            "firmware": sc.firmware_version if sc else None,
        },
        "devices": len(site.devices),
        "datapoints": len(site.datapoints),
        "followed": len(site.subscribed),
        "values": len(site.values),
        "listeners": len(coordinator.datapoint_listeners),
        "active_alarms": len(coordinator.alarms.active),
        "followed_by_type": dict(sorted(by_type.items())),
        "device_status": {
            device.id: {
                "name": device.name,
                "type": device.type_name,
                "state": device.status.state,
                "health": device.status.health,
            }
            for device in site.devices.values()
        },
        "client_stats": coordinator.client.stats.as_dict(),
        "writes": coordinator.writes.stats.as_dict(),
        "rejected_values": coordinator.rejected.as_dict(),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmartServerConfigEntry
) -> dict[str, Any]:
    """Return the entry (redacted), counts, connection state and client counters."""
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "coordinator": async_redact_data(
            _coordinator_diagnostics(entry.runtime_data), TO_REDACT
        ),
    }


def _device_diagnostics(
    coordinator: SmartServerCoordinator, device_id: str
) -> dict[str, Any]:
    site = coordinator.site
    device = site.devices[device_id]
    datapoints: dict[str, Any] = {}
    for dp in site.datapoints_of(device_id):
        update = site.values.get(dp.qualifier)
        datapoints[dp.qualifier] = {
            "name": dp.name,
            "instance_name": dp.instance_name,
            "type": dp.type_name,
            "direction": str(dp.direction),
            "unit": dp.unit,
            "followed": site.is_subscribed(dp.qualifier),
            "value": update.value if update else None,
            "timestamp": (
                update.timestamp.isoformat() if update and update.timestamp else None
            ),
        }
    return {
        "id": device.id,
        "name": device.name,
        "type": device.type_name,
        "category": device.category,
        "firmware": device.firmware_version,
        "state": device.status.state,
        "health": device.status.health,
        "connection": device.status.connection,
        "available": coordinator.device_available(device_id),
        "datapoints": datapoints,
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: SmartServerConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Return one device: its status, its datapoints and their values (redacted).

    The SmartServer's own device adds the link and counters of the whole entry.
    """
    coordinator = entry.runtime_data
    device_id = coordinator.registry.device_id_of(device)
    result: dict[str, Any] = {
        "link_connected": coordinator.connected,
        "device": None
        if device_id is None
        else _device_diagnostics(coordinator, device_id),
    }
    if coordinator.registry.is_hub(device):
        result["coordinator"] = _coordinator_diagnostics(coordinator)
    return async_redact_data(result, TO_REDACT)
