"""Behaviour over time, on a ManualClock: the tests move time, nothing sleeps.

Session expiry and lockout, restarts, injected latency, the batching window, periodic
reports, generator ticks and polling, cached and live reads.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from smartserver_sim import ManualClock, SimError, SmartServerSim
from smartserver_sim.timefmt import zoned_local

from .conftest import Api, next_frame, no_frame

TEMP = "17q4bn7/lon/2.1/Thermostat/0/nvoSpaceTemp"
HUM = "17q4bn7/lon/2.1/Thermostat/0/nvoHumidity"
VALUE_PATH = "/iap/devs/2/if/Thermostat/0/{}/value"
# Three failed logins within 10 s lock the user out for a minute.
LOCKOUT = {"lockout_failures": 3, "lockout_window": 10, "lockout_duration": 60}
DROPPED = (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def ws_value(ws: aiohttp.ClientWebSocketResponse) -> Any:
    """Return the value of the next single-item UPD:DATAPOINT frame."""
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert len(frame["payload"]) == 1
    return frame["payload"][0]["value"]


@pytest.mark.parametrize("sim_overrides", [LOCKOUT])
async def test_lockout_lasts_its_duration(
    sim: SmartServerSim, anon: Api, clock: ManualClock
) -> None:
    assert (await anon.login(password="x")).status == 401
    assert (await anon.login(password="x")).status == 401
    status, body = await anon.call(
        "POST", "/iap/auth/login", {"username": "apollo", "password": "x"}
    )
    assert status == 429
    assert body["message"] == "Too many failed login attempts"
    # Even the right password is refused while locked, up to the end of the lockout.
    assert (await anon.login()).status == 429
    clock.advance(59.5)
    assert (await anon.login()).status == 429
    clock.advance(1.0)
    assert (await anon.login()).status == 200
    assert sim.counters.lockouts == 3


@pytest.mark.parametrize("sim_users", [{"apollo": "apollo", "hermes": "wings"}])
@pytest.mark.parametrize("sim_overrides", [LOCKOUT])
async def test_lockout_counts_failures_within_its_window(
    sim: SmartServerSim, anon: Api, clock: ManualClock
) -> None:
    # Two failures, then the window passes: they no longer count.
    for _ in range(2):
        assert (await anon.login(password="x")).status == 401
    clock.advance(10.5)
    assert (await anon.login(password="x")).status == 401
    assert (await anon.login(password="x")).status == 401
    # A good login forgets the failures before it.
    assert (await anon.login()).status == 200
    assert (await anon.login(password="x")).status == 401
    assert (await anon.login(password="x")).status == 401
    assert (await anon.login(password="x")).status == 429
    # The lockout is the user's: another user still gets in.
    assert (await anon.login("hermes", "wings")).status == 200
    assert (await anon.login()).status == 429
    assert sim.counters.lockouts == 2


@pytest.mark.parametrize(
    ("sim_overrides", "statuses"),
    [
        ({"session_timeout": 100, "session_check_interval": 1000}, [200] * 4 + [401]),
        (
            {
                "session_timeout": 100,
                "session_check_interval": 1000,
                "session_sliding": False,
            },
            [200] + [401] * 4,
        ),
    ],
    ids=["sliding", "absolute"],
)
async def test_session_timeout_sliding_or_absolute(
    api: Api, clock: ManualClock, statuses: list[int]
) -> None:
    got = []
    for step in (80, 80, 80, 80, 100):
        clock.advance(step)
        got.append((await api.get("/iap/version"))[0])
    assert got == statuses


@pytest.mark.parametrize(
    "sim_overrides",
    [{"session_timeout": 100, "session_sliding": False, "session_check_interval": 1}],
)
async def test_expired_session_closes_its_websocket(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    ws = await api.ws()
    await clock.wait_for_timer(1)  # the sweeper sleeps
    clock.advance(60)
    assert (await api.get("/iap/devs"))[0] == 200
    await clock.wait_for_timer(1)
    clock.advance(40)
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert (ws.close_code, msg.extra) == (1008, "session expired")
    await ws.close()
    assert (await api.get("/iap/devs"))[0] == 401
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await api.ws()
    assert err.value.status == 401
    assert sim.counters.ws_refused == 1


async def test_restart_refuses_then_recovers(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    ws = await api.ws()
    restart = asyncio.create_task(sim.restart(30, wait=True))
    await clock.wait_for_timer(30)  # down, waiting to come back
    assert (await asyncio.wait_for(ws.receive(), 2)).type in DROPPED
    await ws.close()
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.get("/iap/version")
    with pytest.raises(SimError, match="not running"):
        await sim.restart(1)
    clock.advance(30)
    await restart
    assert not sim.down
    assert (await api.get("/iap/version"))[0] == 401  # sessions did not survive
    assert (await api.login()).status == 200


async def test_restart_over_control_api(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    ws = await api.ws()
    assert await api.control("restart", seconds=30) == (
        200,
        {"ok": True, "result": {"restarting": 30}},
    )
    await clock.wait_for_timer(30)
    assert (await asyncio.wait_for(ws.receive(), 2)).type in DROPPED
    await ws.close()
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.get("/iap/version")
    assert sim.down


async def test_injected_latency_delays_requests(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    assert (await api.control("inject_latency", seconds=5))[0] == 200
    assert sim.latency == 5
    request = asyncio.create_task(api.get("/iap/version"))
    await clock.wait_for_timer(5)
    assert not request.done()
    clock.advance(5)
    assert (await request)[0] == 200
    # The control API itself is never delayed.
    assert (await api.control("inject_latency", seconds=0))[0] == 200
    assert (await api.get("/iap/version"))[0] == 200


@pytest.mark.parametrize(
    "sim_overrides", [{"flush_window": 0.5, "ws_timestamps": False}]
)
async def test_flush_window_batches_updates(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    await api.put("/iap/dp/updates/subscribe", [TEMP, HUM])
    ws = await api.ws()
    await sim.set_value(TEMP, 20.0)
    await asyncio.sleep(0)  # the second update comes in a later loop turn
    await sim.set_value(HUM, 40.0)
    assert sim.counters.updates_sent == 0
    clock.advance(0.5)
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert [i["datapointQualifier"] for i in frame["payload"]] == [TEMP, HUM]
    assert all("timestamp" not in i for i in frame["payload"])
    await ws.close()


@pytest.mark.parametrize(
    "sim_overrides", [{"ntf_time_interval": 30, "cpu_interval": 10}]
)
async def test_periodic_reports(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    ws = await api.ws()
    await clock.wait_for_timer(30)
    await clock.wait_for_timer(10)
    clock.advance(10)
    cpu = await next_frame(ws, "UPD:CPU")
    assert isinstance(cpu["payload"], float)
    assert (await next_frame(ws, "UPD:SC:CPU"))["payload"] == {
        "17q4bn7": cpu["payload"]
    }
    assert (await next_frame(ws))["action"] == "UPD:EPS"
    clock.advance(20)
    frame = await next_frame(ws, "NTF:TIME")
    assert frame["payload"]["value"] == zoned_local(clock.time(), sim.zone)
    await ws.close()


@pytest.mark.parametrize(
    "sim_overrides", [{"auto_updates": True, "update_interval": 1}]
)
async def test_generators_tick_at_the_monitor_rate(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    """NvoSpaceTemp is monitored every 30 s: a tick polls it only when that is due."""
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    # Not held: the generator's next poll replaces these values.
    await sim.set_value(TEMP, -50.0, hold=False)
    assert await ws_value(ws) == -50.0
    await clock.wait_for_timer(1)
    clock.advance(1)  # first poll
    assert 19.0 <= await ws_value(ws) <= 23.0
    await sim.set_value(TEMP, -40.0, hold=False)
    assert await ws_value(ws) == -40.0
    await clock.wait_for_timer(1)
    clock.advance(1)
    await clock.wait_for_timer(1)  # the tick ran and sleeps again: nothing was due
    await no_frame(sim, ws)
    clock.advance(29)
    assert 19.0 <= await ws_value(ws) <= 23.0
    assert (await api.control("tick"))[1]["result"] == {"changed": 0}
    await ws.close()


@pytest.mark.parametrize(
    "sim_overrides", [{"auto_updates": True, "update_interval": 3600}]
)
async def test_max_age_answers_cache_then_live(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    # A value the generator will not produce, not held: a wire read replaces it.
    await sim.set_value(TEMP, -5.0, hold=False)
    assert await ws_value(ws) == -5.0
    path = VALUE_PATH.format("nvoSpaceTemp")
    # Younger than max_age: the cache answers, nothing goes on the wire; the
    # echo ("always") carries the cached value.
    _, cached = await api.get(path + "?max_age=3600")
    assert cached[0]["value"] == -5.0
    clock.advance(sim.options.live_read_delay)
    assert await ws_value(ws) == -5.0
    assert sim.counters.wire_reads == 0
    clock.advance(10)
    # Older than max_age: read on the wire now; the live value goes to every
    # subscriber.
    _, fresh = await api.get(path + "?max_age=5")
    assert 19.0 <= fresh[0]["value"] <= 23.0
    assert await ws_value(ws) == fresh[0]["value"]
    assert sim.counters.wire_reads == 1
    await ws.close()


@pytest.mark.parametrize(
    ("sim_overrides", "echoed"),
    [
        ({"read_echo": "always"}, [True, True]),
        ({"read_echo": "wire"}, [False, True]),
        ({"read_echo": "changed"}, [False, False]),
    ],
)
async def test_read_echo_readings(
    sim: SmartServerSim, api: Api, clock: ManualClock, echoed: list[bool]
) -> None:
    # An unchanged value, read from the cache and then on the wire: which reads echo.
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    path = VALUE_PATH.format("nvoSpaceTemp")
    seen = []
    for query in ("?max_age=3600", ""):
        await api.get(path + query)
        clock.advance(sim.options.live_read_delay)
        await sim.hub.drain()
        # A marker queued now comes first exactly when no echo was pending.
        sim.hub.broadcast("TEST:MARK", None)
        frame = await next_frame(ws)
        seen.append(frame["action"] == "UPD:DATAPOINT")
        if seen[-1]:
            await next_frame(ws, "TEST:MARK")
    assert seen == echoed
    await ws.close()


async def test_on_demand_read_pushes_only_subscribed(
    sim: SmartServerSim, api: Api, clock: ManualClock
) -> None:
    await api.put("/iap/dp/updates/subscribe", [TEMP])
    ws = await api.ws()
    await api.get(VALUE_PATH.format("nvoSpaceTemp") + "?max_age=10")
    assert sim.counters.updates_sent == 0
    clock.advance(sim.options.live_read_delay)
    frame = await next_frame(ws, "UPD:DATAPOINT")
    assert frame["payload"][0]["datapointQualifier"] == TEMP
    assert frame["payload"][0]["timestamp"].endswith("Z")
    await api.get(VALUE_PATH.format("nvoHumidity"))
    clock.advance(sim.options.live_read_delay)
    await no_frame(sim, ws)
    await ws.close()
