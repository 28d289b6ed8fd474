"""How the integration reaches a SmartServer: the client built from entry data."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from .const import CONF_FINGERPRINT, CONF_TAKEOVER_CHECK, DEFAULT_PORT, DOMAIN
from .iap.client import IapClient
from .iap.live import LiveOptions
from .iap.tls import TlsTrust

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

# Timings of the live link (heartbeat, back-off, takeover probe) for every entry of
# this Home Assistant; absent = the client's defaults. Tests set short ones.
LIVE_TIMINGS: HassKey[LiveOptions] = HassKey(f"{DOMAIN}_live_timings")


def live_options(hass: HomeAssistant, options: Mapping[str, Any]) -> LiveOptions:
    """Return the live link's settings: the timings, and the entry's options."""
    timings = hass.data.get(LIVE_TIMINGS) or LiveOptions()
    if options.get(CONF_TAKEOVER_CHECK, True):
        return timings
    return replace(timings, probe_interval=None)


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
) -> IapClient:
    """Build a client from entry data (and options) on Home Assistant's shared session.

    Sharing is safe: the client sends its session cookie explicitly on every request
    and evicts it from the shared jar as soon as a response sets it, so two
    SmartServers (or two users of one) never see each other's session.
    """
    fingerprint: str | None = data.get(CONF_FINGERPRINT)
    return IapClient(
        async_get_clientsession(hass),
        data[CONF_HOST],
        data.get(CONF_PORT, DEFAULT_PORT),
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        trust=TlsTrust.pinned(fingerprint) if fingerprint else TlsTrust.system(),
        live=live_options(hass, options or {}),
    )


def configuration_url(host: str, port: int) -> str:
    """Return the SmartServer's CMS address (IPv6 hosts are bracketed)."""
    return str(URL.build(scheme="https", host=host, port=port, path="/cms/"))
