"""Switches: SNVT_switch inputs that drive no lamp (fans, pumps, enables), on or off."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.helpers import config_validation as cv
import probatio as vol

from .datapoint_types import SWITCH_OFF, switch_state, switch_value
from .entity import SmartServerControlEntity, datapoint_platform, invalid_value

if TYPE_CHECKING:
    from .datapoint_types import DatapointSwitchDescription
    from .iap.models import JsonValue

# Writes are coalesced per datapoint in writes.py; calls need no limit here.
PARALLEL_UPDATES = 0


def on_off(entity: str, value: Any) -> bool:
    """Return a truth value of an action (on/off, true/false, 1/0)."""
    try:
        return bool(cv.boolean(value))
    except vol.Invalid:
        raise invalid_value(entity, value, "on or off") from None


class SmartServerSwitch(SmartServerControlEntity, SwitchEntity):
    """A SNVT_switch input as on/off: on is 100 % and state 1, off 0 % and state 0."""

    entity_description: DatapointSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """Return the reported state (None when the SmartServer reports it invalid)."""
        return switch_state(self._value)

    def value_to_write(self, value: Any) -> JsonValue:
        """Return the SNVT_switch value for on or off."""
        return switch_value(100.0) if on_off(self.entity_id, value) else SWITCH_OFF

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on; return once the SmartServer reports it."""
        await self.async_write(switch_value(100.0))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off; return once the SmartServer reports it."""
        await self.async_write(SWITCH_OFF)


# A switch per followed SNVT_switch input that drives no lamp.
async_setup_entry = datapoint_platform(SmartServerSwitch, attrgetter("switches"))
