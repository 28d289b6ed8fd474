"""A real ``hass`` process, set up through its own config flow API, on a running simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.smartserver_iap.naming import readable_name

from .real_hass import PASSWORD, hass_with_entry

if TYPE_CHECKING:
    from pathlib import Path

    from .hass_process import States


async def test_real_home_assistant_follows_the_simulator(
    tmp_path: Path, socket_enabled: None
) -> None:
    """Set up the entry over HA's REST API, read states, change a value, read it back."""
    async with hass_with_entry(tmp_path) as (sim, hass, entry):
        # An output datapoint with a plain numeric value: its entity must show it.
        datapoint = next(
            dp
            for dp in sim.scenario.datapoints.values()
            if dp.direction == "out"
            and dp.type.name == "SNVT_temp_p"
            and dp.device.health == "normal"
        )
        assert entry["result"]["domain"] == "smartserver_iap"

        def temperature_entity(states: States) -> str | None:
            for entity_id, state in states.items():
                name = state["attributes"].get("friendly_name", "")
                if (
                    entity_id.startswith("sensor.")
                    and name.endswith(readable_name(datapoint.name))
                    and datapoint.device.name in name
                ):
                    return entity_id
            return None

        states = await hass.wait_for(
            lambda s: (
                (eid := temperature_entity(s)) is not None
                and s[eid]["state"] not in ("unknown", "unavailable")
            ),
        )
        entity_id = temperature_entity(states)
        assert entity_id is not None
        state = states[entity_id]
        assert float(state["state"]) == float(datapoint.value)
        assert state["attributes"]["unit_of_measurement"] == "°C"
        assert state["attributes"]["device_class"] == "temperature"

        new_value = round(float(datapoint.value) + 3.25, 2)
        await sim.set_value(datapoint.qualifier, new_value)
        states = await hass.wait_for(
            lambda s: float(s[entity_id]["state"]) == new_value
        )
        assert float(states[entity_id]["state"]) == new_value
    # Debug logging of the integration was on: the password must still never appear.
    assert PASSWORD not in hass.log_path.read_text()
    assert PASSWORD not in (tmp_path / "home-assistant.log").read_text()
