"""Fixtures: the real simulator on 127.0.0.1 and the real client, in a test hass."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from unittest.mock import PropertyMock, patch

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from custom_components.smartserver_iap import coordinator
from custom_components.smartserver_iap.connection import LIVE_TIMINGS
from custom_components.smartserver_iap.const import CONF_FINGERPRINT, DOMAIN
from custom_components.smartserver_iap.iap.live import LiveOptions
from smartserver_sim import SimOptions, SmartServerSim, SystemClock, default_scenario
from tests.profile import sim_options as profile_options

from .alarm_helpers import EventLog, Ids

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

    from smartserver_sim.clock import Clock
    from smartserver_sim.model import Device

SMARTSERVER_UID = "00D07111EA6B"
SCENARIO_TIME = 1_795_000_000.0  # 2026-11-18, a fixed instant for the scenario's values
USERNAME = "apollo"
PASSWORD = "apollo"

# Short timings so link loss and recovery take milliseconds, not minutes.
FAST_LIVE = LiveOptions(
    heartbeat=None,
    backoff_initial=0.02,
    backoff_cap=0.1,
    backoff_factor=2.0,
    backoff_jitter=0.0,
    retry_interval=0.05,
    probe_interval=None,
    connect_timeout=2.0,
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture(autouse=True)
def recorder_loaded(hass: HomeAssistant) -> None:
    """Treat the manifest's recorder dependency as set up (nothing here records)."""
    hass.config.components.add("recorder")


@pytest.fixture(autouse=True)
def ignore_refused_tls_handshakes(hass: HomeAssistant) -> None:
    """Ignore the simulator's report of a TLS handshake the client refused.

    When the client does not trust the certificate (the point of several config flow
    tests) it drops the connection mid-handshake; asyncio reports that on the server
    side, in this same loop, and the ``hass`` fixture would fail the test for it.
    """
    loop = hass.loop
    handler = loop.get_exception_handler()

    def filtered(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if str(context.get("message", "")).startswith(
            "Error on transport creation for incoming connection"
        ):
            return
        if handler is not None:
            handler(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(filtered)


@pytest.fixture(autouse=True)
def fast_live(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> LiveOptions:
    """Use short back-off and no heartbeat/probe timers in the live listener."""
    hass.data[LIVE_TIMINGS] = FAST_LIVE
    monkeypatch.setattr(coordinator, "SETUP_AUTH_RETRY_DELAY", 0.01)
    return FAST_LIVE


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return snapshot assertion fixture with the Home Assistant extension."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def sim_overrides() -> dict[str, Any]:
    """Options a test pins (parametrize it), over the profile's."""
    return {}


@pytest.fixture
def sim_options(sim_overrides: dict[str, Any]) -> SimOptions:
    """Freeze the simulator's values and periodic frames: tests change values."""
    return profile_options(
        auto_updates=False,
        ntf_time_interval=None,
        cpu_interval=None,
        session_check_interval=0.05,
        **sim_overrides,
    )


@pytest.fixture
def sim_clock() -> Clock:
    """Return the simulator's clock: the system's (the history tests anchor theirs)."""
    return SystemClock()


@pytest.fixture
async def sim(
    sim_options: SimOptions, sim_clock: Clock, socket_enabled: None
) -> AsyncIterator[SmartServerSim]:
    """Run the default scenario's SmartServer on 127.0.0.1 (TLS, self-signed).

    The scenario is built at a fixed instant, so its initial values (pure functions of
    time) are the same in every run; with ``auto_updates`` off they stay put.
    """
    with patch("smartserver_sim.scenario.time") as clock:
        clock.time.return_value = SCENARIO_TIME
        scenario = default_scenario()
    async with SmartServerSim(scenario, options=sim_options, clock=sim_clock) as server:
        yield server


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Enable the entities that are disabled by default (a device's alarm events)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def log(hass: HomeAssistant) -> EventLog:
    """Record every event the event entities announce from now on."""
    return EventLog(hass)


@pytest.fixture
def ids(hass: HomeAssistant, init_integration: MockConfigEntry) -> Ids:
    """Return the entity ids of the set-up entry's alarm entities."""
    return Ids(hass, init_integration)


def entry_data(sim: SmartServerSim, **changes: Any) -> dict[str, Any]:
    """Return config entry data that reaches ``sim``."""
    data: dict[str, Any] = {
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_FINGERPRINT: sim.fingerprint,
    }
    data.update(changes)
    return data


@pytest.fixture
def mock_config_entry(sim: SmartServerSim) -> MockConfigEntry:
    """Return an entry for the simulator, its certificate pinned."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="SmartServer IoT",
        unique_id=SMARTSERVER_UID,
        data=entry_data(sim),
    )


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state; fail when the entity has none."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state.state


def entity_id_of(entity_registry: er.EntityRegistry, unique_suffix: str) -> str:
    """Return the entity id whose unique id ends with ``unique_suffix``."""
    for entry in entity_registry.entities.values():
        if entry.unique_id.endswith(unique_suffix):
            return entry.entity_id
    raise AssertionError(f"no entity ends with {unique_suffix}")


async def wait_for(
    predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01
) -> None:
    """Wait until ``predicate()`` is true, failing after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - polling state the loop changes
            await asyncio.sleep(interval)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Set up ``entry`` and wait until its live link is up."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.client.connected)
    await hass.async_block_till_done()
    return entry


async def setup_sim_entry(
    hass: HomeAssistant, sim: SmartServerSim, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """Set up an entry for ``sim`` (these options) and wait for its live link."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=sim.scenario.smartserver().uid,
        data=entry_data(sim),
        options=options,
    )
    return await setup_entry(hass, entry)


def device_named(sim: SmartServerSim, name: str) -> Device:
    """Return the simulator's device called ``name``."""
    return next(d for d in sim.scenario.devices.values() if d.name == name)


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration against the simulator, live link connected."""
    return await setup_entry(hass, mock_config_entry)
