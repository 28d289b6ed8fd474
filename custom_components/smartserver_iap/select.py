"""Selects: enumeration inputs (HVAC mode, occupancy, levels) Home Assistant writes."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from homeassistant.components.select import SelectEntity

from .datapoint_types import enum_value
from .entity import SmartServerControlEntity, datapoint_platform, invalid_value

if TYPE_CHECKING:
    from .datapoint_types import DatapointSelectDescription
    from .iap.models import JsonValue

# Writes are coalesced per datapoint in writes.py; calls need no limit here.
PARALLEL_UPDATES = 0


class SmartServerSelect(SmartServerControlEntity, SelectEntity):
    """An enumeration input: the member the SmartServer reports."""

    entity_description: DatapointSelectDescription

    @property
    def current_option(self) -> str | None:
        """Return the reported member as an option (``heat``)."""
        return self.entity_description.value_fn(self._value)

    def value_to_write(self, value: Any) -> JsonValue:
        """Return the member to write for an option (``heat``) or member (``HVAC_HEAT``)."""
        description = self.entity_description
        options = description.options or []
        if isinstance(value, str):
            option = value.strip().lower().removeprefix(description.prefix)
            if option in options:
                return enum_value(description, option)
        raise invalid_value(self.entity_id, value, ", ".join(options))

    async def async_select_option(self, option: str) -> None:
        """Write the member; return once the SmartServer reports it."""
        await self.async_write(self.value_to_write(option))


# A select per followed enumeration input.
async_setup_entry = datapoint_platform(SmartServerSelect, attrgetter("selects"))
