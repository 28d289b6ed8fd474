"""Base entities of the SmartServer IoT integration, and the one platform-setup helper."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import CONF_SWITCH_KINDS, DOMAIN, SWITCH_KIND_LIGHT, SWITCH_KIND_SWITCH
from .datapoint_types import DatapointEntities, describe_datapoint
from .naming import entity_names

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable, Iterator

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .iap.models import Datapoint, DatapointUpdate, Device, JsonValue


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


def datapoint_platform[E: Entity](
    entity_class: Callable[
        [SmartServerCoordinator, str, Datapoint, str | None, Any], E
    ],
    descriptions: Callable[[DatapointEntities], Iterable[EntityDescription]],
) -> Callable[
    [HomeAssistant, SmartServerConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """Return ``async_setup_entry`` of a platform whose entities each show a datapoint.

    Its entities are those of ``datapoint_entities``, made now and when devices appear.
    """
    make = datapoint_entities(entity_class, descriptions)

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: SmartServerConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_setup_platform(entry, async_add_entities, datapoints=make)

    return async_setup_entry


def datapoint_entities[E: Entity](
    entity_class: Callable[
        [SmartServerCoordinator, str, Datapoint, str | None, Any], E
    ],
    descriptions: Callable[[DatapointEntities], Iterable[EntityDescription]],
) -> Callable[[SmartServerCoordinator, list[Datapoint]], list[E]]:
    """Return what makes the entities of some followed datapoints on one platform.

    Each datapoint gets one ``entity_class`` per description that ``descriptions``
    picks from its own (for instance ``attrgetter("numbers")``).
    """

    def make(
        coordinator: SmartServerCoordinator, datapoints: list[Datapoint]
    ) -> list[E]:
        return [
            entity_class(coordinator, device_id, dp, name, description)
            for device_id, dp, name, described in described_datapoints(
                coordinator, datapoints
            )
            for description in descriptions(described)
        ]

    return make


def hub_device_id(coordinator: SmartServerCoordinator) -> str:
    """Return the id of the SmartServer's own device (set up only once it is known)."""
    assert coordinator.site.smartserver is not None
    return coordinator.site.smartserver.id


def described_datapoints(
    coordinator: SmartServerCoordinator, datapoints: Iterable[Datapoint]
) -> Iterator[tuple[str, Datapoint, str | None, DatapointEntities]]:
    """Yield each datapoint of a known device with its name and its entities.

    The value read at setup (if any) decides the shape of untyped structured values,
    the entry's options whether a ``SNVT_switch`` input is a light or a switch; every
    platform builds its entities from the same description. A name of None names the
    entity by its device class.
    """
    site = coordinator.site
    kinds = {SWITCH_KIND_LIGHT: True, SWITCH_KIND_SWITCH: False}
    chosen = coordinator.config_entry.options.get(CONF_SWITCH_KINDS, {})
    names: dict[str, dict[str, str | None]] = {}
    for dp in datapoints:
        device_id = site.device_of(dp.qualifier)
        if device_id is None:
            continue
        if device_id not in names:
            names[device_id] = _device_names(coordinator, device_id)
        name = names[device_id].get(dp.qualifier, dp.name)
        yield (
            device_id,
            dp,
            name,
            describe_datapoint(
                dp, site.value_of(dp.qualifier), kinds.get(chosen.get(dp.qualifier))
            ),
        )


def _device_names(
    coordinator: SmartServerCoordinator, device_id: str
) -> dict[str, str | None]:
    """Name every datapoint of a device at once: names depend on their neighbours.

    Both platforms ask for the same names: they are made once per device and made
    again only when the device's datapoints change.
    """
    site = coordinator.site
    datapoints = site.datapoints_of(device_id)
    key = tuple((dp.qualifier, dp.instance_name) for dp in datapoints)
    cached = coordinator.entity_names.get(device_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    names = entity_names(
        site.devices[device_id].name,
        [
            (dp, describe_datapoint(dp, site.value_of(dp.qualifier)).device_class)
            for dp in datapoints
        ],
        programmatic=coordinator.programmatic_names,
    )
    coordinator.entity_names[device_id] = (key, names)
    return names


# Translation keys whose names the integration builds from the datapoint's name
# (``{datapoint} state``); every other datapoint entity is named by the datapoint.
NAMED_BY_TRANSLATION = frozenset({"switch_state", "switch_level", "field"})


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


class SmartServerDeviceEntity(SmartServerEntity):
    """An entity about a device rather than its values (health, alarms, actions).

    Available while the link is up and the device known, whatever its health: a
    device that is down still has alarms, and a test tells whether it answers.
    """

    def __init__(
        self, coordinator: SmartServerCoordinator, device_id: str, key: str
    ) -> None:
        """Attach the entity to its device; ``key`` makes its unique id."""
        super().__init__(coordinator, device_id)
        smartserver = coordinator.site.smartserver
        if smartserver is not None and device_id == smartserver.id:
            self._attr_unique_id = f"{coordinator.uid}_{key}"
        else:
            self._attr_unique_id = f"{coordinator.uid}_{device_id}_{key}"

    @property
    def available(self) -> bool:
        """Return True while the link is up and the SmartServer has the device."""
        return self.coordinator.connected and (
            self._device_id in self.coordinator.site.devices
        )


class SmartServerAlarmStateEntity(SmartServerDeviceEntity):
    """An entity showing the alarms of its device (the hub's: of the SmartServer)."""

    @property
    def available(self) -> bool:
        """Return True while the link is up and the alarms could be read."""
        return super().available and self.coordinator.alarms.loaded

    async def async_added_to_hass(self) -> None:
        """Follow the device's alarms."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.alarms.state_listeners.add(
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
        name: str | None,
        description: EntityDescription,
    ) -> None:
        """Name the entity after its datapoint (None: after its device class)."""
        super().__init__(coordinator, device_id)
        self.entity_description = description
        self._qualifier = datapoint.qualifier
        self._values = coordinator.site.values
        # The update last counted as out of range (each is counted once).
        self._rejected: DatapointUpdate | None = None
        self._unreadable = coordinator.site.unreadable
        suffix = f"_{description.key}" if description.key else ""
        self._attr_unique_id = f"{coordinator.uid}_{datapoint.qualifier}{suffix}"
        if description.translation_key in NAMED_BY_TRANSLATION:
            field = description.key
            self._attr_translation_placeholders = {
                "datapoint": name or datapoint.name,
                "field": field
                if coordinator.programmatic_names
                else field.replace("_", " "),
            }
        elif name is not None:
            self._attr_name = name

    @property
    def available(self) -> bool:
        """Return False also while the SmartServer cannot read this datapoint."""
        return self._qualifier not in self._unreadable and super().available

    @property
    def _value(self) -> JsonValue:
        update = self._values.get(self._qualifier)
        return None if update is None else update.value

    def _reject(self, value: object) -> None:
        """Count the current update as out of its type's range (once)."""
        update = self._values.get(self._qualifier)
        if update is not self._rejected:
            self._rejected = update
            self.coordinator.rejected.record(self._qualifier, value)

    async def async_added_to_hass(self) -> None:
        """Register for this datapoint's updates (the hot path)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.datapoint_listeners.add(
                self._qualifier, self.async_write_ha_state
            )
        )


def invalid_value(entity: str, value: Any, expected: str) -> ServiceValidationError:
    """Return the error for a value an entity cannot write (nothing is written)."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_value",
        translation_placeholders={
            "entity": entity,
            "value": str(value),
            "expected": expected,
        },
    )


class SmartServerControlEntity(SmartServerDatapointEntity):
    """An input datapoint Home Assistant writes.

    Its state is what the SmartServer reports, never the value asked for: a write
    returns once the SmartServer reports the value (``writes.py``).
    """

    # Numbers the SmartServer reports may differ from those written by this much.
    _tolerance = 0.0

    def value_to_write(self, value: Any) -> JsonValue:
        """Return what the write_datapoint action writes for ``value``.

        Raises:
            ServiceValidationError: not a value of this datapoint.
        """
        raise NotImplementedError

    async def async_write(self, value: JsonValue, priority: int | None = None) -> None:
        """Write ``value`` (at the entry's priority by default) and wait until reported."""
        await self.coordinator.writes.write(
            self._qualifier,
            value,
            label=self.entity_id,
            priority=priority,
            tolerance=self._tolerance,
        )

    async def async_write_datapoint(
        self, value: Any, priority: int | None = None
    ) -> None:
        """Check a value of the write_datapoint action, then write it."""
        await self.async_write(self.value_to_write(value), priority)

    async def async_relinquish(self, priority: int | None = None) -> None:
        """Release the value held at ``priority`` (the entry's by default)."""
        await self.coordinator.writes.relinquish(
            self._qualifier, label=self.entity_id, priority=priority
        )
