"""Constants of the SmartServer IoT integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "smartserver_iap"

DEFAULT_PORT: Final = 443
MANUFACTURER: Final = "EnOcean"
SMARTSERVER_MODEL: Final = "SmartServer IoT"

# Entry data: host, port, username, password (HA's CONF_*) and the pinned certificate.
CONF_FINGERPRINT: Final = "fingerprint"  # None = verify against the system CAs

# Config flow field: how the certificate is trusted.
CONF_CERTIFICATE: Final = "certificate"
CERT_SYSTEM: Final = "system"
CERT_PIN: Final = "pin"

# Entry options: what the entry follows.
# "devices" absent = every provisioned device, including devices added later;
# "datapoints" absent = every output datapoint of the followed devices.
CONF_DEVICES: Final = "devices"
CONF_DATAPOINTS: Final = "datapoints"
# True: entities keep the datapoints' programmatic LON names (nvoSpaceTemp), for
# integrators; absent or False: readable names ("Space temperature").
CONF_PROGRAMMATIC_NAMES: Final = "programmatic_names"

# Entry options: how Home Assistant writes. The priority level of every write (1 is
# the highest, 255 the lowest); 17 is the SmartServer's documented "normal" priority.
CONF_WRITE_PRIORITY: Final = "write_priority"
DEFAULT_WRITE_PRIORITY: Final = 17
# SNVT_switch inputs shown otherwise than the lamp rule says: qualifier -> "light" or
# "switch" (datapoint_types.drives_lamp decides the others).
CONF_SWITCH_KINDS: Final = "switch_kinds"
SWITCH_KIND_LIGHT: Final = "light"
SWITCH_KIND_SWITCH: Final = "switch"

# Entry option: whether the live link checks that no other session of the same user
# took the datapoint subscription (absent = on).
CONF_TAKEOVER_CHECK: Final = "takeover_check"

# Above this many followed datapoints the options flow shows a warning.
LARGE_DATAPOINT_COUNT: Final = 500

# Entry option: import the hours an outage left empty once the link is back.
CONF_HISTORY_BACKFILL: Final = "history_backfill"
