"""Causes of an outage someone must act on: reported as they appear, with the error."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from custom_components.smartserver_iap.iap import (
    ConnectionLost,
    IapCertificateError,
    IapLockedOutError,
    IapPermissionError,
    IapProtocolError,
    Resynced,
)
from smartserver_sim import SimOptions, SmartServerSim

from .conftest import QUIET, live, live_synced, make_client, outputs, running_sim

if TYPE_CHECKING:
    import aiohttp

    from custom_components.smartserver_iap.iap import IapClient


async def test_replaced_certificate_is_reported_once(
    http: aiohttp.ClientSession,
) -> None:
    """The link drops, then the SmartServer comes back with another certificate."""
    async with running_sim() as sim:
        client = make_client(sim, http)
        async with live_synced(client, outputs(sim)) as (rec, task):
            await sim.stop()
            async with SmartServerSim(
                port=sim.port, options=SimOptions(**QUIET)
            ) as other:
                assert other.fingerprint != sim.fingerprint
                lost = await rec.wait_for(
                    ConnectionLost, lambda e: e.error is not None, timeout=8
                )
                assert isinstance(lost.error, IapCertificateError)
                assert lost.error.fingerprint == other.fingerprint
                # The drop itself was the outage; this one only adds its cause.
                assert not lost.new_outage
                assert rec.of(ConnectionLost)[0].new_outage
                # Many more attempts, each refused the same way: reported once.
                attempts = client.stats.connection_losses
                await asyncio.sleep(0.5)
                assert len(rec.of(ConnectionLost)) == 2
                assert client.stats.connection_losses == attempts
                assert not task.done()
        await client.close()


async def test_missing_permission_is_reported(
    client: IapClient, sim: SmartServerSim
) -> None:
    """A resync refused with 403 (the user's role lost a right) says so."""
    async with live_synced(client, outputs(sim)) as (rec, _):
        sim.inject_http_errors(403, 1000, "/iap/dp/updates/subscribe")
        await sim.drop_websockets()
        lost = await rec.wait_for(
            ConnectionLost, lambda e: isinstance(e.error, IapPermissionError)
        )
        assert "resync failed" in lost.reason
        assert "403" in lost.reason
        sim.http_errors.clear()
        await rec.wait_for(Resynced, count=2)


async def test_lockout_carries_its_error(http: aiohttp.ClientSession) -> None:
    async with running_sim(lockout_failures=1, lockout_duration=60) as sim:
        client = make_client(sim, http, password="wrong", lockout_default=0.2)
        with pytest.raises(IapLockedOutError):
            await client.login()
        async with live(client) as (rec, _):
            lost = await rec.wait_for(ConnectionLost)
            assert isinstance(lost.error, IapLockedOutError)
            assert lost.new_outage
        await client.close()


async def test_rest_403_is_a_permission_error(
    client: IapClient, sim: SmartServerSim
) -> None:
    """403 is "not allowed" (still a protocol error for callers that catch those)."""
    sim.inject_http_errors(403, 1, "/iap/devs")
    with pytest.raises(IapPermissionError) as raised:
        await client.discover()
    assert isinstance(raised.value, IapProtocolError)
