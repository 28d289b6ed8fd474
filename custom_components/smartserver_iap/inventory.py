"""Devices that appear, change or vanish on the SmartServer while the entry runs.

New and newly provisioned devices are read in the background; their followed
datapoints are subscribed and read, and the platforms are told so they add entities
(dynamic devices). Deleted devices leave the device registry with their entities
(stale devices). After a reconnect the whole device list is read again, since no
``UPD:DEVICE`` could arrive meanwhile.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from homeassistant.core import callback

from .const import DOMAIN
from .iap.errors import IapError
from .listeners import Announcer
from .owner import PartOwner

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Coroutine

    from .follow import FollowPolicy
    from .iap.events import DeviceStatusChanged
    from .iap.models import Datapoint, Device
    from .listeners import CallbackRegistry
    from .registry import DeviceRegistrySync

_LOGGER = logging.getLogger(__name__)


class InventoryOwner(PartOwner, Protocol):
    """What the inventory needs of the coordinator that owns it."""

    policy: FollowPolicy
    registry: DeviceRegistrySync
    device_listeners: CallbackRegistry[str]


class Inventory:
    """Keeps the followed set and the device registry in step with device changes."""

    def __init__(self, coordinator: InventoryOwner) -> None:
        """Bind to the coordinator whose site, client and registry it updates."""
        self._coordinator = coordinator
        self._site = coordinator.site
        # Platforms subscribe to these to add entities for what appears later.
        self.new_devices: Announcer[Device] = Announcer()
        self.new_datapoints: Announcer[Datapoint] = Announcer()
        self.tasks: set[asyncio.Task[None]] = set()
        self._pending: set[str] = set()
        self._relist = False
        self._refresh_task: asyncio.Task[None] | None = None

    # -- events --------------------------------------------------------------------------

    @callback
    def status_changed(self, event: DeviceStatusChanged) -> None:
        """A device's status changed (the site has the new one already)."""
        if event.previous is None:
            # A device the site does not know: it was just added.
            self._schedule(event.device_id)
            return
        self._coordinator.device_listeners.notify(event.device_id)
        if not event.previous.is_provisioned and event.status.is_provisioned:
            # Newly provisioned: its datapoints may be followed now.
            self._schedule(event.device_id)

    @callback
    def deleted(self, device_id: str) -> None:
        """Forget a device the SmartServer deleted (the site has dropped it)."""
        self._pending.discard(device_id)
        self._coordinator.registry.async_remove(device_id)
        self._start(self._async_resubscribe(), "resubscribe")

    @callback
    def schedule_relist(self) -> None:
        """List every device again (after a reconnect)."""
        self._relist = True
        self._schedule(None)

    # -- background work -----------------------------------------------------------------

    @callback
    def _schedule(self, device_id: str | None) -> None:
        if device_id is not None:
            self._pending.add(device_id)
        if self._coordinator.closed:
            return
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self._start(self._async_refresh_loop(), "refresh")

    def _start(
        self, coro: Coroutine[None, None, None], what: str
    ) -> asyncio.Task[None]:
        coordinator = self._coordinator
        task = coordinator.config_entry.async_create_background_task(
            coordinator.hass, coro, f"{DOMAIN} {what} {coordinator.host}"
        )
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _async_resubscribe(self) -> None:
        try:
            await self._coordinator.client.resubscribe()
        except IapError as err:
            # The client re-asserts its list after the next reconnect.
            _LOGGER.debug("Could not shorten the subscribe list: %s", err)

    async def _async_refresh_loop(self) -> None:
        """Read new or newly provisioned devices until none is pending.

        On an error the work is kept and retried after the next reconnect.
        """
        while self._pending or self._relist:
            pending, self._pending = self._pending, set()
            relist, self._relist = self._relist, False
            try:
                await self._async_refresh(pending)
            except IapError as err:
                self._pending |= pending
                self._relist |= relist
                if not self._coordinator.closed:
                    _LOGGER.warning(
                        "Could not read new devices of %s: %s",
                        self._coordinator.label,
                        err,
                    )
                return

    async def _async_refresh(self, pending: set[str]) -> None:
        coordinator = self._coordinator
        client = coordinator.client
        site = self._site
        changes = await client.refresh_devices()
        for device_id in changes.removed:
            self.deleted(device_id)
        for device_id, previous in changes.status_changed.items():
            coordinator.device_listeners.notify(device_id)
            if (
                not previous.is_provisioned
                and site.devices[device_id].status.is_provisioned
            ):
                pending.add(device_id)
        pending |= set(changes.added)
        datapoints: list[Datapoint] = []
        for device_id in sorted(pending):
            if device_id in site.devices:
                datapoints.extend(await client.discover_datapoints(device_id))
        newly = [
            q
            for q in coordinator.policy.select(site, datapoints)
            if not site.is_subscribed(q)
        ]
        if newly:
            await client.subscribe([*site.subscribed, *newly])
            await client.read_values(newly)
        if changes.added:
            _LOGGER.debug("New devices on %s: %s", coordinator.label, changes.added)
            self.new_devices.announce([site.devices[d] for d in changes.added])
        self.new_datapoints.announce([site.datapoints[q] for q in newly])
