"""A stolen subscription as a repair issue: the user should give Home Assistant its own login.

The SmartServer keeps one subscribe list per user; another session of the same user (the
SmartServer's web pages, a second integration) replaces it and takes the updates away.
The live listener takes the list back; this module tells the user why it keeps
happening, and withdraws the issue after ``QUIET_PERIOD`` without another takeover.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

_LOGGER = logging.getLogger(__name__)

QUIET_PERIOD = timedelta(hours=24)
ISSUE_KEY = "subscription_taken_over"


class TakeoverIssue:
    """The repair issue of one entry's stolen subscription."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, host: str) -> None:
        """Bind to the entry; no issue until a takeover is reported."""
        self._hass = hass
        self._entry = entry
        self._host = host
        self.issue_id = f"{ISSUE_KEY}_{entry.entry_id}"
        self._quiet_timer: CALLBACK_TYPE | None = None

    @callback
    def reported(self, healed: bool) -> None:
        """A takeover happened: warn, raise the issue, restart the quiet period."""
        _LOGGER.warning(
            "Another session of the same user took over the datapoint subscription "
            "of SmartServer %s (taken back: %s); give Home Assistant a dedicated "
            "SmartServer user",
            self._host,
            "yes" if healed else "no",
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            # Not persistent: after a restart only a new takeover raises it again.
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_KEY,
            translation_placeholders={"host": self._host, "title": self._entry.title},
        )
        if self._quiet_timer is not None:
            self._quiet_timer()
        self._quiet_timer = async_call_later(self._hass, QUIET_PERIOD, self._quiet)

    @callback
    def _quiet(self, _now: Any) -> None:
        self._quiet_timer = None
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)

    @callback
    def async_shutdown(self) -> None:
        """Withdraw the issue: nothing watches for takeovers after the unload."""
        if self._quiet_timer is not None:
            self._quiet_timer()
            self._quiet_timer = None
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)
