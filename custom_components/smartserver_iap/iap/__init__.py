"""Async client of the SmartServer IoT's IAP/REST and IAP/WS APIs.

It imports nothing from Home Assistant: it takes an ``aiohttp.ClientSession`` and could
ship on its own. See ``docs/iap-client.md``.
"""

from .backoff import Backoff
from .client import IapClient
from .errors import (
    IapAuthenticationError,
    IapCertificateError,
    IapConnectionError,
    IapError,
    IapLockedOutError,
    IapNotFoundError,
    IapPermissionError,
    IapPriorityConflictError,
    IapProtocolError,
    IapRateLimitedError,
    IapRequestRejectedError,
    IapServerError,
)
from .events import (
    AlarmCleared,
    AlarmRaised,
    AlarmsChanged,
    ConnectionLost,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    DeviceTestResult,
    LiveEvent,
    NotificationReceived,
    Resynced,
    ServerTime,
    SubscriptionTakenOver,
)
from .frames import FrameDecoder, parse_frame
from .live_options import LiveOptions
from .models import (
    Alarm,
    Datapoint,
    DatapointUpdate,
    Device,
    DeviceStatus,
    Direction,
    JsonValue,
    LogEntry,
)
from .qualifier import (
    Qualifier,
    datapoint_path,
    device_element,
    format_qualifier,
    name_element,
    parse_qualifier,
    qualifier_list_element,
    quote_element,
)
from .rest import IapRest
from .site import DeviceChanges, Site
from .stats import ClientStats
from .timestamps import parse_timestamp
from .tls import TlsTrust, fetch_fingerprint, normalize_fingerprint

__all__ = [
    "Alarm",
    "AlarmCleared",
    "AlarmRaised",
    "AlarmsChanged",
    "Backoff",
    "ClientStats",
    "ConnectionLost",
    "Datapoint",
    "DatapointUpdate",
    "DatapointsUpdated",
    "Device",
    "DeviceChanges",
    "DeviceDeleted",
    "DeviceStatus",
    "DeviceStatusChanged",
    "DeviceTestResult",
    "Direction",
    "FrameDecoder",
    "IapAuthenticationError",
    "IapCertificateError",
    "IapClient",
    "IapConnectionError",
    "IapError",
    "IapLockedOutError",
    "IapNotFoundError",
    "IapPermissionError",
    "IapPriorityConflictError",
    "IapProtocolError",
    "IapRateLimitedError",
    "IapRequestRejectedError",
    "IapRest",
    "IapServerError",
    "JsonValue",
    "LiveEvent",
    "LiveOptions",
    "LogEntry",
    "NotificationReceived",
    "Qualifier",
    "Resynced",
    "ServerTime",
    "Site",
    "SubscriptionTakenOver",
    "TlsTrust",
    "datapoint_path",
    "device_element",
    "fetch_fingerprint",
    "format_qualifier",
    "name_element",
    "normalize_fingerprint",
    "parse_frame",
    "parse_qualifier",
    "parse_timestamp",
    "qualifier_list_element",
    "quote_element",
]
