"""The control API over HTTP and the fault injections it drives."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from smartserver_sim import SimError, SmartServerSim
from smartserver_sim.control import is_loopback

from .conftest import Api, client, next_frame

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"


async def test_value_alarm_device_ops(sim: SmartServerSim, api: Api) -> None:
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    assert await api.control("set_value", qualifier=TEMP, value=30.5) == (
        200,
        {"ok": True, "result": None},
    )
    assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]["value"] == 30.5
    _status, body = await api.control(
        "raise_alarm", device_id="2", type="Overheat", details="hot"
    )
    alarm_id = body["result"]["id"]
    await next_frame(ws, "CRT:ALARM")
    assert (await api.control("clear_alarm", alarm_id=alarm_id))[0] == 200
    await next_frame(ws, "DEL:ALARM")
    assert (await api.control("set_device_status", device_id="3", health="suspect"))[
        0
    ] == 200
    assert (await next_frame(ws, "UPD:DEVICE"))["payload"]["status"][
        "health"
    ] == "suspect"
    _, added = await api.control(
        "add_device",
        device={
            "name": "Extra",
            "blocks": [
                {
                    "name": "B",
                    "datapoints": [
                        {"name": "nviX", "type": "SNVT_temp_p", "direction": "in"}
                    ],
                }
            ],
        },
    )
    new_id = added["result"]["id"]
    assert (await api.get(f"/iap/devs/{new_id}/if/B/0/nviX/value"))[0] == 200
    assert (await api.control("remove_device", device_id=new_id))[0] == 200
    assert (await api.get(f"/iap/devs/{new_id}/if/B/0/nviX/value"))[0] == 404
    await api.control("tick")
    assert sim.datapoint(TEMP).value == 30.5  # a set value holds ...
    assert (await api.control("resume_generator", qualifier=TEMP))[0] == 200
    # ... until resumed: the next step moves it back.
    assert (await api.control("tick"))[1]["result"]["changed"] >= 1
    await ws.close()


async def test_counters_and_reset(sim: SmartServerSim, api: Api) -> None:
    await api.get("/iap/devs")
    _, body = await api.control("counters")
    counters = body["result"]
    assert counters["logins"] == 1 and counters["requests"]["/iap/devs"] == 1
    assert counters["statuses"]["200"] >= 2
    await api.control("reset_counters")
    assert sim.counters.logins == 0


@pytest.mark.parametrize(
    ("body", "raw", "status"),
    [
        (None, b"{", 400),
        ([1], None, 400),
        ({"op": 1}, None, 400),
        ({"op": "warp"}, None, 400),
        ({"op": "inject_latency", "seconds": "x"}, None, 400),
        ({"op": "inject_latency", "seconds": True}, None, 400),
        ({"op": "inject_latency", "seconds": -1}, None, 400),
        ({"op": "inject_latency"}, None, 400),
        ({"op": "inject_http_errors", "status": 200}, None, 400),
        ({"op": "inject_http_errors", "status": 500, "count": 0}, None, 400),
        ({"op": "steal_subscription", "user": "apollo", "qualifiers": [1]}, None, 400),
        ({"op": "stream_updates", "count": 1, "rate": "fast"}, None, 400),
        ({"op": "set_value", "qualifier": TEMP}, None, 400),
        ({"op": "set_value", "qualifier": TEMP, "value": "hot"}, None, 400),
        ({"op": "set_value", "qualifier": "a/b/c/d/0/e", "value": 1}, None, 404),
        ({"op": "set_value", "qualifier": TEMP, "value": 30.5, "hold": "yes"}, None, 400),
        ({"op": "resume_generator", "qualifier": 5}, None, 400),
        ({"op": "resume_generator", "qualifier": "a/b/c/d/0/e"}, None, 404),
        ({"op": "clear_alarm", "alarm_id": 1}, None, 404),
        ({"op": "remove_device", "device_id": "1"}, None, 400),
        ({"op": "remove_device", "device_id": "99"}, None, 404),
        ({"op": "add_device", "device": {"blocks": []}}, None, 400),
        ({"op": "add_device", "device": {"name": "X", "blocks": [{"name": "B", "datapoints": [{"name": "nvoA"}, {"name": "nvoA"}]}]}}, None, 400),
        ({"op": "set_device_status", "device_id": "99", "health": "down"}, None, 404),
    ],
)  # fmt: skip
async def test_bad_control_calls(
    sim: SmartServerSim, api: Api, body: Any, raw: bytes | None, status: int
) -> None:
    def state() -> tuple[Any, ...]:
        return (
            len(sim.scenario.devices),
            sim.scenario.next_device,
            sim.scenario.next_datapoint,
            sim.latency,
            len(sim.http_errors),
            sim.datapoint(TEMP).value,
            {user: set(subs) for user, subs in sim.hub.subs.items()},
        )

    before = state()
    got, answer = await api.call("POST", "/sim/control", body, raw=raw)
    assert got == status and answer["status"] == status and answer["message"]
    assert state() == before


async def test_control_is_post_only(api: Api) -> None:
    assert (await api.call("GET", "/sim/control"))[0] == 405


@pytest.mark.parametrize(
    ("remote", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("192.0.2.1", False), (None, False), ("garbage", False)],
)  # fmt: skip
def test_is_loopback(remote: str | None, loopback: bool) -> None:
    assert is_loopback(remote) is loopback


async def test_expire_and_drop(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    _, body = await api.control("drop_websockets")
    assert body["result"] == {"dropped": 1}
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type in (
        aiohttp.WSMsgType.CLOSED,
        aiohttp.WSMsgType.ERROR,
        aiohttp.WSMsgType.CLOSE,
    )
    await ws.close()
    ws = await api.ws()
    _, body = await api.control("expire_sessions", user="apollo")
    assert body["result"] == {"expired": 1}
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    await ws.close()
    assert (await api.get("/iap/devs"))[0] == 401


async def test_injected_http_errors(sim: SmartServerSim, api: Api) -> None:
    await api.control(
        "inject_http_errors", status=503, count=2, path_prefix="/iap/devs"
    )
    assert (await api.get("/iap/version"))[0] == 200
    assert (await api.get("/iap/devs"))[0] == 503
    status, body = await api.get("/iap/devs")
    assert status == 503 and body == {"status": 503, "message": "injected fault"}
    assert (await api.get("/iap/devs"))[0] == 200
    assert sim.counters.injected_errors == 2
    assert 0 < sim.counters.last_injected <= time.time()
    assert sim.http_errors == []
    with pytest.raises(SimError):
        sim.inject_http_errors(500, 0)
    with pytest.raises(SimError):
        sim.inject_latency(-1)


async def test_malformed_and_oversized_frames(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    await api.control("send_malformed_frame")
    msg = await asyncio.wait_for(ws.receive(), 2)
    with pytest.raises(ValueError):
        msg.json()
    await api.control("oversized_frame", size=200_000)
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert len(msg.data) == 200_000
    await ws.close()


async def test_steal_and_stream(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    assert (await api.control("steal_subscription", user="apollo", qualifiers=[]))[
        0
    ] == 200
    assert sim.hub.subs["apollo"] == set()
    _, body = await api.control("stream_updates", count=10, batch_size=4)
    assert body["result"] == {"sent": 0}
    await api.put(
        "/iap/dp/updates/subscribe", [TEMP, "17q4bn7/lon/2.1/Thermostat/0/nvoHumidity"]
    )
    _, body = await api.control("stream_updates", count=10, batch_size=4)
    assert body["result"] == {"sent": 10}
    sizes = [len((await next_frame(ws, "UPD:DATAPOINT"))["payload"]) for _ in range(3)]
    assert sizes == [4, 4, 2]
    _, body = await api.control(
        "stream_updates", count=6, batch_size=3, rate=1000.0, qualifiers=["x/y/z/a/0/b"]
    )
    assert body["result"] == {"sent": 6}
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["datapointQualifier"] == "x/y/z/a/0/b"
    await ws.close()


async def test_stream_without_timestamps(sim: SmartServerSim, api: Api) -> None:
    sim.options.ws_timestamps = False
    ws = await api.ws()
    assert await sim.stream_updates(3, 3, qualifiers=[TEMP]) == 3
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert "timestamp" not in frame["payload"][0]
    await ws.close()


async def test_stream_send_time_values(sim: SmartServerSim, api: Api) -> None:
    """Benchmarks measure latency from values that are their frame's send time."""
    ws = await api.ws()
    before = time.time()
    _, body = await api.control(
        "stream_updates",
        count=2,
        batch_size=2,
        qualifiers=[TEMP],
        send_time_values=True,
    )
    assert body["result"] == {"sent": 2}
    frame = await next_frame(ws, "UPD:DATAPOINT")
    values = [item["value"] for item in frame["payload"]]
    assert values[0] == values[1]
    assert before <= values[0] <= time.time()
    await ws.close()


async def test_internal_error_is_json_500(
    sim: SmartServerSim, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.hub, "broadcast", boom)
    status, body = await api.put("/iap/devs/2/test")
    assert status == 500 and body == {"status": 500, "message": "internal server error"}
    monkeypatch.undo()
    assert (await api.put("/iap/devs/2/test"))[0] == 204


async def test_tls_off(socket_enabled: None) -> None:
    async with SmartServerSim(tls=False) as sim:
        assert sim.base_url.startswith("http://") and sim.fingerprint is None
        assert sim.certificate_pem is None
        async with client(sim) as api:
            resp = await api.login()
            assert resp.status == 200
            assert not resp.cookies["cmsSID"]["secure"]
            assert (await api.get("/iap/version"))[0] == 200


async def test_fingerprint_and_cert_files(
    socket_enabled: None, tmp_path: object
) -> None:
    import hashlib
    from pathlib import Path
    import ssl

    from smartserver_sim.tls import generate_certificate

    bundle = generate_certificate("localhost")
    folder = Path(str(tmp_path))
    (folder / "c.pem").write_text(bundle.cert_pem)
    (folder / "k.pem").write_text(bundle.key_pem)
    async with SmartServerSim(
        cert_file=folder / "c.pem", key_file=folder / "k.pem", options=None
    ) as sim:
        assert sim.fingerprint == bundle.fingerprint
        der = ssl.PEM_cert_to_DER_cert(sim.certificate_pem or "")
        assert sim.fingerprint == hashlib.sha256(der).digest().hex(":").upper()
