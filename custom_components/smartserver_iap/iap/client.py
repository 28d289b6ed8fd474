"""``IapClient``: the façade over one SmartServer.

It builds the layers and wires them one way: the ``IapSession`` (login, cookie,
renewal, the WebSocket opener's session), the ``IapRest`` calls on it, the ``Site``
that owns what the client knows, the ``LiveListener`` that applies live events to the
site, and data-log queries. Nothing below imports this module.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from yarl import URL

from .datalog import iter_log
from .errors import IapNotFoundError
from .live import LiveListener
from .live_options import LiveOptions
from .rest import DEFAULT_MAX_URL_LENGTH, DEFAULT_PAGE_SIZE, IapRest
from .session import MAX_BODY_SIZE, MIN_RENEW_INTERVAL, NO_BODY, IapSession
from .site import DeviceChanges, Site
from .stats import ClientStats
from .tls import TlsTrust

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
    from datetime import datetime

    import aiohttp

    from .events import LiveEvent
    from .models import Alarm, Datapoint, DatapointUpdate, Device, JsonValue, LogEntry

_LOGGER = logging.getLogger(__name__)


class IapClient:
    """Async client of one SmartServer IoT over IAP/REST and IAP/WS.

    Args:
        session: the aiohttp session to use (Home Assistant's shared one). The client
            never closes it and never keeps its cookie in the session's jar.
        host: host name or IP address of the SmartServer.
        port: HTTPS port (443 on release 2.8 and later, 8443 before).
        username: IAP user, ``apollo`` by default on the device.
        password: that user's password.
        trust: ``TlsTrust.system()`` or ``TlsTrust.pinned(fingerprint)``.
        request_timeout: seconds for one REST request.
        page_size: items per page of paged listings.
        max_url_length: longest URL a chunked bulk read may build.
        live: timings of the live listener (heartbeat, back-off, takeover probe).
        scheme: ``https`` (the SmartServer only serves HTTPS); ``http`` for tests.
        lockout_default: seconds to stop logging in after a lockout (HTTP 429 on the
            login) that came without a ``Retry-After``.
        min_renew_interval: the session is never renewed more often than this,
            whatever ``sessionTimeout`` says.
        max_body_size: the largest REST answer read, in bytes; a bigger one raises
            ``IapProtocolError`` without being read further.
    """

    def __init__(  # noqa: PLR0917 - the contract passes these positionally
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = 443,
        username: str = "apollo",
        password: str = "",
        trust: TlsTrust | None = None,
        *,
        request_timeout: float = 10.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_url_length: int = DEFAULT_MAX_URL_LENGTH,
        live: LiveOptions | None = None,
        scheme: str = "https",
        lockout_default: float = 60.0,
        min_renew_interval: float = MIN_RENEW_INTERVAL,
        max_body_size: int = MAX_BODY_SIZE,
    ) -> None:
        self.host = host
        self.port = port
        self.stats = ClientStats()
        self.trust = trust if trust is not None else TlsTrust.system()
        self.http = session
        self.session = IapSession(
            session,
            URL.build(scheme=scheme, host=host, port=port),
            username,
            password,
            self.trust,
            self.stats,
            request_timeout=request_timeout,
            lockout_default=lockout_default,
            min_renew_interval=min_renew_interval,
            max_body_size=max_body_size,
        )
        self.rest = IapRest(
            self.session, page_size=page_size, max_url_length=max_url_length
        )
        self.site = Site()
        self.listener = LiveListener(
            self.session,
            self.site,
            live or LiveOptions(),
            read_values=self._listener_reads,
            resubscribe=self._listener_resubscribes,
        )

    # -- session -----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Return True while the live WebSocket is up and resynchronised."""
        return self.listener.connected

    @property
    def subscribed(self) -> list[str]:
        """Return the remembered subscribe list (a copy)."""
        return self.site.subscribed

    async def login(self) -> dict[str, Any]:
        """Log in now and return the SmartServer's user object.

        Every other call logs in lazily, so this is only needed to check credentials.
        """
        return await self.session.login()

    @property
    def closed(self) -> bool:
        """Return True once ``close()`` was called."""
        return self.session.closed

    async def close(self) -> None:
        """Stop the live listener (``run_live`` returns) and log out, for good.

        Afterwards every request raises ``IapConnectionError("client closed")``
        without network I/O and ``run_live`` returns at once. Idempotent.
        """
        self.session.closed = True
        await self.listener.stop()
        await self.session.close()

    async def request(
        self, method: str, path: str, query: str = "", json_body: Any = NO_BODY
    ) -> Any:
        """Send a REST request to an already percent-encoded path; return its JSON."""
        return await self.session.request(method, path, query, json_body)

    # -- discovery ---------------------------------------------------------------------

    async def list_devices(self) -> list[Device]:
        """Return every device the user may read (the SmartServer itself included)."""
        return await self.rest.list_devices()

    async def list_datapoints(self, device_id: str | None = None) -> list[Datapoint]:
        """Return the datapoints (with their properties) of one device, or of all.

        The devices (the site's, else a device listing) name the datapoints that come
        without a qualifier.
        """
        devices: Iterable[Device] = self.site.devices.values()
        if not self.site.devices:
            devices = await self.rest.list_devices()
        return await self.rest.list_datapoints(device_id, devices)

    async def get_smartserver(self) -> Device:
        """Return the SmartServer's own device (category SC): its identity and status."""
        for device in await self.rest.list_devices():
            if device.is_smartserver:
                return device
        raise IapNotFoundError("the SmartServer lists no device of category SC")

    async def discover(self) -> Site:
        """Read the devices and every datapoint into the site model."""
        self.site.add_devices(await self.rest.list_devices())
        self.site.add_datapoints(await self.list_datapoints())
        return self.site

    async def refresh_devices(self) -> DeviceChanges:
        """List the devices again; the site forgets those that are gone."""
        return self.site.replace_devices(await self.rest.list_devices())

    async def discover_datapoints(self, device_id: str) -> list[Datapoint]:
        """Read one device's datapoints into the site; return those of known devices."""
        return self.site.add_datapoints(await self.list_datapoints(device_id))

    # -- values ------------------------------------------------------------------------

    async def read_values(
        self, qualifiers: Iterable[str], max_age: float | None = None
    ) -> list[DatapointUpdate]:
        """Read the current values of many datapoints by qualifier.

        See ``IapRest.read_values``; values of subscribed datapoints are kept in the
        site, unless the live link brought a change of one while the read was on
        its way (``Site.apply_read``), and so is which datapoints the SmartServer
        could not read (``site.unreadable``; each is logged once when it becomes
        unreadable).
        """
        asked = list(qualifiers)
        unreadable: list[str] = []
        site = self.site
        before = dict(site.values)
        values = await self.rest.read_values(asked, max_age, unreadable=unreadable)
        site.apply_read(values, before)
        newly = site.set_readable(asked, unreadable)
        if newly:
            _LOGGER.warning(
                "SmartServer %s cannot read %d datapoint(s), shown unavailable: %s",
                self.host,
                len(newly),
                ", ".join(newly),
            )
        return values

    async def write_value(
        self, datapoint: Datapoint | str, value: JsonValue, priority: int | None = None
    ) -> None:
        """Write a value; with ``priority``, hold it at that priority level.

        ``datapoint`` is a Datapoint or a qualifier. Structured values are dicts
        (``{"value": 75, "state": 1}``), enums strings. The path names the device by
        its device-list id (from the site) and the datapoint by its XIF name.

        Raises:
            IapPriorityConflictError: a higher priority holds the datapoint (HTTP 422).
        """
        target, device_id = self._addressed(datapoint)
        await self.rest.write_value(target, value, priority, device_id=device_id)

    async def relinquish(self, datapoint: Datapoint | str, priority: int) -> None:
        """Release the value held at ``priority``; the next level takes control."""
        target, device_id = self._addressed(datapoint)
        await self.rest.relinquish(target, priority, device_id=device_id)

    def _addressed(
        self, datapoint: Datapoint | str
    ) -> tuple[Datapoint | str, str | None]:
        """Return the datapoint (as the site knows it) and its device-list id."""
        site = self.site
        if isinstance(datapoint, str):
            known = site.datapoints.get(datapoint)
            if known is None:
                return datapoint, None
            datapoint = known
        return datapoint, site.device_of(datapoint.qualifier)

    # -- subscribe ---------------------------------------------------------------------

    async def subscribe(self, qualifiers: Iterable[str]) -> None:
        """Set the list of datapoints whose changes the live WebSocket reports.

        Replaces the previous list (one list per user login on the SmartServer). The
        list is kept in the site and re-asserted after every reconnect and takeover.
        """
        self.site.set_subscribed(qualifiers)
        await self.resubscribe()

    async def resubscribe(self) -> None:
        """Send the remembered subscribe list again."""
        await self.rest.put_subscription(self.site.subscribed)

    # -- live, logs, alarms ------------------------------------------------------------

    # The listener reads and re-subscribes through the façade's methods, looked up at
    # each call, so whoever wraps ``read_values`` or ``resubscribe`` sees its resync.
    async def _listener_reads(
        self, qualifiers: Sequence[str], max_age: float | None
    ) -> list[DatapointUpdate]:
        return await self.read_values(qualifiers, max_age)

    async def _listener_resubscribes(self) -> None:
        await self.resubscribe()

    async def run_live(
        self,
        handler: Callable[[LiveEvent], None],
        *,
        probe_candidates: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        """Listen to the live WebSocket until cancelled or ``close()``.

        See ``live.LiveListener`` for reconnects, resync and takeover detection.
        ``probe_candidates`` returns the subscribed qualifiers worth probing (for
        instance those of devices that are up); by default every subscribed one of a
        device that is not down. Every failure other than bad credentials is an
        outage: reported once with ``ConnectionLost`` and retried with back-off (a
        lockout waits its ``retry_after``). Returns at once after ``close()``.

        Raises:
            IapAuthenticationError: the credentials stopped working.
        """
        await self.listener.run(handler, probe_candidates)

    def iter_log(  # noqa: PLR0917
        self,
        device_id: str | None = None,
        block_name: str | None = None,
        block_index: int | None = None,
        datapoint_name: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        idle_timeout: float = 30.0,
    ) -> AsyncGenerator[LogEntry]:
        """Iterate over the entries of a data-log query, as they stream in.

        ``device_id`` is the device-list id (a datapoint-level ``<scId>.<n>`` id the
        site knows is translated); ``datapoint_name`` the XIF name.
        """
        return iter_log(
            self.session,
            None if device_id is None else self.site.device_list_id(device_id),
            block_name,
            block_index,
            datapoint_name,
            start,
            end,
            idle_timeout=idle_timeout,
        )

    async def list_alarms(self, active_only: bool = True) -> list[Alarm]:
        """Return the alarms, oldest first (only active ones by default)."""
        return await self.rest.list_alarms(active_only)

    async def clear_alarms(self, ids: Iterable[int]) -> None:
        """Clear (acknowledge) alarms by id."""
        await self.rest.clear_alarms(ids)

    # -- device actions ----------------------------------------------------------------

    async def wink_device(self, device_id: str) -> None:
        """Make a device show itself (a LED blinks, a buzzer sounds).

        A device that does not answer is reported by a ``CRT:NOTIFICATION``.
        """
        await self.rest.device_action(device_id, "wink")

    async def test_device(self, device_id: str) -> None:
        """Ask a device for its state; the answer comes as a ``DeviceTestResult``."""
        await self.rest.device_action(device_id, "test")
