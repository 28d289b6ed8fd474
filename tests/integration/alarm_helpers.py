"""Helpers of the alarm tests: what the event entities announced, entity ids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er

from custom_components.smartserver_iap.alarm_events import ALARM_DATA_KEYS

if TYPE_CHECKING:
    from homeassistant.core import Event, EventStateChangedData, HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

WEATHER = "Roof Weather Station"


class EventLog:
    """Every event an event entity announced, in order: (entity id, type, data)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self._last: dict[str, str] = {}
        self.remove = hass.bus.async_listen(EVENT_STATE_CHANGED, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        state = event.data["new_state"]
        if state is None or state.domain != "event":
            return
        # A state write without a new event (availability) keeps the timestamp.
        if state.state in ("unknown", STATE_UNAVAILABLE):
            return
        if self._last.get(state.entity_id) == state.state:
            return
        self._last[state.entity_id] = state.state
        data = {k: v for k, v in state.attributes.items() if k in ALARM_DATA_KEYS}
        extra = {
            k: v
            for k, v in state.attributes.items()
            if k not in ALARM_DATA_KEYS
            and k not in ("event_type", "event_types", "friendly_name", "icon")
        }
        self.events.append(
            (state.entity_id, state.attributes["event_type"], data | extra)
        )

    def of(self, entity_id: str, event_type: str | None = None) -> list[dict[str, Any]]:
        return [
            data
            for eid, kind, data in self.events
            if eid == entity_id and (event_type is None or kind == event_type)
        ]

    def ids(self, entity_id: str, event_type: str) -> list[int]:
        return [data["alarm_id"] for data in self.of(entity_id, event_type)]


def entity_id_of(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        domain, "smartserver_iap", unique_id
    )
    assert entity_id is not None, unique_id
    return entity_id


class Ids:
    """Entity ids of the alarm entities of one entry."""

    def __init__(self, hass: HomeAssistant, entry: MockConfigEntry) -> None:
        coordinator = entry.runtime_data
        self.hass = hass
        self.uid = coordinator.uid
        self.weather = next(
            d.id for d in coordinator.site.devices.values() if d.name == WEATHER
        )

    @property
    def hub_events(self) -> str:
        return entity_id_of(self.hass, "event", f"{self.uid}_alarms")

    @property
    def count(self) -> str:
        return entity_id_of(self.hass, "sensor", f"{self.uid}_active_alarms")

    def events(self, device_id: str) -> str:
        return entity_id_of(self.hass, "event", f"{self.uid}_{device_id}_alarms")

    def problem(self, device_id: str) -> str:
        return entity_id_of(self.hass, "binary_sensor", f"{self.uid}_{device_id}_alarm")
