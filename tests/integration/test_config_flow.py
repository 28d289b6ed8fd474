"""Config, reauth, reconfigure and options flows, against the simulator."""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import ssl as ssl_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smartserver_iap import config_flow as flow_module
from custom_components.smartserver_iap.const import (
    CERT_PIN,
    CERT_SYSTEM,
    CONF_CERTIFICATE,
    CONF_CHOOSE_DATAPOINTS,
    CONF_DATAPOINTS,
    CONF_DEVICES,
    CONF_FINGERPRINT,
    DOMAIN,
)
from custom_components.smartserver_iap.iap.client import IapClient
from custom_components.smartserver_iap.iap.errors import IapError
from custom_components.smartserver_iap.iap.tls import fetch_fingerprint
from smartserver_sim import SmartServerSim
from smartserver_sim.scenario import build_scenario, default_spec

from .conftest import PASSWORD, SMARTSERVER_UID, USERNAME, entry_data, setup_entry

if TYPE_CHECKING:
    from collections.abc import Iterator

    from homeassistant.core import HomeAssistant

WRONG_FINGERPRINT = ":".join(["AA"] * 32)


def user_input(sim: SmartServerSim, **changes: Any) -> dict[str, Any]:
    """Return the user step's input for ``sim``."""
    data: dict[str, Any] = {
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_CERTIFICATE: CERT_SYSTEM,
    }
    data.update(changes)
    return data


def closed_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def system_trusts_sim(sim: SmartServerSim) -> Iterator[None]:
    """Make Home Assistant's client SSL context trust the simulator's certificate."""
    context = sim.client_ssl_context()
    with patch.object(ssl_util, "client_context", return_value=context):
        yield


async def start_user(hass: HomeAssistant) -> Any:
    result: Any = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


async def test_user_flow_trusts_presented_certificate(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """System CAs refuse the self-signed certificate: the fingerprint is shown, then pinned."""
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "trust_certificate"
    assert result["description_placeholders"]["fingerprint"] == sim.fingerprint

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "SmartServer IoT"
    assert result["result"].unique_id == SMARTSERVER_UID
    assert result["data"] == entry_data(sim)
    await hass.async_block_till_done()


async def test_user_flow_pin_choice(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """Choosing to pin goes straight to the certificate step."""
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_CERTIFICATE: CERT_PIN})
    )
    assert result["step_id"] == "trust_certificate"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FINGERPRINT] == sim.fingerprint
    await hass.async_block_till_done()


@pytest.mark.usefixtures("system_trusts_sim")
async def test_user_flow_system_ca(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """A certificate the system CAs accept is not pinned."""
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FINGERPRINT] is None
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, "invalid_auth"),
        ({CONF_PORT: None}, "cannot_connect"),
    ],
)
@pytest.mark.usefixtures("system_trusts_sim")
async def test_user_flow_errors_and_recovery(
    hass: HomeAssistant, sim: SmartServerSim, changes: dict[str, Any], error: str
) -> None:
    """Each error is shown on the form, and a corrected input then succeeds."""
    if changes.get(CONF_PORT, 0) is None:
        changes = {CONF_PORT: closed_port()}
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


@pytest.mark.usefixtures("system_trusts_sim")
async def test_user_flow_locked_out(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """Too many failed logins lock the user out; once the lock ends it works."""
    sim.options.lockout_failures = 2
    sim.options.lockout_duration = 0.2
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_PASSWORD: "wrong"})
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_PASSWORD: "wrong"})
    )
    assert result["errors"] == {"base": "locked_out"}
    # Even the right password is refused while the lock lasts.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["errors"] == {"base": "locked_out"}

    sim.options.lockout_failures = 5
    await asyncio.sleep(0.3)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_user_flow_unknown_error(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """An unexpected exception is logged and shown as unknown."""
    result: Any = await start_user(hass)
    with patch.object(flow_module, "_async_identify", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(sim)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["step_id"] == "trust_certificate"


async def test_user_flow_unreachable_fingerprint(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Pinning needs the certificate: nothing listening is cannot_connect."""
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(sim, **{CONF_PORT: closed_port(), CONF_CERTIFICATE: CERT_PIN}),
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_fingerprint_unreadable_after_cert_error(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The certificate failed verification, then could not be read: cannot_connect."""
    result: Any = await start_user(hass)
    with patch.object(
        flow_module,
        "fetch_fingerprint",
        side_effect=IapError("gone"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(sim)
        )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_trust_step_certificate_changed(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The certificate changed after it was shown: mismatch, then the new one is shown."""
    calls = 0

    async def fake_fetch(host: str, port: int, timeout: float = 10.0) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            return WRONG_FINGERPRINT
        return await fetch_fingerprint(host, port, timeout)

    result: Any = await start_user(hass)
    with patch.object(flow_module, "fetch_fingerprint", fake_fetch):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(sim, **{CONF_CERTIFICATE: CERT_PIN})
        )
        assert result["description_placeholders"]["fingerprint"] == WRONG_FINGERPRINT
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "trust_certificate"
    assert result["errors"] == {"base": "certificate_mismatch"}
    assert result["description_placeholders"]["fingerprint"] == sim.fingerprint

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_trust_step_certificate_changed_and_gone(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The certificate changed and the server is gone: cannot_connect on the trust step."""
    result: Any = await start_user(hass)
    with patch.object(
        flow_module, "fetch_fingerprint", return_value=WRONG_FINGERPRINT
    ) as fetch:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(sim, **{CONF_CERTIFICATE: CERT_PIN})
        )
        fetch.side_effect = IapError("gone")
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "trust_certificate"
    assert result["errors"] == {"base": "cannot_connect"}


async def test_trust_step_wrong_password_goes_back(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A wrong password found on the trust step returns to the user form."""
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(sim, **{CONF_PASSWORD: "wrong", CONF_CERTIFICATE: CERT_PIN}),
    )
    assert result["step_id"] == "trust_certificate"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_CERTIFICATE: CERT_PIN})
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_user_flow_same_host_aborts(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """The same host and port cannot be added twice."""
    mock_config_entry.add_to_hass(hass)
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_same_smartserver_aborts(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The same SmartServer under another address is recognised by its uid."""
    MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, **{CONF_HOST: "smartserver.local"}),
    ).add_to_hass(hass)
    result: Any = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(sim, **{CONF_CERTIFICATE: CERT_PIN})
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# -- reauth -------------------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Reauth shows errors, then stores the new credentials and reloads."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_PASSWORD: "old"}
    )
    result: Any = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_PASSWORD] == PASSWORD
    await hass.async_block_till_done()


async def test_reauth_certificate_mismatch(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A pinned certificate that no longer matches is reported on the reauth form."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, **{CONF_FINGERPRINT: WRONG_FINGERPRINT}),
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["errors"] == {"base": "certificate_mismatch"}


async def test_reauth_other_smartserver(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Reauth against a different SmartServer aborts."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="someone else", data=entry_data(sim)
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"


# -- reconfigure --------------------------------------------------------------------------


async def test_reconfigure_same_pin(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """A new address with the same pinned certificate needs no confirmation."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_HOST: "old.invalid"}
    )
    result: Any = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: sim.host, CONF_PORT: closed_port(), CONF_CERTIFICATE: CERT_PIN},
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: sim.host, CONF_PORT: sim.port, CONF_CERTIFICATE: CERT_PIN},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_HOST] == sim.host
    assert mock_config_entry.data[CONF_FINGERPRINT] == sim.fingerprint
    await hass.async_block_till_done()


async def test_reconfigure_new_certificate(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A replaced certificate is shown and pinned again; errors return to the form."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, **{CONF_FINGERPRINT: WRONG_FINGERPRINT}),
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: sim.host, CONF_PORT: sim.port, CONF_CERTIFICATE: CERT_PIN},
    )
    assert result["step_id"] == "trust_certificate"
    assert result["description_placeholders"]["fingerprint"] == sim.fingerprint

    # The user changes the password on the SmartServer meanwhile: back to the form.
    sim.auth.users[USERNAME] = "changed"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_auth"}
    sim.auth.users[USERNAME] = PASSWORD

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: sim.host, CONF_PORT: sim.port, CONF_CERTIFICATE: CERT_SYSTEM},
    )
    assert result["step_id"] == "trust_certificate"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_FINGERPRINT] == sim.fingerprint
    await hass.async_block_till_done()


async def test_reconfigure_pinned_certificate_refused(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The presented fingerprint equals the pin but the connection refuses it: mismatch."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, **{CONF_FINGERPRINT: WRONG_FINGERPRINT}),
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reconfigure_flow(hass)
    with patch.object(flow_module, "fetch_fingerprint", return_value=WRONG_FINGERPRINT):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: sim.host, CONF_PORT: sim.port, CONF_CERTIFICATE: CERT_PIN},
        )
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "certificate_mismatch"}


async def test_reconfigure_other_smartserver(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Reconfigure to another SmartServer aborts with unique_id_mismatch."""
    spec = default_spec()
    spec["smartserver"] = {**spec["smartserver"], "uid": "00D0FFFFFFFF"}
    async with SmartServerSim(build_scenario(spec), options=sim.options) as other:
        entry = MockConfigEntry(
            domain=DOMAIN, unique_id=SMARTSERVER_UID, data=entry_data(sim)
        )
        entry.add_to_hass(hass)
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: other.host, CONF_PORT: other.port, CONF_CERTIFICATE: CERT_PIN},
        )
        assert result["step_id"] == "trust_certificate"
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "unique_id_mismatch"


# -- options ------------------------------------------------------------------------------


async def test_options_default_keeps_following_everything(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Submitting the default devices stores no list: new devices stay followed."""
    entry = await setup_entry(hass, mock_config_entry)
    result: Any = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    followed = len(entry.runtime_data.site.subscribed)
    assert result["description_placeholders"]["followed"] == str(followed)
    default = next(
        k.default() for k in result["data_schema"].schema if k == CONF_DEVICES
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEVICES: default, CONF_CHOOSE_DATAPOINTS: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {}


async def test_options_choose_devices(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Following one device reloads the entry with only its datapoints."""
    entry = await setup_entry(hass, mock_config_entry)
    coordinator = entry.runtime_data
    meter = next(
        d for d in coordinator.site.devices.values() if d.name == "Energy Meter"
    )
    result: Any = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEVICES: [meter.id], CONF_CHOOSE_DATAPOINTS: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_DEVICES: [meter.id]}
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    site = coordinator.site
    assert {site.device_of(q) for q in site.subscribed} == {meter.id}
    assert len(site.subscribed) == 11


async def test_options_choose_datapoints(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """Single datapoints, inputs included, can be chosen."""
    entry = await setup_entry(hass, mock_config_entry)
    coordinator = entry.runtime_data
    ahu = next(
        d for d in coordinator.site.devices.values() if d.name == "AHU Controller"
    )
    result: Any = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEVICES: [ahu.id], CONF_CHOOSE_DATAPOINTS: True}
    )
    assert result["step_id"] == "datapoints"
    assert result["description_placeholders"]["available"] == "8"
    chosen = [
        q
        for q, dp in coordinator.site.datapoints.items()
        if coordinator.site.device_of(q) == ahu.id
        and dp.name in ("nviHVACMode", "nvoSupplyTemp")
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DATAPOINTS: chosen}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_DEVICES: [ahu.id], CONF_DATAPOINTS: chosen}
    await hass.async_block_till_done()
    assert set(entry.runtime_data.site.subscribed) == set(chosen)


async def test_options_large_count_warns(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above the limit, a warning step asks for confirmation."""
    monkeypatch.setattr(flow_module, "LARGE_DATAPOINT_COUNT", 5)
    entry = await setup_entry(hass, mock_config_entry)
    devices = [d.id for d in entry.runtime_data.site.devices.values()]
    result: Any = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DEVICES: devices, CONF_CHOOSE_DATAPOINTS: False}
    )
    assert result["step_id"] == "confirm_large"
    assert result["description_placeholders"]["limit"] == "5"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_DEVICES: devices}
    await hass.async_block_till_done()


async def test_options_not_loaded(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Options need the live inventory of a loaded entry."""
    mock_config_entry.add_to_hass(hass)
    result: Any = await hass.config_entries.options.async_init(
        mock_config_entry.entry_id
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


async def test_logout_failure_is_ignored(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A failing logout after the connection test does not fail the flow."""
    result = await start_user(hass)
    with patch.object(IapClient, "close", side_effect=IapError("gone")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(sim, **{CONF_CERTIFICATE: CERT_PIN})
        )
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
