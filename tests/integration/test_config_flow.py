"""Config, reauth and reconfigure flows, against the simulator on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import aiohttp_client
from homeassistant.util import ssl as ssl_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smartserver_iap import config_flow as flow_module
from custom_components.smartserver_iap.const import (
    CERT_PIN,
    CERT_SYSTEM,
    CONF_CERTIFICATE,
    CONF_FINGERPRINT,
    DOMAIN,
)
from custom_components.smartserver_iap.iap.client import IapClient
from custom_components.smartserver_iap.iap.errors import (
    ConnectionFailure,
    IapConnectionError,
    IapError,
    IapProtocolError,
)
from custom_components.smartserver_iap.iap.tls import fetch_fingerprint
from smartserver_sim import SmartServerSim, build_scenario, default_spec
from tests.loopback import (
    SYSTEM_GETADDRINFO,
    UNRESOLVABLE_HOST,
    closed_port,
    plain_http_server,
    silent_server,
)

from .conftest import PASSWORD, SMARTSERVER_UID, USERNAME, entry_data
from .flows import (
    STRINGS,
    WRONG_FINGERPRINT,
    address,
    assert_error,
    configure,
    confirm_trust_if_asked,
    start_user,
    user_input,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from homeassistant.core import HomeAssistant

QUICK = 0.3  # seconds a connection test may take against the silent server


@pytest.fixture
def system_trusts_sim(sim: SmartServerSim) -> Iterator[None]:
    """Make Home Assistant's client SSL context trust the simulator's certificate."""
    context = sim.client_ssl_context()
    with patch.object(ssl_util, "client_context", return_value=context):
        yield


@contextlib.contextmanager
def short_timeouts() -> Iterator[None]:
    """Shorten the connection test's timeouts (10 s each) for the silent server."""
    with (
        patch.dict(IapClient.__init__.__kwdefaults__, {"request_timeout": QUICK}),
        patch.object(fetch_fingerprint, "__defaults__", (443, QUICK)),
    ):
        yield


@pytest.fixture
async def resolvers(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Resolve names for real, as Home Assistant does outside tests.

    The fingerprint read uses the system resolver, which the test plugin replaces
    with one that refuses every name; Home Assistant's sessions use aiodns, and the
    plugin shares one such resolver between tests and closes it with the first
    Home Assistant, so this test gets a resolver of its own.
    """
    monkeypatch.setattr(socket, "getaddrinfo", SYSTEM_GETADDRINFO)
    resolver: Any = AsyncResolver()
    resolver.real_close = resolver.close
    with patch.object(aiohttp_client, "_async_make_resolver", return_value=resolver):
        yield


@contextlib.asynccontextmanager
async def closed() -> AsyncIterator[tuple[str, int]]:
    yield "127.0.0.1", closed_port()


@contextlib.asynccontextmanager
async def unresolvable() -> AsyncIterator[tuple[str, int]]:
    yield UNRESOLVABLE_HOST, 443


@contextlib.asynccontextmanager
async def plain_http() -> AsyncIterator[tuple[str, int]]:
    async with plain_http_server() as port:
        yield "127.0.0.1", port


@contextlib.asynccontextmanager
async def silent() -> AsyncIterator[tuple[str, int]]:
    # Only here are the timeouts short: a slow resolver must not pass for a time-out.
    async with silent_server() as port:
        with short_timeouts():
            yield "127.0.0.1", port


# -- user ---------------------------------------------------------------------------------


async def test_user_flow_trusts_presented_certificate(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """System CAs refuse the self-signed certificate: the fingerprint is shown, then pinned."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "trust_certificate"
    assert result["description_placeholders"] == {
        "host": f"{sim.host}:{sim.port}",
        "fingerprint": sim.fingerprint,
    }

    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "SmartServer IoT"
    assert result["result"].unique_id == SMARTSERVER_UID
    assert result["data"] == entry_data(sim)
    await hass.async_block_till_done()


async def test_user_flow_pin_choice(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """Choosing to pin goes straight to the certificate step."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    assert result["step_id"] == "trust_certificate"
    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FINGERPRINT] == sim.fingerprint
    await hass.async_block_till_done()


@pytest.mark.usefixtures("system_trusts_sim")
async def test_user_flow_system_ca(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """A certificate the system CAs accept is not pinned."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FINGERPRINT] is None
    await hass.async_block_till_done()


@pytest.mark.parametrize("certificate", [CERT_SYSTEM, CERT_PIN])
@pytest.mark.parametrize(
    ("failing", "error"),
    [
        (closed, "connection_refused"),
        (unresolvable, "host_not_found"),
        (plain_http, "not_https"),
        (silent, "timeout_connect"),
    ],
)
@pytest.mark.usefixtures("resolvers")
async def test_user_flow_connection_errors(
    hass: HomeAssistant,
    sim: SmartServerSim,
    certificate: str,
    failing: Callable[[], contextlib.AbstractAsyncContextManager[tuple[str, int]]],
    error: str,
) -> None:
    """Each way of not reaching a SmartServer has its own message; the fix then works."""
    result: Any = await start_user(hass)
    async with failing() as (host, port):
        result = await configure(
            hass,
            result,
            user_input(sim, host=host, port=port, certificate=certificate),
        )
    assert_error(result, "user", error)

    result = await configure(hass, result, user_input(sim, certificate=certificate))
    result = await confirm_trust_if_asked(hass, result, sim)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


@pytest.mark.usefixtures("system_trusts_sim")
async def test_user_flow_wrong_password(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, password="wrong"))
    assert_error(result, "user", "invalid_auth")
    result = await configure(hass, result, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


@pytest.mark.usefixtures("system_trusts_sim")
async def test_user_flow_locked_out(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """Too many failed logins lock the user out; once the lock ends it works."""
    sim.options.lockout_failures = 2
    sim.options.lockout_duration = 0.2
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, password="wrong"))
    assert_error(result, "user", "invalid_auth")
    result = await configure(hass, result, user_input(sim, password="wrong"))
    assert_error(result, "user", "locked_out")
    # Even the right password is refused while the lock lasts.
    result = await configure(hass, result, user_input(sim))
    assert_error(result, "user", "locked_out")

    sim.options.lockout_failures = 5
    await asyncio.sleep(0.3)
    result = await configure(hass, result, user_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_user_flow_unknown_error(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """An unexpected exception is logged and shown as unknown."""
    result: Any = await start_user(hass)
    with patch.object(flow_module, "async_identify", side_effect=RuntimeError("boom")):
        result = await configure(hass, result, user_input(sim))
    assert_error(result, "user", "unknown")
    result = await configure(hass, result, user_input(sim))
    result = await confirm_trust_if_asked(hass, result, sim)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_user_flow_unexpected_answer(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A server that answers what the client cannot interpret: cannot_connect."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    with patch.object(
        IapClient, "get_smartserver", side_effect=IapProtocolError("not JSON")
    ):
        result = await configure(hass, result, {})
    assert_error(result, "user", "cannot_connect")
    result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


# -- trusting a certificate once per flow -------------------------------------------------


@pytest.mark.parametrize("retry_certificate", [CERT_SYSTEM, CERT_PIN])
async def test_trust_is_asked_once_per_host_and_fingerprint(
    hass: HomeAssistant, sim: SmartServerSim, retry_certificate: str
) -> None:
    """After a wrong password the confirmed certificate is not asked for again."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, password="wrong"))
    assert result["step_id"] == "trust_certificate"
    result = await configure(hass, result, {})
    assert_error(result, "user", "invalid_auth")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested[CONF_CERTIFICATE] == CERT_PIN
    assert suggested[CONF_HOST] == sim.host
    assert CONF_PASSWORD not in suggested

    result = await configure(hass, result, user_input(sim, password="wrong"))
    assert_error(result, "user", "invalid_auth")
    result = await configure(
        hass, result, user_input(sim, certificate=retry_certificate)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FINGERPRINT] == sim.fingerprint
    await hass.async_block_till_done()


async def test_trust_is_asked_again_for_another_server(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Trust belongs to one host, port and fingerprint: another server is shown too."""
    spec = default_spec()
    spec["smartserver"] = {**spec["smartserver"], "uid": "00D0FFFFFFFF"}
    async with SmartServerSim(build_scenario(spec), options=sim.options) as other:
        result: Any = await start_user(hass)
        result = await configure(hass, result, user_input(sim, password="wrong"))
        result = await configure(hass, result, {})
        assert_error(result, "user", "invalid_auth")

        result = await configure(hass, result, user_input(other))
        assert result["step_id"] == "trust_certificate"
        assert result["description_placeholders"]["fingerprint"] == other.fingerprint
        result = await configure(hass, result, {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["result"].unique_id == "00D0FFFFFFFF"
        await hass.async_block_till_done()


async def test_trust_is_asked_again_for_a_new_certificate(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Trust is per fingerprint: the same host presenting another certificate asks again."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, password="wrong"))
    assert result["description_placeholders"]["fingerprint"] == sim.fingerprint
    result = await configure(hass, result, {})
    assert_error(result, "user", "invalid_auth")

    replaced = sim.change_certificate()
    result = await configure(hass, result, user_input(sim))
    assert result["step_id"] == "trust_certificate"
    assert result["description_placeholders"]["fingerprint"] == replaced
    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FINGERPRINT] == replaced
    await hass.async_block_till_done()


async def test_trust_step_certificate_changed(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The certificate changed after it was shown: mismatch, then the new one is shown."""
    result: Any = await start_user(hass)
    with patch.object(
        flow_module, "async_read_fingerprint", return_value=WRONG_FINGERPRINT
    ):
        result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    assert result["description_placeholders"]["fingerprint"] == WRONG_FINGERPRINT
    result = await configure(hass, result, {})
    assert_error(result, "trust_certificate", "certificate_mismatch")
    assert result["description_placeholders"]["fingerprint"] == sim.fingerprint

    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_trust_step_certificate_changed_and_gone(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The certificate changed and the server is gone: say why on the trust step."""
    result: Any = await start_user(hass)
    with patch.object(
        flow_module,
        "async_read_fingerprint",
        side_effect=[
            WRONG_FINGERPRINT,
            IapConnectionError("gone", ConnectionFailure.REFUSED),
            sim.fingerprint,
        ],
    ):
        result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
        result = await configure(hass, result, {})
        assert_error(result, "trust_certificate", "connection_refused")
        # The shown fingerprint is still refused; the next read works again.
        result = await configure(hass, result, {})
        assert_error(result, "trust_certificate", "certificate_mismatch")
    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_trust_step_unknown_error(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """An unexpected exception on the trust step returns to the user form."""
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim))
    with patch.object(flow_module, "async_identify", side_effect=RuntimeError("boom")):
        result = await configure(hass, result, {})
    assert_error(result, "user", "unknown")
    result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


# -- duplicates ---------------------------------------------------------------------------


async def test_user_flow_same_host_aborts(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """The same host and port cannot be added twice."""
    mock_config_entry.add_to_hass(hass)
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_same_smartserver_aborts(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The same SmartServer under another address is recognised by its uid."""
    MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, host="smartserver.local"),
    ).add_to_hass(hass)
    result: Any = await start_user(hass)
    result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_logout_failure_is_ignored(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A failing logout after the connection test does not fail the flow."""
    result = await start_user(hass)
    with patch.object(IapClient, "close", side_effect=IapError("gone")):
        result = await configure(hass, result, user_input(sim, certificate=CERT_PIN))
        result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


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
    assert result["description_placeholders"]["host"] == sim.host

    credentials = {CONF_USERNAME: USERNAME, CONF_PASSWORD: "still wrong"}
    result = await configure(hass, result, credentials)
    assert_error(result, "reauth_confirm", "invalid_auth")
    with patch.object(flow_module, "async_identify", side_effect=RuntimeError("boom")):
        result = await configure(hass, result, credentials)
    assert_error(result, "reauth_confirm", "unknown")

    result = await configure(
        hass, result, {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_PASSWORD] == PASSWORD
    await hass.async_block_till_done()


async def test_reauth_certificate_mismatch(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """A replaced certificate is reported on the reauth form; reconfigure fixes it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, fingerprint=WRONG_FINGERPRINT),
    )
    entry.add_to_hass(hass)
    reauth: Any = await entry.start_reauth_flow(hass)
    credentials = {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    reauth = await configure(hass, reauth, credentials)
    assert_error(reauth, "reauth_confirm", "certificate_mismatch")

    result: Any = await entry.start_reconfigure_flow(hass)
    result = await configure(hass, result, address(sim))
    result = await confirm_trust_if_asked(hass, result, sim)
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    # The entry works again, and Home Assistant ends the reauth flow it no longer needs.
    assert entry.state is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reauth_other_smartserver(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Reauth against a different SmartServer aborts."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="someone else", data=entry_data(sim)
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reauth_flow(hass)
    result = await configure(
        hass, result, {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
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
    assert result["errors"] == {}

    wrong_port = {
        CONF_HOST: sim.host,
        CONF_PORT: closed_port(),
        "certificate": CERT_PIN,
    }
    result = await configure(hass, result, wrong_port)
    assert_error(result, "reconfigure", "connection_refused")

    result = await configure(
        hass,
        result,
        address(sim),
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
        data=entry_data(sim, fingerprint=WRONG_FINGERPRINT),
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reconfigure_flow(hass)
    result = await configure(
        hass,
        result,
        address(sim),
    )
    assert result["step_id"] == "trust_certificate"
    assert result["description_placeholders"]["fingerprint"] == sim.fingerprint

    # The user changes the password on the SmartServer meanwhile: back to the form.
    sim.auth.users[USERNAME] = "changed"
    result = await configure(hass, result, {})
    assert_error(result, "reconfigure", "invalid_auth")
    sim.auth.users[USERNAME] = PASSWORD

    # The certificate was confirmed in this flow: not asked for again.
    result = await configure(
        hass,
        result,
        address(sim, certificate=CERT_SYSTEM),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_FINGERPRINT] == sim.fingerprint
    await hass.async_block_till_done()


@pytest.mark.usefixtures("system_trusts_sim")
async def test_reconfigure_to_system_trust(
    hass: HomeAssistant, sim: SmartServerSim, mock_config_entry: MockConfigEntry
) -> None:
    """A certificate the system now trusts replaces the pin."""
    mock_config_entry.add_to_hass(hass)
    result: Any = await mock_config_entry.start_reconfigure_flow(hass)
    result = await configure(
        hass,
        result,
        address(sim, certificate=CERT_SYSTEM),
    )
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_FINGERPRINT] is None
    await hass.async_block_till_done()


async def test_reconfigure_pinned_certificate_refused(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """The presented fingerprint equals the pin but the connection refuses it: mismatch."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim, fingerprint=WRONG_FINGERPRINT),
    )
    entry.add_to_hass(hass)
    result: Any = await entry.start_reconfigure_flow(hass)
    with patch.object(
        flow_module, "async_read_fingerprint", return_value=WRONG_FINGERPRINT
    ):
        result = await configure(
            hass,
            result,
            address(sim),
        )
    assert_error(result, "reconfigure", "certificate_mismatch")
    result = await configure(
        hass,
        result,
        address(sim),
    )
    result = await confirm_trust_if_asked(hass, result, sim)
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()


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
        result = await configure(
            hass,
            result,
            address(other),
        )
        assert result["step_id"] == "trust_certificate"
        result = await configure(hass, result, {})
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "unique_id_mismatch"


# -- texts --------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.parametrize("section", ["config", "options"])
def test_no_form_says_the_same_thing_twice(section: str) -> None:
    """No five-word run appears in two texts of one form (description and fields)."""
    for step_id, step in STRINGS[section]["step"].items():
        texts = [
            step.get("description", ""),
            *step.get("data_description", {}).values(),
        ]
        seen: dict[tuple[str, ...], int] = {}
        for index, text in enumerate(texts):
            words = _words(text)
            for start in range(len(words) - 4):
                run = tuple(words[start : start + 5])
                assert seen.setdefault(run, index) == index, (step_id, " ".join(run))
