"""The alarm tracker's harder cases: unreadable lists, bare ids, stored state, bounds."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_fire_time_changed_exact,
)

from custom_components.smartserver_iap import alarms as alarms_module
from custom_components.smartserver_iap.alarm_events import ALARM_DATA_KEYS, alarm_data
from custom_components.smartserver_iap.alarms import REFRESH_DELAY
from custom_components.smartserver_iap.iap.events import (
    AlarmCleared,
    AlarmRaised,
    AlarmsChanged,
)
from custom_components.smartserver_iap.iap.parsing import parse_alarm

from .alarm_helpers import EventLog, Ids
from .conftest import setup_entry, state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SmartServerSim

# Where the simulator serves the list of alarms (its requests are counted by path).
ALARMS_PATH = "/iap/alarms"

# A device's alarm event entity is disabled by default; these tests watch it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


def silent_alarm(sim: SmartServerSim, device_name: str | None, type_: str) -> int:
    """Raise an alarm on the simulator without a frame; return its id."""
    device = next(
        (d for d in sim.scenario.devices.values() if d.name == device_name), None
    )
    return sim.scenario.add_alarm(device, type_, f"{type_} details").id


async def test_frame_without_usable_payload(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    ids: Ids,
    log: EventLog,
) -> None:
    """Whatever an alarm frame carries, the list is read again."""
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])
    alarm_id = silent_alarm(sim, "Water Meter", "Leak")
    init_integration.runtime_data.handle_event(AlarmsChanged("CRT:ALARM"))
    await wait_for(lambda: alarm_id in log.ids(ids.hub_events, "alarm_raised"))
    assert state_of(hass, ids.count) == "2"


async def test_raised_and_cleared_unseen(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    log: EventLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Raised and cleared between two reads: announced from the frames' hints.

    With only an id to go by, the events carry only the id; hints are bounded.
    """
    coordinator = init_integration.runtime_data
    ids = Ids(hass, init_integration)
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])
    monkeypatch.setattr(alarms_module, "HINT_LIMIT", 1)
    first = silent_alarm(sim, "Water Meter", "Leak")
    second = silent_alarm(sim, "Water Meter", "Frost")
    alarms = {a.id: a for a in await coordinator.client.list_alarms()}
    for alarm_id in (first, second):  # cleared without a frame
        sim.scenario.alarms[alarm_id].state = "Cleared"
    coordinator.handle_event(AlarmRaised(alarms[first]))
    coordinator.handle_event(AlarmRaised(alarms[second]))  # evicts the first
    coordinator.handle_event(AlarmCleared(first, None))
    coordinator.handle_event(AlarmCleared(second, None))
    await wait_for(lambda: len(log.of(ids.hub_events, "alarm_cleared")) == 2)
    raised = log.of(ids.hub_events, "alarm_raised")
    assert [r["alarm_id"] for r in raised] == [1000, first, second]
    assert raised[1] == dict.fromkeys(ALARM_DATA_KEYS) | {"alarm_id": first}
    assert raised[2]["alarm_type"] == "Frost"
    meter = ids.events(raised[2]["device_id"])
    assert log.ids(meter, "alarm_raised") == [second]
    assert log.ids(meter, "alarm_cleared") == [second]
    # A late frame of an alarm already announced cleared announces nothing.
    coordinator.handle_event(AlarmCleared(second, None))
    third = await sim.raise_alarm(None, type="Marker")
    await wait_for(lambda: third in log.ids(ids.hub_events, "alarm_raised"))
    assert log.ids(ids.hub_events, "alarm_cleared") == [first, second]


@pytest.mark.parametrize("retry", ["after back-off", "on a frame"])
async def test_unreadable_list(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    retry: str,
) -> None:
    """Alarms that cannot be read are unknown; a read that fails is tried again.

    The retry waits its back-off (5 s at most), unless a frame asks sooner.
    """
    # The setup read fails, then the first read after the resync.
    sim.inject_http_errors(500, count=2, path_prefix="/iap/alarms")
    caplog.set_level(logging.DEBUG, logger="custom_components.smartserver_iap")
    await setup_entry(hass, mock_config_entry)
    assert "Could not read the alarms" in caplog.text
    ids = Ids(hass, mock_config_entry)
    assert state_of(hass, ids.count) == STATE_UNAVAILABLE
    assert state_of(hass, ids.problem(ids.weather)) == STATE_UNAVAILABLE
    await wait_for(lambda: "Reading the alarms of" in caplog.text)
    assert state_of(hass, ids.count) == STATE_UNAVAILABLE
    if retry == "on a frame":
        await sim.raise_alarm(None, type="Marker")
        await wait_for(lambda: state_of(hass, ids.count) == "2")
        return
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await wait_for(lambda: state_of(hass, ids.count) == "1")
    assert state_of(hass, ids.problem(ids.weather)) == "on"


async def test_stored_ids_are_not_announced_again(
    hass: HomeAssistant,
    sim: SmartServerSim,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    log: EventLog,
) -> None:
    """Ids stored by an earlier run stay quiet; malformed entries are ignored."""
    hass_storage[f"smartserver_iap.alarms.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"smartserver_iap.alarms.{mock_config_entry.entry_id}",
        "data": {
            "announced": {
                "1000": {"alarm_id": 1000, "device_id": "11"},
                "x": {"alarm_id": "x"},
                "77": "not an object",
            }
        },
    }
    entry = await setup_entry(hass, mock_config_entry)
    ids = Ids(hass, entry)
    marker = await sim.raise_alarm(None, type="Marker")
    await wait_for(lambda: marker in log.ids(ids.hub_events, "alarm_raised"))
    assert log.ids(ids.hub_events, "alarm_raised") == [marker]
    assert state_of(hass, ids.problem(ids.weather)) == "on"

    # Removing the entry forgets them.
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert f"smartserver_iap.alarms.{entry.entry_id}" not in hass_storage


async def test_device_by_uid_or_name(
    hass: HomeAssistant, sim: SmartServerSim, init_integration: MockConfigEntry
) -> None:
    """An alarm naming its device in another id form still finds it."""
    tracker = init_integration.runtime_data.alarms
    meter = next(
        d
        for d in init_integration.runtime_data.site.devices.values()
        if d.name == "Water Meter"
    )
    by_uid = parse_alarm({"id": 1, "device": {"id": "x.1", "uid": meter.uid}})
    by_name = parse_alarm({"id": 2, "deviceId": "x.2", "deviceName": "Water Meter"})
    unknown = parse_alarm({"id": 3, "device": {"id": "x.3", "uid": "nope"}})
    assert tracker.device_of(by_uid) == meter.id
    assert tracker.device_of(by_name) == meter.id
    assert tracker.device_of(unknown) is None


def test_target_names() -> None:
    """The target's name: given as such, the device's, or the group's."""
    named = parse_alarm({"id": 1, "targetName": "Floor 2", "alarmTargetType": "X"})
    group = parse_alarm({"id": 2, "group": {"id": 4, "name": "Lights"}})
    bare = parse_alarm({"id": 3, "group": "Lights"})
    assert alarm_data(named, 1, None)["target_name"] == "Floor 2"
    assert alarm_data(named, 1, None)["target_type"] == "X"
    assert alarm_data(group, 2, None)["target_name"] == "Lights"
    assert alarm_data(bare, 3, None)["target_name"] is None


async def test_frame_during_a_read(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    ids: Ids,
    log: EventLog,
) -> None:
    """A frame that arrives while the list is being read brings one more read.

    (The read in flight may have been answered before the alarm was raised.)
    """
    coordinator = init_integration.runtime_data
    tracker = coordinator.alarms
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])
    await hass.async_block_till_done()
    requests = coordinator.client.stats.requests
    sim.inject_latency(0.5)
    first = await sim.raise_alarm(None, type="First")
    await wait_for(lambda: bool(tracker.tasks))
    second = await sim.raise_alarm(None, type="Second")
    await wait_for(lambda: second in log.ids(ids.hub_events, "alarm_raised"))
    await wait_for(lambda: coordinator.client.stats.requests == requests + 2)
    assert log.ids(ids.hub_events, "alarm_raised") == [1000, first, second]


async def test_frames_within_the_delay_cost_one_read(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    log: EventLog,
) -> None:
    """Frames closer together than REFRESH_DELAY cost one read of the list.

    It is due REFRESH_DELAY after the first frame: later frames do not postpone it,
    so a steady stream of frames still gets its reads.
    """
    coordinator = init_integration.runtime_data
    tracker = coordinator.alarms
    ids = Ids(hass, init_integration)
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])
    await hass.async_block_till_done()
    reads = sim.counters.requests[ALARMS_PATH]
    alarm_id = silent_alarm(sim, "Water Meter", "Leak")
    loop = hass.loop
    first = loop.time()
    for offset in (0.0, 0.2, 0.4):
        # The frame as if it arrived ``offset`` s after the first one.
        with patch.object(loop, "time", return_value=first + offset):
            coordinator.handle_event(AlarmsChanged("CRT:ALARM"))
    await hass.async_block_till_done()
    assert not tracker.tasks
    async_fire_time_changed_exact(
        hass, dt_util.utcnow() + timedelta(seconds=REFRESH_DELAY)
    )
    # The read starts when it is due.
    assert tracker.tasks
    await wait_for(lambda: alarm_id in log.ids(ids.hub_events, "alarm_raised"))
    await hass.async_block_till_done()
    assert sim.counters.requests[ALARMS_PATH] == reads + 1
