"""Base entities of the SmartServer IoT integration, and the one platform-setup helper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription

from .datapoint_types import DatapointEntities, describe_datapoint
from .naming import display_names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .iap.models import Datapoint, Device, JsonValue


@callback
def async_setup_platform(
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    hub: Callable[[SmartServerCoordinator], Iterable[Entity]] | None = None,
    devices: Callable[[SmartServerCoordinator, list[Device]], Iterable[Entity]]
    | None = None,
    datapoints: Callable[[SmartServerCoordinator, list[Datapoint]], Iterable[Entity]]
    | None = None,
) -> None:
    """Add a platform's entities now, and for devices and datapoints that appear later.

    ``hub`` makes the SmartServer's own entities, ``devices`` those of child devices
    and ``datapoints`` those of followed datapoints.
    """
    coordinator = entry.runtime_data
    site = coordinator.site
    if hub is not None:
        async_add_entities(hub(coordinator))
    if devices is not None:
        make_devices = devices

        @callback
        def add_devices(new: list[Device]) -> None:
            async_add_entities(
                make_devices(coordinator, [d for d in new if not d.is_smartserver])
            )

        entry.async_on_unload(coordinator.inventory.new_devices.add(add_devices))
        add_devices(list(site.devices.values()))
    if datapoints is not None:
        make_datapoints = datapoints

        @callback
        def add_datapoints(new: list[Datapoint]) -> None:
            async_add_entities(make_datapoints(coordinator, new))

        entry.async_on_unload(coordinator.inventory.new_datapoints.add(add_datapoints))
        add_datapoints([site.datapoints[q] for q in site.subscribed])


def described_datapoints(
    coordinator: SmartServerCoordinator, datapoints: Iterable[Datapoint]
) -> Iterator[tuple[str, Datapoint, str, DatapointEntities]]:
    """Yield each datapoint of a known device with its name and its entities.

    The value read at setup (if any) decides the shape of untyped structured values;
    every platform builds its entities from the same description.
    """
    site = coordinator.site
    names: dict[str, dict[str, str]] = {}
    for dp in datapoints:
        device_id = site.device_of(dp.qualifier)
        if device_id is None:
            continue
        if device_id not in names:
            names[device_id] = display_names(site.datapoints_of(device_id))
        name = names[device_id].get(dp.qualifier, dp.name)
        yield device_id, dp, name, describe_datapoint(dp, site.value_of(dp.qualifier))


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
        self._attr_device_info = coordinator.registry.device_info(device_id)

    @property
    def available(self) -> bool:
        """Return True while the link is up and the device is provisioned, not down."""
        return self.coordinator.device_available(self._device_id)

    async def async_added_to_hass(self) -> None:
        """Follow the device's status and the link."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.device_listeners.add(
                self._device_id, self.async_write_ha_state
            )
        )


class SmartServerDatapointEntity(SmartServerEntity):
    """An entity that shows one datapoint (or one field of a structured datapoint).

    Its value lives in the client's site model; the entity reads it when it writes
    its state.
    """

    def __init__(
        self,
        coordinator: SmartServerCoordinator,
        device_id: str,
        datapoint: Datapoint,
        name: str,
        description: EntityDescription,
    ) -> None:
        """Name the entity after its datapoint."""
        super().__init__(coordinator, device_id)
        self.entity_description = description
        self._qualifier = datapoint.qualifier
        self._values = coordinator.site.values
        self._unreadable = coordinator.site.unreadable
        suffix = f"_{description.key}" if description.key else ""
        self._attr_unique_id = f"{coordinator.uid}_{datapoint.qualifier}{suffix}"
        if description.translation_key in NAMED_BY_TRANSLATION:
            self._attr_translation_placeholders = {
                "datapoint": name,
                "field": description.key,
            }
        else:
            self._attr_name = name

    @property
    def available(self) -> bool:
        """Return False also while the SmartServer cannot read this datapoint."""
        return self._qualifier not in self._unreadable and super().available

    @property
    def _value(self) -> JsonValue:
        update = self._values.get(self._qualifier)
        return None if update is None else update.value

    async def async_added_to_hass(self) -> None:
        """Register for this datapoint's updates (the hot path)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.datapoint_listeners.add(
                self._qualifier, self.async_write_ha_state
            )
        )
