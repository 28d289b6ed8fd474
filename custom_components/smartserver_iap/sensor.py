"""Sensors: one per followed datapoint (or per field of a structured datapoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant, callback

from .entity import SmartServerDatapointEntity, described_datapoints

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .datapoint_types import DatapointSensorDescription
    from .iap.models import Datapoint

# Read-only and pushed: no update requests to limit.
PARALLEL_UPDATES = 0


def _entities(
    coordinator: SmartServerCoordinator, datapoints: list[Datapoint]
) -> list[SmartServerSensor]:
    return [
        SmartServerSensor(coordinator, device_id, dp, description)
        for device_id, dp, described in described_datapoints(coordinator, datapoints)
        for description in described.sensors
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor per followed datapoint, now and when devices appear."""
    coordinator = entry.runtime_data

    @callback
    def add_datapoints(datapoints: list[Datapoint]) -> None:
        async_add_entities(_entities(coordinator, datapoints))

    coordinator.new_datapoints_callbacks.append(add_datapoints)
    entry.async_on_unload(
        lambda: coordinator.new_datapoints_callbacks.remove(add_datapoints)
    )
    add_datapoints(list(coordinator.followed.values()))


class SmartServerSensor(SmartServerDatapointEntity, SensorEntity):
    """The value of one datapoint."""

    entity_description: DatapointSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the datapoint's value, converted by its type."""
        return self.entity_description.value_fn(self._value)
