"""Datapoint updates from the simulator's WebSocket into Home Assistant states.

The simulator runs in its own process (the machine has two cores: one for it, one for
Home Assistant), with a generated site of 100 devices x 50 datapoints, every one followed.
Figures, each measured in this run:

- setup time of the entry (login, inventory, subscribe, bulk read, 5,000 entities);
- throughput: updates/s through the integration (WebSocket -> client -> coordinator ->
  entity -> ``async_write_ha_state``) against a bare pipeline in the same Home Assistant
  (aiohttp WebSocket -> JSON decode -> ``hass.states.async_set`` with the same attributes,
  no integration logic), rounds alternating, medians compared;
- latency from the simulator's send to the state write, at 1,000 updates/s: each value is
  the wall-clock time at which its frame was sent, read back from the state written.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any, NamedTuple, Self
from unittest.mock import patch

import aiohttp
from aiohttp.resolver import ThreadedResolver
import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from homeassistant import loader  # noqa: E402
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, EVENT_STATE_CHANGED  # noqa: E402
from homeassistant.core import Event, EventStateChangedData, callback  # noqa: E402
from homeassistant.helpers import entity_registry as er  # noqa: E402
from homeassistant.helpers.entity_platform import async_get_platforms  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.smartserver_iap.const import (  # noqa: E402
    CONF_FINGERPRINT,
    CONF_TAKEOVER_CHECK,
    DOMAIN,
)
from custom_components.smartserver_iap.iap.frames import FrameDecoder  # noqa: E402
from custom_components.smartserver_iap.iap.models import DatapointUpdate  # noqa: E402
from smartserver_sim.sites import large_spec  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from homeassistant.core import HomeAssistant

DEVICES, PER_DEVICE = 100, 50
THROUGHPUT_UPDATES = 100_000
ROUNDS = 3
LATENCY_RATE = 1_000
LATENCY_UPDATES = 5_000
LATENCY_BATCH = 10
SEND_TIME_FLOOR = 1e9  # any Unix time after 2001


def state_writer(hass: HomeAssistant, entity_id: str, attributes: Any) -> Writer:
    """The bare pipeline's write: the state machine, with the entity's attributes."""
    async_set = hass.states.async_set

    def write(value: Any) -> None:
        async_set(entity_id, str(value), attributes)

    return write


def entity_writer(entity: Any) -> Writer:
    """Write through the integration's own entity, bypassing client and coordinator.

    The value goes where the entity reads it (the site model's values), then the
    entity writes its state: the floor Home Assistant's entity layer sets for any
    integration.
    """
    values = entity.coordinator.site.values
    qualifier = entity._qualifier

    def write(value: Any) -> None:
        values[qualifier] = DatapointUpdate(qualifier, value)
        entity.async_write_ha_state()

    return write


class SimProcess:
    """``python -m smartserver_sim`` in a child process, driven by its control API."""

    def __init__(self, scenario_file: Path) -> None:
        self.scenario_file = scenario_file
        self.process: asyncio.subprocess.Process | None = None
        self.base_url = ""
        self.port = 0
        self.fingerprint = ""
        self.session: aiohttp.ClientSession | None = None

    @property
    def pin(self) -> aiohttp.Fingerprint:
        return aiohttp.Fingerprint(bytes.fromhex(self.fingerprint.replace(":", "")))

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "smartserver_sim",
            "--port",
            "0",
            "--scenario",
            str(self.scenario_file),
            "--no-auto-updates",
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        while not self.fingerprint:
            line = (await self.process.stdout.readline()).decode()
            if not line:
                raise RuntimeError("simulator exited")
            if line.startswith("URL: "):
                self.base_url = line.split(": ", 1)[1].strip()
                self.port = int(self.base_url.rsplit(":", 1)[1])
            elif line.startswith("SHA-256 fingerprint: "):
                self.fingerprint = line.split(": ", 1)[1].strip()
        self.session = aiohttp.ClientSession()

    async def control(self, op: str, **args: Any) -> Any:
        assert self.session is not None
        async with self.session.post(
            f"{self.base_url}/sim/control", json={"op": op, **args}, ssl=self.pin
        ) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


async def wait_until(done: Callable[[], bool], timeout: float = 120) -> None:
    """Poll a condition; the same 5 ms polling cost is paid by both pipelines."""
    async with asyncio.timeout(timeout):
        while not done():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


type Writer = Callable[[Any], None]


class BarePipeline:
    """aiohttp WebSocket -> orjson decode -> one writer per qualifier, nothing else."""

    def __init__(
        self, sim: SimProcess, writers: dict[str, Writer], user: str = "apollo"
    ) -> None:
        self.sim = sim
        self.writers = writers
        self.user = user
        self.updates = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.task: asyncio.Task[None] | None = None
        self.session = aiohttp.ClientSession()

    async def start(self) -> None:
        sim = self.sim
        async with self.session.post(
            f"{sim.base_url}/iap/auth/login",
            json={"username": self.user, "password": self.user},
            ssl=sim.pin,
        ) as resp:
            cookie = resp.cookies["cmsSID"].value
        headers = {"Cookie": f"cmsSID={cookie}"}
        async with self.session.put(
            f"{sim.base_url}/iap/dp/updates/subscribe",
            json=list(self.writers),
            headers=headers,
            ssl=sim.pin,
        ) as resp:
            resp.raise_for_status()
        self.ws = await self.session.ws_connect(
            f"{sim.base_url}/iap/ws", headers=headers, ssl=sim.pin
        )
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self.ws is not None
        writers = self.writers
        async for message in self.ws:
            frame = orjson.loads(message.data)
            if frame.get("action") != "UPD:DATAPOINT":
                continue
            for item in frame["payload"]:
                writer = writers.get(item["datapointQualifier"])
                if writer is not None:
                    writer(item["value"])
            self.updates += len(frame["payload"])

    def count(self) -> int:
        return self.updates

    async def stop(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.session.close()


def _counter(entry: MockConfigEntry) -> Callable[[], int]:
    stats = entry.runtime_data.client.stats
    return lambda: int(stats.updates)


async def settle(count: Callable[[], int], quiet: float = 0.5) -> None:
    """Wait until nothing has arrived for ``quiet`` seconds (e.g. a resync's updates)."""
    last = -1
    while (now := count()) != last:
        last = now
        await asyncio.sleep(quiet)


class Rate(NamedTuple):
    """Updates per second of wall time, and per CPU second of this process.

    On a busy machine the wall-time rate also measures the other processes; the
    CPU-time rate measures only the work this process did for the updates.
    """

    wall: float
    cpu: float


async def measure_stream(
    sim: SimProcess, count: Callable[[], int], updates: int
) -> Rate:
    """Stream ``updates`` through whatever is connected; return the rates received."""
    await settle(count)
    start_count = count()
    began = time.perf_counter()
    cpu_began = time.process_time()
    stream = asyncio.ensure_future(
        sim.control("stream_updates", count=updates, batch_size=100)
    )
    await wait_until(lambda: count() - start_count >= updates)
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    await stream
    return Rate(updates / elapsed, updates / cpu)


@contextlib.asynccontextmanager
async def sim_and_home_assistant(
    spec: dict[str, Any], *, full_stop: bool = False
) -> AsyncIterator[tuple[HomeAssistant, SimProcess]]:
    """Run the simulator on ``spec`` in its own process, and a test Home Assistant.

    ``full_stop`` stops Home Assistant for good at the end: the recorder's thread ends
    only on Home Assistant's final events, and the interpreter waits for it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        scenario_file = tmp_path / "site.json"
        scenario_file.write_text(json.dumps(spec))
        sim = SimProcess(scenario_file)
        await sim.start()
        try:
            async with async_test_home_assistant(config_dir=str(tmp_path)) as hass:
                yield hass, sim
                if full_stop:
                    await hass.async_stop(force=True)
                else:
                    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
                    await hass.async_block_till_done()
        finally:
            await sim.stop()


async def main() -> None:
    """Run every measurement and print the figures."""
    spec = large_spec(DEVICES, PER_DEVICE)
    spec["users"] = {"apollo": "apollo", "bench": "bench"}
    async with sim_and_home_assistant(spec) as (hass, sim):
        with FrameClock() as clock:
            await run_benchmarks(hass, sim, clock)


class PlainResolver(ThreadedResolver):
    """Plain DNS; Home Assistant closes its resolver with ``real_close`` when it stops."""

    async def real_close(self) -> None:
        await self.close()


def prepare_home_assistant(hass: HomeAssistant) -> None:
    """Let a test Home Assistant load the integration from this repository."""
    (Path(hass.config.config_dir) / "custom_components").symlink_to(
        REPO / "custom_components"
    )
    # Let the loader see custom integrations, as the enable_custom_integrations fixture
    # does; the recorder (a manifest dependency, unused on this path) is marked loaded.
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
    hass.config.components.add("recorder")
    # Plain DNS instead of the zeroconf-backed resolver (no network integration here),
    # as the test harness's mock_zeroconf_resolver fixture does.
    resolver = PlainResolver()
    patcher = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=resolver,
    )
    patcher.start()


def sim_entry(hass: HomeAssistant, sim: SimProcess) -> MockConfigEntry:
    """Return a config entry for the simulator, added to ``hass``."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            "host": "127.0.0.1",
            "port": sim.port,
            "username": "apollo",
            "password": "apollo",
            CONF_FINGERPRINT: sim.fingerprint,
        },
        # The subscription check would take the emptied subscription back in the
        # middle of the entity-floor rounds.
        options={CONF_TAKEOVER_CHECK: False},
    )
    entry.add_to_hass(hass)
    return entry


async def run_benchmarks(
    hass: HomeAssistant, sim: SimProcess, clock: FrameClock
) -> None:
    """Setup time, throughput against the bare pipeline, then latency."""
    prepare_home_assistant(hass)
    entry = sim_entry(hass, sim)
    began = time.perf_counter()
    cpu_began = time.process_time()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setup_seconds = time.perf_counter() - began
    setup_cpu = time.process_time() - cpu_began
    coordinator = entry.runtime_data
    qualifiers = sorted(coordinator.site.subscribed)
    states = hass.states.async_all("sensor")
    print(
        f"setup: {len(qualifiers)} followed datapoints, {len(states)} sensor entities, "
        f"{setup_seconds:.2f} s ({setup_cpu:.2f} s of CPU in this process)"
    )
    assert len(qualifiers) == DEVICES * PER_DEVICE, len(qualifiers)

    # The bare pipeline writes the same entity ids with the same attributes.
    by_qualifier = {
        ent.unique_id.removeprefix(f"{coordinator.uid}_"): ent.entity_id
        for ent in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    targets = {
        q: (by_qualifier[q], dict(hass.states.get(by_qualifier[q]).attributes))  # type: ignore[union-attr]
        for q in qualifiers
        if q in by_qualifier
    }

    await measure_stream(sim, _counter(entry), 5_000)  # warm-up
    integration_rates: list[Rate] = []
    bare_rates: list[Rate] = []
    entities = {
        entity.entity_id: entity
        for platform in async_get_platforms(hass, DOMAIN)
        for entity in platform.entities.values()
    }
    entity_rates: list[Rate] = []
    for _ in range(ROUNDS):
        integration_rates.append(
            await measure_stream(sim, _counter(entry), THROUGHPUT_UPDATES)
        )
        # Same entities, fed by a plain WebSocket of another user while the
        # integration's own subscription is emptied (its socket stays open, idle).
        await sim.control("steal_subscription", user="apollo", qualifiers=[])
        floor = BarePipeline(
            sim,
            {q: entity_writer(entities[eid]) for q, (eid, _) in targets.items()},
            user="bench",
        )
        await floor.start()
        await measure_stream(sim, floor.count, 5_000)  # warm-up
        entity_rates.append(await measure_stream(sim, floor.count, THROUGHPUT_UPDATES))
        await floor.stop()
        await sim.control("steal_subscription", user="bench", qualifiers=[])
        await sim.control("steal_subscription", user="apollo", qualifiers=qualifiers)

        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        bare = BarePipeline(
            sim,
            {q: state_writer(hass, eid, attrs) for q, (eid, attrs) in targets.items()},
        )
        await bare.start()
        await measure_stream(sim, bare.count, 5_000)  # warm-up
        bare_rates.append(await measure_stream(sim, bare.count, THROUGHPUT_UPDATES))
        await bare.stop()
        for entity_id, _ in targets.values():
            hass.states.async_remove(entity_id)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        entities = {
            entity.entity_id: entity
            for platform in async_get_platforms(hass, DOMAIN)
            for entity in platform.entities.values()
        }

    def report(kind: str, field: str) -> None:
        integration = statistics.median(getattr(r, field) for r in integration_rates)
        baseline = statistics.median(getattr(r, field) for r in bare_rates)
        floor_rate = statistics.median(getattr(r, field) for r in entity_rates)

        def rounds(rates: list[Rate]) -> str:
            return ", ".join(f"{getattr(r, field):,.0f}" for r in rates)

        print(
            f"throughput (median of {ROUNDS} rounds, updates per {kind}):\n"
            f"  integration (client, coordinator, entities): {integration:,.0f}"
            f"  [{rounds(integration_rates)}]\n"
            f"  bare pipeline (WebSocket, orjson, states.async_set): {baseline:,.0f}"
            f"  [{rounds(bare_rates)}]\n"
            f"  entity floor (WebSocket, orjson, entity.async_write_ha_state): "
            f"{floor_rate:,.0f}  [{rounds(entity_rates)}]\n"
            f"  ratio integration / bare pipeline: {integration / baseline:.2f} "
            "(target >= 0.85)\n"
            f"  ratio integration / entity floor: {integration / floor_rate:.2f}\n"
            f"  ratio entity floor / bare pipeline: {floor_rate / baseline:.2f} "
            "(Home Assistant's entity write alone)"
        )

    report("second", "wall")
    report("CPU second of this process", "cpu")

    await measure_latency(hass, sim, entry, targets, clock)


class FrameClock:
    """Remembers when the client's listener received the frame being handled.

    The decoder runs first on every frame and the handler writes the frame's states
    synchronously after it, so "the last decode" is the frame of any state written.
    """

    def __init__(self) -> None:
        self.received = 0.0
        self._decode = FrameDecoder.decode

    def __enter__(self) -> Self:
        clock = self
        original = self._decode

        def timed_decode(decoder: FrameDecoder, data: str | bytes) -> Any:
            clock.received = time.time()
            return original(decoder, data)

        FrameDecoder.decode = timed_decode  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        FrameDecoder.decode = self._decode  # type: ignore[method-assign]


def percentiles(seconds: list[float]) -> str:
    ms = sorted(x * 1000 for x in seconds)
    return (
        f"p50 {ms[len(ms) // 2]:.2f} ms, p99 {ms[int(len(ms) * 0.99)]:.2f} ms, "
        f"max {ms[-1]:.2f} ms"
    )


async def measure_latency(
    hass: HomeAssistant,
    sim: SimProcess,
    entry: MockConfigEntry,
    targets: dict[str, tuple[str, Any]],
    clock: FrameClock,
) -> None:
    """Frames at 1,000 updates/s whose values are their send times."""
    from_send: list[float] = []
    from_receipt: list[float] = []
    watched = {entity_id for entity_id, _ in targets.values()}

    @callback
    def state_written(event: Event[EventStateChangedData]) -> None:
        # Callback listeners run inside async_set, right after the state is written.
        new_state = event.data["new_state"]
        if new_state is None or event.data["entity_id"] not in watched:
            return
        sent = float(new_state.state)
        # Only the benchmark's values are send times; resync reads write real values.
        if sent > SEND_TIME_FLOOR:
            now = time.time()
            from_send.append(now - sent)
            from_receipt.append(now - clock.received)

    await settle(_counter(entry), quiet=1.0)
    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, state_written)
    try:
        await sim.control(
            "stream_updates",
            count=LATENCY_UPDATES,
            batch_size=LATENCY_BATCH,
            rate=LATENCY_RATE,
            send_time_values=True,
        )
        await wait_until(lambda: len(from_send) >= LATENCY_UPDATES, timeout=60)
    finally:
        unsubscribe()
    print(
        f"latency at {LATENCY_RATE} updates/s ({LATENCY_BATCH} per frame) over "
        f"{len(targets)} followed datapoints (target p99 <= 5 ms):\n"
        f"  frame received -> state written: {percentiles(from_receipt)}\n"
        f"  simulator send -> state written: {percentiles(from_send)} "
        "(adds TLS, loopback and both processes' scheduling)"
    )


if __name__ == "__main__":
    asyncio.run(main())
