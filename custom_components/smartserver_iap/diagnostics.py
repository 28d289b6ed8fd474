"""Diagnostics download of a SmartServer IoT entry, with secrets redacted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

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
    return {
        "connected": coordinator.connected,
        "client_connected": coordinator.client.connected,
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
