"""Sensors: one per followed datapoint (or per field of a structured datapoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from homeassistant.components.sensor import SensorEntity

from .entity import (
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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor per followed datapoint, now and when devices appear."""
    async_setup_platform(entry, async_add_entities, datapoints=datapoint_sensors)


class SmartServerSensor(SmartServerDatapointEntity, SensorEntity):
    """The value of one datapoint."""

    entity_description: DatapointSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the datapoint's value, converted by its type; None when implausible."""
        description = self.entity_description
        value = description.value_fn(self._value)
        valid = description.valid_range
        if valid is None or value is None:
            return value
        # Only numeric descriptions have a range. NaN fails both comparisons.
        if valid[0] <= cast("float", value) <= valid[1]:
            return value
        self._reject(value)
        return None
