"""Datapoint properties, value reads (max_age, wildcards, bulk), writes and priorities."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from smartserver_sim import SmartServerSim

from .conftest import Api, make_api, next_frame, no_frame

SC = "17q4bn7"
TEMP = f"{SC}/lon/2.1/Thermostat/0/nvoSpaceTemp"
SETPT = f"{SC}/lon/2.1/Thermostat/0/nviSetpoint"
EFFECT = f"{SC}/lon/2.1/Thermostat/0/nvoEffectSetpt"
LAMP1 = f"{SC}/lon/4.1/Lamp/0/nviLamp[1]"
LAMPFB1 = f"{SC}/lon/4.1/Lamp/0/nvoLampFb[1]"
OCC = f"{SC}/lon/8.1/Büro 1/0/nvoOccupancy"
DOWN = f"{SC}/lon/11.1/Weather/0/nvoOutdoorTemp"


def q(text: str) -> str:
    return quote(text, safe="")


def dp_path(dev: str, blk: str, idx: int, dp: str) -> str:
    return f"/iap/devs/{q(dev)}/if/{q(blk)}/{idx}/{q(dp)}"


async def test_properties(api: Api) -> None:
    status, items = await api.get(dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/*")
    assert status == 200
    item = items[0]
    assert item["type"] == "0000000000000000-0/SNVT_temp_p"
    assert item["cat"] == "out" and item["lon.cfg"]["unit"] == "°C"
    assert item["monitor"]["rate"] == 30 and item["dpQualifier"] == TEMP
    assert item["blockIndex"] == "0" and item["deviceId"] == f"{SC}.2"
    assert item["logs"][0]["interval"] == 900
    _, bare = await api.get(dp_path("2", "Thermostat", 0, "nvoSpaceTemp"))
    assert bare[0]["type"] == item["type"]
    _, all_props = await api.get("/iap/devs/*/if/*/*/*/*")
    assert len(all_props) == len(api.sim.scenario.datapoints)
    types = {p["type"].split("/")[1] for p in all_props}
    for needed in (
        "SNVT_temp_p",
        "SNVT_lev_percent",
        "SNVT_power",
        "SNVT_elec_kwh",
        "SNVT_volt",
        "SNVT_amp",
        "SNVT_lux",
        "SNVT_flow",
        "SNVT_press_p",
        "SNVT_ppm",
        "SNVT_speed",
        "SNVT_time_sec",
        "SNVT_count",
        "SNVT_switch",
        "SNVT_occupancy",
        "SNVT_hvac_mode",
    ):
        assert needed in types
    _, one_prop = await api.get(dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/type")
    assert one_prop[0]["type"].endswith("SNVT_temp_p")
    assert (await api.get(dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/bogus"))[
        0
    ] == 404
    assert (await api.get(dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/a/b/c/d"))[
        0
    ] == 404
    _, by_type = await api.get("/iap/devs/*/if/*/*/*+typeName==SNVT_switch/*")
    assert all(p["type"].endswith("SNVT_switch") for p in by_type) and by_type
    _, by_xif = await api.get("/iap/devs/8/if/*/*/*+xifName==nviTimeout/*")
    assert by_xif[0]["name"] == "Occupancy Timeout"
    _, by_instance = await api.get(
        dp_path("8", "Büro 1", 0, "Occupancy Timeout") + "/*"
    )
    assert by_instance[0]["datapointName"] == "nviTimeout"


async def test_monitor_property_write(api: Api) -> None:
    path = dp_path("2", "Thermostat", 0, "nvoHumidity")
    assert (await api.put(path + "/monitor", {"rate": 5, "report": "change"}))[0] == 204
    _, items = await api.get(path + "/monitor")
    assert items[0]["monitor"]["rate"] == 5
    assert (await api.put(path + "/monitor", {"rate": -1}))[0] == 400
    assert (await api.put(path + "/monitor", [1]))[0] == 400
    assert (await api.call("DELETE", path + "/monitor"))[0] == 405


async def test_value_wildcards_and_fields(api: Api) -> None:
    status, items = await api.get("/iap/devs/*/if/*/*/*/value")
    assert status == 200
    assert len(items) == len(api.sim.scenario.datapoints)
    for key in (
        "dpQualifier",
        "deviceId",
        "deviceName",
        "blockName",
        "blockIndex",
        "datapointName",
        "value",
        "values",
        "timestamp",
    ):
        assert key in items[0]
    _, lamps = await api.get("/iap/devs/4/if/Lamp/*/*/value")
    assert len(lamps) == 4
    _, hostile = await api.get(
        dp_path("Lighting Büro 1/2", "Lamp", 0, "nviLamp[1]") + "/value"
    )
    assert hostile[0]["dpQualifier"] == LAMP1
    assert hostile[0]["value"] == {"value": 0.0, "state": 0}
    _, unicode_block = await api.get(
        dp_path("8", "Büro 1", 0, "nvoOccupancy") + "/value"
    )
    assert unicode_block[0]["dpQualifier"] == OCC
    assert unicode_block[0]["value"] in ("OC_OCCUPIED", "OC_UNOCCUPIED")
    _, state = await api.get(dp_path("4", "Lamp", 0, "nviLamp[1]") + "/value/state")
    assert state[0]["value"] == 0
    assert (await api.get(dp_path("4", "Lamp", 0, "nviLamp[1]") + "/value/bogus"))[
        0
    ] == 404
    _, paged = await api.get("/iap/devs/*/if/*/*/*/value?pg=2&sz=10")
    assert len(paged["resources"]) == 10
    assert (await api.get("/iap/devs/2/if/Thermostat/x/nvoSpaceTemp/value"))[0] == 400
    assert (await api.get(dp_path("2", "Thermostat", 0, "nosuch") + "/value"))[0] == 404
    assert await api.get("/iap/devs/2/if/Thermostat/0/*+name==nosuch/value") == (
        200,
        [],
    )
    assert (await api.get("/iap/devs/2/if/Thermostat/0/nvoSpaceTemp/value?max_age=x"))[
        0
    ] == 400
    assert (await api.get("/iap/devs/2/if"))[0] == 404
    alias = await api.get("/iap/dp/2/if/Thermostat/0/nvoSpaceTemp/value")
    assert alias[0] == 200


async def test_bulk_read_by_qualifier_list(api: Api) -> None:
    element = "*+qualifier=-" + ",".join(q(x) for x in (OCC, TEMP, "x/y/z/a/0/b"))
    status, items = await api.get(
        f"/iap/devs/*/if/*/*/{element}/value?max_age=1&noxs=true"
    )
    assert status == 200
    assert [i["dpQualifier"] for i in items] == [OCC, TEMP]
    # The whole element percent-encoded once more, as a strict client may send it.
    status, again = await api.get(
        f"/iap/devs/*/if/*/*/{q('*+qualifier=-' + TEMP)}/value"
    )
    assert [i["dpQualifier"] for i in again] == [TEMP]
    _, props = await api.get(f"/iap/devs/*/if/*/*/{element}/*?noxs=true")
    assert props[0]["type"].endswith("SNVT_occupancy")


async def test_on_demand_read_pushes_only_subscribed(api: Api) -> None:
    assert (await api.put("/iap/dp/updates/subscribe", [TEMP]))[0] == 204
    ws = await api.ws()
    await api.get(dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/value?max_age=10")
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["datapointQualifier"] == TEMP
    assert frame["payload"][0]["timestamp"].endswith("Z")
    await api.get(dp_path("2", "Thermostat", 0, "nvoHumidity") + "/value")
    await no_frame(ws, 0.05)
    await ws.close()


async def test_max_age_cache_then_live(socket_enabled: None) -> None:
    from .conftest import quiet_options

    opts = quiet_options(auto_updates=True, update_interval=3600)
    async with SmartServerSim(options=opts) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            dp = sim.scenario.datapoints[TEMP]
            dp.default = -5.0  # a stale cache the generator will not produce
            await api.put("/iap/dp/updates/subscribe", [TEMP])
            ws = await api.ws()
            path = dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/value"
            _, cached = await api.get(path + "?max_age=3600")
            assert cached[0]["value"] == -5.0
            frame = await next_frame(ws, "UPD:DATAPOINT")
            live = frame["payload"][0]["value"]
            assert live != -5.0 and 19.0 <= live <= 23.0
            dp.default = -6.0
            dp.timestamp = 0.0
            _, fresh = await api.get(path + "?max_age=5")
            assert fresh[0]["value"] == live
            await ws.close()
        finally:
            await api.session.close()


async def test_read_of_down_device_notifies(api: Api) -> None:
    await api.put("/iap/dp/updates/subscribe", [DOWN])
    ws = await api.ws()
    status, items = await api.get(
        "/iap/devs/11/if/Weather/0/nvoOutdoorTemp/value?max_age=1"
    )
    assert status == 200 and items[0]["deviceHealth"] == "down"
    frame = await next_frame(ws)
    assert frame["action"] == "CRT:NOTIFICATION"
    assert "does not respond" in frame["payload"]["message"]
    await ws.close()


async def test_writes_and_feedback(api: Api) -> None:
    await api.put("/iap/dp/updates/subscribe", [SETPT, EFFECT, LAMP1, LAMPFB1])
    ws = await api.ws()
    path = dp_path("2", "Thermostat", 0, "nviSetpoint") + "/value"
    assert (await api.put(path, 22.5))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    values = {i["datapointQualifier"]: i["value"] for i in frame["payload"]}
    assert values == {SETPT: 22.5, EFFECT: 22.5}
    lamp = dp_path("Lighting Büro 1/2", "Lamp", 0, "nviLamp[1]") + "/value"
    assert (await api.put(lamp, {"value": 75, "state": 1}))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert {i["datapointQualifier"] for i in frame["payload"]} == {LAMP1, LAMPFB1}
    assert (await api.put(lamp + "/state", 0))[0] == 204
    _, now = await api.get(lamp)
    assert now[0]["value"] == {"value": 75.0, "state": 0}
    assert (await api.put(lamp + "/bogus", 0))[0] == 404
    hvac = dp_path("2", "Thermostat", 0, "nviHVACMode") + "/value"
    assert (await api.put(hvac, "HVAC_HEAT"))[0] == 204
    _, mode = await api.get(dp_path("2", "Thermostat", 0, "nvoHVACMode") + "/value")
    assert mode[0]["value"] == "HVAC_HEAT"
    assert api.sim.counters.writes == 4
    await ws.close()


async def test_bad_writes(api: Api) -> None:
    setpt = dp_path("2", "Thermostat", 0, "nviSetpoint") + "/value"
    assert (
        await api.put(setpt, raw=b"{oops", headers={"Content-Type": "application/json"})
    )[0] == 400
    assert (await api.put(setpt, "warm"))[0] == 400
    assert (await api.put(setpt, 1e9))[0] == 400
    assert (await api.put(setpt, -300))[0] == 400
    assert (await api.put(setpt, True))[0] == 400
    hvac = dp_path("2", "Thermostat", 0, "nviHVACMode") + "/value"
    assert (await api.put(hvac, "HVAC_WARP"))[0] == 400
    lamp = dp_path("4", "Lamp", 0, "nviLamp[0]") + "/value"
    for bad in (
        {"value": 50},
        {"value": 50, "state": 3},
        {"value": 500, "state": 1},
        [1],
        {"value": "x", "state": 1},
    ):
        assert (await api.put(lamp, bad))[0] == 400, bad
    count = dp_path("1", "x", 0, "y") + "/value"
    assert (await api.put(count, 1))[0] == 404
    out = dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/value"
    status, body = await api.put(out, 20.0)
    assert status == 403 and "output" in body["message"]
    assert (await api.call("DELETE", setpt))[0] == 405
    # State is intact after every refusal.
    _, items = await api.get(setpt)
    assert items[0]["value"] == 21.0


async def test_priorities(api: Api) -> None:
    base = dp_path("2", "Thermostat", 0, "nviSetpoint")
    await api.put("/iap/dp/updates/subscribe", [SETPT])
    ws = await api.ws()
    assert (await api.put(base + "/8/overrides/value", 25.0))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 25.0
    _, items = await api.get(base + "/value")
    assert items[0]["values"] == {"level": 8, "levels": {"8": 25.0, "255": 21.0}}
    await next_frame(ws, "UPD:DATAPOINT")  # the on-demand read's live value
    status, body = await api.put(base + "/overrides/17/value", 19.0)
    assert status == 422 and body["status"] == 422
    # A plain write changes the default but publishes nothing while the override holds.
    assert (await api.put(base + "/value", 20.0))[0] == 204
    await no_frame(ws)
    assert (await api.put(base + "/overrides/3/value", 26.0))[0] == 204
    await next_frame(ws, "UPD:DATAPOINT")
    assert (await api.call("DELETE", base + "/3/overrides"))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 25.0
    assert (await api.call("DELETE", base + "/overrides/8"))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 20.0
    assert (await api.call("DELETE", base + "/overrides/8"))[0] == 204
    assert (await api.put(base + "/0/overrides/value", 1.0))[0] == 400
    assert (await api.put(base + "/x/overrides/value", 1.0))[0] == 400
    assert (await api.put(base + "/8/overrides/bogus", 1.0))[0] == 404
    assert (await api.get(base + "/8/overrides"))[0] == 405
    await ws.close()


async def test_presets(api: Api) -> None:
    lamp = dp_path("4", "Lamp", 0, "nviLamp[0]")
    assert (await api.put(lamp + "/presets/value", "ON"))[0] == 204
    _, items = await api.get(lamp + "/value")
    assert items[0]["value"] == {"value": 100.0, "state": 1}
    assert items[0]["presetValue"] == "ON"
    assert (await api.put(lamp + "/overrides/17/presets/value", "OFF"))[0] == 204
    _, items = await api.get(lamp + "/value")
    assert (
        items[0]["value"] == {"value": 0.0, "state": 0}
        and items[0]["values"]["level"] == 17
    )
    assert (await api.put(lamp + "/presets/value", "DIM"))[0] == 400
    setpt = dp_path("2", "Thermostat", 0, "nviSetpoint")
    assert (await api.put(setpt + "/presets/value", "Eco"))[0] == 204
    _, items = await api.get(setpt + "/*")
    assert items[0]["value"] == 18.0 and items[0]["presets"] == ["Comfort", "Eco"]
    hvac = (
        "/iap/dp/"
        + q("*+name==Thermostat Büro 1")
        + "/if/Thermostat/0/nviHVACMode/presets/value"
    )
    assert (await api.put(hvac, "HVAC_COOL"))[0] == 204


async def test_allow_output_writes_switch(socket_enabled: None) -> None:
    from .conftest import quiet_options

    async with SmartServerSim(
        options=quiet_options(allow_output_writes=True, empty_wildcard_status=404)
    ) as sim:
        api = await make_api(sim)
        try:
            await api.login()
            out = dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/value"
            assert (await api.put(out, 20.0))[0] == 204
            assert (await api.get("/iap/devs/2/if/*/*/*+name==nosuch/value"))[0] == 404
        finally:
            await api.session.close()


async def test_concurrent_bulk_reads(api: Api) -> None:
    results = await asyncio.gather(
        *(api.get("/iap/devs/*/if/*/*/*/value") for _ in range(5))
    )
    assert all(status == 200 for status, _ in results)
