"""The integration's actions, registered once in ``async_setup``.

Each capability keeps its actions in its own module and registers them here with one
call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback

from .write_actions import async_register_write_actions

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    async_register_write_actions(hass)
