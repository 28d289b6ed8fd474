"""The integration against what a real SmartServer may do that the defaults do not."""

from __future__ import annotations

from dataclasses import replace
import logging
from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNAVAILABLE
import pytest

from custom_components.smartserver_iap.connection import LIVE_TIMINGS

from .conftest import FAST_LIVE, entity_id_of, setup_entry, state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SmartServerSim

AMPERSAND_DEVICE = {
    "name": "Meter & Co",
    "blocks": [
        {
            "name": "Meter",
            "datapoints": [
                {"name": "nvoCount", "type": "SNVT_count"},
                {"name": "nvoA&B", "type": "SNVT_count"},
            ],
        }
    ],
}


async def test_an_unreadable_datapoint_is_unavailable_alone(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Its name breaks every bulk read it is in (HTTP 400): the entry loads, that
    # entity alone is unavailable, and the datapoint is logged once.
    device = sim.scenario.devices[await sim.add_device(AMPERSAND_DEVICE)]
    good, bad = (dp.qualifier for dp in device.datapoints)
    await sim.set_value(good, 41)
    await setup_entry(hass, mock_config_entry)
    assert state_of(hass, entity_id_of(entity_registry, bad)) == STATE_UNAVAILABLE
    assert state_of(hass, entity_id_of(entity_registry, good)) == "41"
    other = entity_id_of(entity_registry, "/Thermostat/0/nvoSpaceTemp")
    assert state_of(hass, other) != STATE_UNAVAILABLE
    # The setup read and the live link's resync both failed on it: logged once.
    assert _warnings_about(caplog, bad) == 1
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, entity_id_of(entity_registry, bad)) == STATE_UNAVAILABLE
    assert state_of(hass, entity_id_of(entity_registry, good)) == "41"


def _warnings_about(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(
        r.levelno >= logging.WARNING and text in r.getMessage() for r in caplog.records
    )


# A SmartServer that echoes reads would show the values read again by itself.
@pytest.mark.parametrize("sim_overrides", [{"read_echo": "changed"}])
async def test_values_missed_during_a_takeover_are_shown(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    # Another session keeps half of the list; values of the other half change and
    # are never sent. The check finds it, takes the list back and reads them again:
    # no frame brings those values, the hub writes every entity once.
    hass.data[LIVE_TIMINGS] = replace(FAST_LIVE, probe_interval=0.05, probe_timeout=0.1)
    entry = await setup_entry(hass, mock_config_entry)
    subscribed = entry.runtime_data.site.subscribed
    counts = [q for q in subscribed if q.endswith(("/nvoEnergy", "/nvoCO2"))]
    assert len(counts) == 2
    await sim.steal_subscription("apollo", [q for q in subscribed if q not in counts])
    for value, qualifier in enumerate(counts, start=901):
        await sim.set_value(qualifier, value)
    entity_ids = [entity_id_of(entity_registry, q) for q in counts]
    await wait_for(lambda: [state_of(hass, e) for e in entity_ids] == ["901", "902"])
    assert sim.hub.subs["apollo"] == set(subscribed)
