"""The push coordinator of one SmartServer: link supervision and event dispatch.

Why a plain class and not a ``DataUpdateCoordinator``: the SmartServer pushes every
change over one WebSocket and nothing is polled, so there is no ``update_interval`` and
no refresh cycle. ``DataUpdateCoordinator.async_update_listeners`` would call every
entity on every update; with 5,000 followed datapoints that is the hot path, so an
update here costs one dict lookup from qualifier to the entity that shows it, then
that entity's ``async_write_ha_state``. The values themselves live in the client's
site model (``client.site``), which the live listener keeps current before it calls
``handle_event``: entities read from there, as a ``CoordinatorEntity`` reads
``coordinator.data``.

Who does what: ``inventory.py`` follows devices that appear, change or vanish;
``registry.py`` keeps the device registry in step; ``follow.py`` turns the options
into the followed set; ``alarms.py`` keeps the active alarms and announces them;
``issues.py`` raises repair issues (also of a stolen subscription); ``writes.py``
writes inputs; ``history.py`` imports data logs into statistics and
``backfill.py`` queues the hours an outage missed; ``diagnostics.py`` reports.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .alarms import AlarmTracker
from .backfill import GapBackfill
from .const import CONF_PROGRAMMATIC_NAMES, DOMAIN
from .follow import FollowPolicy
from .history import HistoryImporter
from .iap.errors import (
    IapAuthenticationError,
    IapError,
    IapLockedOutError,
    IapNotFoundError,
)
from .iap.events import (
    ConnectionLost,
    DatapointsUpdated,
    DeviceDeleted,
    DeviceStatusChanged,
    LiveEvent,
    Resynced,
    ServerTime,
    SubscriptionTakenOver,
)
from .iap.models import Direction
from .inventory import Inventory
from .issues import ProblemIssues, TakeoverIssue
from .listeners import CallbackRegistry
from .naming import smartserver_label
from .registry import DeviceRegistrySync
from .rejected import RejectedValues
from .writes import DatapointWriter

if TYPE_CHECKING:
    from datetime import datetime

    from .iap.client import IapClient

_LOGGER = logging.getLogger(__name__)

type SmartServerConfigEntry = ConfigEntry[SmartServerCoordinator]

# Seconds a cached value may be old for the setup read: the live link's first resync
# follows at once, so setup puts no burst of reads on the device network.
SETUP_MAX_AGE = 300.0
# Seconds after setup within which the live link must be established (first
# ``Resynced``), else entities become unavailable: several connect attempts with
# back-off, each with a subscribe and a bulk read, fit in it.
FIRST_SYNC_TIMEOUT = 60.0
# Seconds before the live task starts again after ``run_live`` failed unexpectedly.
LIVE_RESTART_DELAY = 60.0
# Seconds before setup asks again after the SmartServer refused the credentials once:
# a single 401 (a restarting SmartServer) must not start a reauth.
SETUP_AUTH_RETRY_DELAY = 2.0


class WrongSmartServerError(Exception):
    """The host now answers as another SmartServer than the one configured."""

    def __init__(self, expected: str, found: str) -> None:
        """Remember both identities for the message."""
        super().__init__(f"expected SmartServer {expected}, found {found}")
        self.expected = expected
        self.found = found


class SmartServerCoordinator:
    """Supervises the live link of one SmartServer and dispatches what it reports."""

    def __init__(
        self, hass: HomeAssistant, entry: SmartServerConfigEntry, client: IapClient
    ) -> None:
        """Bind to the entry and its client; nothing is fetched until setup."""
        self.hass = hass
        self.config_entry = entry
        self.client = client
        self.site = client.site
        self.policy = FollowPolicy.from_options(entry.options)
        self.programmatic_names = bool(entry.options.get(CONF_PROGRAMMATIC_NAMES))
        # Entity names by device, with the datapoints they were made from (entity.py).
        self.entity_names: dict[
            str, tuple[tuple[tuple[str, str | None], ...], dict[str, str | None]]
        ] = {}
        self.registry = DeviceRegistrySync(
            hass, entry, self.site, entry.unique_id or ""
        )
        self.connected = False
        # The SmartServer's clock (NTF:TIME, firmware 4.1 on) and when it arrived:
        # diagnostics show how far it is off.
        self.server_time: datetime | None = None
        self.server_time_received: datetime | None = None
        # Entities by the qualifier they show (the hot path), and by device: those
        # are written when the device's status or the link changes.
        self.datapoint_listeners: CallbackRegistry[str] = CallbackRegistry()
        self.device_listeners: CallbackRegistry[str] = CallbackRegistry()
        self.writes = DatapointWriter(hass, entry, client, self.datapoint_listeners)
        # Updates out of their type's range, shown as unknown (diagnostics).
        self.rejected = RejectedValues()
        self.inventory = Inventory(self)
        self.issues = ProblemIssues(hass, entry)
        self.alarms = AlarmTracker(self)
        self.takeover = TakeoverIssue(hass, entry, self.host)
        self.history = HistoryImporter(self)
        self.backfill = GapBackfill(self)
        self._live_task: asyncio.Task[None] | None = None
        self._first_sync_timer: CALLBACK_TYPE | None = None
        self._restart_timer: CALLBACK_TYPE | None = None
        self._synced = False
        self._live_failed = False
        self._loss_logged = False
        self._closed = False

    @property
    def host(self) -> str:
        """Return the host name."""
        return str(self.config_entry.data[CONF_HOST])

    @property
    def label(self) -> str:
        """Return how logs name this SmartServer: its name and host."""
        smartserver = self.site.smartserver
        name = smartserver.name if smartserver else self.config_entry.title
        return smartserver_label(name, self.host)

    @property
    def uid(self) -> str:
        """Return the SmartServer's uid (the entry's unique id)."""
        return self.registry.uid

    @property
    def closed(self) -> bool:
        """Return True once ``async_shutdown`` started."""
        return self._closed

    def device_available(self, device_id: str) -> bool:
        """Return True while the link is up and the device provisioned, not down."""
        return self.connected and self.site.is_healthy(device_id)

    # -- setup -------------------------------------------------------------------------

    async def async_setup(self) -> None:
        """Log in, read the site, subscribe and read every followed value.

        A few bulk requests whatever the number of datapoints: no entity does I/O of
        its own. Values come from the SmartServer's cache (``SETUP_MAX_AGE``): the
        live link's first resync reads them again right after. Credentials refused
        once are asked for again once, after ``SETUP_AUTH_RETRY_DELAY``.
        """
        try:
            await self._async_read_site()
        except IapLockedOutError:
            raise
        except IapAuthenticationError as err:
            _LOGGER.debug(
                "%s refused the credentials, asking again: %s", self.host, err
            )
            await asyncio.sleep(SETUP_AUTH_RETRY_DELAY)
            await self._async_read_site()

    async def _async_read_site(self) -> None:
        client = self.client
        await client.login()
        site = await client.discover()
        if site.smartserver is None:
            raise IapNotFoundError("the SmartServer lists no device of category SC")
        found = site.smartserver.uid or site.smartserver.id
        expected = self.config_entry.unique_id
        if expected and found != expected:
            raise WrongSmartServerError(expected, found)
        self.registry.uid = found
        followed = self.policy.select(site, site.datapoints.values())
        if followed:
            await client.subscribe(followed)
            await client.read_values(followed, max_age=SETUP_MAX_AGE)
        await self.alarms.async_setup()
        # The setup read counts as the first sync: entities start available with its
        # values; the live link must confirm within FIRST_SYNC_TIMEOUT (else down).
        self.connected = True

    # -- the live link -----------------------------------------------------------------

    @callback
    def async_start_live(self) -> None:
        """Start the live link in the background; it must sync in FIRST_SYNC_TIMEOUT."""
        self._start_live_task()
        self._first_sync_timer = async_call_later(
            self.hass, FIRST_SYNC_TIMEOUT, self._first_sync_overdue
        )

    @callback
    def _start_live_task(self, _now: Any = None) -> None:
        self._restart_timer = None
        if not self._closed:
            self._live_task = self.config_entry.async_create_background_task(
                self.hass, self._async_run_live(), f"{DOMAIN} live {self.host}"
            )

    @callback
    def _first_sync_overdue(self, _now: Any) -> None:
        """No ``Resynced`` yet: the setup values are not live, show them unavailable."""
        self._first_sync_timer = None
        if not self._synced and not self._closed:
            self._set_link_down(
                f"the live link was not established within {FIRST_SYNC_TIMEOUT:g} s"
            )

    async def _async_run_live(self) -> None:
        """Run the client's live listener until the entry unloads.

        Failed credentials stop it and start a reauth. Anything else that ends
        ``run_live`` marks the link down, is logged (an error, once until the link is
        back) and the listener starts again after LIVE_RESTART_DELAY: the entry never
        stays silently dead.
        """
        try:
            # Returns only once the client is closed.
            await self.client.run_live(
                self.handle_event, probe_candidates=self._probe_candidates
            )
        except IapAuthenticationError as err:
            if self.closed:
                return
            self._set_link_down(str(err) or "authentication failed")
            _LOGGER.debug("Live link of %s stopped: %s", self.label, err)
            self.config_entry.async_start_reauth(self.hass)
        except Exception as err:  # noqa: BLE001 - the backstop of a background task
            if self.closed:
                return
            self._live_failed_with(err)
            self._restart_timer = async_call_later(
                self.hass, LIVE_RESTART_DELAY, self._start_live_task
            )

    def _probe_candidates(self) -> list[str]:
        """Return what the takeover probe reads: followed outputs of healthy devices.

        Inputs, followed because Home Assistant writes them, are left out: a SmartServer
        need not push an input's value, and a missing echo must not look like a takeover.
        """
        site = self.site
        return [
            q
            for q in site.subscribed
            if (dp := site.datapoints.get(q)) is not None
            and dp.direction is Direction.OUTPUT
            and ((device := site.device_of(q)) is None or site.is_healthy(device))
        ]

    @callback
    def _live_failed_with(self, err: Exception) -> None:
        self._set_link_down(str(err) or type(err).__name__)
        if self._live_failed:
            _LOGGER.debug("Live link of %s stopped again: %r", self.label, err)
            return
        self._live_failed = True
        _LOGGER.error(
            "Live link of %s stopped: %s; restarting in %g s",
            self.label,
            err,
            LIVE_RESTART_DELAY,
            exc_info=not isinstance(err, IapError),
        )

    @callback
    def handle_event(self, event: LiveEvent) -> None:
        """Handle one event of the live listener (its handler); the site reflects it.

        Datapoint updates are the hot path: one lookup, one callback, nothing else.
        """
        if type(event) is DatapointsUpdated:
            listeners = self.datapoint_listeners.callbacks
            for update in event.updates:
                cb = listeners.get(update.qualifier)
                if cb is not None:
                    cb()
            return
        if self._closed:
            return
        match event:
            case Resynced():
                self._set_link_up()
                self.alarms.schedule_refresh()
            case ConnectionLost(reason=reason, new_outage=new_outage, error=error):
                self._set_link_down(reason, log=new_outage)
                if error is not None:
                    self.issues.report(error, self.label)
            case DeviceStatusChanged():
                self.inventory.status_changed(event)
            case DeviceDeleted(device_id=device_id):
                self.inventory.deleted(device_id)
            case _ if isinstance(event, AlarmTracker.EVENTS):
                self.alarms.handle(event)
            case SubscriptionTakenOver(healed=healed):
                self.takeover.reported(healed, self.label)
                # The values read again are in the site: every entity once.
                self.device_listeners.notify_all()
            case ServerTime(value=value):
                # Every 30 s: kept for diagnostics, not worth a log line.
                self.server_time = value
                self.server_time_received = dt_util.utcnow()
            case _:
                _LOGGER.debug("Unhandled live event from %s: %s", self.label, event)

    @callback
    def _set_link_down(self, reason: str, *, log: bool = True) -> None:
        if not self.connected:
            return
        self.connected = False
        self.backfill.link_down()
        # A flapping link logs its outage once, not once per drop.
        if log and not self._loss_logged:
            self._loss_logged = True
            _LOGGER.info("Lost connection to %s: %s", self.label, reason)
        self.device_listeners.notify_all()

    @callback
    def _set_link_up(self) -> None:
        if self._first_sync_timer is not None:
            self._first_sync_timer()
            self._first_sync_timer = None
        if self._synced:
            # A reconnect: devices may have been added or removed meanwhile.
            self.inventory.schedule_relist()
        self._synced = True
        self._live_failed = False
        self.issues.clear()
        if not self.connected and self._loss_logged:
            self._loss_logged = False
            _LOGGER.info("Connection to %s is back", self.label)
        self.connected = True
        self.backfill.link_up()
        # Every entity once: availability may have changed, and the resync's values
        # are in the site already.
        self.device_listeners.notify_all()

    # -- shutdown ----------------------------------------------------------------------

    async def async_shutdown(self) -> None:
        """Stop the live listener and log out (unload and Home Assistant stop)."""
        if self._closed:
            return
        self._closed = True
        for timer in (self._first_sync_timer, self._restart_timer):
            if timer is not None:
                timer()
        self._first_sync_timer = self._restart_timer = None
        # Stop every task that uses the client before logging out: one still running
        # could log in again after the logout and leave a session behind.
        tasks = [
            task
            for task in (
                self._live_task,
                *self.inventory.tasks,
                *self.alarms.tasks,
                *self.writes.tasks,
                *self.history.tasks,
                *self.backfill.tasks,
            )
            if task is not None and not task.done()
        ]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.takeover.async_shutdown()
        await self.alarms.async_shutdown()
        try:
            await self.client.close()
        except IapError as err:
            _LOGGER.debug("Closing the client of %s failed: %s", self.label, err)
