"""Data-log import: parsing and aggregation speed, and 1,000,000 entries into statistics.

Run: ``.venv/bin/python benchmarks/bench_history.py [--entries N] [--import-entries N]``.
Figures, each measured in this run:

- throughput: the same frames as a data-log WebSocket delivers them (one entry per
  frame, the simulator's default ``…Z[UTC]`` timestamps), decoded by bare
  ``orjson.loads`` against the import's own loop (``logreader.read_datapoint``: parse
  the entry and its timestamp, check datapoint and window, track the order, aggregate
  into the hourly buckets of one sensor, a measurement or a meter); best of rounds;
- memory of that loop (tracemalloc peak) against holding the parsed entries in a list;
- the action end to end: the simulator in its own process streams two datapoints of
  500,000 entries each (10 s log interval) into a Home Assistant with the recorder on
  SQLite; wall time from the call to its answer (rows committed), rows written, and the
  Home Assistant process's peak RSS before and after.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import os
from pathlib import Path
import resource
import sys
import time
import tracemalloc
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_integration import prepare_home_assistant, sim_and_home_assistant, sim_entry  # noqa: E402
from homeassistant.helpers.recorder import async_initialize_recorder, get_instance  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402

from custom_components.smartserver_iap import statistics  # noqa: E402
from custom_components.smartserver_iap.const import DOMAIN  # noqa: E402
from custom_components.smartserver_iap.datapoint_types import VALUE_RANGES, as_real  # noqa: E402
from custom_components.smartserver_iap.hourly import HOUR, HourlySeries  # noqa: E402
from custom_components.smartserver_iap.iap.models import Datapoint, Direction  # noqa: E402
from custom_components.smartserver_iap.iap.parsing import parse_log_entry  # noqa: E402
from custom_components.smartserver_iap.logreader import read_datapoint  # noqa: E402
from smartserver_sim import SimOptions, build_scenario  # noqa: E402
from smartserver_sim.history import TimeRange, iter_entries  # noqa: E402
from smartserver_sim.sites import meter_spec  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bench_integration import SimProcess
    from homeassistant.core import HomeAssistant

    from custom_components.smartserver_iap.iap.models import LogEntry

LOG_INTERVAL = 10.0
ROUNDS = 3


def bench_spec() -> dict[str, Any]:
    """A SmartServer with one meter device: a temperature and an energy counter."""
    walk = {"kind": "random_walk", "base": 21.0, "amplitude": 3.0, "step": 600}
    counter = {"kind": "counter", "start": 1000.0, "rate": 2.5, "digits": 3}
    datapoints = [
        {"name": "nvoTemp", "type": "SNVT_temp_p", "generator": walk},
        {"name": "nvoEnergy", "type": "SNVT_elec_kwh", "generator": counter},
    ]
    spec = meter_spec(
        [{**dp, "log": LOG_INTERVAL} for dp in datapoints], sc_id="h1st0ry"
    )
    return {**spec, "seed": 11}


# -- part 1: parse + aggregate against bare decoding --------------------------------


class FrameClient:
    """Hands out pre-recorded frames as ``iter_log`` does: decode, parse, yield."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames

    async def iter_log(self, *_: Any) -> AsyncIterator[LogEntry]:
        loads = orjson.loads
        for frame in self.frames:
            yield parse_log_entry(loads(frame))


def make_frames(entries: int) -> tuple[Datapoint, list[bytes], float, float]:
    scenario = build_scenario(bench_spec())
    sim_dp = next(dp for dp in scenario.datapoints.values() if dp.name == "nvoTemp")
    end = 1_790_000_000.0 - 1_790_000_000.0 % HOUR
    start = end - entries * LOG_INTERVAL
    rng = TimeRange(start - 0.001, False, end - 0.001, True)
    frames = [
        orjson.dumps(entry)
        for entry in iter_entries(sim_dp, rng, SimOptions(), ZoneInfo("Europe/Berlin"))
    ]
    datapoint = Datapoint(
        qualifier=sim_dp.qualifier,
        device_id="h1st0ry.1",
        device_name="Meter",
        block_name="Meter",
        block_index=0,
        name="nvoTemp",
        instance_name="nvoTemp",
        type_name="SNVT_temp_p",
        direction=Direction.OUTPUT,
        unit="°C",
        value=None,
    )
    return datapoint, frames, start, end


async def aggregate(
    datapoint: Datapoint, frames: list[bytes], window: tuple[float, float], meter: bool
) -> HourlySeries:
    """Read the frames into one sensor's hourly buckets, as an import does."""
    # The range check of the sensor's type runs on every entry, as in an import.
    valid = VALUE_RANGES[datapoint.type_name or ""]
    series = HourlySeries(
        statistics._number_fn(as_real, None, valid), meter=meter, valid=valid
    )
    stats = await read_datapoint(
        FrameClient(frames),  # type: ignore[arg-type]
        datapoint,
        [series],
        window,
        lambda _: None,
    )
    assert stats.entries == len(frames), stats
    return series


async def bench_parse(entries: int) -> None:
    datapoint, frames, start, end = make_frames(entries)
    loads = orjson.loads
    best_json = float("inf")
    best = {False: float("inf"), True: float("inf")}
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for frame in frames:
            loads(frame)
        best_json = min(best_json, time.perf_counter() - began)
        for meter in (False, True):
            began = time.perf_counter()
            series = await aggregate(datapoint, frames, (start, end), meter)
            best[meter] = min(best[meter], time.perf_counter() - began)
    json_rate = len(frames) / best_json
    print(
        f"frames: {len(frames):,} data-log entries, one per frame, "
        f"{len(series.hours):,} hours; best of {ROUNDS} rounds"
    )
    print(f"bare orjson.loads:             {json_rate:>12,.0f} entries/s")
    for meter, kind in ((False, "a measurement"), (True, "a meter")):
        rate = len(frames) / best[meter]
        print(
            f"parsed and aggregated:         {rate:>12,.0f} entries/s into {kind} "
            f"(ratio {rate / json_rate:.2f} of orjson.loads)"
        )
    slowest = len(frames) / max(best.values())
    print(f"target >= 200,000 entries/s: {'met' if slowest >= 200_000 else 'MISSED'}")

    tracemalloc.start()
    await aggregate(datapoint, frames, (start, end), True)
    _, loop_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    held = [parse_log_entry(loads(frame)) for frame in frames]
    _, held_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del held
    print(
        f"memory: import loop peak {loop_peak / 1e6:.1f} MB; "
        f"the same entries held in a list {held_peak / 1e6:.1f} MB"
    )


# -- part 2: the action end to end ----------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of this process, or of another one by pid."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench_import(total: int) -> None:
    async with sim_and_home_assistant(bench_spec(), full_stop=True) as (hass, sim):
        await run_import(hass, sim, Path(hass.config.config_dir), total)


async def run_import(
    hass: HomeAssistant, sim: SimProcess, tmp_path: Path, total: int
) -> None:
    # As Home Assistant's bootstrap does before any integration loads.
    async_initialize_recorder(hass)
    assert await async_setup_component(
        hass, "recorder", {"recorder": {"db_url": f"sqlite:///{tmp_path}/ha.db"}}
    )
    await get_instance(hass).async_recorder_ready.wait()
    prepare_home_assistant(hass)
    entry = sim_entry(hass, sim)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entity_ids = sorted(entry.runtime_data.history.sensors)
    assert len(entity_ids) == 2, entity_ids

    per_datapoint = total // len(entity_ids)
    end = time.time() - time.time() % HOUR - HOUR
    start = end - per_datapoint * LOG_INTERVAL
    rss_before = peak_rss_mb()
    assert sim.process is not None
    sim_cpu, ha_cpu = cpu_seconds(sim.process.pid), cpu_seconds()
    began = time.perf_counter()
    response: Any = await hass.services.async_call(
        DOMAIN,
        "import_history",
        {
            "entity_id": entity_ids,
            "start": datetime.fromtimestamp(start, UTC).isoformat(),
            "end": datetime.fromtimestamp(end, UTC).isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    elapsed = time.perf_counter() - began
    sim_cpu = cpu_seconds(sim.process.pid) - sim_cpu
    ha_cpu = cpu_seconds() - ha_cpu
    summaries = response["entities"]
    entries = sum(one["entries"] for one in summaries.values())
    rows = sum(one["hours_written"] for one in summaries.values())
    print(
        f"import: {entries:,} entries of {len(entity_ids)} datapoints "
        f"({LOG_INTERVAL:g} s log interval, two queries in flight) -> {rows:,} hourly "
        f"rows in {elapsed:.1f} s ({entries / elapsed:,.0f} entries/s end to end)"
    )
    print(
        f"target 1,000,000 entries <= 20 s: "
        f"{'met' if elapsed <= 20 * entries / 1_000_000 else 'MISSED'}"
    )
    print(
        f"CPU during the import: simulator {sim_cpu:.1f} s, "
        f"Home Assistant (with its recorder) {ha_cpu:.1f} s"
    )
    print(
        f"Home Assistant peak RSS: {rss_before:.0f} MB before, "
        f"{peak_rss_mb():.0f} MB after the import"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=500_000)
    parser.add_argument(
        "--import-entries", type=int, default=1_000_000, help="0 skips the import"
    )
    args = parser.parse_args()
    # The import first: its memory figures must not include the frames below.
    if args.import_entries:
        asyncio.run(bench_import(args.import_entries))
    asyncio.run(bench_parse(args.entries))


if __name__ == "__main__":
    main()
