"""Alarms as events and state, over real sockets against the simulator."""

from __future__ import annotations

import asyncio
from collections import Counter
import time
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNAVAILABLE
import pytest

from .alarm_helpers import EventLog, Ids
from .conftest import device_named, state_of, wait_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from smartserver_sim import SmartServerSim

# A device's alarm event entity is disabled by default; these tests watch it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


async def test_raised_and_cleared(
    hass: HomeAssistant,
    sim: SmartServerSim,
    ids: Ids,
    log: EventLog,
) -> None:
    """Raised: an event on the hub and the device, problem on; cleared: off again."""
    thermostat = device_named(sim, "Thermostat Büro 1")
    problem = ids.problem(thermostat.id)
    await wait_for(lambda: state_of(hass, ids.count) == "1")
    assert state_of(hass, problem) == "off"

    alarm_id = await sim.raise_alarm(
        thermostat.id,
        type="High temperature",
        details="Space temperature above 28 °C",
        severity="Minor Fault",
        category="System-HW",
    )
    await wait_for(lambda: state_of(hass, problem) == "on")
    assert state_of(hass, ids.count) == "2"
    await wait_for(lambda: alarm_id in log.ids(ids.hub_events, "alarm_raised"))
    device_events = log.of(ids.events(thermostat.id))
    assert device_events == log.of(ids.hub_events, "alarm_raised")[-1:]
    data = device_events[0]
    raised_at = data.pop("raised_at")
    assert raised_at.endswith("+00:00")
    assert data == {
        "alarm_id": alarm_id,
        "alarm_type": "High temperature",
        "category": "System-HW",
        "severity": "Minor Fault",
        "details": "Space temperature above 28 °C",
        "target_type": "DEVICE",
        "target_name": "Thermostat Büro 1",
        "device_id": thermostat.id,
        "device_name": "Thermostat Büro 1",
    }

    await sim.clear_alarm(alarm_id)
    await wait_for(lambda: state_of(hass, problem) == "off")
    assert state_of(hass, ids.count) == "1"
    await wait_for(lambda: bool(log.of(ids.events(thermostat.id), "alarm_cleared")))
    cleared = log.of(ids.hub_events, "alarm_cleared")
    assert [c["alarm_id"] for c in cleared] == [alarm_id]
    assert cleared[0]["details"] == "Space temperature above 28 °C"
    # The other device's alarm is untouched; nothing was announced twice.
    assert state_of(hass, ids.problem(ids.weather)) == "on"
    assert log.ids(ids.hub_events, "alarm_raised") == [1000, alarm_id]


async def _reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.client.connected)


async def test_no_duplicate_after_restart(
    hass: HomeAssistant,
    sim: SmartServerSim,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
    log: EventLog,
) -> None:
    """Announced alarms are remembered across a restart of Home Assistant.

    Still active: shown, not announced again. Cleared meanwhile: announced cleared.
    """
    entry = init_integration
    ids = Ids(hass, entry)
    thermostat = next(
        d.id for d in sim.scenario.devices.values() if d.name.startswith("Thermostat")
    )
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])

    await _reload(hass, entry)
    assert hass_storage[f"smartserver_iap.alarms.{entry.entry_id}"]["data"] == {
        "announced": {"1000": log.of(ids.hub_events, "alarm_raised")[0]}
    }
    assert state_of(hass, ids.problem(ids.weather)) == "on"
    first = await sim.raise_alarm(thermostat, type="Sensor failure")
    await wait_for(lambda: first in log.ids(ids.hub_events, "alarm_raised"))
    assert log.ids(ids.hub_events, "alarm_raised") == [1000, first]

    # Changed while Home Assistant is away.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await sim.clear_alarm(1000)
    second = await sim.raise_alarm(thermostat, type="Setpoint lost")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: second in log.ids(ids.hub_events, "alarm_raised"))
    await wait_for(lambda: state_of(hass, ids.problem(ids.weather)) == "off")
    assert log.ids(ids.hub_events, "alarm_raised") == [1000, first, second]
    assert log.ids(ids.hub_events, "alarm_cleared") == [1000]
    assert log.ids(ids.events(ids.weather), "alarm_cleared") == [1000]
    assert state_of(hass, ids.count) == "2"


async def test_no_duplicate_after_reconnect(
    hass: HomeAssistant,
    sim: SmartServerSim,
    ids: Ids,
    log: EventLog,
) -> None:
    """After the link was lost, the list is read again; what changed is announced once."""
    thermostat = next(
        d.id for d in sim.scenario.devices.values() if d.name.startswith("Thermostat")
    )
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])
    await sim.restart(0.3)
    await wait_for(lambda: state_of(hass, ids.count) == STATE_UNAVAILABLE)
    assert state_of(hass, ids.problem(ids.weather)) == STATE_UNAVAILABLE
    # Raised while the link is down: no frame reaches Home Assistant.
    while_down = sim.scenario.add_alarm(
        sim.scenario.devices[thermostat], "Sensor failure", "no answer"
    ).id
    await wait_for(lambda: while_down in log.ids(ids.hub_events, "alarm_raised"), 10)
    assert log.ids(ids.hub_events, "alarm_raised") == [1000, while_down]
    assert state_of(hass, ids.count) == "2"
    assert state_of(hass, ids.problem(thermostat)) == "on"


@pytest.mark.parametrize(
    "sim_overrides",
    [
        {"crt_alarm_payload": "object", "del_alarm_payload": "object"},
        {"crt_alarm_payload": "object", "del_alarm_payload": "id"},
        {"crt_alarm_payload": "id", "del_alarm_payload": "id"},
    ],
    ids=["objects", "del-id", "ids-only"],
)
async def test_burst_of_alarms(
    hass: HomeAssistant,
    sim: SmartServerSim,
    ids: Ids,
    log: EventLog,
) -> None:
    """1,000 alarms raised and 750 cleared in a burst: exact count, no lost event.

    A quarter is cleared right after it was raised (often within one read of the
    list: the frames' hints announce it), half later in one go.
    """
    await wait_for(lambda: log.ids(ids.hub_events, "alarm_raised") == [1000])
    targets: list[str | None] = [
        d.id for d in sim.scenario.devices.values() if d.category != "SC"
    ]
    targets.append(None)
    device_of: dict[int, str | None] = {}
    cleared: list[int] = []
    later: list[int] = []
    started = time.perf_counter()
    for n in range(1000):
        device = targets[n % len(targets)]
        alarm_id = await sim.raise_alarm(device, type=f"Burst {n}")
        device_of[alarm_id] = device
        if n % 4 == 1:
            await sim.clear_alarm(alarm_id)
            cleared.append(alarm_id)
        elif n % 4 in (2, 3):
            later.append(alarm_id)
        if n % 100 == 99:
            await asyncio.sleep(0)
    sim.clear_alarms(later)
    cleared += later
    sent = time.perf_counter()
    await wait_for(lambda: state_of(hass, ids.count) == "251", timeout=30)

    def announced() -> int:
        return len(log.of(ids.hub_events, "alarm_raised")) + len(
            log.of(ids.hub_events, "alarm_cleared")
        )

    await wait_for(lambda: announced() == 1 + 1000 + 750, timeout=30)
    done = time.perf_counter()
    print(
        f"burst: frames sent in {sent - started:.2f} s, "
        f"settled {done - sent:.2f} s later"
    )

    raised_ids = Counter(log.ids(ids.hub_events, "alarm_raised"))
    assert raised_ids == Counter([1000, *device_of])
    assert Counter(log.ids(ids.hub_events, "alarm_cleared")) == Counter(cleared)
    # Every event carries the alarm's data (and reaches its device's entity), also
    # when raised and cleared unseen; with frames of bare ids, only what was listed.
    objects = sim.options.crt_alarm_payload == "object"
    typed = {
        data["alarm_id"]
        for kind in ("alarm_raised", "alarm_cleared")
        for data in log.of(ids.hub_events, kind)
        if data["alarm_type"]
    }
    still_active = set(device_of) - set(cleared)
    if objects:
        assert typed == {1000, *device_of}
    else:
        assert still_active <= typed
    for device in targets:
        if device is None:
            continue
        mine = {a for a, d in device_of.items() if d == device}
        if device == ids.weather:
            mine.add(1000)
        events = ids.events(device)
        raised_here = Counter(log.ids(events, "alarm_raised"))
        cleared_here = Counter(log.ids(events, "alarm_cleared"))
        assert max([1, *raised_here.values(), *cleared_here.values()]) == 1
        if objects:
            assert set(raised_here) == mine
            assert set(cleared_here) == mine & set(cleared)
        else:
            assert mine & (still_active | {1000}) <= set(raised_here) <= mine
            assert set(cleared_here) <= mine & set(cleared)
        active = device == ids.weather or any(a not in cleared for a in mine)
        assert state_of(hass, ids.problem(device)) == ("on" if active else "off")
    # Each cleared alarm was announced raised before it was announced cleared.
    order = [
        (kind, data.get("alarm_id"))
        for eid, kind, data in log.events
        if eid == ids.hub_events
    ]
    for alarm_id in cleared:
        assert order.index(("alarm_raised", alarm_id)) < order.index(
            ("alarm_cleared", alarm_id)
        )
