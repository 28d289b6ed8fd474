"""Data-log queries over the data-log WebSocket, in every timestamp form."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
import time
from typing import TYPE_CHECKING

import pytest

from custom_components.smartserver_iap.iap import (
    IapAuthenticationError,
    IapClient,
    IapConnectionError,
    parse_timestamp,
)
from smartserver_sim import SmartServerSim, expected_log_entries

from .conftest import make_client, running_sim

if TYPE_CHECKING:
    import aiohttp


def _logged(sim: SmartServerSim, name: str = "nvoSpaceTemp"):
    return next(dp for dp in sim.scenario.datapoints.values() if dp.name == name)


def _window(hours: float) -> tuple[datetime, datetime]:
    end = datetime.fromtimestamp(time.time() // 3600 * 3600 - 3600, UTC)
    return end - timedelta(hours=hours), end


@pytest.mark.parametrize(
    ("utc_format", "order", "quoted"),
    [("zoned", "asc", True), ("z", "desc", False), ("space", "asc", True)],
)
async def test_log_entries_match(
    http: aiohttp.ClientSession, utc_format: str, order: str, quoted: bool
) -> None:
    async with running_sim(
        log_utc_format=utc_format, log_order=order, log_end_quoted=quoted
    ) as sim:
        client = make_client(sim, http)
        dp = _logged(sim)
        start, end = _window(6)
        entries = [
            entry
            async for entry in client.iter_log(
                dp.device.id, dp.block, dp.index, dp.name, start, end
            )
        ]
        expected = expected_log_entries(
            sim.scenario,
            dp.qualifier,
            start.timestamp(),
            end.timestamp(),
            options=sim.options,
        )
        assert len(entries) == len(expected) == 24
        assert [e.utc for e in entries] == [parse_timestamp(x["utc"]) for x in expected]
        assert [e.value for e in entries] == [x["value"] for x in expected]
        assert {e.qualifier for e in entries} == {dp.qualifier}
        assert all(e.utc.tzinfo is UTC and start < e.utc <= end for e in entries)
        assert entries[0].block_index == dp.index
        await client.close()


async def test_device_query_and_empty_result(
    client: IapClient, sim: SmartServerSim
) -> None:
    dp = _logged(sim)
    start, end = _window(2)
    entries = [e async for e in client.iter_log(dp.device.id, start=start, end=end)]
    assert len({e.qualifier for e in entries}) > 1
    future = datetime.now(UTC) + timedelta(days=30)
    assert [
        e
        async for e in client.iter_log(
            dp.device.id, start=future, end=future + timedelta(hours=1)
        )
    ] == []


async def test_early_break_closes_the_socket(
    client: IapClient, sim: SmartServerSim
) -> None:
    start, end = _window(24 * 30)
    loop_time = __import__("asyncio").get_running_loop().time
    began = loop_time()
    async with contextlib.aclosing(client.iter_log(start=start, end=end)) as stream:
        count = 0
        async for _ in stream:
            count += 1
            if count == 10:
                break
    assert count == 10
    assert loop_time() - began < 5


async def test_log_query_faults(client: IapClient, sim: SmartServerSim) -> None:
    start, end = _window(1)
    sim.inject_http_errors(503, 1, "/iap/ws")
    with pytest.raises(IapConnectionError, match="503"):
        async for _ in client.iter_log(start=start, end=end):
            pass
    sim.inject_latency(0.3)
    with pytest.raises(IapConnectionError, match="timed out"):
        async for _ in client.iter_log(start=start, end=end, idle_timeout=0.1):
            pass
    sim.inject_latency(0)


@pytest.mark.parametrize("status", [401, 403])
async def test_log_query_refusals_follow_the_session_check(
    http: aiohttp.ClientSession, status: int
) -> None:
    async with running_sim(ws_refuse_status=status) as sim:
        client = make_client(sim, http)
        start, end = _window(1)
        await client.login()
        await sim.expire_sessions()
        # The upgrade is refused, REST confirms the session is gone: one fresh
        # login, then the query runs.
        assert [e async for e in client.iter_log(start=start, end=end)]
        assert sim.counters.logins == 2
        # Refused although REST accepts the session: an outage, no new login.
        sim.inject_http_errors(status, 1, "/iap/ws")
        with pytest.raises(IapConnectionError, match=f"HTTP {status}.*valid"):
            await anext(client.iter_log(start=start, end=end))
        assert sim.counters.logins == 2
        # Refused again after a fresh login, and REST refuses it too: credentials.
        sim.inject_http_errors(status, 2, "/iap/ws")
        sim.inject_http_errors(401, 2, "/iap/users/current")
        with pytest.raises(IapAuthenticationError):
            await anext(client.iter_log(start=start, end=end))
        assert sim.counters.logins == 3
        await client.close()


async def test_restart_mid_stream_raises(http: aiohttp.ClientSession) -> None:
    async with running_sim() as sim:
        client = make_client(sim, http)
        start, end = _window(24 * 300)
        with pytest.raises(IapConnectionError):  # noqa: PT012 - the fault hits mid-iteration
            count = 0
            async for _ in client.iter_log(start=start, end=end):
                count += 1
                if count == 100:
                    await sim.restart(0.1)
        await client.close()


async def test_session_expiry_mid_stream_raises(http: aiohttp.ClientSession) -> None:
    """The SmartServer ends a data-log stream whose session died; the client says so."""
    async with running_sim() as sim:
        client = make_client(sim, http)
        start, end = _window(24 * 300)
        count = 0
        with pytest.raises(IapConnectionError):  # noqa: PT012 - the fault hits mid-iteration
            async for _ in client.iter_log(start=start, end=end):
                count += 1
                if count == 100:
                    assert await sim.expire_sessions() == 1
        # Far fewer entries than the 300 days asked for: the stream was cut short.
        assert count < sim.counters.log_entries_sent + 1 < 10_000
        await client.close()
