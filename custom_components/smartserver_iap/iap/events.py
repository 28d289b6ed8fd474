"""Events the live WebSocket listener hands to its handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from .models import Alarm, DatapointUpdate, DeviceStatus


@dataclass(slots=True, frozen=True)
class DatapointsUpdated:
    """One ``UPD:DATAPOINT`` frame: a batch of updates, in frame order."""

    updates: list[DatapointUpdate]


@dataclass(slots=True, frozen=True)
class DeviceStatusChanged:
    """``UPD:DEVICE``: a device's status changed (or a device appeared).

    ``previous`` is the status the site knew before (None: a device it does not know).
    """

    device_id: str
    status: DeviceStatus
    previous: DeviceStatus | None = None


@dataclass(slots=True, frozen=True)
class DeviceDeleted:
    """``DEL:DEVICE``: a device was removed from the SmartServer."""

    device_id: str


@dataclass(slots=True, frozen=True)
class AlarmsChanged:
    """``CRT:ALARM`` or ``DEL:ALARM``: the alarms changed.

    The payload's shape is undocumented (the vendor's Browser ignores it), so the
    listener reads ``GET /iap/alarms`` again (debounced) and hands on the active
    alarms, also kept in ``Site.alarms``. ``parse_frame`` returns the frame's event,
    with ``alarms`` None: not read yet.
    """

    action: str
    alarms: list[Alarm] | None = None


@dataclass(slots=True, frozen=True)
class NotificationReceived:
    """``CRT:NOTIFICATION``: a message, such as a device that does not respond."""

    message: str
    target_type: str | None
    target_name: str | None


@dataclass(slots=True, frozen=True)
class ServerTime:
    """``NTF:TIME``: the SmartServer's clock (firmware 4.1 and later)."""

    value: datetime | None


@dataclass(slots=True, frozen=True)
class ConnectionLost:
    """The live link dropped; the listener is reconnecting with back-off.

    Sent whenever a link that had been resynced drops, so consumers can mark their
    entities unavailable every time. ``new_outage`` is False for a drop during an outage
    that is still going on (the link came back but did not stay up for
    ``LiveOptions.stable_after``): report an outage once, not once per flap.
    """

    reason: str
    new_outage: bool = True


@dataclass(slots=True, frozen=True)
class Resynced:
    """The link is (re)established: logged in, re-subscribed, values read back."""

    values: list[DatapointUpdate]


@dataclass(slots=True, frozen=True)
class SubscriptionTakenOver:
    """Another session of the same user replaced the subscribe list; it was re-asserted.

    ``values`` are the subscribed values read again afterwards (they are in the site
    already): changes made while the list was taken were never sent.
    """

    healed: bool
    values: list[DatapointUpdate] = field(default_factory=list)


type LiveEvent = (
    DatapointsUpdated
    | DeviceStatusChanged
    | DeviceDeleted
    | AlarmsChanged
    | NotificationReceived
    | ServerTime
    | ConnectionLost
    | Resynced
    | SubscriptionTakenOver
)
