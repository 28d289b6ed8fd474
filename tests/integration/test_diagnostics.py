"""Diagnostics download: counts, link state and client counters, no secrets."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from syrupy.filters import props

from .conftest import PASSWORD

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from smartserver_sim import SmartServerSim


@pytest.fixture
def sim_overrides() -> dict[str, Any]:
    """The snapshot holds the SmartServer's words as it wrote them: one case."""
    return {"status_case": "lower"}


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The download matches the snapshot; password, user and cookie are absent."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result == snapshot(
        exclude=props(
            "port", "fingerprint", "client_stats", "created_at", "modified_at"
        )
    )
    text = json.dumps(result)
    assert PASSWORD not in text
    assert "cmsSID" not in text
    assert result["entry"]["data"]["password"] == "**REDACTED**"
    assert result["entry"]["data"]["username"] == "**REDACTED**"
    assert result["coordinator"]["connected"] is True
    assert result["coordinator"]["client_stats"]["logins"] >= 1
