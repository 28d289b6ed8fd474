"""The actions: clear_alarm and list_alarms, their answers and their refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smartserver_iap.alarm_events import ALARM_DATA_KEYS
from custom_components.smartserver_iap.const import DOMAIN

from .conftest import state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim


# Each action with input it would accept.
EACH_ACTION = pytest.mark.parametrize(
    ("action", "data"),
    [("clear_alarm", {"alarm_id": 1000}), ("list_alarms", {})],
)


def count_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.runtime_data.uid}_active_alarms"
    )
    assert entity_id is not None
    return entity_id


async def call(
    hass: HomeAssistant, action: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    return await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=response
    )


def active(sim: SmartServerSim) -> set[int]:
    return {a.id for a in sim.scenario.alarms.values() if a.state == "Active"}


async def test_list_alarms(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """The active alarms, oldest first, with the keys of the alarm events."""
    entry = init_integration
    thermostat = next(
        d for d in sim.scenario.devices.values() if d.name.startswith("Thermostat")
    )
    second = await sim.raise_alarm(thermostat.id, type="Sensor failure")
    await wait_for(lambda: state_of(hass, count_id(hass, entry)) == "2")
    answer = await call(
        hass, "list_alarms", {"config_entry_id": entry.entry_id}, response=True
    )
    alarms = answer["alarms"]
    assert [a["alarm_id"] for a in alarms] == [1000, second]
    assert all(set(a) == set(ALARM_DATA_KEYS) for a in alarms)
    assert alarms[1]["device_id"] == thermostat.id
    assert alarms[1]["alarm_type"] == "Sensor failure"
    assert alarms[0]["device_name"] == "Roof Weather Station"


@pytest.mark.parametrize("alarm_id", ["1000", 1000, ["1000", "1000"]])
async def test_clear_alarm(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    alarm_id: Any,
) -> None:
    """Clearing sends the ids; the SmartServer's frames bring the change back."""
    entry = init_integration
    await call(
        hass, "clear_alarm", {"config_entry_id": entry.entry_id, "alarm_id": alarm_id}
    )
    assert active(sim) == set()
    await wait_for(lambda: state_of(hass, count_id(hass, entry)) == "0")


async def test_clear_several(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    entry = init_integration
    more = [await sim.raise_alarm(None, type=f"System {n}") for n in range(3)]
    await wait_for(lambda: state_of(hass, count_id(hass, entry)) == "4")
    await call(
        hass,
        "clear_alarm",
        {"config_entry_id": entry.entry_id, "alarm_id": [1000, str(more[2])]},
    )
    assert active(sim) == set(more[:2])
    await wait_for(lambda: state_of(hass, count_id(hass, entry)) == "2")


@pytest.mark.parametrize(
    ("alarm_id", "shown"),
    [(4242, "4242"), ("abc", "abc"), (["1000", "x1"], "x1"), ("-1000", "-1000")],
)
async def test_clear_unknown_alarm(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    alarm_id: Any,
    shown: str,
) -> None:
    """An id that is no active alarm: a translated error, and nothing is sent."""
    entry = init_integration
    requests = entry.runtime_data.client.stats.requests
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "clear_alarm",
            {"config_entry_id": entry.entry_id, "alarm_id": alarm_id},
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "unknown_alarm"
    assert err.value.translation_placeholders == {"alarm_ids": shown}
    assert entry.runtime_data.client.stats.requests == requests
    assert active(sim) == {1000}


@EACH_ACTION
async def test_unknown_or_unloaded_entry(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, Any],
) -> None:
    """Unknown entry, entry of another integration, entry not loaded: refused."""
    response = action == "list_alarms"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, action, {"config_entry_id": "nope", **data}, response=response)
    assert err.value.translation_key == "service_config_entry_not_found"
    other = MockConfigEntry(domain="demo", title="Other")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, action, {"config_entry_id": other.entry_id, **data}, response=response
        )
    assert err.value.translation_key == "service_config_entry_wrong_domain"
    entry = init_integration
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, action, {"config_entry_id": entry.entry_id, **data}, response=response
        )
    assert err.value.translation_key == "service_config_entry_not_loaded"
    assert active(sim) == {1000}


@EACH_ACTION
async def test_refused_while_link_down(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, Any],
) -> None:
    """Without the link the alarms are not known: a translated error."""
    entry = init_integration
    await sim.restart(5)
    await wait_for(lambda: state_of(hass, count_id(hass, entry)) == STATE_UNAVAILABLE)
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            action,
            {"config_entry_id": entry.entry_id, **data},
            response=action == "list_alarms",
        )
    assert err.value.translation_key == "not_connected"


async def test_clear_fails(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A SmartServer that refuses the request: the error says so."""
    entry = init_integration
    sim.inject_http_errors(500, count=5, path_prefix="/iap/alarms/clear")
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "clear_alarm", {"config_entry_id": entry.entry_id, "alarm_id": 1000}
        )
    assert err.value.translation_key == "action_failed"
    assert active(sim) == {1000}


async def test_schema(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """No alarm id at all is refused before the handler."""
    with pytest.raises(Exception, match="alarm_id"):
        await call(
            hass,
            "clear_alarm",
            {"config_entry_id": init_integration.entry_id, "alarm_id": []},
        )
