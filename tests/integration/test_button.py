"""Wink and test buttons; their answers arrive as events of the hub."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button.const import SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.exceptions import HomeAssistantError
import pytest

from .alarm_helpers import EventLog, Ids, entity_id_of
from .conftest import device_named, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim

# A device's alarm event entity is disabled by default; these tests watch it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


async def press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        "button", SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_test_results(
    hass: HomeAssistant,
    sim: SmartServerSim,
    ids: Ids,
    log: EventLog,
) -> None:
    """A test of a device that answers, and of one that is down (still pressable)."""
    uid = ids.uid
    meter = device_named(sim, "Water Meter")
    await press(hass, entity_id_of(hass, "button", f"{uid}_{meter.id}_test"))
    await wait_for(lambda: bool(log.of(ids.hub_events, "device_test_result")))
    await press(hass, entity_id_of(hass, "button", f"{uid}_{ids.weather}_test"))
    await wait_for(lambda: len(log.of(ids.hub_events, "device_test_result")) == 2)
    answered, silent = log.of(ids.hub_events, "device_test_result")
    assert answered == {
        "device_id": meter.id,
        "device_name": "Water Meter",
        "state": "Configured Online",
        "health": "normal",
        "error": "",
    }
    assert silent["device_name"] == "Roof Weather Station"
    assert silent["error"] == "Device does not respond!"
    # Test results belong to the hub only.
    assert log.of(ids.events(meter.id)) == []


async def test_wink(
    hass: HomeAssistant,
    sim: SmartServerSim,
    ids: Ids,
    log: EventLog,
) -> None:
    """Winking a device that does not answer brings a notification."""
    await wait_for(lambda: bool(log.of(ids.hub_events, "alarm_raised")))
    notes = len(log.of(ids.hub_events, "notification"))
    await press(hass, entity_id_of(hass, "button", f"{ids.uid}_{ids.weather}_wink"))
    await wait_for(lambda: len(log.of(ids.hub_events, "notification")) > notes)
    assert log.of(ids.hub_events, "notification")[-1] == {
        "message": "wink  Device does not respond!",
        "target_type": "DEVICE",
        "target_name": "Roof Weather Station",
    }


async def test_press_fails(hass: HomeAssistant, sim: SmartServerSim, ids: Ids) -> None:
    """A refused request is a translated error naming the device."""
    sim.inject_http_errors(500, count=5, path_prefix=f"/iap/devs/{ids.weather}/wink")
    with pytest.raises(HomeAssistantError) as err:
        await press(hass, entity_id_of(hass, "button", f"{ids.uid}_{ids.weather}_wink"))
    assert err.value.translation_key == "device_action_failed"
    placeholders = err.value.translation_placeholders or {}
    assert placeholders["device"] == "Roof Weather Station"
    assert placeholders["action"] == "wink"
