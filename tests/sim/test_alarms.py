"""/iap/alarms (list, count, clear, definitions, types) and raising alarms of every kind."""

from __future__ import annotations

from typing import Any

import pytest

from smartserver_sim import ManualClock, ScenarioError, SmartServerSim, build_scenario
from smartserver_sim.sites import default_spec

from .conftest import Api, client, next_frame, quiet_options


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


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("sortBy=severity", 200),
        ("sortBy=type", 200),
        ("sortBy=state", 200),
        ("sortBy=bogus", 400),
        ("order=up", 400),
        ("pg=0", 400),
    ],
)
async def test_alarm_query_parameters(api: Api, query: str, status: int) -> None:
    assert (await api.get(f"/iap/alarms?{query}"))[0] == status


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
    await ws.close()


@pytest.mark.parametrize(
    ("method", "body", "raw", "status"),
    [
        ("PUT", {"id": 1}, None, 400),
        ("PUT", ["1"], None, 400),
        ("PUT", [True], None, 400),
        ("PUT", None, b"nope", 400),
        ("DELETE", None, None, 405),
    ],
)
async def test_bad_alarm_requests_change_nothing(
    sim: SmartServerSim,
    api: Api,
    *,
    method: str,
    body: Any,
    raw: bytes | None,
    status: int,
) -> None:
    path = "/iap/alarms/clear" if method == "PUT" else "/iap/alarms"
    assert (await api.call(method, path, body, raw=raw))[0] == status
    assert await api.get("/iap/alarms/count") == (200, {"value": 1})


@pytest.mark.parametrize(
    ("args", "device", "group"),
    [
        ({"device_id": "3"}, "Thermostat Meeting Room", None),
        ({"device_id": "3", "target_type": "DEVICE"}, "Thermostat Meeting Room", None),
        ({"group": "Floor 2"}, None, "Floor 2"),
        ({"target_type": "SYSTEM"}, None, None),
        ({}, None, None),
    ],
    ids=["device", "device-explicit", "group", "system", "system-default"],
)
async def test_every_target_type_over_the_control_api(
    sim: SmartServerSim,
    api: Api,
    args: dict[str, str],
    device: str | None,
    group: str | None,
) -> None:
    """Raised and cleared through POST /sim/control, with its frames."""
    ws = await api.ws()
    status, body = await api.control("raise_alarm", type="Custom", **args)
    assert status == 200
    alarm_id = body["result"]["id"]
    raised = (await next_frame(ws, "CRT:ALARM"))["payload"]
    _, listed = await api.get("/iap/alarms?activeOnly=true&sortBy=id&order=desc")
    assert listed[0] == raised
    assert raised["id"] == alarm_id
    assert raised["alarmTargetType"] == (
        "DEVICE" if device else "GROUP" if group else "SYSTEM"
    )
    assert raised.get("device", {}).get("name") == device
    assert raised.get("group", {}).get("name") == group
    assert (await api.control("clear_alarm", alarm_id=alarm_id))[0] == 200
    cleared = (await next_frame(ws, "DEL:ALARM"))["payload"]
    assert (cleared["id"], cleared["state"]) == (alarm_id, "Cleared")
    await ws.close()


async def test_groups_keep_their_ids(sim: SmartServerSim, api: Api) -> None:
    first = await sim.raise_alarm(group="Floor 2")
    second = await sim.raise_alarm(group="Lights")
    third = await sim.raise_alarm(group="Floor 2", target_type="GROUP")
    _, alarms = await api.get("/iap/alarms?sortBy=id&order=asc")
    groups = {a["id"]: a["group"] for a in alarms if "group" in a}
    assert groups[first] == groups[third] == {"id": 1, "name": "Floor 2"}
    assert groups[second] == {"id": 2, "name": "Lights"}


@pytest.mark.parametrize(
    "args",
    [
        {"target_type": "DEVICE"},
        {"target_type": "GROUP"},
        {"target_type": "SYSTEM", "device_id": "3"},
        {"target_type": "DEVICE", "device_id": "3", "group": "Floor 2"},
        {"target_type": "SEGMENT"},
    ],
)
async def test_target_type_must_fit(
    sim: SmartServerSim, api: Api, args: dict[str, str]
) -> None:
    status, body = await api.control("raise_alarm", **args)
    assert status == 400, body
    assert (await api.get("/iap/alarms/count"))[1] == {"value": 1}


@pytest.mark.parametrize("sim_overrides", [{"crt_alarm_payload": "id"}])
async def test_crt_alarm_id_payload_switch(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    alarm_id = await sim.raise_alarm("2")
    assert (await next_frame(ws, "CRT:ALARM"))["payload"] == {"id": alarm_id}
    await ws.close()


async def test_definitions_and_types(sim: SmartServerSim, api: Api) -> None:
    """[GUESS] shapes: IAP/MQ alarm configurations, and type names."""
    status, definitions = await api.get("/iap/alarms/definitions")
    assert status == 200
    assert [d["handle"] for d in definitions] == ["supply_temp_high"]
    assert definitions[0] == {
        "handle": "supply_temp_high",
        "desc": "AHU supply air too hot",
        "enabled": True,
        "cat": "alarm",
        "ackd": True,
        "activation": 'gt("17q4bn7/lon/10.1/Fan/0/nvoSupplyTemp", 28)',
        "deactivation": 'lt("17q4bn7/lon/10.1/Fan/0/nvoSupplyTemp", 26)',
        "message": "Supply air at {value} °C",
        "urgent": False,
        "actions": None,
        "severity": "Minor Fault",
    }
    await sim.raise_alarm("2", type="Filter clogged")
    status, types = await api.get("/iap/alarms/types")
    assert status == 200
    assert types == sorted(types)
    assert {"Device down", "Type mismatch", "Filter clogged"} <= set(types)
    _, paged = await api.get("/iap/alarms/types?pg=1&sz=3")
    assert paged["resources"] == types[:3]
    assert (await api.call("DELETE", "/iap/alarms/types"))[0] == 405


async def test_scenario_alarms_of_every_kind(socket_enabled: None) -> None:
    """A scenario file's alarms: every target type, already cleared, and a timeline."""
    spec = default_spec()
    spec["alarms"] = [
        {"device": "Water Meter", "type": "Leak", "age": 60},
        {"group": "Floor 2", "type": "Lights failed"},
        {"target_type": "SYSTEM", "type": "CMS Warning", "state": "Cleared"},
        {"device": "Energy Meter", "type": "Overload", "clear_after": 5},
        {"group": "Floor 2", "type": "Late", "raise_after": 2, "clear_after": 3},
    ]
    spec["alarm_definitions"] = [{"handle": "bare"}]
    clock = ManualClock()
    async with (
        SmartServerSim(
            build_scenario(spec), options=quiet_options(), clock=clock
        ) as sim,
        client(sim) as api,
    ):
        await api.login()
        ws = await api.ws()
        _, alarms = await api.get("/iap/alarms?sortBy=id&order=asc")
        assert [(a["type"], a["alarmTargetType"], a["state"]) for a in alarms] == [
            ("Leak", "DEVICE", "Active"),
            ("Lights failed", "GROUP", "Active"),
            ("CMS Warning", "SYSTEM", "Cleared"),
            ("Overload", "DEVICE", "Active"),
        ]
        clock.advance(2)
        late = (await next_frame(ws, "CRT:ALARM"))["payload"]
        assert (late["type"], late["group"]["name"]) == ("Late", "Floor 2")
        clock.advance(3)
        cleared = {(await next_frame(ws, "DEL:ALARM"))["payload"]["type"]}
        cleared.add((await next_frame(ws, "DEL:ALARM"))["payload"]["type"])
        assert cleared == {"Overload", "Late"}
        assert (await api.get("/iap/alarms/count"))[1] == {"value": 2}
        _, definitions = await api.get("/iap/alarms/definitions")
        assert definitions == [
            {
                "handle": "bare",
                "desc": None,
                "enabled": True,
                "cat": "alarm",
                "ackd": True,
                "activation": None,
                "deactivation": None,
                "message": None,
                "urgent": False,
                "actions": None,
                "severity": None,
            }
        ]
        await ws.close()


def test_scenario_alarm_with_a_wrong_target() -> None:
    """Found when the scenario is read, not when the simulator starts."""
    spec = default_spec()
    spec["alarms"] = [{"group": "Floor 2", "target_type": "DEVICE"}]
    with pytest.raises(ScenarioError, match=r"alarms\[0\].target_type: a DEVICE"):
        build_scenario(spec)
