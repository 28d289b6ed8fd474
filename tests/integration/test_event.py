"""The event platform: the hub's alarm events, and a disabled one per device."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.helpers import entity_registry as er
import pytest

from .alarm_helpers import EventLog, Ids
from .conftest import setup_entry, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from syrupy.assertion import SnapshotAssertion


async def test_event_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    log: EventLog,
) -> None:
    """The hub's event entity and one per device; the active alarm announced once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("custom_components.smartserver_iap.PLATFORMS", [Platform.EVENT])
        await setup_entry(hass, mock_config_entry)
    ids = Ids(hass, mock_config_entry)
    await wait_for(lambda: bool(log.of(ids.hub_events, "alarm_raised")))
    await hass.async_block_till_done()
    entries = sorted(
        er.async_entries_for_config_entry(entity_registry, mock_config_entry.entry_id),
        key=lambda e: e.entity_id,
    )
    assert entries
    for entry in entries:
        assert entry == snapshot(name=f"{entry.entity_id}-entry")
        state = hass.states.get(entry.entity_id)
        if state is None:
            # A device's alarm events are disabled by default.
            assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
            assert entry.unique_id != f"{ids.uid}_alarms"
            continue
        # The instants differ per run; the rest must not.
        attributes = {
            key: "<instant>" if key == "raised_at" and value else value
            for key, value in state.attributes.items()
        }
        shown = state.state if state.state == "unknown" else "<instant>"
        assert (shown, attributes) == snapshot(name=f"{entry.entity_id}-state")
    # Announced once.
    assert log.ids(ids.hub_events, "alarm_raised") == [1000]
