"""The client against the other reading of each [GUESS] switch of the simulator.

Every test pins the switch it is about, so it means the same under either profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .conftest import make_client, running_sim

if TYPE_CHECKING:
    import aiohttp


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
