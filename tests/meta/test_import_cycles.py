"""The integration's imports run one way, from platforms down to the client."""

from __future__ import annotations

from pathlib import Path

from tests.import_graph import import_cycles

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "smartserver_iap"


def test_integration_has_no_import_cycles() -> None:
    assert import_cycles(INTEGRATION) == []
