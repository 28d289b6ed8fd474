"""The live listener against the simulator, including every fault it can inject."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from custom_components.smartserver_iap.iap import (
    AlarmCleared,
    AlarmRaised,
    ConnectionLost,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    DeviceTestResult,
    IapAuthenticationError,
    IapClient,
    IapError,
    IapLockedOutError,
    IapNotFoundError,
    NotificationReceived,
    Resynced,
    ServerTime,
    SubscriptionTakenOver,
)

from .conftest import (
    Reads,
    Recorder,
    fast_live,
    live,
    live_synced,
    make_client,
    outputs,
    probing_client,
    relogin_while_live,
    running_sim,
)

if TYPE_CHECKING:
    import aiohttp

    from smartserver_sim import SmartServerSim


def _updated(qualifier: str, value: object = None):
    def check(event: DatapointsUpdated) -> bool:
        return any(
            u.qualifier == qualifier and (value is None or u.value == value)
            for u in event.updates
        )

    return check


async def test_resync_and_every_event(client: IapClient, sim: SmartServerSim) -> None:
    site = await client.discover()
    qualifiers = outputs(sim)
    await client.subscribe(qualifiers)
    async with live(client) as (rec, _):
        resynced = await rec.wait_for(Resynced)
        assert [v.qualifier for v in resynced.values] == qualifiers
        assert {q: site.value_of(q) for q in qualifiers} == {
            v.qualifier: v.value for v in resynced.values
        }
        assert client.connected
        await sim.set_value(qualifiers[0], 7)
        event = await rec.wait_for(DatapointsUpdated, _updated(qualifiers[0], 7))
        # Firmware before 4.1 sends no timestamp.
        assert (event.updates[0].timestamp is not None) == sim.options.ws_timestamps
        assert site.value_of(qualifiers[0]) == 7
        device = next(d for d in sim.scenario.devices.values() if d.category != "SC")
        before = site.devices[device.id].status
        await sim.set_device_status(device.id, health="down")
        changed = await rec.wait_for(DeviceStatusChanged)
        assert changed.device_id == device.id
        assert (changed.status.health or "").lower() == "down"
        assert changed.previous == before
        assert site.devices[device.id].status == changed.status
        alarm_id = await sim.raise_alarm(device.id, details="too hot")
        raised = await rec.wait_for(AlarmRaised)
        assert raised.alarm.id == alarm_id
        await sim.clear_alarm(alarm_id)
        cleared = await rec.wait_for(AlarmCleared)
        assert cleared.alarm_id == alarm_id
        down_dp = next(dp.qualifier for dp in device.datapoints)
        await client.read_values([down_dp])
        note = await rec.wait_for(NotificationReceived)
        assert note.target_name == device.name
        await sim.remove_device(device.id)
        assert (await rec.wait_for(DeviceDeleted)).device_id == device.id
        assert device.id not in site.devices
        assert site.datapoints_of(device.id) == []
    assert client.stats.connects == 1
    assert client.stats.resyncs == 1
    assert client.stats.updates >= 1


async def test_device_test_and_wink(client: IapClient, sim: SmartServerSim) -> None:
    """A test's result arrives as an event; winking a silent device as a notification."""
    up, silent = (
        next(d for d in sim.scenario.devices.values() if d.category != "SC"),
        next(d for d in sim.scenario.devices.values() if d.state != "provisioned"),
    )
    async with live(client) as (rec, _):
        await rec.wait_for(Resynced)
        await client.test_device(up.id)
        result = await rec.wait_for(DeviceTestResult)
        assert result == DeviceTestResult(up.id, "Configured Online", "normal", "")
        await client.test_device(silent.id)
        failed = await rec.wait_for(DeviceTestResult, count=2)
        assert failed.device_id == silent.id
        assert failed.error == "Device does not respond!"
        await client.wink_device(up.id)
        await client.wink_device(silent.id)
        note = await rec.wait_for(NotificationReceived)
        assert (note.target_type, note.target_name) == ("DEVICE", silent.name)
        assert "wink" in note.message
        assert len(rec.of(NotificationReceived)) == 1
        with pytest.raises(IapNotFoundError):
            await client.wink_device("no such device")


async def test_server_time_and_ignored_frames(http: aiohttp.ClientSession) -> None:
    # NTF:TIME comes with timestamps (firmware 4.1 and later).
    async with running_sim(
        ntf_time_interval=0.1, cpu_interval=0.02, ws_timestamps=True
    ) as sim:
        client = make_client(sim, http)
        async with live(client) as (rec, _):
            timed = await rec.wait_for(ServerTime)
            assert timed.value is not None
            # Load figures (UPD:CPU) come more often than the time: some arrived
            # between two NTF:TIME frames, counted and not handed on.
            await rec.wait_for(ServerTime, count=2)
        assert client.stats.ignored_frames >= 1
        assert {type(e) for e in rec.events} == {Resynced, ServerTime}
        await client.close()


async def test_dropped_websocket_reconnects(
    client: IapClient, sim: SmartServerSim
) -> None:
    qualifiers = outputs(sim)
    async with live_synced(client, qualifiers) as (rec, _):
        assert await sim.drop_websockets() == 1
        lost = await rec.wait_for(ConnectionLost)
        assert "closed" in lost.reason or "error" in lost.reason.lower()
        # While the link was down another session replaced the subscribe list: the
        # resync re-asserts ours.
        await sim.steal_subscription("apollo", [])
        await rec.wait_for(Resynced, count=2)
        await sim.set_value(qualifiers[1], 11)
        await rec.wait_for(DatapointsUpdated, _updated(qualifiers[1], 11))
    assert client.stats.reconnects == 1
    assert len(rec.of(ConnectionLost)) == 1


async def test_restart_backs_off_and_reports_once(
    client: IapClient, sim: SmartServerSim
) -> None:
    async with live_synced(client, outputs(sim)) as (rec, _):
        await sim.restart(0.4)
        await rec.wait_for(Resynced, count=2, timeout=8)
    assert len(rec.of(ConnectionLost)) == 1
    # The restart dropped the sessions too: the client logged in again.
    assert sim.counters.logins == 2


@pytest.mark.parametrize("refuse_status", [401, 403])
async def test_session_expiry_while_connected(
    http: aiohttp.ClientSession, refuse_status: int
) -> None:
    # The expired session closes the socket; the reconnect is refused with 401 or
    # 403, REST confirms the session is gone, and the client logs in again.
    async with running_sim(ws_refuse_status=refuse_status) as sim:
        client = make_client(sim, http)
        await relogin_while_live(sim, client)
        assert sim.counters.logins == 2
        assert sim.counters.ws_refused == 1
        await client.close()


async def test_session_renewal_reconnects_without_loss(
    http: aiohttp.ClientSession,
) -> None:
    async with running_sim(session_timeout=0.5, session_sliding=False) as sim:
        client = make_client(sim, http, min_renew_interval=0.0)
        await client.subscribe(outputs(sim))
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced, count=2, timeout=5)
        assert client.stats.session_renewals >= 1
        assert not rec.of(ConnectionLost)
        await client.close()


async def test_malformed_and_oversized_frames(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = make_client(sim, http, live=fast_live(max_msg_size=16 * 1024))
        qualifiers = outputs(sim)
        async with live_synced(client, qualifiers) as (rec, _):
            await sim.send_malformed_frame()
            await sim.set_value(qualifiers[0], 3)
            await rec.wait_for(DatapointsUpdated, _updated(qualifiers[0], 3))
            assert client.stats.malformed_frames == 1
            assert not rec.of(ConnectionLost)
            await sim.send_oversized_frame(64 * 1024)
            await rec.wait_for(ConnectionLost)
            await rec.wait_for(Resynced, count=2)
        assert client.stats.oversized_frames == 1
        await client.close()


async def test_stolen_subscription_is_detected_and_healed(
    http: aiohttp.ClientSession,
) -> None:
    async with running_sim() as sim:
        client = make_client(
            sim, http, live=fast_live(probe_interval=0.1, probe_timeout=0.2)
        )
        qualifiers = outputs(sim)
        await client.subscribe(qualifiers)
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            # Checks of an intact subscription find nothing.
            await reads.wait_for(4)
            assert not rec.of(SubscriptionTakenOver)
            await sim.steal_subscription("apollo", ["17q4bn7/lon/1.1/other/0/x"])
            # Changed while taken: never sent to this client.
            await sim.set_value(qualifiers[1], 8)
            taken = await rec.wait_for(SubscriptionTakenOver)
            assert taken.healed
            assert sim.hub.subs["apollo"] == set(qualifiers)
            # Read again after the takeover, like after a reconnect.
            assert [v.qualifier for v in taken.values] == qualifiers
            assert client.site.value_of(qualifiers[1]) == 8
            await sim.set_value(qualifiers[2], 9)
            await rec.wait_for(DatapointsUpdated, _updated(qualifiers[2], 9))
        assert client.stats.takeovers == 1
        assert not rec.of(ConnectionLost)
        await client.close()


async def test_silent_link_is_treated_as_dead(http: aiohttp.ClientSession) -> None:
    async with running_sim(read_echo="always") as sim:
        client = probing_client(sim, http)
        await client.subscribe(outputs(sim))
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            # A check whose reads were echoed: this SmartServer echoes them.
            await reads.wait_for(3)
            assert not rec.of(SubscriptionTakenOver)
            original = sim.hub.publish
            sim.hub.publish = lambda item, only_user=None: None  # type: ignore[method-assign]
            # Silent even after re-subscribing, and no other frame since the last
            # check: dead.
            lost = await rec.wait_for(ConnectionLost)
            assert "dead" in lost.reason
            sim.hub.publish = original  # type: ignore[method-assign]
            await rec.wait_for(Resynced, count=2)
        assert not rec.of(SubscriptionTakenOver)
        await client.close()


async def test_auth_failure_propagates(client: IapClient, sim: SmartServerSim) -> None:
    await client.subscribe(outputs(sim))
    rec = Recorder()
    task = asyncio.create_task(client.run_live(rec))
    await rec.wait_for(Resynced)
    sim.auth.users["apollo"] = "changed"
    await sim.expire_sessions()
    with pytest.raises(IapAuthenticationError):
        await asyncio.wait_for(task, 5)
    assert client.stats.connects == 1


async def test_lockout_is_an_outage(http: aiohttp.ClientSession) -> None:
    async with running_sim(lockout_duration=0.3) as sim:
        client = make_client(sim, http, password="wrong", lockout_default=0.3)
        for _ in range(4):
            with pytest.raises(IapAuthenticationError):
                await client.login()
        with pytest.raises(IapLockedOutError):
            await client.login()
        # The password is right again: the listener waits out the lockout, then works.
        sim.auth.users["apollo"] = "wrong"
        async with live(client) as (rec, task):
            lost = await rec.wait_for(ConnectionLost)
            assert "locked out" in lost.reason
            await rec.wait_for(Resynced)
            assert not task.done()
        assert len(rec.of(ConnectionLost)) == 1
        await client.close()


async def test_ws_401_after_fresh_login_with_refused_session(
    client: IapClient, sim: SmartServerSim
) -> None:
    """Refused by the handshake and by REST right after a fresh login.

    Three connect attempts in a row end so: bad credentials.
    """
    sim.inject_http_errors(401, 10, "/iap/ws")
    sim.inject_http_errors(401, 10, "/iap/users/current")
    rec = Recorder()
    with pytest.raises(IapAuthenticationError):
        await asyncio.wait_for(client.run_live(rec), 5)
    reasons = [e.reason for e in rec.of(ConnectionLost)]
    assert [r.split(":")[0] for r in reasons] == ["refused (1 of 3)"]
    assert client.stats.connects == 0


@pytest.mark.parametrize(
    "refusals",
    [
        # One 401 from the login endpoint while logging in again after an expiry.
        [(401, 1, "/iap/auth/login")],
        # Two 401s on the subscribe around a successful login.
        [(401, 2, "/iap/dp/updates/subscribe")],
        # The handshake and the session check refused in two attempts in a row.
        [(401, 2, "/iap/ws"), (401, 2, "/iap/users/current")],
    ],
)
async def test_stray_401s_are_an_outage(
    client: IapClient, sim: SmartServerSim, refusals: list[tuple[int, int, str]]
) -> None:
    """A valid password refused now and then is no reason to ask for it again."""
    async with live_synced(client, outputs(sim)) as (rec, task):
        await sim.expire_sessions()
        for status, count, prefix in refusals:
            sim.inject_http_errors(status, count, prefix)
        await rec.wait_for(Resynced, count=2)
        assert not task.done()
    assert sim.http_errors == []
    assert client.stats.connects == 2


@pytest.mark.parametrize("status", [401, 403, 409])
async def test_ws_refused_after_fresh_login_is_an_outage(
    client: IapClient, sim: SmartServerSim, status: int
) -> None:
    sim.inject_http_errors(status, 1, "/iap/ws")
    async with live(client) as (rec, task):
        lost = await rec.wait_for(ConnectionLost)
        assert f"HTTP {status}" in lost.reason
        await rec.wait_for(Resynced)
        assert not task.done()


async def test_ws_refusal_and_5xx_back_off(
    client: IapClient, sim: SmartServerSim
) -> None:
    await client.login()
    sim.inject_http_errors(401, 1, "/iap/ws")
    sim.inject_http_errors(503, 1, "/iap/ws")
    async with live(client) as (rec, _):
        await rec.wait_for(Resynced)
        assert len(rec.of(ConnectionLost)) == 1
    await client.subscribe(outputs(sim))
    sim.inject_http_errors(500, 1, "/iap/dp")
    async with live(client) as (rec, _):
        await rec.wait_for(Resynced)
        assert "resync failed" in rec.of(ConnectionLost)[0].reason


async def test_handler_errors_do_not_kill_the_link(
    client: IapClient, sim: SmartServerSim
) -> None:
    qualifiers = outputs(sim)
    await client.subscribe(qualifiers)
    seen = Recorder()

    def handler(event: object) -> None:
        seen(event)  # type: ignore[arg-type]
        raise RuntimeError("integration bug")

    async with live(client, seen) as (_rec, task):
        task.cancel()
    task = asyncio.create_task(client.run_live(handler))
    try:
        await seen.wait_for(Resynced)
        await sim.set_value(qualifiers[0], 4)
        await seen.wait_for(DatapointsUpdated, _updated(qualifiers[0], 4))
        with pytest.raises(IapError, match="already running"):
            await client.run_live(handler)
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
    assert task.done()
    assert not task.cancelled()


async def test_close_stops_run_live_during_backoff(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = make_client(
            sim, http, live=fast_live(backoff_initial=5.0, backoff_cap=5.0)
        )
        rec = Recorder()
        task = asyncio.create_task(client.run_live(rec))
        await rec.wait_for(Resynced)
        await sim.restart(0.2)
        await rec.wait_for(ConnectionLost)
        logins = sim.counters.logins
        await client.close()
        # run_live returns (no error, not cancelled) long before the 5 s back-off
        # ends, and nothing follows: no reconnect, no login, no event.
        await asyncio.wait_for(task, 2)
        assert not task.cancelled()
        assert task.exception() is None
        assert not client.connected
        assert [type(e) for e in rec.events] == [Resynced, ConnectionLost]
        assert sim.counters.logins == logins
        assert not client.session.logged_in


async def test_refusals_are_counted_in_a_row_only(
    client: IapClient, sim: SmartServerSim
) -> None:
    """A stray 401 now and then, with a link in between, never adds up to a reauth."""
    async with live_synced(client, outputs(sim)) as (rec, task):
        for round_ in range(2, 6):
            await sim.expire_sessions()
            sim.inject_http_errors(401, 1, "/iap/auth/login")
            await rec.wait_for(Resynced, count=round_)
        assert not task.done()
    assert sim.counters.injected_errors == 4


async def test_duplicate_and_stale_updates_keep_the_newest_value(
    client: IapClient, sim: SmartServerSim
) -> None:
    qualifiers = outputs(sim, 5)
    async with live_synced(client, qualifiers) as (rec, _):
        for n, qualifier in enumerate(qualifiers):
            dp = sim.scenario.datapoints[qualifier]
            if dp.type.kind == "number":
                await sim.set_value(qualifier, 10.0 + n)
        updates = len(rec.of(DatapointsUpdated))
        assert await sim.send_duplicates(5) == 5
        assert await sim.send_stale_updates(5) == 5
        await rec.wait_for(DatapointsUpdated, count=updates + 2)
    truth = {q: sim.scenario.datapoints[q].value for q in qualifiers}
    assert {q: client.site.value_of(q) for q in qualifiers} == truth
