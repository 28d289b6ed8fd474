"""Base entities of the SmartServer IoT integration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription

from .datapoint_types import DatapointEntities, describe_datapoint
from .iap.models import Datapoint, DatapointUpdate, JsonValue

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from .coordinator import SmartServerCoordinator


def described_datapoints(
    coordinator: SmartServerCoordinator, datapoints: Iterable[Datapoint]
) -> Iterator[tuple[str, Datapoint, DatapointEntities]]:
    """Yield each datapoint of a known device with the entities its type calls for.

    The value read at setup (if any) decides the shape of untyped structured values;
    every platform builds its entities from the same description.
    """
    values = coordinator.values
    for dp in datapoints:
        device_id = coordinator.device_of(dp)
        if device_id is None:
            continue
        update = values.get(dp.qualifier)
        yield device_id, dp, describe_datapoint(dp, update.value if update else None)


# Translation keys whose names the integration builds from the datapoint's name
# (``{datapoint} state``); every other datapoint entity is named by the datapoint.
NAMED_BY_TRANSLATION = frozenset({"switch_state", "field"})


class SmartServerEntity(Entity):
    """An entity of one SmartServer device; unavailable while the device or link is."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, coordinator: SmartServerCoordinator, device_id: str) -> None:
        """Attach the entity to its device."""
        self.coordinator = coordinator
        self._device_id = device_id
        self._attr_device_info = coordinator.device_info(device_id)

    @property
    def available(self) -> bool:
        """Return True while the link is up and the device is provisioned, not down."""
        return self.coordinator.connected and self.coordinator.device_available(
            self._device_id
        )

    async def async_added_to_hass(self) -> None:
        """Follow the device's status and the link."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_device_listener(
                self._device_id, self.async_write_ha_state, self._listener_qualifier
            )
        )

    @property
    def _listener_qualifier(self) -> str | None:
        return None


class SmartServerDatapointEntity(SmartServerEntity):
    """An entity that shows one datapoint (or one field of a structured datapoint)."""

    _value: JsonValue = None

    def __init__(
        self,
        coordinator: SmartServerCoordinator,
        device_id: str,
        datapoint: Datapoint,
        description: EntityDescription,
    ) -> None:
        """Name the entity after its datapoint and take the value read at setup."""
        super().__init__(coordinator, device_id)
        self.entity_description = description
        self._qualifier = datapoint.qualifier
        suffix = f"_{description.key}" if description.key else ""
        self._attr_unique_id = f"{coordinator.uid}_{datapoint.qualifier}{suffix}"
        name = coordinator.names.get(datapoint.qualifier) or datapoint.name
        if description.translation_key in NAMED_BY_TRANSLATION:
            self._attr_translation_placeholders = {
                "datapoint": name,
                "field": description.key,
            }
        else:
            self._attr_name = name
        if (update := coordinator.values.get(datapoint.qualifier)) is not None:
            self._value = update.value

    @property
    def _listener_qualifier(self) -> str | None:
        return self._qualifier

    async def async_added_to_hass(self) -> None:
        """Register for this datapoint's updates (the hot path)."""
        await super().async_added_to_hass()
        # A value may have arrived between construction and now.
        if (update := self.coordinator.values.get(self._qualifier)) is not None:
            self._value = update.value
        self.async_on_remove(
            self.coordinator.async_add_datapoint_listener(
                self._qualifier, self._handle_update
            )
        )

    async def async_will_remove_from_hass(self) -> None:
        """Hand the last value back, for an entity that is added again later."""
        if self._qualifier in self.coordinator.datapoints:
            self.coordinator.values[self._qualifier] = DatapointUpdate(
                self._qualifier, self._value
            )
        await super().async_will_remove_from_hass()

    @callback
    def _handle_update(self, update: DatapointUpdate) -> None:
        """Show a new value: the whole per-update work of the integration."""
        self._value = update.value
        self.async_write_ha_state()
