"""General WebSocket: subscription per user, batching, device/alarm/periodic frames."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from smartserver_sim import SmartServerSim

from .conftest import Api, make_api, next_frame, no_frame, quiet_options

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
HUM = "17q4bn7/lon/2.1/Thermostat/0/nvoHumidity"


async def test_subscription_is_per_user(sim: SmartServerSim, api: Api) -> None:
    other = await make_api(sim)
    try:
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
        await no_frame(ws1)
        await sim.steal_subscription("apollo", [TEMP])
        await sim.set_value(TEMP, 22.0)
        for ws in (ws1, ws2):
            assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0][
                "value"
            ] == 22.0
        # Unsubscribe by an empty list.
        await api.put("/iap/dp/updates/subscribe", [])
        await sim.set_value(TEMP, 23.0)
        await no_frame(ws2)
        for ws in (ws1, ws2):
            await ws.close()
    finally:
        await other.session.close()


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


async def test_flush_window_and_no_timestamps(socket_enabled: None) -> None:
    opts = quiet_options(flush_window=0.02, ws_timestamps=False)
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            await api.put("/iap/dp/updates/subscribe", [TEMP, HUM])
            ws = await api.ws()
            await sim.set_value(TEMP, 20.0)
            await asyncio.sleep(0.005)
            await sim.set_value(HUM, 40.0)
            frame = await next_frame(ws, "UPD:DATAPOINT")
            assert [i["datapointQualifier"] for i in frame["payload"]] == [TEMP, HUM]
            assert all("timestamp" not in i for i in frame["payload"])
            await ws.close()
        finally:
            await api.session.close()


async def test_subscribe_bad_input(api: Api) -> None:
    assert (await api.put("/iap/dp/updates/subscribe", raw=b"[oops"))[0] == 400
    assert (await api.put("/iap/dp/updates/subscribe", {"q": 1}))[0] == 400
    assert (await api.put("/iap/dp/updates/subscribe", [1]))[0] == 400
    assert (await api.put("/iap/dp/updates/subscribe", ["a/b/c"]))[0] == 400
    assert (await api.put("/iap/dp/updates/subscribe", ["a/b/c/d/x/f"]))[0] == 400
    assert (await api.get("/iap/dp/updates/subscribe"))[0] == 405
    # Unknown but well-formed qualifiers are accepted.
    assert (await api.put("/iap/dp/updates/subscribe", ["a/b/c/d/0/f"]))[0] == 204


async def test_subscribe_pushes_values_switch(socket_enabled: None) -> None:
    async with SmartServerSim(
        options=quiet_options(subscribe_pushes_values=True)
    ) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            ws = await api.ws()
            await api.put("/iap/dp/updates/subscribe", [TEMP, "a/b/c/d/0/f"])
            frame = await next_frame(ws, "UPD:DATAPOINT")
            assert frame["payload"][0]["datapointQualifier"] == TEMP
            await ws.close()
        finally:
            await api.session.close()


async def test_refuse_second_ws_switch(socket_enabled: None) -> None:
    async with SmartServerSim(options=quiet_options(refuse_second_ws=True)) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            ws = await api.ws()
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await api.ws()
            assert err.value.status == 409
            await ws.close()
        finally:
            await api.session.close()


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


async def test_periodic_frames_and_auto_updates(socket_enabled: None) -> None:
    opts = quiet_options(
        ntf_time_interval=0.02,
        cpu_interval=0.02,
        auto_updates=True,
        update_interval=0.02,
    )
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            ws = await api.ws()
            frame = await next_frame(ws, "NTF:TIME")
            assert "[" in frame["payload"]["value"]
            cpu = await next_frame(ws, "UPD:CPU")
            assert isinstance(cpu["payload"], float)
            eps = await next_frame(ws, "UPD:EPS")
            assert eps["payload"] >= 0
            await next_frame(ws, "UPD:SC:CPU")
            # Generators move values: force a change by staling the cache.
            await api.put("/iap/dp/updates/subscribe", [TEMP])
            dp = sim.scenario.datapoints[TEMP]
            dp.default = -50.0
            sim.last_poll.clear()
            frame = await next_frame(ws, "UPD:DATAPOINT")
            assert frame["payload"][0]["value"] != -50.0
            await ws.close()
        finally:
            await api.session.close()


async def test_ws_ignores_client_messages(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    await ws.send_str("hello")
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    await sim.set_value(TEMP, 19.0)
    assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]["value"] == 19.0
    await ws.close()
