"""Fixtures: the real (in-memory) recorder instead of the faked one, and helpers.

The recorder must be set up before ``hass`` (phacc's ``recorder_mock`` checks that), so
the integration conftest's autouse fixtures that use ``hass`` are redefined here to ask
for the recorder first.
"""

from __future__ import annotations

from datetime import UTC, datetime
import logging
import time
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.helpers.recorder import get_instance
import pytest

from custom_components.smartserver_iap.const import DOMAIN
from custom_components.smartserver_iap.hourly import HOUR, hour_of
from smartserver_sim.history import expected_log_entries
from smartserver_sim.timefmt import parse_time

if TYPE_CHECKING:
    from collections.abc import Iterator

    from homeassistant.core import HomeAssistant

    from smartserver_sim import SmartServerSim

TEMPERATURE = "sensor.thermostat_buro_1_space_temperature"
LUX = "sensor.lighting_buro_1_2_illuminance"
ENERGY = "sensor.energy_meter_energy"
VOLTAGE = "sensor.energy_meter_phase_0_voltage"  # not logged by the SmartServer
HVAC_MODE = "sensor.thermostat_buro_1_hvac_mode"  # an enum: no statistics


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Set up the recorder, then let Home Assistant load the integration."""


@pytest.fixture(autouse=True)
def recorder_loaded(recorder_mock: Any) -> None:
    """The real recorder replaces the integration tests' fake one."""


@pytest.fixture(autouse=True)
def quiet_sql() -> Iterator[None]:
    """Do not log every SQL statement (phacc turns that on): imports write thousands."""
    engine = logging.getLogger("sqlalchemy.engine")
    level = engine.level
    engine.setLevel(logging.WARNING)
    yield
    engine.setLevel(level)


def ago(hours: int) -> float:
    """Return the start of the hour ``hours`` before the current one (UNIX time)."""
    return hour_of(time.time()) - hours * HOUR


def iso(t: float) -> str:
    """Return a UNIX time as ISO 8601 UTC, as an action's field takes it."""
    return datetime.fromtimestamp(t, UTC).isoformat()


async def import_history(
    hass: HomeAssistant, target: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """Run the action and wait for its summary."""
    response = await hass.services.async_call(
        DOMAIN,
        "import_history",
        {**target, **fields},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def stored_rows(
    hass: HomeAssistant, entity_id: str, start: float, end: float
) -> list[dict[str, Any]]:
    """Return the hourly rows of a statistic in ``[start, end)``, as the recorder has them."""
    await get_instance(hass).async_block_till_done()
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime.fromtimestamp(start, UTC),
        datetime.fromtimestamp(end, UTC),
        {entity_id},
        "hour",
        None,
        {"mean", "min", "max", "state", "sum"},
    )
    return [dict(row) for row in found.get(entity_id, [])]


def sim_qualifier(sim: SmartServerSim, device: str, name: str) -> str:
    """Return the qualifier of a datapoint of the simulator by device and name."""
    return next(
        q
        for q, dp in sim.scenario.datapoints.items()
        if dp.device.name == device and dp.name == name
    )


def log_entries(
    sim: SmartServerSim, qualifier: str, start: float, end: float
) -> list[tuple[float, float]]:
    """Return the simulator's entries in ``[start, end)`` as (time, value), in time order."""
    entries = expected_log_entries(sim.scenario, qualifier, start - 0.001, end - 0.001)
    return sorted((parse_time(e["utc"]), float(e["value"])) for e in entries)


def expected_means(
    entries: list[tuple[float, float]],
) -> list[tuple[float, float, float, float]]:
    """Return (hour, mean, min, max) per UTC hour, computed from the entries."""
    hours: dict[float, list[float]] = {}
    for t, value in entries:
        hours.setdefault(t - t % HOUR, []).append(value)
    return [
        (hour, sum(values) / len(values), min(values), max(values))
        for hour, values in sorted(hours.items())
    ]


def expected_sums(
    entries: list[tuple[float, float]], start_sum: float = 0.0
) -> list[tuple[float, float, float]]:
    """Return (hour, state, sum) per UTC hour of a counter, zero at its first reading."""
    rows: dict[float, tuple[float, float]] = {}
    total = start_sum
    before: float | None = None
    for t, value in entries:
        if before is not None:
            assert value >= before, "a counter that never resets"
            total += value - before
        before = value
        rows[t - t % HOUR] = (value, total)
    return [(hour, state, total) for hour, (state, total) in sorted(rows.items())]
