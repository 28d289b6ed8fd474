"""The fault kinds a soak needs: each driven over the control API, seen by a client."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import orjson
import pytest

from smartserver_sim import Datapoint, SimError, SmartServerSim
from smartserver_sim.websocket import frame_bytes

from .conftest import Api, next_frame

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
HUMIDITY = "17q4bn7/lon/2.1/Thermostat/0/nvoHumidity"


async def test_latency_on_one_path(sim: SmartServerSim, api: Api) -> None:
    await api.control("inject_latency", seconds=0.3, path_prefix="/iap/devs")
    began = time.monotonic()
    assert (await api.get("/iap/version"))[0] == 200
    assert time.monotonic() - began < 0.25
    began = time.monotonic()
    assert (await api.get("/iap/devs"))[0] == 200
    assert time.monotonic() - began >= 0.3
    await api.control("inject_latency", seconds=0, path_prefix="/iap/devs")
    assert sim.faults.path_latency == {}


@pytest.mark.parametrize("path_prefix", [None, "/iap/version"])
async def test_removing_latency_releases_held_requests(
    sim: SmartServerSim, api: Api, path_prefix: str | None
) -> None:
    sim.inject_latency(30, path_prefix)
    request = asyncio.create_task(api.get("/iap/version"))
    await asyncio.sleep(0.1)
    assert not request.done()
    sim.inject_latency(0, path_prefix)
    assert (await asyncio.wait_for(request, 2))[0] == 200


async def test_retry_after_on_429(sim: SmartServerSim, api: Api) -> None:
    await api.control("inject_http_errors", status=429, retry_after=7)
    async with api.session.get(api.url("/iap/devs"), ssl=api.ssl) as resp:
        assert resp.status == 429
        assert resp.headers["Retry-After"] == "7"
    with pytest.raises(SimError):
        sim.inject_http_errors(429, retry_after=-1)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body>Gateway login</body></html>", "text/html"),
        ('{"unexpected": ["shape"]}', "application/json"),
    ],
)
async def test_injected_bodies(
    sim: SmartServerSim, api: Api, body: str, content_type: str
) -> None:
    await api.control(
        "inject_body", body=body, content_type=content_type, path_prefix="/iap/devs"
    )
    async with api.session.get(api.url("/iap/devs"), ssl=api.ssl) as resp:
        assert resp.status == 200
        assert resp.content_type == content_type
        assert await resp.text() == body
    status, devices = await api.get("/iap/devs")
    assert status == 200 and isinstance(devices, list)


async def test_cut_connections(
    sim: SmartServerSim, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    # Twice: aiohttp retries a GET once when a reused connection breaks.
    await api.control("inject_cut", mode="reset", count=2, path_prefix="/iap/devs")
    with pytest.raises(aiohttp.ClientError):
        await api.get("/iap/devs")
    await api.control("inject_cut", mode="truncate", path_prefix="/iap/devs")
    async with api.session.get(api.url("/iap/devs"), ssl=api.ssl) as resp:
        assert resp.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()
    await api.control("inject_cut", count=2, path_prefix="/iap/ws")
    with pytest.raises(aiohttp.ClientError):
        await api.ws()
    assert (await api.get("/iap/devs"))[0] == 200
    assert sim.faults.cuts == []
    with pytest.raises(SimError):
        sim.inject_cut("sever")  # type: ignore[arg-type]
    # Cutting is the fault, not a failure of the simulator.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_black_hole(sim: SmartServerSim, api: Api) -> None:
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    await api.control("black_hole")
    await api.control("set_value", qualifier=TEMP, value=25.0)
    request = asyncio.create_task(api.get("/iap/version"))
    await ws.ping(b"anyone?")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.receive(), 0.3)  # no frame, no pong
    assert not request.done()
    await api.control("end_black_hole")
    # Everything continues where it stopped: the request, the queued frame.
    assert (await request)[0] == 200
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["value"] == 25.0
    await ws.close()


async def test_black_hole_ends_by_itself(sim: SmartServerSim, api: Api) -> None:
    sim.black_hole(0.2)
    began = time.monotonic()
    # Bounded: a black hole that never ends fails here, not at the runner's time-out.
    assert (await asyncio.wait_for(api.get("/iap/version"), 5))[0] == 200
    assert time.monotonic() - began >= 0.15
    with pytest.raises(SimError):
        sim.black_hole(0)


async def test_pings_answered(sim: SmartServerSim, api: Api) -> None:
    ws = await api.session.ws_connect(api.url("/iap/ws"), ssl=api.ssl, autoping=False)
    await ws.ping(b"hello")
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert (msg.type, msg.data) == (aiohttp.WSMsgType.PONG, b"hello")
    await ws.close()


async def test_drip(sim: SmartServerSim, api: Api) -> None:
    """A dripping frame arrives whole but late; a ping's pong waits behind it."""
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.session.ws_connect(api.url("/iap/ws"), ssl=api.ssl, autoping=False)
    await api.control("drip", seconds=5, chunk=8, interval=0.01)
    began = time.monotonic()
    await api.control("set_value", qualifier=TEMP, value=26.5)
    await asyncio.sleep(0.02)
    await ws.ping(b"p")
    msg = await asyncio.wait_for(ws.receive(), 5)
    assert msg.type == aiohttp.WSMsgType.TEXT
    assert orjson.loads(msg.data)["payload"][0]["value"] == 26.5
    # ~100 bytes at 8 bytes per 10 ms.
    assert time.monotonic() - began >= 0.1
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert (msg.type, msg.data) == (aiohttp.WSMsgType.PONG, b"p")
    sim.hub.drip = None
    await api.control("set_value", qualifier=TEMP, value=27.0)
    assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]["value"] == 27.0
    with pytest.raises(SimError):
        sim.drip(0)
    await ws.close()


def test_frame_bytes() -> None:
    assert frame_bytes(1, b"ab") == b"\x81\x02ab"
    assert frame_bytes(1, b"x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert frame_bytes(1, b"x" * 70000)[:10] == b"\x81\x7f" + (70000).to_bytes(8, "big")


async def test_arbitrary_frames_and_close_codes(sim: SmartServerSim, api: Api) -> None:
    ws = await api.ws()
    await api.control("send_frame", data='{"action": ["not", "a", "string"]}')
    assert (await next_frame(ws)) == {"action": ["not", "a", "string"]}
    _, body = await api.control("close_websockets", code=4000, reason="maintenance")
    assert body["result"] == {"closed": 1}
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert msg.data == 4000
    with pytest.raises(SimError):
        await sim.close_websockets(999)


async def test_duplicate_and_stale_updates(sim: SmartServerSim, api: Api) -> None:
    await api.put("/iap/dp/updates/subscribe", [TEMP, HUMIDITY])
    ws = await api.ws()
    await api.control("set_value", qualifier=TEMP, value=22.5)
    current = (await next_frame(ws, "UPD:DATAPOINT"))["payload"][0]
    _, body = await api.control("send_duplicates", count=1)
    assert body["result"] == {"sent": 1}
    assert (await next_frame(ws, "UPD:DATAPOINT"))["payload"] == [current]
    _, body = await api.control("send_stale_updates", count=1)
    assert body["result"] == {"sent": 1}
    (stale,) = (await next_frame(ws, "UPD:DATAPOINT"))["payload"]
    assert stale["datapointQualifier"] == TEMP
    assert stale["value"] != 22.5
    assert stale["timestamp"] < current["timestamp"]
    # The truth did not change.
    _, body = await api.control("values", qualifiers=[TEMP, "no/such/dp"])
    assert body["result"] == {TEMP: {"value": 22.5, "timestamp": current["timestamp"]}}
    with pytest.raises(SimError):
        await sim.send_duplicates(0)
    await ws.close()


async def test_stale_values_of_every_kind(
    sim: SmartServerSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stale value is a valid value of the type, and never the current one."""
    kinds: dict[str, Datapoint] = {}
    for dp in sim.scenario.datapoints.values():
        kinds.setdefault(dp.type.kind, dp)
    assert set(kinds) == {"number", "int", "enum", "switch"}
    sim.hub.subscribe("apollo", [dp.qualifier for dp in kinds.values()])
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        sim.hub, "publish", lambda item, only_user=None: sent.append(item)
    )
    assert await sim.send_stale_updates(10) == 4
    for item in sent:
        dp = sim.scenario.datapoints[item["datapointQualifier"]]
        assert item["value"] != dp.value
        assert dp.type.validate(item["value"]) is not None


async def test_certificate_change_without_restart(
    sim: SmartServerSim, api: Api
) -> None:
    original = sim.fingerprint
    _, body = await api.control("change_certificate")
    changed = body["result"]["fingerprint"]
    assert changed != original
    assert sim.presented_fingerprint == changed
    # Trusting only the configured certificate, a new connection fails ...
    async with aiohttp.ClientSession() as fresh:
        with pytest.raises(aiohttp.ClientError):
            await fresh.get(api.url("/iap/version"), ssl=api.ssl)
    await api.control("restore_certificate")
    async with (
        aiohttp.ClientSession() as fresh,
        fresh.get(api.url("/iap/version"), ssl=api.ssl) as resp,
    ):
        assert resp.status == 401  # TLS passed: the server answers (no session)
    sim.change_certificate(0.1)
    await asyncio.sleep(0.2)
    assert sim.presented_fingerprint == original
    with pytest.raises(SimError):
        sim.change_certificate(0)


async def test_clear_faults(sim: SmartServerSim, api: Api) -> None:
    sim.inject_latency(5)
    sim.inject_http_errors(503, 3)
    sim.inject_body("x")
    sim.inject_cut()
    sim.drip(60)
    sim.change_certificate()
    await api.control("clear_faults")
    assert sim.latency == 0
    assert (sim.http_errors, sim.faults.bodies, sim.faults.cuts) == ([], [], [])
    assert sim.hub.drip is None
    assert sim.presented_fingerprint == sim.fingerprint
    assert (await api.get("/iap/version"))[0] == 200


async def test_tls_off_has_no_certificate_to_change(socket_enabled: None) -> None:
    async with SmartServerSim(tls=False) as sim:
        with pytest.raises(SimError):
            sim.change_certificate()
        sim.restore_certificate()
        assert sim.presented_fingerprint is None
