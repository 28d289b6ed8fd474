"""GET /iap/alarms, /iap/alarms/count, PUT /iap/alarms/clear."""

from __future__ import annotations

from smartserver_sim import SmartServerSim

from .conftest import Api, make_api, next_frame, quiet_options


async def test_alarm_listing(sim: SmartServerSim, api: Api) -> None:
    status, alarms = await api.get(
        "/iap/alarms?activeOnly=true&order=asc&sortBy=timestamp"
    )
    assert status == 200 and len(alarms) == 1
    alarm = alarms[0]
    for key in (
        "id",
        "timestamp",
        "category",
        "severity",
        "state",
        "geozone",
        "device",
        "type",
        "details",
        "alarmTargetType",
    ):
        assert key in alarm
    assert alarm["device"]["name"] == "Roof Weather Station"
    assert alarm["timestamp"].endswith("[Europe/Berlin]")
    second = await sim.raise_alarm("2", type="High temperature", details="too hot")
    third = await sim.raise_alarm(None, type="System", details="disk")
    _, ordered = await api.get("/iap/alarms?order=desc&sortBy=id")
    assert [a["id"] for a in ordered][:2] == [third, second]
    assert "device" not in ordered[0]
    _, paged = await api.get("/iap/alarms?pg=1&sz=2&sortBy=timestamp&order=asc")
    assert len(paged["resources"]) == 2 and paged["remainingPages"] == 1
    _, by_dev = await api.get("/iap/alarms?deviceId=2")
    assert [a["id"] for a in by_dev] == [second]
    _, by_dev2 = await api.get(
        "/iap/alarms?deviceId=17q4bn7.2&deviceName=Thermostat Büro 1"
    )
    assert [a["id"] for a in by_dev2] == [second]
    _, sc = await api.get("/iap/alarms?scId=17q4bn7&scName=SmartServer IoT")
    assert len(sc) == 3
    _, none = await api.get("/iap/alarms?scId=other")
    assert none == []
    _, none2 = await api.get("/iap/alarms?scName=other")
    assert none2 == []
    for key in ("severity", "type", "state"):
        assert (await api.get(f"/iap/alarms?sortBy={key}"))[0] == 200
    assert (await api.get("/iap/alarms?sortBy=bogus"))[0] == 400
    assert (await api.get("/iap/alarms?order=up"))[0] == 400


async def test_count_and_clear(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    assert await api.get("/iap/alarms/count") == (200, {"value": 1})
    new = await sim.raise_alarm("3", type="Threshold exceeded")
    assert await api.get("/iap/alarms/count?activeOnly=true") == (200, {"value": 2})
    assert (await api.put("/iap/alarms/clear", [new, 424242]))[0] == 204
    frame = await next_frame(ws, "DEL:ALARM")
    assert frame["payload"]["id"] == new and frame["payload"]["state"] == "Cleared"
    assert await api.get("/iap/alarms/count") == (200, {"value": 1})
    assert await api.get("/iap/alarms/count?activeOnly=false") == (200, {"value": 2})
    _, active = await api.get("/iap/alarms?activeOnly=true")
    assert new not in [a["id"] for a in active]
    # Clearing twice is harmless.
    assert (await api.put("/iap/alarms/clear", [new]))[0] == 204
    for bad in ({"id": 1}, ["1"], [True]):
        assert (await api.put("/iap/alarms/clear", bad))[0] == 400
    assert (await api.put("/iap/alarms/clear", raw=b"nope"))[0] == 400
    assert (await api.call("DELETE", "/iap/alarms"))[0] == 405
    await ws.close()


async def test_del_alarm_id_payload_switch(socket_enabled: None) -> None:
    async with SmartServerSim(options=quiet_options(del_alarm_payload="id")) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            ws = await api.ws()
            alarm_id = await sim.raise_alarm("2")
            await sim.clear_alarm(alarm_id)
            frame = await next_frame(ws, "DEL:ALARM")
            assert frame["payload"] == {"id": alarm_id}
            await ws.close()
        finally:
            await api.session.close()
