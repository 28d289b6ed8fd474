"""The SmartServer's devices in Home Assistant's device registry.

The SmartServer itself is the hub device; every device it manages is a child linked
via the hub. Identifiers are ``(DOMAIN, uid)`` for the hub and ``(DOMAIN,
"{uid}_{device id}")`` for children.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .connection import configuration_url
from .const import DEFAULT_PORT, DOMAIN, MANUFACTURER, SMARTSERVER_MODEL

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .iap.site import Site


class DeviceRegistrySync:
    """Device entries of one config entry, kept in step with the site."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, site: Site, uid: str
    ) -> None:
        """Bind to the entry, its site and the SmartServer's uid."""
        self._hass = hass
        self._entry = entry
        self._site = site
        self.uid = uid
        self.hub_device_id: str | None = None

    @property
    def hub_identifier(self) -> tuple[str, str]:
        """Return the device-registry identifier of the SmartServer itself."""
        return (DOMAIN, self.uid)

    def identifier(self, device_id: str) -> tuple[str, str]:
        """Return the device-registry identifier of one SmartServer device."""
        smartserver = self._site.smartserver
        if smartserver is not None and device_id == smartserver.id:
            return self.hub_identifier
        return (DOMAIN, f"{self.uid}_{device_id}")

    def device_id_of(self, device: dr.DeviceEntry) -> str | None:
        """Return the SmartServer's id of a device entry, None if it is not current."""
        for device_id in self._site.devices:
            if self.identifier(device_id) in device.identifiers:
                return device_id
        return None

    def hub_device_info(self) -> DeviceInfo:
        """Return the SmartServer's own device entry."""
        sc = self._site.smartserver
        data = self._entry.data
        return DeviceInfo(
            identifiers={self.hub_identifier},
            manufacturer=MANUFACTURER,
            model=SMARTSERVER_MODEL,
            model_id=sc.type_name if sc else None,
            name=sc.name if sc else data[CONF_HOST],
            serial_number=self.uid,
            sw_version=sc.firmware_version if sc else None,
            configuration_url=configuration_url(
                data[CONF_HOST], data.get(CONF_PORT, DEFAULT_PORT)
            ),
        )

    def device_info(self, device_id: str) -> DeviceInfo:
        """Return the device entry of one SmartServer device, linked via the hub."""
        smartserver = self._site.smartserver
        if smartserver is not None and device_id == smartserver.id:
            return self.hub_device_info()
        device = self._site.devices[device_id]
        info = DeviceInfo(
            identifiers={self.identifier(device_id)},
            name=device.name,
            model=device.type_name,
            serial_number=device.uid,
            sw_version=device.firmware_version,
        )
        if self.hub_device_id is not None:
            info["via_device_id"] = self.hub_device_id
        return info

    @callback
    def async_register_hub(self) -> None:
        """Create the SmartServer's own device; child devices link to it."""
        registry = dr.async_get(self._hass)
        hub = registry.async_get_or_create(
            config_entry_id=self._entry.entry_id, **self.hub_device_info()
        )
        self.hub_device_id = hub.id

    @callback
    def async_remove_stale(self) -> None:
        """Remove this entry's devices that the SmartServer no longer has."""
        registry = dr.async_get(self._hass)
        for device in dr.async_entries_for_config_entry(registry, self._entry.entry_id):
            if not self.is_current(device):
                registry.async_remove_device(device.id)

    @callback
    def async_remove(self, device_id: str) -> None:
        """Remove one device (its entities go with it)."""
        registry = dr.async_get(self._hass)
        if entry := registry.async_get_device_by_identifier(
            self.identifier(device_id), self._entry.entry_id
        ):
            registry.async_remove_device(entry.id)

    def is_current(self, device: dr.DeviceEntry) -> bool:
        """Return True for the hub and for devices the SmartServer still has."""
        current = {self.hub_identifier} | {
            self.identifier(device_id) for device_id in self._site.devices
        }
        return bool(device.identifiers & current)

    def is_hub(self, device: dr.DeviceEntry) -> bool:
        """Return True for the SmartServer's own device entry."""
        return self.hub_identifier in device.identifiers
