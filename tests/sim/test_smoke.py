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


async def test_a_vendor_web_page_loads(sim: SmartServerSim, api: Api) -> None:
    # The first calls of the vendor's Browser, in its order.
    for path in (
        "/iap/version",
        "/iap/devs/lonmode",
        "/iap/lic/status",
        "/iap/alarms/count?activeOnly=true",
        "/iap/dlaRules/monitoring",
        "/iap/users/current",
        "/iap/settings/limits/configuration",
        "/iap/context",
        "/iap/devTypes/*",
        "/iap/dp/types",
        "/iap/alarms/definitions",
        "/iap/alarms/types",
        "/iap/devs?noxs=true&sortBy=name",
    ):
        status, body = await api.get(path)
        assert status == 200, (path, body)
    assert (await api.get("/iap/devs/lonmode"))[1] == {"value": "IMM"}
    _, context = await api.get("/iap/context")
    assert context["user"]["userName"] == "apollo"
    _, types = await api.get("/iap/devTypes/*")
    assert {t["name"] for t in types} == {
        d.type_name for d in sim.scenario.devices.values()
    }
    await sim.raise_alarm("2", type="Threshold exceeded")
    assert "Threshold exceeded" in (await api.get("/iap/alarms/types"))[1]
