"""Fixtures: the real (in-memory) recorder instead of the faked one, one clock, helpers.

The recorder must be set up before ``hass`` (phacc's ``recorder_mock`` checks that), so
the integration conftest's autouse fixtures that use ``hass`` are redefined here to ask
for the recorder first.

Hours decide what an import reads and writes (the last complete hour, the hours of a
window), and a test computes the same hours (``ago``). Each test therefore has one clock
(``history_clock``), read by the test, by Home Assistant (``dt_util.utcnow``, which the
integration reads) and by the simulator (its data log ends at its "now"), and set back
at the test's start to just after the top of the current hour. Read from the system
clock, a test running across the top of an hour saw the hour change between two of its
own readings, or between its reading and the integration's; now the hour changes only
if a test runs for most of an hour, and all of them see the same hour.
"""

from __future__ import annotations

from datetime import UTC, datetime
import logging
import time
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.db_schema import Statistics, StatisticsShortTerm
from homeassistant.components.recorder.models import StatisticData, StatisticMeanType
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest

from custom_components.smartserver_iap.const import DOMAIN
from custom_components.smartserver_iap.hourly import HOUR, hour_of
from smartserver_sim import SystemClock
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


# A test's clock starts at most this long after the top of an hour: its hour changes
# only after 59 minutes of test.
HOUR_MARGIN = 60.0


class HistoryClock(SystemClock):
    """The wall clock of one test: the system's, set back to early in its hour.

    Only the wall-clock time is shifted; the event loop's timers and the simulator's
    monotonic time stay the system's.
    """

    def __init__(self, skew: float = 0.0) -> None:
        """Anchor the clock at the system's time (taken to be ``skew`` seconds off)."""
        self.skew = skew
        self.system_start = time.time() + skew
        self.offset = skew + anchor_offset(self.system_start)

    def system_time(self) -> float:
        """Return the system's time (with the skew), which the test's clock is not."""
        return time.time() + self.skew

    def time(self) -> float:
        """Return the test's UNIX time."""
        return time.time() + self.offset

    def utcnow(self) -> datetime:
        """Return the shifted time as Home Assistant's ``dt_util.utcnow`` does."""
        return datetime.fromtimestamp(self.time(), UTC)


def anchor_offset(now: float) -> float:
    """Return the shift that moves ``now`` to ``HOUR_MARGIN`` after its hour's start.

    Never forward: what the test imports is never in the future of Home Assistant parts
    that read the system clock themselves.
    """
    return min(0.0, HOUR_MARGIN - now % HOUR)


@pytest.fixture
def seconds_to_the_hour(request: pytest.FixtureRequest) -> float | None:
    """Return None: the system clock as it is.

    Parametrized indirectly: the system clock is taken to read this many seconds before
    the top of an hour when the test starts.
    """
    return getattr(request, "param", None)


@pytest.fixture
def history_clock(
    monkeypatch: pytest.MonkeyPatch, seconds_to_the_hour: float | None
) -> HistoryClock:
    """Give the test, Home Assistant and the simulator one clock, early in an hour."""
    skew = 0.0
    if seconds_to_the_hour is not None:
        skew = HOUR - seconds_to_the_hour - time.time() % HOUR
    clock = HistoryClock(skew)
    monkeypatch.setattr(dt_util, "utcnow", clock.utcnow)
    return clock


@pytest.fixture
def sim_clock(history_clock: HistoryClock) -> HistoryClock:
    """The simulator reads the test's clock too."""
    return history_clock


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    history_clock: HistoryClock, recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Start the test's clock, then Home Assistant and the recorder on it.

    Then let Home Assistant load the integration.
    """


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
    """Return the start of the hour ``hours`` before the current one (UNIX time).

    The current hour is Home Assistant's, which is the test's clock (``history_clock``).
    """
    return hour_of(dt_util.utcnow().timestamp()) - hours * HOUR


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


def statistic(row: dict[str, Any]) -> StatisticData:
    """Return a row given with a UNIX ``start`` as the recorder takes it."""
    data = StatisticData(start=datetime.fromtimestamp(row["start"], UTC))
    for key in ("mean", "min", "max", "state", "sum"):
        if key in row:
            data[key] = row[key]
    return data


def store_rows(
    hass: HomeAssistant,
    entity_id: str,
    *rows: dict[str, Any],
    table: type[Statistics | StatisticsShortTerm] = Statistics,
) -> None:
    """Store rows as Home Assistant's compiler would have: hourly, or 5-minute ones."""
    meter = "sum" in rows[0]
    get_instance(hass).async_import_statistics(
        {
            "has_sum": meter,
            "mean_type": StatisticMeanType.NONE
            if meter
            else StatisticMeanType.ARITHMETIC,
            "name": None,
            "source": "recorder",
            "statistic_id": entity_id,
            "unit_class": "energy" if meter else "temperature",
            "unit_of_measurement": "kWh" if meter else "°C",
        },
        [statistic(row) for row in rows],
        table,
    )


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
