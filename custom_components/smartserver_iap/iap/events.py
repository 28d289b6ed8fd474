"""Events the live WebSocket listener hands to its handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from .errors import IapError
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
class AlarmRaised:
    """``CRT:ALARM``."""

    alarm: Alarm


@dataclass(slots=True, frozen=True)
class AlarmCleared:
    """``DEL:ALARM``; ``alarm`` is present when the frame carried the whole object."""

    alarm_id: int
    alarm: Alarm | None


@dataclass(slots=True, frozen=True)
class AlarmsChanged:
    """``CRT:ALARM`` or ``DEL:ALARM`` whose payload names no alarm the client can read.

    The payloads of both actions are undocumented; whatever they carry, the frame
    still says that the list of alarms changed.
    """

    action: str


@dataclass(slots=True, frozen=True)
class DeviceTestResult:
    """``UPD:DEVICE_TEST_RESULT``: the answer to ``PUT /iap/devs/{id}/test``."""

    device_id: str
    state: str | None  # e.g. "Configured Online"
    health: str | None
    error: str | None


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

    ``error`` is the client error behind it, when there is one. During an outage a
    further event (``new_outage`` False) reports a cause someone must act on when it
    first appears: a certificate that is not the trusted one, a lockout, a permission
    the user lacks.
    """

    reason: str
    new_outage: bool = True
    error: IapError | None = None


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
    | AlarmRaised
    | AlarmCleared
    | AlarmsChanged
    | DeviceTestResult
    | NotificationReceived
    | ServerTime
    | ConnectionLost
    | Resynced
    | SubscriptionTakenOver
)
