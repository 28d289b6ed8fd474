"""Options: follow everything, chosen devices, or chosen datapoints one device at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.data_entry_flow import FlowResultType

from custom_components.smartserver_iap.connection import LIVE_TIMINGS
from custom_components.smartserver_iap.const import (
    CONF_DATAPOINTS,
    CONF_DEVICES,
    CONF_HISTORY_BACKFILL,
    CONF_PROGRAMMATIC_NAMES,
    CONF_SWITCH_KINDS,
    CONF_TAKEOVER_CHECK,
    CONF_WRITE_PRIORITY,
    LARGE_DATAPOINT_COUNT,
    SWITCH_KIND_SWITCH,
)
from smartserver_sim import SmartServerSim, large_scenario

from .conftest import FAST_LIVE, device_named, setup_entry, setup_sim_entry

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SimOptions


async def start(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """Open the options flow: a menu of what to follow."""
    result: Any = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    assert result["menu_options"] == [
        "follow_all",
        "choose_devices",
        "choose_datapoints",
        "switch_kinds",
        "settings",
    ]
    return result


async def choose(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


def field(result: Any, name: str) -> Any:
    """Return the schema key of field ``name`` (its default) and its selector."""
    schema = result["data_schema"].schema
    key = next(k for k in schema if k == name)
    return key, schema[key]


def choices(result: Any, name: str) -> dict[str, str]:
    """Return value -> label of a select field."""
    _, selector = field(result, name)
    return {o["value"]: o["label"] for o in selector.config["options"]}


def followed_of_provisioned(sim: SmartServerSim) -> set[str]:
    """Return every datapoint of the provisioned devices.

    The default scenario's inputs all have types Home Assistant writes, so every
    datapoint of a followed device is followed.
    """
    provisioned = {
        d.id for d in sim.scenario.devices.values() if d.state == "provisioned"
    }
    return {
        q for q, dp in sim.scenario.datapoints.items() if dp.device.id in provisioned
    }


async def test_follow_all_includes_later_devices(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """From chosen devices back to all: no list is stored, so later devices count too."""
    meter = device_named(sim, "Energy Meter")
    entry = await setup_sim_entry(hass, sim, {CONF_DEVICES: [meter.id]})
    result = await start(hass, entry)
    assert result["description_placeholders"] == {
        "followed": "11",
        "devices": str(len(sim.scenario.devices)),
    }
    result = await choose(hass, result, {"next_step_id": "follow_all"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {}
    await hass.async_block_till_done()
    assert set(entry.runtime_data.site.subscribed) == followed_of_provisioned(sim)


async def test_choose_devices(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Following one device reloads the entry with only its datapoints."""
    entry = await setup_entry(hass, mock_config_entry)
    result = await start(hass, entry)
    result = await choose(hass, result, {"next_step_id": "choose_devices"})
    assert result["step_id"] == "choose_devices"
    labels = choices(result, CONF_DEVICES)
    by_name = {d.name: d for d in sim.scenario.devices.values()}
    meter = by_name["Energy Meter"]
    assert labels[meter.id] == "Energy Meter (EM-300 Energy Meter)"
    key, _ = field(result, CONF_DEVICES)
    spare = by_name["Spare Lighting Node"]
    assert spare.id in labels
    assert spare.id not in key.default()
    assert meter.id in key.default()

    result = await choose(hass, result, {CONF_DEVICES: [meter.id]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_DEVICES: [meter.id]}
    await hass.async_block_till_done()
    assert set(entry.runtime_data.site.subscribed) == {
        q
        for q, dp in sim.scenario.datapoints.items()
        if dp.device is meter and dp.direction == "out"
    }
    assert len(entry.runtime_data.site.subscribed) == 11


async def test_choose_datapoints_device_by_device(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Each device's datapoints on a page of their own, inputs included."""
    entry = await setup_entry(hass, mock_config_entry)
    before = set(entry.runtime_data.site.subscribed)
    devices = {d.name: d for d in sim.scenario.devices.values()}
    ahu, meter = devices["AHU Controller"], devices["Energy Meter"]

    def points_of(device_id: str) -> set[str]:
        return {
            q for q, dp in sim.scenario.datapoints.items() if dp.device.id == device_id
        }

    ahu_points, meter_points = points_of(ahu.id), points_of(meter.id)
    ahu_followed = ahu_points & before

    result = await start(hass, entry)
    result = await choose(hass, result, {"next_step_id": "choose_datapoints"})
    assert result["step_id"] == "pick_device"
    assert result["description_placeholders"] == {"chosen": str(len(before))}
    labels = choices(result, "device")
    assert labels[ahu.id].endswith(f": {len(ahu_followed)}/{len(ahu_points)}")

    result = await choose(hass, result, {"device": ahu.id})
    assert result["step_id"] == "device_datapoints"
    assert result["description_placeholders"] == {
        "device": "AHU Controller",
        "available": str(len(ahu_points)),
    }
    assert set(choices(result, CONF_DATAPOINTS)) == ahu_points
    key, _ = field(result, CONF_DATAPOINTS)
    assert set(key.default()) == ahu_followed
    mine = sorted(
        q for q in ahu_points if q.endswith(("/nviHVACMode", "/nvoSupplyTemp"))
    )
    assert len(mine) == 2
    result = await choose(hass, result, {CONF_DATAPOINTS: mine})
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "datapoints_chosen"
    assert result["menu_options"] == ["pick_device", "save_datapoints"]
    chosen = (before - ahu_followed) | set(mine)
    assert result["description_placeholders"] == {"chosen": str(len(chosen))}

    result = await choose(hass, result, {"next_step_id": "pick_device"})
    result = await choose(hass, result, {"device": meter.id})
    result = await choose(hass, result, {CONF_DATAPOINTS: []})
    chosen -= meter_points
    result = await choose(hass, result, {"next_step_id": "save_datapoints"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_DATAPOINTS] == sorted(chosen)
    assert meter.id not in entry.options[CONF_DEVICES]
    assert ahu.id in entry.options[CONF_DEVICES]
    await hass.async_block_till_done()
    assert set(entry.runtime_data.site.subscribed) == chosen

    # The next time starts from the stored choice.
    result = await start(hass, entry)
    result = await choose(hass, result, {"next_step_id": "choose_datapoints"})
    assert choices(result, "device")[meter.id].endswith(f": 0/{len(meter_points)}")


async def test_many_datapoints_one_device_at_a_time(
    hass: HomeAssistant, sim_options: SimOptions, socket_enabled: None
) -> None:
    """550 datapoints: each page lists one device's; following all asks first."""
    async with SmartServerSim(
        large_scenario(devices=11, datapoints_per_device=50), options=sim_options
    ) as sim:
        entry = await setup_sim_entry(hass, sim)
        result = await start(hass, entry)
        result = await choose(hass, result, {"next_step_id": "choose_datapoints"})
        node = next(iter(choices(result, "device")))
        result = await choose(hass, result, {"device": node})
        assert len(choices(result, CONF_DATAPOINTS)) == 50

        result = await start(hass, entry)
        result = await choose(hass, result, {"next_step_id": "follow_all"})
        assert result["step_id"] == "confirm_large"
        assert result["description_placeholders"] == {
            "count": "550",
            "limit": str(LARGE_DATAPOINT_COUNT),
        }
        result = await choose(hass, result, {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert entry.options == {}
        await hass.async_block_till_done()
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_takeover_check_can_be_switched_off(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """On by default; off stops the probe; choosing what to follow keeps it off."""
    hass.data[LIVE_TIMINGS] = replace(FAST_LIVE, probe_interval=30.0)
    entry = await setup_entry(hass, mock_config_entry)
    assert entry.runtime_data.client.listener.options.probe_interval == 30.0
    result = await choose(hass, await start(hass, entry), {"next_step_id": "settings"})
    key, _ = field(result, CONF_TAKEOVER_CHECK)
    assert key.default() is True
    result = await choose(hass, result, {CONF_TAKEOVER_CHECK: False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options.get(CONF_TAKEOVER_CHECK) is False
    await hass.async_block_till_done()
    assert entry.runtime_data.client.listener.options.probe_interval is None

    meter = device_named(sim, "Energy Meter")
    result = await start(hass, entry)
    result = await choose(hass, result, {"next_step_id": "choose_devices"})
    result = await choose(hass, result, {CONF_DEVICES: [meter.id]})
    assert entry.options.get(CONF_TAKEOVER_CHECK) is False
    assert entry.options[CONF_DEVICES] == [meter.id]
    await hass.async_block_till_done()
    result = await choose(hass, await start(hass, entry), {"next_step_id": "settings"})
    key, _ = field(result, CONF_TAKEOVER_CHECK)
    assert key.default() is False
    result = await choose(hass, result, {CONF_TAKEOVER_CHECK: True})
    assert entry.options.get(CONF_TAKEOVER_CHECK) is True
    assert entry.options[CONF_DEVICES] == [meter.id]
    await hass.async_block_till_done()
    assert entry.runtime_data.client.listener.options.probe_interval == 30.0


async def test_options_not_loaded(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Options need the live inventory of a loaded entry."""
    mock_config_entry.add_to_hass(hass)
    result: Any = await hass.config_entries.options.async_init(
        mock_config_entry.entry_id
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


async def test_settings_and_choices_keep_each_other(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Settings leave the followed devices alone, and choosing devices the settings."""
    meter = device_named(sim, "Energy Meter")
    entry = await setup_sim_entry(hass, sim, {CONF_DEVICES: [meter.id]})
    result = await choose(hass, await start(hass, entry), {"next_step_id": "settings"})
    assert result["step_id"] == "settings"
    key, _ = field(result, CONF_PROGRAMMATIC_NAMES)
    assert key.default() is False
    key, _ = field(result, CONF_WRITE_PRIORITY)
    assert key.default() == 17
    result = await choose(
        hass, result, {CONF_PROGRAMMATIC_NAMES: True, CONF_WRITE_PRIORITY: 12.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    settings = {
        CONF_PROGRAMMATIC_NAMES: True,
        CONF_WRITE_PRIORITY: 12,
        CONF_HISTORY_BACKFILL: True,
        CONF_TAKEOVER_CHECK: True,
    }
    assert entry.options == {CONF_DEVICES: [meter.id], **settings}
    await hass.async_block_till_done()
    assert entry.runtime_data.writes.priority == 12
    # Reloaded with the LON names.
    names = {
        state.name
        for state in hass.states.async_all("sensor")
        if state.name and "nvo" in state.name
    }
    assert names

    result = await choose(
        hass, await start(hass, entry), {"next_step_id": "follow_all"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == settings
    await hass.async_block_till_done()

    # Lights and switches keep both too.
    result = await choose(
        hass, await start(hass, entry), {"next_step_id": "switch_kinds"}
    )
    key, _ = field(result, "lights")
    lights = sorted(key.default())
    result = await choose(hass, result, {"lights": lights[1:]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        **settings,
        CONF_SWITCH_KINDS: {lights[0]: SWITCH_KIND_SWITCH},
    }
    await hass.async_block_till_done()
