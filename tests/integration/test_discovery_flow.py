"""DHCP discovery: offer a SmartServer found on the network, follow a configured one."""

from __future__ import annotations

from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.loader import async_get_dhcp
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smartserver_iap.const import (
    CERT_PIN,
    CERT_SYSTEM,
    CONF_CERTIFICATE,
    DOMAIN,
)
from tests.loopback import closed_port

from .conftest import PASSWORD, SMARTSERVER_UID, USERNAME, entry_data
from .flows import assert_error, configure, start_user, user_input

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim

# Home Assistant reports MAC addresses in lower case without separators.
DISCOVERED = DhcpServiceInfo(
    ip="127.0.0.1", hostname="smartserver", macaddress=SMARTSERVER_UID.lower()
)
OLD_ADDRESS = "192.0.2.7"  # TEST-NET-1: never contacted


def credentials(sim: SmartServerSim, **changes: Any) -> dict[str, Any]:
    """Return the discovery confirmation's input for ``sim``."""
    return {
        CONF_PORT: sim.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_CERTIFICATE: CERT_PIN,
        **changes,
    }


async def discover(hass: HomeAssistant, info: DhcpServiceInfo = DISCOVERED) -> Any:
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=info
    )


def configured(sim: SmartServerSim, host: str, **changes: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        unique_id=changes.pop("unique_id", SMARTSERVER_UID),
        data=entry_data(sim, host=host, **changes),
    )


async def test_manifest_matches_echelon_addresses(hass: HomeAssistant) -> None:
    """Home Assistant's DHCP matchers hold Echelon's OUI, the simulator's among them."""
    ours = [m for m in await async_get_dhcp(hass) if m["domain"] == DOMAIN]
    assert len(ours) == 1
    # Home Assistant indexes MAC matchers by their first six characters (the OUI).
    pattern = str(ours[0]["macaddress"])
    assert pattern[:6] == SMARTSERVER_UID[:6]
    assert fnmatch(SMARTSERVER_UID, pattern)
    assert not fnmatch("B827EB123456", pattern)  # a Raspberry Pi (SmartServer Pi)


async def test_discovered_smartserver_is_added(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Confirm, log in, trust the certificate: the entry has the discovered address."""
    result: Any = await discover(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["title_placeholders"] == {"host": "127.0.0.1"}

    result = await configure(hass, result, credentials(sim, password="wrong"))
    assert result["step_id"] == "trust_certificate"
    result = await configure(hass, result, {})
    assert_error(result, "discovery_confirm", "invalid_auth")

    result = await configure(hass, result, credentials(sim, port=closed_port()))
    assert_error(result, "discovery_confirm", "connection_refused")

    # The certificate was confirmed already; only the password was wrong.
    result = await configure(hass, result, credentials(sim, certificate=CERT_SYSTEM))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == SMARTSERVER_UID
    assert result["data"] == entry_data(sim, host="127.0.0.1")
    await hass.async_block_till_done()


async def test_discovery_then_manual_setup(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Adding the SmartServer by hand meanwhile ends the discovery flow."""
    await discover(hass)
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_discovered_twice_is_one_flow(hass: HomeAssistant) -> None:
    await discover(hass)
    result: Any = await discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_in_progress"


async def test_moved_smartserver_follows_and_reloads(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A SmartServer waiting at its old address gets the new one and is set up there."""
    entry = configured(sim, OLD_ADDRESS)
    entry.add_to_hass(hass)
    entry.mock_state(hass, ConfigEntryState.SETUP_RETRY)

    result: Any = await discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == entry_data(sim, host="127.0.0.1")
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("host", "changes"),
    [
        # A host name follows the SmartServer by itself.
        ("smartserver.local", {}),
        # Nothing answers at the new address.
        (OLD_ADDRESS, {CONF_PORT: closed_port()}),
        # Another SmartServer answers there.
        (OLD_ADDRESS, {"unique_id": "00D0710000AA"}),
    ],
)
async def test_configured_smartserver_keeps_its_address(
    hass: HomeAssistant, sim: SmartServerSim, host: str, changes: dict[str, Any]
) -> None:
    entry = configured(sim, host, **changes)
    entry.add_to_hass(hass)
    before = dict(entry.data)
    info = DhcpServiceInfo(
        ip="127.0.0.1", hostname="smartserver", macaddress=entry.unique_id.lower()
    )
    result: Any = await discover(hass, info)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == before


@pytest.mark.parametrize(
    ("host", "unique_id", "source"),
    [
        ("127.0.0.1", SMARTSERVER_UID, SOURCE_USER),  # at the discovered address
        (None, SMARTSERVER_UID, SOURCE_IGNORE),  # ignored by the user
        ("127.0.0.1", "SOMETHING-ELSE", SOURCE_USER),  # that address, another uid
    ],
)
async def test_configured_smartserver_is_not_offered(
    hass: HomeAssistant,
    sim: SmartServerSim,
    host: str | None,
    unique_id: str,
    source: str,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=unique_id,
        source=source,
        data=entry_data(sim, host=host) if host else {},
    )
    entry.add_to_hass(hass)
    before = dict(entry.data)
    result: Any = await discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data == before
