"""The live link: loss and recovery, dynamic and stale devices, reauth, odd events."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any, cast
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.util import dt as dt_util
import orjson
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.smartserver_iap.binary_sensor import (
    DeviceHealthBinarySensor,
    datapoint_binary_sensors,
)
from custom_components.smartserver_iap.const import DOMAIN
from custom_components.smartserver_iap.coordinator import (
    FIRST_SYNC_TIMEOUT,
    LIVE_RESTART_DELAY,
)
from custom_components.smartserver_iap.iap.client import IapClient
from custom_components.smartserver_iap.iap.errors import (
    IapConnectionError,
    IapProtocolError,
)
from custom_components.smartserver_iap.iap.events import (
    ConnectionLost,
    DeviceDeleted,
    Resynced,
    SubscriptionTakenOver,
)
from custom_components.smartserver_iap.iap.models import DeviceStatus
from custom_components.smartserver_iap.sensor import datapoint_sensors
from smartserver_sim import SimOptions

from .conftest import PASSWORD, USERNAME, state_of, wait_for


def later(seconds: float) -> datetime:
    """Return the time ``seconds`` from now, for ``async_fire_time_changed``."""
    return dt_util.utcnow() + timedelta(seconds=seconds)


if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr, entity_registry as er
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from smartserver_sim import SmartServerSim

LOGGER = "custom_components.smartserver_iap"

NEW_DEVICE = {
    "name": "Meeting Room Sensor",
    "type": "TS-1 Temperature Sensor",
    "blocks": [
        {
            "name": "Sensor",
            "index": 0,
            "datapoints": [
                {
                    "name": "nvoTemp",
                    "type": "SNVT_temp_p",
                    "direction": "out",
                    "initial": 19.5,
                },
                {
                    "name": "nviOffset",
                    "type": "SNVT_temp_p",
                    "direction": "in",
                    "initial": 0.0,
                },
            ],
        }
    ],
}


def entity_for(entity_registry: er.EntityRegistry, suffix: str) -> str | None:
    for entry in entity_registry.entities.values():
        if entry.unique_id.endswith(suffix):
            return entry.entity_id
    return None


def messages(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(LOGGER) and text in r.getMessage()
    ]


async def test_link_lost_and_back(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A restart makes entities unavailable; then they show the values read back.

    One info log when the link is lost and one when it is back, however many
    reconnect attempts happen in between.
    """
    caplog.set_level(logging.INFO, logger=LOGGER)
    coordinator = init_integration.runtime_data
    qualifier = next(
        q for q in coordinator.site.subscribed if q.endswith("AirQuality/0/nvoTemp")
    )
    entity_id = entity_for(entity_registry, qualifier)
    link_id = entity_for(entity_registry, "_link")
    device_id = coordinator.site.device_of(qualifier)
    # A sensor whose state has no datapoint value: only the resync can bring it back.
    health_id = entity_for(entity_registry, f"_{device_id}_health")
    assert entity_id is not None
    assert link_id is not None
    assert health_id is not None
    reconnects = coordinator.client.stats.reconnects

    await sim.restart(0.4)
    await wait_for(lambda: state_of(hass, entity_id) == STATE_UNAVAILABLE)
    assert state_of(hass, link_id) == "off"
    assert state_of(hass, health_id) == STATE_UNAVAILABLE
    # Changed while Home Assistant cannot see it: the resync must bring it.
    sim.datapoint(qualifier).default = 25.5

    await wait_for(lambda: state_of(hass, entity_id) == "25.5", timeout=10)
    assert state_of(hass, link_id) == "on"
    assert state_of(hass, health_id) == "on"
    assert coordinator.client.stats.reconnects > reconnects
    assert len(messages(caplog, "Lost connection to SmartServer")) == 1
    assert len(messages(caplog, "is back")) == 1

    # Live updates flow again after the resync.
    await sim.set_value(qualifier, 24.0)
    await wait_for(lambda: state_of(hass, entity_id) == "24.0")


async def test_flapping_link_logs_one_outage(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A link that drops right after each resync: unavailable each time, logged once.

    Every drop makes the entities unavailable, but the outage is logged once when it
    starts and once when the link is back.
    """
    caplog.set_level(logging.INFO, logger=LOGGER)
    coordinator = init_integration.runtime_data
    qualifier = coordinator.site.subscribed[0]
    entity_id = entity_for(entity_registry, qualifier)
    assert entity_id is not None
    for n, new_outage in enumerate((True, False, False)):
        coordinator.handle_event(ConnectionLost("dropped", new_outage=new_outage))
        assert state_of(hass, entity_id) == STATE_UNAVAILABLE
        # A resync's values are in the site before the event reaches the handler.
        await sim.set_value(qualifier, 21.5 + n)
        await coordinator.client.read_values([qualifier])
        coordinator.handle_event(Resynced([]))
        assert state_of(hass, entity_id) == str(21.5 + n)
    assert len(messages(caplog, "Lost connection to SmartServer")) == 1
    assert len(messages(caplog, "is back")) == 1


async def test_websocket_dropped(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An abrupt WebSocket drop is logged once and healed."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    coordinator = init_integration.runtime_data
    await sim.drop_websockets()
    await wait_for(lambda: len(messages(caplog, "is back")) == 1)
    assert coordinator.connected
    assert len(messages(caplog, "Lost connection to SmartServer")) == 1


async def test_credentials_revoked_start_reauth(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Sessions expire and the password changed: the live link stops and asks to reauth."""
    coordinator = init_integration.runtime_data
    sim.auth.users[USERNAME] = "changed"
    await sim.expire_sessions()

    def reauth_started() -> bool:
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        return any(f["context"]["source"] == SOURCE_REAUTH for f in flows)

    await wait_for(reauth_started, timeout=10)
    assert not coordinator.connected
    sim.auth.users[USERNAME] = PASSWORD


@pytest.mark.parametrize(
    "refusal",
    [(401, 1, "/iap/auth/login"), (401, 2, "/iap/dp/updates/subscribe")],
)
async def test_stray_401_is_no_reauth(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    refusal: tuple[int, int, str],
) -> None:
    """Sessions expire and the SmartServer refuses the valid password once.

    The link comes back by itself; no reauth is asked for.
    """
    coordinator = init_integration.runtime_data
    connects = coordinator.client.stats.connects
    await sim.expire_sessions()
    sim.inject_http_errors(*refusal)
    await wait_for(lambda: coordinator.client.stats.connects > connects)
    await wait_for(lambda: coordinator.connected)
    assert sim.http_errors == []
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_live_link_fails_hard(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Errors that end run_live mark the link down, log one error, and restart it."""
    with patch.object(
        IapClient,
        "run_live",
        side_effect=[IapProtocolError("nonsense"), RuntimeError("bug"), None],
    ) as run_live:
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        coordinator = mock_config_entry.runtime_data
        assert run_live.call_count == 1
        assert not coordinator.connected
        for calls in (2, 3):
            # Not before the restart delay is over.
            async_fire_time_changed(hass, later(LIVE_RESTART_DELAY - 1))
            await hass.async_block_till_done()
            assert run_live.call_count == calls - 1
            async_fire_time_changed(hass, later(LIVE_RESTART_DELAY + 1))
            await hass.async_block_till_done()
            assert run_live.call_count == calls
    # run_live returned normally: the client was closed, nothing restarts it.
    async_fire_time_changed(hass, later(LIVE_RESTART_DELAY + 1))
    await hass.async_block_till_done()
    assert run_live.call_count == 3
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    expected = f"Live link of {coordinator.label} stopped: nonsense; "
    assert [r.getMessage() for r in errors] == [expected + "restarting in 60 s"]


async def test_live_task_crash_restarts(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception from run_live is logged once; the live link restarts."""
    real_run_live = IapClient.run_live
    calls = 0

    async def flaky(self: IapClient, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("bug in the client")
        await real_run_live(self, *args, **kwargs)

    with patch.object(IapClient, "run_live", flaky):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        coordinator = mock_config_entry.runtime_data
        assert not coordinator.connected
        async_fire_time_changed(hass, later(LIVE_RESTART_DELAY + 1))
        await wait_for(lambda: coordinator.client.connected)
        await hass.async_block_till_done()
        assert coordinator.connected
        assert calls == 2
        assert len(messages(caplog, "stopped: bug in the client")) == 1
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_live_link_never_established(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Entities start with the setup values but not forever without a live link."""

    async def never(self: IapClient, *args: Any, **kwargs: Any) -> None:
        await asyncio.Event().wait()

    with patch.object(IapClient, "run_live", never):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        coordinator = mock_config_entry.runtime_data
        entity_id = entity_for(entity_registry, "AirQuality/0/nvoTemp")
        assert entity_id is not None
        async_fire_time_changed(hass, later(FIRST_SYNC_TIMEOUT - 1))
        await hass.async_block_till_done()
        assert state_of(hass, entity_id) != STATE_UNAVAILABLE
        async_fire_time_changed(hass, later(FIRST_SYNC_TIMEOUT + 1))
        await hass.async_block_till_done()
        assert state_of(hass, entity_id) == STATE_UNAVAILABLE
        assert not coordinator.connected
        # Unloading cancels the hanging live task before logging out.
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert not sim.auth.sessions


async def test_stop_during_device_refresh_leaves_no_session(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Home Assistant stops while new devices are read: no login after the logout."""
    coordinator = init_integration.runtime_data
    sim.inject_latency(0.2)
    await sim.add_device(NEW_DEVICE)
    await wait_for(lambda: bool(coordinator.inventory.tasks))
    await asyncio.sleep(0.05)
    logins = sim.counters.logins
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await asyncio.sleep(0.8)
    assert not coordinator.inventory.tasks
    assert sim.counters.logins == logins
    assert not sim.auth.sessions


async def test_unload_during_resync_leaves_no_session(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Unloading while the live link resyncs: no login after the logout."""
    coordinator = init_integration.runtime_data
    sim.inject_latency(0.1)
    await sim.expire_sessions()
    await wait_for(lambda: not coordinator.connected)
    await asyncio.sleep(0.15)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    logins = sim.counters.logins
    await asyncio.sleep(0.5)
    assert sim.counters.logins == logins
    assert not sim.auth.sessions
    # Events that arrive after the close touch nothing.
    coordinator.handle_event(ConnectionLost("late"))
    coordinator.handle_event(DeviceDeleted("late"))
    assert not coordinator.inventory.tasks


async def test_new_device_appears(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device added on the SmartServer gets its device and entities, no reload."""
    coordinator = init_integration.runtime_data
    device_id = await sim.add_device(NEW_DEVICE)

    await wait_for(lambda: entity_for(entity_registry, "Sensor/0/nvoTemp") is not None)
    entity_id = entity_for(entity_registry, "Sensor/0/nvoTemp")
    assert entity_id is not None
    await wait_for(lambda: hass.states.get(entity_id) is not None)
    assert state_of(hass, entity_id) == "19.5"
    # An input of a type Home Assistant writes is followed by default: a number.
    offset_id = entity_for(entity_registry, "Sensor/0/nviOffset")
    assert offset_id is not None and offset_id.startswith("number.")
    health_id = entity_for(entity_registry, f"_{device_id}_health")
    assert health_id is not None
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{coordinator.uid}_{device_id}"), init_integration.entry_id
    )
    assert device is not None
    assert device.model == "TS-1 Temperature Sensor"

    qualifier = next(
        q for q in coordinator.site.subscribed if q.endswith("Sensor/0/nvoTemp")
    )
    await sim.set_value(qualifier, 20.0)
    await wait_for(lambda: state_of(hass, entity_id) == "20.0")

    # ... and disappears with its entities when removed there.
    await sim.remove_device(device_id)
    await wait_for(lambda: entity_for(entity_registry, "Sensor/0/nvoTemp") is None)
    assert hass.states.get(entity_id) is None
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{coordinator.uid}_{device_id}"), init_integration.entry_id
        )
        is None
    )
    assert not coordinator.site.is_subscribed(qualifier)
    await hass.async_block_till_done()
    await wait_for(lambda: qualifier not in coordinator.client.subscribed)


async def test_device_provisioned_later(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """An unprovisioned device's outputs are followed once it is provisioned."""
    site = init_integration.runtime_data.site
    spare = next(d for d in site.devices.values() if d.name == "Spare Lighting Node")
    assert not any(site.device_of(q) == spare.id for q in site.subscribed)
    await sim.set_device_status(spare.id, state="provisioned", health="normal")
    await wait_for(lambda: any(site.device_of(q) == spare.id for q in site.subscribed))
    await wait_for(
        lambda: entity_for(entity_registry, "nvoLampFb[0]_state") is not None
    )
    await hass.async_block_till_done()


async def test_device_refresh_fails(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A new device that cannot be read is logged, kept, and read after a reconnect."""
    coordinator = init_integration.runtime_data
    sim.inject_http_errors(500, count=20, path_prefix="/iap/devs")
    device_id = await sim.add_device(NEW_DEVICE)
    await wait_for(lambda: bool(messages(caplog, "Could not read new devices")))
    assert coordinator.connected
    assert entity_for(entity_registry, "Sensor/0/nvoTemp") is None
    assert device_id not in coordinator.site.devices
    sim.http_errors.clear()
    await sim.drop_websockets()
    await wait_for(lambda: entity_for(entity_registry, "Sensor/0/nvoTemp") is not None)
    await hass.async_block_till_done()


def swallow_device_frames(sim: SmartServerSim) -> Any:
    """Patch the simulator's hub so device frames never reach the client."""
    real: Callable[..., None] = sim.hub.broadcast

    def broadcast(action: str, payload: Any, user: str | None = None) -> None:
        if action not in {"UPD:DEVICE", "DEL:DEVICE"}:
            real(action, payload, user)

    return patch.object(sim.hub, "broadcast", broadcast)


async def test_devices_changed_while_link_down(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """After a reconnect the devices are listed again: added, removed, status."""
    coordinator = init_integration.runtime_data
    devices = coordinator.site.devices
    meter = next(d for d in devices.values() if d.name == "Water Meter")
    other = next(
        d
        for d in devices.values()
        if d.status.is_healthy and d.id != meter.id and d.category != "SC"
    )
    health_id = entity_for(entity_registry, f"_{other.id}_health")
    assert health_id is not None
    assert state_of(hass, health_id) == "on"
    with swallow_device_frames(sim):
        new_id = await sim.add_device(NEW_DEVICE)
        await sim.remove_device(meter.id)
        await sim.set_device_status(other.id, health="down")
        await asyncio.sleep(0.05)
        assert new_id not in devices
        await sim.drop_websockets()
        await wait_for(lambda: new_id in devices)
        await wait_for(lambda: meter.id not in devices)
        await wait_for(
            lambda: entity_for(entity_registry, "Sensor/0/nvoTemp") is not None
        )
    await wait_for(lambda: state_of(hass, health_id) == "off")
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{coordinator.uid}_{meter.id}"), init_integration.entry_id
        )
        is None
    )
    await hass.async_block_till_done()


async def test_unreadable_new_device_read_after_a_reconnect(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A new device whose datapoints could not be read stays pending.

    The device list read after the next reconnect no longer shows it as new: only
    what was kept pending brings its datapoints.
    """
    coordinator = init_integration.runtime_data
    with swallow_device_frames(sim):
        device_id = await sim.add_device(NEW_DEVICE)
    sim.inject_http_errors(500, count=20, path_prefix=f"/iap/devs/{device_id}/if")
    await sim.drop_websockets()
    await wait_for(lambda: bool(messages(caplog, "Could not read new devices")))
    assert device_id in coordinator.site.devices
    assert entity_for(entity_registry, "Sensor/0/nvoTemp") is None
    sim.http_errors.clear()
    await sim.drop_websockets()
    await wait_for(lambda: entity_for(entity_registry, "Sensor/0/nvoTemp") is not None)
    await hass.async_block_till_done()


async def test_other_events(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A takeover is a warning per event; an event of no known kind is logged."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    coordinator = init_integration.runtime_data
    coordinator.handle_event(SubscriptionTakenOver(healed=True))
    coordinator.handle_event(SubscriptionTakenOver(healed=False))
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "took over" in r.getMessage()
    ]
    assert len(warnings) == 2
    # Named by name and host: two SmartServers on one host stay apart.
    assert "SmartServer 'SmartServer IoT' (127.0.0.1)" in warnings[0]
    assert "dedicated SmartServer user" in warnings[0]
    assert "taken back: yes" in warnings[0]
    assert "taken back: no" in warnings[1]
    assert PASSWORD not in " ".join(warnings)
    coordinator.handle_event(cast("Any", "a kind of event added later"))
    assert messages(caplog, "Unhandled live event")
    # Deleting a device the site does not know removes nothing.
    coordinator.handle_event(DeviceDeleted("no such device"))
    await hass.async_block_till_done()
    assert coordinator.connected


async def test_shutdown_tolerates_errors(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """A failing logout on shutdown is only logged."""
    coordinator = init_integration.runtime_data
    with patch.object(
        coordinator.client, "close", side_effect=IapConnectionError("gone")
    ):
        await coordinator.async_shutdown()
    await coordinator.client.close()


async def test_shorter_subscribe_list_fails(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Dropping a deleted device's datapoints from the list may fail: debug only."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    site = init_integration.runtime_data.site
    meter = next(d for d in site.devices.values() if d.name == "Water Meter")
    sim.inject_http_errors(500, count=20, path_prefix="/iap/dp/updates/subscribe")
    await sim.remove_device(meter.id)
    await wait_for(lambda: bool(messages(caplog, "Could not shorten")))
    assert meter.id not in site.devices


async def test_entities_skip_unknown_devices(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Datapoints of devices the site does not know make no entities."""
    coordinator = init_integration.runtime_data
    site = coordinator.site
    some = site.datapoints[site.subscribed[0]]
    orphan = replace(some, device_id="x", qualifier="zz/lon/9.9/B/0/nvoX")
    site.add_datapoints([orphan])
    assert datapoint_sensors(coordinator, [orphan]) == []
    assert datapoint_binary_sensors(coordinator, [orphan]) == []
    device = next(d for d in site.devices.values() if not d.is_smartserver)
    site.set_status(device.id, DeviceStatus(state=None, health=None))
    assert DeviceHealthBinarySensor(coordinator, device.id).is_on is None


@pytest.mark.parametrize(
    "sim_options",
    [SimOptions(auto_updates=False, cpu_interval=None, ntf_time_interval=0.02)],
)
async def test_server_time_is_kept_quietly(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """NTF:TIME every few seconds is kept for diagnostics, not logged."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    coordinator = init_integration.runtime_data
    await wait_for(lambda: coordinator.server_time is not None)
    received = coordinator.server_time_received
    await wait_for(lambda: coordinator.server_time_received != received)
    # Other frames (the simulator's "device does not respond" notices) may be logged.
    assert not messages(caplog, "ServerTime")
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    # The simulator's clock is this machine's: no offset to speak of.
    assert abs(diagnostics["coordinator"]["server_time"]["offset_s"]) < 5


async def test_deleting_the_smartserver_itself_is_ignored(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A DEL:DEVICE naming the SmartServer is ignored.

    The hub device and its link sensor stay, and devices added later still appear.
    """
    coordinator = init_integration.runtime_data
    hub = coordinator.site.smartserver
    assert hub is not None
    link_id = entity_for(entity_registry, "_link")
    assert link_id is not None
    await sim.send_frame(
        orjson.dumps(
            {"action": "DEL:DEVICE", "payload": {"id": hub.id, "name": hub.name}}
        )
    )
    # A marker frame after it: once its value shows, the DEL:DEVICE was handled.
    qualifier = next(q for q in coordinator.site.subscribed if q.endswith("nvoCO2"))
    co2_id = entity_for(entity_registry, qualifier)
    assert co2_id is not None
    await sim.set_value(qualifier, 777)
    await wait_for(lambda: state_of(hass, co2_id) == "777")
    await hass.async_block_till_done()

    assert coordinator.site.smartserver is hub
    assert (
        device_registry.async_get_device_by_identifier(
            coordinator.registry.hub_identifier, init_integration.entry_id
        )
        is not None
    )
    assert entity_registry.async_get(link_id) is not None
    assert state_of(hass, link_id) == "on"

    # Devices added later still get their device (linked via the hub) and entities.
    await sim.add_device(NEW_DEVICE)
    await wait_for(lambda: entity_for(entity_registry, "Sensor/0/nvoTemp") is not None)
    entity_id = entity_for(entity_registry, "Sensor/0/nvoTemp")
    assert entity_id is not None
    await wait_for(lambda: hass.states.get(entity_id) is not None)
    assert state_of(hass, entity_id) == "19.5"
