"""A real ``hass``: the history action over REST, the hours back over HA's WebSocket API."""

from __future__ import annotations

from datetime import UTC, datetime
import itertools
import time
from typing import TYPE_CHECKING, Any

import pytest

from smartserver_sim.history import expected_log_entries
from smartserver_sim.timefmt import parse_time

from .demo import quiet_settings, run_demo

if TYPE_CHECKING:
    from pathlib import Path

    from smartserver_sim import SmartServerSim

HOUR = 3600
WEEK = 7 * 24


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


def expected_hours(
    sim: SmartServerSim, qualifier: str, start: float, end: float
) -> dict[float, list[float]]:
    """The simulator's logged values of ``[start, end)``, by UTC hour, in time order."""
    hours: dict[float, list[float]] = {}
    for entry in expected_log_entries(
        sim.scenario, qualifier, start - 0.001, end - 0.001, options=sim.options
    ):
        t = parse_time(entry["utc"])
        hours.setdefault(t - t % HOUR, []).append(float(entry["value"]))
    return hours


async def test_a_week_imported_over_rest_is_in_the_statistics(
    tmp_path: Path, socket_enabled: None
) -> None:
    """The demo (``scripts/develop``'s code path): import a week, read the hours back."""
    async with run_demo(quiet_settings(tmp_path)) as demo:
        sim, hass = demo.sim, demo.hass
        temperature = next(
            dp
            for dp in sim.scenario.datapoints.values()
            if dp.name == "nvoSpaceTemp" and dp.device.name == "Thermostat Büro 1"
        )
        energy = next(
            dp for dp in sim.scenario.datapoints.values() if dp.name == "nvoEnergy"
        )
        try:
            temperature_id = "sensor.thermostat_buro_1_space_temperature"
            energy_id = "sensor.energy_meter_energy"
            await hass.wait_for(
                lambda s: all(
                    s.get(e, {}).get("state") not in (None, "unknown", "unavailable")
                    for e in (temperature_id, energy_id)
                ),
            )

            # One reading of the clock: two could fall on either side of an hour. The
            # window is explicit, so the hour passing later changes nothing.
            now = time.time()
            end = now - now % HOUR - HOUR
            start = end - WEEK * HOUR
            answer = await hass.api(
                "POST",
                "/api/services/smartserver_iap/import_history?return_response",
                {
                    "entity_id": [temperature_id, energy_id],
                    "start": iso(start),
                    "end": iso(end),
                },
            )
            summaries: dict[str, Any] = answer["service_response"]["entities"]
            assert summaries[temperature_id]["hours_written"] == WEEK
            assert summaries[energy_id]["hours_written"] == WEEK

            (found,) = await hass.ws(
                {
                    "type": "recorder/statistics_during_period",
                    "start_time": iso(start),
                    "end_time": iso(end),
                    "statistic_ids": [temperature_id, energy_id],
                    "period": "hour",
                    "types": ["mean", "min", "max", "state", "sum"],
                }
            )
            # The statistics API answers in milliseconds since the epoch.
            rows = found[temperature_id]
            expected = expected_hours(sim, temperature.qualifier, start, end)
            assert [row["start"] / 1000 for row in rows] == sorted(expected)
            for row in rows:
                values = expected[row["start"] / 1000]
                assert row["mean"] == pytest.approx(sum(values) / len(values))
                assert (row["min"], row["max"]) == (min(values), max(values))

            meter = found[energy_id]
            assert len(meter) == WEEK
            readings = expected_hours(sim, energy.qualifier, start, end)
            assert [row["state"] for row in meter] == [
                readings[hour][-1] for hour in sorted(readings)
            ]
            sums = [row["sum"] for row in meter]
            assert all(b >= a for a, b in itertools.pairwise(sums))
            first = readings[min(readings)][0]
            assert sums[-1] == pytest.approx(meter[-1]["state"] - first)
        except BaseException:
            print(hass.log_tail())
            raise
