"""Numbers: numeric input datapoints (setpoints, limits, delays) Home Assistant writes."""

from __future__ import annotations

import math
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from homeassistant.components.number import NumberEntity
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .datapoint_types import on_step
from .entity import SmartServerControlEntity, datapoint_platform, invalid_value

if TYPE_CHECKING:
    from .datapoint_types import DatapointNumberDescription
    from .iap.models import JsonValue

# Writes are coalesced per datapoint in writes.py; calls need no limit here.
PARALLEL_UPDATES = 0


class SmartServerNumber(SmartServerControlEntity, NumberEntity):
    """A numeric input: its value as the SmartServer reports it, within its type's range."""

    entity_description: DatapointNumberDescription

    def __init__(self, *args: Any) -> None:
        """Accept reported numbers within half a step of the one written."""
        super().__init__(*args)
        step = self.entity_description.native_step
        self._tolerance = step / 2 if step else 0.0

    @property
    def native_value(self) -> float | None:
        """Return the reported value; one outside the type's range is unknown."""
        value = self.entity_description.value_fn(self._value)
        if value is None or not (
            self.native_min_value <= value <= self.native_max_value
        ):
            return None
        return value

    def value_to_write(self, value: Any) -> JsonValue:
        """Return the number to write: within the type's range, on its step."""
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise invalid_value(self.entity_id, value, "a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid_value(self.entity_id, value, "a number")
        if not math.isfinite(value) or not (
            self.native_min_value <= value <= self.native_max_value
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="value_out_of_range",
                translation_placeholders={
                    "entity": self.entity_id,
                    "value": str(value),
                    "min": str(self.native_min_value),
                    "max": str(self.native_max_value),
                },
            )
        return on_step(value, self.entity_description.native_step)

    async def async_set_native_value(self, value: float) -> None:
        """Write the value; return once the SmartServer reports it."""
        await self.async_write(self.value_to_write(value))


# A number per followed numeric input.
async_setup_entry = datapoint_platform(SmartServerNumber, attrgetter("numbers"))
