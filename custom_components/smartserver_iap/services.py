"""The integration's actions, registered once in ``async_setup``.

Each action is a small handler that finds its loaded entry with ``_coordinator`` and
checks its input before sending anything; ``async_setup_services`` registers them all.
The actions on the entities that write inputs live in ``write_actions.py``, the history
import in ``history_action.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
import probatio as vol

from .alarm_events import alarm_data
from .const import DOMAIN
from .history_action import async_register_history_action
from .iap.errors import IapError
from .write_actions import async_register_write_actions

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, ServiceResponse

    from .coordinator import SmartServerCoordinator

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_ALARM_ID = "alarm_id"

SERVICE_CLEAR_ALARM = "clear_alarm"
SERVICE_LIST_ALARMS = "list_alarms"

ENTRY_SCHEMA = vol.Schema({vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
CLEAR_ALARM_SCHEMA = ENTRY_SCHEMA.extend(
    {
        # Checked in the handler, so a wrong id gets a translated error.
        vol.Required(ATTR_ALARM_ID): vol.All(
            cv.ensure_list, [vol.Any(int, str)], vol.Length(min=1)
        )
    }
)


def _coordinator(call: ServiceCall) -> SmartServerCoordinator:
    """Return the coordinator of the call's entry, which must exist and be loaded."""
    entry = service.async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    coordinator: SmartServerCoordinator = entry.runtime_data
    return coordinator


def _connected(coordinator: SmartServerCoordinator) -> SmartServerCoordinator:
    if not coordinator.connected:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="not_connected",
            translation_placeholders={"host": coordinator.host},
        )
    return coordinator


def _alarm_ids(coordinator: SmartServerCoordinator, values: list[Any]) -> list[int]:
    """Return the alarm ids asked for; each must be an active alarm."""
    ids: list[int] = []
    unknown: list[str] = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and int(text) in coordinator.alarms.active:
            ids.append(int(text))
        else:
            unknown.append(text)
    if unknown:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_alarm",
            translation_placeholders={"alarm_ids": ", ".join(unknown)},
        )
    return list(dict.fromkeys(ids))


async def _async_clear_alarm(call: ServiceCall) -> None:
    """Clear (acknowledge) active alarms; the SmartServer announces them cleared."""
    coordinator = _connected(_coordinator(call))
    ids = _alarm_ids(coordinator, call.data[ATTR_ALARM_ID])
    try:
        await coordinator.client.clear_alarms(ids)
    except IapError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="action_failed",
            translation_placeholders={"host": coordinator.host, "error": str(err)},
        ) from err
    # The DEL:ALARM frames bring the change; read anyway should they not come.
    coordinator.alarms.schedule_refresh()


async def _async_list_alarms(call: ServiceCall) -> ServiceResponse:
    """Return the active alarms, oldest first, with the keys of the alarm events."""
    coordinator = _connected(_coordinator(call))
    alarms = coordinator.alarms
    return {
        "alarms": [
            alarm_data(alarm, alarm.id, alarms.device_of(alarm))
            for alarm in alarms.active.values()
        ]
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN, SERVICE_CLEAR_ALARM, _async_clear_alarm, schema=CLEAR_ALARM_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_ALARMS,
        _async_list_alarms,
        schema=ENTRY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_register_write_actions(hass)
    async_register_history_action(hass)
