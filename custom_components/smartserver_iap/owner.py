"""What every part of a coordinator (alarms, inventory, history) may use of it.

The parts cannot import the coordinator, which imports them; each part's own protocol
adds what it needs beyond this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .iap.client import IapClient
    from .iap.site import Site


class PartOwner(Protocol):
    """The coordinator as its parts see it."""

    hass: HomeAssistant
    config_entry: ConfigEntry
    client: IapClient
    site: Site

    @property
    def closed(self) -> bool:
        """Return True once the owner shut down."""

    @property
    def host(self) -> str:
        """Return the SmartServer's host (task names)."""

    @property
    def label(self) -> str:
        """Return how logs name the SmartServer."""
