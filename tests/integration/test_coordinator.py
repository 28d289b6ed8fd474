"""The live link: loss and recovery, dynamic and stale devices, reauth, odd events."""

from __future__ import annotations

from dataclasses import replace
import logging
from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE

from custom_components.smartserver_iap.binary_sensor import (
    DeviceHealthBinarySensor,
    _datapoint_entities as binary_entities,
)
from custom_components.smartserver_iap.const import DOMAIN
from custom_components.smartserver_iap.iap.errors import (
    IapConnectionError,
    IapProtocolError,
)
from custom_components.smartserver_iap.iap.events import (
    AlarmCleared,
    DatapointsUpdated,
    SubscriptionTakenOver,
)
from custom_components.smartserver_iap.iap.models import DatapointUpdate, DeviceStatus
from custom_components.smartserver_iap.sensor import _entities as sensor_entities

from .conftest import PASSWORD, USERNAME, state_of, wait_for

if TYPE_CHECKING:
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
) -> None:
    """An error the client cannot handle stops the link with an error log."""
    coordinator = init_integration.runtime_data
    with patch.object(
        coordinator.client, "run_live", side_effect=IapProtocolError("nonsense")
    ):
        await coordinator.async_run_live()
    assert not coordinator.connected
    assert messages(caplog, "stopped: nonsense")


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
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A new device that cannot be read is logged; the entry keeps running."""
    coordinator = init_integration.runtime_data
    sim.inject_http_errors(500, count=20, path_prefix="/iap/devs")
    await sim.add_device(NEW_DEVICE)
    await wait_for(lambda: bool(messages(caplog, "Could not read new devices")))
    assert coordinator.connected


async def test_other_events(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Takeover is a hook (debug for now); alarms wait for their platform."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    coordinator = init_integration.runtime_data
    coordinator._handle_event(SubscriptionTakenOver(healed=True))
    assert messages(caplog, "was taken over (healed: True)")
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
