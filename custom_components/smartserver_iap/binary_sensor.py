"""Binary sensors: device connectivity, the SmartServer link, on/off datapoint halves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback

from .entity import SmartServerDatapointEntity, SmartServerEntity, described_datapoints

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .datapoint_types import DatapointBinarySensorDescription
    from .iap.models import Datapoint, Device

# Read-only and pushed: no update requests to limit.
PARALLEL_UPDATES = 0

HEALTH_DESCRIPTION = BinarySensorEntityDescription(
    key="health",
    translation_key="health",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
LINK_DESCRIPTION = BinarySensorEntityDescription(
    key="link",
    translation_key="link",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


def _datapoint_entities(
    coordinator: SmartServerCoordinator, datapoints: list[Datapoint]
) -> list[SmartServerDatapointBinarySensor]:
    return [
        SmartServerDatapointBinarySensor(coordinator, device_id, dp, description)
        for device_id, dp, described in described_datapoints(coordinator, datapoints)
        for description in described.binary_sensors
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the link, a health sensor per device and on/off datapoint halves."""
    coordinator = entry.runtime_data

    @callback
    def add_devices(devices: list[Device]) -> None:
        async_add_entities(
            DeviceHealthBinarySensor(coordinator, device.id)
            for device in devices
            if not device.is_smartserver
        )

    @callback
    def add_datapoints(datapoints: list[Datapoint]) -> None:
        async_add_entities(_datapoint_entities(coordinator, datapoints))

    coordinator.new_devices_callbacks.append(add_devices)
    coordinator.new_datapoints_callbacks.append(add_datapoints)

    @callback
    def forget() -> None:
        coordinator.new_devices_callbacks.remove(add_devices)
        coordinator.new_datapoints_callbacks.remove(add_datapoints)

    entry.async_on_unload(forget)
    async_add_entities([SmartServerLinkBinarySensor(coordinator)])
    add_devices(list(coordinator.devices.values()))
    add_datapoints(list(coordinator.followed.values()))


class SmartServerLinkBinarySensor(BinarySensorEntity):
    """Whether Home Assistant's live link to the SmartServer is up (always available)."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description = LINK_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator) -> None:
        """Attach the sensor to the SmartServer's own device."""
        self.coordinator = coordinator
        self._attr_unique_id = f"{coordinator.uid}_link"
        self._attr_device_info = coordinator.hub_device_info()

    @property
    def is_on(self) -> bool:
        """Return True while the live link is up."""
        return self.coordinator.connected

    async def async_added_to_hass(self) -> None:
        """Follow the link."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_link_listener(self.async_write_ha_state)
        )


class DeviceHealthBinarySensor(SmartServerEntity, BinarySensorEntity):
    """Whether a device is provisioned and communicating (health not down)."""

    entity_description = HEALTH_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator, device_id: str) -> None:
        """Attach the sensor to its device."""
        super().__init__(coordinator, device_id)
        self._attr_unique_id = f"{coordinator.uid}_{device_id}_health"

    @property
    def available(self) -> bool:
        """Return True while the link is up: health is known only then."""
        return (
            self.coordinator.connected and self._device_id in self.coordinator.devices
        )

    @property
    def is_on(self) -> bool | None:
        """Return True when the device is provisioned and its health is not down."""
        device = self.coordinator.devices.get(self._device_id)
        if device is None or (
            device.status.health is None and device.status.state is None
        ):
            return None
        return device.status.is_healthy


class SmartServerDatapointBinarySensor(SmartServerDatapointEntity, BinarySensorEntity):
    """The on/off half of a structured datapoint (SNVT_switch ``state``)."""

    entity_description: DatapointBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the on/off state, None while unknown or invalid."""
        return self.entity_description.value_fn(self._value)
