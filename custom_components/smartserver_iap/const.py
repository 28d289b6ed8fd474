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

# Entry option: whether the live link checks that no other session of the same user
# took the datapoint subscription (absent = on).
CONF_TAKEOVER_CHECK: Final = "takeover_check"

# Above this many followed datapoints the options flow shows a warning.
LARGE_DATAPOINT_COUNT: Final = 500
