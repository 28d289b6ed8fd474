"""Buttons: wink and test each device of the SmartServer.

A test's result arrives later as a ``device_test_result`` event on the hub's event
entity; a wink of a device that does not answer as a ``notification``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .entity import SmartServerDeviceEntity, async_setup_platform
from .iap.errors import IapError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SmartServerConfigEntry, SmartServerCoordinator
    from .iap.client import IapClient
    from .iap.models import Device

# Each press is a request that the SmartServer carries to the device network.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class DeviceActionDescription(ButtonEntityDescription):
    """A device action and the client call that performs it."""

    press_fn: Callable[[IapClient, str], Awaitable[None]]


DESCRIPTIONS = (
    DeviceActionDescription(
        key="wink",
        translation_key="wink",
        device_class=ButtonDeviceClass.IDENTIFY,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda client, device_id: client.wink_device(device_id),
    ),
    DeviceActionDescription(
        key="test",
        translation_key="test",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda client, device_id: client.test_device(device_id),
    ),
)


def _device_buttons(
    coordinator: SmartServerCoordinator, devices: list[Device]
) -> list[DeviceActionButton]:
    return [
        DeviceActionButton(coordinator, device.id, description)
        for device in devices
        for description in DESCRIPTIONS
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmartServerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add wink and test buttons for each device (also for new devices)."""
    async_setup_platform(entry, async_add_entities, devices=_device_buttons)


class DeviceActionButton(SmartServerDeviceEntity, ButtonEntity):
    """Sends one action to one device."""

    entity_description: DeviceActionDescription

    def __init__(
        self,
        coordinator: SmartServerCoordinator,
        device_id: str,
        description: DeviceActionDescription,
    ) -> None:
        """Attach the button to its device."""
        super().__init__(coordinator, device_id, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Send the action; a failed request is an error shown to the user."""
        try:
            await self.entity_description.press_fn(
                self.coordinator.client, self._device_id
            )
        except IapError as err:
            device = self.coordinator.site.devices.get(self._device_id)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="device_action_failed",
                translation_placeholders={
                    "action": self.entity_description.key,
                    "device": self._device_id if device is None else device.name,
                    "error": str(err),
                },
            ) from err
