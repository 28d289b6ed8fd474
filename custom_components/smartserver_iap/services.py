"""The integration's actions, registered once when the integration loads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback

from .history_action import async_register_history_action

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    async_register_history_action(hass)
