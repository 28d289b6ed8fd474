"""Sensors: followed datapoints (or fields of one), active alarms, history import."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, cast

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory

from .entity import (
    SmartServerAlarmStateEntity,
    SmartServerDatapointEntity,
    SmartServerEntity,
    async_setup_platform,
    datapoint_entities,
    hub_device_id,
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
IMPORT_PROGRESS_DESCRIPTION = SensorEntityDescription(
    key="history_import",
    translation_key="history_import",
    native_unit_of_measurement=PERCENTAGE,
    entity_category=EntityCategory.DIAGNOSTIC,
)


def _hub_sensors(
    coordinator: SmartServerCoordinator,
) -> list[ActiveAlarmsSensor | ImportProgressSensor]:
    return [ActiveAlarmsSensor(coordinator), ImportProgressSensor(coordinator)]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's sensors and a sensor per followed datapoint (also of new devices)."""
    async_setup_platform(
        entry, async_add_entities, hub=_hub_sensors, datapoints=datapoint_sensors
    )


class ActiveAlarmsSensor(SmartServerAlarmStateEntity, SensorEntity):
    """How many alarms of the SmartServer are active."""

    entity_description = ACTIVE_ALARMS_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator) -> None:
        """Attach the sensor to the SmartServer's own device."""
        super().__init__(coordinator, hub_device_id(coordinator), "active_alarms")

    @property
    def native_value(self) -> int:
        """Return the number of active alarms."""
        return len(self.coordinator.alarms.active)


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

    @property
    def qualifier(self) -> str:
        """Return the qualifier of the datapoint the sensor shows."""
        return self._qualifier

    @property
    def datapoint(self) -> Datapoint | None:
        """Return the datapoint the sensor shows (None once the SmartServer lost it)."""
        return self.coordinator.site.datapoints.get(self._qualifier)

    async def async_added_to_hass(self) -> None:
        """Register for updates, and as a sensor whose history can be imported."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.history.add_sensor(self))


class ImportProgressSensor(SmartServerEntity, SensorEntity):
    """Progress of the running history import, and the datapoints being read."""

    entity_description = IMPORT_PROGRESS_DESCRIPTION

    def __init__(self, coordinator: SmartServerCoordinator) -> None:
        """Attach the sensor to the SmartServer's own device."""
        super().__init__(coordinator, hub_device_id(coordinator))
        self._attr_unique_id = f"{coordinator.uid}_history_import"

    @property
    def available(self) -> bool:
        """Return True: the import's progress is known even while the link is down."""
        return True

    @property
    def native_value(self) -> int | None:
        """Return the percentage done (None before the first import)."""
        return self.coordinator.history.progress

    @property
    def extra_state_attributes(self) -> dict[str, str | int | None]:
        """Return the datapoints being read and the imports waiting."""
        history = self.coordinator.history
        return {
            "datapoint": ", ".join(history.reading.values())[:255] or None,
            "queued": history.queued,
        }

    async def async_added_to_hass(self) -> None:
        """Follow the importer's progress."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.history.listeners.add(
                "progress", self.async_write_ha_state
            )
        )


datapoint_sensors = datapoint_entities(SmartServerSensor, attrgetter("sensors"))
