"""Writes: from a Home Assistant action to the confirmed state, against a bare REST write.

The simulator runs in its own process with a site of 100 room controllers, each with a
``SNVT_temp_p`` setpoint input (a number entity). Figures, each measured in this run, in
rounds alternating between the two:

- action to confirmed state: ``number.set_value`` called with ``blocking=True`` until it
  returns, which it does once the SmartServer's echo has reached the entity's state
  (action, entity, write coalescer, REST PUT at priority 17, WebSocket echo, client,
  coordinator, entity state); the state is checked to hold the value;
- bare REST write: the client's ``write_value`` PUT at priority 17 to the same kind of
  datapoint, on its own session (one HTTPS round trip, nothing waited for).

Writes go round-robin over the 100 setpoints and never twice to one within the writer's
``MIN_WRITE_INTERVAL``: the figures are latencies, not the rate limit.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_integration import prepare_home_assistant, sim_and_home_assistant, sim_entry  # noqa: E402
from homeassistant.helpers import entity_registry as er  # noqa: E402

from custom_components.smartserver_iap import writes  # noqa: E402
from custom_components.smartserver_iap.const import DOMAIN  # noqa: E402
from custom_components.smartserver_iap.iap import IapClient, TlsTrust  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bench_integration import SimProcess
    from homeassistant.core import HomeAssistant

ROOMS = 100
WRITES = 300  # per round and pipeline
ROUNDS = 3


def site_spec() -> dict[str, Any]:
    """Return a scenario of ROOMS room controllers with one setpoint input each."""
    return {
        "scId": "wr1te01",
        "seed": 1,
        "users": {"apollo": "apollo"},
        "devices": [
            {
                "name": f"Room {n:03d}",
                "type": "RC-1 Room Controller",
                "blocks": [
                    {
                        "name": "Thermostat",
                        "index": 0,
                        "datapoints": [
                            {
                                "name": "nviSetpoint",
                                "type": "SNVT_temp_p",
                                "direction": "in",
                                "initial": 21.0,
                            }
                        ],
                    }
                ],
            }
            for n in range(ROOMS)
        ],
    }


class Spacing:
    """Waits, outside the timed part, until a target was last written long enough ago."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last: dict[int, float] = {}

    async def wait(self, target: int) -> None:
        ready = self.last.get(target, 0.0) + self.interval
        if (delay := ready - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        self.last[target] = time.perf_counter()


async def timed_round(
    write: Callable[[int, float], Awaitable[None]], spacing: Spacing, start: int
) -> list[float]:
    """Run WRITES writes round-robin; return each one's seconds."""
    seconds: list[float] = []
    for i in range(start, start + WRITES):
        target = i % ROOMS
        # Every value differs from the one the setpoint holds: each write changes it.
        value = 15.0 + (i % 97) / 10
        await spacing.wait(target)
        began = time.perf_counter()
        await write(target, value)
        seconds.append(time.perf_counter() - began)
    return seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def main() -> None:
    """Start the simulator and Home Assistant, measure, print."""
    async with sim_and_home_assistant(site_spec()) as (hass, sim):
        await run_benchmarks(hass, sim)


async def run_benchmarks(hass: HomeAssistant, sim: SimProcess) -> None:
    """Set up the entry, then alternate rounds of both pipelines."""
    prepare_home_assistant(hass)
    entry = sim_entry(hass, sim)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    async with asyncio.timeout(30):
        while not coordinator.client.connected:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    datapoints = [
        dp for dp in coordinator.site.datapoints.values() if dp.name == "nviSetpoint"
    ]
    assert len(datapoints) == ROOMS, len(datapoints)
    registry = er.async_get(hass)
    entity_ids = []
    for dp in datapoints:
        entity_id = registry.async_get_entity_id(
            "number", DOMAIN, f"{coordinator.uid}_{dp.qualifier}"
        )
        assert entity_id is not None, dp.qualifier
        entity_ids.append(entity_id)

    async def action(target: int, value: float) -> None:
        entity_id = entity_ids[target]
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": entity_id, "value": value},
            blocking=True,
        )
        state = hass.states.get(entity_id)
        assert state is not None and float(state.state) == value, (state, value)

    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        bare = IapClient(
            session,
            "127.0.0.1",
            sim.port,
            "apollo",
            "apollo",
            trust=TlsTrust.pinned(sim.fingerprint),
        )
        await bare.login()

        async def rest(target: int, value: float) -> None:
            await bare.write_value(datapoints[target], value, priority=17)

        spacing = Spacing(writes.MIN_WRITE_INTERVAL * 1.5)
        await timed_round(action, spacing, 0)  # warm-up of both
        await timed_round(rest, spacing, 0)
        stats = coordinator.writes.stats
        before = (stats.attempted, stats.confirmed)
        action_seconds: list[float] = []
        rest_seconds: list[float] = []
        for n in range(ROUNDS):
            action_seconds += await timed_round(action, spacing, (n + 1) * WRITES)
            rest_seconds += await timed_round(rest, spacing, (n + 1) * WRITES)
        await bare.close()
    confirmed = stats.confirmed - before[1]
    assert confirmed == stats.attempted - before[0] == ROUNDS * WRITES, stats

    def ms(values: list[float], fraction: float) -> float:
        return percentile(values, fraction) * 1000

    action_p50, action_p99 = ms(action_seconds, 0.5), ms(action_seconds, 0.99)
    rest_p50, rest_p99 = ms(rest_seconds, 0.5), ms(rest_seconds, 0.99)
    print(
        f"writes ({ROUNDS} rounds x {WRITES} per pipeline, round-robin over {ROOMS} "
        "setpoints, milliseconds):\n"
        f"  action to confirmed state (number.set_value, echo in the state): "
        f"p50 {action_p50:.2f}, p99 {action_p99:.2f}, "
        f"mean {statistics.fmean(action_seconds) * 1000:.2f}\n"
        f"  bare REST write (IapClient.write_value, priority 17): "
        f"p50 {rest_p50:.2f}, p99 {rest_p99:.2f}, "
        f"mean {statistics.fmean(rest_seconds) * 1000:.2f}\n"
        f"  ratio action / bare REST write: p50 {action_p50 / rest_p50:.2f}, "
        f"p99 {action_p99 / rest_p99:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
