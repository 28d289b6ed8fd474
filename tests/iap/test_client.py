"""The REST side of the client against the simulator over loopback."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from yarl import URL

from custom_components.smartserver_iap.iap import (
    IapAuthenticationError,
    IapCertificateError,
    IapClient,
    IapConnectionError,
    IapLockedOutError,
    IapNotFoundError,
    IapPriorityConflictError,
    IapProtocolError,
    TlsTrust,
    fetch_fingerprint,
)
from smartserver_sim import SmartServerSim
from tests.profile import sim_options

from .conftest import make_client, running_sim

if TYPE_CHECKING:
    import aiohttp

HOSTILE_DEVICE = {
    "name": "Hostile 1/2 %41 [x] Ü",
    "blocks": [
        {
            "name": "Lamp [1] %20",
            "index": 3,
            "datapoints": [
                {
                    "name": "nviLevel [a] %41 ü",
                    "type": "SNVT_lev_percent",
                    "direction": "in",
                },
                {"name": "nvo Value,1", "type": "SNVT_count"},
            ],
        }
    ],
}


async def test_fetch_fingerprint(sim: SmartServerSim) -> None:
    assert await fetch_fingerprint(sim.host, sim.port, timeout=5) == sim.fingerprint
    with pytest.raises(IapConnectionError):
        await fetch_fingerprint(sim.host, 1, timeout=2)


async def test_login_user_and_timeout(client: IapClient, sim: SmartServerSim) -> None:
    user = await client.login()
    assert user["userName"] == "apollo"
    assert client.session.session_timeout == 86400.0
    assert client.session.logged_in
    await client.close()
    assert not sim.auth.sessions
    await client.close()  # idempotent


async def test_cookie_per_client_not_in_jar(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> None:
    sim.auth.users["other"] = "secret"
    first = make_client(sim, http)
    second = make_client(sim, http, "other", "secret")
    try:
        await first.login()
        await second.login()
        assert not [c for c in http.cookie_jar if c.key == "cmsSID"]
        me = await first.request("GET", "/iap/users/current")
        them = await second.request("GET", "/iap/users/current")
        assert (me["userName"], them["userName"]) == ("apollo", "other")
        # A foreign cmsSID in the shared jar does not override the client's own.
        http.cookie_jar.update_cookies({"cmsSID": "foreign"}, URL(sim.base_url))
        assert (await first.request("GET", "/iap/users/current"))[
            "userName"
        ] == "apollo"
        assert sim.counters.logins == 2
    finally:
        await first.close()
        await second.close()


async def test_wrong_password_and_lockout(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> None:
    client = make_client(sim, http, password="wrong")
    for _ in range(4):
        with pytest.raises(IapAuthenticationError) as err:
            await client.login()
        assert not isinstance(err.value, IapLockedOutError)
    with pytest.raises(IapLockedOutError) as locked:
        await client.list_devices()
    assert locked.value.retry_after == 60.0
    failures = sim.counters.login_failures
    # Backing off: no further login attempt reaches the server while locked out.
    with pytest.raises(IapLockedOutError):
        await client.login()
    assert sim.counters.login_failures == failures
    await client.close()


async def test_401_relogin_once_then_auth_error(
    client: IapClient, sim: SmartServerSim
) -> None:
    await client.login()
    await sim.expire_sessions()
    assert len(await client.list_devices()) == 12
    assert sim.counters.logins == 2
    sim.auth.users["apollo"] = "changed"
    await sim.expire_sessions()
    with pytest.raises(IapAuthenticationError):
        await client.list_devices()


async def test_401_after_fresh_login_raises(
    client: IapClient, sim: SmartServerSim
) -> None:
    sim.inject_http_errors(401, 2, "/iap/devs")
    with pytest.raises(IapAuthenticationError):
        await client.list_devices()


async def test_session_renewed_before_expiry(
    client: IapClient, sim: SmartServerSim
) -> None:
    now = 1000.0
    client.session.clock = lambda: now
    await client.login()
    timeout = client.session.session_timeout
    assert timeout == 86400.0
    now += timeout * 0.85
    await client.list_devices()
    assert client.stats.session_renewals == 0
    # 90 % of the session's life has passed: the next request renews it first and
    # the replaced session is logged out on the server.
    now += timeout * 0.06
    assert len(await client.list_devices()) == 12
    assert client.stats.session_renewals == 1
    assert sim.counters.logins == 2
    assert len(sim.auth.sessions) == 1
    assert sim.counters.statuses[401] == 0


async def test_session_timeout_object_body(http: aiohttp.ClientSession) -> None:
    async with running_sim(session_timeout_body="object", session_timeout=120) as sim:
        client = make_client(sim, http)
        await client.login()
        assert client.session.session_timeout == 120
        await client.close()


async def test_http_errors(client: IapClient, sim: SmartServerSim) -> None:
    sim.inject_http_errors(503, 1, "/iap/devs")
    with pytest.raises(IapConnectionError, match="503"):
        await client.list_devices()
    with pytest.raises(IapNotFoundError):
        await client.request("GET", "/iap/devs/nosuch/if/a/0/b/value")
    sim.inject_http_errors(400, 1, "/iap/alarms")
    with pytest.raises(IapProtocolError):
        await client.list_alarms()
    sim.inject_latency(0.5)
    slow = make_client(sim, client.http, request_timeout=0.1)
    with pytest.raises(IapConnectionError, match="timed out"):
        await slow.login()
    sim.inject_latency(0)
    await slow.close()


async def test_tls_pin_mismatch_and_system_trust(
    sim: SmartServerSim, http: aiohttp.ClientSession
) -> None:
    wrong = IapClient(
        http, sim.host, sim.port, "apollo", "apollo", TlsTrust.pinned("00" * 32)
    )
    with pytest.raises(IapCertificateError) as err:
        await wrong.login()
    assert err.value.fingerprint == sim.fingerprint
    system = IapClient(http, sim.host, sim.port, "apollo", "apollo", TlsTrust.system())
    with pytest.raises(IapCertificateError):
        await system.login()
    refused = IapClient(http, sim.host, 1, "apollo", "apollo")
    with pytest.raises(IapConnectionError):
        await refused.login()


async def test_discovery(client: IapClient, sim: SmartServerSim) -> None:
    client.rest.page_size = 5
    devices = await client.list_devices()
    assert [d.id for d in devices] == list(sim.scenario.devices)
    smartserver = await client.get_smartserver()
    assert smartserver.uid == "00D07111EA6B"
    assert smartserver.is_smartserver
    datapoints = await client.list_datapoints()
    assert {d.qualifier for d in datapoints} == set(sim.scenario.datapoints)
    one = await client.list_datapoints(devices[1].id)
    assert one
    assert {d.device_name for d in one} == {devices[1].name}
    sample = next(d for d in datapoints if d.writable)
    assert sample.type_name
    assert sample.qualifier.count("/") == 5


async def test_discover_fills_the_site(client: IapClient, sim: SmartServerSim) -> None:
    site = await client.discover()
    assert site is client.site
    assert set(site.devices) == set(sim.scenario.devices)
    assert set(site.datapoints) == set(sim.scenario.datapoints)
    assert site.smartserver is not None
    assert site.smartserver.uid == "00D07111EA6B"
    assert {q: site.device_of(q) for q in site.datapoints} == {
        q: dp.device.id for q, dp in sim.scenario.datapoints.items()
    }
    gone = next(d for d in sim.scenario.devices.values() if d.category != "SC")
    await sim.remove_device(gone.id)
    changes = await client.refresh_devices()
    assert (changes.added, changes.removed) == ([], [gone.id])
    assert site.datapoints_of(gone.id) == []
    assert set(site.datapoints) == set(sim.scenario.datapoints)
    added = await sim.add_device(HOSTILE_DEVICE)
    changes = await client.refresh_devices()
    assert (changes.added, changes.removed) == ([added], [])
    assert site.datapoints_of(added) == []
    found = await client.discover_datapoints(added)
    assert site.datapoints_of(added) == found
    assert {d.name for d in found} == {"nviLevel [a] %41 ü", "nvo Value,1"}


async def test_paging_restarts_when_the_snapshot_expires(
    http: aiohttp.ClientSession,
) -> None:
    async with running_sim(page_shape="envelope") as sim:
        client = make_client(sim, http)
        client.rest.page_size = 5
        original = sim.new_snapshot
        calls = 0

        def flaky_snapshot(items: list[object]) -> int:
            nonlocal calls
            calls += 1
            number = original(items)
            if calls == 1:
                # The SmartServer forgets the first snapshot before page 2 is asked for.
                sim.snapshots.clear()
            return number

        sim.new_snapshot = flaky_snapshot  # type: ignore[method-assign]
        devices = await client.list_devices()
        assert len(devices) == 12
        assert calls == 2
        await client.close()


async def test_hostile_names(client: IapClient, sim: SmartServerSim) -> None:
    device_id = await sim.add_device(HOSTILE_DEVICE)
    datapoints = await client.list_datapoints(device_id)
    assert {d.name for d in datapoints} == {"nviLevel [a] %41 ü", "nvo Value,1"}
    level = next(d for d in datapoints if d.writable)
    assert level.block_name == "Lamp [1] %20"
    assert level.block_index == 3
    by_name = await client.list_datapoints(HOSTILE_DEVICE["name"])  # type: ignore[arg-type]
    assert len(by_name) == 2
    await client.write_value(level, 42.5)
    assert sim.scenario.datapoints[level.qualifier].value == 42.5
    await client.relinquish(level, 5)


async def test_hostile_names_in_qualifier_lists(
    client: IapClient, sim: SmartServerSim
) -> None:
    spec = {
        "name": "Hostile 1/2 [x] Ü + & =",
        "blocks": [
            {
                "name": "Lamp [1] é",
                "index": 3,
                "datapoints": [
                    {
                        "name": "nviLevel [a] ü",
                        "type": "SNVT_lev_percent",
                        "direction": "in",
                    },
                ],
            }
        ],
    }
    device_id = await sim.add_device(spec)
    (level,) = await client.list_datapoints(device_id)
    await client.write_value(level.qualifier, 43.0)
    values = await client.read_values([level.qualifier])
    assert [(v.qualifier, v.value) for v in values] == [(level.qualifier, 43.0)]


async def test_percent_in_qualifier_lists(
    client: IapClient, sim: SmartServerSim
) -> None:
    device_id = await sim.add_device(HOSTILE_DEVICE)
    level = next(d for d in await client.list_datapoints(device_id) if d.writable)
    values = await client.read_values([level.qualifier])
    assert [v.qualifier for v in values] == [level.qualifier]


async def test_bulk_read_is_chunked(http: aiohttp.ClientSession) -> None:
    from smartserver_sim import large_scenario

    async with SmartServerSim(
        scenario=large_scenario(devices=20, datapoints_per_device=20),
        options=sim_options(),
    ) as sim:
        client = make_client(sim, http, max_url_length=600)
        try:
            qualifiers = list(sim.scenario.datapoints)
            values = await client.read_values(qualifiers + qualifiers[:3], max_age=60)
            assert [v.qualifier for v in values] == qualifiers
            reads = sum(
                n for p, n in sim.counters.requests.items() if p.endswith("/value")
            )
            assert reads > 10
            assert all(len(p) < 600 for p in sim.counters.requests)
            default = make_client(sim, http)
            await default.read_values(qualifiers, max_age=0.5)
            await default.close()
        finally:
            await client.close()


async def test_writes_priorities_structured(
    client: IapClient, sim: SmartServerSim
) -> None:
    datapoints = await client.list_datapoints()
    setpoint = next(d for d in datapoints if d.name == "nviSetpoint")
    await client.write_value(setpoint, 22.5)
    assert sim.scenario.datapoints[setpoint.qualifier].value == 22.5
    await client.write_value(setpoint, 18.0, priority=10)
    assert sim.scenario.datapoints[setpoint.qualifier].value == 18.0
    with pytest.raises(IapPriorityConflictError):
        await client.write_value(setpoint, 30.0, priority=12)
    # Refused, but kept at its level: it takes control once 10 is relinquished.
    await client.relinquish(setpoint, 10)
    assert sim.scenario.datapoints[setpoint.qualifier].value == 30.0
    await client.relinquish(setpoint, 12)
    assert sim.scenario.datapoints[setpoint.qualifier].value == 22.5
    switch = next(d for d in datapoints if d.type_name == "SNVT_switch" and d.writable)
    await client.write_value(switch, {"value": 75.0, "state": 1})
    assert sim.scenario.datapoints[switch.qualifier].value == {
        "value": 75.0,
        "state": 1,
    }
    mode = next(d for d in datapoints if d.type_name == "SNVT_hvac_mode" and d.writable)
    await client.write_value(mode, "HVAC_COOL")
    assert sim.scenario.datapoints[mode.qualifier].value == "HVAC_COOL"
    output = next(d for d in datapoints if not d.writable)
    with pytest.raises(IapProtocolError):
        await client.write_value(output, 1)
    with pytest.raises(ValueError):
        await client.write_value(setpoint, 1, priority=-1)


async def test_alarms(client: IapClient, sim: SmartServerSim) -> None:
    client.rest.page_size = 2
    device = next(iter(sim.scenario.devices.values()))
    ids = [await sim.raise_alarm(device.id, details=f"alarm {n}") for n in range(5)]
    alarms = await client.list_alarms()
    assert [a.id for a in alarms][-5:] == ids
    assert all(a.active for a in alarms)
    await client.clear_alarms(ids[:2])
    active = {a.id for a in await client.list_alarms()}
    assert not active & set(ids[:2])
    everything = {a.id for a in await client.list_alarms(active_only=False)}
    assert set(ids) <= everything


async def test_subscribe_replaces(client: IapClient, sim: SmartServerSim) -> None:
    qualifiers = list(sim.scenario.datapoints)[:3]
    await client.subscribe(qualifiers)
    await client.subscribe(qualifiers[1:] + qualifiers[1:2])
    assert client.subscribed == qualifiers[1:]
    assert sim.hub.subs["apollo"] == set(qualifiers[1:])
