"""Setup, unload, setup failures and stale devices."""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT, EVENT_HOMEASSISTANT_STOP
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smartserver_iap import async_remove_config_entry_device
from custom_components.smartserver_iap.connection import configuration_url
from custom_components.smartserver_iap.const import CONF_FINGERPRINT, DOMAIN
from custom_components.smartserver_iap.coordinator import SETUP_MAX_AGE
from custom_components.smartserver_iap.iap.client import IapClient
from custom_components.smartserver_iap.registry import DeviceRegistrySync

from .conftest import SMARTSERVER_UID, entry_data, setup_entry, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim

WRONG_FINGERPRINT = ":".join(["AA"] * 32)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_setup_and_unload(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Setup reads everything in bulk, unload logs out and stops the live link."""
    entry = await setup_entry(hass, mock_config_entry)
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data
    assert coordinator.connected
    # 47 outputs and 11 inputs Home Assistant writes, of the provisioned devices.
    assert len(coordinator.site.subscribed) == 58
    # One listing of devices and datapoints each, whatever the count: no per-entity I/O.
    assert coordinator.client.stats.requests < 15

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry_state(entry) is ConfigEntryState.NOT_LOADED
    assert not coordinator.client.connected


@pytest.mark.parametrize("fault", ["slow", "black_hole"])
async def test_unload_while_the_smartserver_is_slow(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    fault: str,
) -> None:
    """Unloading never waits on a SmartServer that answers slowly or not at all.

    The logout is given 1.5 s (the session then expires on the SmartServer) and the
    WebSocket 0.5 s to close: at most 2 s in all, where a logout alone took the
    request time-out (10 s, twice when PUT answers 405).
    """
    entry = await setup_entry(hass, mock_config_entry)
    if fault == "slow":
        sim.inject_latency(30)
    else:
        sim.black_hole()
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with asyncio.timeout(10):
        assert await hass.config_entries.async_unload(entry.entry_id)
    took = loop.time() - began
    sim.end_black_hole()
    sim.inject_latency(0)
    assert took <= 2.0 + 0.5  # 0.5 s for a loaded machine
    assert entry_state(entry) is ConfigEntryState.NOT_LOADED


def entry_state(entry: MockConfigEntry) -> ConfigEntryState:
    """Return the state (a call, so type narrowing does not stick)."""
    return entry.state  # type: ignore[no-any-return,unused-ignore]


async def test_home_assistant_stop_closes(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Stopping Home Assistant closes the client."""
    coordinator = init_integration.runtime_data
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await wait_for(lambda: not coordinator.client.connected)
    assert coordinator._closed
    # Closing twice (stop, then unload) is harmless.
    await coordinator.async_shutdown()


@pytest.mark.parametrize(
    ("changes", "state", "reason"),
    [
        ({CONF_PASSWORD: "wrong"}, ConfigEntryState.SETUP_ERROR, "invalid_auth"),
        ({CONF_PORT: 0}, ConfigEntryState.SETUP_RETRY, "cannot_connect"),
        (
            {CONF_FINGERPRINT: WRONG_FINGERPRINT},
            ConfigEntryState.SETUP_RETRY,
            "certificate_mismatch",
        ),
    ],
)
async def test_setup_failures(
    hass: HomeAssistant,
    sim: SmartServerSim,
    changes: dict[str, object],
    state: ConfigEntryState,
    reason: str,
) -> None:
    """Credentials -> ConfigEntryAuthFailed (reauth); transport -> ConfigEntryNotReady."""
    if changes.get(CONF_PORT) == 0:
        changes = {CONF_PORT: closed_port()}
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SMARTSERVER_UID, data=entry_data(sim, **changes)
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is state
    assert entry.reason is not None
    if reason == "invalid_auth":
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    else:
        assert entry.error_reason_translation_key == reason


async def test_setup_locked_out(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """A lockout is temporary: setup is retried later, no reauth."""
    sim.options.lockout_failures = 1
    sim.options.lockout_duration = 60
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, **{CONF_PASSWORD: "wrong"}),
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "locked_out"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_setup_stray_401_is_no_reauth(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """The login refused once at setup: asked again, the entry loads, no reauth."""
    sim.inject_http_errors(401, 1, "/iap/auth/login")
    await setup_entry(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert sim.http_errors == []
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_setup_server_error(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """A SmartServer answering 500 is retried later."""
    sim.inject_http_errors(500, count=50)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == "cannot_connect"


async def test_setup_wrong_smartserver(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The address now answers as another SmartServer: a permanent error."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="00D0AAAAAAAA", data=entry_data(sim)
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == "wrong_smartserver"


async def test_stale_devices_removed_at_setup(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device the SmartServer no longer has is removed when the entry starts."""
    mock_config_entry.add_to_hass(hass)
    stale = device_registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, f"{SMARTSERVER_UID}_999")},
        name="Gone",
    )
    await setup_entry(hass, mock_config_entry)
    assert device_registry.async_get(stale.id) is None


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Only devices the SmartServer no longer has may be removed by the user."""
    devices = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    hub = next(d for d in devices if (DOMAIN, SMARTSERVER_UID) in d.identifiers)
    child = next(d for d in devices if d is not hub)
    assert not await async_remove_config_entry_device(hass, init_integration, hub)
    assert not await async_remove_config_entry_device(hass, init_integration, child)
    orphan = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, f"{SMARTSERVER_UID}_999")},
    )
    assert await async_remove_config_entry_device(hass, init_integration, orphan)


async def test_setup_reads_from_cache(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """The setup read takes the SmartServer's cached values (the resync follows)."""
    real = IapClient.read_values
    ages: list[float | None] = []

    async def spy(
        self: IapClient, qualifiers: Any, max_age: float | None = None
    ) -> Any:
        ages.append(max_age)
        return await real(self, qualifiers, max_age)

    with patch.object(IapClient, "read_values", spy):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert ages[0] == SETUP_MAX_AGE
    await hass.async_block_till_done()


async def test_shared_session_keeps_no_cookie(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """The client uses Home Assistant's shared session; its cookie stays out of the jar."""
    session = init_integration.runtime_data.client.http
    assert session is async_get_clientsession(hass)
    assert sim.auth.sessions
    assert not [c for c in session.cookie_jar if c.key == "cmsSID"]
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    # Unloading logs out but leaves the shared session open for everyone else.
    assert not sim.auth.sessions
    assert not session.closed


def test_configuration_url() -> None:
    """IPv6 hosts are bracketed in the CMS address."""
    assert configuration_url("fe80::1", 8443) == "https://[fe80::1]:8443/cms/"
    assert configuration_url("smartserver.local", 443) == (
        "https://smartserver.local/cms/"
    )


async def test_setup_error_after_login_logs_out(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Whatever fails after the login in setup, the session is closed."""
    mock_config_entry.add_to_hass(hass)
    with patch.object(
        DeviceRegistrySync, "async_register_hub", side_effect=ValueError("bad")
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert sim.counters.logins == 1
    assert not sim.auth.sessions
