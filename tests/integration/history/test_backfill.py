"""Automatic gap back-fill after Home Assistant was stopped or the link was down."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.recorder import get_instance
import pytest

from custom_components.smartserver_iap.const import CONF_HISTORY_BACKFILL
from tests.integration.conftest import setup_entry, setup_sim_entry, wait_for

from .conftest import (
    ENERGY,
    TEMPERATURE,
    ago,
    expected_means,
    expected_sums,
    log_entries,
    sim_qualifier,
    store_rows,
    stored_rows,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SmartServerSim


def temperature_of(sim: SmartServerSim) -> str:
    return sim_qualifier(sim, "Thermostat Büro 1", "nvoSpaceTemp")


def energy_of(sim: SmartServerSim) -> str:
    return sim_qualifier(sim, "Energy Meter", "nvoEnergy")


async def idle(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until the back-fill was queued and every import ran."""
    coordinator = entry.runtime_data
    await wait_for(
        lambda: all(
            task.done()
            for task in (*coordinator.backfill.tasks, *coordinator.history.tasks)
        )
    )
    await get_instance(hass).async_block_till_done()


def stopped_at(hours_ago: int, sim: SmartServerSim) -> list[dict[str, Any]]:
    """Rows of the last hour before Home Assistant stopped."""
    last = log_entries(sim, energy_of(sim), ago(hours_ago), ago(hours_ago - 1))
    return [
        {"start": ago(hours_ago), "mean": 1.0, "min": 1.0, "max": 1.0},
        {"start": ago(hours_ago), "state": last[-1][1], "sum": 500.0},
    ]


async def test_the_hours_home_assistant_missed_are_imported(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, sim: SmartServerSim
) -> None:
    temperature, energy = stopped_at(10, sim)
    store_rows(hass, TEMPERATURE, temperature)
    store_rows(hass, ENERGY, energy)
    await get_instance(hass).async_block_till_done()

    await setup_entry(hass, mock_config_entry)
    await idle(hass, mock_config_entry)

    rows = await stored_rows(hass, TEMPERATURE, ago(48), ago(0))
    expected = expected_means(log_entries(sim, temperature_of(sim), ago(9), ago(0)))
    assert rows[0]["start"] == ago(10)
    assert (rows[0]["mean"], rows[0]["min"]) == (1.0, 1.0)
    assert [(r["start"], r["mean"], r["min"], r["max"]) for r in rows[1:]] == [
        (hour, pytest.approx(mean, rel=1e-12), low, high)
        for hour, mean, low, high in expected
    ]
    assert len(rows) == 10

    # The meter's sum goes on from the stored one, consumption between included.
    rows = await stored_rows(hass, ENERGY, ago(48), ago(0))
    stored = log_entries(sim, energy_of(sim), ago(10), ago(9))[-1:]
    readings = stored + log_entries(sim, energy_of(sim), ago(9), ago(0))
    assert [(r["start"], r["state"], r["sum"]) for r in rows] == [
        (hour, state, pytest.approx(total, abs=1e-9))
        for hour, state, total in expected_sums(readings, 500.0)
    ]
    assert len(rows) == 10


@pytest.mark.parametrize(
    ("threshold", "backfilled"), [(timedelta(0), True), (None, False)]
)
async def test_an_outage_longer_than_the_threshold_is_filled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: SmartServerSim,
    threshold: timedelta | None,
    backfilled: bool,
) -> None:
    coordinator = init_integration.runtime_data
    await idle(hass, init_integration)
    if threshold is not None:
        coordinator.backfill.threshold = threshold
    temperature, _ = stopped_at(6, sim)
    store_rows(hass, TEMPERATURE, temperature)
    await get_instance(hass).async_block_till_done()

    await sim.drop_websockets()
    await wait_for(lambda: not coordinator.connected)
    await wait_for(lambda: coordinator.connected)
    await idle(hass, init_integration)

    rows = await stored_rows(hass, TEMPERATURE, ago(48), ago(0))
    assert len(rows) == (6 if backfilled else 1)


async def test_the_option_turns_the_back_fill_off(
    hass: HomeAssistant, sim: SmartServerSim
) -> None:
    temperature, _ = stopped_at(10, sim)
    store_rows(hass, TEMPERATURE, temperature)
    await get_instance(hass).async_block_till_done()
    entry = await setup_sim_entry(hass, sim, {CONF_HISTORY_BACKFILL: False})
    await idle(hass, entry)

    assert len(await stored_rows(hass, TEMPERATURE, ago(48), ago(0))) == 1
    assert entry.runtime_data.history.progress is None


@pytest.mark.parametrize("backfill", [True, False], ids=["on", "off"])
async def test_the_settings_switch_the_back_fill(
    hass: HomeAssistant, init_integration: MockConfigEntry, backfill: bool
) -> None:
    result: Any = await hass.config_entries.options.async_init(
        init_integration.entry_id
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    default = next(
        key.default()
        for key in result["data_schema"].schema
        if key == CONF_HISTORY_BACKFILL
    )
    assert default is True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_HISTORY_BACKFILL: backfill}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_HISTORY_BACKFILL] is backfill
    await hass.async_block_till_done()
    assert init_integration.runtime_data.backfill.enabled is backfill
