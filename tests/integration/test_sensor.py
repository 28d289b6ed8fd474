"""Entities of the default scenario: snapshots, values, unknown and unavailable."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)

from custom_components.smartserver_iap import PLATFORMS
from custom_components.smartserver_iap.const import CONF_PROGRAMMATIC_NAMES
from custom_components.smartserver_iap.iap.client import IapClient

from .conftest import entity_id_of, setup_entry, setup_sim_entry, state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from smartserver_sim import SmartServerSim


# The event platform's states are instants: test_alarms.py snapshots it.
@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p is not Platform.EVENT])
async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of each platform, its registry entry and its state."""
    with patch("custom_components.smartserver_iap.PLATFORMS", [platform]):
        await setup_entry(hass, mock_config_entry)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)


async def test_devices(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The SmartServer is the hub; each device hangs off it."""
    await setup_entry(hass, mock_config_entry)
    devices = dr.async_entries_for_config_entry(
        device_registry, mock_config_entry.entry_id
    )
    hub = next(d for d in devices if d.via_device_id is None)
    assert hub.serial_number == "00D07111EA6B"
    assert all(d.via_device_id == hub.id for d in devices if d is not hub)
    assert sorted((d.name, d.model, d.sw_version) for d in devices) == snapshot


async def test_value_pushed(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A value changed on the SmartServer reaches the entity's state."""
    coordinator = init_integration.runtime_data
    qualifier = next(
        q for q in coordinator.site.subscribed if q.endswith("AirQuality/0/nvoTemp")
    )
    entity_id = entity_id_of(entity_registry, qualifier)
    await sim.set_value(qualifier, 23.25)
    await wait_for(lambda: state_of(hass, entity_id) == "23.25")

    switch = next(q for q in coordinator.site.subscribed if q.endswith("nvoLampFb[0]"))
    level_id = entity_id_of(entity_registry, f"{switch}_level")
    state_id = entity_id_of(entity_registry, f"{switch}_state")
    await sim.set_value(
        switch.replace("nvoLampFb", "nviLamp"), {"value": 40.0, "state": 1}
    )
    await wait_for(lambda: state_of(hass, level_id) == "40.0")
    assert state_of(hass, state_id) == "on"


async def test_unavailable_when_device_down(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device whose health is down has unavailable datapoints; health says off."""
    coordinator = init_integration.runtime_data
    weather = next(
        d for d in coordinator.site.devices.values() if d.name == "Roof Weather Station"
    )
    qualifier = next(
        q for q in coordinator.site.subscribed if q.endswith("nvoOutdoorTemp")
    )
    entity_id = entity_id_of(entity_registry, qualifier)
    health_id = entity_id_of(entity_registry, f"_{weather.id}_health")
    assert state_of(hass, entity_id) == STATE_UNAVAILABLE
    assert state_of(hass, health_id) == "off"

    await sim.set_device_status(weather.id, health="normal")
    await wait_for(lambda: state_of(hass, health_id) == "on")
    assert state_of(hass, entity_id) not in (STATE_UNAVAILABLE, STATE_UNKNOWN)

    await sim.set_device_status(weather.id, health="down")
    await wait_for(lambda: state_of(hass, entity_id) == STATE_UNAVAILABLE)


# A subscribe that pushes the current values would give it one.
@pytest.mark.parametrize("sim_overrides", [{"subscribe_pushes_values": False}])
async def test_unknown_until_first_value(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A datapoint whose value could not be read is unknown, not unavailable."""
    await setup_entry_without_values(hass, mock_config_entry)
    coordinator = mock_config_entry.runtime_data
    qualifier = next(q for q in coordinator.site.subscribed if q.endswith("nvoCO2"))
    entity_id = entity_id_of(entity_registry, qualifier)
    assert state_of(hass, entity_id) == STATE_UNKNOWN
    await sim.set_value(qualifier, 700)
    await wait_for(lambda: state_of(hass, entity_id) == "700")


async def setup_entry_without_values(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Set up with a bulk read that returns nothing and no resync values."""

    async def no_values(
        self: IapClient, qualifiers: object, max_age: float | None = None
    ) -> list[object]:
        return []

    with patch.object(IapClient, "read_values", no_values):
        await setup_entry(hass, entry)


@pytest.mark.parametrize(
    ("programmatic", "expected"),
    [
        (
            False,
            {
                "AirQuality/0/nvoCO2": ("sensor.air_quality_meeting_room_co2", "CO2"),
                # Named by its device class, which Home Assistant translates.
                "AirQuality/0/nvoTemp": (
                    "sensor.air_quality_meeting_room_temperature",
                    "Temperature",
                ),
                "Thermostat/0/nvoSpaceTemp": (
                    "sensor.thermostat_buro_1_space_temperature",
                    "Space temperature",
                ),
                "Phase/2/nvoVoltage": (
                    "sensor.energy_meter_phase_2_voltage",
                    "Phase 2 voltage",
                ),
            },
        ),
        (
            True,
            {
                "AirQuality/0/nvoCO2": (
                    "sensor.air_quality_meeting_room_nvoco2",
                    "nvoCO2",
                ),
                "AirQuality/0/nvoTemp": (
                    "sensor.air_quality_meeting_room_nvotemp",
                    "nvoTemp",
                ),
                "Thermostat/0/nvoSpaceTemp": (
                    "sensor.thermostat_buro_1_nvospacetemp",
                    "nvoSpaceTemp",
                ),
                "Phase/2/nvoVoltage": (
                    "sensor.energy_meter_phase_2_nvovoltage",
                    "Phase 2 nvoVoltage",
                ),
            },
        ),
    ],
)
async def test_entity_names(
    hass: HomeAssistant,
    sim: SmartServerSim,
    entity_registry: er.EntityRegistry,
    programmatic: bool,
    expected: dict[str, tuple[str, str]],
) -> None:
    """Readable names by default; the option keeps the LON names for integrators."""
    await setup_sim_entry(hass, sim, {CONF_PROGRAMMATIC_NAMES: programmatic})
    for suffix, (entity_id, name) in expected.items():
        registry_entry = entity_registry.async_get(entity_id)
        assert registry_entry is not None, entity_id
        assert registry_entry.unique_id.endswith(suffix)
        assert registry_entry.original_name == name
    link = entity_registry.async_get("binary_sensor.smartserver_iot_live_link")
    assert link is not None


async def test_implausible_values_unknown_and_counted(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Values out of their type's range show as unknown and land in diagnostics."""
    coordinator = init_integration.runtime_data
    subscribed: list[str] = coordinator.site.subscribed

    def followed(suffix: str) -> str:
        return next(q for q in subscribed if q.endswith(suffix))

    temp = followed("AirQuality/0/nvoTemp")
    lamp = followed("4.1/Lamp/0/nvoLampFb[0]")
    count = followed("nvoSwitchCount")
    lux = followed("nvoLuxLevel")
    temp_id = entity_id_of(entity_registry, temp)
    level_id = entity_id_of(entity_registry, f"{lamp}_level")
    state_id = entity_id_of(entity_registry, f"{lamp}_state")
    count_id = entity_id_of(entity_registry, count)
    lux_id = entity_id_of(entity_registry, lux)
    items = [
        f'{{"datapointQualifier": "{temp}", "value": 1e308}}',
        f'{{"datapointQualifier": "{lamp}", "value": {{"value": 150, "state": 1}}}}',
        f'{{"datapointQualifier": "{count}", "value": 1.8e19}}',
        f'{{"datapointQualifier": "{lux}", "value": NaN}}',
    ]
    # The resync's read is echoed on the WebSocket a moment later (the simulator's
    # wire read): let those frames pass first, or they would overwrite these.
    await wait_for(lambda: not sim._timers)
    await sim.hub.drain()
    await hass.async_block_till_done()
    await sim.send_frame(
        '{"action": "UPD:DATAPOINT", "payload": [' + ", ".join(items) + "]}"
    )
    ids = (temp_id, level_id, count_id, lux_id)
    await wait_for(lambda: all(state_of(hass, e) == STATE_UNKNOWN for e in ids))
    # The switch's on/off half is still right: only the level is implausible.
    assert state_of(hass, state_id) == "on"
    assert coordinator.rejected.count == 4
    assert coordinator.rejected.latest == {
        temp: "1e+308",
        lamp: "150.0",
        count: "18000000000000000000",
        lux: "nan",
    }
    # A later link change writes the entities again: nothing is counted twice.
    coordinator.device_listeners.notify_all()
    assert coordinator.rejected.count == 4

    await sim.set_value(temp, -273.17)
    await wait_for(lambda: state_of(hass, temp_id) == "-273.17")
