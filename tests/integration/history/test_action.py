"""The import action's target, window and answer; bad requests import nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_metadata,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smartserver_iap.const import DOMAIN
from smartserver_sim import SimOptions

from .conftest import (
    ENERGY,
    HVAC_MODE,
    LUX,
    TEMPERATURE,
    ago,
    import_history,
    iso,
    stored_rows,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SmartServerSim

PROGRESS = "sensor.smartserver_iot_history_import"


def dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


async def statistic_ids(hass: HomeAssistant) -> list[str]:
    """Return the statistics that have rows or metadata in the database."""
    await get_instance(hass).async_block_till_done()
    found = await get_instance(hass).async_add_executor_job(lambda: get_metadata(hass))
    return sorted(found)


@pytest.mark.parametrize(
    ("target", "fields", "key"),
    [
        (
            {"entity_id": LUX},
            lambda: {"start": iso(ago(2)), "end": iso(ago(5))},
            "history_end_before_start",
        ),
        (
            {"entity_id": LUX},
            lambda: {"start": iso(ago(0) + 600)},
            "history_nothing_to_import",
        ),
        (
            {"entity_id": LUX},
            lambda: {"start": iso(ago(24 * 400))},
            "history_before_retention",
        ),
        ({"entity_id": [LUX, HVAC_MODE]}, dict, "history_not_numeric"),
        ({"entity_id": [LUX, PROGRESS]}, dict, "history_not_smartserver"),
        ({"entity_id": "sun.sun"}, dict, "history_not_smartserver"),
        ({"area_id": "nowhere"}, dict, "history_no_sensors"),
    ],
    ids=[
        "end-before-start",
        "no-whole-hour",
        "before-retention",
        "enum-sensor",
        "hub-sensor",
        "other-integration",
        "nothing-numeric",
    ],
)
async def test_bad_requests_import_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    target: dict[str, Any],
    fields: Callable[[], dict[str, Any]],
    key: str,
) -> None:
    """Times are taken when the test runs, on its clock (not at collection)."""
    with pytest.raises(ServiceValidationError) as err:
        await import_history(hass, target, **fields())
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    # The translated message, not the key.
    assert str(err.value) and key not in str(err.value)
    assert await statistic_ids(hass) == []
    assert hass.states.get(PROGRESS).state == "unknown"  # type: ignore[union-attr]


async def test_statistics_in_another_unit_are_converted(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    er.async_get(hass).async_update_entity_options(
        TEMPERATURE, "sensor", {"unit_of_measurement": "°F"}
    )
    await hass.async_block_till_done()
    await import_history(
        hass, {"entity_id": TEMPERATURE}, start=iso(ago(6)), end=iso(ago(2))
    )
    # The import's statistics are committed before they are read back.
    await async_wait_recording_done(hass)
    metadata = (
        await get_instance(hass).async_add_executor_job(
            lambda: get_metadata(hass, statistic_ids={TEMPERATURE})
        )
    )[TEMPERATURE][1]
    assert metadata["unit_of_measurement"] == "°F"
    assert metadata["unit_class"] == "temperature"
    rows = await stored_rows(hass, TEMPERATURE, ago(6), ago(2))
    assert len(rows) == 4
    assert all(60 < row["mean"] < 80 for row in rows)  # 20-23 °C


async def stored_unit(hass: HomeAssistant, statistic_id: str) -> str | None:
    """Return the unit of a statistic as stored (None: no statistic)."""
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={statistic_id})
    )
    return metadata[statistic_id][1]["unit_of_measurement"] if metadata else None


async def test_statistics_in_an_unreachable_unit_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    async_import_statistics(
        hass,
        {
            "has_sum": False,
            "mean_type": StatisticMeanType.ARITHMETIC,
            "name": None,
            "source": "recorder",
            "statistic_id": TEMPERATURE,
            "unit_class": None,
            "unit_of_measurement": "parsecs",
        },
        [{"start": dt(ago(50)), "mean": 1.0, "min": 1.0, "max": 1.0}],
    )
    await async_wait_recording_done(hass)
    # The precondition: the statistics exist in that unit before the action runs.
    assert await stored_unit(hass, TEMPERATURE) == "parsecs"
    with pytest.raises(ServiceValidationError) as err:
        await import_history(hass, {"entity_id": TEMPERATURE}, start=iso(ago(6)))
    assert err.value.translation_key == "history_unit_mismatch"
    assert len(await stored_rows(hass, TEMPERATURE, ago(60), ago(0))) == 1


async def test_a_device_imports_its_numeric_sensors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = er.async_get(hass).async_get(TEMPERATURE)
    assert entry is not None and entry.device_id is not None
    device_id = entry.device_id
    response = await import_history(
        hass, {"device_id": device_id}, start=iso(ago(4)), end=iso(ago(2))
    )
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    numeric = sorted(
        entry.entity_id
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.domain == "sensor"
        and entry.capabilities
        and entry.capabilities.get("state_class")
    )
    assert sorted(response["entities"]) == numeric
    assert TEMPERATURE in numeric and HVAC_MODE not in numeric


@pytest.mark.parametrize(
    "sim_options",
    [SimOptions(auto_updates=False, ntf_time_interval=None, history_days=20)],
)
async def test_without_a_start_from_the_oldest_entry_then_from_the_last_import(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    first = (await import_history(hass, {"entity_id": TEMPERATURE}))["entities"]
    # All the SmartServer holds: 20 days of 15-minute entries.
    assert 19 * 24 * 4 < first[TEMPERATURE]["entries"] <= 20 * 24 * 4
    assert first[TEMPERATURE]["first_hour"] <= iso(ago(19 * 24))
    # The last complete hour.
    assert first[TEMPERATURE]["last_hour"] == iso(ago(1))

    again = (await import_history(hass, {"entity_id": TEMPERATURE}))["entities"]
    # Only from the last imported hour on: at most the hour before it is read.
    assert again[TEMPERATURE]["entries"] <= 4
    assert again[TEMPERATURE]["hours_written"] == 0


async def test_without_a_response_the_import_runs_on(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    states: list[tuple[str, Any, Any]] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            states.append(
                (
                    event.data["new_state"].state,
                    event.data["new_state"].attributes.get("datapoint"),
                    event.data["new_state"].attributes.get("queued"),
                )
            )
            if event.data["entity_id"] == PROGRESS
            else None
        ),
    )
    answer = await hass.services.async_call(
        DOMAIN,
        "import_history",
        {"entity_id": [LUX, ENERGY, TEMPERATURE], "start": iso(ago(24 * 2))},
        blocking=True,
    )
    assert answer is None
    second = hass.services.async_call(
        DOMAIN,
        "import_history",
        {"entity_id": LUX, "start": iso(ago(24 * 3))},
        blocking=True,
        return_response=True,
    )
    summary: Any = await second
    # The day before the first import's window.
    assert summary["entities"][LUX]["hours_written"] == 24
    await hass.async_block_till_done()

    assert states[-1] == ("100", None, 0)
    percents = [int(state) for state, _, _ in states]
    assert percents == sorted(percents) or 100 in percents
    reading = [datapoint for _, datapoint, _ in states if datapoint]
    assert any("Light Sensor" in r or "nvoLuxLevel" in r for r in reading)
    # The second request waited behind the first: never two at once.
    assert any(queued == 1 for _, _, queued in states)
    assert await stored_rows(hass, ENERGY, ago(24 * 2), ago(0))


async def test_a_failing_smartserver_fails_the_action(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SmartServerSim
) -> None:
    init_integration.runtime_data.history.retry_delays = (0.0, 0.0, 0.0)
    sim.inject_http_errors(500, count=10, path_prefix="/iap/ws")
    with pytest.raises(HomeAssistantError) as err:
        await import_history(hass, {"entity_id": LUX}, start=iso(ago(4)))
    assert err.value.translation_key == "history_failed"
    assert "500" in str(err.value)
    assert await statistic_ids(hass) == []


async def test_unloading_stops_waiting_imports(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    call = hass.async_create_task(
        import_history(hass, {"entity_id": LUX}, start=iso(ago(24 * 300)))
    )
    await asyncio.sleep(0.05)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await call
    assert err.value.translation_key == "history_stopped"
