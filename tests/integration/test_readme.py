"""The README's examples name entities the demo really creates."""

from __future__ import annotations

from pathlib import Path
import re
from typing import TYPE_CHECKING

from homeassistant.helpers import entity_registry as er

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

README = Path(__file__).parents[2] / "README.md"
# Entity ids, not the actions of a domain (``action: number.set_value``).
ENTITY_ID = re.compile(
    r"(?<!action: )\b(?:sensor|binary_sensor|number|select|switch|light)\.[a-z0-9_]+\b"
)


def readme_entity_ids() -> set[str]:
    """Return every entity id the README names."""
    return set(ENTITY_ID.findall(README.read_text(encoding="utf-8")))


async def test_readme_entity_ids_exist(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each entity id in the README exists on the default scenario (the demo)."""
    named = readme_entity_ids()
    assert "sensor.air_quality_meeting_room_co2" in named
    registry = er.async_get(hass)
    created = {
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            registry, init_integration.entry_id
        )
    }
    assert named <= created, sorted(named - created)
    for entity_id in named:
        assert hass.states.get(entity_id) is not None, entity_id
