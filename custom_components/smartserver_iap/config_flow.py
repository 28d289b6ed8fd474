"""Config flow: add a SmartServer (by hand or discovered), reauthenticate, reconfigure."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .connection_check import async_identify, async_read_fingerprint, error_key
from .const import (
    CERT_PIN,
    CERT_SYSTEM,
    CONF_CERTIFICATE,
    CONF_FINGERPRINT,
    DEFAULT_PORT,
    DOMAIN,
)
from .iap.errors import IapCertificateError, IapError
from .options_flow import SmartServerOptionsFlow

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

    from .coordinator import SmartServerConfigEntry
    from .iap.models import Device

_LOGGER = logging.getLogger(__name__)

_CERTIFICATE_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[CERT_SYSTEM, CERT_PIN],
        translation_key=CONF_CERTIFICATE,
        mode=SelectSelectorMode.LIST,
    )
)
_PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
_PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_USERNAME_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.TEXT, autocomplete="username")
)


def _schema(*, host: bool, port: bool, credentials: bool, trust: bool) -> vol.Schema:
    """Return a form with the chosen groups of fields, in a fixed order."""
    fields: dict[Any, Any] = {}
    if host:
        fields[vol.Required(CONF_HOST)] = str
    if port:
        fields[vol.Required(CONF_PORT, default=DEFAULT_PORT)] = _PORT_SELECTOR
    if credentials:
        fields[vol.Required(CONF_USERNAME)] = _USERNAME_SELECTOR
        fields[vol.Required(CONF_PASSWORD)] = _PASSWORD_SELECTOR
    if trust:
        fields[vol.Required(CONF_CERTIFICATE, default=CERT_SYSTEM)] = (
            _CERTIFICATE_SELECTOR
        )
    return vol.Schema(fields)


# The fields of each step that tests a connection, by step id.
_FORMS = {
    "user": _schema(host=True, port=True, credentials=True, trust=True),
    "discovery_confirm": _schema(host=False, port=True, credentials=True, trust=True),
    "reconfigure": _schema(host=True, port=True, credentials=False, trust=True),
    "reauth_confirm": _schema(host=False, port=False, credentials=True, trust=False),
}


def _uid_of(device: Device) -> str:
    return device.uid or device.id


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class TrustRequired(Exception):
    """The user has to confirm the certificate the SmartServer presents first."""


class SmartServerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a SmartServer: test the connection, trust its certificate, then save."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing entered."""
        self._data: dict[str, Any] = {}
        # The fingerprint the trust step shows, and those confirmed in this flow.
        self._presented: str | None = None
        self._trusted: set[tuple[str, int, str]] = set()

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: SmartServerConfigEntry,
    ) -> SmartServerOptionsFlow:
        """Return the options flow (which devices and datapoints to follow)."""
        return SmartServerOptionsFlow()

    # -- connection test ---------------------------------------------------------------

    async def _async_connect(self, data: dict[str, Any], certificate: str) -> Device:
        """Log in with ``data``, trusting the certificate as ``certificate`` says.

        Raises TrustRequired when the user has to confirm a certificate first, and the
        client's errors when the SmartServer cannot be used.
        """
        self._data = data
        if certificate == CERT_PIN:
            presented = await async_read_fingerprint(data)
            if presented != data.get(CONF_FINGERPRINT):
                self._pin(presented)
            return await async_identify(self.hass, self._data)
        data[CONF_FINGERPRINT] = None
        try:
            return await async_identify(self.hass, data)
        except IapCertificateError:
            self._pin(await async_read_fingerprint(data))
        return await async_identify(self.hass, self._data)

    def _pin(self, presented: str) -> None:
        """Pin ``presented`` if it was confirmed in this flow; else ask for it."""
        self._presented = presented
        if (self._data[CONF_HOST], self._data[CONF_PORT], presented) not in (
            self._trusted
        ):
            raise TrustRequired
        self._data = {**self._data, CONF_FINGERPRINT: presented}

    async def _async_test(
        self,
        step_id: str,
        data: dict[str, Any],
        user_input: dict[str, Any],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Test ``data``: finish, ask to trust the certificate, or show the error."""
        try:
            device = await self._async_connect(data, user_input[CONF_CERTIFICATE])
        except TrustRequired:
            return await self.async_step_trust_certificate()
        except IapError as err:
            error = error_key(err)
        except Exception:
            _LOGGER.exception("Unexpected error while testing the SmartServer")
            error = "unknown"
        else:
            return await self._async_finish(device)
        return self._async_show(step_id, user_input, {"base": error}, placeholders)

    async def _async_finish(self, device: Device) -> ConfigFlowResult:
        """Create the entry, or update the reconfigured one (same SmartServer only)."""
        await self.async_set_unique_id(_uid_of(device), raise_on_progress=False)
        if self.source == SOURCE_RECONFIGURE:
            self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
            return self.async_update_reload_and_abort(
                self._get_reconfigure_entry(),
                data_updates={
                    key: self._data[key]
                    for key in (CONF_HOST, CONF_PORT, CONF_FINGERPRINT)
                },
            )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=device.name or self._data[CONF_HOST], data=self._data
        )

    def _async_show(
        self,
        step_id: str,
        suggested: Mapping[str, Any],
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Show the form of ``step_id``, filled in with ``suggested``."""
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(_FORMS[step_id], suggested),
            errors=errors or {},
            description_placeholders=placeholders,
        )

    # -- user --------------------------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the SmartServer's address, a user and how to trust its certificate."""
        if user_input is not None:
            data = {
                CONF_HOST: user_input[CONF_HOST].strip(),
                CONF_PORT: int(user_input[CONF_PORT]),
                CONF_USERNAME: user_input[CONF_USERNAME],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
            self._async_abort_entries_match(
                {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
            )
            return await self._async_test("user", data, user_input)
        return self._async_show("user", {})

    # -- discovery ---------------------------------------------------------------------

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """A network card of Echelon's asked for an address: offer to add it.

        A SmartServer's uid is its MAC address; a configured one that moved to a new
        address gets the new one once it answers there as the same SmartServer.
        """
        await self.async_set_unique_id(
            discovery_info.macaddress.replace(":", "").upper()
        )
        host = discovery_info.ip
        self._abort_if_unique_id_configured(updates=await self._async_moved_to(host))
        self._async_abort_entries_match({CONF_HOST: host})
        self._data = {CONF_HOST: host}
        self.context["title_placeholders"] = {"host": host}
        return await self.async_step_discovery_confirm()

    async def _async_moved_to(self, host: str) -> dict[str, Any] | None:
        """Return the entry update if the configured SmartServer now answers at ``host``.

        Only an entry configured by IP address follows: a host name follows the
        SmartServer by itself, and a certificate may be issued for that name.
        """
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, self.unique_id or ""
        )
        if entry is None or entry.source == SOURCE_IGNORE:
            return None
        old = entry.data[CONF_HOST]
        if old == host or not _is_ip_address(old):
            return None
        try:
            device = await async_identify(self.hass, {**entry.data, CONF_HOST: host})
        except IapError as err:
            _LOGGER.debug("%s does not answer as %s: %s", host, entry.title, err)
            return None
        if _uid_of(device) != self.unique_id:
            return None
        return {CONF_HOST: host}

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm the discovered SmartServer and ask for a user."""
        host = self._data[CONF_HOST]
        if user_input is not None:
            data = {
                CONF_HOST: host,
                CONF_PORT: int(user_input[CONF_PORT]),
                CONF_USERNAME: user_input[CONF_USERNAME],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
            return await self._async_test(
                "discovery_confirm", data, user_input, {"host": host}
            )
        return self._async_show("discovery_confirm", {}, placeholders={"host": host})

    # -- certificate -------------------------------------------------------------------

    async def async_step_trust_certificate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the certificate the SmartServer presented and pin it once confirmed."""
        errors: dict[str, str] = {}
        host, port = self._data[CONF_HOST], self._data[CONF_PORT]
        if user_input is not None:
            assert self._presented is not None
            self._trusted.add((host, port, self._presented))
            self._data = {**self._data, CONF_FINGERPRINT: self._presented}
            try:
                device = await async_identify(self.hass, self._data)
            except IapCertificateError:
                # The certificate changed since it was shown: show the new one.
                errors["base"] = "certificate_mismatch"
                try:
                    self._presented = await async_read_fingerprint(self._data)
                except IapError as err:
                    errors["base"] = error_key(err)
            except IapError as err:
                # Wrong credentials or address: back to the form where they are fixed.
                return self._async_show_origin({"base": error_key(err)})
            except Exception:
                _LOGGER.exception("Unexpected error while testing the SmartServer")
                return self._async_show_origin({"base": "unknown"})
            else:
                return await self._async_finish(device)
        return self.async_show_form(
            step_id="trust_certificate",
            description_placeholders={
                "host": f"{host}:{port}",
                "fingerprint": self._presented or "",
            },
            errors=errors,
        )

    def _async_show_origin(self, errors: dict[str, str]) -> ConfigFlowResult:
        """Show the form that led to the trust step again, the certificate trusted."""
        step_id = "user"
        if self.source == SOURCE_RECONFIGURE:
            step_id = "reconfigure"
        elif self.source == SOURCE_DHCP:
            step_id = "discovery_confirm"
        suggested = {**self._data, CONF_CERTIFICATE: CERT_PIN}
        suggested.pop(CONF_PASSWORD, None)
        return self._async_show(
            step_id, suggested, errors, {"host": suggested[CONF_HOST]}
        )

    # -- reauth ------------------------------------------------------------------------

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication when the SmartServer refuses the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the user name and password again."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = {
                CONF_USERNAME: user_input[CONF_USERNAME],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
            try:
                device = await async_identify(self.hass, {**entry.data, **credentials})
            except IapError as err:
                errors["base"] = error_key(err)
            except Exception:
                _LOGGER.exception("Unexpected error while testing the SmartServer")
                errors["base"] = "unknown"
            else:
                await self.async_set_unique_id(_uid_of(device))
                self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
                return self.async_update_reload_and_abort(
                    entry, data_updates=credentials
                )
        return self._async_show(
            "reauth_confirm",
            {CONF_USERNAME: entry.data[CONF_USERNAME]},
            errors,
            {"host": entry.data[CONF_HOST]},
        )

    # -- reconfigure -------------------------------------------------------------------

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address or certificate trust of the same SmartServer."""
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            data = {
                **entry.data,
                CONF_HOST: user_input[CONF_HOST].strip(),
                CONF_PORT: int(user_input[CONF_PORT]),
            }
            return await self._async_test("reconfigure", data, user_input)
        trust = CERT_PIN if entry.data.get(CONF_FINGERPRINT) else CERT_SYSTEM
        return self._async_show("reconfigure", {**entry.data, CONF_CERTIFICATE: trust})
