"""Helpers of the flow tests: inputs, steps and checks shared by the flow modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.data_entry_flow import FlowResultType

from custom_components.smartserver_iap.const import (
    CERT_PIN,
    CERT_SYSTEM,
    CONF_CERTIFICATE,
    CONF_FINGERPRINT,
    DOMAIN,
)

from .conftest import entry_data

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim

WRONG_FINGERPRINT = ":".join(["AA"] * 32)
STRINGS = json.loads(
    (
        Path(__file__).parents[2] / "custom_components/smartserver_iap/strings.json"
    ).read_text(encoding="utf-8")
)


def user_input(sim: SmartServerSim, **changes: Any) -> dict[str, Any]:
    """Return the user step's input for ``sim``."""
    data = {k: v for k, v in entry_data(sim).items() if k != CONF_FINGERPRINT}
    return {**data, CONF_CERTIFICATE: CERT_SYSTEM, **changes}


def address(sim: SmartServerSim, **changes: Any) -> dict[str, Any]:
    """Return the reconfigure step's input for ``sim``, its certificate pinned."""
    return {
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_CERTIFICATE: CERT_PIN,
        **changes,
    }


async def start_user(hass: HomeAssistant) -> Any:
    """Open the user step; it shows an empty form."""
    result: Any = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


async def configure(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    """Submit ``data`` to the flow's current step."""
    return await hass.config_entries.flow.async_configure(result["flow_id"], data)


def assert_error(result: Any, step_id: str, key: str) -> None:
    """The form ``step_id`` is shown again with the error ``key``, which is translated."""
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step_id
    assert result["errors"] == {"base": key}
    assert key in STRINGS["config"]["error"], key


async def confirm_trust_if_asked(
    hass: HomeAssistant, result: Any, sim: SmartServerSim
) -> Any:
    """Confirm the trust step when it is shown (it shows ``sim``'s fingerprint)."""
    if (
        result["type"] is FlowResultType.FORM
        and result["step_id"] == "trust_certificate"
    ):
        assert result["description_placeholders"]["fingerprint"] == sim.fingerprint
        return await configure(hass, result, {})
    return result
