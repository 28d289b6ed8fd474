"""The SmartServer's alarms: which are active, and the events that announce them.

The payloads of ``CRT:ALARM`` and ``DEL:ALARM`` are undocumented, so a frame only says
"the alarms changed". The truth is the list of active alarms, read again shortly after
(``REFRESH_DELAY``; frames meanwhile ride along): an active alarm not yet announced is
"raised", an announced alarm no longer active is "cleared". What a frame carries (an
alarm object, an id) is kept as a hint, so an alarm raised and cleared between two
reads is still announced, raised then cleared.

The announced alarms are kept in a ``Store``: a restart of Home Assistant or of the
link announces no alarm twice, and an alarm cleared meanwhile is announced cleared.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store

from .alarm_events import (
    ALARM_CLEARED,
    ALARM_RAISED,
    DEVICE_TEST_RESULT,
    NOTIFICATION,
    AlarmEvent,
    alarm_data,
    notification_data,
    test_result_data,
)
from .const import DOMAIN
from .iap.backoff import Backoff
from .iap.errors import IapError
from .iap.events import (
    AlarmCleared,
    AlarmRaised,
    AlarmsChanged,
    DeviceTestResult,
    LiveEvent,
    NotificationReceived,
)
from .listeners import CallbackRegistry
from .owner import PartOwner

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .iap.models import Alarm

_LOGGER = logging.getLogger(__name__)

# Seconds from the first alarm frame to the read of the list: a burst of frames
# costs one read, and the read sees the burst's end.
REFRESH_DELAY = 0.5
STORAGE_VERSION = 1
SAVE_DELAY = 1.0
# Alarm objects seen in frames but not yet announced, and ids already announced
# cleared, are kept only this many (the oldest go first).
HINT_LIMIT = 10_000
# Events fired per turn of the event loop.
FIRE_BATCH = 100


def _store(hass: HomeAssistant, entry: ConfigEntry) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.alarms.{entry.entry_id}")


async def async_remove_store(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Forget the announced alarms of a removed entry."""
    await _store(hass, entry).async_remove()


def _remember[K, V](bounded: dict[K, V], key: K, value: V) -> None:
    bounded.pop(key, None)
    bounded[key] = value
    if len(bounded) > HINT_LIMIT:
        del bounded[next(iter(bounded))]


class AlarmTrackerOwner(PartOwner, Protocol):
    """What the tracker needs of the coordinator that owns it."""

    @property
    def connected(self) -> bool:
        """Return True while the live link is up."""


class AlarmTracker:
    """The active alarms of one SmartServer and the events announcing them."""

    # The live events it takes (``handle``).
    EVENTS = (
        AlarmRaised,
        AlarmCleared,
        AlarmsChanged,
        NotificationReceived,
        DeviceTestResult,
    )

    def __init__(self, coordinator: AlarmTrackerOwner) -> None:
        """Bind to the coordinator; nothing is read until ``async_setup``."""
        self._coordinator = coordinator
        self._hass = coordinator.hass
        self._site = coordinator.site
        self._store = _store(coordinator.hass, coordinator.config_entry)
        self.active: dict[int, Alarm] = {}
        self.loaded = False
        self._device_counts: dict[str, int] = {}
        # Alarm id -> the data of its "raised" event, until "cleared" is announced.
        self._announced: dict[int, dict[str, Any]] = {}
        self._finished: dict[int, None] = {}
        self._seen: dict[int, Alarm] = {}
        self._cleared_hints: dict[int, None] = {}
        # The event being dispatched: event entities read it in their callback.
        self.latest = AlarmEvent(NOTIFICATION, {})
        # Event entities and alarm-state entities, by device id (the hub's for the
        # SmartServer's own entities).
        self.event_listeners: CallbackRegistry[str] = CallbackRegistry()
        self.state_listeners: CallbackRegistry[str] = CallbackRegistry()
        self.tasks: set[asyncio.Task[None]] = set()
        self._dirty = False
        self._timer: CALLBACK_TYPE | None = None
        self._due = 0.0
        self._retry_delay: float | None = None
        self._backoff = Backoff(initial=5.0, cap=300.0)
        self._store_loaded = False

    @property
    def _hub_id(self) -> str:
        smartserver = self._site.smartserver
        return "" if smartserver is None else smartserver.id

    def has_alarm(self, device_id: str) -> bool:
        """Return True while the device has an active alarm."""
        return device_id in self._device_counts

    # -- setup and shutdown ------------------------------------------------------------

    async def async_setup(self) -> None:
        """Load the announced alarms and show the active ones (no event yet).

        The first resync of the live link reads them again and announces those not
        announced before. Without the list (an old firmware, a user without the
        right), alarms stay unknown and are tried again with each resync.
        """
        stored = await self._store.async_load() or {}
        self._store_loaded = True
        announced = stored.get("announced")
        if isinstance(announced, dict):
            self._announced = {
                int(key): data
                for key, data in announced.items()
                if key.isdigit() and isinstance(data, dict)
            }
        try:
            listed = await self._coordinator.client.list_alarms()
        except IapError as err:
            _LOGGER.warning(
                "Could not read the alarms of %s: %s", self._coordinator.label, err
            )
            return
        self._set_active(listed)

    async def async_shutdown(self) -> None:
        """Stop reading (tasks are cancelled by the coordinator) and save."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        if self._store_loaded:
            await self._store.async_save(self._stored())

    def _stored(self) -> dict[str, Any]:
        return {"announced": {str(k): v for k, v in self._announced.items()}}

    # -- live events -------------------------------------------------------------------

    @callback
    def handle(self, event: LiveEvent) -> None:
        """Take an alarm frame, a notification or a test result."""
        match event:
            case AlarmRaised(alarm=alarm):
                _remember(self._seen, alarm.id, alarm)
            case AlarmCleared(alarm_id=alarm_id, alarm=alarm):
                if alarm is not None:
                    _remember(self._seen, alarm_id, alarm)
                # Drained by each read of the list: no bound needed.
                self._cleared_hints[alarm_id] = None
            case NotificationReceived():
                self._fire(AlarmEvent(NOTIFICATION, notification_data(event)))
                return
            case DeviceTestResult():
                device = self._site.devices.get(event.device_id)
                data = test_result_data(event, device)
                self._fire(AlarmEvent(DEVICE_TEST_RESULT, data))
                return
        self.schedule_refresh()

    # -- reading the list --------------------------------------------------------------

    @callback
    def schedule_refresh(self, delay: float = REFRESH_DELAY) -> None:
        """Read the active alarms within ``delay`` seconds (unless due sooner)."""
        self._dirty = True
        if self.tasks:
            # Read again when the running read ends.
            return
        due = self._hass.loop.time() + delay
        if self._timer is not None:
            if self._due <= due:
                return
            self._timer()
        self._due = due
        self._timer = async_call_later(self._hass, delay, self._start_refresh)

    @callback
    def _start_refresh(self, _now: Any) -> None:
        self._timer = None
        coordinator = self._coordinator
        if coordinator.closed or not coordinator.connected:
            # The next resync reads them.
            return
        task = coordinator.config_entry.async_create_background_task(
            self._hass, self._async_refresh(), f"{DOMAIN} alarms {coordinator.host}"
        )
        self.tasks.add(task)
        task.add_done_callback(self._refresh_done)

    @callback
    def _refresh_done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if self._coordinator.closed:
            return
        if self._retry_delay is not None:
            # A frame meanwhile brings the retry forward.
            self.schedule_refresh(self._retry_delay)
            self._retry_delay = None
        elif self._dirty:
            self.schedule_refresh()

    async def _async_refresh(self) -> None:
        self._dirty = False
        cleared_hints, self._cleared_hints = self._cleared_hints, {}
        try:
            listed = await self._coordinator.client.list_alarms()
        except IapError as err:
            self._cleared_hints = cleared_hints | self._cleared_hints
            self._retry_delay = self._backoff.next_delay()
            _LOGGER.debug(
                "Reading the alarms of %s failed (%s); again in %.0f s",
                self._coordinator.label,
                err,
                self._retry_delay,
            )
            return
        self._backoff.reset()
        self._set_active(listed)
        events = self._announce(cleared_hints)
        for start in range(0, len(events), FIRE_BATCH):
            if start:
                # A burst's events must not hold the event loop for long.
                await asyncio.sleep(0)
            for event in events[start : start + FIRE_BATCH]:
                self._fire(event)

    @callback
    def _set_active(self, listed: list[Alarm]) -> None:
        """Show the listed alarms as the active ones."""
        active = {a.id: a for a in listed if a.state is None or a.active}
        hub = self._hub_id
        before = self._device_counts
        counts: dict[str, int] = {}
        for alarm in active.values():
            device_id = self.device_of(alarm)
            if device_id is not None and device_id != hub:
                counts[device_id] = counts.get(device_id, 0) + 1
        changed_count = not self.loaded or len(active) != len(self.active)
        self.active = active
        self._device_counts = counts
        self.loaded = True
        for device_id in before.keys() ^ counts.keys():
            self.state_listeners.notify(device_id)
        if changed_count:
            self.state_listeners.notify(hub)

    @callback
    def _announce(self, cleared_hints: dict[int, None]) -> list[AlarmEvent]:
        """Return the events of what changed since the last announcement."""
        announced = self._announced
        events: list[AlarmEvent] = []
        for alarm in self.active.values():
            if alarm.id not in announced:
                self._seen.pop(alarm.id, None)
                data = alarm_data(alarm, alarm.id, self.device_of(alarm))
                announced[alarm.id] = data
                events.append(AlarmEvent(ALARM_RAISED, data, data["device_id"]))
        for alarm_id in cleared_hints:
            if alarm_id in announced or alarm_id in self.active:
                continue
            if alarm_id in self._finished:
                continue
            # Raised and cleared between two reads.
            seen = self._seen.pop(alarm_id, None)
            device_id = None if seen is None else self.device_of(seen)
            data = alarm_data(seen, alarm_id, device_id)
            events.append(AlarmEvent(ALARM_RAISED, data, device_id))
            events.append(AlarmEvent(ALARM_CLEARED, data, device_id))
            _remember(self._finished, alarm_id, None)
        for alarm_id in [i for i in announced if i not in self.active]:
            data = announced.pop(alarm_id)
            self._seen.pop(alarm_id, None)
            _remember(self._finished, alarm_id, None)
            events.append(AlarmEvent(ALARM_CLEARED, data, data.get("device_id")))
        if events:
            self._store.async_delay_save(self._stored, SAVE_DELAY)
        return events

    @callback
    def _fire(self, event: AlarmEvent) -> None:
        self.latest = event
        hub = self._hub_id
        self.event_listeners.notify(hub)
        if event.device_id is not None and event.device_id != hub:
            self.event_listeners.notify(event.device_id)

    def device_of(self, alarm: Alarm) -> str | None:
        """Return the site's id of the device an alarm is about (None: none known).

        The alarm names its device by the device list's id; by its uid or name as
        a fallback, should a firmware use another id form.
        """
        devices = self._site.devices
        if alarm.device_id in devices:
            return alarm.device_id
        device = alarm.raw.get("device")
        uid = device.get("uid") if isinstance(device, dict) else None
        for candidate in devices.values():
            if (uid is not None and candidate.uid == uid) or (
                uid is None
                and alarm.device_name is not None
                and candidate.name == alarm.device_name
            ):
                return candidate.id
        return None
