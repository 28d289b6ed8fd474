"""Datapoint properties, value reads (max_age, wildcards, bulk), writes and priorities."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from .conftest import Api, next_frame, no_frame

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim

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
    # A datapoint the user does not follow is read without a notice.
    assert (await api.get("/iap/devs/11/if/Weather/0/nvoWindSpeed/value"))[0] == 200
    await asyncio.sleep(api.sim.options.live_read_delay * 2)
    await no_frame(api.sim, ws)
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


SETPT_VALUE = dp_path("2", "Thermostat", 0, "nviSetpoint") + "/value"
LAMP0_VALUE = dp_path("4", "Lamp", 0, "nviLamp[0]") + "/value"
HVAC_VALUE = dp_path("2", "Thermostat", 0, "nviHVACMode") + "/value"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", SETPT_VALUE, b"{oops", 400),
        ("PUT", SETPT_VALUE, "warm", 400),
        ("PUT", SETPT_VALUE, 1e9, 400),
        ("PUT", SETPT_VALUE, -300, 400),
        ("PUT", SETPT_VALUE, True, 400),
        ("PUT", SETPT_VALUE + "/bogus", 1, 404),
        ("DELETE", SETPT_VALUE, None, 405),
        ("PUT", HVAC_VALUE, "HVAC_WARP", 400),
        ("PUT", LAMP0_VALUE, {"value": 50}, 400),
        ("PUT", LAMP0_VALUE, {"value": 50, "state": 3}, 400),
        ("PUT", LAMP0_VALUE, {"value": 500, "state": 1}, 400),
        ("PUT", LAMP0_VALUE, [1], 400),
        ("PUT", LAMP0_VALUE, {"value": "x", "state": 1}, 400),
        ("PUT", LAMP0_VALUE.replace("/value", "/presets/value"), "DIM", 400),
        ("PUT", dp_path("1", "x", 0, "y") + "/value", 1, 404),
        ("PUT", dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/value", 20.0, 403),
        # A write to several datapoints is all or nothing: the output refuses it.
        ("PUT", "/iap/devs/2/if/Thermostat/0/*+name=~setp/value", 20.0, 403),
    ],
)  # fmt: skip
async def test_bad_writes_change_nothing(
    sim: SmartServerSim, api: Api, *, method: str, path: str, body: Any, status: int
) -> None:
    before = {q: dp.value for q, dp in sim.scenario.datapoints.items()}
    raw = body if isinstance(body, bytes) else None
    json_body = None if raw is not None else body
    got, answer = await api.call(method, path, json_body, raw=raw)
    assert got == status and answer["message"], answer
    assert {q: dp.value for q, dp in sim.scenario.datapoints.items()} == before
    assert sim.counters.writes == 0


@pytest.mark.parametrize("sim_overrides", [{"default_priority_level": 17}])
async def test_priorities(sim: SmartServerSim, api: Api) -> None:
    base = dp_path("2", "Thermostat", 0, "nviSetpoint")
    await api.put("/iap/dp/updates/subscribe", [SETPT])
    ws = await api.ws()
    assert (await api.put(base + "/8/overrides/value", 25.0))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 25.0
    _, items = await api.get(base + "/value")
    # The plain value sits at 17, "Normal" (the documented example).
    assert items[0]["values"] == {"level": 8, "levels": {"8": 25.0, "17": 21.0}}
    await next_frame(ws, "UPD:DATAPOINT")  # the on-demand read's live value
    # Refused (8 holds), but kept at its level: it takes control once 8 goes.
    status, body = await api.put(base + "/overrides/12/value", 19.0)
    assert status == 422 and body["status"] == 422
    _, items = await api.get(base + "/value")
    assert items[0]["values"]["levels"] == {"8": 25.0, "12": 19.0, "17": 21.0}
    await next_frame(ws, "UPD:DATAPOINT")
    # A plain write changes the default but publishes nothing while an override holds.
    assert (await api.put(base + "/value", 20.0))[0] == 204
    await no_frame(sim, ws)
    assert (await api.put(base + "/overrides/3/value", 26.0))[0] == 204
    await next_frame(ws, "UPD:DATAPOINT")
    assert (await api.call("DELETE", base + "/3/overrides"))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 25.0
    # The Browser relinquishes with DELETE on the write's own path.
    assert (await api.call("DELETE", base + "/overrides/8/value"))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 19.0
    assert (await api.call("DELETE", base + "/overrides/12"))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 20.0
    assert (await api.call("DELETE", base + "/overrides/8"))[0] == 204
    # A write at 17 is a plain write.
    assert (await api.put(base + "/overrides/17/value", 18.0))[0] == 204
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 18.0
    _, items = await api.get(base + "/value")
    assert items[0]["values"] == {"level": 17, "levels": {"17": 18.0}}
    assert (await api.put(base + "/0/overrides/value", 1.0))[0] == 400
    assert (await api.put(base + "/x/overrides/value", 1.0))[0] == 400
    assert (await api.put(base + "/8/overrides/bogus", 1.0))[0] == 404
    assert (await api.put(base + "/overrides/8/bogus", 1.0))[0] == 404
    assert (await api.get(base + "/8/overrides"))[0] == 405
    assert (await api.get(base + "/overrides/8/value"))[0] == 405
    await ws.close()


@pytest.mark.parametrize(
    "sim_overrides",
    [{"override_paths": "vendor", "device_ids": "list", "literal_names": "instance"}],
)
async def test_strict_paths(api: Api) -> None:
    # Only the Browser's forms: the device-list id (or a name filter), instance names
    # as literals, *+xifName== for XIF names, overrides/{p}/value.
    timeout = "17q4bn7/lon/8.1/Büro 1/0/nviTimeout"
    xif = dp_path("8", "Büro 1", 0, "*+xifName==nviTimeout")
    assert (await api.get(xif + "/value"))[1][0]["dpQualifier"] == timeout
    instance = dp_path("8", "Büro 1", 0, "Occupancy Timeout")
    assert (await api.get(instance + "/value"))[1][0]["dpQualifier"] == timeout
    assert (await api.get(dp_path("8", "Büro 1", 0, "nviTimeout") + "/value"))[0] == 404
    level_id = dp_path("17q4bn7.8", "Büro 1", 0, "Occupancy Timeout")
    assert (await api.get(level_id + "/value"))[0] == 404
    assert (await api.get("/iap/devs/17q4bn7.8"))[0] == 404
    by_name = dp_path("*+name==Präsenzmelder Büro 1", "Büro 1", 0, "Occupancy Timeout")
    assert (await api.get(by_name + "/value"))[0] == 200
    assert (await api.put(xif + "/overrides/9/value", 120.0))[0] == 204
    assert (await api.put(xif + "/9/overrides/value", 100.0))[0] == 404
    assert (await api.call("DELETE", xif + "/9/overrides"))[0] == 404
    assert (await api.call("DELETE", xif + "/overrides/9"))[0] == 404
    assert (await api.call("DELETE", xif + "/overrides/9/value"))[0] == 204


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


@pytest.mark.parametrize(
    "sim_overrides", [{"allow_output_writes": True, "empty_wildcard_status": 404}]
)
async def test_allow_output_writes_switch(sim: SmartServerSim, api: Api) -> None:
    out = dp_path("2", "Thermostat", 0, "nvoSpaceTemp") + "/value"
    assert (await api.put(out, 20.0))[0] == 204
    assert sim.datapoint(TEMP).value == 20.0
    assert (await api.get("/iap/devs/2/if/*/*/*+name==nosuch/value"))[0] == 404


async def test_concurrent_bulk_reads(api: Api) -> None:
    results = await asyncio.gather(
        *(api.get("/iap/devs/*/if/*/*/*/value") for _ in range(5))
    )
    assert all(status == 200 for status, _ in results)


@pytest.mark.parametrize(
    ("sim_overrides", "echoed"),
    [({}, {SETPT, EFFECT}), ({"echo_input_writes": False}, {EFFECT})],
)
async def test_echo_input_writes_switch(
    sim: SmartServerSim, api: Api, echoed: set[str]
) -> None:
    """Without the echo, a write and a relinquish push only the outputs that follow."""
    await api.put("/iap/dp/updates/subscribe", [SETPT, EFFECT])
    ws = await api.ws()
    base = dp_path("2", "Thermostat", 0, "nviSetpoint")
    for method, path, body in (
        ("PUT", base + "/overrides/17/value", 23.0),
        ("DELETE", base + "/overrides/17", None),
    ):
        assert (await api.call(method, path, body))[0] == 204
        frame = await next_frame(ws, "UPD:DATAPOINT")
        assert {i["datapointQualifier"] for i in frame["payload"]} == echoed
    assert sim.datapoint(SETPT).value == 21.0
    await no_frame(sim, ws)
    await ws.close()
