"""The live link: loss and recovery, dynamic and stale devices, reauth, odd events."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE

from custom_components.smartserver_iap import coordinator as coordinator_module
from custom_components.smartserver_iap.binary_sensor import (
    DeviceHealthBinarySensor,
    _datapoint_entities as binary_entities,
)
from custom_components.smartserver_iap.const import DOMAIN
from custom_components.smartserver_iap.iap.client import IapClient
from custom_components.smartserver_iap.iap.errors import (
    IapConnectionError,
    IapProtocolError,
)
from custom_components.smartserver_iap.iap.events import (
    AlarmCleared,
    ConnectionLost,
    DatapointsUpdated,
    Resynced,
    SubscriptionTakenOver,
)
from custom_components.smartserver_iap.iap.models import DatapointUpdate, DeviceStatus
from custom_components.smartserver_iap.sensor import _entities as sensor_entities

from .conftest import PASSWORD, USERNAME, state_of, wait_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr, entity_registry as er
    import pytest
    from pytest_homeassistant_custom_component.common import MockConfigEntry

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
        q for q in coordinator.followed if q.endswith("AirQuality/0/nvoTemp")
    )
    entity_id = entity_for(entity_registry, qualifier)
    link_id = entity_for(entity_registry, "_link")
    assert entity_id is not None
    assert link_id is not None
    reconnects = coordinator.client.stats.reconnects

    await sim.restart(0.4)
    await wait_for(lambda: state_of(hass, entity_id) == STATE_UNAVAILABLE)
    assert state_of(hass, link_id) == "off"
    # Changed while Home Assistant cannot see it: the resync must bring it.
    sim.datapoint(qualifier).default = 25.5

    await wait_for(lambda: state_of(hass, entity_id) == "25.5", timeout=10)
    assert state_of(hass, link_id) == "on"
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
    qualifier = next(iter(coordinator.followed))
    entity_id = entity_for(entity_registry, qualifier)
    assert entity_id is not None
    handle = coordinator._handle_event
    for new_outage in (True, False, False):
        handle(ConnectionLost("dropped", new_outage=new_outage))
        assert state_of(hass, entity_id) == STATE_UNAVAILABLE
        handle(Resynced([DatapointUpdate(qualifier, 21.5)]))
        assert state_of(hass, entity_id) == "21.5"
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


async def test_live_link_fails_hard(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Errors that end run_live mark the link down, log one error, and restart it."""
    monkeypatch.setattr(coordinator_module, "LIVE_RESTART_DELAY", 0)
    coordinator = init_integration.runtime_data
    with patch.object(
        coordinator.client,
        "run_live",
        side_effect=[IapProtocolError("nonsense"), RuntimeError("bug"), None],
    ) as run_live:
        await coordinator.async_run_live()
    assert run_live.call_count == 3
    assert not coordinator.connected
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    expected = f"Live link of SmartServer {coordinator.host} stopped: nonsense; "
    assert [r.getMessage() for r in errors] == [expected + "restarting in 0 s"]


async def test_live_task_crash_restarts(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unexpected exception from run_live is logged once; the live link restarts."""
    monkeypatch.setattr(coordinator_module, "LIVE_RESTART_DELAY", 0.05)
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
        coordinator = mock_config_entry.runtime_data
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
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Entities start with the setup values but not forever without a live link."""
    monkeypatch.setattr(coordinator_module, "FIRST_SYNC_TIMEOUT", 0.3)

    async def never(self: IapClient, *args: Any, **kwargs: Any) -> None:
        await asyncio.Event().wait()

    with patch.object(IapClient, "run_live", never):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        coordinator = mock_config_entry.runtime_data
        entity_id = entity_for(entity_registry, "AirQuality/0/nvoTemp")
        assert entity_id is not None
        assert state_of(hass, entity_id) != STATE_UNAVAILABLE
        await wait_for(lambda: state_of(hass, entity_id) == STATE_UNAVAILABLE)
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
    await wait_for(
        lambda: (
            coordinator._refresh_task is not None
            and not coordinator._refresh_task.done()
        )
    )
    await asyncio.sleep(0.05)
    logins = sim.counters.logins
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await asyncio.sleep(0.8)
    assert coordinator._refresh_task.done()
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
    coordinator._handle_event(ConnectionLost("late"))
    coordinator._schedule_device_refresh("late")
    assert coordinator._refresh_task is None or coordinator._refresh_task.done()


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
    # Inputs are not followed by default.
    assert entity_for(entity_registry, "nviOffset") is None
    health_id = entity_for(entity_registry, f"_{device_id}_health")
    assert health_id is not None
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{coordinator.uid}_{device_id}"), init_integration.entry_id
    )
    assert device is not None
    assert device.model == "TS-1 Temperature Sensor"

    qualifier = next(q for q in coordinator.followed if q.endswith("Sensor/0/nvoTemp"))
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
    assert qualifier not in coordinator.followed
    await hass.async_block_till_done()
    await wait_for(lambda: qualifier not in coordinator.client.subscribed)


async def test_device_provisioned_later(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """An unprovisioned device's outputs are followed once it is provisioned."""
    coordinator = init_integration.runtime_data
    spare = next(
        d for d in coordinator.devices.values() if d.name == "Spare Lighting Node"
    )
    assert not any(
        coordinator.device_of(dp) == spare.id for dp in coordinator.followed.values()
    )
    await sim.set_device_status(spare.id, state="provisioned", health="normal")
    await wait_for(
        lambda: any(
            coordinator.device_of(dp) == spare.id
            for dp in coordinator.followed.values()
        )
    )
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
    assert device_id in coordinator._pending_devices
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
    meter = next(d for d in coordinator.devices.values() if d.name == "Water Meter")
    other = next(
        d
        for d in coordinator.devices.values()
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
        assert new_id not in coordinator.devices
        await sim.drop_websockets()
        await wait_for(lambda: new_id in coordinator.devices)
        await wait_for(lambda: meter.id not in coordinator.devices)
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


async def test_other_events(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A takeover is a warning per event; alarms wait for their platform."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    coordinator = init_integration.runtime_data
    coordinator._handle_event(SubscriptionTakenOver(healed=True))
    coordinator._handle_event(SubscriptionTakenOver(healed=False))
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "took over" in r.getMessage()
    ]
    assert len(warnings) == 2
    assert coordinator.host in warnings[0]
    assert "dedicated SmartServer user" in warnings[0]
    assert "taken back: yes" in warnings[0]
    assert "taken back: no" in warnings[1]
    assert PASSWORD not in " ".join(warnings)
    coordinator._handle_event(AlarmCleared(alarm_id=1, alarm=None))
    assert messages(caplog, "Unhandled live event")
    # Status of a device that was deleted meanwhile, and deleting it twice.
    coordinator._device_deleted("no such device")


async def test_listener_bookkeeping(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Several entities of one qualifier share one dispatch entry; removal unwinds it."""
    coordinator = init_integration.runtime_data
    seen: list[str] = []
    first = coordinator.async_add_datapoint_listener("q", lambda u: seen.append("a"))
    second = coordinator.async_add_datapoint_listener("q", lambda u: seen.append("b"))
    third = coordinator.async_add_datapoint_listener("q", lambda u: seen.append("c"))
    coordinator._handle_event(DatapointsUpdated([DatapointUpdate("q", 1)]))
    assert seen == ["a", "b", "c"]
    second()
    second()
    first()
    coordinator._handle_event(DatapointsUpdated([DatapointUpdate("q", 2)]))
    assert seen == ["a", "b", "c", "c"]
    third()
    assert "q" not in coordinator._listeners
    third()

    # Without a listener, only followed datapoints are kept (not others' in a takeover).
    followed = next(iter(coordinator.followed))
    listener = coordinator._listeners.pop(followed)
    coordinator._handle_event(
        DatapointsUpdated([DatapointUpdate("q", 3), DatapointUpdate(followed, 4)])
    )
    coordinator._listeners[followed] = listener
    assert "q" not in coordinator.values
    assert coordinator.values[followed].value == 4

    remove_device = coordinator.async_add_device_listener("dev", lambda: None)
    remove_device()
    remove_device()
    remove_link = coordinator.async_add_link_listener(lambda: None)
    remove_link()
    remove_link()


async def test_device_lookup(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Datapoints map to devices by id, else by their qualifier's address."""
    coordinator = init_integration.runtime_data
    some = next(iter(coordinator.followed.values()))
    device_id = coordinator.device_of(some)
    assert device_id is not None
    assert coordinator.device_of(replace(some, device_id=device_id)) == device_id
    assert coordinator.device_of(replace(some, device_id="x", qualifier="bad")) is None
    assert (
        coordinator._select_followed(
            [replace(some, device_id="x", qualifier="a/b/c/d/0/e")]
        )
        == {}
    )
    # The SmartServer's own datapoints belong to the hub device.
    assert coordinator.smartserver is not None
    info = coordinator.device_info(coordinator.smartserver.id)
    assert info["identifiers"] == {coordinator.hub_identifier}


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
    coordinator = init_integration.runtime_data
    meter = next(d for d in coordinator.devices.values() if d.name == "Water Meter")
    sim.inject_http_errors(500, count=20, path_prefix="/iap/dp/updates/subscribe")
    await sim.remove_device(meter.id)
    await wait_for(lambda: bool(messages(caplog, "Could not shorten")))
    assert meter.id not in coordinator.devices


async def test_entities_skip_unknown_devices(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Datapoints of devices the coordinator does not know make no entities."""
    coordinator = init_integration.runtime_data
    some = next(iter(coordinator.followed.values()))
    orphan = replace(some, device_id="x", qualifier="zz/lon/9.9/B/0/nvoX")
    assert sensor_entities(coordinator, [orphan]) == []
    assert binary_entities(coordinator, [orphan]) == []
    device = next(iter(coordinator.devices.values()))
    coordinator.devices[device.id] = replace(
        device, status=DeviceStatus(state=None, health=None)
    )
    assert DeviceHealthBinarySensor(coordinator, device.id).is_on is None


async def test_probe_candidates(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """Only followed datapoints of healthy devices are worth a takeover probe."""
    coordinator = init_integration.runtime_data
    candidates = coordinator._probe_candidates()
    assert candidates
    assert set(candidates) <= set(coordinator.followed)
    down = coordinator.device_of(coordinator.followed[candidates[0]])
    assert down is not None
    await sim.set_device_status(down, health="down")
    await wait_for(lambda: not coordinator.device_available(down))
    remaining = coordinator._probe_candidates()
    assert remaining
    assert all(
        coordinator.device_of(coordinator.followed[q]) != down for q in remaining
    )
