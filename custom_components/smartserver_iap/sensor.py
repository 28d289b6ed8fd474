"""Sensors: one per followed datapoint (or per field of a structured datapoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant, callback

from .datapoint_types import DatapointSensorDescription, describe_datapoint
from .entity import SmartServerDatapointEntity

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .iap.models import Datapoint

# Read-only and pushed: no update requests to limit.
PARALLEL_UPDATES = 0


def _entities(
    coordinator: SmartServerCoordinator, datapoints: list[Datapoint]
) -> list[SmartServerSensor]:
    entities: list[SmartServerSensor] = []
    values = coordinator.values
    for dp in datapoints:
        device_id = coordinator.device_of(dp)
        if device_id is None:
            continue
        update = values.get(dp.qualifier)
        described = describe_datapoint(dp, update.value if update else None)
        entities.extend(
            SmartServerSensor(coordinator, device_id, dp, description)
            for description in described.sensors
        )
    return entities


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
