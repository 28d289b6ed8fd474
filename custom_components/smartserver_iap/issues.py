"""What a person must fix, as repair issues: certificate, lockout, permission, takeover.

Retrying alone does not cure them (or only after a while), and a log line at setup or
a link that keeps retrying in the background is not something people see. Each entry
has at most one problem issue at a time; it goes away once the SmartServer answers
again. The takeover issue goes away after a quiet day.
"""

from __future__ import annotations

from datetime import timedelta
import logging
import math
from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_HOST, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN
from .iap.errors import IapCertificateError, IapLockedOutError, IapPermissionError

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .iap.errors import IapError

_LOGGER = logging.getLogger(__name__)

# The kinds of problem, each a translation key under "issues" and "exceptions".
CERTIFICATE_CHANGED = "certificate_mismatch"
CERTIFICATE_UNTRUSTED = "certificate_untrusted"
LOCKED_OUT = "locked_out"
PERMISSION_DENIED = "permission_denied"
KINDS = (CERTIFICATE_CHANGED, CERTIFICATE_UNTRUSTED, LOCKED_OUT, PERMISSION_DENIED)
# Another session of the same user took the subscription (not a failure: no KIND).
SUBSCRIPTION_TAKEN_OVER = "subscription_taken_over"
QUIET_PERIOD = timedelta(hours=24)

_SEVERITY = {
    CERTIFICATE_CHANGED: ir.IssueSeverity.ERROR,
    CERTIFICATE_UNTRUSTED: ir.IssueSeverity.ERROR,
    LOCKED_OUT: ir.IssueSeverity.WARNING,
    PERMISSION_DENIED: ir.IssueSeverity.ERROR,
}
# What the INFO log line says, once per problem.
_CAUSE = {
    CERTIFICATE_CHANGED: "presents a certificate that is not the trusted one "
    "(SHA-256 %(fingerprint)s); if it was replaced on purpose, compare that "
    "fingerprint and reconfigure the entry to trust it",
    CERTIFICATE_UNTRUSTED: "presents a certificate the system does not trust; "
    "reconfigure the entry to trust the certificate it presents",
    LOCKED_OUT: "locked the user out after too many failed logins; Home Assistant "
    "tries again in about %(minutes)s min",
    PERMISSION_DENIED: "refuses a request of the user (%(error)s); give the user "
    "the permission on the SmartServer",
}


def problem_of(err: IapError) -> tuple[str, dict[str, str]] | None:
    """Return the kind of problem an error is and what its message needs, if any."""
    if isinstance(err, IapCertificateError):
        if err.fingerprint:
            return CERTIFICATE_CHANGED, {"fingerprint": err.fingerprint}
        return CERTIFICATE_UNTRUSTED, {}
    if isinstance(err, IapLockedOutError):
        minutes = math.ceil((err.retry_after or 60.0) / 60.0)
        return LOCKED_OUT, {"minutes": str(minutes)}
    if isinstance(err, IapPermissionError):
        return PERMISSION_DENIED, {"error": str(err)}
    return None


class ProblemIssues:
    """The repair issue of one entry, raised by errors and cleared when they end."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Bind to the entry; an issue left from an earlier run is kept until cleared."""
        self._hass = hass
        self._entry = entry

    def _issue_id(self, kind: str) -> str:
        return f"{kind}_{self._entry.entry_id}"

    def report(self, err: IapError, label: str) -> bool:
        """Raise the issue ``err`` calls for; return False if it calls for none.

        ``label`` names the SmartServer in the log line, which is written once per
        problem, not once per retry.
        """
        problem = problem_of(err)
        if problem is None:
            return False
        kind, placeholders = problem
        data = self._entry.data
        placeholders = {
            "name": self._entry.title,
            "host": str(data[CONF_HOST]),
            "username": str(data.get(CONF_USERNAME, "")),
            **placeholders,
        }
        issue_id = self._issue_id(kind)
        if ir.async_get(self._hass).async_get_issue(DOMAIN, issue_id) is None:
            # Once per problem, across retries and setup attempts.
            _LOGGER.info("%s %s", label, _CAUSE[kind] % placeholders)
            self._delete_others(kind)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=_SEVERITY[kind],
            translation_key=kind,
            translation_placeholders=placeholders,
        )
        return True

    def clear(self) -> None:
        """The SmartServer answers again: no issue of this entry stands."""
        self._delete_others(None)

    def _delete_others(self, keep: str | None) -> None:
        for kind in KINDS:
            if kind != keep:
                ir.async_delete_issue(self._hass, DOMAIN, self._issue_id(kind))


class TakeoverIssue:
    """The repair issue of one entry's stolen subscription.

    The SmartServer keeps one subscribe list per user; another session of the same
    user (its web pages, a second integration) replaces it and takes the updates
    away. The live listener takes the list back; the issue tells the user why it keeps
    happening, and goes away after ``QUIET_PERIOD`` without another takeover.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, host: str) -> None:
        """Bind to the entry; no issue until a takeover is reported."""
        self._hass = hass
        self._entry = entry
        self._host = host
        self.issue_id = f"{SUBSCRIPTION_TAKEN_OVER}_{entry.entry_id}"
        self._quiet_timer: CALLBACK_TYPE | None = None

    @callback
    def reported(self, healed: bool, label: str) -> None:
        """A takeover happened: warn, raise the issue, restart the quiet period.

        ``label`` names the SmartServer in the log line.
        """
        _LOGGER.warning(
            "Another session of the same user took over the datapoint subscription "
            "of %s (taken back: %s); give Home Assistant a dedicated SmartServer user",
            label,
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
            translation_key=SUBSCRIPTION_TAKEN_OVER,
            translation_placeholders={"host": self._host, "name": self._entry.title},
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
