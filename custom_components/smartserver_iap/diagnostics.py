"""Diagnostics download of a SmartServer IoT entry, with secrets redacted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import SmartServerConfigEntry

# The session cookie never reaches the entry or the coordinator's state, but redact it
# by name anyway so a later field cannot leak it.
TO_REDACT = {CONF_PASSWORD, CONF_USERNAME, "cookie", "cmsSID", "token"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmartServerConfigEntry
) -> dict[str, Any]:
    """Return the entry (redacted), counts, connection state and client counters."""
    coordinator = entry.runtime_data
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "coordinator": async_redact_data(coordinator.diagnostics(), TO_REDACT),
    }
