"""``IapClient``: the SmartServer's REST API (discovery, values, subscribe, alarms).

The live listener and the data-log iterator live in ``live.py`` and ``datalog.py``;
this class owns the session and the remembered subscribe list they share.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from yarl import URL

from .datalog import iter_log
from .errors import IapNotFoundError, IapProtocolError
from .live import LiveListener, LiveOptions
from .models import Alarm, Datapoint, DatapointUpdate, Device, JsonValue, LogEntry
from .parsing import parse_alarm, parse_datapoint, parse_device, parse_value_item
from .qualifier import datapoint_path, qualifier_list_element, quote_element
from .session import MIN_RENEW_INTERVAL, NO_BODY, IapSession, build_query
from .site import DeviceChanges, Site
from .stats import ClientStats
from .tls import TlsTrust

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
    from datetime import datetime

    import aiohttp

    from .events import LiveEvent

_LOGGER = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 200
# Stay well below the ~2 kB many HTTP stacks accept for a request line.
DEFAULT_MAX_URL_LENGTH = 2000
SUBSCRIBE_PATH = "/iap/dp/updates/subscribe"
_VALUES_PREFIX = "/iap/devs/*/if/*/*/"


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
    ) -> None:
        self.host = host
        self.port = port
        self.stats = ClientStats()
        self.trust = trust if trust is not None else TlsTrust.system()
        self._http = session
        self.origin = URL.build(scheme=scheme, host=host, port=port)
        self.session = IapSession(
            session,
            self.origin,
            username,
            password,
            self.trust,
            self.stats,
            request_timeout=request_timeout,
            lockout_default=lockout_default,
            min_renew_interval=min_renew_interval,
        )
        self.page_size = page_size
        self.max_url_length = max_url_length
        self.max_page_restarts = 3
        self.site = Site()
        self._live = LiveListener(self, live or LiveOptions())

    # -- session -----------------------------------------------------------------------

    @property
    def http(self) -> aiohttp.ClientSession:
        """Return the injected aiohttp session."""
        return self._http

    @property
    def connected(self) -> bool:
        """Return True while the live WebSocket is up and resynchronised."""
        return self._live.connected

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
        await self._live.stop()
        await self.session.close()

    async def request(
        self, method: str, path: str, query: str = "", json_body: Any = NO_BODY
    ) -> Any:
        """Send a REST request to an already percent-encoded path; return its JSON."""
        return await self.session.request(method, path, query, json_body)

    # -- paging ------------------------------------------------------------------------

    async def _get_paged(
        self, path: str, params: dict[str, Any] | None = None
    ) -> list[Any]:
        """Return every item of a paged listing, from one consistent snapshot.

        If the snapshot changes between pages (the SmartServer's data changed, or it
        dropped the snapshot) the listing starts again, a bounded number of times.
        """
        base = dict(params or {})
        for _ in range(self.max_page_restarts + 1):
            items: list[Any] = []
            snapshot: Any = None
            page = 1
            while True:
                query: dict[str, Any] = {**base, "pg": page, "sz": self.page_size}
                if page > 1 and snapshot is not None:
                    query["xs"] = snapshot
                try:
                    body = await self.request("GET", path, build_query(query))
                except IapNotFoundError:
                    if page == 1:
                        raise
                    # The SmartServer dropped the snapshot: list again from the start.
                    break
                if isinstance(body, list):
                    # A bare array: the server ignored paging and sent everything.
                    return items + body if page > 1 else body
                if not isinstance(body, dict) or not isinstance(
                    body.get("resources"), list
                ):
                    raise IapProtocolError(f"GET {path}: not a paged listing")
                current = body.get("snapshot")
                if page == 1:
                    snapshot = current
                elif current != snapshot:
                    _LOGGER.debug("GET %s: snapshot changed, listing again", path)
                    break
                resources = body["resources"]
                items.extend(resources)
                remaining = body.get("remainingPages", 0)
                if not isinstance(remaining, int) or remaining <= 0 or not resources:
                    return items
                page += 1
        raise IapProtocolError(f"GET {path}: the listing kept changing while paging")

    # -- discovery ---------------------------------------------------------------------

    async def list_devices(self) -> list[Device]:
        """Return every device the user may read (the SmartServer itself included)."""
        raw = await self._get_paged("/iap/devs")
        return [parse_device(item) for item in raw]

    async def discover(self) -> Site:
        """Read the devices and every datapoint into the site model."""
        self.site.add_devices(await self.list_devices())
        self.site.add_datapoints(await self.list_datapoints())
        return self.site

    async def refresh_devices(self) -> DeviceChanges:
        """List the devices again; the site forgets those that are gone."""
        return self.site.replace_devices(await self.list_devices())

    async def discover_datapoints(self, device_id: str) -> list[Datapoint]:
        """Read one device's datapoints into the site; return those of known devices."""
        return self.site.add_datapoints(await self.list_datapoints(device_id))

    async def get_smartserver(self) -> Device:
        """Return the SmartServer's own device (category SC): its identity and status."""
        for device in await self.list_devices():
            if device.is_smartserver:
                return device
        raise IapNotFoundError("the SmartServer lists no device of category SC")

    async def list_datapoints(self, device_id: str | None = None) -> list[Datapoint]:
        """Return the datapoints (with their properties) of one device, or of all."""
        device = "*" if device_id is None else quote_element(device_id)
        raw = await self._get_paged(f"/iap/devs/{device}/if/*/*/*/*")
        result = []
        for item in raw:
            try:
                result.append(parse_datapoint(item))
            except IapProtocolError as err:
                # One odd item must not hide the rest of the device.
                _LOGGER.debug("Skipping a datapoint item: %s", err)
        return result

    # -- values ------------------------------------------------------------------------

    def _chunks(
        self, qualifiers: Sequence[str], suffix: str, query: str
    ) -> list[list[str]]:
        fixed = (
            len(str(self.origin))
            + len(_VALUES_PREFIX)
            + len(qualifier_list_element([]))
            + len(suffix)
            + 1
            + len(query)
        )
        chunks: list[list[str]] = []
        current: list[str] = []
        length = fixed
        for qualifier in qualifiers:
            cost = len(quote_element(qualifier)) + (1 if current else 0)
            if current and length + cost > self.max_url_length:
                chunks.append(current)
                current, length, cost = [], fixed, cost - 1
            current.append(qualifier)
            length += cost
        if current:
            chunks.append(current)
        return chunks

    async def read_values(
        self, qualifiers: Iterable[str], max_age: float | None = None
    ) -> list[DatapointUpdate]:
        """Read the current values of many datapoints by qualifier.

        The list is split so no URL exceeds ``max_url_length``. Without ``max_age`` the
        SmartServer reads on the wire; with it, a cached value that young is good
        enough. Items the SmartServer cannot describe are skipped. Values of subscribed
        datapoints are kept in the site.
        """
        wanted = list(dict.fromkeys(qualifiers))
        params: dict[str, Any] = {"noxs": True}
        if max_age is not None:
            params = {"max_age": _number(max_age), "noxs": True}
        query = build_query(params)
        result: list[DatapointUpdate] = []
        for chunk in self._chunks(wanted, "/value", query):
            path = f"{_VALUES_PREFIX}{qualifier_list_element(chunk)}/value"
            body = await self.request("GET", path, query)
            if isinstance(body, dict) and isinstance(body.get("resources"), list):
                body = body["resources"]
            if not isinstance(body, list):
                raise IapProtocolError("a value read did not answer a list")
            for item in body:
                try:
                    result.append(parse_value_item(item))
                except IapProtocolError as err:
                    _LOGGER.debug("Skipping a value item: %s", err)
        self.site.apply_updates(result)
        return result

    @staticmethod
    def _datapoint_path(datapoint: Datapoint | str) -> str:
        if isinstance(datapoint, Datapoint):
            return datapoint_path(
                datapoint.device_id,
                datapoint.block_name,
                datapoint.block_index,
                datapoint.name,
            )
        return _VALUES_PREFIX + qualifier_list_element([datapoint])

    async def write_value(
        self, datapoint: Datapoint | str, value: JsonValue, priority: int | None = None
    ) -> None:
        """Write a value; with ``priority``, hold it at that priority level.

        ``datapoint`` is a Datapoint or a qualifier. Structured values are dicts
        (``{"value": 75, "state": 1}``), enums strings.

        Raises:
            IapPriorityConflictError: a higher priority holds the datapoint (HTTP 422).
        """
        path = self._datapoint_path(datapoint)
        if priority is None:
            await self.request("PUT", f"{path}/value", json_body=value)
        else:
            await self.request(
                "PUT", f"{path}/{_priority(priority)}/overrides/value", json_body=value
            )

    async def relinquish(self, datapoint: Datapoint | str, priority: int) -> None:
        """Release the value held at ``priority``; the next level takes control."""
        path = self._datapoint_path(datapoint)
        await self.request("DELETE", f"{path}/{_priority(priority)}/overrides")

    # -- subscribe ---------------------------------------------------------------------

    async def subscribe(self, qualifiers: Iterable[str]) -> None:
        """Set the list of datapoints whose changes the live WebSocket reports.

        Replaces the previous list (one list per user login on the SmartServer). The
        list is remembered and re-asserted after every reconnect and takeover.
        """
        self.site.set_subscribed(qualifiers)
        await self.resubscribe()

    async def resubscribe(self) -> None:
        """Send the remembered subscribe list again."""
        await self.request("PUT", SUBSCRIBE_PATH, json_body=self.site.subscribed)

    # -- live, logs --------------------------------------------------------------------

    async def run_live(
        self,
        handler: Callable[[LiveEvent], None],
        *,
        probe_candidates: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        """Listen to the live WebSocket until cancelled or ``close()``.

        See ``live.LiveListener`` for reconnects, resync and takeover detection.
        ``probe_candidates`` returns the subscribed qualifiers worth probing (for
        instance those of devices that are up); by default every subscribed one.
        Every failure other than bad credentials is an outage: reported once with
        ``ConnectionLost`` and retried with back-off (a lockout waits its
        ``retry_after``). Returns at once after ``close()``.

        Raises:
            IapAuthenticationError: the credentials stopped working.
        """
        await self._live.run(handler, probe_candidates)

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
        """Iterate over the entries of a data-log query, as they stream in."""
        return iter_log(
            self,
            device_id,
            block_name,
            block_index,
            datapoint_name,
            start,
            end,
            idle_timeout=idle_timeout,
        )

    # -- alarms ------------------------------------------------------------------------

    async def list_alarms(self, active_only: bool = True) -> list[Alarm]:
        """Return the alarms, oldest first (only active ones by default)."""
        params: dict[str, Any] = {"order": "asc", "sortBy": "timestamp"}
        if active_only:
            params = {"activeOnly": True, **params}
        raw = await self._get_paged("/iap/alarms", params)
        return [parse_alarm(item) for item in raw]

    async def clear_alarms(self, ids: Iterable[int]) -> None:
        """Clear (acknowledge) alarms by id."""
        await self.request("PUT", "/iap/alarms/clear", json_body=[int(i) for i in ids])

    # -- device actions ----------------------------------------------------------------

    async def wink_device(self, device_id: str) -> None:
        """Make a device show itself (a LED blinks, a buzzer sounds).

        A device that does not answer is reported by a ``CRT:NOTIFICATION``.
        """
        await self._device_action(device_id, "wink")

    async def test_device(self, device_id: str) -> None:
        """Ask a device for its state; the answer comes as a ``DeviceTestResult``."""
        await self._device_action(device_id, "test")

    async def _device_action(self, device_id: str, action: str) -> None:
        await self.request(
            "PUT",
            f"/iap/devs/{quote_element(device_id)}/{action}",
            json_body={"ID": device_id},
        )


def _priority(priority: int) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
        raise ValueError(f"priority must be a non-negative int, not {priority!r}")
    return priority


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
