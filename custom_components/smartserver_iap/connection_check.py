"""The flows' connection test: log in, identify the SmartServer, name what failed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import CONF_HOST, CONF_PORT

from .connection import create_client
from .iap.errors import (
    ConnectionFailure,
    IapAuthenticationError,
    IapCertificateError,
    IapConnectionError,
    IapError,
    IapLockedOutError,
)
from .iap.tls import fetch_fingerprint

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

    from .iap.models import Device

_LOGGER = logging.getLogger(__name__)

# Form error keys: each failure says what to check.
_CONNECTION_ERRORS: Final = {
    ConnectionFailure.REFUSED: "connection_refused",
    ConnectionFailure.NOT_FOUND: "host_not_found",
    ConnectionFailure.NOT_HTTPS: "not_https",
    ConnectionFailure.TIMEOUT: "timeout_connect",
    ConnectionFailure.OTHER: "cannot_connect",
}


def error_key(err: IapError) -> str:
    """Return the form error that tells the user how to fix ``err``."""
    if isinstance(err, IapLockedOutError):
        return "locked_out"
    if isinstance(err, IapAuthenticationError):
        return "invalid_auth"
    if isinstance(err, IapCertificateError):
        return "certificate_mismatch"
    if isinstance(err, IapConnectionError):
        return _CONNECTION_ERRORS[err.reason]
    return "cannot_connect"


async def async_identify(hass: HomeAssistant, data: Mapping[str, Any]) -> Device:
    """Log in with entry ``data`` and return the SmartServer's own device.

    Raises the client's errors (``IapError`` and its subclasses).
    """
    client = create_client(hass, data)
    try:
        await client.login()
        return await client.get_smartserver()
    finally:
        try:
            await client.close()
        except IapError:
            _LOGGER.debug("Logging out after the connection test failed", exc_info=True)


async def async_read_fingerprint(data: Mapping[str, Any]) -> str:
    """Return the fingerprint of the certificate presented at ``data``'s address.

    Raises IapConnectionError (with its reason) when nothing TLS answers there.
    """
    return await fetch_fingerprint(data[CONF_HOST], data[CONF_PORT])
