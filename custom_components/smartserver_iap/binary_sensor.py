"""Binary sensors: device connectivity and alarms, the link, on/off datapoint halves."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from .entity import (
    SmartServerAlarmStateEntity,
    SmartServerDatapointEntity,
    SmartServerDeviceEntity,
    async_setup_platform,
    datapoint_entities,
    hub_device_id,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .datapoint_types import DatapointBinarySensorDescription
    from .iap.models import Device

# Read-only and pushed: no update requests to limit.
PARALLEL_UPDATES = 0

HEALTH_DESCRIPTION = BinarySensorEntityDescription(
    key="health",
    translation_key="health",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
ALARM_DESCRIPTION = BinarySensorEntityDescription(
    key="alarm",
    translation_key="alarm",
    device_class=BinarySensorDeviceClass.PROBLEM,
)
LINK_DESCRIPTION = BinarySensorEntityDescription(
    key="link",
    translation_key="link",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


def _device_sensors(
    coordinator: SmartServerCoordinator, devices: list[Device]
) -> list[BinarySensorEntity]:
    return [
        sensor
        for device in devices
        for sensor in (
            DeviceHealthBinarySensor(coordinator, device.id),
            DeviceAlarmBinarySensor(coordinator, device.id),
        )
    ]


def _link_sensor(coordinator: SmartServerCoordinator) -> list[LinkBinarySensor]:
    return [LinkBinarySensor(coordinator)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the link, health and alarm sensors per device, on/off datapoint halves."""
    async_setup_platform(
        entry,
        async_add_entities,
        hub=_link_sensor,
        devices=_device_sensors,
        datapoints=datapoint_binary_sensors,
    )


class LinkBinarySensor(SmartServerDeviceEntity, BinarySensorEntity):
    """Whether Home Assistant's live link to the SmartServer is up (always available)."""

    entity_description = LINK_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator) -> None:
        """Attach the sensor to the SmartServer's own device."""
        super().__init__(coordinator, hub_device_id(coordinator), "link")

    @property
    def available(self) -> bool:
        """Return True: the link's state is known even while it is down."""
        return True

    @property
    def is_on(self) -> bool:
        """Return True while the live link is up."""
        return self.coordinator.connected


class DeviceHealthBinarySensor(SmartServerDeviceEntity, BinarySensorEntity):
    """Whether a device is provisioned and communicating (health not down)."""

    entity_description = HEALTH_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator, device_id: str) -> None:
        """Attach the sensor to its device."""
        super().__init__(coordinator, device_id, "health")

    @property
    def is_on(self) -> bool | None:
        """Return True when the device is provisioned and its health is not down."""
        device = self.coordinator.site.devices.get(self._device_id)
        if device is None or (
            device.status.health is None and device.status.state is None
        ):
            return None
        return device.status.is_healthy


class DeviceAlarmBinarySensor(SmartServerAlarmStateEntity, BinarySensorEntity):
    """On while the device has an active alarm."""

    entity_description = ALARM_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator, device_id: str) -> None:
        """Attach the sensor to its device."""
        super().__init__(coordinator, device_id, "alarm")

    @property
    def is_on(self) -> bool:
        """Return True while the device has an active alarm."""
        return self.coordinator.alarms.has_alarm(self._device_id)


class SmartServerDatapointBinarySensor(SmartServerDatapointEntity, BinarySensorEntity):
    """The on/off half of a structured datapoint (SNVT_switch ``state``)."""

    entity_description: DatapointBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the on/off state, None while unknown or invalid."""
        return self.entity_description.value_fn(self._value)


datapoint_binary_sensors = datapoint_entities(
    SmartServerDatapointBinarySensor, attrgetter("binary_sensors")
)
