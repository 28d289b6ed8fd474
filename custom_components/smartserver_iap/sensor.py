"""Sensors: one per followed datapoint (or field of one), the count of active alarms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)

from .entity import (
    SmartServerAlarmStateEntity,
    SmartServerDatapointEntity,
    async_setup_platform,
    described_datapoints,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .datapoint_types import DatapointSensorDescription
    from .iap.models import Datapoint

# Read-only and pushed: no update requests to limit.
PARALLEL_UPDATES = 0

ACTIVE_ALARMS_DESCRIPTION = SensorEntityDescription(
    key="active_alarms",
    translation_key="active_alarms",
    state_class=SensorStateClass.MEASUREMENT,
)


def datapoint_sensors(
    coordinator: SmartServerCoordinator, datapoints: list[Datapoint]
) -> list[SmartServerSensor]:
    """Return the sensors of some followed datapoints."""
    return [
        SmartServerSensor(coordinator, device_id, dp, name, description)
        for device_id, dp, name, described in described_datapoints(
            coordinator, datapoints
        )
        for description in described.sensors
    ]


def _active_alarms(coordinator: SmartServerCoordinator) -> list[ActiveAlarmsSensor]:
    return [ActiveAlarmsSensor(coordinator)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the alarm count and a sensor per followed datapoint (also of new devices)."""
    async_setup_platform(
        entry, async_add_entities, hub=_active_alarms, datapoints=datapoint_sensors
    )


class ActiveAlarmsSensor(SmartServerAlarmStateEntity, SensorEntity):
    """How many alarms of the SmartServer are active."""

    entity_description = ACTIVE_ALARMS_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator) -> None:
        """Attach the sensor to the SmartServer's own device."""
        assert coordinator.site.smartserver is not None
        super().__init__(coordinator, coordinator.site.smartserver.id, "active_alarms")

    @property
    def native_value(self) -> int:
        """Return the number of active alarms."""
        return len(self.coordinator.alarms.active)


class SmartServerSensor(SmartServerDatapointEntity, SensorEntity):
    """The value of one datapoint."""

    entity_description: DatapointSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the datapoint's value, converted by its type."""
        return self.entity_description.value_fn(self._value)
