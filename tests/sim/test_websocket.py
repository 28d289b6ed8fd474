"""General WebSocket: subscription per user, batching, device/alarm/periodic frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from .conftest import Api, next_frame, no_frame

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
HUM = "17q4bn7/lon/2.1/Thermostat/0/nvoHumidity"
TEMP_VALUE = "/iap/devs/2/if/Thermostat/0/nvoSpaceTemp/value"


async def test_subscription_is_per_user(
    sim: SmartServerSim, api: Api, other: Api
) -> None:
    await other.login()  # a second session of the same user
    ws1, ws2 = await api.ws(), await other.ws()
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    await sim.set_value(TEMP, 20.0)
    for ws in (ws1, ws2):
        frame = await next_frame(ws, "UPD:DATAPOINT")
        assert frame["payload"][0]["value"] == 20.0
    # The other session's subscribe replaces the shared list.
    await other.put("/iap/dp/updates/subscribe", [HUM])
    await sim.set_value(TEMP, 21.0)
    await no_frame(sim, ws1)
    await sim.steal_subscription("apollo", [TEMP])
    await sim.set_value(TEMP, 22.0)
    for ws in (ws1, ws2):
        assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]["value"] == 22.0
    # Unsubscribe by an empty list.
    await api.put("/iap/dp/updates/subscribe", [])
    await sim.set_value(TEMP, 23.0)
    await no_frame(sim, ws2)
    for ws in (ws1, ws2):
        await ws.close()


@pytest.mark.parametrize("sim_users", [{"apollo": "apollo", "hermes": "wings"}])
async def test_each_user_gets_its_own_updates(
    sim: SmartServerSim, api: Api, other: Api
) -> None:
    assert (await other.login("hermes", "wings")).status == 200
    apollo, hermes = await api.ws(), await other.ws()
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    await other.put("/iap/dp/updates/subscribe", [HUM])
    await sim.set_value(TEMP, 20.0)
    frame = await next_frame(apollo, "UPD:DATAPOINT")
    assert [i["datapointQualifier"] for i in frame["payload"]] == [TEMP]
    await no_frame(sim, hermes)
    # The marker went to every WebSocket: apollo's is read too.
    assert await next_frame(apollo) == {"action": "TEST:MARK", "payload": None}
    # Both follow it now; a read's echo goes to the reader alone.
    await other.put("/iap/dp/updates/subscribe", [TEMP, HUM])
    assert (await other.get(TEMP_VALUE))[0] == 200
    frame = await next_frame(hermes, "UPD:DATAPOINT")
    assert [i["datapointQualifier"] for i in frame["payload"]] == [TEMP]
    await no_frame(sim, apollo)
    for ws in (apollo, hermes):
        await ws.close()


async def test_batching(sim: SmartServerSim, api: Api) -> None:
    qualifiers = list(sim.scenario.datapoints)
    await api.put("/iap/dp/updates/subscribe", qualifiers)
    ws = await api.ws()
    sim.options.max_batch = 25
    for q in qualifiers:
        sim.publish(sim.scenario.datapoints[q])
    got = 0
    sizes = []
    while got < len(qualifiers):
        frame = await next_frame(ws, "UPD:DATAPOINT")
        sizes.append(len(frame["payload"]))
        got += sizes[-1]
    assert max(sizes) == 25 and len(sizes) == -(-len(qualifiers) // 25)
    await ws.close()


@pytest.mark.parametrize(
    ("raw", "body", "status"),
    [
        (b"[oops", None, 400),
        (None, {"q": 1}, 400),
        (None, [1], 400),
        (None, ["a/b/c"], 400),
        (None, ["a/b/c/d/x/f"], 400),
        (None, ["a/b//d/0/f"], 400),
        # Unknown but well-formed qualifiers are accepted.
        (None, ["a/b/c/d/0/f"], 204),
    ],
)
async def test_subscribe_input(
    sim: SmartServerSim, api: Api, raw: bytes | None, body: Any, status: int
) -> None:
    assert (await api.put("/iap/dp/updates/subscribe", body, raw=raw))[0] == status
    assert sim.hub.subs.get("apollo", set()) == (set(body) if status == 204 else set())


async def test_subscribe_is_put_only(api: Api) -> None:
    assert (await api.get("/iap/dp/updates/subscribe"))[0] == 405


@pytest.mark.parametrize("sim_overrides", [{"subscribe_pushes_values": True}])
async def test_subscribe_pushes_values_switch(api: Api) -> None:
    ws = await api.ws()
    await api.put("/iap/dp/updates/subscribe", [TEMP, "a/b/c/d/0/f"])
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert [i["datapointQualifier"] for i in frame["payload"]] == [TEMP]
    await ws.close()


@pytest.mark.parametrize("sim_overrides", [{"refuse_second_ws": True}])
async def test_refuse_second_ws_switch(api: Api) -> None:
    ws = await api.ws()
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await api.ws()
    assert err.value.status == 409
    await ws.close()
    second = await api.ws()  # the first one is gone: accepted again
    await second.close()


async def test_plain_get_on_ws_path(api: Api) -> None:
    status, body = await api.get("/iap/ws")
    assert status == 400 and body["message"]


async def test_device_and_alarm_frames(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    await sim.set_device_status("2", health="down")
    frame = await next_frame(ws, "UPD:DEVICE")
    assert frame["payload"]["id"] == "2"
    assert frame["payload"]["status"]["health"] == "down"
    assert frame["payload"]["status"]["connection"] == "disconnected"
    await sim.set_device_status("17q4bn7.2", state="provisioned", health="normal")
    await next_frame(ws, "UPD:DEVICE")
    new_id = await sim.add_device(
        {
            "name": "New Node",
            "blocks": [
                {"name": "B", "datapoints": [{"name": "nvoX", "type": "SNVT_count"}]}
            ],
        }
    )
    frame = await next_frame(ws, "UPD:DEVICE")
    assert frame["payload"]["id"] == new_id
    await sim.remove_device(new_id)
    frame = await next_frame(ws, "DEL:DEVICE")
    assert frame["payload"]["id"] == new_id
    alarm_id = await sim.raise_alarm("2", type="High temperature", details="too hot")
    frame = await next_frame(ws, "CRT:ALARM")
    assert frame["payload"]["id"] == alarm_id and frame["payload"]["state"] == "Active"
    await sim.clear_alarm(alarm_id)
    frame = await next_frame(ws, "DEL:ALARM")
    assert frame["payload"]["id"] == alarm_id
    await ws.close()


async def test_ws_ignores_client_messages(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    await ws.send_str("hello")
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    await sim.set_value(TEMP, 19.0)
    assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]["value"] == 19.0
    await ws.close()
