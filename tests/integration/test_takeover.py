"""A stolen subscription raises a repair issue; a quiet day withdraws it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.smartserver_iap.connection import LIVE_TIMINGS
from custom_components.smartserver_iap.const import DOMAIN
from custom_components.smartserver_iap.iap.events import SubscriptionTakenOver
from custom_components.smartserver_iap.issues import TakeoverIssue

from .conftest import FAST_LIVE, USERNAME, setup_entry, wait_for

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim


async def test_issue_raised_and_withdrawn(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each takeover restarts the quiet period; 24 h without one removes the issue."""
    entry = MockConfigEntry(domain=DOMAIN, title="Plant room")
    entry.add_to_hass(hass)
    takeover = TakeoverIssue(hass, entry, "smartserver.local")
    issue_id = f"subscription_taken_over_{entry.entry_id}"

    takeover.reported(healed=True, label="SmartServer 'Plant room' (smartserver.local)")
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "subscription_taken_over"
    assert issue.translation_placeholders == {
        "host": "smartserver.local",
        "name": "Plant room",
    }
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert not issue.is_persistent

    await pass_time(hass, freezer, hours=20)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    # Another takeover: the quiet period starts again.
    takeover.reported(
        healed=False, label="SmartServer 'Plant room' (smartserver.local)"
    )
    await pass_time(hass, freezer, hours=20)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    await pass_time(hass, freezer, hours=4, minutes=1)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    # Shutting down afterwards has nothing left to cancel.
    takeover.async_shutdown()


async def pass_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float
) -> None:
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_issue_withdrawn_on_unload(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Nothing watches for takeovers once the entry is unloaded: no stale issue."""
    entry = init_integration
    entry.runtime_data.handle_event(SubscriptionTakenOver(healed=True))
    issue_id = f"subscription_taken_over_{entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_real_takeover_raises_issue(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Another session of the user replaces the subscription: the probe finds out."""
    hass.data[LIVE_TIMINGS] = replace(FAST_LIVE, probe_interval=0.05, probe_timeout=0.3)
    entry = await setup_entry(hass, mock_config_entry)
    await sim.steal_subscription(USERNAME, [])
    # A value changes and is never sent: proof the subscription was taken.
    co2 = next(q for q in entry.runtime_data.site.subscribed if q.endswith("/nvoCO2"))
    await sim.set_value(co2, 901)
    issue_id = f"subscription_taken_over_{entry.entry_id}"
    await wait_for(lambda: issue_registry.async_get_issue(DOMAIN, issue_id) is not None)
    # Taken back: the SmartServer's list is Home Assistant's again.
    await wait_for(
        lambda: sim.hub.subs[USERNAME] == set(entry.runtime_data.site.subscribed)
    )
