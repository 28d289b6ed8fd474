"""Config, reauth, reconfigure and options flows of the SmartServer IoT integration."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .connection import create_client
from .const import (
    CERT_PIN,
    CERT_SYSTEM,
    CONF_CERTIFICATE,
    CONF_CHOOSE_DATAPOINTS,
    CONF_DATAPOINTS,
    CONF_DEVICES,
    CONF_FINGERPRINT,
    CONF_HISTORY_BACKFILL,
    DEFAULT_PORT,
    DOMAIN,
    LARGE_DATAPOINT_COUNT,
)
from .iap.errors import (
    IapAuthenticationError,
    IapCertificateError,
    IapError,
    IapLockedOutError,
)
from .iap.models import Device, Direction
from .iap.tls import fetch_fingerprint
from .naming import display_names

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .coordinator import SmartServerConfigEntry

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


def _connection_schema(defaults: Mapping[str, Any], credentials: bool) -> vol.Schema:
    fields: dict[Any, Any] = {
        vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): str,
        vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_PORT)): (
            _PORT_SELECTOR
        ),
    }
    if credentials:
        fields[
            vol.Required(
                CONF_USERNAME, default=defaults.get(CONF_USERNAME, vol.UNDEFINED)
            )
        ] = _USERNAME_SELECTOR
        fields[vol.Required(CONF_PASSWORD)] = _PASSWORD_SELECTOR
    fields[
        vol.Required(
            CONF_CERTIFICATE, default=defaults.get(CONF_CERTIFICATE, CERT_SYSTEM)
        )
    ] = _CERTIFICATE_SELECTOR
    return vol.Schema(fields)


class _CertificateNotTrusted(Exception):
    """The server's certificate does not verify (system CAs) or is not the pinned one."""


async def _async_identify(flow: ConfigFlow, data: Mapping[str, Any]) -> Device:
    """Log in with ``data`` and return the SmartServer's own device."""
    client = create_client(flow.hass, data)
    try:
        await client.login()
        return await client.get_smartserver()
    finally:
        try:
            await client.close()
        except IapError:
            _LOGGER.debug("Logging out after the connection test failed", exc_info=True)


class SmartServerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a SmartServer: test the connection, trust its certificate, then save."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing entered."""
        self._data: dict[str, Any] = {}
        self._fingerprint: str | None = None
        self._origin_step = "user"

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: SmartServerConfigEntry) -> OptionsFlow:
        """Return the options flow (which devices and datapoints to follow)."""
        return OptionsFlow()

    # -- connection test ---------------------------------------------------------------

    async def _async_test(
        self, data: Mapping[str, Any]
    ) -> tuple[Device | None, str | None]:
        """Test ``data``; return the SmartServer device or an error key.

        The error key ``certificate`` means the certificate is not trusted as asked.
        """
        try:
            device = await _async_identify(self, data)
        except IapLockedOutError:
            return None, "locked_out"
        except IapAuthenticationError:
            return None, "invalid_auth"
        except IapCertificateError:
            return None, "certificate"
        except IapError:
            return None, "cannot_connect"
        except Exception:
            _LOGGER.exception("Unexpected error while testing the SmartServer")
            return None, "unknown"
        return device, None

    async def _async_connect(
        self, data: dict[str, Any], certificate: str
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Try ``data``; finish or go to the trust step, else return form errors."""
        self._data = data
        if certificate == CERT_PIN:
            current = data.get(CONF_FINGERPRINT)
            try:
                self._fingerprint = await fetch_fingerprint(
                    data[CONF_HOST], data[CONF_PORT]
                )
            except IapError:
                return None, {"base": "cannot_connect"}
            if current is None or current != self._fingerprint:
                return await self.async_step_trust_certificate(), {}
        else:
            data[CONF_FINGERPRINT] = None
        device, error = await self._async_test(data)
        if error == "certificate":
            if data.get(CONF_FINGERPRINT) is not None:
                return None, {"base": "certificate_mismatch"}
            try:
                self._fingerprint = await fetch_fingerprint(
                    data[CONF_HOST], data[CONF_PORT]
                )
            except IapError:
                return None, {"base": "cannot_connect"}
            return await self.async_step_trust_certificate(), {}
        if error is not None:
            return None, {"base": error}
        assert device is not None
        return await self._async_finish(device), {}

    async def _async_finish(self, device: Device) -> ConfigFlowResult:
        """Create the entry, or update the reconfigured one (same SmartServer only)."""
        await self.async_set_unique_id(device.uid or device.id)
        if self.source == SOURCE_RECONFIGURE:
            self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
            return self.async_update_reload_and_abort(
                self._get_reconfigure_entry(),
                data_updates={
                    CONF_HOST: self._data[CONF_HOST],
                    CONF_PORT: self._data[CONF_PORT],
                    CONF_FINGERPRINT: self._data[CONF_FINGERPRINT],
                },
            )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=device.name or self._data[CONF_HOST], data=self._data
        )

    # -- user --------------------------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the SmartServer's address, a user and how to trust its certificate."""
        errors: dict[str, str] = {}
        self._origin_step = "user"
        if user_input is not None:
            data = {
                CONF_HOST: user_input[CONF_HOST].strip(),
                CONF_PORT: int(user_input[CONF_PORT]),
                CONF_USERNAME: user_input[CONF_USERNAME],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
                CONF_FINGERPRINT: None,
            }
            self._async_abort_entries_match(
                {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
            )
            result, errors = await self._async_connect(
                data, user_input[CONF_CERTIFICATE]
            )
            if result is not None:
                return result
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema({}, credentials=True), user_input
            ),
            errors=errors,
        )

    # -- certificate -------------------------------------------------------------------

    async def async_step_trust_certificate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the certificate the SmartServer presented and pin it once confirmed."""
        errors: dict[str, str] = {}
        if user_input is not None:
            assert self._fingerprint is not None
            data = {**self._data, CONF_FINGERPRINT: self._fingerprint}
            self._data = data
            device, error = await self._async_test(data)
            if error is None:
                assert device is not None
                return await self._async_finish(device)
            if error == "certificate":
                # The certificate changed since it was shown: show the new one.
                errors["base"] = "certificate_mismatch"
                try:
                    self._fingerprint = await fetch_fingerprint(
                        data[CONF_HOST], data[CONF_PORT]
                    )
                except IapError:
                    errors["base"] = "cannot_connect"
            else:
                # Wrong credentials or address: back to the form where they are fixed.
                return self._async_show_origin({"base": error})
        return self.async_show_form(
            step_id="trust_certificate",
            data_schema=vol.Schema({}),
            description_placeholders={
                "host": f"{self._data[CONF_HOST]}:{self._data[CONF_PORT]}",
                "fingerprint": self._fingerprint or "",
            },
            errors=errors,
        )

    def _async_show_origin(self, errors: dict[str, str]) -> ConfigFlowResult:
        if self._origin_step == "reconfigure":
            return self._async_show_reconfigure(errors)
        suggested = {**self._data, CONF_CERTIFICATE: CERT_PIN}
        suggested.pop(CONF_PASSWORD, None)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema({}, credentials=True), suggested
            ),
            errors=errors,
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
            data = {
                **entry.data,
                CONF_USERNAME: user_input[CONF_USERNAME],
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
            device, error = await self._async_test(data)
            if error is None:
                assert device is not None
                await self.async_set_unique_id(device.uid or device.id)
                self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        CONF_USERNAME: user_input[CONF_USERNAME],
                        CONF_PASSWORD: user_input[CONF_PASSWORD],
                    },
                )
            errors["base"] = "certificate_mismatch" if error == "certificate" else error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_USERNAME, default=entry.data[CONF_USERNAME]
                    ): _USERNAME_SELECTOR,
                    vol.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
                }
            ),
            description_placeholders={"host": entry.data[CONF_HOST]},
            errors=errors,
        )

    # -- reconfigure -------------------------------------------------------------------

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address or certificate trust of the same SmartServer."""
        entry = self._get_reconfigure_entry()
        self._origin_step = "reconfigure"
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                **entry.data,
                CONF_HOST: user_input[CONF_HOST].strip(),
                CONF_PORT: int(user_input[CONF_PORT]),
            }
            result, errors = await self._async_connect(
                data, user_input[CONF_CERTIFICATE]
            )
            if result is not None:
                return result
        return self._async_show_reconfigure(errors)

    def _async_show_reconfigure(self, errors: dict[str, str]) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        defaults = {
            **entry.data,
            CONF_CERTIFICATE: CERT_PIN
            if entry.data.get(CONF_FINGERPRINT)
            else CERT_SYSTEM,
        }
        if self._data:
            defaults.update(
                {CONF_HOST: self._data[CONF_HOST], CONF_PORT: self._data[CONF_PORT]}
            )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_connection_schema(defaults, credentials=False),
            errors=errors,
        )


class OptionsFlow(OptionsFlowWithReload):
    """Choose which devices and datapoints the entry follows."""

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._options: dict[str, Any] = {}
        self._count = 0

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose devices; optionally go on to choose single datapoints."""
        entry: SmartServerConfigEntry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        coordinator = entry.runtime_data
        site = coordinator.site
        devices = sorted(site.devices.values(), key=lambda d: (d.name, d.id))
        default_devices = [d.id for d in devices if d.status.is_provisioned]
        if user_input is not None:
            chosen: list[str] = user_input[CONF_DEVICES]
            # Kept only when off: absent means on, the default.
            backfill = (
                {}
                if user_input[CONF_HISTORY_BACKFILL]
                else {CONF_HISTORY_BACKFILL: False}
            )
            if user_input[CONF_CHOOSE_DATAPOINTS]:
                self._options = {CONF_DEVICES: chosen, **backfill}
                return await self.async_step_datapoints()
            if set(chosen) == set(default_devices):
                # The default: follow every provisioned device, also ones added later.
                self._options = {**backfill}
            else:
                self._options = {CONF_DEVICES: chosen, **backfill}
            wanted = set(chosen)
            count = sum(
                1
                for dp in site.datapoints.values()
                if dp.direction is Direction.OUTPUT
                and site.device_of(dp.qualifier) in wanted
            )
            return await self._async_done(count)

        options = entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_DEVICES, default=options.get(CONF_DEVICES, default_devices)
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(
                                value=d.id,
                                label=f"{d.name} ({d.type_name})"
                                if d.type_name
                                else d.name,
                            )
                            for d in devices
                        ],
                        multiple=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(
                    CONF_CHOOSE_DATAPOINTS, default=CONF_DATAPOINTS in options
                ): BooleanSelector(),
                vol.Required(
                    CONF_HISTORY_BACKFILL,
                    default=options.get(CONF_HISTORY_BACKFILL, True),
                ): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            description_placeholders={
                "followed": str(len(site.subscribed)),
                "devices": str(len(devices)),
            },
        )

    async def async_step_datapoints(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose single datapoints of the chosen devices."""
        entry: SmartServerConfigEntry = self.config_entry
        site = entry.runtime_data.site
        if user_input is not None:
            self._options[CONF_DATAPOINTS] = user_input[CONF_DATAPOINTS]
            return await self._async_done(len(user_input[CONF_DATAPOINTS]))
        names: dict[str, str] = {}
        for device_id in self._options[CONF_DEVICES]:
            names.update(display_names(site.datapoints_of(device_id)))
        candidates = sorted(
            (site.datapoints[q] for q in names),
            key=lambda dp: (dp.device_name, names[dp.qualifier]),
        )
        default = [
            dp.qualifier for dp in candidates if site.is_subscribed(dp.qualifier)
        ]
        return self.async_show_form(
            step_id="datapoints",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_DATAPOINTS, default=default): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(
                                    value=dp.qualifier,
                                    label=(
                                        f"{dp.device_name}: "
                                        f"{names[dp.qualifier]}"
                                        f" ({dp.type_name or '?'}, {dp.direction.value})"
                                    ),
                                )
                                for dp in candidates
                            ],
                            multiple=True,
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    )
                }
            ),
            description_placeholders={"available": str(len(candidates))},
        )

    async def _async_done(self, count: int) -> ConfigFlowResult:
        if count > LARGE_DATAPOINT_COUNT:
            self._count = count
            return await self.async_step_confirm_large()
        return self.async_create_entry(data=self._options)

    async def async_step_confirm_large(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Warn before following a large number of datapoints."""
        if user_input is not None:
            return self.async_create_entry(data=self._options)
        return self.async_show_form(
            step_id="confirm_large",
            data_schema=vol.Schema({}),
            description_placeholders={
                "count": str(self._count),
                "limit": str(LARGE_DATAPOINT_COUNT),
            },
        )
