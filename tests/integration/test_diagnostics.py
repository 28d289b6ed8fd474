"""Diagnostics download: counts, link state and client counters, no secrets."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from syrupy.filters import props

from custom_components.smartserver_iap.const import DOMAIN

from .conftest import PASSWORD, SMARTSERVER_UID, entry_data, setup_entry, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from smartserver_sim import SmartServerSim


@pytest.fixture
def sim_overrides() -> dict[str, Any]:
    """The snapshot holds the SmartServer's words as it wrote them: one case."""
    return {"status_case": "lower"}


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The download matches the snapshot; password, user and cookie are absent."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result == snapshot(
        exclude=props(
            "port", "fingerprint", "client_stats", "created_at", "modified_at"
        )
    )
    text = json.dumps(result)
    assert PASSWORD not in text
    assert "cmsSID" not in text
    assert result["entry"]["data"]["password"] == "**REDACTED**"
    assert result["entry"]["data"]["username"] == "**REDACTED**"
    assert result["coordinator"]["connected"] is True
    assert result["coordinator"]["client_stats"]["logins"] >= 1


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A child device's download holds that device and its datapoints, nothing else."""
    site = init_integration.runtime_data.site
    meter = next(d for d in site.devices.values() if d.name == "Energy Meter")
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{SMARTSERVER_UID}_{meter.id}"), init_integration.entry_id
    )
    assert device is not None
    result = await get_diagnostics_for_device(
        hass, hass_client, init_integration, device
    )
    assert result == snapshot(exclude=props("timestamp"))
    qualifiers = set(result["device"]["datapoints"])
    assert qualifiers == {dp.qualifier for dp in site.datapoints_of(meter.id)}
    # The entry's data and the other devices are not part of it.
    assert "entry" not in result
    text = json.dumps(result)
    assert PASSWORD not in text
    assert "Water Meter" not in text


async def test_device_diagnostics_of_a_stale_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device the SmartServer no longer has reports no device."""
    orphan = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, f"{SMARTSERVER_UID}_999")},
    )
    result = await get_diagnostics_for_device(
        hass, hass_client, init_integration, orphan
    )
    assert result == {"link_connected": True, "device": None}


async def test_hub_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The SmartServer's own device adds the entry's link state and counters."""
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, SMARTSERVER_UID), init_integration.entry_id
    )
    assert hub is not None
    result = await get_diagnostics_for_device(hass, hass_client, init_integration, hub)
    assert result["device"]["category"] == "SC"
    assert result["coordinator"]["followed"] == len(
        init_integration.runtime_data.site.subscribed
    )
    assert "entry" not in result


SECRET = "Tr0ub4dor&3-not-apollo"


async def test_no_password_or_cookie_in_logs_or_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: SmartServerSim,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An entry's life logged at debug level: no line or download shows a secret.

    Setup asked twice (one refused login), a session lost and logged in again,
    diagnostics of the entry and the hub, unload: neither the password nor any
    session cookie the SmartServer handed out appears.
    """
    caplog.set_level(logging.DEBUG)
    sim.auth.users["operator"] = SECRET
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, username="operator", password=SECRET),
    )
    sim.inject_http_errors(401, 1, "/iap/auth/login")
    await setup_entry(hass, entry)
    cookies = set(sim.auth.sessions)
    client = entry.runtime_data.client
    connects = client.stats.connects
    await sim.expire_sessions()
    await wait_for(lambda: client.stats.connects > connects and client.connected)
    cookies |= set(sim.auth.sessions)
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, SMARTSERVER_UID), entry.entry_id
    )
    assert hub is not None
    downloads = [
        await get_diagnostics_for_config_entry(hass, hass_client, entry),
        await get_diagnostics_for_device(hass, hass_client, entry, hub),
    ]
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    assert len(cookies) >= 2
    texts = [json.dumps(d) for d in downloads] + [
        record.getMessage() + (record.exc_text or "") for record in caplog.records
    ]
    for secret in (SECRET, *cookies):
        assert not [text for text in texts if secret in text], secret
