"""First end-to-end checks: login, devices, values, subscribe, WS update."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim

    from .conftest import Api

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"


async def test_login_devs_values_ws(sim: SmartServerSim, api: Api) -> None:
    status, devs = await api.get("/iap/devs")
    assert status == 200
    assert devs[0]["category"] == "SC"
    status, items = await api.get("/iap/devs/2/if/Thermostat/0/nvoSpaceTemp/value")
    assert status == 200, items
    assert items[0]["dpQualifier"] == TEMP
    status, _ = await api.put("/iap/dp/updates/subscribe", [TEMP])
    assert status == 204
    ws = await api.ws()
    await sim.set_value(TEMP, 23.5)
    msg = await asyncio.wait_for(ws.receive(), 2)
    frame = orjson.loads(msg.data)
    assert frame["action"] == "UPD:DATAPOINT"
    assert frame["payload"][0]["value"] == 23.5
    await ws.close()
