"""Event entities: the SmartServer's alarms, notifications and device test results.

The hub's entity announces every event of the SmartServer; each child device's entity
announces that device's alarms, so an automation can target either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .alarm_events import DEVICE_EVENT_TYPES, HUB_EVENT_TYPES
from .entity import SmartServerDeviceEntity, async_setup_platform, hub_device_id

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .iap.models import Device

# Pushed: no update requests to limit.
PARALLEL_UPDATES = 0

HUB_DESCRIPTION = EventEntityDescription(
    key="alarms", translation_key="alarms", event_types=HUB_EVENT_TYPES
)
# Off by default: most devices never raise an alarm, and the hub's entity announces
# every alarm with its device; enable a device's to target that device alone.
DEVICE_DESCRIPTION = EventEntityDescription(
    key="alarms",
    translation_key="device_alarms",
    event_types=DEVICE_EVENT_TYPES,
    entity_registry_enabled_default=False,
)


def _hub_events(coordinator: SmartServerCoordinator) -> list[AlarmEventEntity]:
    return [AlarmEventEntity(coordinator, hub_device_id(coordinator), HUB_DESCRIPTION)]


def _device_events(
    coordinator: SmartServerCoordinator, devices: list[Device]
) -> list[AlarmEventEntity]:
    return [
        AlarmEventEntity(coordinator, device.id, DEVICE_DESCRIPTION)
        for device in devices
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's event entity and one per device (also for new devices)."""
    async_setup_platform(
        entry, async_add_entities, hub=_hub_events, devices=_device_events
    )


class AlarmEventEntity(SmartServerDeviceEntity, EventEntity):
    """Announces the alarms (the hub's: and notifications) of one device."""

    entity_description: EventEntityDescription

    def __init__(
        self,
        coordinator: SmartServerCoordinator,
        device_id: str,
        description: EventEntityDescription,
    ) -> None:
        """Attach the entity to its device."""
        super().__init__(coordinator, device_id, description.key)
        self.entity_description = description

    async def async_added_to_hass(self) -> None:
        """Receive the events of this device."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.alarms.event_listeners.add(
                self._device_id, self._handle_event
            )
        )

    @callback
    def _handle_event(self) -> None:
        event = self.coordinator.alarms.latest
        self._trigger_event(event.event_type, event.data)
        self.async_write_ha_state()
