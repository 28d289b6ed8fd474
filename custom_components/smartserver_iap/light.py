"""Lights: SNVT_switch inputs that drive a lamp, dimmable by their level."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode

from .datapoint_types import SWITCH_OFF, switch_level, switch_state, switch_value
from .entity import SmartServerControlEntity, datapoint_platform, invalid_value
from .switch import on_off

if TYPE_CHECKING:
    from .datapoint_types import DatapointLightDescription
    from .iap.models import JsonValue

# Writes are coalesced per datapoint in writes.py; calls need no limit here.
PARALLEL_UPDATES = 0


class SmartServerLight(SmartServerControlEntity, LightEntity):
    """A lamp: on/off from the SNVT_switch state, brightness from its level (0–100 %)."""

    entity_description: DatapointLightDescription
    _attr_color_mode = ColorMode.BRIGHTNESS
    # Declared an instance attribute by Home Assistant; never mutated.
    _attr_supported_color_modes = {ColorMode.BRIGHTNESS}  # noqa: RUF012
    # Levels are sent in 0.5 % steps; a reported level may differ by rounding.
    _tolerance = 0.25

    @property
    def is_on(self) -> bool | None:
        """Return the reported state (None when the SmartServer reports it invalid)."""
        return switch_state(self._value)

    @property
    def brightness(self) -> int | None:
        """Return the reported level as 0–255."""
        level = switch_level(self._value)
        return None if level is None else round(level * 255 / 100)

    def value_to_write(self, value: Any) -> JsonValue:
        """Return the SNVT_switch value for a level in percent (0 is off), or on/off."""
        level = _number(value)
        if level is None:
            return switch_value(100.0) if on_off(self.entity_id, value) else SWITCH_OFF
        if not 0.0 <= level <= 100.0:
            raise invalid_value(self.entity_id, value, "a level from 0 to 100 %")
        return switch_value(level)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on at the brightness asked for (else full); wait until reported."""
        brightness = kwargs.get(ATTR_BRIGHTNESS)
        level = 100.0 if brightness is None else max(brightness * 100 / 255, 0.5)
        await self.async_write(switch_value(level))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off; return once the SmartServer reports it."""
        await self.async_write(SWITCH_OFF)


# A light per followed SNVT_switch input that drives a lamp.
async_setup_entry = datapoint_platform(SmartServerLight, attrgetter("lights"))


def _number(value: Any) -> float | None:
    """Return a number given as a number or as text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
