"""The push coordinator: one SmartServer, its devices, datapoints and live link.

Why a plain class and not a ``DataUpdateCoordinator``: the SmartServer pushes every
change over one WebSocket and nothing is ever polled, so the coordinator has no
``update_interval``, no ``data`` snapshot and no refresh cycle. What it needs instead is
per-datapoint dispatch: ``DataUpdateCoordinator.async_update_listeners`` calls *every*
listener on *every* update, which is O(entities) per frame; with 5,000 followed
datapoints this is the hot path, so an update costs one dict lookup from qualifier to
the one entity callback that wants it, then that entity's ``async_write_ha_state``.
Availability (link and device health) and the info logs when the link is lost and back
are done here explicitly, the way ``DataUpdateCoordinator`` would do them for a poll.

Every platform registers with the same dispatch (``async_add_datapoint_listener``), so
the writable platforms (number, switch, select) and alarm events of later issues plug in
without touching the hot path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
import logging
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntry, current_entry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from .const import (
    CONF_DATAPOINTS,
    CONF_DEVICES,
    CONF_FINGERPRINT,
    DEFAULT_PORT,
    DOMAIN,
    MANUFACTURER,
    SMARTSERVER_MODEL,
)
from .iap.client import IapClient
from .iap.errors import IapAuthenticationError, IapError
from .iap.events import (
    ConnectionLost,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    LiveEvent,
    Resynced,
    SubscriptionTakenOver,
)
from .iap.live import LiveOptions
from .iap.models import Datapoint, DatapointUpdate, Device, DeviceStatus, Direction
from .iap.qualifier import parse_qualifier
from .iap.tls import TlsTrust

_LOGGER = logging.getLogger(__name__)

type SmartServerConfigEntry = ConfigEntry[SmartServerCoordinator]
type DatapointCallback = Callable[[DatapointUpdate], None]


# Timings of the live link (heartbeat, back-off, takeover probe); tests shorten them.
LIVE_OPTIONS = LiveOptions()
# Seconds a cached value may be old for the setup read: the live link's first resync
# follows at once, so setup puts no burst of reads on the device network.
SETUP_MAX_AGE = 300.0
# Seconds after setup within which the live link must be established (first ``Resynced``),
# else entities become unavailable: several connect attempts with back-off, each with a
# subscribe and a bulk read, fit in it.
FIRST_SYNC_TIMEOUT = 60.0
# Seconds before the live task starts again after ``run_live`` failed unexpectedly.
LIVE_RESTART_DELAY = 60.0

DATA_SESSION: HassKey[aiohttp.ClientSession] = HassKey(f"{DOMAIN}_session")


@callback
def async_create_entry_session(hass: HomeAssistant) -> aiohttp.ClientSession:
    """Return a new session for one config entry, without a cookie jar.

    A session of its own with a ``DummyCookieJar``, so SmartServer session cookies
    never enter Home Assistant's shared jar. Created during entry setup, Home Assistant
    closes it when the entry unloads (and at stop).
    """
    return async_create_clientsession(hass, cookie_jar=aiohttp.DummyCookieJar())


@callback
def async_get_session(hass: HomeAssistant) -> aiohttp.ClientSession:
    """Return the cookie-less session config flows use, one per Home Assistant.

    Not one per flow: sessions from ``async_create_clientsession`` outside an entry
    setup live until Home Assistant stops and must not be closed by integrations, so a
    session per flow would pile up. Created outside any entry's context, so unloading
    an entry (which closes that entry's sessions) never closes it. Sharing is safe: the
    jar keeps nothing and the client passes its cookie and TLS settings per request.
    """
    session = hass.data.get(DATA_SESSION)
    if session is None or session.closed:
        token = current_entry.set(None)
        try:
            session = async_create_entry_session(hass)
        finally:
            current_entry.reset(token)
        hass.data[DATA_SESSION] = session
    return session


def configuration_url(host: str, port: int) -> str:
    """Return the SmartServer's CMS address (IPv6 hosts are bracketed)."""
    return str(URL.build(scheme="https", host=host, port=port, path="/cms/"))


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    session: aiohttp.ClientSession | None = None,
) -> IapClient:
    """Build a client from entry data, on ``session`` (else the flows' session)."""
    fingerprint: str | None = data.get(CONF_FINGERPRINT)
    return IapClient(
        session or async_get_session(hass),
        data[CONF_HOST],
        data.get(CONF_PORT, DEFAULT_PORT),
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        trust=TlsTrust.pinned(fingerprint) if fingerprint else TlsTrust.system(),
        live=LIVE_OPTIONS,
    )


class WrongSmartServerError(Exception):
    """The host now answers as another SmartServer than the one configured."""

    def __init__(self, expected: str, found: str) -> None:
        """Remember both identities for the message."""
        super().__init__(f"expected SmartServer {expected}, found {found}")
        self.expected = expected
        self.found = found


class _Fanout:
    """Several entities of one qualifier (a split structured value) behind one callback."""

    __slots__ = ("callbacks",)

    def __init__(self, *callbacks: DatapointCallback) -> None:
        self.callbacks = list(callbacks)

    def __call__(self, update: DatapointUpdate) -> None:
        for cb in self.callbacks:
            cb(update)


def display_names(datapoints: Iterable[Datapoint]) -> dict[str, str]:
    """Return the name people see for each datapoint (qualifier -> name).

    The instance name, else the programmatic name; when two datapoints of one device
    would share a name (the same block type twice), the block and index are added.
    """
    datapoints = list(datapoints)
    counts: dict[tuple[str, str], int] = {}
    for dp in datapoints:
        key = (dp.device_id, dp.instance_name or dp.name)
        counts[key] = counts.get(key, 0) + 1
    names: dict[str, str] = {}
    for dp in datapoints:
        name = dp.instance_name or dp.name
        if counts[(dp.device_id, name)] > 1:
            name = f"{dp.block_name} {dp.block_index} {name}"
        names[dp.qualifier] = name
    return names


def is_provisioned(device: Device) -> bool:
    """Return True when a device's datapoints are followed by default."""
    return device.status.state in (None, "provisioned")


class SmartServerCoordinator:
    """Owns the client, the inventory, the subscribe list and the live link."""

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: SmartServerConfigEntry,
        client: IapClient,
    ) -> None:
        """Initialise; nothing is fetched until ``async_setup``."""
        self.hass = hass
        self.config_entry = config_entry
        self.client = client
        self.smartserver: Device | None = None
        self.uid: str = config_entry.unique_id or ""
        self.hub_device_id: str | None = None
        self.devices: dict[str, Device] = {}
        self.datapoints: dict[str, Datapoint] = {}
        self.followed: dict[str, Datapoint] = {}
        self.names: dict[str, str] = {}
        self.values: dict[str, DatapointUpdate] = {}
        self.connected = False
        self._listeners: dict[str, DatapointCallback] = {}
        self._device_listeners: dict[str, list[tuple[str | None, CALLBACK_TYPE]]] = {}
        self._link_listeners: list[CALLBACK_TYPE] = []
        self.new_datapoints_callbacks: list[Callable[[list[Datapoint]], None]] = []
        self.new_devices_callbacks: list[Callable[[list[Device]], None]] = []
        self._pending_devices: set[str] = set()
        self._relist_devices = False
        self._refresh_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._live_task: asyncio.Task[None] | None = None
        self._first_sync_timer: CALLBACK_TYPE | None = None
        self._synced = False
        self._live_failed = False
        self._device_address: dict[tuple[str | None, str | None, str | None], str] = {}
        self._closed = False
        self._loss_logged = False

    # -- identity and devices ----------------------------------------------------------

    @property
    def host(self) -> str:
        """Return the host name, for logs."""
        return str(self.config_entry.data[CONF_HOST])

    @property
    def hub_identifier(self) -> tuple[str, str]:
        """Return the device-registry identifier of the SmartServer itself."""
        return (DOMAIN, self.uid)

    def device_identifier(self, device_id: str) -> tuple[str, str]:
        """Return the device-registry identifier of one SmartServer device."""
        if self.smartserver is not None and device_id == self.smartserver.id:
            return self.hub_identifier
        return (DOMAIN, f"{self.uid}_{device_id}")

    def hub_device_info(self) -> DeviceInfo:
        """Return the SmartServer's own device entry."""
        sc = self.smartserver
        data = self.config_entry.data
        return DeviceInfo(
            identifiers={self.hub_identifier},
            manufacturer=MANUFACTURER,
            model=SMARTSERVER_MODEL,
            model_id=sc.type_name if sc else None,
            name=sc.name if sc else self.host,
            serial_number=self.uid,
            sw_version=sc.firmware_version if sc else None,
            configuration_url=configuration_url(data[CONF_HOST], data[CONF_PORT]),
        )

    def device_info(self, device_id: str) -> DeviceInfo:
        """Return the device entry of one SmartServer device, linked via the hub."""
        if self.smartserver is not None and device_id == self.smartserver.id:
            return self.hub_device_info()
        device = self.devices[device_id]
        info = DeviceInfo(
            identifiers={self.device_identifier(device_id)},
            name=device.name,
            model=device.type_name,
            serial_number=device.uid,
            sw_version=device.firmware_version,
        )
        if self.hub_device_id is not None:
            info["via_device_id"] = self.hub_device_id
        return info

    def device_available(self, device_id: str) -> bool:
        """Return True while the device is known, provisioned and not down."""
        device = self.devices.get(device_id)
        return device is not None and device.status.is_healthy

    def device_of(self, datapoint: Datapoint) -> str | None:
        """Return the id of the device a datapoint belongs to."""
        if datapoint.device_id in self.devices:
            return datapoint.device_id
        try:
            q = parse_qualifier(datapoint.qualifier)
        except IapError:
            return None
        return self._device_address.get((q.sc_id, q.protocol, q.did))

    # -- setup -------------------------------------------------------------------------

    async def async_setup(self) -> None:
        """Log in, read the inventory, subscribe and read every followed value.

        Everything happens in a few bulk requests, whatever the number of datapoints:
        no entity does I/O of its own. Values come from the SmartServer's cache
        (``SETUP_MAX_AGE``): the live link's first resync reads them again right after.
        """
        await self.client.login()
        self.smartserver = await self.client.get_smartserver()
        found = self.smartserver.uid or self.smartserver.id
        if self.config_entry.unique_id and found != self.config_entry.unique_id:
            raise WrongSmartServerError(self.config_entry.unique_id, found)
        self.uid = found
        devices = await self.client.list_devices()
        datapoints = await self.client.list_datapoints()
        self._set_devices(devices)
        self._add_datapoints(datapoints)
        self.followed = self._select_followed(self.datapoints.values())
        if self.followed:
            await self.client.subscribe(self.followed)
            self.values = {
                u.qualifier: u
                for u in await self.client.read_values(
                    self.followed, max_age=SETUP_MAX_AGE
                )
            }
        # The setup read counts as the first sync: entities start available with its
        # values; the live link must confirm within FIRST_SYNC_TIMEOUT (else down).
        self.connected = True

    def _set_devices(self, devices: Iterable[Device]) -> None:
        for device in devices:
            self.devices[device.id] = device
            self._device_address[(device.sc_id, device.protocol, device.did)] = (
                device.id
            )

    def _add_datapoints(self, datapoints: Iterable[Datapoint]) -> None:
        added = list(datapoints)
        for dp in added:
            self.datapoints[dp.qualifier] = dp
        # Names are unique per device, so recompute for the devices touched.
        touched = {dp.device_id for dp in added}
        self.names.update(
            display_names(
                dp for dp in self.datapoints.values() if dp.device_id in touched
            )
        )

    def _select_followed(self, datapoints: Iterable[Datapoint]) -> dict[str, Datapoint]:
        """Return the datapoints the entry follows, by its options.

        Without options: every output datapoint of every provisioned device.
        """
        options = self.config_entry.options
        chosen_devices: set[str] | None = (
            set(options[CONF_DEVICES]) if CONF_DEVICES in options else None
        )
        chosen_points: set[str] | None = (
            set(options[CONF_DATAPOINTS]) if CONF_DATAPOINTS in options else None
        )
        followed: dict[str, Datapoint] = {}
        for dp in datapoints:
            device_id = self.device_of(dp)
            if device_id is None:
                continue
            if chosen_points is not None:
                if dp.qualifier in chosen_points:
                    followed[dp.qualifier] = dp
                continue
            if chosen_devices is not None:
                if device_id not in chosen_devices:
                    continue
            elif not is_provisioned(self.devices[device_id]):
                continue
            if dp.direction is Direction.OUTPUT:
                followed[dp.qualifier] = dp
        return followed

    # -- the live link -----------------------------------------------------------------

    @callback
    def async_start_live(self) -> None:
        """Start the live link in the background; it must sync in FIRST_SYNC_TIMEOUT."""
        self._live_task = self.config_entry.async_create_background_task(
            self.hass, self.async_run_live(), f"{DOMAIN} live {self.config_entry.title}"
        )
        self._first_sync_timer = async_call_later(
            self.hass, FIRST_SYNC_TIMEOUT, self._first_sync_overdue
        )

    @callback
    def _first_sync_overdue(self, _now: Any) -> None:
        """No ``Resynced`` yet: the setup values are not live, show them unavailable."""
        self._first_sync_timer = None
        if not self._synced and not self._closed:
            self._set_link_down(
                f"the live link was not established within {FIRST_SYNC_TIMEOUT:g} s"
            )

    async def async_run_live(self) -> None:
        """Run the client's live listener until the entry unloads (background task).

        Failed credentials stop it and start a reauth. Anything else that ends
        ``run_live`` marks the link down, is logged (an error, once until the link is
        back) and the listener starts again after LIVE_RESTART_DELAY: the entry never
        stays silently dead.
        """
        while not self._closed:
            try:
                await self.client.run_live(
                    self._handle_event, probe_candidates=self._probe_candidates
                )
            except IapAuthenticationError as err:
                if self.is_closed():
                    return
                self._set_link_down(str(err) or "authentication failed")
                _LOGGER.debug("Live link of %s stopped: %s", self.host, err)
                self.config_entry.async_start_reauth(self.hass)
                return
            except Exception as err:  # noqa: BLE001 - the backstop of a background task
                if self.is_closed():
                    return
                self._live_failed_with(err)
            else:
                # run_live returns once the client is closed.
                return
            await asyncio.sleep(LIVE_RESTART_DELAY)

    @callback
    def _live_failed_with(self, err: Exception) -> None:
        self._set_link_down(str(err) or type(err).__name__)
        if self._live_failed:
            _LOGGER.debug("Live link of %s stopped again: %r", self.host, err)
            return
        self._live_failed = True
        _LOGGER.error(
            "Live link of SmartServer %s stopped: %s; restarting in %g s",
            self.host,
            err,
            LIVE_RESTART_DELAY,
            exc_info=not isinstance(err, IapError),
        )

    def _probe_candidates(self) -> list[str]:
        """Return the followed qualifiers worth probing: those of healthy devices."""
        healthy = {d for d, dev in self.devices.items() if dev.status.is_healthy}
        return [q for q, dp in self.followed.items() if self.device_of(dp) in healthy]

    @callback
    def _handle_event(self, event: LiveEvent) -> None:
        """Handle one event of the live listener (called on the event loop).

        Datapoint updates are the hot path: one lookup, one callback, nothing else.
        """
        if type(event) is DatapointsUpdated:
            listeners = self._listeners
            for update in event.updates:
                cb = listeners.get(update.qualifier)
                if cb is not None:
                    cb(update)
                elif update.qualifier in self.followed:
                    # No entity yet (being added): keep it for when it registers.
                    # Others' datapoints (a takeover) are not kept.
                    self.values[update.qualifier] = update
            return
        self._handle_other_event(event)

    @callback
    def _handle_other_event(self, event: LiveEvent) -> None:
        if self._closed:
            return
        match event:
            case Resynced(values=values):
                self._set_link_up(values)
            case ConnectionLost(reason=reason, new_outage=new_outage):
                self._set_link_down(reason, log=new_outage)
            case DeviceStatusChanged(device_id=device_id, status=status):
                self._device_status_changed(device_id, status)
            case DeviceDeleted(device_id=device_id):
                self._device_deleted(device_id)
            case SubscriptionTakenOver():
                self._subscription_taken_over(event)
            case _:
                # Alarms, notifications and the server clock belong to later platforms.
                _LOGGER.debug("Unhandled live event from %s: %s", self.host, event)

    @callback
    def _set_link_down(self, reason: str, *, log: bool = True) -> None:
        if not self.connected:
            return
        self.connected = False
        # A flapping link logs its outage once, not once per drop.
        if log and not self._loss_logged:
            self._loss_logged = True
            _LOGGER.info("Lost connection to SmartServer %s: %s", self.host, reason)
        self._write_all()

    @callback
    def _set_link_up(self, values: list[DatapointUpdate]) -> None:
        if self._first_sync_timer is not None:
            self._first_sync_timer()
            self._first_sync_timer = None
        if self._synced:
            # A reconnect: devices may have been added or removed meanwhile.
            self._schedule_device_refresh(None)
        self._synced = True
        self._live_failed = False
        if not self.connected and self._loss_logged:
            self._loss_logged = False
            _LOGGER.info("Connection to SmartServer %s is back", self.host)
        self.connected = True
        listeners = self._listeners
        written: set[str] = set()
        for update in values:
            cb = listeners.get(update.qualifier)
            if cb is not None:
                cb(update)
                written.add(update.qualifier)
            else:
                self.values[update.qualifier] = update
        self._write_all(skip=written)

    @callback
    def _write_all(self, skip: set[str] | None = None) -> None:
        """Write every entity's state again (availability changed)."""
        for cb in self._link_listeners:
            cb()
        for entries in self._device_listeners.values():
            for qualifier, cb in entries:
                if skip is None or qualifier not in skip:
                    cb()

    @callback
    def _subscription_taken_over(self, event: SubscriptionTakenOver) -> None:
        """Another session of our user replaced the subscribe list.

        The client has re-asserted the list already (``event.healed``). Hook for the
        repair issue of a later issue (ask the user for a dedicated SmartServer user).
        """
        _LOGGER.warning(
            "Another session of the same user took over the datapoint subscription of "
            "SmartServer %s (taken back: %s); give Home Assistant a dedicated "
            "SmartServer user",
            self.host,
            "yes" if event.healed else "no",
        )

    # -- devices that change -----------------------------------------------------------

    @callback
    def _device_status_changed(self, device_id: str, status: DeviceStatus) -> None:
        device = self.devices.get(device_id)
        if device is None:
            self._schedule_device_refresh(device_id)
            return
        was_provisioned = is_provisioned(device)
        self.devices[device_id] = replace(device, status=status)
        for _, cb in self._device_listeners.get(device_id, ()):
            cb()
        if not was_provisioned and is_provisioned(self.devices[device_id]):
            # Newly provisioned: its datapoints may be followed now.
            self._schedule_device_refresh(device_id)

    @callback
    def _schedule_device_refresh(self, device_id: str | None) -> None:
        """Read one new device, or (``None``) list all devices again, in the background."""
        if device_id is None:
            self._relist_devices = True
        else:
            self._pending_devices.add(device_id)
        if self._closed:
            return
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self.config_entry.async_create_background_task(
                self.hass,
                self._async_refresh_devices(),
                f"{DOMAIN} device refresh {self.host}",
            )

    async def _async_refresh_devices(self) -> None:
        """Read new or newly provisioned devices, follow their datapoints, add entities.

        On an error the work is kept and retried after the next reconnect.
        """
        while self._pending_devices or self._relist_devices:
            pending = set(self._pending_devices)
            relist = self._relist_devices
            self._pending_devices.clear()
            self._relist_devices = False
            try:
                await self._async_refresh(pending, relist=relist)
            except IapError as err:
                self._pending_devices |= pending
                self._relist_devices |= relist
                if not self._closed:
                    _LOGGER.warning(
                        "Could not read new devices of SmartServer %s: %s",
                        self.host,
                        err,
                    )
                return

    async def _async_refresh(self, pending: set[str], *, relist: bool = False) -> None:
        devices = {d.id: d for d in await self.client.list_devices()}
        if relist:
            # After a reconnect: what changed while no UPD:DEVICE could arrive.
            for device_id in [d for d in self.devices if d not in devices]:
                self._device_deleted(device_id)
            pending |= {d for d in devices if d not in self.devices}
            for device_id, device in devices.items():
                known = self.devices.get(device_id)
                if known is not None and known.status != device.status:
                    self._device_status_changed(device_id, device.status)
        new_devices = [
            devices[d] for d in pending if d in devices and d not in self.devices
        ]
        self._set_devices(devices[d] for d in pending if d in devices)
        datapoints: list[Datapoint] = []
        for device_id in sorted(pending):
            if device_id in devices:
                datapoints.extend(await self.client.list_datapoints(device_id))
        self._add_datapoints(datapoints)
        newly = {
            q: dp
            for q, dp in self._select_followed(datapoints).items()
            if q not in self.followed
        }
        if newly:
            self.followed.update(newly)
            await self.client.subscribe(self.followed)
            for update in await self.client.read_values(newly):
                self.values[update.qualifier] = update
        if new_devices:
            _LOGGER.debug(
                "New devices on %s: %s", self.host, [d.id for d in new_devices]
            )
            for cb_devices in self.new_devices_callbacks:
                cb_devices(new_devices)
        if newly:
            for cb_points in self.new_datapoints_callbacks:
                cb_points(list(newly.values()))

    @callback
    def _device_deleted(self, device_id: str) -> None:
        """Forget a device the SmartServer deleted, with its entities."""
        if device_id not in self.devices:
            return
        gone = [
            q for q, dp in self.datapoints.items() if self.device_of(dp) == device_id
        ]
        device = self.devices.pop(device_id)
        self._device_address.pop((device.sc_id, device.protocol, device.did), None)
        self._pending_devices.discard(device_id)
        for q in gone:
            del self.datapoints[q]
            self.names.pop(q, None)
            self.values.pop(q, None)
        dropped = [q for q in gone if self.followed.pop(q, None) is not None]
        registry = dr.async_get(self.hass)
        if entry := registry.async_get_device_by_identifier(
            self.device_identifier(device_id), self.config_entry.entry_id
        ):
            # Removing the device removes its entities; they unregister themselves.
            registry.async_remove_device(entry.id)
        if dropped and not self._closed:
            task = self.config_entry.async_create_background_task(
                self.hass,
                self._async_resubscribe(),
                f"{DOMAIN} resubscribe {self.host}",
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _async_resubscribe(self) -> None:
        try:
            await self.client.subscribe(self.followed)
        except IapError as err:
            # The client re-asserts its remembered list after the next reconnect.
            _LOGGER.debug("Could not shorten the subscribe list: %s", err)

    @callback
    def async_register_hub(self) -> None:
        """Create the SmartServer's own device; child devices link to it."""
        registry = dr.async_get(self.hass)
        hub = registry.async_get_or_create(
            config_entry_id=self.config_entry.entry_id, **self.hub_device_info()
        )
        self.hub_device_id = hub.id

    @callback
    def async_remove_stale_devices(self) -> None:
        """Remove registry devices of this entry that the SmartServer no longer has."""
        registry = dr.async_get(self.hass)
        current = {self.hub_identifier} | {
            self.device_identifier(d) for d in self.devices
        }
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            if not device.identifiers & current:
                registry.async_remove_device(device.id)

    # -- entity registration -----------------------------------------------------------

    @callback
    def async_add_datapoint_listener(
        self, qualifier: str, cb: DatapointCallback
    ) -> CALLBACK_TYPE:
        """Call ``cb`` with every update of one datapoint; return the remover."""
        existing = self._listeners.get(qualifier)
        if existing is None:
            self._listeners[qualifier] = cb
        elif isinstance(existing, _Fanout):
            existing.callbacks.append(cb)
        else:
            self._listeners[qualifier] = _Fanout(existing, cb)

        @callback
        def remove() -> None:
            current = self._listeners.get(qualifier)
            if current is cb:
                del self._listeners[qualifier]
            elif isinstance(current, _Fanout) and cb in current.callbacks:
                current.callbacks.remove(cb)
                if len(current.callbacks) == 1:
                    self._listeners[qualifier] = current.callbacks[0]

        return remove

    @callback
    def async_add_device_listener(
        self, device_id: str, cb: CALLBACK_TYPE, qualifier: str | None = None
    ) -> CALLBACK_TYPE:
        """Call ``cb`` when the device's status or the link changes; return the remover.

        ``qualifier`` names the datapoint the entity shows, so a resync that already
        delivered its value does not write it twice.
        """
        entry = (qualifier, cb)
        self._device_listeners.setdefault(device_id, []).append(entry)

        @callback
        def remove() -> None:
            entries = self._device_listeners.get(device_id)
            if entries is not None and entry in entries:
                entries.remove(entry)
                if not entries:
                    del self._device_listeners[device_id]

        return remove

    @callback
    def async_add_link_listener(self, cb: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``cb`` when the link goes down or comes back; return the remover."""
        self._link_listeners.append(cb)

        @callback
        def remove() -> None:
            if cb in self._link_listeners:
                self._link_listeners.remove(cb)

        return remove

    # -- shutdown ----------------------------------------------------------------------

    def is_closed(self) -> bool:
        """Return True once ``async_shutdown`` started (a call: no type narrowing)."""
        return self._closed

    async def async_shutdown(self) -> None:
        """Stop the live listener and log out (unload and Home Assistant stop)."""
        if self._closed:
            return
        self._closed = True
        if self._first_sync_timer is not None:
            self._first_sync_timer()
            self._first_sync_timer = None
        # Stop every task that uses the client before logging out: one still running
        # could log in again after the logout and leave a session behind.
        tasks = [
            task
            for task in (self._live_task, self._refresh_task, *self._tasks)
            if task is not None and not task.done()
        ]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self.client.close()
        except IapError as err:
            _LOGGER.debug("Closing the client of %s failed: %s", self.host, err)

    def diagnostics(self) -> dict[str, Any]:
        """Return counts and state for the diagnostics download."""
        by_type: dict[str, int] = {}
        for dp in self.followed.values():
            key = dp.type_name or "unknown"
            by_type[key] = by_type.get(key, 0) + 1
        return {
            "connected": self.connected,
            "client_connected": self.client.connected,
            "smartserver": {
                "name": self.smartserver.name if self.smartserver else None,
                "type": self.smartserver.type_name if self.smartserver else None,
                "firmware": self.smartserver.firmware_version
                if self.smartserver
                else None,
            },
            "devices": len(self.devices),
            "datapoints": len(self.datapoints),
            "followed": len(self.followed),
            "values": len(self.values),
            "listeners": len(self._listeners),
            "followed_by_type": dict(sorted(by_type.items())),
            "device_status": {
                device.id: {
                    "name": device.name,
                    "type": device.type_name,
                    "state": device.status.state,
                    "health": device.status.health,
                }
                for device in self.devices.values()
            },
            "client_stats": self.client.stats.as_dict(),
        }
