"""The site model: the one owner of what the client knows about one SmartServer.

Devices, datapoints, which device each datapoint belongs to, the subscribe list and the
latest value of each subscribed datapoint. Discovery fills it, the live listener applies
every event to it before handing the event on, and consumers read from it: nobody else
keeps a copy. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from .errors import IapProtocolError
from .qualifier import parse_qualifier

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .models import Datapoint, DatapointUpdate, Device, DeviceStatus, JsonValue

type _Address = tuple[str, str, str]

# An update older than the kept one by less than this was overtaken on its way and is
# dropped; one older by more is taken as it comes (the SmartServer's clock went back).
OVERTAKEN_WITHIN: Final = timedelta(seconds=60)


def _address_of(device: Device) -> _Address | None:
    """Return the scId/protocol/DID a qualifier names the device by, if complete."""
    if device.sc_id is None or device.protocol is None or device.did is None:
        return None
    return (device.sc_id, device.protocol, device.did)


@dataclass(slots=True)
class DeviceChanges:
    """What a complete device listing changed in the site."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Device id -> the status it had before.
    status_changed: dict[str, DeviceStatus] = field(default_factory=dict)


class Site:
    """Devices, datapoints, subscription and latest values of one SmartServer."""

    __slots__ = (
        "_address",
        "_by_device",
        "_device_of",
        "_orphans",
        "_subscribed",
        "datapoints",
        "devices",
        "smartserver",
        "unreadable",
        "values",
    )

    def __init__(self) -> None:
        """Start empty; discovery fills the site."""
        self.smartserver: Device | None = None
        self.devices: dict[str, Device] = {}
        self.datapoints: dict[str, Datapoint] = {}
        # Latest value of each subscribed datapoint (the hot path writes it).
        self.values: dict[str, DatapointUpdate] = {}
        # Datapoints the SmartServer could not read when last asked (HTTP 400, 404...).
        self.unreadable: set[str] = set()
        self._subscribed: dict[str, None] = {}
        self._address: dict[_Address, str] = {}
        self._device_of: dict[str, str] = {}
        self._by_device: dict[str, dict[str, None]] = {}
        # Datapoints listed before their device: attached when it is added.
        self._orphans: dict[str, None] = {}

    # -- devices -------------------------------------------------------------------------

    def add_devices(self, devices: Iterable[Device]) -> None:
        """Add or replace devices; datapoints waiting for them are attached."""
        for device in devices:
            known = self.devices.get(device.id)
            if known is not None:
                self._forget_address(known)
            self.devices[device.id] = device
            address = _address_of(device)
            if address is not None:
                self._address[address] = device.id
            if device.is_smartserver:
                self.smartserver = device
        for qualifier in list(self._orphans):
            self._attach(self.datapoints[qualifier])

    def _forget_address(self, device: Device) -> None:
        address = _address_of(device)
        if address is not None and self._address.get(address) == device.id:
            del self._address[address]

    def replace_devices(self, devices: Iterable[Device]) -> DeviceChanges:
        """Apply a complete device listing: what is missing was deleted."""
        listed = {device.id: device for device in devices}
        changes = DeviceChanges()
        for device_id in [d for d in self.devices if d not in listed]:
            if self.remove_device(device_id) is not None:
                changes.removed.append(device_id)
        for device_id, device in listed.items():
            known = self.devices.get(device_id)
            if known is None:
                changes.added.append(device_id)
            elif known.status != device.status:
                changes.status_changed[device_id] = known.status
        self.add_devices(listed.values())
        return changes

    def set_status(self, device_id: str, status: DeviceStatus) -> DeviceStatus | None:
        """Record a device's new status; return the previous one (None: unknown device)."""
        device = self.devices.get(device_id)
        if device is None:
            return None
        self.devices[device_id] = replace(device, status=status)
        if self.smartserver is not None and self.smartserver.id == device_id:
            self.smartserver = self.devices[device_id]
        return device.status

    def remove_device(self, device_id: str) -> list[str] | None:
        """Forget a device with its datapoints; return their qualifiers.

        The SmartServer itself is never removed (a ``DEL:DEVICE`` naming it would take
        the whole site with it): None then, as for an unknown device.
        """
        device = self.devices.get(device_id)
        if device is None or device.is_smartserver:
            return None
        del self.devices[device_id]
        self._forget_address(device)
        gone = list(self._by_device.pop(device_id, {}))
        for qualifier in gone:
            del self.datapoints[qualifier]
            del self._device_of[qualifier]
            self.values.pop(qualifier, None)
            self.unreadable.discard(qualifier)
            self._subscribed.pop(qualifier, None)
        return gone

    def is_healthy(self, device_id: str) -> bool:
        """Return True while the device is known, provisioned and not down."""
        device = self.devices.get(device_id)
        return device is not None and device.status.is_healthy

    # -- datapoints ----------------------------------------------------------------------

    def add_datapoints(self, datapoints: Iterable[Datapoint]) -> list[Datapoint]:
        """Add or replace datapoints; return those that belong to a known device."""
        attached = []
        for dp in datapoints:
            self._detach(dp.qualifier)
            self.datapoints[dp.qualifier] = dp
            if self._attach(dp):
                attached.append(dp)
        return attached

    def _attach(self, dp: Datapoint) -> bool:
        qualifier = dp.qualifier
        device_id = self._resolve(dp)
        if device_id is None:
            self._orphans[qualifier] = None
            return False
        self._orphans.pop(qualifier, None)
        self._device_of[qualifier] = device_id
        self._by_device.setdefault(device_id, {})[qualifier] = None
        return True

    def _detach(self, qualifier: str) -> None:
        # A datapoint listed again may now belong elsewhere (or nowhere yet).
        device_id = self._device_of.pop(qualifier, None)
        if device_id is not None:
            self._by_device[device_id].pop(qualifier, None)
        self._orphans.pop(qualifier, None)

    def _resolve(self, dp: Datapoint) -> str | None:
        # The datapoint-level deviceId may be the device-list id, or another form
        # (``<scId>.<n>``); the qualifier's scId/protocol/DID names the device too.
        if dp.device_id in self.devices:
            return dp.device_id
        try:
            q = parse_qualifier(dp.qualifier)
        except IapProtocolError:
            return None
        return self._address.get((q.sc_id, q.protocol, q.did))

    def device_of(self, qualifier: str) -> str | None:
        """Return the device-list id of the device a datapoint belongs to."""
        return self._device_of.get(qualifier)

    def device_list_id(self, device_id: str) -> str:
        """Return the device-list id for a device-list or datapoint-level device id.

        An id the site cannot place is returned as it is.
        """
        if device_id in self.devices:
            return device_id
        for device in self.devices.values():
            if device.raw.get("deviceId") == device_id:
                return device.id
        for qualifier, datapoint in self.datapoints.items():
            if datapoint.device_id == device_id and qualifier in self._device_of:
                return self._device_of[qualifier]
        return device_id

    def datapoints_of(self, device_id: str) -> list[Datapoint]:
        """Return the datapoints of one device, in the order they were listed."""
        datapoints = self.datapoints
        return [datapoints[q] for q in self._by_device.get(device_id, ())]

    # -- subscription and values ---------------------------------------------------------

    @property
    def subscribed(self) -> list[str]:
        """Return the subscribe list, in order."""
        return list(self._subscribed)

    def is_subscribed(self, qualifier: str) -> bool:
        """Return True when the datapoint is on the subscribe list."""
        return qualifier in self._subscribed

    def set_subscribed(self, qualifiers: Iterable[str]) -> None:
        """Replace the subscribe list; values of datapoints no longer on it go."""
        self._subscribed = dict.fromkeys(qualifiers)
        for qualifier in [q for q in self.values if q not in self._subscribed]:
            del self.values[qualifier]

    def apply_updates(self, updates: Iterable[DatapointUpdate]) -> None:
        """Keep the latest value of each subscribed datapoint (the hot path).

        Updates of other datapoints (another session's list, after a takeover) are
        not kept, nor is an update whose timestamp is older than the kept one's
        (within ``OVERTAKEN_WITHIN``): it was overtaken on its way.
        """
        subscribed = self._subscribed
        values = self.values
        get = values.get
        for update in updates:
            qualifier = update.qualifier
            if qualifier in subscribed:
                stamp = update.timestamp
                if stamp is not None:
                    kept = get(qualifier)
                    if kept is not None:
                        kept_stamp = kept.timestamp
                        if (
                            kept_stamp is not None
                            and stamp < kept_stamp
                            and kept_stamp - stamp < OVERTAKEN_WITHIN
                        ):
                            continue
                values[qualifier] = update

    def apply_read(
        self,
        updates: Iterable[DatapointUpdate],
        before: Mapping[str, DatapointUpdate],
    ) -> None:
        """Keep the values of a read, except where the live link was faster.

        ``before`` is a copy of ``values`` taken when the read was sent: a datapoint
        whose value changed since came on the WebSocket after the read was sent, and
        every later change comes that way too, so the read's value is not newer.
        """
        values = self.values
        self.apply_updates(
            u for u in updates if values.get(u.qualifier) is before.get(u.qualifier)
        )

    def set_readable(
        self, asked: Iterable[str], unreadable: Iterable[str]
    ) -> list[str]:
        """Record what a read could not read; return the datapoints newly unreadable.

        Every other datapoint ``asked`` for is readable again.
        """
        failed = dict.fromkeys(unreadable)
        known = self.unreadable
        known.difference_update(q for q in asked if q not in failed)
        newly = [q for q in failed if q not in known]
        known.update(newly)
        return newly

    def value_of(self, qualifier: str) -> JsonValue:
        """Return the latest value of a datapoint (None while unknown)."""
        update = self.values.get(qualifier)
        return None if update is None else update.value
