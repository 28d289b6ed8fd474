"""Outages never escape run_live; back-off, probes, 429, close, renewal, cookie jars."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from custom_components.smartserver_iap.iap import (
    ConnectionLost,
    DatapointsUpdated,
    DeviceStatusChanged,
    IapAuthenticationError,
    IapClient,
    IapConnectionError,
    IapRateLimitedError,
    LiveEvent,
    Resynced,
    SubscriptionTakenOver,
    TlsTrust,
)
from custom_components.smartserver_iap.iap.live import CLOSE_GRACE
from custom_components.smartserver_iap.iap.session import (
    LOGOUT_TIMEOUT,
    MIN_RENEW_INTERVAL,
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
    running_sim,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from smartserver_sim import SmartServerSim


# -- B1: a stalled upgrade is an outage, not an escaping TimeoutError ------------------


async def test_stalled_ws_upgrade_is_an_outage(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = make_client(
            sim, http, request_timeout=5.0, live=fast_live(connect_timeout=0.2)
        )
        await client.login()
        # Every request now takes longer than the connect timeout (the login too:
        # the old code's wait_for(3 x connect_timeout) let a bare TimeoutError out).
        sim.inject_latency(0.3)
        await client.session.relogin(client.session.generation)
        async with live(client) as (rec, task):
            lost = await rec.wait_for(ConnectionLost)
            assert "timed out" in lost.reason
            await asyncio.sleep(0.3)
            assert not task.done()
            sim.inject_latency(0)
            await rec.wait_for(Resynced)
        assert len(rec.of(ConnectionLost)) == 1
        await client.close()


async def test_unexpected_errors_are_outages(
    client: IapClient, sim: SmartServerSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.subscribe(outputs(sim))
    failures: list[BaseException] = [TimeoutError(), IapConnectionError("boom")]
    put_subscription = client.rest.put_subscription

    async def flaky(qualifiers: Sequence[str]) -> None:
        if failures:
            raise failures.pop(0)
        await put_subscription(qualifiers)

    monkeypatch.setattr(client.rest, "put_subscription", flaky)
    async with live(client) as (rec, _):
        await rec.wait_for(Resynced)
    assert not failures
    # Two failed attempts in a row are one outage, reported with its first reason.
    (lost,) = rec.of(ConnectionLost)
    assert "timed out" in lost.reason


# -- B2: quick drops (flaps) do not reset the back-off ----------------------------------


async def test_quick_drops_grow_the_backoff(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        options = fast_live(
            backoff_initial=0.05,
            backoff_cap=0.4,
            backoff_jitter=0.0,
            stable_after=0.5,
            flap_after=0.5,
        )
        client = make_client(sim, http, live=options)
        await client.subscribe(outputs(sim))
        loop = asyncio.get_running_loop()
        dropping = True
        rec = Recorder()

        def handler(event: LiveEvent) -> None:
            rec(event)
            if dropping and isinstance(event, Resynced):
                # The server accepts the link and drops it at once.
                loop.call_soon(sim.hub.abort_all)

        task = asyncio.create_task(client.run_live(handler))
        try:
            await asyncio.sleep(1.5)
            # 0.05 + 0.1 + 0.2 + 0.4 + 0.4 + ...: a handful, not one per 50 ms.
            assert client.stats.connects <= 7
            assert client.listener.backoff.attempts >= 4
            # Each drop is reported (entities must go unavailable every time), but
            # only the first one is a new outage.
            losses = rec.of(ConnectionLost)
            assert [loss.new_outage for loss in losses[:2]] == [True, False]
            assert sum(loss.new_outage for loss in losses) == 1
            assert client.stats.connection_losses == 1
            assert len(rec.of(Resynced)) == client.stats.connects
            dropping = False
            connects = client.stats.connects
            await rec.wait_for(Resynced, count=connects + 1)
            # Up longer than stable_after and flap_after: the outage is over, the
            # back-off starts again.
            await asyncio.sleep(0.6)
            lost_before = len(rec.of(ConnectionLost))
            sim.hub.abort_all()
            await rec.wait_for(ConnectionLost, count=lost_before + 1)
            assert rec.of(ConnectionLost)[-1].new_outage
            assert client.listener.backoff.attempts == 1
            await rec.wait_for(Resynced, count=connects + 2)
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)


# -- B3: probe candidates, a different second probe, read errors -------------------------


def _device_withoutputs(sim: SmartServerSim) -> tuple[str, list[str]]:
    for device in sim.scenario.devices.values():
        if device.category == "SC":
            continue
        outs = [dp.qualifier for dp in device.datapoints if dp.direction == "out"]
        if len(outs) >= 1:
            return device.id, outs
    raise AssertionError("no device with outputs")


async def test_probe_skips_devices_that_are_down(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = probing_client(sim, http)
        down_id, down = _device_withoutputs(sim)
        healthy = [q for q in outputs(sim, 20) if q not in down][:3]
        await client.subscribe(down + healthy)
        await sim.set_device_status(down_id, health="down")
        asked = 0

        def candidates() -> Sequence[str]:
            nonlocal asked
            asked += 1
            # Something unsubscribed is ignored; only subscribed qualifiers echo.
            return [*healthy, "not/subscribed/0/x"]

        rec = Recorder()
        task = asyncio.create_task(client.run_live(rec, probe_candidates=candidates))
        try:
            await rec.wait_for(Resynced)
            await asyncio.sleep(0.8)
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
        assert asked >= 3
        assert not rec.of(SubscriptionTakenOver)
        assert not rec.of(ConnectionLost)
        assert client.stats.takeovers == 0


async def test_one_silent_qualifier_is_no_takeover(
    http: aiohttp.ClientSession,
) -> None:
    # (A subscribe that pushes the values would answer the check after
    # re-subscribing: one false report, see TakeoverProbe.check.)
    async with running_sim(read_echo="always", subscribe_pushes_values=False) as sim:
        client = probing_client(sim, http)
        down_id, down = _device_withoutputs(sim)
        healthy = [q for q in outputs(sim, 20) if q not in down][:1]
        # The site knows no device: the down device's datapoint is probed too. It
        # does not echo while the healthy one does.
        await client.subscribe([down[0], *healthy])
        await sim.set_device_status(down_id, health="down")
        reads = Reads(client)
        async with live(client) as (rec, task):
            await rec.wait_for(Resynced)
            subscribes = sim.counters.subscribes
            await reads.wait_for(8)
            assert not task.done()
        # Suspect once: re-subscribing did not make it echo, so it is not expected
        # to echo any more (one re-subscribe, one read of it alone).
        assert sim.counters.subscribes == subscribes + 1
        assert reads.qualifiers.count([down[0]]) == 1
        assert not rec.of(SubscriptionTakenOver)
        assert not rec.of(ConnectionLost)
        await client.close()


async def test_default_probe_skips_devices_that_are_down(
    http: aiohttp.ClientSession,
) -> None:
    async with running_sim() as sim:
        client = probing_client(sim, http)
        await client.discover()
        down_id, down = next(
            (device.id, outs)
            for device in sim.scenario.devices.values()
            if len(
                outs := [
                    dp.qualifier for dp in device.datapoints if dp.direction == "out"
                ]
            )
            >= 2
        )
        healthy = next(q for q in outputs(sim, 20) if q not in down)
        await client.subscribe([*down[:2], healthy])
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            await sim.set_device_status(down_id, health="down")
            await rec.wait_for(DeviceStatusChanged)
            # Two silent qualifiers in a row would look like a takeover; the site
            # knows their device is down now, so only the healthy one is probed.
            assert not client.site.is_healthy(down_id)
            # (A probe read in flight while the status changed is not counted.)
            start = len(reads.qualifiers) + 1
            await reads.wait_for(start + 4)
        assert {q for (q,) in reads.qualifiers[start : start + 4]} == {healthy}
        assert not rec.of(SubscriptionTakenOver)
        await client.close()


async def test_probe_read_errors_prove_nothing(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = probing_client(sim, http)
        await client.subscribe(outputs(sim))
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            sim.inject_http_errors(503, 4, "/iap/devs")
            # Four failed probe reads, then one that works.
            await reads.wait_for(6)
            assert client.stats.probe_errors == 4
            assert not rec.of(SubscriptionTakenOver)
            assert not rec.of(ConnectionLost)
            qualifier = client.subscribed[0]
            await sim.set_value(qualifier, 42)
            await rec.wait_for(
                DatapointsUpdated,
                lambda e: any(u.qualifier == qualifier for u in e.updates),
            )
        await client.close()


async def test_no_candidates_no_probe(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = probing_client(sim, http)
        await client.subscribe(outputs(sim))
        rec = Recorder()
        task = asyncio.create_task(client.run_live(rec, probe_candidates=list))
        try:
            await rec.wait_for(Resynced)
            sim.hub.subscribe("apollo", [])
            await asyncio.sleep(0.3)
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
        assert not rec.of(SubscriptionTakenOver)


# -- B4: 429 outside the login is "too fast" ---------------------------------------------


async def test_429_outside_login_is_rate_limiting(
    client: IapClient, sim: SmartServerSim
) -> None:
    await client.login()
    sim.inject_http_errors(429, 1, "/iap/devs")
    with pytest.raises(IapRateLimitedError) as caught:
        await client.list_devices()
    assert isinstance(caught.value, IapConnectionError)
    assert not isinstance(caught.value, IapAuthenticationError)
    # Not a lockout: the next login goes to the server.
    await client.login()
    assert sim.counters.logins == 2
    await client.subscribe(outputs(sim))
    sim.inject_http_errors(429, 1, "/iap/dp/updates")
    async with live(client) as (rec, task):
        lost = await rec.wait_for(ConnectionLost)
        assert "429" in lost.reason
        await rec.wait_for(Resynced)
        assert not task.done()


# -- B5: a closed client stays closed ----------------------------------------------------


async def test_closed_client_does_nothing(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> None:
    client = make_client(sim, http)
    await client.subscribe(outputs(sim))
    await client.close()
    assert client.closed
    requests = sum(sim.counters.requests.values())
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: client.subscribe(outputs(sim)),
        client.login,
        client.discover,
        lambda: client.read_values(outputs(sim)),
        lambda: client.session.relogin(client.session.generation),
        lambda: anext(client.iter_log()),
    ]
    for call in calls:
        with pytest.raises(IapConnectionError, match="client closed"):
            await call()
    rec = Recorder()
    await asyncio.wait_for(client.run_live(rec), 1)
    assert not rec.events
    await client.close()
    assert sum(sim.counters.requests.values()) == requests
    assert not client.session.logged_in


async def test_close_during_connect_ends_run_live(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> None:
    client = make_client(sim, http)
    sim.inject_latency(0.2)
    rec = Recorder()
    task = asyncio.create_task(client.run_live(rec))
    await asyncio.sleep(0.05)
    await client.close()
    await asyncio.wait_for(task, 5)
    assert not rec.of(ConnectionLost)
    sim.inject_latency(0)


# -- B8: renewal floor, logout of the old session, cached resync -------------------------


async def test_renewal_has_a_floor(http: aiohttp.ClientSession) -> None:
    # A sessionTimeout of 1000 ms (misreported seconds?) must not renew every 0.9 s.
    async with running_sim(session_timeout=1.0) as sim:
        client = make_client(sim, http)
        await client.login()
        session = client.session
        assert session.renew_at is not None
        assert session.renew_at - session.clock() >= MIN_RENEW_INTERVAL - 1
        await client.close()


async def test_renewal_logs_out_the_old_session_and_resyncs_from_cache(
    http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_sim(session_timeout=0.6, session_sliding=False) as sim:
        client = make_client(
            sim,
            http,
            min_renew_interval=0.0,
            live=fast_live(resync_max_age=None),
        )
        await client.subscribe(outputs(sim))
        ages: list[float | None] = []
        read_values = client.read_values

        async def spy(qualifiers: Any, max_age: float | None = None) -> Any:
            ages.append(max_age)
            return await read_values(qualifiers, max_age)

        monkeypatch.setattr(client, "read_values", spy)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced, count=2, timeout=5)
            assert client.stats.session_renewals >= 1
            # Only the new session is left on the server.
            assert len(sim.auth.sessions) == 1
        assert not rec.of(ConnectionLost)
        # On the wire after the start, from the cache after the planned renewal.
        assert ages[0] is None
        assert ages[1] is not None
        await client.close()


async def test_renewal_does_not_wait_on_a_slow_logout(
    http: aiohttp.ClientSession,
) -> None:
    """The old session's logout gets LOGOUT_TIMEOUT, not the request time-out."""
    async with running_sim(session_timeout=0.6, session_sliding=False) as sim:
        client = make_client(sim, http, min_renew_interval=0.0)
        await client.login()
        sim.inject_latency(30, "/iap/auth/logout")
        await asyncio.sleep(0.6)  # 90 % of the session's 0.6 s have passed
        async with asyncio.timeout(LOGOUT_TIMEOUT + 2):
            await client.list_devices()
        assert client.stats.session_renewals == 1
        sim.inject_latency(0, "/iap/auth/logout")
        await client.close()


async def test_close_does_not_wait_on_a_silent_smartserver(
    http: aiohttp.ClientSession,
) -> None:
    """close() during a resync the SmartServer never answers: about 2 s.

    Nothing reads the WebSocket yet, so closing it waits for the SmartServer's close
    frame: CLOSE_GRACE, not the 10 s close time-out; then the logout gets
    LOGOUT_TIMEOUT.
    """
    async with running_sim() as sim:
        client = make_client(sim, http, live=fast_live(connect_timeout=10))
        await client.subscribe(outputs(sim))
        sim.inject_latency(30, "/iap/dp/updates/subscribe")
        subscribes = sim.counters.requests["/iap/dp/updates/subscribe"]
        task = asyncio.create_task(client.run_live(Recorder()))
        async with asyncio.timeout(5):
            while sim.counters.requests["/iap/dp/updates/subscribe"] == subscribes:  # noqa: ASYNC110 - the simulator's counter
                await asyncio.sleep(0.01)
        sim.black_hole()
        async with asyncio.timeout(CLOSE_GRACE + LOGOUT_TIMEOUT + 1.5):
            await client.close()
        sim.end_black_hole()
        sim.inject_latency(0, "/iap/dp/updates/subscribe")
        await asyncio.wait_for(task, 5)  # its resync fails at once now


# -- B9: a session with a DummyCookieJar works end to end --------------------------------


async def test_dummy_cookie_jar_session(sim: SmartServerSim) -> None:
    assert sim.fingerprint is not None
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        client = IapClient(
            http,
            sim.host,
            sim.port,
            "apollo",
            "apollo",
            TlsTrust.pinned(sim.fingerprint),
            live=fast_live(),
        )
        await client.login()
        assert len(await client.list_devices()) == 12
        qualifiers = outputs(sim)
        async with live_synced(client, qualifiers) as (rec, _):
            await sim.set_value(qualifiers[0], 5)
            await rec.wait_for(
                DatapointsUpdated,
                lambda e: any(u.qualifier == qualifiers[0] for u in e.updates),
            )
        async with contextlib.aclosing(
            client.iter_log(qualifiers[0].split("/", 1)[0])
        ) as log:
            async for _ in log:
                break
        await client.close()
        assert sim.counters.logins == 1


# -- bulk reads: each chunk has its own timeout ------------------------------------------


async def test_bulk_read_chunks_time_out_one_by_one(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> None:
    client = make_client(sim, http, request_timeout=0.5, max_url_length=300)
    qualifiers = list(sim.scenario.datapoints)[:40]
    await client.login()
    sim.inject_latency(0.1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    values = await client.read_values(qualifiers, max_age=60)
    assert loop.time() - started > 0.5
    assert len(values) == len(qualifiers)
    sim.inject_latency(0)
    await client.close()
