"""GET /iap/alarms, /iap/alarms/count, PUT /iap/alarms/clear."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .conftest import Api, next_frame

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim


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


@pytest.mark.parametrize("sim_overrides", [{"alarm_payload": "id"}])
async def test_alarm_id_payload_switch(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    alarm_id = await sim.raise_alarm("2")
    frame = await next_frame(ws, "CRT:ALARM")
    assert frame["payload"] == {"id": alarm_id}
    await sim.clear_alarm(alarm_id)
    frame = await next_frame(ws, "DEL:ALARM")
    assert frame["payload"] == {"id": alarm_id}
    await ws.close()
