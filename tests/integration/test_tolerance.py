"""The integration against what a real SmartServer may do that the defaults do not."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNAVAILABLE

from .conftest import entity_id_of, setup_entry, state_of

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    import pytest
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
