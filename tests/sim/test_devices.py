"""GET /iap/devs: fields, filters, pagination, snapshots, device actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from .conftest import Api, next_frame

if TYPE_CHECKING:
    from smartserver_sim import SmartServerSim


def q(text: str) -> str:
    return quote(text, safe="")


async def test_device_fields(api: Api) -> None:
    status, devs = await api.get("/iap/devs")
    assert status == 200
    sc = devs[0]
    assert sc["category"] == "SC" and sc["uid"] == "00D07111EA6B" and sc["id"] == "1"
    thermo = devs[1]
    for key in (
        "id",
        "name",
        "category",
        "status",
        "scId",
        "protocol",
        "DID",
        "uid",
        "deviceTypeName",
        "deviceId",
    ):
        assert key in thermo
    assert thermo["status"] == thermo["status"] | {
        "state": "provisioned",
        "health": "normal",
        "connection": "connected",
    }
    assert thermo["deviceId"] == "17q4bn7.2"
    healths = {d["name"]: (d["status"]["state"], d["status"]["health"]) for d in devs}
    assert healths["Roof Weather Station"] == ("provisioned", "down")
    assert healths["Spare Lighting Node"] == ("unprovisioned", "nascent")
    assert 55 <= sum(1 for _ in api.sim.scenario.datapoints) <= 70


async def test_device_query_parameters(api: Api) -> None:
    _, sc = await api.get("/iap/devs?category=GLP_SC")
    assert [d["category"] for d in sc] == ["SC"]
    _, edge = await api.get("/iap/devs?category=GLP_device")
    assert len(edge) == 11
    _, unprov = await api.get("/iap/devs?sts=UNPROVISIONED")
    assert [d["name"] for d in unprov] == ["Spare Lighting Node"]
    _, one = await api.get("/iap/devs?uid=00D07111EA6B")
    assert len(one) == 1
    _, by_name = await api.get("/iap/devs?sortBy=name&sortOrder=DESC&short=true")
    names = [d["name"] for d in by_name]
    assert names == sorted(names, key=str.lower, reverse=True)
    assert set(by_name[0]) == {"id", "name", "category", "status", "uid"}


@pytest.mark.parametrize(
    ("element", "count"),
    [
        (q("*+category==SC"), 1),
        ("*", 12),
        (q("*+health==DOWN"), 1),
        ("*+status==PROVISIONED&health==normal", 10),
        ("*+name=~" + q("^thermostat"), 2),
        ("*+name=+" + q("meeting"), 3),
        ("*+name!+" + q("o"), 2),  # Energy Meter, Water Meter
        ("*+category!=SC", 11),
        ("*+typeId>=128", 12),
        ("*+typeId<100", 0),
        ("*+typeId>99", 12),  # compared as numbers: as text "128" < "99"
        ("*+bogus==1", 0),  # unknown keys match nothing
        ("*+name<B", 2),  # "AHU Controller", "Air Quality Meeting Room"
        ("*+name==nosuch", 0),
    ],
)
async def test_path_filters(api: Api, element: str, count: int) -> None:
    assert await api.get(f"/iap/devs/{element}/count") == (200, {"value": count})
    status, devices = await api.get(f"/iap/devs/{element}")
    assert status == 200 and len(devices) == count


@pytest.mark.parametrize(
    "element",
    [
        # A hostile device name: space, unicode and "/" percent-encoded in one element.
        q("*+name==Lighting Büro 1/2"),
        q("Lighting Büro 1/2"),
        "17q4bn7.4",
        "4",
    ],
)
async def test_one_device_by_any_name(api: Api, element: str) -> None:
    status, found = await api.get(f"/iap/devs/{element}")
    assert status == 200 and [d["id"] for d in found] == ["4"]


async def test_pagination_and_snapshots(api: Api) -> None:
    _, page1 = await api.get("/iap/devs?pg=1&sz=5")
    assert len(page1["resources"]) == 5 and page1["remainingPages"] == 2
    snap = page1["snapshot"]
    await api.sim.add_device({"name": "Late Device"})
    _, page3 = await api.get(f"/iap/devs?pg=3&sz=5&xs={snap}")
    assert len(page3["resources"]) == 2 and page3["remainingPages"] == 0
    # noxs=true pages are bare arrays (the vendor's Browser), no snapshot kept.
    snapshots = len(api.sim.snapshots)
    _, fresh = await api.get("/iap/devs?pg=3&sz=5&noxs=true")
    assert [d["name"] for d in fresh][-1] == "Late Device"
    assert len(fresh) == 3 and len(api.sim.snapshots) == snapshots
    api.sim.options.page_shape = "bare"
    _, bare = await api.get("/iap/devs?pg=1&sz=5")
    assert isinstance(bare, list) and len(bare) == 5
    api.sim.options.page_shape = "envelope"
    _, beyond = await api.get("/iap/devs?pg=9&sz=5")
    assert beyond["resources"] == [] and beyond["remainingPages"] == 0
    assert (await api.get("/iap/devs?xs=99999"))[0] == 404
    assert (await api.get("/iap/devs?pg=x"))[0] == 400
    assert (await api.get("/iap/devs?sz=0"))[0] == 400
    _, only_sz = await api.get("/iap/devs?sz=100")
    assert len(only_sz["resources"]) == 13


async def test_snapshot_eviction(api: Api) -> None:
    api.sim.options.snapshot_limit = 2
    snaps = [(await api.get("/iap/devs?pg=1&sz=1"))[1]["snapshot"] for _ in range(3)]
    assert (await api.get(f"/iap/devs?pg=1&sz=1&xs={snaps[0]}"))[0] == 404
    assert (await api.get(f"/iap/devs?pg=1&sz=1&xs={snaps[2]}"))[0] == 200


async def test_list_by_ids(api: Api) -> None:
    _, devs = await api.put("/iap/devs/listByIDs", [3, "4"])
    assert [d["id"] for d in devs] == ["3", "4"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", "/iap/devs/listByIDs", {"a": 1}, 400),
        ("GET", "/iap/devs/nosuch", None, 404),
        ("GET", "/iap/devs/2/nonsense", None, 404),
        ("DELETE", "/iap/devs/2", None, 405),
        ("POST", "/iap/devs", None, 405),
        ("GET", "/iap/devs/*+name=~" + q("("), None, 400),
        ("GET", "/iap/devs/*+name", None, 400),
        ("PUT", "/iap/devs/99/wink", None, 404),
    ],
)
async def test_bad_device_requests(
    api: Api, method: str, path: str, body: Any, status: int
) -> None:
    got, answer = await api.call(method, path, body)
    assert got == status and answer["status"] == status


async def test_device_test_and_wink(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    assert (await api.put("/iap/devs/2/test", {"ID": 2}))[0] == 204
    frame = await next_frame(ws, "UPD:DEVICE_TEST_RESULT")
    assert frame["payload"]["results"]["state"] == "Configured Online"
    assert (await api.put("/iap/devs/11/test", {"ID": 11}))[0] == 204
    frame = await next_frame(ws, "UPD:DEVICE_TEST_RESULT")
    assert frame["payload"]["results"]["error"]
    assert (await api.put("/iap/devs/2/wink", {"ID": 2}))[0] == 204
    assert (await api.put("/iap/devs/11/wink", {"ID": 11}))[0] == 204
    frame = await next_frame(ws, "CRT:NOTIFICATION")
    assert "does not respond" in frame["payload"]["message"]
    await ws.close()
