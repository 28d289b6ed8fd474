"""Failures people can see: repair issues for a new certificate, a lockout, a permission."""

from __future__ import annotations

import json
import logging
from pathlib import Path
import re
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smartserver_iap.const import CONF_FINGERPRINT, DOMAIN
from custom_components.smartserver_iap.iap import IapProtocolError
from custom_components.smartserver_iap.iap.events import ConnectionLost
from custom_components.smartserver_iap.issues import KINDS
from smartserver_sim import SimOptions, SmartServerSim

from .conftest import SMARTSERVER_UID, entry_data, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    import pytest

LOGGER = "custom_components.smartserver_iap"
WRONG_FINGERPRINT = ":".join(["AA"] * 32)


def issues_of(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, ir.IssueEntry]:
    """Return the entry's repair issues by kind."""
    registry = ir.async_get(hass)
    return {
        kind: issue
        for kind in KINDS
        if (issue := registry.async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}"))
    }


async def set_up(
    hass: HomeAssistant, sim: SmartServerSim, **changes: object
) -> MockConfigEntry:
    """Set up an entry for ``sim`` whose data differ by ``changes``; it may fail."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SMARTSERVER_UID, data=entry_data(sim, **changes)
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def entry_state(entry: MockConfigEntry) -> ConfigEntryState:
    """Return the state (a call, so type narrowing does not stick)."""
    return entry.state  # type: ignore[no-any-return,unused-ignore]


def info_lines(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    """Return the integration's own INFO lines (not Home Assistant's retry lines)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(f"{LOGGER}.")
        and r.levelno == logging.INFO
        and text in r.getMessage()
    ]


async def test_certificate_changed_at_setup(
    hass: HomeAssistant, sim: SmartServerSim, caplog: pytest.LogCaptureFixture
) -> None:
    """A pinned certificate the SmartServer no longer has: an issue with the new one.

    Trusting the presented certificate (what Reconfigure does) removes the issue.
    """
    caplog.set_level(logging.INFO, logger=LOGGER)
    entry = await set_up(hass, sim, **{CONF_FINGERPRINT: WRONG_FINGERPRINT})
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "certificate_mismatch"
    assert entry.reason is not None
    assert str(sim.fingerprint) in entry.reason
    (issue,) = issues_of(hass, entry).values()
    assert issue.translation_key == "certificate_mismatch"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["fingerprint"] == sim.fingerprint
    assert issue.translation_placeholders["host"] == sim.host
    (line,) = info_lines(caplog, "not the trusted one")
    assert str(sim.fingerprint) in line
    assert "SmartServer" in line

    # A second attempt logs nothing new: the cause was said once.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(info_lines(caplog, "not the trusted one")) == 1

    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_FINGERPRINT: sim.fingerprint}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry_state(entry) is ConfigEntryState.LOADED
    assert not issues_of(hass, entry)


async def test_certificate_replaced_while_running(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    sim_options: SimOptions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The SmartServer comes back with another certificate: an issue, said once."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    coordinator = init_integration.runtime_data
    await sim.stop()
    async with SmartServerSim(sim.scenario, port=sim.port, options=sim_options) as new:
        await wait_for(lambda: bool(issues_of(hass, init_integration)), timeout=10)
        (issue,) = issues_of(hass, init_integration).values()
        assert issue.translation_key == "certificate_mismatch"
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["fingerprint"] == new.fingerprint
        assert not coordinator.connected
        (line,) = info_lines(caplog, "not the trusted one")
        assert str(new.fingerprint) in line
        assert coordinator.label in line

        # The user compared the fingerprint and trusts it (Reconfigure): back, no issue.
        hass.config_entries.async_update_entry(
            init_integration,
            data={**init_integration.data, CONF_FINGERPRINT: new.fingerprint},
        )
        await hass.config_entries.async_reload(init_integration.entry_id)
        await hass.async_block_till_done()
        assert init_integration.state is ConfigEntryState.LOADED
        assert not issues_of(hass, init_integration)
        assert await hass.config_entries.async_unload(init_integration.entry_id)


async def test_locked_out_at_setup(hass: HomeAssistant, sim: SmartServerSim) -> None:
    """A lockout: retried later, with an issue that says to wait (no reauth)."""
    sim.options.lockout_failures = 1
    sim.options.lockout_duration = 60
    entry = await set_up(hass, sim, **{CONF_PASSWORD: "wrong"})
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "locked_out"
    (issue,) = issues_of(hass, entry).values()
    assert issue.translation_key == "locked_out"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["minutes"] == "1"
    assert issue.translation_placeholders["username"] == entry.data["username"]
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    # Removing the entry takes its issue along.
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not issues_of(hass, entry)


async def test_locked_out_while_running(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Someone else's failed logins lock the user while the link is down: an issue."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    sim.options.lockout_failures = 1
    sim.auth.users["apollo"] = "changed"
    await sim.expire_sessions()
    # The login with the saved (now wrong) password locks the user out at once.
    await wait_for(lambda: bool(issues_of(hass, init_integration)), timeout=10)
    (issue,) = issues_of(hass, init_integration).values()
    assert issue.translation_key == "locked_out"
    assert len(info_lines(caplog, "locked the user out")) == 1


async def test_permission_denied_while_running(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The user may no longer subscribe: an issue until the SmartServer allows it."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    coordinator = init_integration.runtime_data
    sim.inject_http_errors(403, 1000, "/iap/dp/updates/subscribe")
    await sim.drop_websockets()
    await wait_for(lambda: bool(issues_of(hass, init_integration)))
    (issue,) = issues_of(hass, init_integration).values()
    assert issue.translation_key == "permission_denied"
    assert issue.translation_placeholders is not None
    assert "403" in issue.translation_placeholders["error"]
    (line,) = info_lines(caplog, "refuses a request")
    assert coordinator.label in line
    sim.http_errors.clear()
    await wait_for(lambda: coordinator.connected, timeout=10)
    assert not issues_of(hass, init_integration)


async def test_permission_denied_at_setup(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    sim.inject_http_errors(403, 1000, "/iap/devs")
    entry = await set_up(hass, sim)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "permission_denied"
    (issue,) = issues_of(hass, entry).values()
    assert issue.translation_key == "permission_denied"


async def test_plain_outages_raise_no_issue(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A SmartServer that is just away is an outage, not something to repair."""
    coordinator = init_integration.runtime_data
    coordinator.handle_event(
        ConnectionLost("odd answer", error=IapProtocolError("HTTP 418"))
    )
    assert not coordinator.connected
    assert not issues_of(hass, init_integration)


async def test_certificate_untrusted_at_setup(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    """Verified by the system's authorities, a self-signed certificate fails: say so."""
    entry = await set_up(hass, sim, **{CONF_FINGERPRINT: None})
    assert entry.error_reason_translation_key == "certificate_untrusted"
    (issue,) = issues_of(hass, entry).values()
    assert issue.translation_key == "certificate_untrusted"


def test_every_kind_is_translated() -> None:
    """Each kind has an issue text and a setup-error text with the same placeholders."""
    root = Path(__file__).parents[2] / "custom_components" / "smartserver_iap"
    strings = json.loads((root / "strings.json").read_text(encoding="utf-8"))
    for kind in KINDS:
        issue = strings["issues"][kind]
        assert issue["title"]
        message = strings["exceptions"][kind]["message"]
        used = set(re.findall(r"{(\w+)}", message))
        assert used <= {"host", "fingerprint", "minutes", "error"}, kind
        assert used <= set(re.findall(r"{(\w+)}", issue["description"])) | {"host"}
