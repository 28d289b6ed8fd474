"""Setup of a large site: bulk reads only, no per-entity I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers import entity_registry as er

from smartserver_sim import SmartServerSim, large_scenario

from .conftest import setup_sim_entry, state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from smartserver_sim import SimOptions


async def test_setup_5000_datapoints(
    hass: HomeAssistant, sim_options: SimOptions, socket_enabled: None
) -> None:
    """5,000 followed datapoints: a handful of requests, then pushed updates."""
    async with SmartServerSim(
        large_scenario(devices=100, datapoints_per_device=50), options=sim_options
    ) as sim:
        entry = await setup_sim_entry(hass, sim)
        coordinator = entry.runtime_data
        assert len(coordinator.site.subscribed) == 5000
        # One sensor per datapoint, the SmartServer's count of active alarms and its
        # history import's progress.
        assert len(hass.states.async_all("sensor")) == 5000 + 2
        # Listing and reading is paged/chunked (URL length), never one per entity.
        assert coordinator.client.stats.requests < 400

        qualifier = next(iter(coordinator.site.subscribed))
        entity_id = next(
            e.entity_id
            for e in er.async_entries_for_config_entry(
                er.async_get(hass), entry.entry_id
            )
            if e.unique_id == f"{entry.unique_id}_{qualifier}"
        )
        await sim.set_value(qualifier, 42.5)
        await wait_for(lambda: state_of(hass, entity_id) == "42.5")
        assert await hass.config_entries.async_unload(entry.entry_id)
