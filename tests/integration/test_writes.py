"""Writes from Home Assistant to the simulator: each entity kind, priorities, rate, truth."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from unittest.mock import ANY

from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.smartserver_iap import writes
from custom_components.smartserver_iap.const import (
    CONF_DEVICES,
    CONF_SWITCH_KINDS,
    CONF_WRITE_PRIORITY,
    DOMAIN,
)
from custom_components.smartserver_iap.diagnostics import (
    async_get_config_entry_diagnostics,
)

from .conftest import SMARTSERVER_UID, device_named, setup_sim_entry, state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.smartserver_iap.iap.models import JsonValue
    from smartserver_sim import SmartServerSim

SC = "17q4bn7/lon"
SETPOINT = f"{SC}/2.1/Thermostat/0/nviSetpoint"
HVAC_MODE = f"{SC}/2.1/Thermostat/0/nviHVACMode"
FAN = f"{SC}/10.1/Fan/0/nviFanEnable"
LAMP = f"{SC}/4.1/Lamp/0/nviLamp[0]"
TEMPERATURE = f"{SC}/2.1/Thermostat/0/nvoSpaceTemp"


@dataclass(frozen=True)
class Kind:
    """One kind of entity that writes, and one write of it."""

    domain: str
    qualifier: str
    service: str
    data: dict[str, Any]
    written: JsonValue  # what the simulator holds afterwards
    state: str  # what the entity shows afterwards
    action_value: Any  # the write_datapoint value that writes the same
    initial: str  # the state of the scenario's default value
    other: JsonValue  # a value another system holds at a higher priority
    other_state: str


KINDS = [
    Kind("number", SETPOINT, "set_value", {"value": 23.5}, 23.5, "23.5", "23.5",
         "21.0", 18.0, "18.0"),
    Kind("select", HVAC_MODE, "select_option", {"option": "heat"}, "HVAC_HEAT", "heat",
         "HVAC_HEAT", "auto", "HVAC_COOL", "cool"),
    Kind("switch", FAN, "turn_off", {}, {"value": 0.0, "state": 0}, "off", "off",
         "on", {"value": 100.0, "state": 1}, "on"),
    Kind("light", LAMP, "turn_on", {"brightness": 128}, {"value": 50.0, "state": 1},
         "on", 50, "off", {"value": 0.0, "state": 0}, "off"),
]  # fmt: skip
KIND_IDS = [kind.domain for kind in KINDS]


def entity_of(hass: HomeAssistant, domain: str, qualifier: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        domain, DOMAIN, f"{SMARTSERVER_UID}_{qualifier}"
    )
    assert entity_id is not None, f"no {domain} entity for {qualifier}"
    return entity_id


async def call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(
        domain, service, {"entity_id": entity_id, **data}, blocking=True
    )


def assert_error(
    err: pytest.ExceptionInfo[HomeAssistantError], key: str, **placeholders: Any
) -> None:
    """Assert the error's translation key and its placeholders."""
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == placeholders


async def write_datapoint(
    hass: HomeAssistant, entity_id: str, value: Any, **data: Any
) -> None:
    await call(hass, DOMAIN, "write_datapoint", entity_id, value=value, **data)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
async def test_write_held_at_priority_and_echoed(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    kind: Kind,
) -> None:
    """The entity's own action writes at priority 17; it returns showing the echo."""
    entity_id = entity_of(hass, kind.domain, kind.qualifier)
    assert state_of(hass, entity_id) == kind.initial
    await call(hass, kind.domain, kind.service, entity_id, **kind.data)
    assert sim.datapoint(kind.qualifier).overrides == {17: kind.written}
    assert state_of(hass, entity_id) == kind.state
    stats = init_integration.runtime_data.writes.stats
    assert (stats.attempted, stats.confirmed, stats.failed) == (1, 1, 0)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
async def test_write_datapoint_action_at_a_priority(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    kind: Kind,
) -> None:
    """write_datapoint writes the entity's value at the priority asked for."""
    entity_id = entity_of(hass, kind.domain, kind.qualifier)
    await write_datapoint(hass, entity_id, kind.action_value, priority=12)
    assert sim.datapoint(kind.qualifier).overrides == {12: kind.written}
    assert state_of(hass, entity_id) == kind.state


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
async def test_priority_conflict_and_relinquish(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    kind: Kind,
) -> None:
    """A higher priority refuses the write by name; relinquishing it restores ours."""
    client = init_integration.runtime_data.client
    entity_id = entity_of(hass, kind.domain, kind.qualifier)
    await write_datapoint(hass, entity_id, kind.action_value)
    # Another system holds the datapoint at priority 10.
    await client.write_value(kind.qualifier, kind.other, priority=10)
    await wait_for(lambda: state_of(hass, entity_id) == kind.other_state)

    with pytest.raises(HomeAssistantError) as err:
        await call(hass, kind.domain, kind.service, entity_id, **kind.data)
    assert_error(err, "priority_conflict", entity=entity_id, priority="17", held="10")
    assert state_of(hass, entity_id) == kind.other_state
    assert sim.datapoint(kind.qualifier).overrides == {
        10: kind.other,
        17: kind.written,
    }

    await call(hass, DOMAIN, "relinquish", entity_id, priority=10)
    assert state_of(hass, entity_id) == kind.state
    await call(hass, DOMAIN, "relinquish", entity_id)
    assert state_of(hass, entity_id) == kind.initial
    assert sim.datapoint(kind.qualifier).overrides == {}
    stats = init_integration.runtime_data.writes.stats
    assert (stats.attempted, stats.confirmed, stats.failed) == (2, 1, 1)
    assert stats.relinquished == 2


async def test_conflict_of_unknown_priority(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a readable priority level the error says a higher priority holds it."""
    client = init_integration.runtime_data.client
    entity_id = entity_of(hass, "number", SETPOINT)
    await client.write_value(SETPOINT, 18.0, priority=10)
    listing = client.list_datapoints

    async def refused_listing(device_id: str | None = None) -> Any:
        sim.inject_http_errors(503, count=1)
        return await listing(device_id)

    monkeypatch.setattr(client, "list_datapoints", refused_listing)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "number", "set_value", entity_id, value=23.0)
    assert_error(err, "priority_conflict_unknown", entity=entity_id, priority="17")


@pytest.mark.parametrize("sim_overrides", [{"flush_window": 0.3}])
async def test_write_waits_for_a_late_echo(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """The echo comes 0.3 s after the SmartServer's answer: actions wait for it."""
    entity_id = entity_of(hass, "number", SETPOINT)
    await call(hass, "number", "set_value", entity_id, value=23.5)
    assert state_of(hass, entity_id) == "23.5"
    await write_datapoint(hass, entity_id, 18.0, priority=10)
    assert state_of(hass, entity_id) == "18.0"
    await call(hass, DOMAIN, "relinquish", entity_id, priority=10)
    assert state_of(hass, entity_id) == "23.5"


async def test_one_write_in_flight(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A datapoint's next write waits until the one on its way is confirmed."""
    monkeypatch.setattr(writes, "MIN_WRITE_INTERVAL", 0.0)
    client = init_integration.runtime_data.client
    original = client.write_value
    release = asyncio.Event()
    sent: list[JsonValue] = []

    async def held_write(datapoint: Any, value: JsonValue, priority: Any) -> None:
        sent.append(value)
        await release.wait()
        await original(datapoint, value, priority)

    monkeypatch.setattr(client, "write_value", held_write)
    entity_id = entity_of(hass, "number", SETPOINT)
    first = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=22.0)
    )
    await wait_for(lambda: sent == [22.0])
    second = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=23.0)
    )
    for _ in range(20):
        await asyncio.sleep(0)
    assert sent == [22.0]
    release.set()
    await asyncio.gather(first, second)
    assert sent == [22.0, 23.0]
    assert state_of(hass, entity_id) == "23.0"


async def test_writes_coalesce(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """100 writes to one datapoint: one in flight, the rest merged; the last wins."""
    entity_id = entity_of(hass, "number", SETPOINT)
    sim.reset_counters()
    values = [round(15.0 + i * 0.1, 1) for i in range(100)]
    # Each caller is answered: a merged caller left waiting fails here, not hangs.
    async with asyncio.timeout(20):
        await asyncio.gather(
            *(call(hass, "number", "set_value", entity_id, value=v) for v in values)
        )
    # The first goes at once; the 99 that arrive while it is on its way are one.
    assert sim.counters.writes == 2
    assert sim.datapoint(SETPOINT).value == values[-1]
    assert state_of(hass, entity_id) == str(values[-1])
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    assert diagnostics["coordinator"]["writes"] == {
        "attempted": 2,
        "confirmed": 2,
        "failed": 0,
        "coalesced": 98,
        "relinquished": 0,
    }


async def test_writes_spread_over_a_second(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A slider dragged for a second: at most ten writes reach the device network."""
    entity_id = entity_of(hass, "number", SETPOINT)
    sim.reset_counters()
    values = [round(15.0 + i * 0.1, 1) for i in range(100)]
    calls = []
    for value in values:
        calls.append(
            asyncio.create_task(
                call(hass, "number", "set_value", entity_id, value=value)
            )
        )
        await asyncio.sleep(0.01)
    await asyncio.gather(*calls)
    assert 2 <= sim.counters.writes <= 10
    assert sim.datapoint(SETPOINT).value == values[-1]
    assert state_of(hass, entity_id) == str(values[-1])


async def test_writes_at_two_priorities_both_sent(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Only writes at the same priority merge: each priority's last value is held."""
    entity_id = entity_of(hass, "number", SETPOINT)
    await asyncio.gather(
        write_datapoint(hass, entity_id, 22.0, priority=14),
        write_datapoint(hass, entity_id, 23.0, priority=14),
        write_datapoint(hass, entity_id, 24.0, priority=12),
    )
    assert sim.datapoint(SETPOINT).overrides == {14: 23.0, 12: 24.0}
    assert state_of(hass, entity_id) == "24.0"


@pytest.mark.parametrize("sim_overrides", [{"echo_input_writes": False}])
async def test_unechoed_input_read_back(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A SmartServer that does not push written inputs: the value is read back.

    After one write without an echo the datapoint is read back at once: the second
    write would time out if it waited for the echo again.
    """
    entity_id = entity_of(hass, "number", SETPOINT)
    monkeypatch.setattr(writes, "ECHO_TIMEOUT", 0.05)
    await call(hass, "number", "set_value", entity_id, value=22.5)
    assert state_of(hass, entity_id) == "22.5"
    monkeypatch.setattr(writes, "ECHO_TIMEOUT", 60.0)
    monkeypatch.setattr(writes, "CONFIRM_TIMEOUT", 2.0)
    await call(hass, "number", "set_value", entity_id, value=23.5)
    assert state_of(hass, entity_id) == "23.5"
    # Changed on the SmartServer without a push: the entity keeps the value it read.
    await init_integration.runtime_data.client.write_value(SETPOINT, 19.0, 17)
    await hass.async_block_till_done()
    assert state_of(hass, entity_id) == "23.5"


async def test_value_not_reported_in_time(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing reported in time: an error, and the state stays what was reported."""
    entity_id = entity_of(hass, "number", SETPOINT)
    monkeypatch.setattr(writes, "CONFIRM_TIMEOUT", 0.3)
    sim.inject_latency(1.0)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "number", "set_value", entity_id, value=22.5)
    sim.inject_latency(0)
    assert_error(
        err,
        "write_not_confirmed",
        value="22.5",
        entity=entity_id,
        seconds="0.3",
        reported="21.0",
    )
    assert state_of(hass, entity_id) == "21.0"
    assert init_integration.runtime_data.writes.stats.failed == 1


async def test_read_back_of_another_value(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A read-back that reports another value fails the write and shows that value.

    Writing the value the SmartServer reports already is read back at once: no echo
    comes for it, and waiting for one would time out here.
    """
    monkeypatch.setattr(writes, "ECHO_TIMEOUT", 60.0)
    monkeypatch.setattr(writes, "CONFIRM_TIMEOUT", 2.0)
    entity_id = entity_of(hass, "number", SETPOINT)
    await call(hass, "number", "set_value", entity_id, value=21.0)
    assert sim.datapoint(SETPOINT).overrides == {17: 21.0}
    # The device holds another value meanwhile, without telling anyone.
    client = init_integration.runtime_data.client
    original = client.read_values

    async def changed_read(*args: Any, **kwargs: Any) -> Any:
        sim.datapoint(SETPOINT).overrides[5] = 30.0
        return await original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(client, "read_values", changed_read)
        with pytest.raises(HomeAssistantError) as err:
            await call(hass, "number", "set_value", entity_id, value=21.0)
    assert_error(
        err,
        "write_not_confirmed",
        value="21.0",
        entity=entity_id,
        seconds="2.0",
        reported="30.0",
    )
    assert state_of(hass, entity_id) == "30.0"


async def test_write_and_relinquish_failures(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A refused request is a translated error; the state stays as reported."""
    entity_id = entity_of(hass, "number", SETPOINT)
    sim.inject_http_errors(503, count=1, path_prefix="/iap/devs")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "number", "set_value", entity_id, value=22.0)
    assert_error(err, "write_failed", value="22.0", entity=entity_id, error=ANY)
    assert state_of(hass, entity_id) == "21.0"
    sim.inject_http_errors(503, count=1, path_prefix="/iap/devs")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, DOMAIN, "relinquish", entity_id, priority=3)
    assert_error(err, "relinquish_failed", entity=entity_id, priority="3", error=ANY)


@pytest.mark.parametrize(
    ("domain", "qualifier", "value", "key"),
    [
        ("sensor", TEMPERATURE, 20.0, "read_only"),
        ("number", SETPOINT, 400.0, "value_out_of_range"),
        ("number", SETPOINT, "warm", "invalid_value"),
        ("number", SETPOINT, True, "invalid_value"),
        ("number", SETPOINT, "nan", "value_out_of_range"),
        ("select", HVAC_MODE, "warp", "invalid_value"),
        ("select", HVAC_MODE, 3, "invalid_value"),
        ("switch", FAN, "maybe", "invalid_value"),
        ("light", LAMP, 150, "invalid_value"),
        ("light", LAMP, "dim", "invalid_value"),
        ("light", LAMP, [50], "invalid_value"),
    ],
)
async def test_bad_values_write_nothing(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    *,
    domain: str,
    qualifier: str,
    value: Any,
    key: str,
) -> None:
    """Values of the wrong type, out of range or for an output: nothing is written."""
    entity_id = entity_of(hass, domain, qualifier)
    sim.reset_counters()
    with pytest.raises(ServiceValidationError) as err:
        await write_datapoint(hass, entity_id, value)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["entity"] == entity_id
    assert sim.counters.writes == 0


@pytest.mark.parametrize(
    ("domain", "qualifier", "value", "written"),
    [
        ("number", SETPOINT, "22.46", 22.5),
        ("number", f"{SC}/8.1/Büro 1/0/nviTimeout", 90.04, 90.0),
        ("select", HVAC_MODE, "HVAC_COOL", "HVAC_COOL"),
        ("select", HVAC_MODE, " Cool ", "HVAC_COOL"),
        ("switch", FAN, "off", {"value": 0.0, "state": 0}),
        ("switch", FAN, True, {"value": 100.0, "state": 1}),
        ("light", LAMP, "on", {"value": 100.0, "state": 1}),
        ("light", LAMP, "33.3", {"value": 33.5, "state": 1}),
        ("light", LAMP, 0, {"value": 0.0, "state": 0}),
        ("light", LAMP, False, {"value": 0.0, "state": 0}),
    ],
)
async def test_action_values(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    *,
    domain: str,
    qualifier: str,
    value: Any,
    written: JsonValue,
) -> None:
    """What write_datapoint sends for the forms of value each kind accepts."""
    await write_datapoint(hass, entity_of(hass, domain, qualifier), value)
    assert sim.datapoint(qualifier).overrides == {17: written}


async def test_light_and_switch_actions(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A light switches on at full or the brightness asked for; both switch off."""
    lamp = entity_of(hass, "light", LAMP)
    await call(hass, "light", "turn_on", lamp)
    assert sim.datapoint(LAMP).value == {"value": 100.0, "state": 1}
    assert hass.states.get(lamp).attributes["brightness"] == 255  # type: ignore[union-attr]
    await call(hass, "light", "turn_on", lamp, brightness=1)
    assert sim.datapoint(LAMP).value == {"value": 0.5, "state": 1}
    await call(hass, "light", "turn_off", lamp)
    assert sim.datapoint(LAMP).value == {"value": 0.0, "state": 0}
    assert state_of(hass, lamp) == "off"
    fan = entity_of(hass, "switch", FAN)
    await call(hass, "switch", "turn_off", fan)
    await call(hass, "switch", "turn_on", fan)
    assert sim.datapoint(FAN).value == {"value": 100.0, "state": 1}
    assert state_of(hass, fan) == "on"


async def test_entry_priority_option(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """The entry's write priority is where entities hold their values."""
    await setup_sim_entry(hass, sim, {CONF_WRITE_PRIORITY: 9})
    entity_id = entity_of(hass, "number", SETPOINT)
    await call(hass, "number", "set_value", entity_id, value=19.5)
    assert sim.datapoint(SETPOINT).overrides == {9: 19.5}
    await call(hass, DOMAIN, "relinquish", entity_id)
    assert sim.datapoint(SETPOINT).overrides == {}


async def test_unload_stops_waiting_writes(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Writes still waiting when the entry unloads fail with an error of their own."""
    entity_id = entity_of(hass, "number", SETPOINT)
    sim.inject_latency(0.5)
    first = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=22.0)
    )
    second = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=23.0)
    )
    await wait_for(lambda: init_integration.runtime_data.writes.stats.attempted == 1)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    for task in (first, second):
        with pytest.raises(HomeAssistantError) as err:
            await task
        assert err.value.translation_key == "write_stopped"
    sim.inject_latency(0)


async def test_options_choose_lights(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """The options flow makes a lamp a switch and a fan a light, and back again."""
    entry = init_integration
    registry = er.async_get(hass)
    lamps = {
        q
        for q, dp in sim.scenario.datapoints.items()
        if dp.name.startswith("nviLamp") and dp.device.state == "provisioned"
    }

    async def open_form() -> Any:
        result: Any = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "switch_kinds"}
        )
        assert result["step_id"] == "switch_kinds"
        assert result["description_placeholders"] == {"count": str(len(lamps) + 1)}
        key = next(k for k in result["data_schema"].schema if k == "lights")
        return result, set(key.default())

    result, default = await open_form()
    assert default == lamps
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"lights": sorted(lamps - {LAMP} | {FAN})}
    )
    assert entry.options[CONF_SWITCH_KINDS] == {FAN: "light", LAMP: "switch"}
    await hass.async_block_till_done()
    assert entity_of(hass, "light", FAN) and entity_of(hass, "switch", LAMP)
    unique = f"{SMARTSERVER_UID}_"
    assert registry.async_get_entity_id("switch", DOMAIN, unique + FAN) is None
    assert registry.async_get_entity_id("light", DOMAIN, unique + LAMP) is None
    await call(hass, "switch", "turn_on", entity_of(hass, "switch", LAMP))
    assert sim.datapoint(LAMP).value == {"value": 100.0, "state": 1}

    result, default = await open_form()
    assert default == lamps - {LAMP} | {FAN}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"lights": sorted(lamps)}
    )
    assert entry.options[CONF_SWITCH_KINDS] == {}
    await hass.async_block_till_done()
    assert entity_of(hass, "switch", FAN) and entity_of(hass, "light", LAMP)


async def test_options_without_switch_inputs(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    meter = device_named(sim, "Energy Meter")
    entry = await setup_sim_entry(hass, sim, {CONF_DEVICES: [meter.id]})
    result: Any = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "switch_kinds"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_switch_inputs"


async def test_caller_giving_up_leaves_the_write(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A cancelled call leaves the writes merged with it to finish for the others."""
    entity_id = entity_of(hass, "number", SETPOINT)
    stats = init_integration.runtime_data.writes.stats
    sim.inject_latency(0.2)
    first = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=22.0)
    )
    await wait_for(lambda: stats.attempted == 1)
    second = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=23.0)
    )
    third = asyncio.create_task(
        call(hass, "number", "set_value", entity_id, value=24.0)
    )
    await wait_for(lambda: stats.coalesced == 1)
    second.cancel()
    sim.inject_latency(0)
    await asyncio.gather(first, third)
    with pytest.raises(asyncio.CancelledError):
        await second
    assert sim.datapoint(SETPOINT).overrides == {17: 24.0}
    assert state_of(hass, entity_id) == "24.0"


async def test_takeover_probe_reads_outputs_only(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """The takeover probe never reads an input: its echo is not to be relied on."""
    coordinator = init_integration.runtime_data
    site = coordinator.site
    probe = coordinator.client.listener.probe
    inputs = {q for q in site.subscribed if site.datapoints[q].direction == "in"}
    assert SETPOINT in inputs
    probed = set(probe.batch())
    assert probed
    assert not probed & inputs


@pytest.mark.parametrize("sim_overrides", [{"default_priority_level": 17}])
async def test_a_default_value_at_17_is_shown_after_a_relinquish(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Where the plain value sits at 17, a write at 17 is that value: it stays.

    The documentation's example puts the default at 17 ("Normal"); relinquishing 17
    then releases nothing, and the entity shows what the SmartServer still reports.
    """
    entity_id = entity_of(hass, "number", SETPOINT)
    await call(hass, "number", "set_value", entity_id, value=23.5)
    assert state_of(hass, entity_id) == "23.5"
    assert sim.datapoint(SETPOINT).overrides == {}
    await call(hass, DOMAIN, "relinquish", entity_id)
    assert state_of(hass, entity_id) == "23.5"
    assert sim.datapoint(SETPOINT).value == 23.5
