"""Names people read: datapoint entities and SmartServers in log lines."""

from __future__ import annotations

from custom_components.smartserver_iap.naming import smartserver_label


def test_smartserver_label() -> None:
    assert smartserver_label("Building A", "192.0.2.10") == (
        "SmartServer 'Building A' (192.0.2.10)"
    )
    assert smartserver_label(None, "192.0.2.10") == "SmartServer 192.0.2.10"
