"""The client against the other reading of each [GUESS] switch of the simulator.

Every test pins the switch it is about, so it means the same under either profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.smartserver_iap.iap import ConnectionLost, Resynced

from .conftest import live, make_client, outputs, running_sim

if TYPE_CHECKING:
    import aiohttp
    import pytest


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
