"""A value set through the control API holds until its generator is resumed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from smartserver_sim import streaming

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim

    from .conftest import Api

# Generated: a sine around 21.5 °C, so 30.5 is never its value.
TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
HUMIDITY = "17q4bn7/lon/2.1/Thermostat/0/nvoHumidity"


def generated(sim: SmartServerSim, qualifier: str) -> object:
    dp = sim.datapoint(qualifier)
    assert dp.generator is not None
    return dp.generator.value_at(sim.clock.time(), dp.seed)


async def truth(api: Api, qualifier: str) -> object:
    _, body = await api.control("values", qualifiers=[qualifier])
    return body["result"][qualifier]["value"]


@pytest.mark.parametrize("sim_overrides", [{"auto_updates": True}])
async def test_set_value_holds_until_resumed(sim: SmartServerSim, api: Api) -> None:
    assert generated(sim, TEMP) != 30.5
    assert await api.control("set_value", qualifier=TEMP, value=30.5) == (
        200,
        {"ok": True, "result": None},
    )
    # Neither a generator tick nor a read on the wire brings the generator back.
    await api.control("tick")
    streaming.refresh(sim, sim.datapoint(TEMP))
    assert sim.datapoint(TEMP).live_value(sim.clock.time()) == 30.5
    assert await truth(api, TEMP) == 30.5

    _, body = await api.control("resume_generator", qualifier=TEMP)
    assert body["result"] == {"resumed": 1}
    # Resumed: the generator's value at once.
    assert await truth(api, TEMP) == generated(sim, TEMP)
    _, body = await api.control("resume_generator", qualifier=TEMP)
    assert body["result"] == {"resumed": 0}


async def test_set_value_without_hold_lasts_until_the_next_tick(
    sim: SmartServerSim, api: Api
) -> None:
    await api.control("set_value", qualifier=TEMP, value=30.5, hold=False)
    assert await truth(api, TEMP) == 30.5
    await api.control("tick")
    assert await truth(api, TEMP) == generated(sim, TEMP)


async def test_resume_every_held_datapoint(sim: SmartServerSim, api: Api) -> None:
    """Without auto updates a resumed value waits for the next tick."""
    await sim.set_value(TEMP, 30.5)
    await sim.set_value(HUMIDITY, 99.0)
    await sim.set_value(TEMP, 31.5)  # held once, resumed once
    await api.control("tick")
    assert (await truth(api, TEMP), await truth(api, HUMIDITY)) == (31.5, 99.0)
    assert sim.resume_generator() == 2
    assert (await truth(api, TEMP), await truth(api, HUMIDITY)) == (31.5, 99.0)
    await api.control("tick")
    assert await truth(api, TEMP) == generated(sim, TEMP)
    assert await truth(api, HUMIDITY) == generated(sim, HUMIDITY)
    assert sim.resume_generator(TEMP) == 0
