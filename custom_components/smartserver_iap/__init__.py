"""The SmartServer IoT integration: datapoints of a SmartServer as live entities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
)
from homeassistant.helpers import config_validation as cv

from .alarms import async_remove_store
from .connection import create_client
from .const import DOMAIN
from .coordinator import (
    SmartServerConfigEntry,
    SmartServerCoordinator,
    WrongSmartServerError,
)
from .history import HistoryImporter
from .iap.errors import IapAuthenticationError, IapError
from .issues import ProblemIssues, problem_of
from .services import async_setup_services

if TYPE_CHECKING:
    from homeassistant.core import Event, HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from homeassistant.helpers.typing import ConfigType

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LIGHT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for every entry."""
    async_setup_services(hass)
    return True


def _setup_error(
    err: IapError | WrongSmartServerError, host: str
) -> ConfigEntryAuthFailed | ConfigEntryNotReady | ConfigEntryError:
    """Map a setup failure to what Home Assistant should do about it."""
    if isinstance(err, WrongSmartServerError):
        return ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="wrong_smartserver",
            translation_placeholders={"host": host},
        )
    if (problem := problem_of(err)) is not None:
        # A changed certificate, a lockout (temporary: the SmartServer lets the user
        # in again), a missing permission: retried, and a repair issue says why.
        kind, placeholders = problem
        return ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=kind,
            translation_placeholders={"host": host, **placeholders},
        )
    if isinstance(err, IapAuthenticationError):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        )
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key="cannot_connect",
        translation_placeholders={"host": host, "error": str(err)},
    )


async def async_setup_entry(hass: HomeAssistant, entry: SmartServerConfigEntry) -> bool:
    """Connect to the SmartServer, read what it has, then start the live link."""
    coordinator = SmartServerCoordinator(
        hass, entry, create_client(hass, entry.data, entry.options)
    )
    try:
        await coordinator.async_setup()
        coordinator.issues.clear()
        entry.runtime_data = coordinator
        coordinator.registry.async_register_hub()
        coordinator.registry.async_remove_stale()
        await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    except (IapError, WrongSmartServerError) as err:
        await coordinator.async_shutdown()
        if isinstance(err, IapError):
            coordinator.issues.report(err, coordinator.label)
        raise _setup_error(err, entry.data[CONF_HOST]) from err
    except BaseException:
        # Whatever fails after the login must not leave the session open.
        await coordinator.async_shutdown()
        raise

    async def _async_stop(_: Event) -> None:
        await coordinator.async_shutdown()

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop)
    )

    coordinator.async_start_live()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: SmartServerConfigEntry
) -> bool:
    """Unload the platforms, stop the live link and log out."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SmartServerConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing a device the SmartServer no longer has."""
    return not entry.runtime_data.registry.is_current(device)


async def async_remove_entry(
    hass: HomeAssistant, entry: SmartServerConfigEntry
) -> None:
    """Take the entry's repair issue, the alarms it announced and its imports with it."""
    ProblemIssues(hass, entry).clear()
    await async_remove_store(hass, entry)
    await HistoryImporter.async_remove_store(hass, entry.entry_id)
