"""Recovery tails: once the SmartServer answers again, the link is back at once.

The back-off protects a SmartServer that answers but fails (5xx, 429, refused
credentials, a link dropped right after it came up); a link that worked is retried at
once, and a SmartServer that does not answer at all is tried again every
``retry_interval``, which costs it nothing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from custom_components.smartserver_iap.iap import ConnectionLost, LiveEvent, Resynced

from .conftest import Recorder, fast_live, make_client, outputs, running_sim

if TYPE_CHECKING:
    import aiohttp


async def test_drop_soon_after_an_outage_retries_at_once(
    http: aiohttp.ClientSession,
) -> None:
    """A drop right after an outage is retried at the first delay.

    The outage grew the back-off; the link came back; the next drop must not wait
    the outage's last delay.
    """
    async with running_sim() as sim:
        options = fast_live(
            backoff_initial=0.1, backoff_cap=10, backoff_jitter=0.0, flap_after=0.2
        )
        client = make_client(sim, http, live=options)
        await client.subscribe(outputs(sim))
        loop = asyncio.get_running_loop()
        drops = [True]
        rec = Recorder()

        def handler(event: LiveEvent) -> None:
            rec(event)
            if isinstance(event, Resynced) and len(rec.of(Resynced)) == 2 and drops:
                drops.clear()
                loop.call_soon(sim.hub.abort_all)

        task = asyncio.create_task(client.run_live(handler))
        try:
            await rec.wait_for(Resynced)
            await asyncio.sleep(0.3)  # a link that worked, not a flap
            # An outage the SmartServer answers with errors: 0.1, 0.2, 0.4, 0.8 s.
            sim.inject_http_errors(503, 4, "/iap/ws")
            sim.hub.abort_all()
            await rec.wait_for(Resynced, count=2, timeout=10)
            dropped = loop.time()
            await rec.wait_for(Resynced, count=3, timeout=10)
            # The old back-off went on from the outage: 1.6 s.
            assert loop.time() - dropped < 1.0
            assert client.listener.backoff.attempts == 1
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)


async def test_back_within_the_retry_interval_after_a_long_outage(
    http: aiohttp.ClientSession,
) -> None:
    """A SmartServer silent for a while is found within a retry interval.

    The port refuses for 3.3 s: the link is back about a retry interval (1 s) after
    it answers again, not after an exponential back-off (6.3 s).
    """
    async with running_sim() as sim:
        options = fast_live(
            backoff_initial=0.05,
            backoff_cap=10,
            backoff_jitter=0.0,
            retry_interval=1.0,
        )
        client = make_client(sim, http, live=options)
        await client.subscribe(outputs(sim))
        rec = Recorder()
        task = asyncio.create_task(client.run_live(rec))
        loop = asyncio.get_running_loop()
        try:
            await rec.wait_for(Resynced)
            began = loop.time()
            await sim.restart(3.3)
            await rec.wait_for(ConnectionLost)
            await rec.wait_for(Resynced, count=2, timeout=15)
            assert loop.time() - began < 3.3 + 1.0 + 0.7
            assert len(rec.of(ConnectionLost)) == 1
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
