"""A real ``hass`` process writes to the simulator through Home Assistant's REST API."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .real_hass import hass_with_entry

if TYPE_CHECKING:
    from pathlib import Path

    from .hass_process import HassProcess

SETPOINT = "17q4bn7/lon/2.1/Thermostat/0/nviSetpoint"
FAN = "17q4bn7/lon/10.1/Fan/0/nviFanEnable"
NUMBER = "number.thermostat_buro_1_setpoint"
SWITCH = "switch.ahu_controller_fan_enable"


async def _state(hass: HassProcess, entity_id: str, timeout: float = 60) -> str:
    """Return the entity's state once it has one that is not unknown/unavailable."""
    async with asyncio.timeout(timeout):
        while True:
            state = (await hass.states()).get(entity_id)
            if state is not None and state["state"] not in ("unknown", "unavailable"):
                return str(state["state"])
            await asyncio.sleep(0.25)


async def _call(
    hass: HassProcess, domain: str, service: str, data: dict[str, Any]
) -> None:
    # Home Assistant's REST API calls actions blocking: they return once done.
    await hass.api("POST", f"/api/services/{domain}/{service}", data)


async def test_real_home_assistant_writes_a_number_and_a_switch(
    tmp_path: Path, socket_enabled: None
) -> None:
    """Set a number and a switch over HA's REST API; the simulator holds the values."""
    async with hass_with_entry(tmp_path) as (sim, hass, _):
        assert await _state(hass, NUMBER) == "21.0"
        assert await _state(hass, SWITCH) == "on"

        await _call(hass, "number", "set_value", {"entity_id": NUMBER, "value": 23.5})
        assert sim.datapoint(SETPOINT).overrides == {17: 23.5}
        assert (await hass.states())[NUMBER]["state"] == "23.5"

        await _call(hass, "switch", "turn_off", {"entity_id": SWITCH})
        assert sim.datapoint(FAN).overrides == {17: {"value": 0.0, "state": 0}}
        assert (await hass.states())[SWITCH]["state"] == "off"

        # The integration's own actions, at a priority of their own.
        await _call(
            hass,
            "smartserver_iap",
            "write_datapoint",
            {"entity_id": NUMBER, "value": 19, "priority": 10},
        )
        assert sim.datapoint(SETPOINT).overrides == {10: 19.0, 17: 23.5}
        assert (await hass.states())[NUMBER]["state"] == "19.0"
        await _call(
            hass,
            "smartserver_iap",
            "relinquish",
            {"entity_id": NUMBER, "priority": 10},
        )
        assert sim.datapoint(SETPOINT).overrides == {17: 23.5}
        assert (await hass.states())[NUMBER]["state"] == "23.5"
