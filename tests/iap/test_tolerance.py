"""The client against the other reading of each [GUESS] switch of the simulator.

Every test pins the switch it is about, so it means the same under either profile.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import time
from typing import TYPE_CHECKING

import pytest

from custom_components.smartserver_iap.iap import (
    AlarmCleared,
    AlarmRaised,
    ConnectionLost,
    DeviceStatusChanged,
    IapProtocolError,
    Resynced,
    SubscriptionTakenOver,
)

from .conftest import (
    Reads,
    live,
    live_synced,
    make_client,
    outputs,
    probing_client,
    relogin_while_live,
    running_sim,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    import aiohttp

    from custom_components.smartserver_iap.iap import DatapointUpdate


async def test_bare_pages_are_paged_while_full(http: aiohttp.ClientSession) -> None:
    # A page of exactly page-size items says nothing about the end: ask for the next.
    async with running_sim(page_shape="bare") as sim:
        client = make_client(sim, http)
        client.rest.page_size = 4
        devices = await client.list_devices()
        assert [d.id for d in devices] == list(sim.scenario.devices)
        assert len(devices) % client.rest.page_size == 0
        datapoints = await client.list_datapoints()
        assert {d.qualifier for d in datapoints} == set(sim.scenario.datapoints)
        await client.close()


AMPERSAND_DEVICE = {
    "name": "Sensor & Co",
    "blocks": [
        {
            "name": "Sensor",
            "datapoints": [
                {"name": f"nvoValue{n}", "type": "SNVT_count"} for n in range(6)
            ]
            + [{"name": "nvoA&B", "type": "SNVT_count"}],
        }
    ],
}


async def test_one_unreadable_datapoint_does_not_fail_the_read(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    # The simulator cannot parse a qualifier with "&" in a list (HTTP 400), whatever
    # the encoding: the chunk is halved until that one datapoint is found.
    async with running_sim() as sim:
        device = sim.scenario.devices[await sim.add_device(AMPERSAND_DEVICE)]
        qualifiers = [dp.qualifier for dp in device.datapoints]
        bad = qualifiers[-1]
        client = make_client(sim, http)
        await client.subscribe(qualifiers)
        sim.reset_counters()
        values = await client.read_values(qualifiers)
        assert [v.qualifier for v in values] == qualifiers[:-1]
        assert client.site.unreadable == {bad}
        # 7 qualifiers: the chunk, then halves down to the bad one and its neighbours.
        reads = sum(n for p, n in sim.counters.requests.items() if p.endswith("value"))
        assert reads <= 1 + 2 * 3
        assert caplog.text.count("cannot read 1 datapoint") == 1
        async with live(client) as (rec, _):
            resynced = await rec.wait_for(Resynced)
            assert [v.qualifier for v in resynced.values] == qualifiers[:-1]
            assert not rec.of(ConnectionLost)
        # Logged once, not on every read.
        assert caplog.text.count("cannot read 1 datapoint") == 1
        assert bad in caplog.text
        await client.close()


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Login</body></html>", b'{"error": "busy"}', b"", b"[1, 2, 3]"],
)
async def test_an_unreadable_answer_fails_the_read_not_the_datapoints(
    http: aiohttp.ClientSession, body: bytes
) -> None:
    # An HTML page of a proxy, or JSON of another shape, says nothing about the
    # datapoints asked for: the read fails (a resync tries again), none is unreadable.
    async with running_sim() as sim:
        qualifiers = outputs(sim, 3)
        client = make_client(sim, http)
        sim.inject_body(body, count=1, path_prefix="/iap/devs")
        with pytest.raises(IapProtocolError):
            await client.read_values(qualifiers)
        assert client.site.unreadable == set()
        values = await client.read_values(qualifiers)
        assert [v.qualifier for v in values] == qualifiers
        await client.close()


async def test_vanished_datapoints_answered_404_are_none_of_these(
    http: aiohttp.ClientSession,
) -> None:
    # A wildcard that matches nothing answers 404: the chunk of vanished datapoints
    # reads as "none of these", the other chunks are read. (Chunks of two: one holds
    # a datapoint and a ghost, the simulator answers the datapoint alone.)
    async with running_sim(empty_wildcard_status=404) as sim:
        qualifiers = outputs(sim, 3)
        ghosts = [q.replace("/0/", "/7/") for q in qualifiers]
        client = make_client(sim, http, max_url_length=200)
        values = await client.read_values(qualifiers + ghosts)
        assert [v.qualifier for v in values] == qualifiers
        assert client.site.unreadable == set(ghosts)
        await client.read_values(qualifiers)
        assert client.site.unreadable == set(ghosts)
        sim.scenario.datapoints.clear()
        await client.read_values(qualifiers)
        assert client.site.unreadable == set(ghosts + qualifiers)
        await client.close()


async def test_datapoints_without_a_qualifier(http: aiohttp.ClientSession) -> None:
    # The documented property item has no dpQualifier: it is built from the device
    # list (scId/protocol/DID) plus block, index and name.
    async with running_sim(props_qualifier=False) as sim:
        client = make_client(sim, http)
        site = await client.discover()
        assert {q: site.device_of(q) for q in site.datapoints} == {
            q: dp.device.id for q, dp in sim.scenario.datapoints.items()
        }
        lamps = await client.discover_datapoints("4")
        assert {dp.qualifier for dp in lamps} == {
            dp.qualifier for dp in sim.scenario.devices["4"].datapoints
        }
        # Without a device list in the site, the listing reads one itself.
        fresh = make_client(sim, http)
        listed = await fresh.list_datapoints()
        assert {dp.qualifier for dp in listed} == set(sim.scenario.datapoints)
        await client.close()
        await fresh.close()


@pytest.mark.parametrize("methods", ["post", "put"])
async def test_logout_posts_first_then_puts(
    http: aiohttp.ClientSession, methods: str
) -> None:
    # The vendor's clients POST, the docs say PUT; the other answers 404.
    async with running_sim(logout_methods=methods) as sim:
        client = make_client(sim, http)
        await client.login()
        assert len(sim.auth.sessions) == 1
        await client.close()
        assert sim.auth.sessions == {}
        assert sim.counters.statuses[204] == 1
        # POST first: a PUT is tried only when the POST is unknown.
        assert sim.counters.statuses[404] == (methods == "put")


@pytest.mark.parametrize(
    ("ws_refuse_status", "rest_refuse_status"),
    [(302, 401), (401, 302), (403, 403), (302, 403)],
    ids=["ws-redirect", "rest-redirect", "403-both", "ws-redirect-rest-403"],
)
async def test_a_session_lost_as_403_or_redirect_is_a_lost_session(
    http: aiohttp.ClientSession, ws_refuse_status: int, rest_refuse_status: int
) -> None:
    # Whatever the SmartServer answers a dead session with (401, 403, a redirect to
    # the login page), the client logs in again and resyncs.
    async with running_sim(
        ws_refuse_status=ws_refuse_status, rest_refuse_status=rest_refuse_status
    ) as sim:
        client = make_client(sim, http)
        await relogin_while_live(sim, client)
        assert sim.counters.logins == 2
        await sim.expire_sessions()
        assert len(await client.list_devices()) == len(sim.scenario.devices)
        assert sim.counters.logins == 3
        # A 403 with a valid session still means "not allowed".
        output = next(
            dp for dp in sim.scenario.datapoints.values() if dp.direction == "out"
        )
        with pytest.raises(IapProtocolError, match="403"):
            await client.write_value(output.qualifier, 1)
        assert sim.counters.logins == 3
        await client.close()


async def test_alarm_frames_with_ids_only(http: aiohttp.ClientSession) -> None:
    # The payloads are undocumented: frames that carry just an id still say that the
    # alarms changed (the integration reads them again on each).
    async with running_sim(crt_alarm_payload="id", del_alarm_payload="id") as sim:
        client = make_client(sim, http)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            alarm_id = await sim.raise_alarm("2", details="hot")
            raised = await rec.wait_for(AlarmRaised)
            # Only the id is known: the rest is for the integration's read.
            assert raised.alarm.id == alarm_id
            assert raised.alarm.details is None
            await sim.clear_alarm(alarm_id)
            assert await rec.wait_for(AlarmCleared) == AlarmCleared(alarm_id, None)
            assert [a.id for a in await client.list_alarms()].count(alarm_id) == 0
            assert not rec.of(ConnectionLost)
        await client.close()


# -- smaller ones (9.9) ----------------------------------------------------------------


async def test_status_words_in_capitals(http: aiohttp.ClientSession) -> None:
    async with running_sim(status_case="upper") as sim:
        client = make_client(sim, http)
        site = await client.discover()
        states = {
            d.name: (d.status.state, d.status.health) for d in site.devices.values()
        }
        assert states["Roof Weather Station"] == ("PROVISIONED", "DOWN")
        healthy = {d.name for d in site.devices.values() if site.is_healthy(d.id)}
        assert "Roof Weather Station" not in healthy
        assert "Spare Lighting Node" not in healthy
        assert "Energy Meter" in healthy
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            await sim.set_device_status("6", health="down")
            changed = await rec.wait_for(DeviceStatusChanged)
            assert changed.status.health == "DOWN"
            assert not site.is_healthy("6")
        await client.close()


async def test_websockets_send_an_origin(http: aiohttp.ClientSession) -> None:
    # A SmartServer that checks the origin of WebSockets, as browsers' servers do.
    async with running_sim(require_origin=True) as sim:
        client = make_client(sim, http)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
        end = datetime.now(UTC)
        logged = client.iter_log("2", start=end - timedelta(hours=1), end=end)
        assert [e async for e in logged] != []
        assert sim.counters.statuses[403] == 0
        await client.close()


async def test_value_times_from_utc_and_local(http: aiohttp.ClientSession) -> None:
    # Value reads that carry utc/local (as data-log entries do) and no timestamp.
    async with running_sim(value_time_fields="utc") as sim:
        client = make_client(sim, http)
        qualifiers = outputs(sim, 3)
        values = await client.read_values(qualifiers)
        for value in values:
            assert value.timestamp is not None
            held = sim.scenario.datapoints[value.qualifier].timestamp
            # Written with milliseconds.
            assert abs(value.timestamp.timestamp() - held) < 0.002
        await client.close()


# -- the takeover probe (9.1, 10.1, 10.2) -----------------------------------------------


@pytest.mark.parametrize("read_echo", ["changed", "wire"])
async def test_reads_without_echo_are_no_takeover(
    http: aiohttp.ClientSession, read_echo: str
) -> None:
    # A SmartServer that sends nothing for an unchanged value read from its cache:
    # no echo ever comes, and that alone proves nothing.
    async with running_sim(read_echo=read_echo) as sim:
        client = probing_client(sim, http)
        await client.subscribe(outputs(sim, 4))
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            subscribes = sim.counters.subscribes
            await reads.wait_for(8)
        assert sim.counters.subscribes == subscribes
        assert not rec.of(SubscriptionTakenOver)
        assert not rec.of(ConnectionLost)
        await client.close()


@pytest.mark.parametrize(
    "kept",
    [slice(0, 3), slice(3, 6), slice(0, 5), slice(0, 0)],
    ids=["first half", "second half", "all but one", "none"],
)
async def test_any_steal_is_found_by_the_next_check(
    http: aiohttp.ClientSession, kept: slice
) -> None:
    # Values unchanged, on a SmartServer that echoes reads: every check reads the
    # whole list, so the first check after the steal finds it, whatever was kept.
    async with running_sim(read_echo="always", subscribe_pushes_values=False) as sim:
        client = probing_client(sim, http)
        qualifiers = outputs(sim, 6)
        await client.subscribe(qualifiers)
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            await reads.wait_for(3)
            before = len(reads.qualifiers)
            await sim.steal_subscription("apollo", qualifiers[kept])
            taken = await rec.wait_for(SubscriptionTakenOver)
            # A check in flight during the steal, then the one that found it.
            checks = [r for r in reads.qualifiers[before:] if r == qualifiers]
            assert 1 <= len(checks) <= 3
            assert sim.hub.subs["apollo"] == set(qualifiers)
            assert [v.qualifier for v in taken.values] == qualifiers
        assert client.stats.takeovers == 1
        assert not rec.of(ConnectionLost)
        await client.close()


async def test_values_changed_during_a_steal_are_read_again(
    http: aiohttp.ClientSession,
) -> None:
    # No echo at all: a value the SmartServer has but never sent is the proof.
    async with running_sim(read_echo="changed") as sim:
        client = probing_client(sim, http)
        qualifiers = outputs(sim, 6)
        async with live_synced(client, qualifiers) as (rec, _):
            await sim.steal_subscription("apollo", qualifiers[:3])
            await sim.set_value(qualifiers[4], 77)
            await sim.set_value(qualifiers[5], 78)
            taken = await rec.wait_for(SubscriptionTakenOver)
            assert {v.qualifier: v.value for v in taken.values}.items() >= {
                (qualifiers[4], 77),
                (qualifiers[5], 78),
            }
            assert client.site.value_of(qualifiers[4]) == 77
            assert sim.hub.subs["apollo"] == set(qualifiers)
        assert not rec.of(ConnectionLost)
        await client.close()


async def test_a_change_delivered_during_a_check_is_no_takeover(
    http: aiohttp.ClientSession,
) -> None:
    # The value changes between the check's look at the site and its read; the
    # update arrives as it should: nothing was missed.
    async with running_sim(read_echo="changed") as sim:
        client = probing_client(sim, http)
        qualifiers = outputs(sim, 3)
        await client.subscribe(qualifiers)
        read_values = client.read_values
        changes = iter(range(50, 100))

        async def changing_read(
            wanted: Iterable[str], max_age: float | None = None
        ) -> list[DatapointUpdate]:
            wanted = list(wanted)
            if max_age == client.listener.options.probe_max_age:
                await sim.set_value(wanted[0], next(changes))
            return await read_values(wanted, max_age)

        client.read_values = changing_read  # type: ignore[method-assign,assignment]
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            await reads.wait_for(5)
        assert next(changes) > 53
        assert not rec.of(SubscriptionTakenOver)
        await client.close()


async def test_checks_read_the_cache_not_the_device_network(
    http: aiohttp.ClientSession,
) -> None:
    async with running_sim() as sim:
        client = probing_client(sim, http)
        await client.subscribe(outputs(sim, 6))
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            wire_reads = sim.counters.wire_reads
            await reads.wait_for(6)
        assert sim.counters.wire_reads == wire_reads
        assert not rec.of(SubscriptionTakenOver)
        await client.close()


async def test_never_dead_while_other_frames_arrive(
    http: aiohttp.ClientSession,
) -> None:
    # Reads were echoed, then stop being echoed; NTF:TIME still arrives: the link
    # is alive, nothing was taken, and the silent datapoints are not expected to
    # echo any more.
    async with running_sim(
        read_echo="always",
        subscribe_pushes_values=False,
        ws_timestamps=True,
        ntf_time_interval=0.02,
    ) as sim:
        client = probing_client(sim, http)
        await client.subscribe(outputs(sim, 3))
        reads = Reads(client)
        async with live(client) as (rec, _):
            await rec.wait_for(Resynced)
            await reads.wait_for(3)
            sim.options.read_echo = "changed"
            subscribes = sim.counters.subscribes
            await reads.wait_for(len(reads.qualifiers) + 6)
        assert sim.counters.subscribes == subscribes + 1
        assert not rec.of(ConnectionLost)
        assert not rec.of(SubscriptionTakenOver)
        await client.close()


# -- the forms the vendor's clients use (9.6) -------------------------------------------

STRICT_PATHS = {
    "override_paths": "vendor",
    "device_ids": "list",
    "literal_names": "instance",
}


async def test_writes_and_logs_use_the_vendors_forms(
    http: aiohttp.ClientSession,
) -> None:
    # A literal names the instance, the datapoint-level deviceId is no path element,
    # priorities go to overrides/{p}/value and DELETE there relinquishes.
    async with running_sim(**STRICT_PATHS) as sim:
        client = make_client(sim, http)
        site = await client.discover()
        timeout = next(dp for dp in site.datapoints.values() if dp.name == "nviTimeout")
        assert timeout.instance_name == "Occupancy Timeout"
        assert timeout.device_id not in site.devices
        held = sim.scenario.datapoints[timeout.qualifier]
        await client.write_value(timeout, 120.0)
        await client.write_value(timeout.qualifier, 90.0, priority=9)
        assert held.value == 90.0
        await client.relinquish(timeout.qualifier, 9)
        assert held.value == 120.0
        # A datapoint of a device the site does not know: named by the device name.
        other = make_client(sim, http)
        (unknown,) = [
            dp
            for dp in await other.list_datapoints()
            if dp.qualifier == timeout.qualifier
        ]
        await other.write_value(unknown, 60.0, priority=5)
        assert held.value == 60.0
        await other.relinquish(unknown, 5)
        assert held.value == 120.0
        # Data logs: dev is the device-list id, dpName the XIF name.
        logged = next(
            dp for dp in site.datapoints.values() if dp.name == "nvoSpaceTemp"
        )
        end = datetime.fromtimestamp(time.time() // 3600 * 3600 - 3600, UTC)
        start = end - timedelta(hours=2)
        entries = [
            entry
            async for entry in client.iter_log(
                logged.device_id,
                logged.block_name,
                logged.block_index,
                logged.name,
                start,
                end,
            )
        ]
        assert len(entries) == 8
        assert {e.qualifier for e in entries} == {logged.qualifier}
        await client.close()
        await other.close()


async def test_a_name_with_an_ampersand_is_written_by_its_instance_name(
    http: aiohttp.ClientSession,
) -> None:
    async with running_sim(**STRICT_PATHS) as sim:
        device_id = await sim.add_device(
            {
                "name": "Valve",
                "blocks": [
                    {
                        "name": "Valve",
                        "datapoints": [
                            {
                                "name": "nviA&B",
                                "type": "SNVT_lev_percent",
                                "direction": "in",
                                "instanceName": "Valve position",
                            }
                        ],
                    }
                ],
            }
        )
        client = make_client(sim, http)
        await client.discover()
        (valve,) = client.site.datapoints_of(device_id)
        await client.write_value(valve, 40.0)
        assert sim.scenario.datapoints[valve.qualifier].value == 40.0
        await client.close()
